"""What every handler gets: the message, the resident, their language, the unit of work."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from content.render import escaped_values
from content.schema import Week
from content.texts import TEXTS, plain, say_over
from handlers.types import Button, Incoming, Outgoing, Reply
from storage.models import DialogState, Resident
from storage.unit import UnitOfWork


@dataclass
class Voice:
    """How the bot speaks to one resident: the week's content in their language. Jobs use it
    alone (a reminder has no incoming message); handlers get it inside a Context."""

    week: Week
    lang: str

    def t(self, key: str) -> str:
        return TEXTS[self.lang][key]

    def say(self, key: str, **values: object) -> str:
        """A text from content.texts in HTML. Any text may name the week's values (those FAQ
        answers may use, and reminder_time) besides `values`; all are escaped (they may be
        residents' words) unless marked Html."""
        return say_over(self.lang, key, escaped_values(self.week, self.lang), values)

    def label(self, key: str, **values: object) -> str:
        """A button's label: plain text, its values as they are."""
        return plain(self.lang, key, **values)

    def reply(self, key: str, topic: str, buttons: list[Button] | None = None, **values: object) -> Reply:
        return Reply(self.say(key, **values), topic, buttons or [])


class Scheduled(Protocol):
    """The scheduled work running in this process (jobs.runner.Jobs), as handlers see it."""

    instance: str  # this process's name in the deliveries it records

    def start_broadcast(self, broadcast_id: int) -> None: ...


@dataclass
class Ports:
    """What handlers may use beyond the message and its transaction: each a narrow piece of the
    assistant, never the assistant itself. bot.py connects `jobs` when they run here."""

    staff: frozenset[tuple[str, str]]  # (channel, user id) of the staff
    channels: Collection[str]          # the channels running now (a live view)
    # Replies to free text the bot understands, else None (a dialog's diversions).
    understand: Callable[["Context", str, float | None], Awaitable[list[Reply] | None]]
    learn: Callable[[str, list[str]], None]  # staff taught these wordings for an FAQ entry
    web_url: str                       # where the staff pages are
    max_message_chars: int
    jobs: Scheduled | None = None


@dataclass(kw_only=True)
class Context(Voice):
    """A Voice for one incoming message, with the resident and the message's unit of work."""

    msg: Incoming
    resident: Resident
    dialog: DialogState | None  # where the resident was when this message came
    unit: UnitOfWork       # its transaction, and what happens once it commits
    now: datetime          # aware, UTC
    ports: Ports
    args: str = ""         # what follows a command: "/paid KH-0042" -> "KH-0042"
    cut_from: int | None = None  # an over-long message is cut before it is read: its length as sent

    @property
    def session(self) -> AsyncSession:
        """The message's transaction, begun at its first statement."""
        return self.unit.session

    @property
    def outbox(self) -> list[Outgoing]:
        """Messages for others, sent after the commit."""
        return self.unit.outbox

    @property
    def after_commit(self) -> list[Callable[[], None]]:
        """Jobs to run after the commit (e.g. start sending a notice)."""
        return self.unit.after_commit

    @property
    def today(self) -> date:
        return self.now.astimezone(self.week.tz).date()

    @property
    def is_staff(self) -> bool:
        return (self.msg.channel, self.msg.user_id) in self.ports.staff

    def menu_buttons(self) -> list[Button]:
        return menu_buttons(self.lang, self.resident.subscribed)


def menu_buttons(lang: str, subscribed: bool = False) -> list[Button]:
    t = TEXTS[lang]
    reminder = Button(t["btn_unsubscribe"], "menu:unsubscribe") if subscribed else Button(t["btn_subscribe"], "menu:subscribe")
    return [Button(t["btn_schedule"], "menu:schedule"), Button(t["btn_today"], "menu:today"), reminder,
            Button(t["btn_pledge"], "menu:pledge"), Button(t["btn_faq"], "menu:faq")]
