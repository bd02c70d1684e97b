"""/web (/quantri): a staff member gets a one-time link that signs them in to the staff pages.

The link is bound to who asked (channel:id), valid LINK_VALID, usable once; at most
LINKS_PER_WINDOW links per staff member per LINK_VALID, so a stolen chat cannot mint them in bulk.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from handlers.common import Context
from handlers.types import Reply
from storage import staff as staff_store

LINK_VALID = timedelta(minutes=10)
LINKS_PER_WINDOW = 5
SIGN_IN_PATH = "/dang-nhap/"


def staff_identity(channel: str, user_id: str) -> str:
    return f"{channel}:{user_id}"


async def web_link(ctx: Context) -> list[Reply]:
    staff = staff_identity(ctx.msg.channel, ctx.msg.user_id)
    minutes = int(LINK_VALID.total_seconds() // 60)
    if await staff_store.links_made_since(ctx.session, staff, ctx.now - LINK_VALID) >= LINKS_PER_WINDOW:
        return [ctx.reply("web_link_limit", "web", minutes=minutes)]
    token = secrets.token_urlsafe(32)
    await staff_store.add_link(ctx.session, token, staff, ctx.now, LINK_VALID)
    url = ctx.ports.web_url.rstrip("/") + SIGN_IN_PATH + token
    return [ctx.reply("web_link", "web", url=url, minutes=minutes)]
