"""Staff tools: statistics, the pledge export, marking a pledge paid, new-pledge notices.

For anyone not in ADMIN_IDS these commands answer exactly like an unknown command (router).
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from content.render import dm
from content.schema import Week
from content.texts import escape
from core.amounts import format_vnd
from core.delivery import REMINDER_PREFIX, UNREACHABLE_FREE_ONLY, UNREACHABLE_ZALO_WINDOW
from core.language import language_of
from core.phone import format_phone
from handlers import teach, web_signin
from handlers.common import Context, Voice
from handlers.pledge_lists import parse_reference, reference, shown_name
from handlers.types import File, Outgoing, Reply
from storage import repo
from storage import staff as staff_store
from storage.models import Pledge
from storage.status import DeliveryStatus, PledgeStatus

EXPORT_COLUMNS = ["Mã", "Thời gian", "Số tiền (đ)", "Tên hiển thị", "Ẩn danh", "Điện thoại", "Trạng thái",
                  "Ngày nhận", "Kênh", "Tên tài khoản chat"]
STATUS_VI = {PledgeStatus.PLEDGED: "Chờ nộp", PledgeStatus.PAID: "Đã nhận", PledgeStatus.CANCELLED: "Đã hủy"}


def new_pledge_notice(ctx: Context, pledge: Pledge) -> Reply:
    phone = format_phone(pledge.phone) if pledge.phone else "—"
    to_staff = Voice(ctx.week, "vi")  # staff read Vietnamese, whatever the donor's language
    name = pledge.display_name or to_staff.t("pledge_anonymous")
    text = to_staff.say("staff_new_pledge", ref=reference(pledge.id), amount=format_vnd(pledge.amount), name=name,
                        phone=phone, channel=ctx.msg.channel)
    return Reply(text, "staff_new_pledge")


async def stats(ctx: Context) -> list[Reply]:
    residents, subscribers = await repo.count_residents(ctx.session)
    totals = await repo.pledge_totals(ctx.session)
    values = {"residents": residents, "subscribers": subscribers,
              "fund_total": format_vnd(ctx.week.fund.raised_at_opening + totals.get(PledgeStatus.PAID, (0, 0))[1])}
    for status in PledgeStatus:
        count, total = totals.get(status, (0, 0))
        values[f"{status}_count"], values[f"{status}_total"] = count, format_vnd(total)
    lines = [ctx.say("staff_stats", **values), ctx.say("staff_blocked", count=await repo.count_blocked(ctx.session))]
    unreached = await repo.staff_notice_failures(ctx.session)
    if unreached:
        lines.append(ctx.say("staff_unreached", count=sum(u.count for u in unreached)))
        lines += [ctx.say("staff_unreached_line", who=f"{u.channel}:{u.staff_id}", count=u.count,
                          when=u.last_at.astimezone(ctx.week.tz).strftime("%d/%m %H:%M")) for u in unreached]
    reminders = await repo.delivery_counts(ctx.session, REMINDER_PREFIX)
    if reminders:
        lines.append(ctx.t("staff_reminders"))
        for key in sorted(reminders):
            day = date.fromisoformat(key.split(":", 1)[1])
            counts = reminders[key]
            lines.append(ctx.say("staff_reminder_line", date=dm(day), sent=counts.get(DeliveryStatus.SENT, 0),
                                 failed=counts.get(DeliveryStatus.FAILED, 0) + counts.get(DeliveryStatus.BLOCKED, 0)))
    unreachable = await repo.unreachable_reasons(ctx.session)
    if unreachable:
        lines.append(ctx.t("staff_unreachable"))
        lines += [f"• {escape(_unreachable_reason(ctx, reason))}: {count}"
                  for reason, count in sorted(unreachable.items())]
    top = await repo.top_unanswered(ctx.session, 10)
    erased = await repo.count_erased_questions(ctx.session)
    lines.append(ctx.t("staff_unanswered") if top or erased else ctx.t("staff_unanswered_none"))
    lines += [ctx.say("staff_unanswered_line", number=q.id, question=q.sample[:120], count=q.count) for q in top]
    if erased:
        lines.append(ctx.say("staff_unanswered_erased", count=erased))
    return [Reply("\n".join(lines), "stats", teach.unanswered_buttons(top))]


def _unreachable_reason(ctx: Context, reason: str) -> str:
    """The rule that kept a message from a resident, in words for the known Zalo rules."""
    if reason == UNREACHABLE_FREE_ONLY:
        return ctx.t("staff_unreachable_free_only")
    if reason.startswith(UNREACHABLE_ZALO_WINDOW):
        return ctx.t("staff_unreachable_window")
    return reason[:80]


async def export(ctx: Context) -> list[Reply]:
    rows = [_row(ctx, pledge, resident) for pledge, resident in await repo.all_pledges(ctx.session)]
    stamp = ctx.now.astimezone(ctx.week.tz).strftime("%Y%m%d-%H%M")
    files = [File(f"cam-ket-{stamp}.csv", _csv(rows)), File(f"cam-ket-{stamp}.xlsx", _xlsx(rows))]
    return [Reply(ctx.say("staff_export", count=len(rows)), "export", files=files)]


async def paid(ctx: Context) -> list[Reply]:
    pledge_id = parse_reference(ctx.args) if ctx.args.strip() else None
    if pledge_id is None:
        return [ctx.reply("staff_paid_usage", "paid")]
    ref = reference(pledge_id)
    outcome, pledge, thanks = await mark_paid(ctx.session, ctx.week, pledge_id, ctx.now)
    if outcome != "done":
        return [ctx.reply(f"staff_paid_{outcome}", "paid", ref=ref)]
    ctx.outbox.append(thanks)
    await staff_store.record_action(ctx.session, web_signin.staff_identity(ctx.msg.channel, ctx.msg.user_id), "chat",
                                    "paid", ref, format_vnd(pledge.amount), ctx.now)
    name = pledge.display_name or ctx.t("pledge_anonymous")
    return [ctx.reply("staff_paid_done", "paid", ref=ref, amount=format_vnd(pledge.amount), name=name)]


async def mark_paid(session: AsyncSession, week: Week, pledge_id: int,
                    now: datetime) -> tuple[str, Pledge | None, Outgoing | None]:
    """Mark a pledge paid (chat /danhan and the staff page): the outcome ("done", "unknown",
    "cancelled", "already"), the pledge, and the donor's thank-you to send once committed."""
    pledge = await repo.get_pledge(session, pledge_id)
    if pledge is None:
        return "unknown", None, None
    if pledge.status != PledgeStatus.PLEDGED:
        return ("cancelled" if pledge.status == PledgeStatus.CANCELLED else "already"), pledge, None
    if not await repo.transition_pledge(session, pledge_id, PledgeStatus.PLEDGED, PledgeStatus.PAID, now):
        await session.refresh(pledge)  # changed a moment ago by someone else
        return ("cancelled" if pledge.status == PledgeStatus.CANCELLED else "already"), pledge, None
    await session.refresh(pledge)
    donor = await repo.get_resident(session, pledge.resident_id)
    lang = language_of(donor.language)
    thanks = Voice(week, lang).say("paid_thanks", amount=format_vnd(pledge.amount), ref=reference(pledge_id))
    return "done", pledge, Outgoing(donor.channel, donor.external_id, [Reply(thanks, "paid_thanks")])


def _row(ctx: Context, pledge: Pledge, resident) -> list[str]:
    tz = ctx.week.tz
    return [reference(pledge.id), pledge.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), str(pledge.amount),
            shown_name(ctx, pledge.display_name, pledge.anonymous), "có" if pledge.anonymous else "",
            format_phone(pledge.phone) if pledge.phone else "", STATUS_VI[pledge.status],  # spaced: Excel keeps the 0
            pledge.paid_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if pledge.paid_at else "",
            resident.channel, resident.name or ""]


def _cell(value: str) -> str:
    # A name like "=HYPERLINK(...)" must stay text in Excel (CSV/formula injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def _xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Cam kết"
    sheet.append(EXPORT_COLUMNS)
    for row in rows:
        values: list[object] = list(row)
        values[2] = int(row[2])  # the amount as a number, so Excel can sum it
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # text that looks like a formula ("=HYPERLINK(...)") stays text
                cell.data_type = "s"
    for column, width in zip("ABCDEFGHIJ", (9, 17, 13, 28, 8, 13, 10, 17, 10, 24)):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
