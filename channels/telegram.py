"""Telegram through python-telegram-bot: updates -> Incoming, Replies -> HTML messages."""
from __future__ import annotations

import hmac
import logging
import re
import time
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any

import httpx
from aiohttp import web
from telegram import BotCommand, BotCommandScopeDefault, InputFile, Update
from telegram.constants import MessageLimit, ParseMode
from telegram.error import (BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter,
                            TelegramError)
from telegram.ext import (Application, ApplicationBuilder, BaseUpdateProcessor, CallbackQueryHandler, ContextTypes,
                          ExtBot, MessageHandler, filters)
from telegram.request import HTTPXRequest

from channels import StartupError
from channels.answer import answer
from channels.ordered import PerChat
from channels.outbox import BULK, REPLY, Blocked, Claim, MaybeSent, Outbox, RateLimited, Transient
from channels.telegram_http import LEFT, NEVER_SENT, AiohttpRequest
from channels.telegram_updates import NotAnUpdate, PollBackoff, PolledBot, PollingRequest, parse_update
from content.texts import COMMAND_MENU, COMMANDS, say
from core.delivery import Outcome, Result
from core.language import language_of
from core.split import split_message
from handlers.router import Assistant
from handlers.types import Incoming, Reply

log = logging.getLogger(__name__)
CHANNEL = "telegram"
# Enough to keep Telegram's 30 messages/s busy at 100 ms a round trip; more only lengthens
# the queue for the database and the event loop (p95 0.8 s rather than 1.4 s at 300 answers/s).
MAX_CONCURRENT_UPDATES = 16
SPARE_CONNECTIONS = 4  # for answering button presses, which do not wait in the outbox
POOL_TIMEOUT = 30.0  # seconds a request may wait for a free connection: they are few, on purpose
TELEGRAM_ROOT = "https://api.telegram.org"
HTML = ParseMode.HTML.value  # a plain str: an enum's .value costs a lookup each message
MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH.value
GROUP_QUIET = 600.0  # seconds: after answering in a group, the bot does not speak there again for this long


class TelegramChannel:
    name = CHANNEL

    def __init__(self, assistant: Assistant, token: str, base_url: str | None = None,
                 outbox: Outbox | None = None, allow_paid_broadcast: bool = False,
                 webhook_url: str | None = None, webhook_secret: str | None = None,
                 read_timeout: float | None = None, poll_backoff: PollBackoff | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.assistant = assistant
        self.base_url = base_url
        # With a public URL Telegram posts updates to our web server (see webhook());
        # otherwise the bot polls.
        self.webhook_url, self.webhook_secret = webhook_url, webhook_secret
        self.outbox = outbox or Outbox()
        # As many connections as the outbox sends at once, plus a few for answering button presses.
        request = AiohttpRequest(self.outbox.concurrency + SPARE_CONNECTIONS, pool_timeout=POOL_TIMEOUT,
                                 read_timeout=5.0 if read_timeout is None else read_timeout)  # PTB's default: 5 s
        urls = {}
        if base_url:
            root = base_url.rstrip("/")
            urls = {"base_url": f"{root}/bot", "base_file_url": f"{root}/file/bot"}
        builder = ApplicationBuilder().concurrent_updates(OneChatAtATime(MAX_CONCURRENT_UPDATES))
        self._request = request  # sends the messages (see _calls)
        self._requests = [request]  # closed by us if start-up fails (PTB closes them only once initialized)
        if webhook_url:
            builder = builder.bot(ExtBot(token, request=request, **urls)).updater(None)
        else:  # getUpdates through a request that reads each update once, defensively, and paces quick empty answers
            polling = PollingRequest(HTTPXRequest(connection_pool_size=1), poll_backoff or PollBackoff())
            self._requests.append(polling)
            builder = builder.bot(PolledBot(token, request=request, get_updates_request=polling, **urls))
        self.app: Application = builder.build()
        private = filters.ChatType.PRIVATE
        self.app.add_handler(MessageHandler(private & ~filters.UpdateType.EDITED, self._on_message))
        self.app.add_handler(MessageHandler(filters.ChatType.GROUPS & ~filters.UpdateType.EDITED, self._on_group))
        self.app.add_handler(CallbackQueryHandler(self._on_button))
        self.app.add_error_handler(self._on_error)
        # Telegram's paid broadcasts lift the 30/s limit for bulk messages (the ward pays in Stars).
        self.allow_paid_broadcast = allow_paid_broadcast
        self.clock = clock  # monotonic seconds, for the groups' quiet time
        self._groups_answered: dict[int, float] = {}  # group chat id -> when the bot last spoke there

    async def _set_commands(self) -> None:
        for lang, commands in COMMAND_MENU.items():
            await self.app.bot.set_my_commands([BotCommand(name, desc) for name, desc in commands],
                                          scope=BotCommandScopeDefault(),
                                          language_code=None if lang == "vi" else lang)

    async def start(self) -> None:
        try:
            await self.app.initialize()  # getMe: checks the token and the server
        except InvalidToken as exc:  # its message holds the token: never shown
            await self._close_requests()
            raise StartupError(self._refused(exc)) from None
        except NetworkError:
            await self._close_requests()
            where = (f"TELEGRAM_BASE_URL={self.base_url}: is it the server's root, without /bot?" if self.base_url
                     else f"{TELEGRAM_ROOT}: is this machine online?")
            raise StartupError(f"cannot reach {where}") from None
        self.outbox.start()
        await self._set_commands()
        if self.webhook_url:  # updates posted before app.start() wait in its queue
            try:
                await self.app.bot.set_webhook(self.webhook_url, secret_token=self.webhook_secret,
                                               allowed_updates=["message", "callback_query"])
            except BadRequest as exc:  # say, an http:// PUBLIC_URL: Telegram posts to https only
                raise StartupError(f"Telegram refused the webhook {self.webhook_url} (from PUBLIC_URL): "
                                   f"{exc.message}") from None
        await self.app.start()
        if not self.webhook_url:
            await self.app.updater.start_polling(allowed_updates=["message", "callback_query"])

    async def _close_requests(self) -> None:
        for request in self._requests:
            await request.shutdown()

    def _refused(self, exc: InvalidToken) -> str:
        # 401: a well-formed token Telegram does not know; 404: a malformed token, or a wrong server path.
        if "not found" in str(exc.__cause__ or "").lower() and self.base_url:
            return ("Telegram refused the token: check TELEGRAM_BOT_TOKEN, and that "
                    f"TELEGRAM_BASE_URL={self.base_url} is the server's root, without /bot")
        return "Telegram refused the token: check TELEGRAM_BOT_TOKEN"

    async def webhook(self, request: web.Request) -> web.Response:
        """POST /telegram/webhook: only Telegram knows the secret it was given in setWebhook.

        A body that is no update at all (not JSON, an array, a string, no update_id) is answered
        400: Telegram never sends one, so nothing retries it. An update whose content cannot be
        read is answered 200 and dropped: refused, Telegram would send it again and again and
        hold back the updates behind it."""
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not self.webhook_secret or not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            return web.json_response({"error": "forbidden"}, status=403)
        try:
            update = parse_update(await request.json(), self.app.bot)
        except (ValueError, RecursionError) as exc:  # NotAnUpdate, or no JSON (nor UTF-8) at all
            reason = exc if isinstance(exc, NotAnUpdate) else "not JSON"
            log.warning("Telegram webhook: body refused (400): %s", reason)
            return web.json_response({"error": "bad request"}, status=400)
        await self.app.update_queue.put(update)  # a bare update too: no handler takes it
        return web.json_response({"ok": True})

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.outbox.stop()
        await self.app.shutdown()

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        read = private_message(update)
        if read is not None:
            await self._answer(*read)

    async def _on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot talks in private chats only. In a group, spoken to (one of its commands, or its
        @name), it says so once, with its link, and then keeps quiet there for GROUP_QUIET: a
        group may get 20 messages a minute, and a 429 there would pause every resident's answers.
        The group's own talk it leaves alone."""
        message, username = update.effective_message, self.app.bot.username
        if message is None or not addressed_to_bot(message.text or message.caption or "", username):
            return
        group, now = update.effective_chat.id, self.clock()
        if now - self._groups_answered.get(group, -GROUP_QUIET) < GROUP_QUIET:
            return
        if len(self._groups_answered) >= 1000:  # forget the quiet times that are over
            self._groups_answered = {g: t for g, t in self._groups_answered.items() if now - t < GROUP_QUIET}
        self._groups_answered[group] = now
        user = update.effective_user
        lang = language_of(user.language_code if user else None)
        reply = Reply(say(lang, "group_private_only", link=f"https://t.me/{username}"), "group")
        result = await self.deliver(str(group), [reply])
        if result.outcome is not Outcome.SENT:
            log.warning("reply in group %s not delivered: %s %s", group, result.outcome.value, result.reason)

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        try:
            await query.answer()  # stops the spinner on the resident's button
        except TelegramError as exc:
            # A re-delivered or late update: the query expired, but the press still counts.
            log.info("could not answer callback query %s: %s", query.id, exc)
        read = button_press(update)
        if read is not None:
            await self._answer(*read)

    async def _answer(self, chat_id: int, msg: Incoming) -> None:
        await answer(self.assistant, msg, partial(self.deliver, str(chat_id)), "Telegram")

    async def deliver(self, user_id: str, replies: list[Reply], *, bulk: bool = False,
                      claim: Claim | None = None) -> Result:
        """Send replies to a private chat (chat id = user id) through the paced outbox."""
        paid = {"allow_paid_broadcast": True} if bulk and self.allow_paid_broadcast else {}
        calls = [_translating_errors(call) for call in self._calls(int(user_id), replies, paid)]
        return await self.outbox.deliver(user_id, calls, priority=BULK if bulk else REPLY, claim=claim)

    def _calls(self, chat_id: int, replies: list[Reply], extra: dict[str, Any]) -> list[partial]:
        """One call a message, each `send(url, params=..., files=...)`, the Bot API's parameters
        as PTB would send them (and `extra` on each): sending them takes no PTB objects."""
        send, root = self._request.send, self.app.bot.base_url
        calls = []
        for reply in replies:
            parts = split_message(reply.text, MAX_TEXT)
            for i, part in enumerate(parts):
                params = {"chat_id": chat_id, "text": part, **extra, "parse_mode": HTML}
                if i == len(parts) - 1 and reply.buttons:
                    params["reply_markup"] = keyboard(reply)
                calls.append(partial(send, f"{root}/sendMessage", params=params))
            for file in reply.files:
                method, field = ("sendPhoto", "photo") if file.is_image else ("sendDocument", "document")
                calls.append(partial(send, f"{root}/{method}", params={"chat_id": chat_id, **extra},
                                     files={field: InputFile(file.data, filename=file.name).field_tuple}))
        return calls

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Logged with the update's id, not its content (a resident's words, names); the bot keeps running.
        log.error("error while handling update %s", update.update_id if isinstance(update, Update) else "-",
                  exc_info=context.error)


class OneChatAtATime(BaseUpdateProcessor):
    """Updates from different chats are handled at the same time; one chat's, one after another
    in the order they came. (PTB's default handles every update in turn, so one slow chat
    would hold up everyone.)"""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._turns = PerChat()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
        async with self._turns.turn(chat):  # tasks reach here in arrival order
            await coroutine

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


# Failures before the request left: sending again cannot make a double. (httpx: getUpdates's client.)
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, *NEVER_SENT)
_LEFT = (httpx.HTTPError, *LEFT)


def _translating_errors(call):
    """Telegram's errors in the outbox's terms: pause, give up on this chat, or retry."""
    async def translated():
        try:
            return await call()
        except RetryAfter as exc:
            with warnings.catch_warnings():  # PTB 22 warns about the type of retry_after
                warnings.simplefilter("ignore")
                wait = exc.retry_after
            raise RateLimited(wait.total_seconds() if isinstance(wait, timedelta) else float(wait)) from exc
        except Forbidden as exc:
            raise Blocked(exc.message) from exc
        except (BadRequest, ChatMigrated):
            raise  # permanent: the outbox records the failure
        except NetworkError as exc:  # timeouts, connection errors and 5xx
            if isinstance(exc.__cause__, _LEFT) and not isinstance(exc.__cause__, _NEVER_SENT):
                raise MaybeSent(exc.message) from exc  # it left; whether it arrived is unknown
            raise Transient(exc.message) from exc
    return translated


def private_message(update: Update) -> tuple[int, Incoming] | None:
    """The chat and the resident's message, as the handlers take it."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        return None
    text = message.text if message.text is not None else message.caption  # a photo's caption is its text
    return chat.id, Incoming(CHANNEL, str(user.id), user.full_name, user.language_code, text=text,
                             message_id=str(message.message_id), unsupported=text is None)


def button_press(update: Update) -> tuple[int, Incoming] | None:
    """The chat and the pressed button's payload, as the handlers take it."""
    query = update.callback_query
    if query is None or query.message is None or not query.data:
        return None
    user = query.from_user
    return query.message.chat.id, Incoming(CHANNEL, str(user.id), user.full_name, user.language_code,
                                           payload=query.data, message_id=f"cb:{query.id}")


_GROUP_COMMAND = re.compile(r"/(\w+)(?:@(\w+))?")


def addressed_to_bot(text: str, username: str) -> bool:
    """A group message meant for this bot: one of its commands (bare, or /cmd@this_bot), any
    command to @this_bot, or a mention of @this_bot. Commands for other bots are not."""
    command = _GROUP_COMMAND.match(text)
    if command:
        name, to = command.groups()
        return to.lower() == username.lower() if to else name.lower() in COMMANDS
    return re.search(rf"@{re.escape(username)}\b", text, re.IGNORECASE) is not None


def keyboard(reply: Reply) -> dict:
    """Inline buttons, as reply_markup: two per row when the labels are short, otherwise one per row."""
    per_row = 2 if all(len(b.label) <= 20 for b in reply.buttons) else 1
    buttons = [{"callback_data": b.payload, "text": b.label} for b in reply.buttons]
    return {"inline_keyboard": [buttons[i:i + per_row] for i in range(0, len(buttons), per_row)]}
