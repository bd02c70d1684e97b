"""Answers from the week file's FAQ, and the honest "I don't know" when nothing fits."""
from __future__ import annotations

import html

from content.render import faq_answer
from core.text import mask_personal, normalize
from handlers.common import Context
from handlers.types import Button, Reply
from storage import repo

FAQ_LIST_SIZE = 8


async def answer(ctx: Context, faq_id: str) -> list[Reply]:
    entry = next((f for f in ctx.week.faq if f.id == faq_id), None)
    if entry is None:  # a button from an older version of the week file
        return await faq_list(ctx)
    text = html.escape(faq_answer(ctx.week, entry, ctx.lang), quote=False)
    buttons = ctx.menu_buttons()
    return [Reply(text, f"faq:{faq_id}", buttons)]


async def faq_list(ctx: Context) -> list[Reply]:
    buttons = []
    for entry in ctx.week.faq[:FAQ_LIST_SIZE]:
        asks = entry.ask.en if ctx.lang == "en" and entry.ask.en else entry.ask.vi
        label = asks[0][:1].upper() + asks[0][1:] + "?"
        buttons.append(Button(label, f"faq:{entry.id}"))
    return [ctx.reply("faq_list", "faq_list", buttons)]


async def fallback(ctx: Context, text: str) -> list[Reply]:
    # Kept for staff without the asker, and without numbers that could identify someone.
    kept = mask_personal(text)
    await repo.record_unanswered(ctx.session, ctx.resident.id, normalize(kept) or kept.strip().lower(), kept, ctx.now)
    return [ctx.reply("fallback", "fallback", ctx.menu_buttons())]


async def too_long(ctx: Context, text: str) -> list[Reply]:
    kept = mask_personal(text)  # the start of it: mask_personal reads at most KEEP_CHARS
    await repo.record_unanswered(ctx.session, ctx.resident.id, normalize(kept[:500]), kept, ctx.now)
    return [ctx.reply("too_long", "too_long", ctx.menu_buttons(), length=ctx.cut_from or len(text),
                      limit=ctx.assistant.max_message_chars)]
