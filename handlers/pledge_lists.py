"""Recorded pledges as people see them: the reference (KH-0042), the name shown, a resident's own
pledges (/camket, where one not yet paid can be cancelled) and the honour list (/vinhdanh)."""
from __future__ import annotations

import re

from content.texts import escape
from core.amounts import format_vnd
from core.numbers import DIGIT
from handlers.common import Context
from handlers.types import Button, Reply
from storage import repo
from storage.status import PledgeStatus

REFERENCE_PREFIX = "KH"
HONOUR_NAMES = 50


def reference(pledge_id: int) -> str:
    return f"{REFERENCE_PREFIX}-{pledge_id:04d}"


def parse_reference(text: str) -> int | None:
    """"KH-0042", "kh42", "KH0042", "42" -> 42."""
    m = re.fullmatch(rf"\s*(?:{REFERENCE_PREFIX}\s*-?\s*)?0*({DIGIT}{{1,12}})\s*", text, re.I)
    return int(m.group(1)) if m else None


def shown_name(ctx: Context, name: str | None, anonymous: bool) -> str:
    return ctx.t("pledge_anonymous") if anonymous or not name else name


async def my_pledges(ctx: Context) -> list[Reply]:
    pledges = await repo.pledges_of(ctx.session, ctx.resident.id)
    if not pledges:
        return [ctx.reply("my_pledges_none", "my_pledges", [Button(ctx.t("btn_pledge_now"), "pledge:start")],
                          fund=ctx.week.fund.name.get(ctx.lang))]
    tz = ctx.week.tz
    lines = [ctx.t("my_pledges")]
    buttons = []
    for p in pledges:
        lines.append(ctx.say("my_pledge_line", ref=reference(p.id), amount=format_vnd(p.amount),
                             status=ctx.t(f"pledge_status_{p.status}"),
                             date=p.created_at.astimezone(tz).strftime("%d/%m/%Y")))
        if p.status == PledgeStatus.PLEDGED:
            buttons.append(Button(ctx.label("btn_cancel_pledge", ref=reference(p.id)), f"pledge:cancel_ref:{p.id}"))
    return [Reply("\n".join(lines), "my_pledges", buttons + [Button(ctx.t("btn_menu"), "menu:menu")])]


async def cancel_pledge(ctx: Context, pledge_id: int) -> list[Reply]:
    pledge = await repo.get_pledge(ctx.session, pledge_id) if pledge_id else None
    ref = reference(pledge_id)
    if (pledge is None or pledge.resident_id != ctx.resident.id
            or not await repo.transition_pledge(ctx.session, pledge_id, PledgeStatus.PLEDGED, PledgeStatus.CANCELLED,
                                                ctx.now)):
        return [ctx.reply("pledge_cancel_not_allowed", "my_pledges", ctx.menu_buttons(), ref=ref)]
    return [ctx.reply("pledge_cancel_done", "pledge_cancelled", ctx.menu_buttons(), ref=ref)]


async def honour(ctx: Context) -> list[Reply]:
    paid = await repo.paid_pledges(ctx.session)
    fund = ctx.week.fund
    total = fund.raised_at_opening + sum(p.amount for p in paid)
    lines = [ctx.say("honour_title", fund=fund.name.get(ctx.lang), total=format_vnd(total), opening=format_vnd(fund.raised_at_opening))]
    if not paid:
        lines.append(ctx.t("honour_none"))
    for p in paid[:HONOUR_NAMES]:
        lines.append(f"• {escape(shown_name(ctx, p.display_name, p.anonymous))} · {format_vnd(p.amount)}")
    if len(paid) > HONOUR_NAMES:
        lines.append(ctx.say("honour_more", count=len(paid) - HONOUR_NAMES))
    return [Reply("\n".join(lines), "honour", [Button(ctx.t("btn_pledge_now"), "pledge:start")])]
