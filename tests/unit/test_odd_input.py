"""Odd text and forged buttons: numbers only in ASCII digits and a few of them, every pattern
given a bounded input, payloads bounded before SQL, and a typed payload presses only a
button the bot showed."""
import pytest
from sqlalchemy import select

from conftest import Chat
from core import text as core_text
from core.amounts import parse_amount_detailed
from core.dates import find_day
from core.numbers import is_number, read_int
from core.phone import normalize_phone
from core.text import KEEP_CHARS, mask_personal
from handlers.pledge_lists import parse_reference
from storage import repo
from storage.models import Pledge, Resident, UnansweredQuestion

ODD_NUMBERS = ["²", "①", "٣", "１２", "1" * 4301, "9" * 20]


def test_a_number_is_a_few_ascii_digits():
    assert read_int("42") == 42 and read_int("0042") == 42
    assert read_int("9" * 18) == 10**18 - 1
    for odd in ODD_NUMBERS + ["", "-1", "1 2", "+3"]:
        assert read_int(odd) is None and not is_number(odd)
    assert read_int("123", max_digits=2) is None


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_core_parsers_refuse_odd_digits(odd):
    assert parse_amount_detailed(f"ủng hộ {odd}").amount is None
    assert parse_amount_detailed(f"{odd}k").amount is None
    assert parse_reference(odd) is None and parse_reference(f"KH-{odd}") is None
    assert normalize_phone("09" + odd * 8) is None


def test_dates_read_only_ascii_digits():
    from datetime import date

    week = (date(2023, 10, 1), date(2023, 10, 7))
    assert find_day("3/10", date(2023, 9, 25), *week).day == date(2023, 10, 3)
    assert find_day("٣/١٠", date(2023, 9, 25), *week) is None  # Arabic-Indic digits are not read


async def test_typing_a_superscript_in_a_pledge_step_asks_again(chat):
    await chat.one("/ungho")
    reply = await chat.one("²")
    assert reply.topic == "pledge_amount_invalid"


# Patterns read a bounded input -----------------------------------------------------------

class Counting:
    """A compiled pattern that records the size of each text given to it."""

    def __init__(self, pattern, sizes: list[int]) -> None:
        self.pattern, self.sizes = pattern, sizes

    def sub(self, repl, text):
        self.sizes.append(len(text))
        return self.pattern.sub(repl, text)


@pytest.fixture
def pattern_inputs(monkeypatch) -> list[int]:
    sizes: list[int] = []
    monkeypatch.setattr(core_text, "_EMAIL", Counting(core_text._EMAIL, sizes))
    monkeypatch.setattr(core_text, "_LONG_NUMBER", Counting(core_text._LONG_NUMBER, sizes))
    return sizes


def test_mask_personal_reads_a_bounded_start(pattern_inputs):
    long = "Tôi là Lan, gọi 0912 345 678. " + "a" * 100_000
    masked = mask_personal(long)
    assert masked.startswith("Tôi là Lan, gọi [số].") and len(masked) <= KEEP_CHARS
    assert pattern_inputs and max(pattern_inputs) <= KEEP_CHARS
    # Cut at a space, never through a number: no half phone number is kept.
    assert mask_personal("x" * (KEEP_CHARS - 5) + " 0912345678") == "x" * (KEEP_CHARS - 5)


def test_the_email_pattern_starts_only_where_a_word_starts():
    """Linear: a start inside a run of letters is refused at once (the old pattern ran to the
    end of the run from each of its positions)."""
    pattern = core_text._EMAIL
    assert pattern.pattern.startswith(r"(?<![\w.+-])")
    assert "++" in pattern.pattern  # possessive: what a part took is never given back
    word = "lan.nguyen@gmail.com"
    assert pattern.search(word).span() == (0, len(word))
    assert all(pattern.match(word, i) is None for i in range(1, len(word)))
    assert mask_personal("mail: lan.nguyen@gmail.com, a.b+c@x-y.example.co.") == "mail: [email], [email]."
    assert mask_personal("@ a@b x@y.") == "@ a@b x@y."


async def test_a_huge_message_is_cut_before_any_pattern(chat, assistant, pattern_inputs):
    reply = await chat.one("Tôi là Nguyễn Văn A " + "a" * 200_000)
    assert reply.topic == "too_long" and "200020 ký tự" in reply.text
    assert max(pattern_inputs) <= KEEP_CHARS
    async with assistant.storage.session() as s:
        sample = (await s.execute(select(UnansweredQuestion.sample))).scalar_one()
    assert len(sample) <= KEEP_CHARS


# Forged buttons ---------------------------------------------------------------------------

async def test_a_huge_pledge_number_in_a_button_is_refused_politely(chat):
    """Before: OverflowError (SQLite) / DataError (PostgreSQL) from the SELECT."""
    for forged in ("pledge:cancel_ref:99999999999999999999", "pledge:cancel_ref:²", "pledge:amount:" + "9" * 30,
                   "pledge:cancel_ref:" + "1" * 5000):
        replies_ = await chat.say(payload=forged)
        assert replies_ and all(r.topic != "error" for r in replies_)


async def test_a_huge_pledge_number_on_postgresql_too(any_storage, week, clock):
    from handlers.router import Assistant

    bot = Assistant(week, any_storage, clock)
    reply = await Chat(bot, channel="telegram", user="1").one(payload="pledge:cancel_ref:99999999999999999999")
    assert reply.topic == "my_pledges"  # "cannot cancel": no such pledge of theirs


async def erase_typed(chat: Chat) -> list:
    return await chat.say(payload="privacy:erase")  # what Zalo makes of "#btn:privacy:erase" typed


async def test_a_typed_erase_button_needs_the_confirmation_shown(assistant, storage):
    zalo = Chat(assistant, user="84900000001", name="Nguyễn Thị Lan", channel="zalo")
    await zalo.one("/nhacnho")
    refused = await zalo.one(payload="privacy:erase")
    assert refused.topic == "button_not_shown" and refused.buttons == []
    async with storage.session() as s:
        resident = (await s.execute(select(Resident))).scalar_one()
    assert resident.name == "Nguyễn Thị Lan" and resident.subscribed and resident.erased_at is None

    ask = await zalo.one("/xoadulieu")
    assert "privacy:erase" in [b.payload for b in ask.buttons]
    assert (await zalo.one(payload="privacy:erase")).topic == "erase"
    assert (await zalo.one(payload="privacy:erase")).topic == "button_not_shown"  # shown once, used once


async def test_zalo_buttons_that_act_are_the_last_shown(assistant, storage):
    zalo = Chat(assistant, user="84900000002", name="Bình", channel="zalo")
    assert (await zalo.one(payload="pledge:confirm")).topic == "button_not_shown"
    await zalo.one(payload="menu:pledge")  # menu entries do no more than typing: always pressable
    ask_name = await zalo.one(payload="pledge:amount:500000")
    assert ask_name.topic == "pledge_name"
    assert (await zalo.one(payload="pledge:amount:900000")).topic == "button_not_shown"  # not among the last
    await zalo.one(payload="pledge:name")
    summary = await zalo.one(payload="pledge:skip_phone")
    await zalo.say("lịch hôm nay có gì")  # a question in between, answered with the menu
    await zalo.one(payload="menu:schedule")
    confirm = next(b.payload for b in summary.buttons if b.payload.startswith("pledge:confirm"))
    thanks = await zalo.say(payload=confirm)  # the summary's buttons still work
    assert thanks[0].topic == "pledge_done"
    async with storage.session() as s:
        assert (await s.execute(select(Pledge.amount))).scalar_one() == 500_000
    mine = await zalo.one("/camket")
    assert (await zalo.one(payload="pledge:cancel_ref:2")).topic == "button_not_shown"  # not theirs to see
    assert (await zalo.one(payload=mine.buttons[0].payload)).topic == "pledge_cancelled"


async def test_a_later_steps_button_from_an_older_message_asks_the_current_step(chat):
    """Before: "skip phone" pressed at the amount step reached the summary without an amount (KeyError)."""
    await chat.one("/ungho")
    for payload in ("pledge:skip_phone", "pledge:name", "pledge:anonymous", "pledge:edit:phone"):
        assert (await chat.one(payload=payload)).topic == "pledge_amount"
    await chat.one("500k")
    assert (await chat.one(payload="pledge:skip_phone")).topic == "pledge_name"


async def test_telegram_buttons_on_older_messages_still_work(chat):
    """Telegram checks callback data against the message's keyboard: no list is kept there."""
    await chat.one("/nhacnho")
    assert (await chat.one(payload="privacy:erase")).topic == "erase"


# Personal data: the resident's unanswered questions --------------------------------------

async def test_erasing_removes_the_residents_questions_and_keeps_the_count(assistant, storage):
    lan = Chat(assistant, user="lan", name="Nguyễn Thị Lan")
    other = Chat(assistant, user="hung", name="Hùng")
    await lan.one("Tôi là Nguyễn Thị Lan tổ 5, nhờ phường gọi lại cho tôi 0912 345 678")
    await lan.one("giá vàng hôm nay")
    await other.one("giá vàng hôm nay")
    staff = Chat(assistant, user="staff", name="Cán bộ")
    before = (await staff.one("/thongke")).text
    assert "Nguyễn Thị Lan" in before and "0912" not in before and "giá vàng hôm nay (2)" in before

    await lan.one("/xoadulieu")
    await lan.one(payload="privacy:erase")
    after = (await staff.one("/thongke")).text
    assert "Nguyễn Thị Lan" not in after
    assert "giá vàng hôm nay (1)" in after  # Hùng's question stays
    assert "(không giữ nội dung): 2" in after  # Lan's two, counted, without their text
    async with storage.session() as s:
        rows = (await s.execute(select(UnansweredQuestion))).scalars().all()
        lan_id = (await s.execute(select(Resident.id).where(Resident.external_id == "lan"))).scalar_one()
    assert all("Lan" not in (q.sample or "") and "nguyen thi lan" not in (q.folded or "") for q in rows)
    assert not [q for q in rows if q.resident_id == lan_id]
    assert sum(q.count for q in rows) == 3


async def test_questions_are_linked_on_every_database(any_storage):
    from datetime import datetime, timezone

    now = datetime(2023, 10, 3, tzinfo=timezone.utc)
    async with any_storage.session() as s, s.begin():
        lan = (await repo.touch_chat(s, "console", "lan", "Lan", "vi", now))[0]
        hung = (await repo.touch_chat(s, "console", "hung", "Hùng", "vi", now))[0]
        for resident in (lan, lan, hung):
            await repo.record_unanswered(s, resident.id, "toi la lan", "Tôi là Lan", now)
        await repo.erase_resident(s, lan, now)
    async with any_storage.session() as s:
        assert [(q.folded, q.count) for q in await repo.top_unanswered(s)] == [("toi la lan", 1)]
        assert await repo.count_erased_questions(s) == 2
