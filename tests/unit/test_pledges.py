"""Pledges in-process: the dialog, the ledger's guarantees, staff tools, safety of echoed text."""
import asyncio
import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from conftest import BEFORE_WEEK, Chat
from content.loader import load_week
from core.clock import ManualClock
from core.delivery import Outcome, Result
from handlers.router import Assistant
from handlers.types import Incoming
from storage.models import Pledge, Resident

STAFF = frozenset({("console", "staff")})


@pytest.fixture
def sent():
    return []


def make_assistant(storage, sent, week=None) -> Assistant:
    assistant = Assistant(week or load_week(), storage, ManualClock(BEFORE_WEEK), admins=STAFF)

    async def capture(user_id, replies):
        sent.append((user_id, replies))
        return Result(Outcome.SENT)
    assistant.senders.add("console", capture)
    return assistant


@pytest.fixture
def bot(storage, sent):
    return make_assistant(storage, sent)


async def pledges(storage) -> list[Pledge]:
    async with storage.session() as s:
        return list((await s.execute(select(Pledge).order_by(Pledge.id))).scalars())


async def to_confirmation(chat: Chat, amount="1tr5", name="Nguyễn Văn A", phone="0912 345 678"):
    assert (await chat.one("/ungho")).topic == "pledge_amount"
    assert (await chat.one(amount)).topic == "pledge_name"
    assert (await chat.one(name)).topic == "pledge_phone"
    summary = await chat.one(phone) if phone else await chat.one(payload="pledge:skip_phone")
    assert summary.topic == "pledge_confirm"
    return summary


async def test_full_pledge_with_office_payment(bot, storage, sent):
    chat = Chat(bot, user="u1", name="Lan")
    summary = await to_confirmation(chat)
    assert "1.500.000 đ" in summary.text and "0912 345 678" in summary.text
    assert await pledges(storage) == []  # nothing recorded before the confirmation
    thanks, pay = await chat.say(payload="pledge:confirm")
    assert "KH-0001" in thanks.text and "1.500.000 đ" in thanks.text
    assert pay.topic == "pledge_pay" and not pay.files and "UBND phường" in pay.text
    (p,) = await pledges(storage)
    assert (p.amount, p.display_name, p.phone, p.status, p.anonymous) == (1_500_000, "Nguyễn Văn A", "0912345678", "pledged", False)
    (notice,) = [r for user, replies in sent if user == "staff" for r in replies]
    assert "KH-0001" in notice.text and "1.500.000 đ" in notice.text


async def test_bank_account_gives_a_vietqr_code(storage, sent):
    import zxingcpp
    from PIL import Image

    from content.loader import DEFAULT_PATH
    from emv import parse_emv

    bot = make_assistant(storage, sent, load_week(DEFAULT_PATH.with_name("demo-bank.yaml")))
    chat = Chat(bot)
    await to_confirmation(chat, amount="500k", phone=None)
    _, pay = await chat.say("xác nhận")
    (qr,) = pay.files
    assert qr.name == "vietqr-KH-0001.png"
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.data)))
    fields = parse_emv(code.text)
    assert fields["54"] == "500000" and fields["62"]["08"] == "KH0001 ung ho khuyen hoc"
    assert fields["38"]["01"] == {"00": "970415", "01": "0000000000"}


@pytest.mark.parametrize("typed", ["ẩn danh", "Ẩn danh nhé ad", "an danh", "giấu tên"])
async def test_typing_anonymous_at_the_name_step_is_the_answer(bot, storage, typed):
    """Not the FAQ answer about giving anonymously (which left the name step waiting, and took
    the next message, "xác nhận", as the name)."""
    chat = Chat(bot)
    assert (await chat.one("ủng hộ 200k")).topic == "pledge_name"
    assert (await chat.one(typed)).topic == "pledge_phone"
    summary = await chat.one(payload="pledge:skip_phone")
    assert "Nhà hảo tâm ẩn danh" in summary.text
    await chat.say(payload="pledge:confirm")
    (p,) = await pledges(storage)
    assert (p.anonymous, p.display_name) == (True, None)


async def test_anonymous_and_edit(bot, storage):
    chat = Chat(bot)
    assert (await chat.one("ủng hộ 200k")).topic == "pledge_name"  # amount filled in from the message
    await chat.one(payload="pledge:anonymous")
    summary = await chat.one(payload="pledge:skip_phone")
    assert "Nhà hảo tâm ẩn danh" in summary.text
    await chat.one("sửa")
    assert (await chat.one(payload="pledge:edit:amount")).topic == "pledge_amount"
    summary = await chat.one("3tr")
    assert summary.topic == "pledge_confirm" and "3.000.000 đ" in summary.text  # straight back to the summary
    await chat.say(payload="pledge:confirm")
    (p,) = await pledges(storage)
    assert (p.amount, p.anonymous, p.display_name, p.phone) == (3_000_000, True, None, None)


@pytest.mark.parametrize("message,amount", [
    ("em xin ủng hộ quỹ khuyến học 1tr", "1.000.000 đ"),
    ("gia đình tôi xin ủng hộ 2 triệu đồng", "2.000.000 đ"),
    ("mình góp 150 nghìn nhé", "150.000 đ"),
])
async def test_pledge_messages_start_with_the_amount(chat, message, amount):
    reply = await chat.one(message)
    assert reply.topic == "pledge_name" and amount in reply.text


async def test_questions_about_donating_are_answered_with_a_start_button(chat):
    reply = await chat.one("làm sao để ủng hộ quỹ khuyến học?")
    assert reply.topic == "faq:donate"
    assert "menu:pledge" in [b.payload for b in reply.buttons]
    assert (await chat.one("đã quyên góp được 14 triệu chưa")).topic != "pledge_name"


async def test_amount_problems_ask_again_and_record_nothing(bot, storage):
    chat = Chat(bot)
    await chat.one("/ungho")
    small = await chat.one("500")
    assert small.topic == "pledge_amount_check" and "500.000 đ" in small.text
    assert (await chat.one("không, 300k")).topic == "pledge_name"
    await chat.one("/huy")
    await chat.one("/ungho")
    too_big = await chat.one("200 triệu")
    assert too_big.topic == "pledge_amount_invalid" and "0209 000 0000" in too_big.text
    assert "100.000.000 đ" in too_big.text
    assert "âm" in (await chat.one("-1tr")).text
    assert (await chat.one("0đ")).topic == "pledge_amount_invalid"
    assert (await chat.one("bao nhiêu cũng được")).topic == "pledge_amount_invalid"
    assert await pledges(storage) == []


async def test_a_question_mid_pledge_is_answered_and_the_step_kept(chat):
    await chat.one("/ungho")
    answer, reminder = await chat.say("khai mạc ở đâu")
    assert answer.topic == "faq:opening" and reminder.topic == "pledge_reminder"
    assert (await chat.one("1tr")).topic == "pledge_name"


async def test_the_pledge_in_progress_survives_a_restart(storage, sent):
    chat = Chat(make_assistant(storage, sent))
    await chat.one("/ungho")
    await chat.one("700k")
    restarted = Chat(make_assistant(storage, sent))  # a new process on the same database
    assert (await restarted.one("Bác Tư")).topic == "pledge_phone"
    summary = await restarted.one("+84 912345678")
    assert "700.000 đ" in summary.text and "Bác Tư" in summary.text and "0912 345 678" in summary.text


async def test_cancel_at_any_step_records_nothing(chat, storage):
    await to_confirmation(chat)
    assert (await chat.one("/huy")).topic == "cancel"
    assert (await chat.one(payload="pledge:confirm")).topic == "pledge"  # nothing pending any more
    assert await pledges(storage) == []


async def test_same_confirmation_delivered_twice_records_one_pledge(any_storage, sent):
    bot = make_assistant(any_storage, sent)
    chat = Chat(bot)
    await to_confirmation(chat)
    confirm = Incoming("console", "u1", "Lan", "vi", payload="pledge:confirm", message_id="cb:777")
    first = await bot.handle(confirm)
    again = await bot.handle(confirm)
    assert first[0].text == again[0].text and "KH-0001" in again[0].text
    assert len(await pledges(any_storage)) == 1
    assert len([1 for user, _ in sent if user == "staff"]) == 1  # staff told once


async def test_a_confirmation_delivered_again_under_a_new_summary_records_nothing(any_storage, sent):
    """The same update comes again while the resident is at a new summary: it answers as the
    first time and leaves the new pledge to its own confirmation."""
    bot = make_assistant(any_storage, sent)
    chat = Chat(bot)
    await to_confirmation(chat)
    confirm = Incoming("console", "u1", "Lan", "vi", payload="pledge:confirm", message_id="cb:777")
    first = await bot.handle(confirm)
    await to_confirmation(chat, amount="200k")
    again = await bot.handle(confirm)
    assert again[0].text == first[0].text and "KH-0001" in again[0].text
    assert len(await pledges(any_storage)) == 1
    second = await bot.handle(Incoming("console", "u1", "Lan", "vi", payload="pledge:confirm", message_id="cb:778"))
    assert "KH-0002" in second[0].text and "200.000 đ" in second[0].text
    assert [p.amount for p in await pledges(any_storage)] == [1_500_000, 200_000]


@pytest.mark.slow
async def test_fifty_concurrent_confirmations_get_fifty_references(any_storage, sent):
    bot = make_assistant(any_storage, sent)
    for i in range(50):
        await to_confirmation(Chat(bot, user=f"r{i}", name=f"Người {i}"), amount=f"{i + 1}00k", phone=None)
    confirmations = [bot.handle(Incoming("console", f"r{i}", None, "vi", payload="pledge:confirm", message_id=f"m{i}"))
                     for i in range(50)]
    results = await asyncio.gather(*confirmations)
    refs = {r[0].text.split("mã <b>")[1].split("<")[0] for r in results}
    assert len(refs) == 50
    stored = await pledges(any_storage)
    assert len(stored) == 50 and {p.amount for p in stored} == {(i + 1) * 100_000 for i in range(50)}


async def test_my_pledges_and_cancelling_one(bot, storage):
    chat = Chat(bot)
    assert "chưa có cam kết" in (await chat.one("/camket")).text
    await to_confirmation(chat)
    await chat.say(payload="pledge:confirm")
    mine = await chat.one("/mypledges")
    assert "KH-0001" in mine.text and "chờ nộp" in mine.text
    assert mine.buttons[0].payload == "pledge:cancel_ref:1"
    other = Chat(bot, user="someone-else")
    assert (await other.one(payload="pledge:cancel_ref:1")).text.startswith("Cam kết KH-0001 không thể hủy")
    assert "Đã hủy cam kết KH-0001" in (await chat.one(payload="pledge:cancel_ref:1")).text
    assert (await pledges(storage))[0].status == "cancelled"


async def test_staff_commands_look_unknown_to_residents(bot):
    resident = Chat(bot, user="u1")
    for command in ["/stats", "/thongke", "/export", "/xuat", "/paid KH-0001", "/danhan 1"]:
        reply = await resident.one(command)
        unknown = await resident.one("/" + command.split()[0][1:] + "x")
        assert reply.topic == unknown.topic == "fallback"
        assert reply.text == unknown.text.replace(command.split()[0] + "x", command.split()[0])
        assert reply.files == []


async def test_paid_thanks_the_resident_and_updates_the_honour_list(bot, storage, sent):
    donor, staff = Chat(bot, user="u1", name="Lan"), Chat(bot, user="staff")
    await to_confirmation(donor, amount="1tr", name="Gia đình bà Lan")
    await donor.say(payload="pledge:confirm")
    await to_confirmation(Chat(bot, user="u2"), amount="2tr", name="x")
    await Chat(bot, user="u2").say(payload="pledge:confirm")
    await Chat(bot, user="u2").one(payload="pledge:cancel_ref:2")
    assert "14.000.000 đ" in (await donor.one("/vinhdanh")).text
    assert "KH-0001" in (await staff.one("/paid kh-1")).text
    (thanks,) = [r for user, replies in sent if user == "u1" for r in replies]
    assert thanks.topic == "paid_thanks" and "1.000.000 đ" in thanks.text
    assert "từ trước" in (await staff.one("/danhan KH-0001")).text
    assert "đã bị hủy" in (await staff.one("/danhan KH-0002")).text
    assert "Không tìm thấy" in (await staff.one("/danhan KH-0099")).text
    assert "Cách dùng" in (await staff.one("/danhan")).text
    honour = await donor.one("/honour")
    assert "15.000.000 đ" in honour.text and "Gia đình bà Lan · 1.000.000 đ" in honour.text
    stats = (await staff.one("/thongke")).text
    assert "Đã nhận: 1 (1.000.000 đ)" in stats and "Đã hủy: 1 (2.000.000 đ)" in stats


async def test_export_csv_and_xlsx(bot):
    evil = "=HYPERLINK(\"http://x\")"
    chat = Chat(bot, user="u1")
    await to_confirmation(chat, amount="250k", name=evil)
    await chat.say(payload="pledge:confirm")
    reply = await Chat(bot, user="staff").one("/xuat")
    csv_file, xlsx_file = reply.files
    assert csv_file.data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(csv_file.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã", "Thời gian", "Số tiền (đ)"]
    assert rows[1][0] == "KH-0001" and rows[1][2] == "250000" and rows[1][3] == "'" + evil
    sheet = load_workbook(io.BytesIO(xlsx_file.data)).active
    assert sheet["A2"].value == "KH-0001" and sheet["C2"].value == 250000
    assert sheet["D2"].value == evil and sheet["D2"].data_type == "s"  # shown as typed, never run
    assert rows[1][5] == "0912 345 678"


@pytest.mark.parametrize("name", ["<b>Hùng</b>", "'; DROP TABLE pledges; --", "<script>alert(1)</script>"])
async def test_names_are_echoed_safely(bot, storage, name):
    chat = Chat(bot)
    summary = await to_confirmation(chat, name=name)
    assert name not in summary.text or "<" not in name
    assert summary.plain_text().count(name) == 1  # shown back exactly, as text
    thanks, _ = await chat.say(payload="pledge:confirm")
    assert "<b>Hùng" not in thanks.text and "<script>" not in thanks.text
    (p,) = await pledges(storage)
    assert p.display_name == name
    async with storage.session() as s:
        assert (await s.execute(select(func.count()).select_from(Pledge))).scalar_one() == 1


async def test_a_resident_can_have_their_personal_data_deleted(bot, storage):
    chat = Chat(bot, user="u1", name="Nguyễn Thị Lan")
    await to_confirmation(chat, name="Nguyễn Thị Lan", phone="0912 345 678")
    await chat.say(payload="pledge:confirm")
    await chat.one("/nhacnho")
    ask = await chat.one("xóa thông tin cá nhân của tôi")
    assert ask.topic == "erase_ask" and "privacy:erase" in [b.payload for b in ask.buttons]
    done = await chat.one(payload="privacy:erase")
    assert "1 cam kết" in done.text
    await chat.one("/lich")  # the channel sends the name again: it is not kept
    (p,) = await pledges(storage)
    assert (p.display_name, p.phone, p.anonymous, p.amount) == (None, None, True, 1_500_000)
    async with storage.session() as s:
        resident = (await s.execute(select(Resident))).scalar_one()
    assert resident.name is None and not resident.subscribed and resident.erased_at is not None


async def test_the_same_message_number_in_two_chats_is_two_confirmations(bot, storage):
    """Telegram numbers messages per chat: A's 4th and B's 4th message share an id."""
    a, b = Chat(bot, user="a", name="An"), Chat(bot, user="b", name="Bình")
    for chat, amount in ((a, "1tr"), (b, "2tr")):
        await to_confirmation(chat, amount=amount, name=chat.name, phone=None)
    first = await bot.handle(Incoming("console", "a", "An", "vi", text="ok", message_id="4"))
    second = await bot.handle(Incoming("console", "b", "Bình", "vi", text="ok", message_id="4"))
    assert "KH-0001" in first[0].text and "KH-0002" in second[0].text and "Bình" in second[0].text
    assert [(p.display_name, p.amount) for p in await pledges(storage)] == [("An", 1_000_000), ("Bình", 2_000_000)]


async def test_an_acknowledgement_is_not_a_confirmation(bot, storage):
    chat = Chat(bot)
    await to_confirmation(chat)
    for word in ["dạ", "ừ", "có", "vâng"]:
        assert (await chat.one(word)).topic != "pledge_done"
    assert await pledges(storage) == []
    bot.clock.advance(hours=3)  # the summary was left: even "ok" shows it again first
    assert (await chat.one("ok")).topic == "pledge_confirm"
    assert (await chat.say("xác nhận nhé"))[0].topic == "pledge_done"


async def test_confirm_under_an_older_summary_shows_the_current_one(bot, storage):
    chat = Chat(bot)
    old = await to_confirmation(chat, amount="500k")
    old_confirm = next(b.payload for b in old.buttons if b.payload.startswith("pledge:confirm:"))
    await chat.one(payload="pledge:edit:amount")
    new = await chat.one("5tr")
    assert (await chat.one(payload=old_confirm)).topic == "pledge_confirm"  # not recorded
    assert await pledges(storage) == []
    new_confirm = next(b.payload for b in new.buttons if b.payload.startswith("pledge:confirm:"))
    await chat.say(payload=new_confirm)
    assert [p.amount for p in await pledges(storage)] == [5_000_000]


async def test_forged_or_tiny_amounts_are_refused(bot, storage):
    chat = Chat(bot)
    await chat.one("/ungho")
    for payload in ("pledge:amount:0", "pledge:amount:1"):
        reply = await chat.one(payload=payload)
        assert reply.topic == "pledge_amount_invalid" and "10.000 đ" in reply.text
    assert (await chat.one("2023")).topic == "pledge_amount_invalid"
    assert await pledges(storage) == []


async def test_the_name_step_knows_names_stop_words_and_questions(bot, storage):
    chat = Chat(bot, name="An")
    await chat.one("/ungho")
    await chat.one("100k")
    answer, reminder = await chat.say("khai mạc ở đâu vậy")
    assert answer.topic == "faq:opening" and reminder.topic == "pledge_reminder"
    assert (await chat.one(payload="pledge:name")).topic == "pledge_phone"  # "An" is a name, not "ẩn"
    summary = await chat.one(payload="pledge:skip_phone")
    assert "Tên hiển thị: An" in summary.text
    await chat.one("/huy")
    await chat.one("/ungho")
    await chat.one("100k")
    assert (await chat.one("thôi không ủng hộ nữa")).topic == "pledge_cancelled"


async def test_paid_and_cancelled_at_the_same_moment(any_storage, sent):
    """A staff member marks a pledge paid while its resident cancels it: one of them wins."""
    bot = make_assistant(any_storage, sent)
    donor, staff = Chat(bot, user="u1"), Chat(bot, user="staff")
    await to_confirmation(donor)
    await donor.say(payload="pledge:confirm")
    paid, cancelled = await asyncio.gather(staff.one("/paid KH-0001"), donor.one(payload="pledge:cancel_ref:1"))
    (p,) = await pledges(any_storage)
    if p.status == "paid":
        assert "Đã đánh dấu" in paid.text and "không thể hủy" in cancelled.text and p.cancelled_at is None
    else:
        assert p.status == "cancelled" and "đã bị hủy" in paid.text and p.paid_at is None
    assert len([1 for user, replies in sent if user == "u1" for r in replies if r.topic == "paid_thanks"]) == (
        p.status == "paid")
