"""Greeting, help, menu, thanks and cancel: the ways in and out of every conversation."""
from __future__ import annotations

from content.texts import COMMAND_MENU
from handlers.common import Context
from handlers.types import Reply
from storage import repo


async def start(ctx: Context) -> list[Reply]:
    name = ctx.resident.name or ctx.t("greeting_default_name")
    return [ctx.reply("greeting", "start", ctx.menu_buttons(), name=name)]


async def greeting(ctx: Context) -> list[Reply]:
    replies = await start(ctx)
    replies[0].topic = "greeting"
    return replies


async def help_(ctx: Context) -> list[Reply]:
    return [ctx.reply("help", "help", ctx.menu_buttons())]


async def menu(ctx: Context) -> list[Reply]:
    return [ctx.reply("menu", "menu", ctx.menu_buttons())]


async def thanks(ctx: Context) -> list[Reply]:
    return [ctx.reply("thanks", "thanks", ctx.menu_buttons())]


async def cancel(ctx: Context) -> list[Reply]:
    await repo.clear_dialog(ctx.session, ctx.resident.id)
    return [ctx.reply("cancelled", "cancel", ctx.menu_buttons())]


async def unknown_command(ctx: Context, command: str) -> list[Reply]:
    # Topic "fallback": the bot did not understand. Staff-only commands answer exactly like this.
    # The commands the channel's menu shows (setMyCommands on Telegram): one list for both.
    commands = ", ".join(f"/{name}" for name, _ in COMMAND_MENU[ctx.lang])
    return [ctx.reply("unknown_command", "fallback", ctx.menu_buttons(), command=command, commands=commands)]


async def empty(ctx: Context) -> list[Reply]:
    return [ctx.reply("empty", "empty", ctx.menu_buttons())]


async def unsupported(ctx: Context) -> list[Reply]:
    return [ctx.reply("unsupported", "unsupported", ctx.menu_buttons())]
