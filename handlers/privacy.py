"""A resident's right to have their personal data deleted (Decree 13/2023/NĐ-CP)."""
from __future__ import annotations

from handlers.common import Context
from handlers.types import Button, Reply
from storage import repo


async def ask(ctx: Context) -> list[Reply]:
    return [ctx.reply("erase_ask", "erase_ask", [Button(ctx.t("btn_erase"), "privacy:erase"),
                                                 Button(ctx.t("btn_cancel"), "menu:cancel")])]


async def erase(ctx: Context) -> list[Reply]:
    pledges = await repo.erase_resident(ctx.session, ctx.resident, ctx.now)
    return [ctx.reply("erase_done", "erase", ctx.menu_buttons(), pledges=pledges)]
