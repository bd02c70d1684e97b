"""The pledge dialog's step table (handlers/pledge.py: STEPS) and its stored draft."""
from collections import deque

import pytest

from conftest import Chat
from handlers.common import Context
from handlers.pledge import END, ENTRY, EDITABLE, STEPS
from handlers.pledge_draft import PledgeDraft
from handlers.types import Incoming
from storage import repo
from storage.models import Resident
from storage.status import PledgeStep

# A draft as each step holds it, in the dict shape stored in dialog_states.data.
AT = {
    PledgeStep.AMOUNT: {},
    PledgeStep.AMOUNT_CHECK: {"suggestion": 500_000},
    PledgeStep.NAME: {"amount": 500_000},
    PledgeStep.PHONE: {"amount": 500_000, "name": "Lan <b>", "anonymous": False},
    PledgeStep.CONFIRM: {"amount": 500_000, "name": None, "anonymous": True, "phone": "0912345678"},
}
EDITING = {"amount": 500_000, "name": "Lan", "anonymous": False, "phone": None, "editing": True}


def test_every_transition_leads_to_a_defined_step_and_every_step_is_reachable():
    assert set(STEPS) == set(PledgeStep)
    defined = set(PledgeStep) | {END}
    for step, spec in STEPS.items():
        assert spec.goes_to <= defined, step
        assert spec.needs <= set(PledgeStep), step
    assert ENTRY <= set(PledgeStep) and set(EDITABLE.values()) <= STEPS[PledgeStep.CONFIRM].goes_to
    reached, todo = set(), deque(ENTRY)
    while todo:
        step = todo.popleft()
        if step is END or step in reached:
            continue
        reached.add(step)
        todo.extend(STEPS[step].goes_to)
    assert reached == set(PledgeStep)
    assert all(END in spec.goes_to for spec in STEPS.values())  # Cancel works at every step


@pytest.mark.parametrize("stored", [*AT.values(), EDITING,
                                    {"suggestion": 300_000, "amount": 300_000},  # "300k" typed after "Did you mean…?"
                                    {"amount": 500_000, "name": "Lan", "anonymous": False, "phone": "0912345678"}])
def test_the_draft_reads_and_writes_the_stored_keys(stored):
    assert PledgeDraft.from_dict(stored).to_dict() == stored


def test_the_summary_version_is_the_one_stored_confirm_buttons_carry():
    """Confirm buttons already shown (residents.shown_buttons) must still match their summary."""
    assert PledgeDraft.from_dict(AT[PledgeStep.CONFIRM]).summary_version() == "2798e9cf"
    draft = PledgeDraft.from_dict({"amount": 1_500_000, "name": "Lan <b>", "anonymous": False, "phone": None})
    assert draft.summary_version() == "1e467fa5"


def test_what_a_step_has_answered_decides_which_buttons_it_takes():
    assert PledgeDraft.from_dict(AT[PledgeStep.AMOUNT_CHECK]).answered() == set()
    assert PledgeDraft.from_dict(AT[PledgeStep.PHONE]).answered() == {PledgeStep.AMOUNT, PledgeStep.NAME}
    assert STEPS[PledgeStep.CONFIRM].needs <= PledgeDraft.from_dict(AT[PledgeStep.CONFIRM]).answered()


TYPED = ["500", "200k", "abc", "mai có gì", "Bác Tư", "0912345678", "sửa", "hủy"]


def question_buttons(assistant, step: PledgeStep, draft: PledgeDraft) -> list[str]:
    ctx = Context(week=assistant.week, lang="vi", msg=Incoming("console", "u1"), resident=Resident(name="Lan"),
                  dialog=None, unit=None, now=assistant.clock.now(), ports=assistant.ports)
    payloads = [b.payload for b in STEPS[step].asks(ctx, draft).buttons]
    if step == PledgeStep.AMOUNT_CHECK:  # "Did you mean 500.000 đ?" Yes / No
        payloads += [f"pledge:amount:{draft.suggestion}", "pledge:edit:amount"]
    if step == PledgeStep.CONFIRM:  # Edit, then which answer
        payloads += ["pledge:edit"] + [f"pledge:edit:{field}" for field in EDITABLE]
    return payloads


@pytest.mark.slow  # about a hundred messages
async def test_the_code_goes_only_where_the_table_says(assistant):
    """Every answer at a step, typed or its own buttons, leaves the resident there or at a step the
    table lists: the table is not only documentation."""
    chat = Chat(assistant)
    moves = set()
    editing = [(PledgeStep.AMOUNT, EDITING), (PledgeStep.AMOUNT_CHECK, {**EDITING, "suggestion": 500_000}),
               (PledgeStep.NAME, EDITING)]
    for step, stored in [*AT.items(), *editing]:
        draft = PledgeDraft.from_dict(stored)
        for kw in [{"text": t} for t in TYPED] + [{"payload": p} for p in question_buttons(assistant, step, draft)]:
            async with assistant.storage.session() as s, s.begin():
                resident = (await repo.touch_chat(s, "console", "u1", "Lan", "vi", assistant.clock.now()))[0]
                await repo.set_dialog(s, resident.id, step, stored, assistant.clock.now())
            assistant.chats.forget_chat("console", "u1")
            await chat.say(**kw)
            await assistant.storage.dialogs.flush()  # steps are written behind: read what it wrote
            async with assistant.storage.session() as s:
                dialog = await repo.get_dialog(s, resident.id)
            after = END if dialog is None else PledgeStep(dialog.state)
            assert after == step or after in STEPS[step].goes_to, (step, kw, after)
            moves.add((step, after))
    # Each listed move was made at least once: a stale entry in the table fails here too.
    assert moves >= {(step, to) for step, spec in STEPS.items() for to in spec.goes_to}
