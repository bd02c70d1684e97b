"""Date phrases residents use to ask about a day: "hôm nay", "mai", "3/10", "mùng 3", "thứ 5".

Works on normalized text (core.text.normalize). Returns the date meant and the part of the
text that named it, so the caller can tell "hôm nay có gì" (about the day) from
"tỷ giá đô la hôm nay" (about something else).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class DayPhrase:
    day: date
    start: int
    end: int


_RELATIVE = [
    (re.compile(r"\b(?:hom nay|bua nay|ngay hom nay|today|tonight)\b"), 0),
    (re.compile(r"\b(?:ngay mai|mai|sang mai|chieu mai|toi mai|hom sau|tomorrow)\b"), 1),
    (re.compile(r"\b(?:ngay kia|ngay mot|mai mot|day after tomorrow)\b"), 2),
    (re.compile(r"\b(?:hom qua|yesterday)\b"), -1),
]

# Monday=0 … Sunday=6, as date.weekday().
_VI_WEEKDAY = {"2": 0, "hai": 0, "3": 1, "ba": 1, "4": 2, "tu": 2, "5": 3, "nam": 3,
               "6": 4, "sau": 4, "7": 5, "bay": 5}
# Full names only: folded Vietnamese has "mon", "thu", "sat" as ordinary words.
_EN_WEEKDAY = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
               "saturday": 5, "sunday": 6}
# "may", "mar", "sep" are left out: folded Vietnamese uses them ("mấy", "sếp").
_MONTHS_EN = {"jan": 1, "january": 1, "feb": 2, "february": 2, "march": 3, "apr": 4,
              "april": 4, "june": 6, "july": 7, "aug": 8, "august": 8, "september": 9,
              "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12}
_EN_MONTH = "|".join(sorted(_MONTHS_EN, key=len, reverse=True))

# [0-9], not \d: \d takes any Unicode digit.
_NUMERIC = re.compile(r"(?<![0-9/.\-])([0-9]{1,2})\s?[/.\-]\s?([0-9]{1,2})(?:\s?[/.\-]\s?([0-9]{4}|[0-9]{2}))?(?![0-9/.\-])")
_THANG = re.compile(r"\b(?:ngay\s)?([0-9]{1,2})\s(?:thang|th)\s?([0-9]{1,2})(?:\s(?:nam\s)?([0-9]{4}))?\b")
_DAY_ONLY = re.compile(r"\b(?:mung|mong|ngay)\s([0-9]{1,2})\b(?!\s?(?:thang|/))")
_VI_DOW = re.compile(r"\b(?:thu|t)\s?(2|3|4|5|6|7|hai|ba|tu|nam|sau|bay)\b")
_SUNDAY = re.compile(r"\b(?:chu nhat|chunhat|cn)\b")
_EN_DOW = re.compile(r"\b(" + "|".join(sorted(_EN_WEEKDAY, key=len, reverse=True)) + r")\b")
_EN_MONTH_DAY = re.compile(rf"\b(?:{_EN_MONTH})\s([0-9]{{1,2}})(?:st|nd|rd|th)?\b")
_EN_DAY_MONTH = re.compile(rf"\b([0-9]{{1,2}})(?:st|nd|rd|th)?\s(?:of\s)?({_EN_MONTH})\b")


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(text: str | None, default: int) -> int:
    if not text:
        return default
    y = int(text)
    return y + 2000 if y < 100 else y


def find_day(text: str, today: date, week_start: date, week_end: date) -> DayPhrase | None:
    """The first day named in `text` (normalized), or None.

    Weekdays and a bare day number ("mùng 3") are resolved inside the event week when it
    has such a day, otherwise to the next one from today.
    """
    for pattern, delta in _RELATIVE:
        m = pattern.search(text)
        if m:
            return DayPhrase(today + timedelta(days=delta), m.start(), m.end())

    m = _EN_MONTH_DAY.search(text)
    if m:
        month = _MONTHS_EN[m.group(0).split()[0]]
        d = _safe_date(week_start.year, month, int(m.group(1)))
        if d:
            return DayPhrase(d, m.start(), m.end())
    m = _EN_DAY_MONTH.search(text)
    if m:
        d = _safe_date(week_start.year, _MONTHS_EN[m.group(2)], int(m.group(1)))
        if d:
            return DayPhrase(d, m.start(), m.end())

    for pattern in (_THANG, _NUMERIC):
        m = pattern.search(text)
        if m:
            d = _safe_date(_year(m.group(3), week_start.year), int(m.group(2)), int(m.group(1)))
            if d:
                return DayPhrase(d, m.start(), m.end())

    m = _DAY_ONLY.search(text)
    if m:
        number = int(m.group(1))
        d = _in_week(week_start, week_end, lambda x: x.day == number)
        if d is None:
            d = _safe_date(today.year, today.month, number)
        if d:
            return DayPhrase(d, m.start(), m.end())

    for pattern, weekday in ((_VI_DOW, None), (_SUNDAY, 6), (_EN_DOW, None)):
        m = pattern.search(text)
        if m:
            if weekday is None:
                key = m.group(1)
                weekday = _VI_WEEKDAY.get(key, _EN_WEEKDAY.get(key))
            d = _in_week(week_start, week_end, lambda x, wd=weekday: x.weekday() == wd)
            if d is None:
                d = today + timedelta(days=(weekday - today.weekday()) % 7)
            return DayPhrase(d, m.start(), m.end())
    return None


_WEEK_RELATIVE = [
    (re.compile(r"\b(?:tuan sau|tuan toi|next week)\b"), 1),
    (re.compile(r"\b(?:tuan nay|this week)\b"), 0),
    (re.compile(r"\b(?:tuan truoc|last week)\b"), -1),
]
_DAYS_LEFT = re.compile(r"\b(?:con (?:may|bao nhieu|vai) (?:ngay|hom)|(?:may|bao nhieu) (?:ngay|hom) nua|bao lau nua|"
                        r"how many (?:more )?days (?:left|until|to go|more)|days left|how long until)\b")


@dataclass(frozen=True)
class WeekPhrase:
    monday: date
    start: int
    end: int


def find_week(text: str, today: date) -> WeekPhrase | None:
    """A calendar week named in `text` (normalized): "tuần sau", "tuần này", "tuần trước"."""
    for pattern, delta in _WEEK_RELATIVE:
        m = pattern.search(text)
        if m:
            return WeekPhrase(today - timedelta(days=today.weekday()) + timedelta(weeks=delta), m.start(), m.end())
    return None


def asks_days_left(text: str) -> bool:
    """ "còn mấy ngày nữa", "bao lâu nữa", "how many days left" (normalized text)."""
    return bool(_DAYS_LEFT.search(text))


def _in_week(start: date, end: date, wanted) -> date | None:
    d = start
    while d <= end:
        if wanted(d):
            return d
        d += timedelta(days=1)
    return None
