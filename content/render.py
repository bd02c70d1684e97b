"""Values from the week file, written the way residents read them."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from content.schema import Faq, SubAnswer, Text, Week
from content.texts import TEXTS, escape
from core.amounts import format_vnd

T = TypeVar("T")


class PerWeek:
    """What is worked out once per week: the week is frozen (a week read again, or built in a
    test, is another object: the identity check sees it). At `limit` entries it starts again."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._cache: dict[tuple, tuple[Week, object]] = {}

    def get(self, week: Week, key: tuple, make: Callable[[], T]) -> T:
        cached = self._cache.get((id(week), *key))
        if cached is not None and cached[0] is week:
            return cached[1]
        if len(self._cache) >= self.limit:
            self._cache.clear()
        value = make()
        self._cache[(id(week), *key)] = (week, value)
        return value


_VALUES = PerWeek(64)  # per week, language and escaping


def dmy(d: date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


def dm(d: date) -> str:
    return f"{d.day}/{d.month}"


def contact_line(week: Week, lang: str) -> str:
    return "; ".join(f"{c.name.get(lang)}: {c.phone}" for c in week.contacts)


def placeholders(week: Week, lang: str) -> dict[str, str]:
    """The week's values FAQ answers (content.schema.PLACEHOLDERS) and the bot's own texts may use."""
    return dict(_values(week, lang, False))


def escaped_values(week: Week, lang: str) -> dict[str, str]:
    """The week's values any text of the bot may name (the placeholders and reminder_time),
    escaped for HTML. Shared: read it, never change it."""
    return _values(week, lang, True)


def _values(week: Week, lang: str, html: bool) -> dict[str, str]:
    def make() -> dict[str, str]:
        values = _compute(week, lang)
        if html:
            values = {k: escape(v) for k, v in {**values, "reminder_time": week.reminder_time}.items()}
        return values
    return _VALUES.get(week, (lang, html), make)


def _compute(week: Week, lang: str) -> dict[str, str]:
    ev, op = week.event, week.opening
    return {
        "ward": week.ward.name.get(lang), "city": week.ward.city.get(lang), "office": week.ward.office.get(lang),
        "event": ev.name.get(lang), "theme": ev.theme.get(lang), "start": dmy(ev.start), "end": dmy(ev.end),
        "opening_date": dmy(op.date), "opening_time": op.time, "opening_place": op.place.get(lang),
        "opening_host": op.host.get(lang), "fund": week.fund.name.get(lang),
        "raised": format_vnd(week.fund.raised_at_opening), "movement": week.movement.name.get(lang),
        "period": week.movement.period, "contact": contact_line(week, lang),
        "organisers": ", ".join(o.get(lang) for o in ev.organisers), "schedule_hint": TEXTS[lang]["schedule_hint"],
    }


def filled(week: Week, text: Text, lang: str) -> str:
    """A text of the week file in `lang`, its placeholders filled."""
    return text.get(lang).format_map(_values(week, lang, False))


def faq_answer(week: Week, entry: Faq, lang: str, sub: SubAnswer | None = None) -> str:
    """The answer as plain text, placeholders filled; a sub-answer's first when one was asked."""
    text = filled(week, entry.answer, lang)
    return filled(week, sub.answer, lang) + "\n\n" + text if sub else text


def content_texts(week: Week) -> list[str]:
    """The event's facts and program as text, both languages: what the content talks about."""
    out: list[str] = []

    def add(*texts) -> None:
        for t in texts:
            if t is not None:
                out.extend(x for x in (t.vi, t.en) if x)

    add(week.ward.name, week.ward.city, week.ward.office, week.event.name, week.event.theme, *week.event.organisers,
        week.opening.place, week.opening.host, week.opening.note, week.fund.name, week.movement.name)
    for c in week.contacts:
        add(c.name, c.hours)
    for day in week.days:
        add(day.title)
        for a in day.activities:
            add(a.text, a.place)
    return out
