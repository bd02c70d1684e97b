"""The week's program: the whole week, today, or a day named in free text."""
from __future__ import annotations

from datetime import date, timedelta

from content.render import PerWeek, dm, dmy
from content.schema import Day
from content.texts import Html, escape
from core.dates import asks_days_left, find_day, find_week
from core.text import normalize
from handlers.common import Context, Voice
from handlers.types import Button, Reply

# Words that may stand around a day phrase in a question about that day's program
# ("hôm nay có gì", "what's on tomorrow"). Anything else means the question is about
# something else ("tỷ giá đô la hôm nay").
DAY_FILLER = frozenset("""
co gi hoat dong chuong trinh lich su kien dien ra the nao nhu vay a ha nhi oi admin bot cho minh em
toi hoi xem ngay hom vao la nhung tuan le khong lam cu the phuong nao to chuc ke hoach ca
what s whats is are on the program schedule events activities happening for of any there
planned plan going do does
""".split())


_BLOCKS = PerWeek(512)  # a day reads the same for everyone in a language


def day_block(ctx: Voice, day: Day, relative: str = "") -> str:
    """A day's program. `relative`: "Hôm nay, " or "Ngày mai, " before the date, when it is."""
    return _BLOCKS.get(ctx.week, (ctx.lang, day.date, relative), lambda: _render_day(ctx, day, relative))


def _render_day(ctx: Voice, day: Day, relative: str) -> str:
    weekday = ctx.t("weekdays").split("|")[day.date.weekday()]
    lines = [ctx.say("day_title", relative=relative, weekday=weekday, date=dm(day.date),
                     title=day.title.get(ctx.lang))]
    if day.date == ctx.week.opening.date:
        lines.append(ctx.t("opening_marker"))
    for act in day.activities:
        place = f" ({escape(act.place.get(ctx.lang))})" if act.place else ""
        when = f"{act.time} " if act.time else ""
        lines.append(f"• {when}{escape(act.text.get(ctx.lang))}{place}")
    return "\n".join(lines)


async def schedule(ctx: Context) -> list[Reply]:
    blocks = [ctx.say("schedule_title")]
    blocks += [day_block(ctx, day) for day in sorted(ctx.week.days, key=lambda d: d.date)]
    blocks.append(ctx.t("schedule_footer"))
    return [Reply("\n\n".join(blocks), "schedule", ctx.menu_buttons())]


async def today(ctx: Context) -> list[Reply]:
    return await day(ctx, ctx.today)


async def day(ctx: Context, when: date) -> list[Reply]:
    week = ctx.week.event
    program = ctx.week.day(when)
    if program is None:
        if ctx.today < week.start:
            first = ctx.week.day(week.start)
            text = ctx.say("before_week", days=(week.start - ctx.today).days,
                           first_day=Html(day_block(ctx, first)))
            return [Reply(text, "day", ctx.menu_buttons())]
        if ctx.today > week.end:
            return [ctx.reply("after_week", "day", ctx.menu_buttons())]
        return [ctx.reply("outside_week", "day", [Button(ctx.t("btn_schedule"), "menu:schedule")],
                          date=dmy(when))]
    relative = {ctx.today: ctx.t("today_prefix"), ctx.today + timedelta(days=1): ctx.t("tomorrow_prefix"),
                ctx.today - timedelta(days=1): ctx.t("yesterday_prefix"),
                ctx.today + timedelta(days=2): ctx.t("day_after_prefix")}
    return [Reply(day_block(ctx, program, relative.get(when, "")), "day", ctx.menu_buttons())]


def day_asked(ctx: Context, text: str) -> date | None:
    """The day a message asks about, when the message is only about a day's program."""
    norm = normalize(text)
    phrase = find_day(norm, ctx.today, ctx.week.event.start, ctx.week.event.end)
    if phrase is None:
        return None
    rest = (norm[:phrase.start] + " " + norm[phrase.end:]).split()
    return phrase.day if all(word in DAY_FILLER for word in rest) else None


def week_asked(ctx: Context, text: str) -> date | None:
    """The Monday of the calendar week a message asks about ("tuần sau có gì"), when it is only that."""
    norm = normalize(text)
    phrase = find_week(norm, ctx.today)
    if phrase is None:
        return None
    rest = (norm[:phrase.start] + " " + norm[phrase.end:]).split()
    return phrase.monday if all(word in DAY_FILLER for word in rest) else None


async def week(ctx: Context, monday: date) -> list[Reply]:
    """The days of the event in that calendar week, or that there are none."""
    sunday = monday + timedelta(days=6)
    days = sorted((d for d in ctx.week.days if monday <= d.date <= sunday), key=lambda d: d.date)
    if not days:
        return [ctx.reply("week_none", "week", ctx.menu_buttons(), first=dm(monday), last=dm(sunday))]
    blocks = [ctx.say("schedule_title")] + [day_block(ctx, d) for d in days]
    return [Reply("\n\n".join(blocks), "week", ctx.menu_buttons())]


def days_left_asked(text: str) -> bool:
    return asks_days_left(normalize(text))


async def days_left(ctx: Context) -> list[Reply]:
    """How many days until the week, or until its end."""
    event = ctx.week.event
    if ctx.today < event.start:
        return [ctx.reply("days_left_before", "days_left", ctx.menu_buttons(), days=(event.start - ctx.today).days)]
    if ctx.today > event.end:
        return [ctx.reply("days_left_after", "days_left", ctx.menu_buttons())]
    if ctx.today == event.end:
        return [ctx.reply("days_left_last", "days_left", ctx.menu_buttons())]
    return [ctx.reply("days_left_during", "days_left", ctx.menu_buttons(), nth=(ctx.today - event.start).days + 1,
                      days=(event.end - ctx.today).days)]
