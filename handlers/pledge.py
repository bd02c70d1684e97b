"""Pledging to the study-encouragement fund: amount -> name -> phone -> confirmation.

Nothing is recorded until the resident confirms; the steps in between live in the dialog
state (database), so a restart loses nothing. The confirmation claims the dialog and records
the pledge in one transaction, keyed by the confirming message's id.
"""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from content.texts import escape
from core.amounts import format_vnd
from core.amounts import parse_amount_detailed
from core.numbers import DIGIT, read_int
from core.phone import format_phone, normalize_phone
from core.text import fold, normalize, strip_diacritics
from core.vietqr import vietqr_payload, vietqr_png
from handlers.common import Context
from handlers.types import Button, File, Outgoing, Reply
from storage import repo
from storage.models import DialogState, Pledge
from storage.status import PledgeStatus

ASK_AMOUNT, CHECK_AMOUNT, ASK_NAME, ASK_PHONE, CONFIRM = (
    "pledge_amount", "pledge_amount_check", "pledge_name", "pledge_phone", "pledge_confirm")
QUICK_AMOUNTS = (100_000, 200_000, 500_000, 1_000_000)
MAX_NAME = 64
REFERENCE_PREFIX = "KH"

_PLEDGE_VERB = re.compile(r"\b(?:ung ho|quyen gop|dong gop|gop|donate|pledge|give)\b")
_QUESTION = re.compile(r"\?|\b(?:chua|khong|bao nhieu|the nao|lam sao|o dau|how|what|where)\b")
_ANONYMOUS = {"an danh", "giau ten", "khong ghi ten", "khong de ten", "anonymous"}
# Recording money needs an unmistakable yes; "dạ", "ừ", "có" are also just acknowledgements.
_CONFIRM = {"xac nhan", "dong y", "ok", "oke", "okay", "yes", "confirm", "xac nhan ung ho", "dong y ung ho"}
# "Ý bạn là 500.000 đ phải không?" is a plain yes/no question.
_YES = _CONFIRM | {"co", "dung", "dung roi", "u", "uh", "uk", "vang", "da", "phai", "chinh xac", "chuan"}
_NO = {"huy", "khong", "thoi", "no", "cancel", "khong ung ho nua", "thoi khong ung ho", "huy ung ho"}
_EDIT = {"sua", "edit", "thay doi", "sua lai"}
_STOP_WORDS = {"hủy", "huỷ", "thôi", "thoi", "cancel", "stop", "dừng"}
_STOP_PHRASES = ("khong ung ho", "thoi khong", "huy ung ho", "dung ung ho")
_POLITE = {"nhe", "nha", "a", "ad", "admin", "bot", "oi", "nhe", "luon", "ban", "em", "anh", "chi"}
MIN_AMOUNT = 10_000  # below this a number is more likely a year or a typo than a gift
# How sure the bot must be that a message in the middle of a pledge is another question.
DIVERSION_THRESHOLD = 0.75
# A summary older than this is shown again before anything is recorded.
CONFIRM_WITHIN = timedelta(minutes=30)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def reference(pledge_id: int) -> str:
    return f"{REFERENCE_PREFIX}-{pledge_id:04d}"


def parse_reference(text: str) -> int | None:
    """"KH-0042", "kh42", "KH0042", "42" -> 42."""
    m = re.fullmatch(rf"\s*(?:{REFERENCE_PREFIX}\s*-?\s*)?0*({DIGIT}{{1,12}})\s*", text, re.I)
    return int(m.group(1)) if m else None


def amount_in_pledge_message(text: str) -> bool:
    """ "ủng hộ 500k", "gia đình tôi xin ủng hộ 2 triệu đồng": a pledge, not a question."""
    norm = normalize(text)
    if not _PLEDGE_VERB.search(norm) or _QUESTION.search(norm + (" ?" if "?" in text else "")):
        return False
    return parse_amount_detailed(text).amount is not None


# Entry points ---------------------------------------------------------------------------

async def start(ctx: Context, text: str | None = None) -> list[Reply]:
    """/ungho, the button, or a message that says it (with the amount, when given)."""
    text = text or ctx.args
    if text:
        return await _take_amount(ctx, {}, text)
    await _goto(ctx, ASK_AMOUNT, {})
    return [_ask_amount(ctx)]


def _answer_words(text: str) -> str:
    """ "Xác nhận nhé ad!" -> "xac nhan": the answer without the politeness around it."""
    return " ".join(w for w in normalize(text).split() if w not in _POLITE)


async def on_text(ctx: Context, dialog: DialogState, text: str) -> list[Reply]:
    """A typed answer to the step the resident is at."""
    data = dict(dialog.data)
    word = _answer_words(text)
    if dialog.state == ASK_AMOUNT:
        return await _take_amount(ctx, data, text)
    if dialog.state == CHECK_AMOUNT:
        if word in _YES:
            return await _amount_ok(ctx, data, data.pop("suggestion"))
        return await _take_amount(ctx, data, text)
    if dialog.state == ASK_NAME:
        return await _take_name_text(ctx, data, text)
    if dialog.state == ASK_PHONE:
        return await _take_phone(ctx, data, text)
    if dialog.state == CONFIRM:
        if word in _CONFIRM:
            return await confirm(ctx)
        if word in _EDIT:
            return [_ask_edit(ctx)]
        if word in _NO:
            return await cancel(ctx)
        return await _elsewhere(ctx, text, "pledge_step_confirm", lambda: [_summary(ctx, data)])
    return await start(ctx)


async def on_button(ctx: Context, action: str) -> list[Reply]:
    """Buttons: pledge:start, pledge:amount:<đ>, pledge:name, pledge:anonymous, pledge:skip_phone,
    pledge:confirm, pledge:edit[:<field>], pledge:cancel, pledge:cancel_ref:<id>."""
    verb, _, arg = action.partition(":")
    if verb == "start":
        return await start(ctx)
    if verb == "cancel_ref":
        return await cancel_pledge(ctx, read_int(arg) or 0)
    if verb == "cancel":
        return await cancel(ctx)
    if verb == "confirm":
        return await confirm(ctx, version=arg)
    dialog = ctx.dialog
    if dialog is None or not dialog.state.startswith("pledge_"):
        return [ctx.reply("pledge_nothing_pending", "pledge", ctx.menu_buttons())]
    data = dict(dialog.data)
    if not _NEEDS.get(verb, set()) <= data.keys():  # a button of a later step, from an older message
        return [_ask_again(ctx, dialog.state, data)]
    amount = read_int(arg) if verb == "amount" else None
    if amount is not None:
        data.pop("suggestion", None)
        return await _amount_ok(ctx, data, amount)
    if verb == "name":
        return await _take_name(ctx, data, ctx.resident.name or "")
    if verb == "anonymous":
        return await _take_name(ctx, data, None)
    if verb == "skip_phone":
        return await _phone_ok(ctx, data, None)
    if verb == "edit" and arg in EDIT_STEPS:
        data["editing"] = True
        state, ask = EDIT_STEPS[arg]
        await _goto(ctx, state, data)
        return [ask(ctx, data)]
    if verb == "edit":
        return [_ask_edit(ctx)]
    return [_summary(ctx, data)] if dialog.state == CONFIRM else await start(ctx)


# What a button's step needs to know already: "skip phone" from another pledge's message, pressed
# before this one has an amount, must not reach the summary.
_NEEDS = {"name": {"amount"}, "anonymous": {"amount"}, "skip_phone": {"amount", "anonymous"},
          "edit": {"amount", "anonymous", "phone"}}


def _ask_again(ctx: Context, state: str, data: dict) -> Reply:
    """The question of the step the resident is at."""
    if state == CONFIRM:
        return _summary(ctx, data)
    if state == ASK_PHONE:
        return _ask_phone(ctx, data)
    if state == ASK_NAME:
        return _ask_name(ctx, data)
    return _ask_amount(ctx, data)


async def cancel(ctx: Context) -> list[Reply]:
    await repo.clear_dialog(ctx.session, ctx.resident.id)
    return [ctx.reply("pledge_cancelled", "pledge_cancelled", ctx.menu_buttons())]


# Steps ------------------------------------------------------------------------------------

async def _goto(ctx: Context, state: str, data: dict) -> None:
    await repo.set_dialog(ctx.session, ctx.resident.id, state, data, ctx.now)


def _amount_buttons(ctx: Context) -> list[Button]:
    return [Button(format_vnd(a), f"pledge:amount:{a}") for a in QUICK_AMOUNTS] + [
        Button(ctx.t("btn_cancel"), "pledge:cancel")]


def _ask_amount(ctx: Context, data: dict | None = None) -> Reply:  # noqa: ARG001 (same shape as the others)
    return ctx.reply("pledge_ask_amount", "pledge_amount", _amount_buttons(ctx), fund=ctx.week.fund.name.get(ctx.lang))


async def _take_amount(ctx: Context, data: dict, text: str) -> list[Reply]:
    result = parse_amount_detailed(text)
    retry = _amount_buttons(ctx)
    if result.reason == "bare_small" and result.suggestion:
        data["suggestion"] = result.suggestion
        await _goto(ctx, CHECK_AMOUNT, data)
        return [ctx.reply("pledge_amount_check", "pledge_amount_check",
                          [Button(ctx.t("btn_yes"), f"pledge:amount:{result.suggestion}"),
                           Button(ctx.t("btn_no"), "pledge:edit:amount")], amount=format_vnd(result.suggestion))]
    await _goto(ctx, ASK_AMOUNT, data)
    if result.amount is None or result.reason == "not_understood":
        return await _elsewhere(ctx, text, "pledge_step_amount", lambda: [
            ctx.reply("pledge_amount_unclear", "pledge_amount_invalid", retry, text=text[:100])])
    if result.amount < 0:
        return [ctx.reply("pledge_amount_negative", "pledge_amount_invalid", retry)]
    if result.amount == 0:
        return [ctx.reply("pledge_amount_zero", "pledge_amount_invalid", retry)]
    return await _amount_ok(ctx, data, result.amount)


async def _amount_ok(ctx: Context, data: dict, amount: int) -> list[Reply]:
    limit = ctx.week.fund.max_pledge
    if amount < MIN_AMOUNT:  # "2023" typed alone, or a forged button: not a gift anyone means
        await _goto(ctx, ASK_AMOUNT, data)
        return [ctx.reply("pledge_amount_small", "pledge_amount_invalid", _amount_buttons(ctx),
                          min=format_vnd(MIN_AMOUNT))]
    if amount > limit:
        await _goto(ctx, ASK_AMOUNT, data)
        return [ctx.reply("pledge_amount_too_big", "pledge_amount_invalid", _amount_buttons(ctx), max=format_vnd(limit))]
    data["amount"] = amount
    if data.pop("editing", False) and "anonymous" in data:
        return await _to_confirm(ctx, data)
    await _goto(ctx, ASK_NAME, data)
    return [_ask_name(ctx, data)]


def _ask_name(ctx: Context, data: dict) -> Reply:
    buttons = []
    if ctx.resident.name:
        buttons.append(Button(ctx.label("btn_use_name", name=ctx.resident.name[:30]), "pledge:name"))
    buttons += [Button(ctx.t("btn_anonymous"), "pledge:anonymous"), Button(ctx.t("btn_cancel"), "pledge:cancel")]
    return ctx.reply("pledge_ask_name", "pledge_name", buttons, amount=format_vnd(data["amount"]))


async def _take_name_text(ctx: Context, data: dict, text: str) -> list[Reply]:
    """A typed name: unless it says stop, or is plainly a question about something else."""
    said = " ".join(text.lower().split())
    # Diacritics matter here: "hủy" is "cancel", "Huy" is a name.
    if said.strip(" .!") in _STOP_WORDS or any(phrase in fold(said) for phrase in _STOP_PHRASES):
        return await cancel(ctx)
    replies = await ctx.ports.understand(ctx, text, DIVERSION_THRESHOLD)
    if replies:
        replies.append(Reply(ctx.say("pledge_continue", step=ctx.t("pledge_step_name")), "pledge_reminder"))
        return replies
    return await _take_name(ctx, data, text)


async def _take_name(ctx: Context, data: dict, name: str | None) -> list[Reply]:
    cleaned = " ".join(_CONTROL.sub(" ", name or "").split())[:MAX_NAME]
    anonymous = not cleaned or normalize(cleaned) in _ANONYMOUS
    data.update(name=None if anonymous else cleaned, anonymous=anonymous)
    if data.pop("editing", False) and "phone" in data:
        return await _to_confirm(ctx, data)
    await _goto(ctx, ASK_PHONE, data)
    return [_ask_phone(ctx, data)]


def _ask_phone(ctx: Context, data: dict) -> Reply:
    return ctx.reply("pledge_ask_phone", "pledge_phone",
                     [Button(ctx.t("btn_skip_phone"), "pledge:skip_phone"), Button(ctx.t("btn_cancel"), "pledge:cancel")])


async def _take_phone(ctx: Context, data: dict, text: str) -> list[Reply]:
    if normalize(text) in {"bo qua", "khong", "skip", "no", "k co", "khong co"}:
        return await _phone_ok(ctx, data, None)
    phone = normalize_phone(text)
    if phone is None:
        return await _elsewhere(ctx, text, "pledge_step_phone", lambda: [ctx.reply(
            "pledge_phone_invalid", "pledge_phone_invalid",
            [Button(ctx.t("btn_skip_phone"), "pledge:skip_phone"), Button(ctx.t("btn_cancel"), "pledge:cancel")],
            text=text[:40])])
    return await _phone_ok(ctx, data, phone)


async def _phone_ok(ctx: Context, data: dict, phone: str | None) -> list[Reply]:
    data["phone"] = phone
    data.pop("editing", None)
    return await _to_confirm(ctx, data)


async def _to_confirm(ctx: Context, data: dict) -> list[Reply]:
    await _goto(ctx, CONFIRM, data)
    return [_summary(ctx, data)]


EDIT_STEPS = {"amount": (ASK_AMOUNT, _ask_amount), "name": (ASK_NAME, _ask_name), "phone": (ASK_PHONE, _ask_phone)}


def shown_name(ctx: Context, name: str | None, anonymous: bool) -> str:
    return ctx.t("pledge_anonymous") if anonymous or not name else name


def summary_version(data: dict) -> str:
    """Names the summary a Confirm button was shown under, so that an older one confirms nothing."""
    seen = f"{data.get('amount')}|{data.get('name')}|{data.get('anonymous')}|{data.get('phone')}"
    return hashlib.sha256(seen.encode()).hexdigest()[:8]


def _summary(ctx: Context, data: dict) -> Reply:
    phone = format_phone(data["phone"]) if data.get("phone") else ctx.t("pledge_no_phone")
    return ctx.reply("pledge_summary", "pledge_confirm",
                     [Button(ctx.t("btn_confirm"), f"pledge:confirm:{summary_version(data)}"),
                      Button(ctx.t("btn_edit"), "pledge:edit"),
                      Button(ctx.t("btn_cancel"), "pledge:cancel")],
                     amount=format_vnd(data["amount"]), name=shown_name(ctx, data.get("name"), data.get("anonymous", False)),
                     phone=phone)


def _ask_edit(ctx: Context) -> Reply:
    return ctx.reply("pledge_edit_which", "pledge_edit",
                     [Button(ctx.t("btn_edit_amount"), "pledge:edit:amount"),
                      Button(ctx.t("btn_edit_name"), "pledge:edit:name"),
                      Button(ctx.t("btn_edit_phone"), "pledge:edit:phone")])


async def _elsewhere(ctx: Context, text: str, step: str, otherwise) -> list[Reply]:
    """A message that is not an answer to the step may be a question: answer it, then remind."""
    replies = await ctx.ports.understand(ctx, text, DIVERSION_THRESHOLD)
    if not replies:
        return otherwise()
    replies.append(Reply(ctx.say("pledge_continue", step=ctx.t(step)), "pledge_reminder"))
    return replies


# Confirmation -----------------------------------------------------------------------------

async def confirm(ctx: Context, version: str = "") -> list[Reply]:
    """Record the pledge in the summary. `version`: the summary the button was under, if a button."""
    # Message ids are only unique within one chat: the key names the resident too.
    key = f"{ctx.msg.channel}:{ctx.msg.user_id}:{ctx.msg.message_id or ''}"
    existing = await repo.pledge_by_confirm_key(ctx.session, key) if ctx.msg.message_id else None
    if existing is not None and existing.resident_id == ctx.resident.id:
        return _thanks(ctx, existing)  # the same update delivered again: answer again, record nothing
    dialog = ctx.dialog
    if dialog is None or dialog.state != CONFIRM:
        return [ctx.reply("pledge_nothing_pending", "pledge", ctx.menu_buttons())]
    if (version and version != summary_version(dialog.data)) or ctx.now - dialog.updated_at > CONFIRM_WITHIN:
        # A Confirm under an older summary, or a summary left for long: show what would be recorded.
        await _goto(ctx, CONFIRM, dict(dialog.data))
        return [_summary(ctx, dict(dialog.data))]
    data = await repo.claim_dialog(ctx.session, ctx.resident.id, CONFIRM)
    if data is None:
        return [ctx.reply("pledge_nothing_pending", "pledge", ctx.menu_buttons())]
    if not ctx.msg.message_id:
        key += f"at-{ctx.now.timestamp()}"
    pledge = await repo.create_pledge(ctx.session, ctx.resident.id, data["amount"], data.get("name"),
                                      data.get("anonymous", False), data.get("phone"), key, ctx.now)
    _announce_to_staff(ctx, pledge)
    return _thanks(ctx, pledge)


def _thanks(ctx: Context, pledge: Pledge) -> list[Reply]:
    ref = reference(pledge.id)
    name = shown_name(ctx, pledge.display_name, pledge.anonymous)
    replies = [ctx.reply("pledge_thanks", "pledge_done", [], name=name, amount=format_vnd(pledge.amount), ref=ref)]
    bank = ctx.week.fund.bank
    if bank:
        memo = transfer_memo(ref)
        payload = vietqr_payload(bank.bin, bank.account, pledge.amount, memo)
        replies.append(Reply(
            ctx.say("pledge_pay_bank", bank=bank.bank_name.get(ctx.lang), account=bank.account,
                    holder=bank.account_name, memo=memo),
            "pledge_pay", ctx.menu_buttons(), [File(f"vietqr-{ref}.png", vietqr_png(payload))]))
    else:
        replies.append(ctx.reply("pledge_pay_office", "pledge_pay", ctx.menu_buttons(),
                                 office=ctx.week.ward.office.get(ctx.lang), ref=ref))
    return replies


def transfer_memo(ref: str) -> str:
    """What the resident's bank transfer says: the reference first, ASCII, at most 25 characters."""
    return strip_diacritics(f"{ref.replace('-', '')} ung ho khuyen hoc")[:25].strip()


def _announce_to_staff(ctx: Context, pledge: Pledge) -> None:
    from handlers.staff import new_pledge_notice

    for channel, user_id in sorted(ctx.ports.staff):
        ctx.outbox.append(Outgoing(channel, user_id, [new_pledge_notice(ctx, pledge)]))


# The resident's pledges and the honour list --------------------------------------------

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


HONOUR_NAMES = 50


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
