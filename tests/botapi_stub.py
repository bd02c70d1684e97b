"""In-process stand-in for the Telegram Bot API, for end-to-end tests with the real PTB.

Start it on 127.0.0.1 (random port) and point python-telegram-bot at it::

    async with BotApiStub() as stub:
        app = (
            ApplicationBuilder()
            .token(stub.token)
            .base_url(f"{stub.url}/bot")
            .base_file_url(f"{stub.url}/file/bot")
            .build()
        )

Tests inject updates (``send_text``, ``press_button``, ``send_sticker``, ``push_update``),
which the bot receives through ordinary ``getUpdates`` long polling, and inspect what the
bot sent through ``calls`` / ``sent`` / ``wait_for`` / ``wait_sent``.

Wire format notes (PTB 22.x ``HTTPXRequest``): every request is a POST whose parameters
are *form fields*, each value already a string: ints as ``"123"``, bools as ``"true"``,
nested objects (``reply_markup``, ``entities``, ...) as JSON strings. Without uploads the
body is ``application/x-www-form-urlencoded``; with uploads it is ``multipart/form-data``
and an uploaded file is a part *named after the parameter* (``photo``, ``document``) that
does not appear among the text fields. ``getMe`` etc. are POSTs with an empty body.
The channel's own messages (channels/telegram_http.py) come as JSON bodies, values typed (the Bot
API takes application/json for any method without an upload: https://core.telegram.org/bots/api#making-requests).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import math
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web

__all__ = ["ApiError", "BotApiStub", "Call", "SEND_METHODS"]

DEFAULT_TOKEN = "123456:TEST"
BOT_USERNAME = "ward_test_bot"
# Seconds the wait helpers wait by default: generous, so that a loaded machine is not a failure
# (they return as soon as the call is there; only a test about to fail waits this long).
WAIT = 20.0

# Methods that deliver a message to a chat: the ones rate limits and blocking apply to.
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})

# Bot API parameters whose values are JSON-serialized objects/arrays. Form-encoded values
# arrive as strings; only these are decoded, so a user text like "[1]" stays a string.
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "commands",
        "scope",
        "media",
    }
)

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
# Bots cannot write first: until a user opens the bot and presses Start, Telegram answers a
# send to them with this 403 ("Bots can't initiate conversations with users",
# https://core.telegram.org/bots/faq#how-can-i-message-a-user; the description is Telegram's).
CANNOT_INITIATE = "Forbidden: bot can't initiate conversation with a user"


@dataclass
class Call:
    """One request the bot made. ``params`` are as sent (strings), JSON_PARAMS decoded."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]]
    at: float  # time.monotonic()
    ok: bool = True  # False when the stub answered with an error (4xx)
    error_code: int | None = None

    @property
    def chat_id(self) -> int | None:
        return _as_int(self.params.get("chat_id"))

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.params.items() if k != "reply_markup"}
        status = "ok" if self.ok else f"error {self.error_code}"
        files = f" files={ {k: v[0] for k, v in self.files.items()} }" if self.files else ""
        return f"<Call {self.method} {shown}{files} -> {status}>"


@dataclass
class ApiError(Exception):
    """Raised inside a method handler to answer ``{"ok": false, ...}``."""

    error_code: int
    description: str
    retry_after: int | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


Handler = Callable[[Call], Any]


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    path: str
    data: bytes


@dataclass
class BotApiStub:
    """Fake Bot API server. See the module docstring for usage."""

    token: str = DEFAULT_TOKEN
    rate_limit_per_s: int | None = None
    # False: getUpdates answers at once whatever its `timeout`, as a server without long polling
    # does ("timeout: Timeout in seconds for long polling. Defaults to 0, i.e. usual short
    # polling", https://core.telegram.org/bots/api#getupdates).
    long_polling: bool = True

    calls: list[Call] = field(default_factory=list, init=False)
    # send* calls to these chats answer 403, as Telegram does once a user blocks the bot.
    blocked_chats: set[int] = field(default_factory=set, init=False)
    # send* calls to these chats answer 403 CANNOT_INITIATE: users who never started the bot.
    never_started_chats: set[int] = field(default_factory=set, init=False)
    count_429: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._closing = False
        # Set (and replaced) on every change -- new update, new call, shutdown -- so waiters
        # re-check their condition. A plain Event keeps the injection helpers synchronous.
        self._changed = asyncio.Event()
        self._updates: list[dict[str, Any]] = []  # pending, sorted by update_id
        self._next_update_id = 1
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}  # bot messages by chat/id
        self._callback_ids = itertools.count(1)
        self._open_callback_queries: set[str] = set()
        self._file_ids = itertools.count(1)
        self._files: dict[str, _StoredFile] = {}
        self._commands: dict[str, list[dict[str, Any]]] = {}
        self._failures: dict[str, collections.deque[ApiError]] = collections.defaultdict(
            collections.deque
        )
        self._stalls: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)
        self._send_times: collections.deque[float] = collections.deque()
        self._methods: dict[str, Handler] = {
            "getMe": lambda call: self.bot_user,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": lambda call: True,  # the call (url, secret_token) is in `calls`
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getFile": self._get_file,
            "close": lambda call: True,
            "logOut": lambda call: True,
        }
        # Telegram treats method names case-insensitively.
        self._by_lower = {name.lower(): name for name in self._methods}

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        # Any other path (say a base URL that already ends in /bot): Telegram answers a JSON 404.
        app.router.add_route("*", "/{path:.*}", self._handle_unknown_path)
        # Short shutdown timeout: a client that walked away from a long poll must not
        # hold up stop() for the default 60 s.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # aiohttp exposes the bound port only via the server sockets
        assert server is not None and server.sockets
        self._port = server.sockets[0].getsockname()[1]
        self._site: web.TCPSite | None = site

    async def refuse_connections(self) -> None:
        """The server becomes unreachable: nothing listens on the port any more, so a new
        connection is refused (httpx.ConnectError: the request never left), and the kept-alive
        connections are closed. A request under way gets its answer first (within 1 s)."""
        assert self._site is not None and self._runner is not None
        await self._site.stop()
        self._site = None
        await self._runner.server.shutdown(timeout=1.0)

    async def accept_connections(self) -> None:
        """Reachable again, on the same port."""
        assert self._site is None and self._runner is not None
        self._site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await self._site.start()

    async def stop(self) -> None:
        # Wake pending getUpdates long polls so they answer now instead of after `timeout`.
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("BotApiStub is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Ward Test Bot",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # ------------------------------------------------------------------ inspection

    def sent(self, chat_id: int | str | None = None, *, include_failed: bool = False) -> list[Call]:
        """send* calls (successful ones unless include_failed), optionally for one chat."""
        wanted = _as_int(chat_id)
        return [
            c
            for c in self.calls
            if c.method in SEND_METHODS
            and (c.ok or include_failed)
            and (wanted is None or c.chat_id == wanted)
        ]

    async def wait_for(self, predicate: Callable[[Call], bool], timeout: float = WAIT) -> Call:
        """Return the first recorded call matching predicate, waiting for it if needed."""

        def find() -> Call | None:
            return next((c for c in self.calls if predicate(c)), None)

        try:
            await self._wait_until(lambda: find() is not None, timeout)
        except TimeoutError:
            raise AssertionError(
                f"no matching Bot API call within {timeout}s; recent calls:\n{self._recent()}"
            ) from None
        found = find()
        assert found is not None
        return found

    async def wait_sent(
        self, chat_id: int | str, count: int = 1, timeout: float = WAIT
    ) -> list[Call]:
        """Wait until at least `count` successful send* calls went to chat_id; return them."""
        try:
            await self._wait_until(lambda: len(self.sent(chat_id)) >= count, timeout)
        except TimeoutError:
            raise AssertionError(
                f"expected {count} message(s) to chat {chat_id} within {timeout}s, "
                f"got {len(self.sent(chat_id))}; recent calls:\n{self._recent()}"
            ) from None
        return self.sent(chat_id)

    def _recent(self, n: int = 15) -> str:
        # getUpdates polls would drown out everything interesting.
        interesting = [c for c in self.calls if c.method != "getUpdates"][-n:]
        return "\n".join(f"  {c!r}" for c in interesting) or "  (none)"

    # ------------------------------------------------------------------ failure injection

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        *,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` answer with this error."""
        for _ in range(times):
            self._failures[method].append(ApiError(error_code, description, retry_after))

    def stall_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Carry out the next `times` calls of `method` but answer them `seconds` late, as when
        Telegram gets a message and its answer is lost: the bot cannot know it arrived."""
        self._stalls[method].extend([seconds] * times)

    def _check_send_allowed(self, call: Call) -> None:
        # Flood control applies to the bot as a whole, so it is checked before blocking.
        if self.rate_limit_per_s is not None:
            window_start = call.at - 1.0
            while self._send_times and self._send_times[0] <= window_start:
                self._send_times.popleft()
            if len(self._send_times) >= self.rate_limit_per_s:
                retry_after = max(1, math.ceil(self._send_times[0] + 1.0 - call.at))
                self.count_429 += 1
                raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
            self._send_times.append(call.at)
        if call.chat_id in self.blocked_chats:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if call.chat_id in self.never_started_chats:
            raise ApiError(403, CANNOT_INITIATE)

    # ------------------------------------------------------------------ injecting updates

    def push_update(self, update: Mapping[str, Any]) -> dict[str, Any]:
        """Queue a raw update. Without update_id the next one is assigned; passing an
        already used id re-delivers deliberately (unless the bot confirmed past it)."""
        upd = dict(update)
        if "update_id" not in upd:
            upd["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, upd["update_id"] + 1)
        self._updates.append(upd)
        self._updates.sort(key=lambda u: u["update_id"])
        self._notify()
        return upd

    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        first_name: str = "Lan",
        language_code: str = "vi",
        message_id: int | None = None,
    ) -> dict[str, Any]:
        """A user writes `text` in a private chat. Commands get a bot_command entity."""
        message = self._user_message(chat_id, user_id, first_name, language_code, message_id)
        message["text"] = text
        entities = _entities(text)
        if entities:
            message["entities"] = entities
        return self.push_update({"message": message})

    def send_photo(
        self,
        chat_id: int,
        caption: str | None = None,
        *,
        user_id: int | None = None,
        first_name: str = "Lan",
        language_code: str = "vi",
        message_id: int | None = None,
    ) -> dict[str, Any]:
        """A user sends a photo, with a caption or not. Message.photo is an array of PhotoSize,
        the caption (0-1024 characters) has its own caption_entities; such a message has no
        `text` (https://core.telegram.org/bots/api#message, #photosize)."""
        message = self._user_message(chat_id, user_id, first_name, language_code, message_id)
        n = next(self._file_ids)
        message["photo"] = [
            {"file_id": f"AgACAgIAAxkBPHOTO{n}s", "file_unique_id": f"AQADPH{n}s", "width": 90, "height": 67,
             "file_size": 1200},
            {"file_id": f"AgACAgIAAxkBPHOTO{n}", "file_unique_id": f"AQADPH{n}", "width": 1280, "height": 960,
             "file_size": 98000},
        ]
        if caption is not None:
            if len(caption) > 1024:
                raise ValueError("Telegram allows captions of at most 1024 characters")
            message["caption"] = caption
            entities = _entities(caption)
            if entities:
                message["caption_entities"] = entities
        return self.push_update({"message": message})

    def send_sticker(
        self,
        chat_id: int,
        *,
        emoji: str = "👍",
        user_id: int | None = None,
        first_name: str = "Lan",
        language_code: str = "vi",
        message_id: int | None = None,
    ) -> dict[str, Any]:
        """A user sends a sticker (a message without text)."""
        message = self._user_message(chat_id, user_id, first_name, language_code, message_id)
        n = next(self._file_ids)
        message["sticker"] = {
            "file_id": f"CAACAgIAAxkBSTICKER{n}",
            "file_unique_id": f"AgADSTK{n}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self.push_update({"message": message})

    def press_button(
        self,
        chat_id: int,
        data: str,
        *,
        message_id: int | None = None,
        user_id: int | None = None,
        first_name: str = "Lan",
        language_code: str = "vi",
    ) -> dict[str, Any]:
        """A user presses an inline button with callback `data` under a bot message.

        message_id defaults to the bot's latest message in the chat that has an inline
        keyboard. An id the stub never saw is registered, so the bot may edit it.
        """
        if message_id is None:
            message_id = self._latest_keyboard_message(chat_id)
        message = self._messages.get((chat_id, message_id))
        if message is None:
            # Content unknown: a bare Message is still valid for PTB.
            message = self._bot_message(chat_id, message_id)
            self._messages[(chat_id, message_id)] = message
        query_id = f"{self.bot_id}{next(self._callback_ids):08d}"
        self._open_callback_queries.add(query_id)
        return self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": _user(_or(user_id, chat_id), first_name, language_code),
                    "message": dict(message),
                    "chat_instance": f"-{abs(chat_id)}0001",
                    "data": data,
                }
            }
        )

    def _latest_keyboard_message(self, chat_id: int) -> int:
        ids = [mid for (cid, mid), m in self._messages.items() if cid == chat_id]
        with_keyboard = [
            mid for mid in ids if "reply_markup" in self._messages[(chat_id, mid)]
        ]
        if not (with_keyboard or ids):
            raise ValueError(f"no bot message in chat {chat_id}; pass message_id")
        return max(with_keyboard or ids)

    def _user_message(
        self,
        chat_id: int,
        user_id: int | None,
        first_name: str,
        language_code: str,
        message_id: int | None,
    ) -> dict[str, Any]:
        if chat_id > 0:  # writing to the bot opens the private chat: the bot may answer from now on
            self.never_started_chats.discard(chat_id)
        return {
            "message_id": message_id if message_id is not None else self._new_message_id(chat_id),
            "date": int(time.time()),
            "chat": _chat(chat_id, first_name),
            "from": _user(_or(user_id, chat_id), first_name, language_code),
        }

    # ------------------------------------------------------------------ HTTP layer

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json(401, ApiError(401, "Unauthorized").body())
        name = request.match_info["method"]
        params, files = await _read_params(request)
        method = self._by_lower.get(name.lower(), name)
        call = Call(method=method, params=params, files=files, at=time.monotonic())
        self.calls.append(call)
        self._notify()  # at arrival too: a pending long poll is already worth waiting for
        try:
            handler = self._methods.get(method)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            if self._failures.get(method):
                raise self._failures[method].popleft()
            if method in SEND_METHODS:
                self._check_send_allowed(call)
            result = handler(call)
            if asyncio.iscoroutine(result):
                result = await result
            if self._stalls.get(method):
                await asyncio.sleep(self._stalls[method].popleft())
        except ApiError as err:
            call.ok, call.error_code = False, err.error_code
            self._notify()
            return _json(err.error_code, err.body())
        self._notify()
        return _json(200, {"ok": True, "result": result})

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        return _json(404, ApiError(404, "Not Found").body())

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        for stored in self._files.values():
            if stored.path == request.match_info["path"]:
                return web.Response(body=stored.data)
        return web.Response(status=404)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_until(self, condition: Callable[[], bool], timeout: float) -> None:
        """Wait until condition() holds; TimeoutError after `timeout` seconds."""
        async with asyncio.timeout(timeout):
            while not condition():
                await self._changed.wait()

    # ------------------------------------------------------------------ methods

    def _delete_webhook(self, call: Call) -> bool:
        if _as_bool(call.params.get("drop_pending_updates")):
            self._updates.clear()
        return True

    async def _get_updates(self, call: Call) -> list[dict[str, Any]]:
        offset = _as_int(call.params.get("offset")) or 0
        limit = min(max(_as_int(call.params.get("limit")) or 100, 1), 100)
        timeout = max(float(call.params.get("timeout") or 0), 0.0)

        # Confirming: offset N forgets updates below N; negative offset keeps the last -N.
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

        if timeout > 0 and self.long_polling:
            try:
                await self._wait_until(lambda: bool(self._updates) or self._closing, timeout)
            except TimeoutError:
                pass
        return self._updates[:limit]

    def _send_message(self, call: Call) -> dict[str, Any]:
        text = call.params.get("text")
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        message = self._new_bot_message(call)
        message["text"] = text
        return message

    def _send_photo(self, call: Call) -> dict[str, Any]:
        data = self._media_bytes(call, "photo")
        message = self._new_bot_message(call)
        stored = self._store_file(data, "photos/file.jpg")
        # Telegram returns several sizes; the largest one carries the uploaded file.
        message["photo"] = [
            {
                "file_id": f"{stored.file_id}s",
                "file_unique_id": f"{stored.file_unique_id}s",
                "width": 90,
                "height": 90,
                "file_size": min(len(data), 1024),
            },
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": 800,
                "height": 800,
                "file_size": len(data),
            },
        ]
        self._add_caption(call, message)
        return message

    def _send_document(self, call: Call) -> dict[str, Any]:
        data = self._media_bytes(call, "document")
        filename = call.files["document"][0] if "document" in call.files else "document"
        message = self._new_bot_message(call)
        stored = self._store_file(data, f"documents/{filename}")
        message["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "mime_type": "application/octet-stream",
            "file_size": len(data),
        }
        self._add_caption(call, message)
        return message

    def _edit_message_text(self, call: Call) -> dict[str, Any] | bool:
        text = call.params.get("text")
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        return self._edit(call, {"text": text})

    def _edit_message_reply_markup(self, call: Call) -> dict[str, Any] | bool:
        return self._edit(call, {})

    def _edit(self, call: Call, changes: dict[str, Any]) -> dict[str, Any] | bool:
        if "inline_message_id" in call.params:
            return True  # inline messages are not tracked; Telegram answers True for them
        key = (call.chat_id, _as_int(call.params.get("message_id")))
        message = self._messages.get(key)  # type: ignore[arg-type]
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        markup = call.params.get("reply_markup")
        updated = {**message, **changes}
        updated.pop("reply_markup", None)
        if _is_inline_keyboard(markup):
            updated["reply_markup"] = markup
        if updated == message:
            raise ApiError(400, NOT_MODIFIED)
        updated["edit_date"] = int(time.time())
        self._messages[key] = updated  # type: ignore[index]
        return updated

    def _answer_callback_query(self, call: Call) -> bool:
        query_id = str(call.params.get("callback_query_id", ""))
        if query_id not in self._open_callback_queries:
            raise ApiError(400, QUERY_TOO_OLD)
        self._open_callback_queries.discard(query_id)  # a query can be answered once
        return True

    def _set_my_commands(self, call: Call) -> bool:
        self._commands[_commands_key(call)] = list(call.params.get("commands") or [])
        return True

    def _get_my_commands(self, call: Call) -> list[dict[str, Any]]:
        return self._commands.get(_commands_key(call), [])

    def _delete_my_commands(self, call: Call) -> bool:
        self._commands.pop(_commands_key(call), None)
        return True

    def _get_file(self, call: Call) -> dict[str, Any]:
        stored = self._files.get(str(call.params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.path,
        }

    # ------------------------------------------------------------------ helpers

    def _new_message_id(self, chat_id: int) -> int:
        # Private chats number messages per chat, shared by both sides.
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _bot_message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _chat(chat_id, "Lan"),
            "from": self.bot_user,
        }

    def _new_bot_message(self, call: Call) -> dict[str, Any]:
        chat_id = call.chat_id
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat not found")
        message = self._bot_message(chat_id, self._new_message_id(chat_id))
        markup = call.params.get("reply_markup")
        # Only inline keyboards are echoed back on the Message, as in Telegram.
        if _is_inline_keyboard(markup):
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _media_bytes(self, call: Call, name: str) -> bytes:
        if name in call.files:
            return call.files[name][1]
        value = call.params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            attached = call.files.get(value.removeprefix("attach://"))
            if attached:
                return attached[1]
        if isinstance(value, str) and value:
            # A file_id or URL: reuse stored bytes for known ids, else nothing to keep.
            stored = self._files.get(value)
            return stored.data if stored else b""
        raise ApiError(400, f"Bad Request: there is no {name} in the request")

    def _store_file(self, data: bytes, path: str) -> _StoredFile:
        n = next(self._file_ids)
        stored = _StoredFile(f"BQACAgIAAxkBFILE{n}", f"AgADFILE{n}", f"{n}/{path}", data)
        self._files[stored.file_id] = stored
        return stored

    def _add_caption(self, call: Call, message: dict[str, Any]) -> None:
        if call.params.get("caption"):
            message["caption"] = call.params["caption"]


# ---------------------------------------------------------------------- module helpers


async def _read_params(
    request: web.Request,
) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """Collect parameters from query string + JSON, urlencoded or multipart body."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, tuple[str, bytes]] = {}
    if request.content_type == "application/json":
        body = await request.json() if request.can_read_body else None
        if isinstance(body, dict):
            params.update(body)  # already typed; nothing to decode
        return params, files
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[key] = (value.filename, value.file.read())
            else:
                params[key] = value
    for key in JSON_PARAMS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                pass  # leave malformed values for the test to see
    return params, files


def _json(status: int, body: dict[str, Any]) -> web.Response:
    return web.json_response(body, status=status)


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _as_bool(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _is_inline_keyboard(markup: Any) -> bool:
    return isinstance(markup, dict) and "inline_keyboard" in markup


def _user(user_id: int, first_name: str, language_code: str) -> dict[str, Any]:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name,
        "language_code": language_code,
    }


def _chat(chat_id: int, first_name: str) -> dict[str, Any]:
    if chat_id < 0:
        return {"id": chat_id, "type": "supergroup", "title": "Test group"}
    return {"id": chat_id, "type": "private", "first_name": first_name}


_MENTION = re.compile(r"(?<![\w@])@\w{5,32}")


def _entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram finds in a user's text: a leading /command (with its @bot, if any)
    and @username mentions (https://core.telegram.org/bots/api#messageentity). Offsets and
    lengths count UTF-16 code units, as Telegram's do."""

    def utf16(part: str) -> int:
        return len(part.encode("utf-16-le")) // 2

    entities = []
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        entities.append({"type": "bot_command", "offset": 0, "length": utf16(command)})
    for mention in _MENTION.finditer(text):  # not the @bot of /command@bot: preceded by a letter
        entities.append({"type": "mention", "offset": utf16(text[: mention.start()]),
                         "length": utf16(mention.group())})
    return entities


def _commands_key(call: Call) -> str:
    scope = call.params.get("scope") or {"type": "default"}
    language = call.params.get("language_code") or ""
    return f"{json.dumps(scope, sort_keys=True)}|{language}"
