"""In-process stand-in for the Zalo Bot Platform API, served on 127.0.0.1.

Strict, after the official docs as copied (10/12/2025) in XuanNguyenNB/QuanLyThuChi_Bot_Telegram_Zalom
docs/ZALO_BOT_API.md: POST /bot<TOKEN>/<method>, JSON in, {"ok": true, "result": ...} out;
sendMessage {chat_id, text of 1 to 2,000 characters}; sendPhoto {chat_id, photo: a URL,
caption?}; setWebhook {url: https, secret_token: 8 to 256 characters}; getUpdates {timeout} whose
result is one update, and which does not work while a webhook is set; sendChatAction
{chat_id, action: typing}. Update shape ({event_name, message: {from, chat: {id, chat_type},
text, message_id, date}}) after openclaw/openclaw docs/channels/zalo.md and integrations that
parse it. Errors, which the docs do not show, take Telegram's shape ({"ok": false,
"error_code", "description"}); an empty long poll answers 408. Anything else is refused and
recorded in `refused`, so a test can assert none happened.
"""
from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "1234567890:zalobot-test-token"
METHODS = {"getMe", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo", "sendMessage", "sendPhoto",
           "sendChatAction", "sendSticker"}


@dataclass
class BotCall:
    method: str
    body: dict[str, Any]
    at: float


@dataclass
class ZaloBotStub:
    token: str = TOKEN
    poll_hold: float = 10.0  # seconds an empty getUpdates is held at most (the real one: `timeout`)
    calls: list[BotCall] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)  # chat ids answered 403

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._port = 0
        self._ids = itertools.count(1)
        self._updates: asyncio.Queue = asyncio.Queue()
        self._changed = asyncio.Event()
        self.webhook: dict | None = None
        self._polling = 0

    async def __aenter__(self) -> "ZaloBotStub":
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc) -> None:
        for _ in range(self._polling):  # release held long polls: the server waits for its handlers
            self._updates.put_nowait(None)
        await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def update(self, chat_id: str, text: str | None = "", *, name: str = "Lan", chat_type: str = "PRIVATE",
               event_name: str | None = None) -> dict:
        """An update as Zalo sends it: a text message, or (text None) a sticker."""
        message: dict[str, Any] = {"from": {"id": chat_id, "display_name": name, "is_bot": False},
                                   "chat": {"id": chat_id, "chat_type": chat_type},
                                   "message_id": f"zb{next(self._ids):06d}", "date": int(time.time() * 1000)}
        if text is None:
            message["sticker"] = "0e078a2fb66a5f34067b"
            event_name = event_name or "message.sticker.received"
        else:
            message["text"] = text
        return {"event_name": event_name or "message.text.received", "message": message}

    def push(self, update: dict) -> None:
        """Queue an update for getUpdates."""
        self._updates.put_nowait(update)

    def sent(self, chat_id: str | None = None) -> list[BotCall]:
        out = [c for c in self.calls if c.method in ("sendMessage", "sendPhoto") and c.body.get("ok")]
        return [c for c in out if chat_id is None or c.body.get("chat_id") == chat_id]

    async def wait_sent(self, chat_id: str, count: int, timeout: float = 5.0) -> list[BotCall]:
        deadline = time.monotonic() + timeout
        while len(self.sent(chat_id)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} messages to {chat_id}, got {self.sent(chat_id)}")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), 0.05)
            except TimeoutError:
                pass
        return self.sent(chat_id)

    def _error(self, code: int, description: str) -> web.Response:
        return web.json_response({"ok": False, "error_code": code, "description": description}, status=code)

    def _refuse(self, method: str, why: str) -> web.Response:
        self.refused.append((method, why))
        return self._error(400, f"Bad Request: {why}")

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            body = await request.json()
        except ValueError:
            body = None
        call = BotCall(method, body if isinstance(body, dict) else {}, time.monotonic())
        self.calls.append(call)
        self._changed.set()
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        if method not in METHODS:
            return self._error(404, "Not Found")
        if not isinstance(body, dict):
            return self._refuse(method, "the body must be a JSON object")
        result = await getattr(self, "_" + method)(body)
        if isinstance(result, web.Response):
            return result
        call.body["ok"] = True
        self._changed.set()
        return web.json_response({"ok": True, "result": result})

    def _only(self, method: str, body: dict, required: set[str], optional: set[str] = frozenset()) -> str | None:
        missing, unknown = required - set(body), set(body) - required - set(optional)
        if missing or unknown:
            return f"{method}: missing {sorted(missing)}, unknown {sorted(unknown)}"
        return None

    async def _getMe(self, body: dict):
        return {"id": "1459232241454765289", "account_name": "bot.test", "account_type": "BASIC",
                "can_join_groups": False}

    async def _getUpdates(self, body: dict):
        if self.webhook is not None:
            return self._error(409, "Conflict: getUpdates does not work while a webhook is set")
        why = self._only("getUpdates", body, set(), {"timeout"})
        if why or not isinstance(body.get("timeout", "30"), str):
            return self._refuse("getUpdates", why or "timeout is a string of seconds")
        self._polling += 1
        try:
            update = await asyncio.wait_for(self._updates.get(), min(float(body.get("timeout", "30")), self.poll_hold))
        except TimeoutError:
            update = None
        finally:
            self._polling -= 1
        return self._error(408, "Request timeout") if update is None else update

    async def _setWebhook(self, body: dict):
        why = self._only("setWebhook", body, {"url", "secret_token"})
        if why is None and not (isinstance(body["url"], str) and body["url"].startswith("https://")):
            why = "url must be https"
        if why is None and not (isinstance(body["secret_token"], str) and 8 <= len(body["secret_token"]) <= 256):
            why = "secret_token must be 8 to 256 characters"
        if why:
            return self._refuse("setWebhook", why)
        self.webhook = dict(body)
        return {"url": body["url"], "updated_at": int(time.time() * 1000)}

    async def _deleteWebhook(self, body: dict):
        self.webhook = None
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _getWebhookInfo(self, body: dict):
        return {"url": (self.webhook or {}).get("url", ""), "updated_at": int(time.time() * 1000)}

    def _chat_error(self, method: str, body: dict) -> web.Response | None:
        if not isinstance(body.get("chat_id"), str) or not body["chat_id"]:
            return self._refuse(method, "chat_id must be a non-empty string")
        if body["chat_id"] in self.blocked:
            return self._error(403, "Forbidden: the user blocked the bot")
        return None

    async def _sendMessage(self, body: dict):
        why = self._only("sendMessage", body, {"chat_id", "text"})
        if why is None and not (isinstance(body["text"], str) and 1 <= len(body["text"]) <= 2000):
            why = "text must be 1 to 2,000 characters"
        if why:
            return self._refuse("sendMessage", why)
        error = self._chat_error("sendMessage", body)
        return self._message() if error is None else error

    async def _sendPhoto(self, body: dict):
        why = self._only("sendPhoto", body, {"chat_id", "photo"}, {"caption"})
        if why is None and not (isinstance(body["photo"], str) and body["photo"].startswith(("https://", "http://"))):
            why = "photo must be a URL"
        caption = body.get("caption", "-")
        if why is None and not (isinstance(caption, str) and 1 <= len(caption) <= 2000):
            why = "caption must be 1 to 2,000 characters"
        if why:
            return self._refuse("sendPhoto", why)
        error = self._chat_error("sendPhoto", body)
        return self._message() if error is None else error

    async def _sendChatAction(self, body: dict):
        why = self._only("sendChatAction", body, {"chat_id", "action"})
        if why or body["action"] != "typing":
            return self._refuse("sendChatAction", why or "action must be typing")
        error = self._chat_error("sendChatAction", body)
        return True if error is None else error

    async def _sendSticker(self, body: dict):
        return self._refuse("sendSticker", "not used by this bot")

    def _message(self) -> dict:
        return {"message_id": f"out{next(self._ids)}", "date": int(time.time() * 1000)}
