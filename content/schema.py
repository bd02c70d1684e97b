"""The schema of a ward's week file (content/week.yaml).

Structure is checked by pydantic; the rules that tie fields together (days inside the week,
one program per day, known placeholders in answers) are checked in `rules`, so that every
error can be reported with its place in the file.
"""
from __future__ import annotations

import string
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

LANGS = ("vi", "en")
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
HourMinute = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _text_shorthand(value: Any) -> Any:
    # A plain string is the Vietnamese text; English falls back to it.
    return {"vi": value} if isinstance(value, str) else value


class Text(Strict):
    """A text in Vietnamese and, optionally, English."""

    vi: NonEmpty
    en: NonEmpty | None = None

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.vi


LocalText = Annotated[Text, BeforeValidator(_text_shorthand)]


class Ward(Strict):
    name: LocalText
    city: LocalText
    office: LocalText = Field(description="where residents can go in person")


class Event(Strict):
    name: LocalText
    theme: LocalText
    start: date
    end: date
    timezone: str = "Asia/Ho_Chi_Minh"
    organisers: list[LocalText] = Field(min_length=1)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


class Opening(Strict):
    date: date
    time: HourMinute
    place: LocalText
    host: LocalText
    note: LocalText | None = None


class BankAccount(Strict):
    """The fund's account for VietQR transfers. Never commit a real person's account."""

    bin: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] = Field(description="the bank's NAPAS BIN, e.g. 970415")
    account: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z]{4,19}$")]
    account_name: NonEmpty
    bank_name: LocalText


class Fund(Strict):
    name: LocalText
    raised_at_opening: int = Field(ge=0, description="đồng raised at the opening ceremony")
    max_pledge: int = Field(default=100_000_000, gt=0)
    bank: BankAccount | None = None


class Movement(Strict):
    name: LocalText
    period: NonEmpty


class Contact(Strict):
    name: LocalText
    phone: NonEmpty
    hours: LocalText | None = None


class Activity(Strict):
    time: HourMinute | None = None
    text: LocalText
    place: LocalText | None = None


class Day(Strict):
    date: date
    title: LocalText
    activities: list[Activity] = Field(min_length=1)


class Asks(Strict):
    vi: list[NonEmpty] = Field(min_length=1)
    en: list[NonEmpty] = Field(default_factory=list)


class SubAnswer(Strict):
    """A sharper question within an entry ("anonymous?" within "how to donate"): its own asks,
    and an answer shown before the entry's."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    ask: Asks
    answer: LocalText


class Faq(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    ask: Asks
    answer: LocalText
    more: list[SubAnswer] = Field(default_factory=list)

    def sub(self, sub_id: str) -> SubAnswer | None:
        return next((s for s in self.more if s.id == sub_id), None)


class Week(Strict):
    ward: Ward
    event: Event
    opening: Opening
    fund: Fund
    movement: Movement
    reminder_time: HourMinute = "07:00"
    contacts: list[Contact] = Field(min_length=1)
    days: list[Day] = Field(min_length=1)
    faq: list[Faq] = Field(default_factory=list)

    def day(self, when: date) -> Day | None:
        return next((d for d in self.days if d.date == when), None)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.event.timezone)

    @property
    def reminder_at(self) -> time:
        return time.fromisoformat(self.reminder_time)

    def reminder_due(self, day: date) -> datetime:
        """When the day's reminder goes out, in the event's time zone."""
        return datetime.combine(day, self.reminder_at, tzinfo=self.tz)


# Placeholders an FAQ answer may use; their values come from the rest of the file
# (see content.render), so a fact is written once.
PLACEHOLDERS = frozenset({
    "ward", "city", "office", "event", "theme", "start", "end", "opening_date", "opening_time",
    "opening_place", "opening_host", "fund", "raised", "movement", "period", "contact",
    "organisers", "schedule_hint",
})


def rules(week: Week) -> list[tuple[tuple[str | int, ...], str]]:
    """Errors that span fields, each with its location in the file."""
    errors: list[tuple[tuple[str | int, ...], str]] = []
    ev = week.event
    try:
        ZoneInfo(ev.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append((("event", "timezone"), f"unknown time zone {ev.timezone!r}"))
    if ev.end < ev.start:
        errors.append((("event", "end"), "before event.start"))
    elif (ev.end - ev.start).days > 30:
        errors.append((("event", "end"), "the event lasts more than 31 days"))
    week_days = set(ev.days())
    if week.opening.date not in week_days:
        errors.append((("opening", "date"), "not within the week"))
    seen: dict[date, int] = {}
    for i, day in enumerate(week.days):
        if day.date not in week_days:
            errors.append((("days", i, "date"), "not within the week"))
        elif day.date in seen:
            errors.append((("days", i, "date"), f"same day as days[{seen[day.date]}]"))
        else:
            seen[day.date] = i
    for missing in sorted(week_days - set(seen)):
        if ev.end >= ev.start:
            errors.append((("days",), f"no program for {missing.day}/{missing.month}/{missing.year}"))
    ids: dict[str, int] = {}
    for i, entry in enumerate(week.faq):
        if entry.id in ids:
            errors.append((("faq", i, "id"), f"duplicate id {entry.id!r} (also faq[{ids[entry.id]}])"))
        ids.setdefault(entry.id, i)
        answers = [(("faq", i, "answer"), entry.answer)]
        answers += [(("faq", i, "more", j, "answer"), sub.answer) for j, sub in enumerate(entry.more)]
        for where, text in answers:
            for lang in LANGS:
                for name in _placeholders(getattr(text, lang) or ""):
                    if name not in PLACEHOLDERS:
                        errors.append(((*where, lang),
                                       f"unknown placeholder {{{name}}}; known: {', '.join(sorted(PLACEHOLDERS))}"))
        subs: set[str] = set()
        for j, sub in enumerate(entry.more):
            if sub.id in subs:
                errors.append((("faq", i, "more", j, "id"), f"duplicate id {sub.id!r} in this entry"))
            subs.add(sub.id)
    return errors


def _placeholders(text: str) -> list[str]:
    try:
        return [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
    except ValueError:
        return ["<unbalanced braces>"]
