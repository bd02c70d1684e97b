"""What every handler gets: the message, the resident, their language, the unit of work."""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from content.render import contact_line, dmy
from content.schema import Week
from handlers.texts import TEXTS
from handlers.types import Button, Incoming, Outgoing, Reply
from storage.models import DialogState, Resident
from storage.unit import UnitOfWork

if TYPE_CHECKING:
    from handlers.router import Assistant


class Html(str):
    """Text that is already HTML (escaped where needed): `Context.say` passes it through."""


@dataclass
class Voice:
    """How the bot speaks to one resident: the week's content in their language. Jobs use it
    alone (a reminder has no incoming message); handlers get it inside a Context."""

    week: Week
    lang: str

    def t(self, key: str) -> str:
        return TEXTS[self.lang][key]

    def say(self, key: str, **values: object) -> str:
        """A text from handlers.texts with its values HTML-escaped (they may be residents' words)."""
        return self.t(key).format(**{k: v if isinstance(v, Html) else html.escape(str(v), quote=False)
                                     for k, v in values.items()})

    def common_values(self) -> dict[str, str]:
        week = self.week
        return {
            "event": week.event.name.get(self.lang), "ward": week.ward.name.get(self.lang),
            "theme": week.event.theme.get(self.lang), "start": dmy(week.event.start),
            "end": dmy(week.event.end), "reminder_time": week.reminder_time,
            "contact": contact_line(week, self.lang),
        }

    def reply(self, key: str, topic: str, buttons: list[Button] | None = None, **extra: object) -> Reply:
        return Reply(self.say(key, **{**self.common_values(), **extra}), topic, buttons or [])


@dataclass(kw_only=True)
class Context(Voice):
    """A Voice for one incoming message, with the resident and the message's unit of work."""

    msg: Incoming
    resident: Resident
    dialog: DialogState | None  # where the resident was when this message came
    unit: UnitOfWork       # its transaction, and what happens once it commits
    now: datetime          # aware, UTC
    assistant: "Assistant"
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
        return (self.msg.channel, self.msg.user_id) in self.assistant.admins

    def menu_buttons(self) -> list[Button]:
        return menu_buttons(self.lang, self.resident.subscribed)


def menu_buttons(lang: str, subscribed: bool = False) -> list[Button]:
    t = TEXTS[lang]
    reminder = Button(t["btn_unsubscribe"], "menu:unsubscribe") if subscribed else Button(t["btn_subscribe"], "menu:subscribe")
    return [Button(t["btn_schedule"], "menu:schedule"), Button(t["btn_today"], "menu:today"), reminder,
            Button(t["btn_pledge"], "menu:pledge"), Button(t["btn_faq"], "menu:faq")]
