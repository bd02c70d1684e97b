"""What every handler gets: the message, the resident, their language, the database session."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from content.render import placeholders
from content.schema import Week
from content.texts import TEXTS, plain, say
from handlers.types import Button, Incoming, Outgoing, Reply
from storage.models import DialogState, Resident

if TYPE_CHECKING:
    from handlers.router import Assistant


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
        week = {**placeholders(self.week, self.lang), "reminder_time": self.week.reminder_time}
        return say(self.lang, key, **{**week, **values})

    def label(self, key: str, **values: object) -> str:
        """A button's label: plain text, its values as they are."""
        return plain(self.lang, key, **values)

    def reply(self, key: str, topic: str, buttons: list[Button] | None = None, **values: object) -> Reply:
        return Reply(self.say(key, **values), topic, buttons or [])


@dataclass(kw_only=True)
class Context(Voice):
    """A Voice for one incoming message, with the resident and the open transaction."""

    msg: Incoming
    resident: Resident
    dialog: DialogState | None  # where the resident was when this message came
    session: AsyncSession
    now: datetime          # aware, UTC
    assistant: "Assistant"
    args: str = ""         # what follows a command: "/paid KH-0042" -> "KH-0042"
    cut_from: int | None = None  # an over-long message is cut before it is read: its length as sent
    outbox: list[Outgoing] = field(default_factory=list)  # for others, sent after the commit
    after_commit: list[Callable[[], None]] = field(default_factory=list)  # e.g. start a job

    @property
    def today(self) -> date:
        return self.now.astimezone(self.week.tz).date()

    @property
    def is_staff(self) -> bool:
        return (self.msg.channel, self.msg.user_id) in self.assistant.admins

    def menu_buttons(self) -> list[Button]:
        return menu_buttons(self.lang, self.resident.subscribed)


def menu_buttons(lang: str, subscribed: bool = False) -> list[Button]:
    t = TEXTS[lang]
    reminder = Button(t["btn_unsubscribe"], "menu:unsubscribe") if subscribed else Button(t["btn_subscribe"], "menu:subscribe")
    return [Button(t["btn_schedule"], "menu:schedule"), Button(t["btn_today"], "menu:today"), reminder,
            Button(t["btn_pledge"], "menu:pledge"), Button(t["btn_faq"], "menu:faq")]
