"""Zalo Official Account (Open API v3): signed webhooks in, paced API calls out.

Incoming: `user_send_text` (and follow / unfollow); other `user_send_*` get "I can only read
text". Every request's X-ZEvent-Signature is checked before anything is read into the bot;
the webhook answers 200 at once and processes after, since Zalo retries slow deliveries,
and a msg_id already taken is not processed again.
Outgoing: text (split at 2,000 characters), query buttons (numbered options when there are
more than Zalo shows), images and files uploaded first. The access token is refreshed before
it expires and whenever the API says -216; each refresh's new refresh token is stored.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
from aiohttp import web

from channels.outbox import BULK, REPLY, Claim, MaybeSent, Outbox, Transient, Unreachable
from core.split import split_message
from handlers.router import Assistant
from handlers.types import Button, File, Incoming, Outcome, Reply, Result
from storage import repo

log = logging.getLogger(__name__)
CHANNEL = "zalo"
MAX_TEXT = 2000
# A signed event older than this (or this far in the future) is a replay, not a retry: the
# msg_id memory that makes retries harmless is pruned after 7 days (jobs.runner).
MAX_EVENT_AGE_MS = 24 * 3600 * 1000
MAX_BUTTONS = 5          # query buttons Zalo shows under one message
BUTTON_PREFIX = "#btn:"  # what a hidden query button sends back as the resident's text
REMEMBERED_MENUS = 10_000
REFRESH_MARGIN = timedelta(minutes=5)

ERR_TOKEN_INVALID = -216
ERR_NO_RECENT_INTERACTION = -230


@dataclass(frozen=True)
class ZaloConfig:
    app_id: str
    app_secret: str
    oa_secret_key: str
    access_token: str
    refresh_token: str
    api_base: str = "https://openapi.zalo.me"
    oauth_base: str = "https://oauth.zaloapp.com"


class ZaloError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code


def signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """X-ZEvent-Signature: "mac=" + hex SHA-256 of app_id + raw body + timestamp + OA secret key."""
    data = app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()
    return "mac=" + hashlib.sha256(data).hexdigest()


class ZaloChannel:
    def __init__(self, assistant: Assistant, config: ZaloConfig, outbox: Outbox | None = None) -> None:
        self.assistant = assistant
        self.config = config
        self.outbox = outbox or Outbox(rate=10, per_chat=1, burst=3)
        self._http: aiohttp.ClientSession | None = None
        self._access_token = config.access_token
        self._refresh_token = config.refresh_token
        self._expires_at: datetime | None = None  # unknown for the token from the settings
        self._token_lock = asyncio.Lock()
        self._menus: OrderedDict[str, list[Button]] = OrderedDict()  # last numbered options per resident
        self._turns: dict[str, tuple[asyncio.Lock, int]] = {}  # one resident's events, in arrival order
        self._tasks: set[asyncio.Task] = set()
        assistant.senders[CHANNEL] = self.deliver

    async def start(self) -> None:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        seed = _seed(self.config.refresh_token)
        async with self.assistant.storage.session() as s, s.begin():
            stored = await repo.get_token(s, CHANNEL, for_update=True)
            if stored is not None and stored.seed == seed:
                # Refreshed since the settings were written: refresh tokens work once, so the
                # stored pair is the live one.
                self._adopt(stored)
            else:  # first start, or staff put new tokens in the settings: they win
                await repo.save_token(s, CHANNEL, self._access_token, self._refresh_token, None, seed,
                                      self.assistant.clock.now())
        self.outbox.start()

    async def stop(self) -> None:
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.outbox.stop()
        if self._http:
            await self._http.close()

    # Incoming -----------------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            event = json.loads(body)
            app_id, timestamp = str(event["app_id"]), str(event["timestamp"])
        except (ValueError, KeyError, TypeError):
            return web.json_response({"error": "bad request"}, status=400)
        expected = signature(app_id, body, timestamp, self.config.oa_secret_key)
        given = request.headers.get("X-ZEvent-Signature", "")
        if not given:
            return web.json_response({"error": "unsigned"}, status=401)
        if app_id != self.config.app_id or not hmac.compare_digest(given.encode(), expected.encode()):
            log.warning("Zalo webhook with a bad signature refused")
            return web.json_response({"error": "bad signature"}, status=403)
        # Zalo's timestamps are real time, whatever clock the bot lives on (--now in rehearsals).
        if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > MAX_EVENT_AGE_MS:
            log.warning("Zalo webhook with a stale timestamp %s ignored", timestamp[:20])
            return web.json_response({"ok": True})  # not an error to Zalo: nothing to retry
        task = asyncio.create_task(self._process(event))  # answer now: Zalo retries slow webhooks
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.json_response({"ok": True})

    async def _process(self, event: dict) -> None:
        user_id = str((event.get("sender") or event.get("follower") or {}).get("id", ""))
        lock, waiting = self._turns.get(user_id, (asyncio.Lock(), 0))
        self._turns[user_id] = (lock, waiting + 1)
        try:
            async with lock:  # tasks get here in the order the webhooks came
                await self._process_one(event, user_id)
        finally:
            lock, waiting = self._turns[user_id]
            if waiting == 1:
                del self._turns[user_id]
            else:
                self._turns[user_id] = (lock, waiting - 1)

    async def _process_one(self, event: dict, user_id: str) -> None:
        try:
            name = event.get("event_name", "")
            message = event.get("message") or {}
            event_id = str(message.get("msg_id") or f"{name}:{user_id}:{event.get('timestamp')}")
            if not user_id or not await self._first_time(event_id):
                return
            if name == "user_send_text":
                await self._answer(self._incoming(user_id, message.get("text") or "", event_id), reply_to=event_id)
            elif name == "follow":  # a new follower gets the greeting and the menu
                await self._answer(Incoming(CHANNEL, user_id, text="/start", message_id=event_id))
            elif name == "unfollow":  # nothing can reach them any more: stop the reminders quietly
                await self.assistant.handle(Incoming(CHANNEL, user_id, text="/huynhac", message_id=event_id))
            elif name.startswith("user_send_"):  # a sticker, photo, voice note...
                await self._answer(Incoming(CHANNEL, user_id, unsupported=True, message_id=event_id),
                                   reply_to=event_id)
        except Exception:
            log.exception("failed to process Zalo event %s", event.get("event_name"))

    async def _first_time(self, event_id: str) -> bool:
        async with self.assistant.storage.session() as s, s.begin():
            return await repo.first_time_seen(s, CHANNEL, event_id, self.assistant.clock.now())

    def _incoming(self, user_id: str, text: str, msg_id: str) -> Incoming:
        if text.startswith(BUTTON_PREFIX):
            return Incoming(CHANNEL, user_id, payload=text[len(BUTTON_PREFIX):], message_id=msg_id)
        menu = self._menus.get(user_id, [])
        number = text.strip()
        if number.isdigit() and 1 <= int(number) <= len(menu):  # typing an option's number presses it
            return Incoming(CHANNEL, user_id, payload=menu[int(number) - 1].payload, message_id=msg_id)
        return Incoming(CHANNEL, user_id, text=text, message_id=msg_id)

    async def _answer(self, msg: Incoming, reply_to: str | None = None) -> None:
        try:
            replies = await self.assistant.handle(msg)
        except Exception:
            log.exception("failed to handle Zalo message %s", msg.message_id)
            replies = [self.assistant.error_reply("vi")]
        result = await self.deliver(msg.user_id, replies, reply_to=reply_to)
        if result.outcome is not Outcome.SENT:
            log.warning("reply to Zalo user %s not delivered: %s %s", msg.user_id, result.outcome.value, result.reason)

    # Outgoing -----------------------------------------------------------------------------

    async def deliver(self, user_id: str, replies: list[Reply], *, bulk: bool = False, claim: Claim | None = None,
                      reply_to: str | None = None) -> Result:
        # Answering a resident's message by its id is a reply, cheaper for the ward than a
        # message the OA starts; reminders and notices go to the user id.
        recipient = {"message_id": reply_to} if reply_to and not bulk else {"user_id": user_id}
        calls = []
        for reply in replies:
            calls += self._calls(recipient, reply)
            if reply.buttons:
                self._remember(user_id, reply.buttons if len(reply.buttons) > MAX_BUTTONS else [])
        return await self.outbox.deliver(f"zalo:{user_id}", calls, priority=BULK if bulk else REPLY, claim=claim)

    def _remember(self, user_id: str, numbered: list[Button]) -> None:
        """The options shown numbered, so that typing a number presses one (and only then: at
        the amount step "2" must stay an amount)."""
        self._menus[user_id] = numbered
        self._menus.move_to_end(user_id)
        while len(self._menus) > REMEMBERED_MENUS:
            self._menus.popitem(last=False)

    def _calls(self, recipient: dict, reply: Reply) -> list:
        text = reply.plain_text()
        buttons = reply.buttons
        if len(buttons) > MAX_BUTTONS:  # more than Zalo shows: numbered options to type
            text += "\n\n" + "\n".join(f"{i}. {b.label}" for i, b in enumerate(buttons, 1))
            buttons = []
        parts = split_message(text, MAX_TEXT, html=False)
        calls = []
        for i, part in enumerate(parts):
            message: dict = {"text": part}
            if buttons and i == len(parts) - 1:
                message["attachment"] = {"type": "template", "payload": {"buttons": [
                    {"title": b.label[:100], "type": "oa.query.hide", "payload": BUTTON_PREFIX + b.payload}
                    for b in buttons]}}
            calls.append(self._send_call(recipient, message))
        calls += [self._file_call(recipient, f) for f in reply.files]
        return calls

    def _send_call(self, recipient: dict, message: dict):
        async def send() -> None:
            await self._api("POST", "/v3.0/oa/message/cs", delivers=True,
                            json={"recipient": recipient, "message": message})
        return send

    def _file_call(self, recipient: dict, file: File):
        async def send() -> None:
            form = aiohttp.FormData()
            form.add_field("file", file.data, filename=file.name)
            if file.is_image:
                data = await self._api("POST", "/v2.0/oa/upload/image", data=form)
                attachment = {"type": "template", "payload": {"template_type": "media", "elements": [
                    {"media_type": "image", "attachment_id": data["attachment_id"]}]}}
            else:
                data = await self._api("POST", "/v2.0/oa/upload/file", data=form)
                attachment = {"type": "file", "payload": {"token": data["token"]}}
            await self._api("POST", "/v3.0/oa/message/cs", delivers=True,
                            json={"recipient": recipient, "message": {"attachment": attachment}})
        return send

    async def _api(self, method: str, path: str, *, retried: bool = False, delivers: bool = False, **kwargs) -> dict:
        """One API call: errors in the outbox's terms; an invalid token is refreshed once.
        `delivers`: the call sends a message, so one that left unanswered may have arrived."""
        await self._ensure_fresh_token()
        token = self._access_token
        try:
            async with self._http.request(method, self.config.api_base + path,
                                          headers={"access_token": token}, **kwargs) as response:
                if response.status >= 500:
                    raise Transient(f"Zalo HTTP {response.status}")
                body = await response.json(content_type=None)
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:  # it never left
            raise Transient(f"Zalo unreachable: {exc.__class__.__name__}") from exc
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            if delivers:
                raise MaybeSent(f"Zalo did not answer: {exc.__class__.__name__}") from exc
            raise Transient(f"Zalo unreachable: {exc.__class__.__name__}") from exc
        code = int(body.get("error", 0))
        if code == 0:
            return body.get("data") or {}
        if code == ERR_TOKEN_INVALID and not retried:
            await self._refresh(used=token)
            if "data" in kwargs:  # a multipart body cannot be sent twice: the outbox retries the call
                raise Transient("token refreshed; upload again")
            return await self._api(method, path, retried=True, delivers=delivers, **kwargs)
        if code == ERR_NO_RECENT_INTERACTION:
            raise Unreachable(f"{code}: {body.get('message', 'no interaction within 7 days')}")
        raise ZaloError(code, str(body.get("message", "")))

    async def _ensure_fresh_token(self) -> None:
        if self._expires_at is not None and self.assistant.clock.now() >= self._expires_at - REFRESH_MARGIN:
            await self._refresh(used=self._access_token)

    async def _refresh(self, used: str) -> None:
        """Replace the access token `used`, unless someone already did: another call here, or
        another process sharing the database (the row is locked meanwhile, and a refresh token
        works only once, so two processes must never both refresh)."""
        async with self._token_lock:
            if self._access_token != used:
                return
            async with self.assistant.storage.session() as s, s.begin():
                stored = await repo.get_token(s, CHANNEL, for_update=True)
                if stored is not None and stored.access_token != used:
                    self._adopt(stored)
                    return
                try:
                    async with self._http.post(
                            self.config.oauth_base + "/v4/oa/access_token",
                            headers={"secret_key": self.config.app_secret},
                            data={"refresh_token": self._refresh_token, "app_id": self.config.app_id,
                                  "grant_type": "refresh_token"}) as response:
                        body = await response.json(content_type=None)
                except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                    raise Transient(f"Zalo token refresh unreachable: {exc.__class__.__name__}") from exc
                if "access_token" not in body:
                    raise ZaloError(int(body.get("error", -1)), f"token refresh failed: {body.get('message', body)}")
                now = self.assistant.clock.now()
                self._access_token, self._refresh_token = body["access_token"], body["refresh_token"]
                self._expires_at = now + timedelta(seconds=int(body.get("expires_in", 3600)))
                await repo.save_token(s, CHANNEL, self._access_token, self._refresh_token, self._expires_at,
                                      stored.seed if stored else _seed(self.config.refresh_token), now)
            log.info("Zalo access token refreshed; valid until %s", self._expires_at)

    def _adopt(self, stored) -> None:
        self._access_token, self._refresh_token = stored.access_token, stored.refresh_token
        self._expires_at = stored.expires_at


def _seed(refresh_token: str) -> str:
    """Which refresh token from the settings a stored chain of tokens started from."""
    return hashlib.sha256(refresh_token.encode()).hexdigest()[:16]
