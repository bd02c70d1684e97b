"""Staff broadcast: write a notice, see a preview with the number of recipients, confirm."""
from __future__ import annotations

from core.delivery import broadcast_key
from handlers import web_signin
from handlers.common import Context
from handlers.types import Button, Reply
from storage import repo
from storage import staff as staff_store
from storage.models import DialogState
from storage.status import BroadcastStep

MAX_CHARS = 3000


async def _recipients(ctx: Context) -> int:
    return await repo.count_subscribers(ctx.session, list(ctx.ports.channels) or [ctx.msg.channel])


async def start(ctx: Context) -> list[Reply]:
    if ctx.args.strip():
        return await on_text(ctx, None, ctx.args)
    await repo.set_dialog(ctx.session, ctx.resident.id, BroadcastStep.TEXT, {}, ctx.now)
    return [ctx.reply("broadcast_ask", "broadcast_text", [Button(ctx.t("btn_cancel"), "broadcast:cancel")],
                      count=await _recipients(ctx))]


async def on_text(ctx: Context, dialog: DialogState | None, text: str) -> list[Reply]:
    text = text.strip()
    if len(text) > MAX_CHARS:
        return [ctx.reply("broadcast_too_long", "broadcast_text", length=ctx.cut_from or len(text),
                          limit=MAX_CHARS)]
    await repo.set_dialog(ctx.session, ctx.resident.id, BroadcastStep.CONFIRM, {"text": text}, ctx.now)
    return [ctx.reply("broadcast_preview", "broadcast_confirm",
                      [Button(ctx.t("btn_send"), "broadcast:send"), Button(ctx.t("btn_edit"), "broadcast:edit"),
                       Button(ctx.t("btn_cancel"), "broadcast:cancel")],
                      count=await _recipients(ctx), text=text)]


async def on_button(ctx: Context, action: str) -> list[Reply]:
    if action == "edit":
        return await start(ctx)
    if action == "cancel":
        await repo.clear_dialog(ctx.session, ctx.resident.id)
        return [ctx.reply("cancelled", "cancel", ctx.menu_buttons())]
    if action == "send":
        data = await repo.claim_dialog(ctx.session, ctx.resident.id, BroadcastStep.CONFIRM)
        if data is None:  # a second tap, or a re-delivered update
            return [ctx.reply("broadcast_nothing", "broadcast")]
        broadcast = await repo.create_broadcast(ctx.session, data["text"], ctx.msg.channel, ctx.msg.user_id, ctx.now)
        await staff_store.record_action(ctx.session, web_signin.staff_identity(ctx.msg.channel, ctx.msg.user_id),
                                        "chat", "broadcast", broadcast_key(broadcast.id), data["text"], ctx.now)
        count = await _recipients(ctx)
        jobs = ctx.ports.jobs
        if jobs is not None:  # otherwise the next start-up sends it (Broadcasts.resume)
            ctx.after_commit.append(lambda: jobs.start_broadcast(broadcast.id))
        return [ctx.reply("broadcast_started", "broadcast_started", id=broadcast.id, count=count)]
    return [ctx.reply("broadcast_nothing", "broadcast")]
