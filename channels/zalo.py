"""Zalo Official Account (Open API v3): signed webhooks in, paced API calls out.

Shapes follow Zalo's official SDKs and a maintained integration, not memory:
- send: POST /v3.0/oa/message/cs {"recipient": {"user_id"}, "message": {"text"} | {"attachment"}}
  (zaloplatform/zalo-java-sdk src/test/java/v3/SendTextCSMessage.java, SendImageCSMessage.java;
  chatwoot/chatwoot app/services/zalo_oa/message_sender.rb). `recipient.message_id` belonged
  to the retired v2 /v2.0/oa/message and is never sent.
- upload: POST /v2.0/oa/upload/image | /file, multipart field "file" (zalo-java-sdk
  src/test/java/UploadImage.java, v3/UploadFile.java; still v2.0 in Chatwoot's v3 sender).
- token: POST https://oauth.zaloapp.com/v4/oa/access_token, header secret_key, form
  refresh_token/app_id/grant_type (zalo-java-sdk src/test/java/GetAccessTokenByRefreshToken.java).
- errors come as HTTP 200 {"error": <negative code>, "message": ...}; which codes mean what is
  Chatwoot's reading (RETRYABLE_CODES, WINDOW_CODES in message_sender.rb).
- webhook signature (X-ZEvent-Signature) as chatwoot app/jobs/webhooks/zalo_events_job.rb checks it.

Incoming: `user_send_text` (and follow / unfollow); other `user_send_*` get "I can only read
text". Every request's X-ZEvent-Signature is checked before the event is read into the bot,
except Zalo's check of the URL when it is saved (an unsigned `{}`: 200, nothing done). The
webhook answers 200 at once and processes after, since Zalo retries slow or failed deliveries;
a msg_id already taken is not processed again, and a signed event of an unexpected shape is
ignored with one log line (a non-200 would only make Zalo send it again).
Outgoing: text split at 2,000 characters, options numbered (query buttons only with
ZALO_OA_BUTTONS), images and files uploaded first. The access token is refreshed before it
expires and whenever the API says -216 or -220; each refresh's new refresh token is stored.
Cost: a message within 48 hours of the resident's last interaction is free, up to 7 days it is
billed to the OA, after that Zalo refuses it; with `free_only` bulk messages skip residents
outside the free window.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from functools import partial
from datetime import datetime, timedelta

import aiohttp
from aiohttp import web

from channels.answer import answer
from channels.numbered import InOrder, Menus, numbered, platform_id, your_id
from channels.outbox import BULK, REPLY, Blocked, Claim, MaybeSent, Outbox, RateLimited, Transient, Unreachable
from core.delivery import UNREACHABLE_FREE_ONLY, Outcome, Result
from core.split import split_message
from handlers.router import Assistant
from handlers.types import File, Incoming, Reply
from storage import repo

log = logging.getLogger(__name__)
CHANNEL = "zalo"
MAX_TEXT = 2000
# A signed event older than this (or this far in the future) is a replay, not a retry: the
# msg_id memory that makes retries harmless is pruned after 7 days (jobs.runner).
MAX_EVENT_AGE_MS = 24 * 3600 * 1000
MAX_BUTTONS = 5          # query buttons Zalo shows under one message
BUTTON_PREFIX = "#btn:"  # what a hidden query button sends back as the resident's text
REFRESH_MARGIN = timedelta(minutes=5)
FREE_WINDOW = timedelta(hours=48)  # a message this soon after the resident's last one is free

ERR_RATE_LIMITED = -32            # 4,000 requests a minute per app: pause, then retry
ERR_NOT_FOLLOWER = -213           # the user does not follow the OA (any more): like a block
ERR_TOKEN_INVALID = -216
ERR_TOKEN_EXPIRED = -220          # expired or removed: refreshed like -216
ERR_NO_RECENT_INTERACTION = -230  # no interaction for 7 days
ERR_INTERACTION_EXPIRED = -232    # the interaction that allowed messaging has expired
TOKEN_ERRORS = (ERR_TOKEN_INVALID, ERR_TOKEN_EXPIRED)
WINDOW_ERRORS = (ERR_NO_RECENT_INTERACTION, ERR_INTERACTION_EXPIRED)


@dataclass(frozen=True)
class ZaloConfig:
    app_id: str
    app_secret: str
    oa_secret_key: str
    access_token: str
    refresh_token: str
    api_base: str = "https://openapi.zalo.me"
    oauth_base: str = "https://oauth.zaloapp.com"
    free_only: bool = True        # bulk messages only within the free 48 h window
    query_buttons: bool = False   # no v3 reference sends buttons on /message/cs: numbered options
    rate_limit_pause: float = 10.0  # seconds all sending stops after -32


class ZaloError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code


def signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """X-ZEvent-Signature: "mac=" + hex SHA-256 of app_id + raw body + timestamp + OA secret key."""
    data = app_id.encode() + body + timestamp.encode() + oa_secret_key.encode()
    return "mac=" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ZaloEvent:
    """What the bot needs of one webhook event."""

    kind: str      # "text", "follow", "unfollow", "other" (a sticker, a photo...), "ignore"
    user_id: str
    event_id: str  # msg_id, or one made of the event's name, user and time
    text: str = ""


def parse_event(event: object) -> ZaloEvent | None:
    """The event, or None when it is not of the shape Zalo documents (any JSON may come in)."""
    if not isinstance(event, dict) or not isinstance(event.get("event_name"), str):
        return None
    name = event["event_name"]
    if name in ("follow", "unfollow"):
        user_id = _holder_id(event.get("follower"))
        if user_id is None:
            return None
        return ZaloEvent(name, user_id, f"{name}:{user_id}:{str(event.get('timestamp'))[:20]}")
    if not name.startswith("user_send_"):
        return ZaloEvent("ignore", "", "")  # the OA's own messages, delivery receipts...
    user_id = _holder_id(event.get("sender"))
    message = event.get("message")
    if user_id is None or not isinstance(message, dict):
        return None
    msg_id = message.get("msg_id")
    if not isinstance(msg_id, (str, int)) or isinstance(msg_id, bool) or not 0 < len(str(msg_id)) <= 128:
        return None
    if name == "user_send_text":
        if not isinstance(message.get("text"), str):
            return None
        return ZaloEvent("text", user_id, str(msg_id), message["text"])
    return ZaloEvent("other", user_id, str(msg_id))



def _holder_id(holder: object) -> str | None:
    return platform_id(holder.get("id")) if isinstance(holder, dict) else None


class ZaloChannel:
    name = CHANNEL

    def __init__(self, assistant: Assistant, config: ZaloConfig, outbox: Outbox) -> None:
        self.assistant = assistant
        self.config = config
        self.outbox = outbox
        self._http: aiohttp.ClientSession | None = None
        self._access_token = config.access_token
        self._refresh_token = config.refresh_token
        self._expires_at: datetime | None = None  # unknown for the token from the settings
        self._token_lock = asyncio.Lock()
        self._menus = Menus()    # options shown numbered
        self._in_order = InOrder()

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
        await self._in_order.wait()
        await self.outbox.stop()
        if self._http:
            await self._http.close()

    # Incoming -----------------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.read()
        given = request.headers.get("X-ZEvent-Signature", "")
        if not given:
            if _is_empty_object(body):  # Zalo checking the URL as it is saved: not an event
                return web.json_response({"ok": True})
            return web.json_response({"error": "unsigned"}, status=401)
        try:
            event = json.loads(body)
            app_id, timestamp = str(event["app_id"]), str(event["timestamp"])
        except (ValueError, KeyError, TypeError, IndexError):
            return web.json_response({"error": "bad request"}, status=400)
        expected = signature(app_id, body, timestamp, self.config.oa_secret_key)
        if app_id != self.config.app_id or not hmac.compare_digest(given.encode(), expected.encode()):
            log.warning("Zalo webhook with a bad signature refused")
            return web.json_response({"error": "bad signature"}, status=403)
        # Zalo's timestamps are real time, whatever clock the bot lives on (--now in rehearsals).
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 15 \
                or abs(time.time() * 1000 - int(timestamp)) > MAX_EVENT_AGE_MS:
            log.warning("Zalo webhook with a stale timestamp %s ignored", timestamp[:20])
            return web.json_response({"ok": True})  # not an error to Zalo: nothing to retry
        parsed = parse_event(event)
        if parsed is None:  # signed by Zalo, so a 4xx would only bring it back: say so once, go on
            log.warning("Zalo event %.40r of an unexpected shape ignored", event.get("event_name"))
        elif parsed.kind != "ignore":  # processed after the answer: Zalo retries slow webhooks
            self._in_order.submit(parsed.user_id, lambda: self._process(parsed))
        return web.json_response({"ok": True})

    async def _process(self, event: ZaloEvent) -> None:
        try:
            if not await self._first_time(event.event_id):
                return
            user_id, event_id = event.user_id, event.event_id
            if event.kind == "text" and event.text.strip().lower() == "/id":  # how staff learn their id
                await self.deliver(user_id, [your_id(CHANNEL, user_id)])
            elif event.kind == "text":
                await self._answer(self._incoming(user_id, event.text, event_id))
            elif event.kind == "follow":  # a new follower gets the greeting and the menu
                await self._answer(Incoming(CHANNEL, user_id, payload="menu:start", message_id=event_id))
            elif event.kind == "unfollow":  # nothing can reach them any more: stop the reminders quietly
                await self.assistant.handle(Incoming(CHANNEL, user_id, payload="menu:unsubscribe", message_id=event_id))
            else:  # a sticker, photo, voice note...
                await self._answer(Incoming(CHANNEL, user_id, unsupported=True, message_id=event_id))
        except Exception:
            log.exception("failed to process Zalo event %s", event.kind)

    async def _first_time(self, event_id: str) -> bool:
        async with self.assistant.storage.session() as s, s.begin():
            return await repo.first_time_seen(s, CHANNEL, event_id, self.assistant.clock.now())

    def _incoming(self, user_id: str, text: str, msg_id: str) -> Incoming:
        # A query button sends its payload as the resident's text, which anyone can also type: the
        # router presses only a button the bot last showed this resident (residents.shown_buttons).
        if text.startswith(BUTTON_PREFIX):
            return Incoming(CHANNEL, user_id, payload=text[len(BUTTON_PREFIX):], message_id=msg_id)
        payload = self._menus.pressed(user_id, text)  # typing an option's number presses it
        if payload is not None:
            return Incoming(CHANNEL, user_id, payload=payload, message_id=msg_id)
        return Incoming(CHANNEL, user_id, text=text, message_id=msg_id)

    async def _answer(self, msg: Incoming) -> None:
        await answer(self.assistant, msg, partial(self.deliver, msg.user_id), "Zalo")

    # Outgoing -----------------------------------------------------------------------------

    async def deliver(self, user_id: str, replies: list[Reply], *, bulk: bool = False,
                      claim: Claim | None = None) -> Result:
        # Replies answer a message the resident just sent, so they are always in the free window.
        if bulk and self.config.free_only and not await self._in_free_window(user_id):
            # Claimed first, so that the outcome is recorded: an unclaimed row would be taken up
            # by the sweep again and again.
            if claim is not None and not await claim():
                return Result(Outcome.NOT_ATTEMPTED, "delivered by another process")
            return Result(Outcome.UNREACHABLE, UNREACHABLE_FREE_ONLY)
        recipient = {"user_id": user_id}
        calls = []
        for reply in replies:
            calls += self._calls(user_id, recipient, reply)
        return await self.outbox.deliver(f"zalo:{user_id}", calls, priority=BULK if bulk else REPLY, claim=claim)

    async def _in_free_window(self, user_id: str) -> bool:
        async with self.assistant.storage.session() as s:
            last = await repo.last_seen(s, CHANNEL, user_id)
        return last is not None and self.assistant.clock.now() - last <= FREE_WINDOW

    def _calls(self, user_id: str, recipient: dict, reply: Reply) -> list:
        text = reply.plain_text()
        buttons = reply.buttons
        as_template = self.config.query_buttons and 0 < len(buttons) <= MAX_BUTTONS
        if buttons:
            self._menus.remember(user_id, [] if as_template else buttons)
        if not as_template:
            text, buttons = numbered(text, buttons), []
        parts = split_message(text, MAX_TEXT, html=False)
        calls = []
        for i, part in enumerate(parts):
            message: dict = {"text": part}
            if buttons and i == len(parts) - 1:
                # Turn on (ZALO_OA_BUTTONS) only after checking it on your OA: the references
                # show v3 buttons on transaction and promotion messages only.
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
            raise Transient(f"Zalo connection failed: {exc.__class__.__name__}") from exc
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            if delivers:
                raise MaybeSent(f"Zalo did not answer: {exc.__class__.__name__}") from exc
            raise Transient(f"Zalo connection failed: {exc.__class__.__name__}") from exc
        except ValueError as exc:  # not JSON: a proxy's error page, say
            raise ZaloError(0, "the answer is not JSON") from exc
        if not isinstance(body, dict):
            raise ZaloError(0, "the answer is not a JSON object")
        try:
            code = int(body.get("error", 0))
        except (TypeError, ValueError):
            raise ZaloError(0, "the answer's error code is not a number") from None
        if code == 0:
            data = body.get("data")
            return data if isinstance(data, dict) else {}
        message = str(body.get("message", ""))[:200]
        if code in TOKEN_ERRORS and not retried:
            await self._refresh(used=token)
            if "data" in kwargs:  # a multipart body cannot be sent twice: the outbox retries the call
                raise Transient("token refreshed; upload again")
            return await self._api(method, path, retried=True, delivers=delivers, **kwargs)
        if code == ERR_RATE_LIMITED:  # nothing was sent: everything waits, then this goes again
            raise RateLimited(self.config.rate_limit_pause)
        if code in WINDOW_ERRORS:
            raise Unreachable(f"{code}: {message or 'no recent interaction'}")
        if code == ERR_NOT_FOLLOWER:
            raise Blocked(f"{code}: {message or 'the user does not follow the OA'}")
        raise ZaloError(code, message)

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
                    raise Transient(f"Zalo token refresh: connection failed: {exc.__class__.__name__}") from exc
                if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
                    error = body.get("error", -1) if isinstance(body, dict) else -1
                    message = str(body.get("message", "")) if isinstance(body, dict) else "not a JSON object"
                    raise ZaloError(error, f"token refresh failed: {message[:200]}")
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


def _is_empty_object(body: bytes) -> bool:
    try:
        return json.loads(body or b"{}") == {}
    except ValueError:
        return False
