"""Answers from the week file's FAQ, and the honest "I don't know" when nothing fits."""
from __future__ import annotations

from content.render import content_texts, faq_answer, filled
from content.schema import LANGS, Week
from content.texts import INTENTS, TEXTS, escape
from core.matcher import Matcher, words
from core.text import mask_personal, normalize
from handlers.common import Context
from handlers.types import Button, Reply
from storage import repo

FAQ_LIST_SIZE = 8


INTENT_ANSWERS = {"schedule": "schedule_footer", "subscribe": "subscribed", "unsubscribe": "unsubscribed",
                  "help": "help", "thanks": "thanks"}


def matcher_for(week: Week, taught: dict[str, list[str]], intents: dict[str, list[str]] = INTENTS) -> Matcher:
    """What free text is matched against: the intents' phrasings, each FAQ entry's asks (and
    sub-answers' asks, as "faq:<id>.<sub>") with the wordings staff taught, each answer's text as
    evidence, the days' program as evidence for the schedule, the event's facts as known words."""
    entries = {f"intent:{k}": list(v) for k, v in intents.items()}
    # What the bot says for an intent tells what the intent is about, as an answer does.
    evidence = {f"intent:{k}": [TEXTS[lang][text] for lang in LANGS] for k, text in INTENT_ANSWERS.items()}
    for entry in week.faq:
        key = f"faq:{entry.id}"
        entries[key] = entry.ask.vi + entry.ask.en + taught.get(entry.id, [])
        evidence[key] = [faq_answer(week, entry, lang) for lang in LANGS]
        for sub in entry.more:
            entries[f"{key}.{sub.id}"] = sub.ask.vi + sub.ask.en
            evidence[f"{key}.{sub.id}"] = [filled(week, sub.answer, lang) for lang in LANGS]
    for day in week.days:
        evidence["intent:schedule"] += [t for a in day.activities for t in (a.text.vi, a.text.en) if t]
    name = week.event.name
    return Matcher(entries, background=frozenset(words(name.vi) + words(name.en or "")), evidence=evidence,
                   context=content_texts(week))


async def answer(ctx: Context, faq_id: str) -> list[Reply]:
    entry_id, _, sub_id = faq_id.partition(".")
    entry = next((f for f in ctx.week.faq if f.id == entry_id), None)
    if entry is None:  # a button from an older version of the week file
        return await faq_list(ctx)
    text = escape(faq_answer(ctx.week, entry, ctx.lang, entry.sub(sub_id)))
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
                      limit=ctx.ports.max_message_chars)]
