"""Daily reminders: subscribing and unsubscribing (the sending is in jobs/)."""
from __future__ import annotations

from handlers.common import Context
from core.delivery import reminder_key
from handlers.schedule import day_block
from handlers.types import Reply
from storage import repo
from storage.status import DeliveryStatus


async def subscribe(ctx: Context) -> list[Reply]:
    if ctx.today > ctx.week.event.end:
        return [ctx.reply("subscribe_after_week", "subscribe", ctx.menu_buttons())]
    await repo.refresh_subscription(ctx.session, ctx.resident)
    if ctx.resident.subscribed:
        return [ctx.reply("already_subscribed", "subscribe", ctx.menu_buttons())]
    await repo.set_subscribed(ctx.session, ctx.resident, True, ctx.now)
    replies = [ctx.reply("subscribed", "subscribe", ctx.menu_buttons())]
    if ctx.week.day(ctx.today) and ctx.now >= ctx.week.reminder_due(ctx.today):
        # Today's reminder has gone out: give today's program now, and record it as today's
        # delivery so that no catch-up sends it again. Reminders go on from tomorrow.
        replies.append(Reply(ctx.t("subscribed_today") + "\n\n" + day_block(ctx, ctx.week.day(ctx.today)),
                             "day", ctx.menu_buttons()))
        instance = ctx.ports.jobs.instance if ctx.ports.jobs else "inline"
        await repo.record_delivery(ctx.session, reminder_key(ctx.today), ctx.resident.id, DeliveryStatus.SENT,
                                   "on subscribing", instance, ctx.now)
    return replies


async def unsubscribe(ctx: Context) -> list[Reply]:
    await repo.refresh_subscription(ctx.session, ctx.resident)
    if not ctx.resident.subscribed:
        return [ctx.reply("not_subscribed", "unsubscribe", ctx.menu_buttons())]
    await repo.set_subscribed(ctx.session, ctx.resident, False, ctx.now)
    return [ctx.reply("unsubscribed", "unsubscribe", ctx.menu_buttons())]
