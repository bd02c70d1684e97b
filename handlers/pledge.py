"""Pledging to the study-encouragement fund: amount -> name -> phone -> confirmation.

Nothing is recorded until the resident confirms; the steps in between live in the dialog
state (database), so a restart loses nothing. The confirmation claims the dialog and records
the pledge in one transaction, keyed by the confirming message's id.

The flow. The states are storage.status.PledgeStep; STEPS (below) says what each asks, what it
takes and where it may lead ("end": the dialog row is removed, nothing more is asked).

    /ungho, the Pledge button,                "ủng hộ 500k"
    "em muốn đóng góp"                        (the amount said at once)
            │                                          │
            ▼            a bare "500"                  │
     pledge_amount ──────────────► pledge_amount_check │
      │  ▲    ▲                        │      │        │
      │  │    └─ "no", not an amount ──┘      │        │
      │  └─ unclear, out of range             │        │
      │                       "yes", another  │        │
      │ an amount                     amount  ▼        │
      └─────────────────────────────────► pledge_name ◄┘
                                               │ a name, their own, or "ẩn danh"
                                               ▼
                                          pledge_phone
                                               │ a phone number, or Skip
                                               ▼
                                          pledge_confirm ── Confirm ──► recorded, staff told (end)
                                               │   ▲
                                 Edit: amount, │   │ the new answer: straight back
                                 name or phone ▼   │
                                  pledge_amount / _name / _phone

    Cancel (its button at every step; "hủy", "không" where words are read) ──► end.
    A question asked mid-way is answered and the step recalled; the state stays.
    A button of an older message answers its own step, once the steps before that are answered.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from core.amounts import format_vnd
from core.amounts import parse_amount_detailed
from core.numbers import read_int
from core.phone import format_phone, normalize_phone
from core.text import fold, normalize, strip_diacritics
from core.vietqr import vietqr_payload, vietqr_png
from handlers.common import Context
from handlers.pledge_draft import PledgeDraft
# The router and the staff pages reach these through this module.
from handlers.pledge_lists import cancel_pledge, reference, shown_name
from handlers.types import Button, File, Outgoing, Reply
from storage import repo
from storage.models import DialogState, Pledge
from storage.status import PledgeStep

QUICK_AMOUNTS = (100_000, 200_000, 500_000, 1_000_000)
MAX_NAME = 64

_PLEDGE_VERB = re.compile(r"\b(?:ung ho|quyen gop|dong gop|gop|donate|pledge|give)\b")
_QUESTION = re.compile(r"\?|\b(?:chua|khong|bao nhieu|the nao|lam sao|o dau|how|what|where)\b")
_ANONYMOUS = {"an danh", "giau ten", "khong ghi ten", "khong de ten", "anonymous", "de an danh", "cho an danh",
              "xin an danh", "ung ho an danh", "khong can ten", "khong muon ghi ten"}
# Recording money needs an unmistakable yes; "dạ", "ừ", "có" are also just acknowledgements.
_CONFIRM = {"xac nhan", "dong y", "ok", "oke", "okay", "yes", "confirm", "xac nhan ung ho", "dong y ung ho"}
# "Ý bạn là 500.000 đ phải không?" is a plain yes/no question.
_YES = _CONFIRM | {"co", "dung", "dung roi", "u", "uh", "uk", "vang", "da", "phai", "chinh xac", "chuan"}
_NO = {"huy", "khong", "thoi", "no", "cancel", "khong ung ho nua", "thoi khong ung ho", "huy ung ho"}
_EDIT = {"sua", "edit", "thay doi", "sua lai"}
_STOP_WORDS = {"hủy", "huỷ", "thôi", "thoi", "cancel", "stop", "dừng"}
_STOP_PHRASES = ("khong ung ho", "thoi khong", "huy ung ho", "dung ung ho")
_SKIP_PHONE = {"bo qua", "khong", "skip", "no", "k co", "khong co"}
_POLITE = {"nhe", "nha", "a", "ad", "admin", "bot", "oi", "nhe", "luon", "ban", "em", "anh", "chi"}
MIN_AMOUNT = 10_000  # below this a number is more likely a year or a typo than a gift
# How sure the bot must be that a message in the middle of a pledge is another question.
DIVERSION_THRESHOLD = 0.75
# A summary older than this is shown again before anything is recorded.
CONFIRM_WITHIN = timedelta(minutes=30)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
        return await _take_amount(ctx, PledgeDraft(), text)
    await _goto(ctx, PledgeStep.AMOUNT, PledgeDraft())
    return [_ask_amount(ctx)]


async def on_text(ctx: Context, dialog: DialogState, text: str) -> list[Reply]:
    """A typed answer to the step the resident is at."""
    at = PledgeStep.of(dialog.state)
    if at is None:
        return await start(ctx)
    return await STEPS[at].accepts(ctx, PledgeDraft.from_dict(dialog.data), text)


async def on_button(ctx: Context, action: str) -> list[Reply]:
    """Buttons: pledge:start, pledge:amount:<đ>, pledge:name, pledge:anonymous, pledge:skip_phone,
    pledge:confirm[:<summary version>], pledge:edit[:<field>], pledge:cancel, pledge:cancel_ref:<id>."""
    verb, _, arg = action.partition(":")
    if verb == "start":
        return await start(ctx)
    if verb == "cancel_ref":
        return await cancel_pledge(ctx, read_int(arg) or 0)
    if verb == "cancel":
        return await cancel(ctx)
    if verb == "confirm":
        return await confirm(ctx, version=arg)
    at = PledgeStep.of(ctx.dialog.state) if ctx.dialog is not None else None
    if at is None:
        return [ctx.reply("pledge_nothing_pending", "pledge", ctx.menu_buttons())]
    draft = PledgeDraft.from_dict(ctx.dialog.data)
    answers, press = _ANSWER_BUTTONS.get(verb, (None, _not_ours))
    if answers is not None and not STEPS[answers].needs <= draft.answered():
        return [STEPS[at].asks(ctx, draft)]  # a button of a later step, from an older message
    replies = await press(ctx, draft, arg)
    if replies is None:  # not one of our buttons
        return [_summary(ctx, draft)] if at == PledgeStep.CONFIRM else await start(ctx)
    return replies


async def cancel(ctx: Context) -> list[Reply]:
    await repo.clear_dialog(ctx.session, ctx.resident.id)
    return [ctx.reply("pledge_cancelled", "pledge_cancelled", ctx.menu_buttons())]


# Steps ------------------------------------------------------------------------------------

async def _goto(ctx: Context, step: PledgeStep, draft: PledgeDraft) -> None:
    await repo.set_dialog(ctx.session, ctx.resident.id, step, draft.to_dict(), ctx.now)


def _answer_words(text: str) -> str:
    """ "Xác nhận nhé ad!" -> "xac nhan": the answer without the politeness around it."""
    return " ".join(w for w in normalize(text).split() if w not in _POLITE)


def _amount_buttons(ctx: Context) -> list[Button]:
    return [Button(format_vnd(a), f"pledge:amount:{a}") for a in QUICK_AMOUNTS] + [
        Button(ctx.t("btn_cancel"), "pledge:cancel")]


def _ask_amount(ctx: Context, draft: PledgeDraft | None = None) -> Reply:  # noqa: ARG001 (same shape as the others)
    return ctx.reply("pledge_ask_amount", "pledge_amount", _amount_buttons(ctx), fund=ctx.week.fund.name.get(ctx.lang))


async def _take_amount(ctx: Context, draft: PledgeDraft, text: str) -> list[Reply]:
    result = parse_amount_detailed(text)
    retry = _amount_buttons(ctx)
    if result.reason == "bare_small" and result.suggestion:
        draft.suggestion = result.suggestion
        await _goto(ctx, PledgeStep.AMOUNT_CHECK, draft)
        return [ctx.reply("pledge_amount_check", "pledge_amount_check",
                          [Button(ctx.t("btn_yes"), f"pledge:amount:{result.suggestion}"),
                           Button(ctx.t("btn_no"), "pledge:edit:amount")], amount=format_vnd(result.suggestion))]
    if result.amount is None or result.reason == "not_understood":
        await _goto(ctx, PledgeStep.AMOUNT, draft)
        return await _elsewhere(ctx, text, "pledge_step_amount", lambda: [
            ctx.reply("pledge_amount_unclear", "pledge_amount_invalid", retry, text=text[:100])])
    if result.amount < 0:
        await _goto(ctx, PledgeStep.AMOUNT, draft)
        return [ctx.reply("pledge_amount_negative", "pledge_amount_invalid", retry)]
    if result.amount == 0:
        await _goto(ctx, PledgeStep.AMOUNT, draft)
        return [ctx.reply("pledge_amount_zero", "pledge_amount_invalid", retry)]
    return await _amount_ok(ctx, draft, result.amount)


async def _take_suggestion(ctx: Context, draft: PledgeDraft, text: str) -> list[Reply]:
    """The answer to "Did you mean 500.000 đ?": yes, or the amount meant."""
    if _answer_words(text) in _YES and draft.suggestion is not None:
        amount, draft.suggestion = draft.suggestion, None
        return await _amount_ok(ctx, draft, amount)
    return await _take_amount(ctx, draft, text)


async def _amount_ok(ctx: Context, draft: PledgeDraft, amount: int) -> list[Reply]:
    limit = ctx.week.fund.max_pledge
    if amount < MIN_AMOUNT:  # "2023" typed alone, or a forged button: not a gift anyone means
        await _goto(ctx, PledgeStep.AMOUNT, draft)
        return [ctx.reply("pledge_amount_small", "pledge_amount_invalid", _amount_buttons(ctx),
                          min=format_vnd(MIN_AMOUNT))]
    if amount > limit:
        await _goto(ctx, PledgeStep.AMOUNT, draft)
        return [ctx.reply("pledge_amount_too_big", "pledge_amount_invalid", _amount_buttons(ctx), max=format_vnd(limit))]
    draft.amount = amount
    return await _next(ctx, draft, PledgeStep.NAME)


def _ask_name(ctx: Context, draft: PledgeDraft) -> Reply:
    buttons = []
    if ctx.resident.name:
        buttons.append(Button(ctx.label("btn_use_name", name=ctx.resident.name[:30]), "pledge:name"))
    buttons += [Button(ctx.t("btn_anonymous"), "pledge:anonymous"), Button(ctx.t("btn_cancel"), "pledge:cancel")]
    return ctx.reply("pledge_ask_name", "pledge_name", buttons, amount=format_vnd(draft.amount))


async def _take_name_text(ctx: Context, draft: PledgeDraft, text: str) -> list[Reply]:
    """A typed name: unless it says stop, or is plainly a question about something else."""
    said = " ".join(text.lower().split())
    # Diacritics matter here: "hủy" is "cancel", "Huy" is a name.
    if said.strip(" .!") in _STOP_WORDS or any(phrase in fold(said) for phrase in _STOP_PHRASES):
        return await cancel(ctx)
    if _answer_words(text) in _ANONYMOUS:  # the answer, not the FAQ entry about giving anonymously
        return await _take_name(ctx, draft, None)
    replies = await ctx.ports.understand(ctx, text, DIVERSION_THRESHOLD)
    if replies:
        replies.append(Reply(ctx.say("pledge_continue", step=ctx.t("pledge_step_name")), "pledge_reminder"))
        return replies
    return await _take_name(ctx, draft, text)


async def _take_name(ctx: Context, draft: PledgeDraft, name: str | None) -> list[Reply]:
    cleaned = " ".join(_CONTROL.sub(" ", name or "").split())[:MAX_NAME]
    anonymous = not cleaned or normalize(cleaned) in _ANONYMOUS
    draft.set_name(None if anonymous else cleaned)
    return await _next(ctx, draft, PledgeStep.PHONE)


def _ask_phone(ctx: Context, draft: PledgeDraft) -> Reply:  # noqa: ARG001 (same shape as the others)
    return ctx.reply("pledge_ask_phone", "pledge_phone",
                     [Button(ctx.t("btn_skip_phone"), "pledge:skip_phone"), Button(ctx.t("btn_cancel"), "pledge:cancel")])


async def _take_phone(ctx: Context, draft: PledgeDraft, text: str) -> list[Reply]:
    if normalize(text) in _SKIP_PHONE:
        return await _phone_ok(ctx, draft, None)
    phone = normalize_phone(text)
    if phone is None:
        return await _elsewhere(ctx, text, "pledge_step_phone", lambda: [ctx.reply(
            "pledge_phone_invalid", "pledge_phone_invalid",
            [Button(ctx.t("btn_skip_phone"), "pledge:skip_phone"), Button(ctx.t("btn_cancel"), "pledge:cancel")],
            text=text[:40])])
    return await _phone_ok(ctx, draft, phone)


async def _phone_ok(ctx: Context, draft: PledgeDraft, phone: str | None) -> list[Reply]:
    draft.set_phone(phone)
    return await _next(ctx, draft, PledgeStep.CONFIRM)


async def _next(ctx: Context, draft: PledgeDraft, step: PledgeStep) -> list[Reply]:
    """On to `step`; but an edit made from the summary goes straight back to it once the steps
    after the edited one are answered."""
    editing, draft.editing = draft.editing, False
    if editing and STEPS[PledgeStep.CONFIRM].needs <= draft.answered():
        step = PledgeStep.CONFIRM
    await _goto(ctx, step, draft)
    return [STEPS[step].asks(ctx, draft)]


def _summary(ctx: Context, draft: PledgeDraft) -> Reply:
    phone = format_phone(draft.phone) if draft.phone else ctx.t("pledge_no_phone")
    return ctx.reply("pledge_summary", "pledge_confirm",
                     [Button(ctx.t("btn_confirm"), f"pledge:confirm:{draft.summary_version()}"),
                      Button(ctx.t("btn_edit"), "pledge:edit"),
                      Button(ctx.t("btn_cancel"), "pledge:cancel")],
                     amount=format_vnd(draft.amount), name=shown_name(ctx, draft.name, bool(draft.anonymous)),
                     phone=phone)


async def _take_summary_answer(ctx: Context, draft: PledgeDraft, text: str) -> list[Reply]:
    word = _answer_words(text)
    if word in _CONFIRM:
        return await confirm(ctx)
    if word in _EDIT:
        return [_ask_edit(ctx)]
    if word in _NO:
        return await cancel(ctx)
    return await _elsewhere(ctx, text, "pledge_step_confirm", lambda: [_summary(ctx, draft)])


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


# The step table ---------------------------------------------------------------------------

END = None  # the dialog row is removed: the pledge cancelled or recorded


@dataclass(frozen=True)
class Step:
    asks: Callable[[Context, PledgeDraft], Reply]  # its question: asked again for a button it cannot take yet
    accepts: Callable[[Context, PledgeDraft, str], Awaitable[list[Reply]]]  # a typed answer
    goes_to: frozenset[PledgeStep | None]  # where its answers and buttons may lead, besides staying
    needs: frozenset[PledgeStep] = frozenset()  # answered before its buttons are taken


_S = PledgeStep
STEPS: dict[PledgeStep, Step] = {
    _S.AMOUNT: Step(_ask_amount, _take_amount, frozenset({_S.AMOUNT_CHECK, _S.NAME, _S.CONFIRM, END})),
    # Its own question is not asked again: the Yes/No buttons belong to the message that asked it.
    _S.AMOUNT_CHECK: Step(_ask_amount, _take_suggestion, frozenset({_S.AMOUNT, _S.NAME, _S.CONFIRM, END})),
    _S.NAME: Step(_ask_name, _take_name_text, frozenset({_S.PHONE, _S.CONFIRM, END}), frozenset({_S.AMOUNT})),
    _S.PHONE: Step(_ask_phone, _take_phone, frozenset({_S.CONFIRM, END}), frozenset({_S.AMOUNT, _S.NAME})),
    _S.CONFIRM: Step(_summary, _take_summary_answer, frozenset({_S.AMOUNT, _S.NAME, _S.PHONE, END}),
                     frozenset({_S.AMOUNT, _S.NAME, _S.PHONE})),
}
# Where /ungho (or "ủng hộ 500k") leads, from no dialog or any step.
ENTRY = frozenset({_S.AMOUNT, _S.AMOUNT_CHECK, _S.NAME})
# Which step a field's Edit button goes back to.
EDITABLE = {"amount": _S.AMOUNT, "name": _S.NAME, "phone": _S.PHONE}


Press = Callable[[Context, PledgeDraft, str], Awaitable[list[Reply] | None]]  # None: not one of our buttons


async def _not_ours(ctx: Context, draft: PledgeDraft, arg: str) -> None:  # noqa: ARG001
    return None


async def _press_amount(ctx: Context, draft: PledgeDraft, arg: str) -> list[Reply] | None:
    amount = read_int(arg)
    if amount is None:
        return None
    draft.suggestion = None
    return await _amount_ok(ctx, draft, amount)


async def _press_own_name(ctx: Context, draft: PledgeDraft, arg: str) -> list[Reply]:  # noqa: ARG001
    return await _take_name(ctx, draft, ctx.resident.name or "")


async def _press_anonymous(ctx: Context, draft: PledgeDraft, arg: str) -> list[Reply]:  # noqa: ARG001
    return await _take_name(ctx, draft, None)


async def _press_skip_phone(ctx: Context, draft: PledgeDraft, arg: str) -> list[Reply]:  # noqa: ARG001
    return await _phone_ok(ctx, draft, None)


async def _press_edit(ctx: Context, draft: PledgeDraft, arg: str) -> list[Reply]:
    step = EDITABLE.get(arg)
    if step is None:
        return [_ask_edit(ctx)]
    draft.editing = True
    await _goto(ctx, step, draft)
    return [STEPS[step].asks(ctx, draft)]


# The buttons that answer a step ("pledge:<verb>[:<arg>]"): the step each answers, and how.
_ANSWER_BUTTONS: dict[str, tuple[PledgeStep, Press]] = {
    "amount": (_S.AMOUNT, _press_amount),
    "name": (_S.NAME, _press_own_name),
    "anonymous": (_S.NAME, _press_anonymous),
    "skip_phone": (_S.PHONE, _press_skip_phone),
    "edit": (_S.CONFIRM, _press_edit),
}


# Confirmation -----------------------------------------------------------------------------

async def confirm(ctx: Context, version: str = "") -> list[Reply]:
    """Record the pledge in the summary. `version`: the summary the button was under, if a button."""
    # Message ids are only unique within one chat: the key names the resident too.
    key = f"{ctx.msg.channel}:{ctx.msg.user_id}:{ctx.msg.message_id or ''}"
    dialog = ctx.dialog
    at = PledgeStep.of(dialog.state) if dialog is not None else None
    draft = PledgeDraft.from_dict(dialog.data) if at == PledgeStep.CONFIRM else None
    # A Confirm under an older summary, or a summary left for long, shows what would be recorded.
    current = draft is not None and not (
        (version and version != draft.summary_version()) or ctx.now - dialog.updated_at > CONFIRM_WITHIN)
    if current:
        # One statement: the dialog is taken unless this very message recorded a pledge already.
        data = await repo.claim_dialog(ctx.session, ctx.resident.id, PledgeStep.CONFIRM,
                                       unless_confirmed=key if ctx.msg.message_id else None)
        if data is not None:
            if not ctx.msg.message_id:
                key += f"at-{ctx.now.timestamp()}"
            draft = PledgeDraft.from_dict(data)
            pledge = await repo.create_pledge(ctx.session, ctx.resident.id, draft.amount, draft.name,
                                              bool(draft.anonymous), draft.phone, key, ctx.now)
            _announce_to_staff(ctx, pledge)
            return _thanks(ctx, pledge)
    existing = await repo.pledge_by_confirm_key(ctx.session, key) if ctx.msg.message_id else None
    if existing is not None and existing.resident_id == ctx.resident.id:
        return _thanks(ctx, existing)  # the same update delivered again: answer again, record nothing
    if at is None or current:  # current: taken meanwhile (another tap, another process)
        return [ctx.reply("pledge_nothing_pending", "pledge", ctx.menu_buttons())]
    if at != PledgeStep.CONFIRM:  # a Confirm from before the last steps were lost (a kill): ask where it stands
        return [STEPS[at].asks(ctx, PledgeDraft.from_dict(dialog.data))]
    await _goto(ctx, PledgeStep.CONFIRM, draft)
    return [_summary(ctx, draft)]


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
