"""Staff teach the bot: a question it could not answer is attached to an FAQ entry.

The wording is stored (taught_asks) and added to the matcher at once in this process; other
processes read new wordings from the database every few minutes (`refresh`). `/thongke` lists
the open questions with their numbers; `/day 12 theme` (or the buttons under the list) teaches
question 12 as a way of asking entry "theme"; `/boqua 12` dismisses it. The staff web page calls
`teach`, `dismiss` and `unanswered` directly. `python bot.py export-asks` writes what was taught
back into the content file.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from content.schema import Week
from content.texts import escape, plain, say
from core.numbers import read_int
from handlers.common import Context
from handlers.types import Button, Reply
from storage import repo
from storage import staff as staff_store

if TYPE_CHECKING:
    from handlers.router import Assistant
    from storage.unit import UnitOfWork

# How often a process looks for wordings taught in another process.
REFRESH_EVERY = timedelta(minutes=5)
DISMISS = "-"  # the entry id of the "dismiss" button: teach:<question>:-


@dataclass(frozen=True)
class OpenQuestion:
    """An unanswered question (all its askings with the same folded wording), still open."""

    id: int
    text: str
    count: int
    first_seen: datetime
    last_seen: datetime


async def teach(assistant: Assistant, question_id: int, faq_id: str, staff: str) -> str:
    """Attach unanswered question `question_id` to FAQ entry `faq_id`; returns the question's text.
    Raises ValueError with a message for staff (Vietnamese) when either does not exist."""
    async with assistant.storage.session() as session, session.begin():
        text = await _teach(session, assistant.week, assistant.clock.now(), question_id, faq_id, staff)
    assistant.learn(faq_id, [text])
    return text


async def dismiss(assistant: Assistant, question_id: int, staff: str) -> None:
    """Close a question without teaching it (not about the week, or nonsense)."""
    async with assistant.storage.session() as session, session.begin():
        await _dismiss(session, assistant.clock.now(), question_id, staff)


async def unanswered(assistant: Assistant, limit: int = 50) -> list[OpenQuestion]:
    """The open unanswered questions, most asked first."""
    async with assistant.storage.session() as session:
        rows = await repo.top_unanswered(session, limit)
    return [OpenQuestion(q.id, q.sample, q.count, q.first_asked, q.last_asked) for q in rows]


async def refresh(assistant: Assistant, unit: UnitOfWork, now: datetime) -> None:
    """Take the wordings taught since this process last looked, every REFRESH_EVERY."""
    if assistant.taught_checked_at is not None and now - assistant.taught_checked_at < REFRESH_EVERY:
        return
    assistant.taught_checked_at = now
    rows = await repo.taught_asks(unit.session, assistant.taught_upto)
    if rows:
        by_entry: dict[str, list[str]] = {}
        for row in rows:
            by_entry.setdefault(row.faq_id, []).append(row.text)
        for faq_id, texts in by_entry.items():
            assistant.learn(faq_id, texts)
        assistant.taught_upto = rows[-1].id


async def _teach(session: AsyncSession, week: Week, now: datetime, question_id: int, faq_id: str, staff: str) -> str:
    question = await repo.get_unanswered(session, question_id)
    # Closed by someone else meanwhile (a stale list, two staff at once): not taught to a second
    # entry. Taught again to the same entry is harmless.
    if question is None or (question.closed_at is not None and question.faq_id != faq_id):
        raise ValueError(plain("vi", "teach_no_question", number=question_id))
    if all(entry.id != faq_id for entry in week.faq):
        raise ValueError(plain("vi", "teach_no_entry", entry=faq_id, entries=", ".join(e.id for e in week.faq)))
    await repo.add_taught_ask(session, faq_id, question.sample, question_id, staff, now)
    await repo.close_unanswered(session, question_id, staff, faq_id, now)
    return question.sample


async def _dismiss(session: AsyncSession, now: datetime, question_id: int, staff: str) -> None:
    question = await repo.get_unanswered(session, question_id)
    if question is None or question.closed_at is not None:
        raise ValueError(plain("vi", "teach_no_question", number=question_id))
    await repo.close_unanswered(session, question_id, staff, None, now)


# --- staff commands and buttons ------------------------------------------------------------------

def unanswered_buttons(questions) -> list[Button]:
    """One "teach" button per question listed by /thongke."""
    return [Button(plain("vi", "btn_teach", number=q.id), f"teach:{q.id}") for q in questions]


async def command(ctx: Context) -> list[Reply]:
    """/day <number> [entry]: without an entry, the entries to choose from as buttons."""
    parts = ctx.args.split()
    question_id = read_int(parts[0].lstrip("#")) if parts else None
    if question_id is None or len(parts) > 2:
        return [_usage(ctx)]
    if len(parts) == 1:
        return await _choose_entry(ctx, question_id)
    return await _teach_reply(ctx, question_id, parts[1].lower())


async def dismiss_command(ctx: Context) -> list[Reply]:
    """/boqua <number>."""
    number = read_int(ctx.args.strip().lstrip("#"))
    if number is None:
        return [ctx.reply("dismiss_usage", "teach")]
    return await _dismiss_reply(ctx, number)


async def on_button(ctx: Context, value: str) -> list[Reply]:
    """teach:<question> (choose the entry), teach:<question>:<entry>, teach:<question>:- (dismiss)."""
    text, _, faq_id = value.partition(":")
    number = read_int(text)
    if number is None:
        return [_usage(ctx)]
    if not faq_id:
        return await _choose_entry(ctx, number)
    if faq_id == DISMISS:
        return await _dismiss_reply(ctx, number)
    return await _teach_reply(ctx, number, faq_id)


def _staff(ctx: Context) -> str:
    return f"{ctx.msg.channel}:{ctx.msg.user_id}"


async def _choose_entry(ctx: Context, question_id: int) -> list[Reply]:
    question = await repo.get_unanswered(ctx.session, question_id)
    if question is None:
        return [Reply(say("vi", "teach_no_question", number=question_id), "teach")]
    buttons = [Button(f"{entry.id}: {entry.ask.vi[0]}"[:60], f"teach:{question_id}:{entry.id}")
               for entry in ctx.week.faq]
    buttons.append(Button(ctx.t("btn_dismiss"), f"teach:{question_id}:{DISMISS}"))
    return [ctx.reply("teach_choose", "teach", buttons, number=question_id, question=question.sample[:200])]


async def _teach_reply(ctx: Context, question_id: int, faq_id: str) -> list[Reply]:
    try:
        text = await _teach(ctx.session, ctx.week, ctx.now, question_id, faq_id, _staff(ctx))
    except ValueError as exc:
        return [Reply(escape(str(exc)), "teach")]
    await staff_store.record_action(ctx.session, _staff(ctx), "chat", "teach", f"question:{question_id}",
                                    f"faq:{faq_id} {text}", ctx.now)
    ctx.after_commit.append(lambda: ctx.ports.learn(faq_id, [text]))
    return [ctx.reply("teach_done", "teach", question=text[:200], entry=faq_id)]


async def _dismiss_reply(ctx: Context, question_id: int) -> list[Reply]:
    try:
        await _dismiss(ctx.session, ctx.now, question_id, _staff(ctx))
    except ValueError as exc:
        return [Reply(escape(str(exc)), "teach")]
    await staff_store.record_action(ctx.session, _staff(ctx), "chat", "dismiss", f"question:{question_id}", "", ctx.now)
    return [ctx.reply("dismiss_done", "teach", number=question_id)]


def _usage(ctx: Context) -> Reply:
    return ctx.reply("teach_usage", "teach", entries=", ".join(e.id for e in ctx.week.faq))
