"""What comes in from Telegram, read defensively: webhook bodies and getUpdates answers.

Telegram itself sends well-formed updates. Anything else comes from a forger who has the
webhook secret, a broken proxy, or a Bot API newer than python-telegram-bot: a body that is not
an update at all is refused, and an update whose content cannot be read is kept as its bare id,
so that it is acknowledged (webhook) or confirmed (polling) instead of being delivered again and
again with the updates behind it waiting. Either is logged in one line, without its content
(it may hold a resident's words).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import Bot, Chat, Update, User
from telegram.ext import ExtBot
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)


class NotAnUpdate(ValueError):
    """The body is not a Telegram update: not a JSON object, or no integer update_id."""


def parse_update(data: object, bot: Bot | None = None) -> Update:
    """The update in decoded JSON; raises NotAnUpdate. An update the bot cannot read comes back
    bare (its id only): no handler takes it."""
    update = _readable(data, bot)
    if update is None:
        update = Update(data["update_id"])  # type: ignore[index]  # _readable checked it
        if bot is not None:
            update.set_bot(bot)
    return update


def _readable(data: object, bot: Bot | None) -> Update | None:
    if not isinstance(data, dict):
        raise NotAnUpdate(f"a JSON {_kind(data)}, not an object")
    update_id = data.get("update_id")
    if type(update_id) is not int:  # bool is an int too
        raise NotAnUpdate("no integer update_id")
    try:
        update = Update.de_json(_what_the_bot_reads(data), bot)
        # "At most one of the optional parameters can be present in any given update" (Bot API, Update)
        problem = "more than one kind of content" if len(data) > 2 else _misfit(update)
    except Exception as exc:  # PTB raises whatever the malformed part provokes (KeyError, TypeError...)
        problem = type(exc).__name__
    if problem is None:
        return update
    fields = ", ".join(sorted(str(key)[:40] for key in data if key != "update_id")[:5])
    log.warning("Telegram update %s ignored: its content could not be read (%s; fields: %s)",
                update_id, problem, fields or "none")
    return None


# Of the message a pressed button sits under, the bot reads where it is; Telegram sends all of it
# (the bot's own text, up to 4,096 characters, and its keyboard), which PTB would turn into objects.
_BUTTON_MESSAGE = ("message_id", "date", "chat")


def _what_the_bot_reads(data: dict) -> dict:
    query = data.get("callback_query")
    message = query.get("message") if isinstance(query, dict) else None
    if not isinstance(message, dict):
        return data
    kept = {key: message[key] for key in _BUTTON_MESSAGE if key in message}
    return {**data, "callback_query": {**query, "message": kept}}


def _misfit(update: Update) -> str | None:
    """PTB keeps values as they come (a text may be a number): check the types of what the bot reads."""
    chat, user, message, query = update.effective_chat, update.effective_user, update.effective_message, \
        update.callback_query
    checks = []
    if chat is not None:
        checks += [("chat.id", chat.id, int), ("chat.type", chat.type, str)]
    if user is not None:
        checks += [("from.id", user.id, int), ("from.first_name", user.first_name, str),
                   ("from.last_name", user.last_name, (str, type(None))),
                   ("from.language_code", user.language_code, (str, type(None)))]
    if message is not None:
        checks += [("message_id", message.message_id, int), ("chat", message.chat, Chat)]
        for field in ("text", "caption"):
            checks.append((field, getattr(message, field, None), (str, type(None))))
    if query is not None:
        checks += [("callback_query.id", query.id, str), ("callback_query.from", query.from_user, User),
                   ("callback_query.data", query.data, (str, type(None)))]
    for name, value, kind in checks:
        if not isinstance(value, kind) or isinstance(value, bool):
            return f"{name} is a {type(value).__name__}"
    return None


def _kind(data: object) -> str:
    if isinstance(data, list):
        return "array"
    if isinstance(data, str):
        return "string"
    if isinstance(data, bool):
        return "boolean"
    if isinstance(data, (int, float)):
        return "number"
    return "null" if data is None else type(data).__name__


def read_updates(body: bytes, bot: Bot | None = None) -> tuple[dict | None, list[Update]]:
    """A getUpdates answer, read once: the updates in it, each read defensively (one the bot cannot
    read comes back bare, an item that is no update is dropped), and the answer with each update
    reduced to its id, for PTB to read at no cost. Unread, PTB would fail on the whole answer,
    log its content, and ask again without confirming it: the same answer forever, as fast as
    the server replies. (None, []) when the body is no such answer: PTB reports that itself."""
    try:
        answer = json.loads(body)
    except (ValueError, RecursionError):
        return None, []
    result = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(result, list):
        return None, []
    updates = []
    for item in result:
        try:
            updates.append(parse_update(item, bot))
        except NotAnUpdate as exc:
            log.warning("getUpdates: an item that is not an update dropped (%s)", exc)
    return {**answer, "result": [{"update_id": u.update_id} for u in updates]}, updates


class PollBackoff:
    """When to ask getUpdates again: a pause before the next poll in two cases.

    - Empty answers that come back at once. Telegram holds a long poll open until an update
      comes or the timeout ends; a server that answers at once instead (some self-hosted or
      proxy servers) would be asked hundreds of times a second while nobody writes. After such
      an answer the bot waits `first` seconds, doubling while they go on up to `longest` (so a
      message waits at most that long); an update, or a poll the server held, ends the pauses.
    - Answers with updates that came back at once: updates were waiting, so the bot is busy.
      Asked again at once, the server answers with the one or two that came meanwhile, and each
      poll costs the bot about as much CPU as answering a message. Waiting `gather` seconds
      lets them gather into one answer (a few per poll rather than one), at the cost of that
      much delay for messages that come while the bot is busy anyway. A poll the server held
      (nothing was waiting: the bot is idle) is followed at once.

    `clock` and `sleep` are injectable for tests."""

    def __init__(self, first: float = 0.25, longest: float = 2.0, gather: float = 0.02,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self.first, self.longest, self.gather = first, longest, gather
        self.clock, self.sleep = clock, sleep
        self.delay = 0.0  # the pause after the last quick empty answer (0: none)
        self.pause = 0.0  # before the next poll

    async def before_poll(self, long_poll: float) -> None:
        """A short poll (timeout 0: the one that confirms the last updates at stop) never waits."""
        pause, self.pause = self.pause, 0.0
        if pause and long_poll > 0:
            await self.sleep(pause)

    def after_poll(self, *, updates: int, took: float, long_poll: float) -> None:
        """`long_poll`: the timeout the poll asked for; `took`: how long its answer took."""
        held = long_poll <= 0 or took >= min(long_poll / 2, 1.0)
        if updates or held:
            self.delay = 0.0
            self.pause = self.gather if updates and not held else 0.0
            return
        self.delay = self.pause = min(self.longest, self.delay * 2 or self.first)


class PollingRequest(BaseRequest):
    """The connection getUpdates goes through (PolledBot's get_updates_request): another request
    object's HTTP, plus read_updates() on each answer and the PollBackoff."""

    def __init__(self, inner: BaseRequest, backoff: PollBackoff) -> None:
        self.inner, self.backoff = inner, backoff
        self.bot: Bot | None = None  # the updates' bot, set by PolledBot
        self._read: tuple[bytes, dict, list[Update]] | None = None  # the last answer, as read_updates() left it
        self.updates: list[Update] = []  # the updates of the last answer PTB took (parse_json_payload)

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE, write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE,
                         pool_timeout=BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        polling = url.endswith("/getUpdates")
        long_poll = _seconds(request_data.parameters.get("timeout") if request_data else 0)
        if polling:
            await self.backoff.before_poll(long_poll)
        started = self.backoff.clock()
        code, body = await self.inner.do_request(url, method, request_data, read_timeout, write_timeout,
                                                 connect_timeout, pool_timeout)
        if code != 200 or not polling:
            return code, body
        answer, updates = read_updates(body, self.bot)
        self._read = None if answer is None else (body, answer, updates)
        self.backoff.after_poll(updates=len(updates), took=self.backoff.clock() - started, long_poll=long_poll)
        return code, body

    def parse_json_payload(self, payload: bytes) -> dict:
        """PTB decoding the body do_request() just returned: the answer read there, not read again
        (any other body, such as an error's, the usual way)."""
        read, self._read = self._read, None
        if read is None or payload is not read[0]:
            return BaseRequest.parse_json_payload(payload)
        self.updates = read[2]
        return read[1]


class PolledBot(ExtBot):
    """A bot whose polled updates are read once, by its PollingRequest: PTB reads only their ids
    from the answer, and get_updates() hands on the updates the request read."""

    __slots__ = ("_polling",)

    def __init__(self, token: str, *, get_updates_request: PollingRequest, **kwargs) -> None:
        super().__init__(token, get_updates_request=get_updates_request, **kwargs)
        with self._unfrozen():
            self._polling = get_updates_request
        get_updates_request.bot = self

    async def get_updates(self, *args, **kwargs) -> tuple[Update, ...]:
        self._polling.updates = []
        ids = await super().get_updates(*args, **kwargs)
        updates = tuple(self._polling.updates)
        # The same answer, so the same ids; should they ever differ, PTB's bare updates are safe to confirm.
        return updates if [u.update_id for u in updates] == [u.update_id for u in ids] else ids


def _seconds(value: object) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) if isinstance(value, (int, float)) else 0.0
