"""Daily reminders: subscribing and unsubscribing (the sending is in jobs/)."""
from __future__ import annotations

from handlers.common import Context
from handlers.types import Reply
from storage import repo


async def subscribe(ctx: Context) -> list[Reply]:
    if ctx.today > ctx.week.event.end:
        return [ctx.reply("subscribe_after_week", "subscribe", ctx.menu_buttons())]
    if ctx.resident.subscribed:
        return [ctx.reply("already_subscribed", "subscribe", ctx.menu_buttons())]
    await repo.set_subscribed(ctx.session, ctx.resident, True, ctx.now)
    return [ctx.reply("subscribed", "subscribe", ctx.menu_buttons())]


async def unsubscribe(ctx: Context) -> list[Reply]:
    if not ctx.resident.subscribed:
        return [ctx.reply("not_subscribed", "unsubscribe", ctx.menu_buttons())]
    await repo.set_subscribed(ctx.session, ctx.resident, False, ctx.now)
    return [ctx.reply("unsubscribed", "unsubscribe", ctx.menu_buttons())]
