"""The conversation's entry point: one incoming message -> the replies, whatever the channel.

Order of precedence: a pressed button, a command, a step of a dialog in progress (a dialog
left for a day is forgotten), then free text (a pledge with its amount, a day, something the
bot does, an FAQ answer) and, failing all, the honest fallback. Each message runs in one unit
of work (storage/unit.py): one transaction, opened only if a statement runs; messages for
others (staff notices) are sent after it commits.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from content.schema import Week
from content.texts import COMMANDS, TEXTS
from core.clock import Clock
from core.delivery import Outcome, Result, Senders
from core.donation import wants_to_give
from core.language import language_of, reply_language
from core.matcher import Matcher
from core.text import normalize, tokens
from handlers import broadcast, faq, menu, pledge, pledge_lists, privacy, schedule, staff, subscribe, teach, web_signin
from handlers.common import Context, Ports, Scheduled, Voice, menu_buttons
from handlers.types import Incoming, Outgoing, Reply
from storage import repo
from storage.chats import Chat, ChatCache
from storage.db import Storage
from storage.unit import UnitOfWork
from storage.models import NAME_MAX
from storage.status import BroadcastStep, PledgeStep

log = logging.getLogger(__name__)

Handler = Callable[[Context], Awaitable[list[Reply]]]

# Handlers by intent, shared by commands, buttons (payload "menu:<intent>") and free text.
INTENT_HANDLERS: dict[str, Handler] = {
    "start": menu.start, "menu": menu.menu, "help": menu.help_, "greeting": menu.greeting,
    "thanks": menu.thanks, "cancel": menu.cancel, "schedule": schedule.schedule,
    "today": schedule.today, "subscribe": subscribe.subscribe, "unsubscribe": subscribe.unsubscribe,
    "faq": faq.faq_list, "pledge": pledge.start, "my_pledges": pledge_lists.my_pledges, "honour": pledge_lists.honour,
    "erase": privacy.ask,
}
# Staff only; to anyone else they are unknown commands.
STAFF_HANDLERS: dict[str, Handler] = {"stats": staff.stats, "export": staff.export, "paid": staff.paid,
                                      "broadcast": broadcast.start, "teach": teach.command,
                                      "dismiss": teach.dismiss_command, "web": web_signin.web_link}
# `/start <word>` from a link or QR code (t.me/<bot>?start=ungho) goes straight to that feature.
DEEP_LINKS = {"ungho": "pledge", "lich": "schedule", "nhacnho": "subscribe"}

# A dialog untouched for this long is forgotten: the next message starts afresh.
DIALOG_TTL = timedelta(days=1)
# No button of ours has a longer payload (Telegram allows 64 bytes of callback data).
MAX_PAYLOAD = 64
# Channels where a payload can only come from a button the bot sent to that chat: Telegram
# checks callback data against the message's keyboard, the terminal maps a typed number to its
# own last buttons. Elsewhere (Zalo's query buttons send text, "#btn:privacy:erase", that anyone
# can type) a payload that acts is taken only if the bot showed it to that chat last.
BUTTONS_FROM_KEYBOARD = frozenset({"telegram", "console"})
_COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@\w+)?(?:\s+(.*))?$", re.S)


class Assistant:
    """The bot's conversation logic and what it needs: content, storage, clock, staff list, and
    the running channels (`senders`: bot.py adds each channel once it is built)."""

    def __init__(self, week: Week, storage: Storage, clock: Clock, admins: frozenset[tuple[str, str]] = frozenset(),
                 max_message_chars: int = 1000, *, senders: Senders | None = None,
                 web_url: str = "http://127.0.0.1:8080") -> None:
        self.week = week
        self.storage = storage
        self.clock = clock
        self.admins = admins
        self.max_message_chars = max_message_chars
        self.senders = senders if senders is not None else Senders()
        self.chats = ChatCache()
        # What handlers get of all this (through their Context).
        self.ports = Ports(staff=admins, channels=self.senders, understand=self.understand, learn=self.learn,
                           web_url=web_url, max_message_chars=max_message_chars)
        # FAQ id -> wordings staff taught (handlers.teach); new ones are read every few minutes.
        self.taught: dict[str, list[str]] = {}
        self.taught_upto = 0  # the last taught_asks row this process has
        self.taught_checked_at = None
        self.matcher = self._build_matcher()
        # Typing a menu button's label (in either language) presses it.
        self._button_labels = {
            _label_key(TEXTS[lang][key]): payload
            for lang in TEXTS
            for key, payload in (("btn_schedule", "menu:schedule"), ("btn_today", "menu:today"),
                                 ("btn_subscribe", "menu:subscribe"), ("btn_unsubscribe", "menu:unsubscribe"),
                                 ("btn_pledge", "menu:pledge"), ("btn_faq", "menu:faq"), ("btn_menu", "menu:menu"))
        }

    def _build_matcher(self) -> Matcher:
        return faq.matcher_for(self.week, self.taught)

    def use_jobs(self, jobs: Scheduled) -> None:
        """The scheduled work running in this process: a notice confirmed in a chat starts at once."""
        self.ports.jobs = jobs

    def learn(self, faq_id: str, wordings: list[str]) -> None:
        """Staff taught these wordings for an FAQ entry: the matcher knows them from now on."""
        known = self.taught.setdefault(faq_id, [])
        new = [w for w in wordings if w not in known]
        if new:
            known.extend(new)
            self.matcher = self._build_matcher()

    def error_reply(self, lang: str) -> Reply:
        """What a resident sees when handling their message failed."""
        return Voice(self.week, lang).reply("error", "error", menu_buttons(lang))

    @property
    def read_limit(self) -> int:
        """The most of a message any step reads: one character past the longest it accepts."""
        return max(self.max_message_chars, broadcast.MAX_CHARS) + 1

    async def handle(self, msg: Incoming) -> list[Reply]:
        now = self.clock.now()
        name = _clip(msg.name, NAME_MAX)
        cut_from = None
        if msg.text and len(msg.text) > self.read_limit:  # cut before any pattern runs: the rest is not read
            cut_from, msg = len(msg.text), replace(msg, text=msg.text[:self.read_limit])
        async with UnitOfWork(self.storage, self.chats, (msg.channel, msg.user_id), self.deliver) as unit:
            await teach.refresh(self, unit, now)
            chat = unit.chat = self.chats.get(msg.channel, msg.user_id, name, now)
            if chat is None:  # first message in a while: record it, and read the dialog
                resident, dialog = await repo.touch_chat(unit.session, msg.channel, msg.user_id, name,
                                                         language_of(msg.language), now)
                chat = unit.chat = Chat(resident, dialog, now)
            ctx = Context(week=self.week, lang=reply_language(msg.text, chat.resident.language), msg=msg,
                          resident=chat.resident, dialog=chat.dialog, unit=unit, now=now, ports=self.ports,
                          cut_from=cut_from)
            replies = await self._route(ctx)
            if msg.channel not in BUTTONS_FROM_KEYBOARD:
                await _remember_buttons(ctx, replies)
        return replies

    async def deliver(self, outgoing: Outgoing) -> None:
        sender = self.senders.get(outgoing.channel)
        if sender is None:
            log.info("no %s channel running: message for %s not sent", outgoing.channel, outgoing.user_id)
            return
        try:
            result = await sender(outgoing.user_id, outgoing.replies)
        except Exception:
            log.exception("could not send to %s:%s", outgoing.channel, outgoing.user_id)
            result = Result(Outcome.FAILED, "error while sending")
        if (outgoing.channel, outgoing.user_id) in self.admins \
                and result.outcome in (Outcome.BLOCKED, Outcome.FAILED, Outcome.UNREACHABLE, Outcome.NOT_SENT):
            await self._count_unreached_staff(outgoing, result)

    async def _count_unreached_staff(self, outgoing: Outgoing, result: Result) -> None:
        """A notice that did not reach a staff member, counted for /thongke (on Telegram: they never
        pressed Start, so the bot may not write to them)."""
        log.warning("notice for staff %s:%s not delivered: %s", outgoing.channel, outgoing.user_id,
                    result.outcome.value)
        try:
            async with self.storage.session() as session, session.begin():
                await repo.count_staff_notice_failure(session, outgoing.channel, outgoing.user_id,
                                                      result.reason[:500], self.clock.now())
        except Exception:
            log.exception("could not count the undelivered notice for %s:%s", outgoing.channel, outgoing.user_id)

    async def _route(self, ctx: Context) -> list[Reply]:
        msg = ctx.msg
        if msg.payload:
            return await self._button(ctx, msg.payload)
        if msg.unsupported:
            return await menu.unsupported(ctx)
        text = (msg.text or "").strip()
        if not text:
            return await menu.empty(ctx)
        command = _COMMAND.match(text)
        if command:
            return await self._command(ctx, command.group(1), command.group(2) or "")
        payload = self._button_labels.get(_label_key(text))
        if payload:
            return await self._button(ctx, payload)
        dialog = ctx.dialog
        if dialog is not None and ctx.now - dialog.updated_at > DIALOG_TTL:
            await repo.clear_dialog(ctx.session, ctx.resident.id)  # left long ago: start afresh
            dialog = ctx.dialog = None
        if dialog is not None and BroadcastStep.of(dialog.state) is not None and ctx.is_staff:
            return await broadcast.on_text(ctx, dialog, text)  # a notice may be longer than a question
        if len(text) > self.max_message_chars:
            return await faq.too_long(ctx, text)
        if dialog is not None and PledgeStep.of(dialog.state) is not None:
            return await pledge.on_text(ctx, dialog, text)
        if pledge.amount_in_pledge_message(text):
            return await pledge.start(ctx, text)
        if wants_to_give(normalize(text), "?" in text):  # "em muốn đóng góp": the dialog asks the amount
            return await pledge.start(ctx)
        return await self.understand(ctx, text) or await faq.fallback(ctx, text)

    async def _command(self, ctx: Context, name: str, args: str) -> list[Reply]:
        intent = COMMANDS.get(name.lower())
        if intent == "start" and args.strip().lower() in DEEP_LINKS:
            intent, args = DEEP_LINKS[args.strip().lower()], ""
        ctx.args = args
        if intent in STAFF_HANDLERS and ctx.is_staff:
            return await STAFF_HANDLERS[intent](ctx)
        if intent is None or intent in STAFF_HANDLERS:
            return await menu.unknown_command(ctx, "/" + name)
        return await INTENT_HANDLERS[intent](ctx)

    async def _button(self, ctx: Context, payload: str) -> list[Reply]:
        kind, _, value = payload.partition(":")
        if len(payload) > MAX_PAYLOAD or not _may_press(ctx, payload):
            log.info("a %.16r button not shown to this chat: refused", kind)  # not the payload: it may be typed text
            return [ctx.reply("button_not_shown", "button_not_shown")]
        if kind == "menu" and value in INTENT_HANDLERS:
            return await INTENT_HANDLERS[value](ctx)
        if kind == "faq":
            return await faq.answer(ctx, value)
        if kind == "pledge":
            return await pledge.on_button(ctx, value)
        if payload == "privacy:erase":
            return await privacy.erase(ctx)
        if kind == "broadcast" and ctx.is_staff:
            return await broadcast.on_button(ctx, value)
        if kind == "teach" and ctx.is_staff:
            return await teach.on_button(ctx, value)
        log.info("unknown %.16r button payload", kind)  # not all of it: on Zalo it may be typed text
        return await menu.menu(ctx)

    async def understand(self, ctx: Context, text: str, threshold: float | None = None) -> list[Reply] | None:
        """Replies to free text the bot understands (a day, an intent, an FAQ), else None.

        A dialog step passes a higher `threshold`: there the message is most likely an answer.
        """
        if schedule.days_left_asked(text):
            return await schedule.days_left(ctx)
        when = schedule.day_asked(ctx, text)
        if when is not None:
            return await schedule.day(ctx, when)
        monday = schedule.week_asked(ctx, text)
        if monday is not None:
            return await schedule.week(ctx, monday)
        match = self.matcher.best(text, threshold)
        if match is None:
            return None
        kind, _, key = match.key.partition(":")
        if kind == "intent":
            return await INTENT_HANDLERS[key](ctx)
        return await faq.answer(ctx, key)


def _always_pressable(payload: str) -> bool:
    """Buttons that do no more than typing could: a menu entry, an FAQ answer, starting a pledge."""
    return payload.startswith(("menu:", "faq:")) or payload == "pledge:start"


def _may_press(ctx: Context, payload: str) -> bool:
    if ctx.msg.channel in BUTTONS_FROM_KEYBOARD or _always_pressable(payload):
        return True
    return payload in (ctx.resident.shown_buttons or [])


async def _remember_buttons(ctx: Context, replies: list[Reply]) -> None:
    """Keep the buttons that act among the last ones shown. Replies with menu buttons only leave
    them: an answer to a question asked mid-pledge says "press Confirm" on the summary above.
    Written only when they change."""
    shown = sorted({b.payload for r in replies for b in r.buttons if not _always_pressable(b.payload)})
    if shown and shown != (ctx.resident.shown_buttons or []):
        await repo.set_shown_buttons(ctx.session, ctx.resident, shown)


def _label_key(text: str) -> str:
    return " ".join(tokens(text))


def _clip(text: str | None, size: int) -> str | None:
    return text[:size] if text else text
