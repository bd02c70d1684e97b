"""Zalo Bot Platform: a bot made in minutes with Zalo Bot Creator, no Official Account needed.

The API is shaped like Telegram's: POST {base}/bot<TOKEN>/<method> with a JSON body, answered
{"ok": true, "result": ...}. References: the official docs as copied (10/12/2025) in
XuanNguyenNB/QuanLyThuChi_Bot_Telegram_Zalom docs/ZALO_BOT_API.md (getUpdates, setWebhook
{url, secret_token} and the X-Bot-Api-Secret-Token header, deleteWebhook, sendMessage
{chat_id, text of 1 to 2,000 characters}, sendPhoto {chat_id, photo: a URL, caption},
sendChatAction), and openclaw/openclaw docs/channels/zalo.md (updates carry `event_name`,
e.g. "message.text.received", and `message`; private chats only for these bots; polling and
webhook exclude each other). The docs show no error answers: Telegram's shape
({"ok": false, "error_code", "description", "parameters.retry_after"}) is assumed, and only
the codes that matter here are read (403 blocked, 429 slow down, 5xx retry).

A thin client on aiohttp, inside the project's outbox, rather than python-zalo-bot: that
package (0.1.9, a fork of python-telegram-bot 20) brings its own application and polling loop
beside ours, turns every network failure into one NetworkError (the outbox must know whether
a request left: "never left" is retried, "may have arrived" is not, in bulk), and reads
getUpdates' result as a single update only. Five endpoints do not need it.

Receiving: getUpdates (long polling) without a public URL; with PUBLIC_URL under `serve`,
setWebhook with a secret checked on every request (403 otherwise). Text from private chats is
answered; anything else gets the "text only" answer. Sending: text split at 2,000 characters,
options numbered (typing the number presses one), the VietQR image by sendPhoto from an
unguessable, expiring URL under PUBLIC_URL (channels/published.py); without one, the payment
details in text and where to get the QR.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass
from functools import partial
from datetime import timedelta

import aiohttp
from aiohttp import web

from channels import StartupError
from channels.answer import answer
from channels.numbered import InOrder, Menus, numbered, platform_id, your_id
from channels.outbox import BULK, REPLY, Blocked, Claim, MaybeSent, Outbox, RateLimited, Transient
from channels.published import PublishedFiles
from content.render import contact_line
from content.texts import plain
from core.delivery import Result
from core.split import split_message
from handlers.router import Assistant
from handlers.types import File, Incoming, Reply
from storage import repo
from storage.models import NAME_MAX

log = logging.getLogger(__name__)
CHANNEL = "zalobot"
MAX_TEXT = 2000
POLL_TIMEOUT = 30  # seconds Zalo holds a getUpdates open
QUICK_EMPTY = 1.0  # an empty getUpdates faster than this: the server does not long-poll, so wait
QR_LIFETIME = timedelta(days=2)
FILE_LIFETIME = timedelta(minutes=15)  # exports hold personal data: a short-lived link, for staff only
TEXT_EVENTS = ("message.text.received",)


@dataclass(frozen=True)
class ZaloBotConfig:
    token: str
    base_url: str = "https://bot-api.zaloplatforms.com"
    webhook_url: str | None = None     # set: updates come by webhook, else getUpdates
    webhook_secret: str | None = None  # 8 to 256 characters
    public_url: str | None = None      # set (with the web server): files are published there


class ZaloBotError(Exception):
    def __init__(self, code: object, description: str) -> None:
        super().__init__(f"Zalo Bot error {code}: {description}")
        self.code = code


@dataclass(frozen=True)
class BotUpdate:
    kind: str  # "text" or "other" (a sticker, a photo...)
    user_id: str  # the private chat's id: where replies go, and the resident's id
    message_id: str
    name: str | None = None
    text: str = ""


def parse_update(data: object) -> BotUpdate | None:
    """One update as getUpdates or the webhook gives it (bare, or in an {"ok", "result"}
    envelope), or None for anything else, whatever JSON came in. Group chats are not answered."""
    if isinstance(data, dict) and "result" in data and "message" not in data:
        data = data["result"]
    if not isinstance(data, dict):
        return None
    message, event = data.get("message"), data.get("event_name")
    if not isinstance(message, dict) or not (event is None or isinstance(event, str)):
        return None
    chat, sender = message.get("chat"), message.get("from")
    if not isinstance(chat, dict) or chat.get("chat_type", "PRIVATE") != "PRIVATE":
        return None
    chat_id, message_id = platform_id(chat.get("id")), platform_id(message.get("message_id"))
    if chat_id is None or message_id is None:
        return None
    name = sender.get("display_name") or sender.get("first_name") if isinstance(sender, dict) else None
    name = name[:NAME_MAX] if isinstance(name, str) and name else None
    text = message.get("text")
    # The copy of the docs shows a text update without event_name: text is what counts.
    if isinstance(text, str) and (event is None or event in TEXT_EVENTS):
        return BotUpdate("text", chat_id, message_id, name, text)
    return BotUpdate("other", chat_id, message_id, name)


class ZaloBotChannel:
    name = CHANNEL

    def __init__(self, assistant: Assistant, config: ZaloBotConfig, outbox: Outbox) -> None:
        self.assistant = assistant
        self.config = config
        self.outbox = outbox
        self.files = (PublishedFiles(config.public_url, "/zalobot/files", assistant.clock)
                      if config.public_url else None)
        self._http: aiohttp.ClientSession | None = None
        self._menus = Menus()
        self._in_order = InOrder()
        self._poller: asyncio.Task | None = None

    @property
    def webhook_url(self) -> str | None:
        return self.config.webhook_url

    async def start(self) -> None:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=POLL_TIMEOUT + 15))
        self.outbox.start()
        if self.config.webhook_url:
            try:
                await self._call("setWebhook", {"url": self.config.webhook_url,
                                                "secret_token": self.config.webhook_secret})
            except Exception as exc:  # ours, without the URL (it holds the token): one line, not a traceback
                await self._http.close()
                hint = ": check ZALO_BOT_TOKEN" if getattr(exc, "code", None) in (401, 404) else ""
                raise StartupError(f"the Zalo Bot API refused the webhook {self.config.webhook_url} "
                                   f"(from PUBLIC_URL): {exc}{hint}") from None
        else:
            self._poller = asyncio.create_task(self._poll(), name="zalobot-poll")

    async def stop(self) -> None:
        if self._poller:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
        await self._in_order.wait()
        await self.outbox.stop()
        if self._http:
            await self._http.close()

    # Incoming -----------------------------------------------------------------------------

    async def webhook(self, request: web.Request) -> web.Response:
        """POST /zalobot/webhook: only Zalo knows the secret it was given in setWebhook."""
        given = request.headers.get("X-Bot-Api-Secret-Token", "")
        secret = self.config.webhook_secret or ""
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return web.json_response({"error": "forbidden"}, status=403)
        try:
            data = json.loads(await request.read())
        except ValueError:
            return web.json_response({"error": "bad request"}, status=400)
        self._accept(data)
        return web.json_response({"ok": True})  # at once: the answer is sent after

    async def _poll(self) -> None:
        """getUpdates in a loop; an unreachable API or a refused token is said in one line and
        tried again with a growing pause, so the other channels run on meanwhile."""
        loop = asyncio.get_running_loop()
        pause, webhook_deleted = 1.0, False
        while True:
            started = loop.time()
            try:
                if not webhook_deleted:  # getUpdates does not work while a webhook is set
                    await self._call("deleteWebhook", {})
                    webhook_deleted = True
                result = await self._call("getUpdates", {"timeout": str(POLL_TIMEOUT)})
                pause = 1.0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # our own errors: no URL, so no token, in them
                if getattr(exc, "code", None) == 408:  # nothing came within the timeout
                    result = None
                else:
                    hint = ": check ZALO_BOT_TOKEN" if getattr(exc, "code", None) in (401, 404) else ""
                    log.warning("Zalo Bot polling failed (%s)%s; trying again in %.0f s", exc, hint, pause)
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, 60.0)
                    continue
            updates = result if isinstance(result, list) else [result] if result else []
            for update in updates:
                self._accept(update)
            if not updates and loop.time() - started < QUICK_EMPTY:
                await asyncio.sleep(QUICK_EMPTY)  # a server that answers at once must not make us spin

    def _accept(self, data: object) -> None:
        update = parse_update(data)
        if update is None:  # a 4xx would only make Zalo send it again: say so once, go on
            log.warning("Zalo Bot update of an unexpected shape ignored")
            return
        self._in_order.submit(update.user_id, lambda: self._process(update))

    async def _process(self, update: BotUpdate) -> None:
        try:
            async with self.assistant.storage.session() as s, s.begin():
                if not await repo.first_time_seen(s, CHANNEL, update.message_id, self.assistant.clock.now()):
                    return  # a webhook delivered again
            if update.kind == "text" and update.text.strip().lower() == "/id":  # how staff learn their id
                await self.deliver(update.user_id, [your_id(CHANNEL, update.user_id)])
                return
            await self._answer(self._incoming(update))
        except Exception:
            log.exception("failed to process a Zalo Bot update")

    def _incoming(self, update: BotUpdate) -> Incoming:
        if update.kind != "text":
            return Incoming(CHANNEL, update.user_id, update.name, unsupported=True, message_id=update.message_id)
        payload = self._menus.pressed(update.user_id, update.text)  # typing an option's number presses it
        if payload is not None:
            return Incoming(CHANNEL, update.user_id, update.name, payload=payload, message_id=update.message_id)
        return Incoming(CHANNEL, update.user_id, update.name, text=update.text, message_id=update.message_id)

    async def _answer(self, msg: Incoming) -> None:
        await answer(self.assistant, msg, partial(self.deliver, msg.user_id), "Zalo Bot")

    # Outgoing -----------------------------------------------------------------------------

    async def deliver(self, user_id: str, replies: list[Reply], *, bulk: bool = False,
                      claim: Claim | None = None) -> Result:
        calls = []
        for reply in replies:
            if reply.buttons:
                self._menus.remember(user_id, reply.buttons)
            for part in split_message(numbered(reply.plain_text(), reply.buttons), MAX_TEXT, html=False):
                calls.append(self._send_call("sendMessage", {"chat_id": user_id, "text": part}))
            calls += [self._file_call(user_id, f) for f in reply.files]
        return await self.outbox.deliver(f"zalobot:{user_id}", calls, priority=BULK if bulk else REPLY, claim=claim)

    def _send_call(self, method: str, payload: dict):
        async def send() -> None:
            await self._call(method, payload, delivers=True)
        return send

    def _file_call(self, user_id: str, file: File):
        if self.files is None:
            key = "zalobot_qr_text_only" if file.is_image else "zalobot_file_unavailable"
            text = plain("vi", key, contact=contact_line(self.assistant.week, "vi"), name=file.name)
            return self._send_call("sendMessage", {"chat_id": user_id, "text": text})
        if file.is_image:
            url = self.files.publish(file, QR_LIFETIME)
            return self._send_call("sendPhoto", {"chat_id": user_id, "photo": url})
        url = self.files.publish(file, FILE_LIFETIME)
        text = plain("vi", "zalobot_file_link", name=file.name, url=url,
                     minutes=int(FILE_LIFETIME.total_seconds() // 60))
        return self._send_call("sendMessage", {"chat_id": user_id, "text": text})

    async def _call(self, method: str, payload: dict, *, delivers: bool = False) -> object:
        """One API call, its errors in the outbox's terms. The URL holds the token, so no
        error raised here carries the URL or the library's exception (`from None`)."""
        url = f"{self.config.base_url}/bot{self.config.token}/{method}"
        try:
            async with self._http.post(url, json=payload) as response:
                status = response.status
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:  # it never left
            raise Transient(f"Zalo Bot API connection failed: {exc.__class__.__name__}") from None
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            if delivers:
                raise MaybeSent(f"Zalo Bot API did not answer: {exc.__class__.__name__}") from None
            raise Transient(f"Zalo Bot API did not answer: {exc.__class__.__name__}") from None
        if isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        body = body if isinstance(body, dict) else {}
        code = body.get("error_code", status)
        description = str(body.get("description", ""))[:200]
        if status >= 500 or (isinstance(code, int) and code >= 500):
            raise Transient(f"Zalo Bot API {code}: {description}")
        if code == 429:
            parameters = body.get("parameters")
            retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
            pause = float(retry_after) if isinstance(retry_after, (int, float)) and 0 < retry_after < 300 else 5.0
            raise RateLimited(pause)
        if code == 403:
            raise Blocked(f"Zalo Bot API 403: {description}")
        raise ZaloBotError(code, description)
