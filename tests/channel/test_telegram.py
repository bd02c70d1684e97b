"""End to end on Telegram: the real python-telegram-bot Application, polling a Bot API
stand-in served on 127.0.0.1, with the real assistant and a SQLite file."""
import re

import pytest

from botapi_stub import BotApiStub
from channels.outbox import Outbox
from telegram_helpers import keyboard_data, running, started

LAN = 5001


@pytest.fixture
async def telegram(assistant):
    async with running(assistant) as stub:
        yield stub


async def test_commands_menu_is_set_in_both_languages(telegram):
    calls = [c for c in telegram.calls if c.method == "setMyCommands"]
    names = {c.params.get("language_code", ""): [cmd["command"] for cmd in c.params["commands"]] for c in calls}
    assert names[""][:2] == ["lich", "homnay"]
    assert names["en"][:2] == ["schedule", "today"]


async def test_start_button_question_sticker(telegram):
    stub = telegram
    stub.send_text(LAN, "/start", first_name="<b>Lan</b>")
    (greeting,) = await stub.wait_sent(LAN, 1)
    assert greeting.params["parse_mode"] == "HTML"
    assert "&lt;b&gt;Lan&lt;/b&gt;" in greeting.params["text"]
    assert keyboard_data(greeting)[:2] == ["menu:schedule", "menu:today"]

    stub.press_button(LAN, "menu:schedule")
    await stub.wait_for(lambda c: c.method == "answerCallbackQuery")
    schedule = (await stub.wait_sent(LAN, 2))[-1]
    assert "1/10" in schedule.params["text"] and "7/10" in schedule.params["text"]

    stub.send_text(LAN, "chu de nam nay la j vay ad")
    answer = (await stub.wait_sent(LAN, 3))[-1]
    assert "Xây dựng năng lực tự học trong kỷ nguyên số" in answer.params["text"]

    stub.send_sticker(LAN)
    sticker = (await stub.wait_sent(LAN, 4))[-1]
    assert "chữ" in sticker.params["text"]

    stub.send_text(LAN, "/khonghieu")
    unknown = (await stub.wait_sent(LAN, 5))[-1]
    assert "/khonghieu" in unknown.params["text"]


async def test_english_client_gets_english(telegram):
    telegram.send_text(6001, "/start", language_code="en", first_name="Tom")
    (reply,) = await telegram.wait_sent(6001, 1)
    assert reply.params["text"].startswith("Hello Tom!")


async def test_an_api_error_does_not_stop_the_bot(telegram):
    telegram.fail_next("sendMessage", 400, "Bad Request: can't parse entities")
    telegram.send_text(LAN, "/lich")
    await telegram.wait_for(lambda c: c.method == "sendMessage" and not c.ok)
    telegram.send_text(LAN, "/homnay")
    (reply,) = await telegram.wait_sent(LAN, 1)
    assert "Tuần lễ" in reply.params["text"]


STAFF_CHAT = 9000


@pytest.fixture
async def telegram_bank(storage, clock):
    """The bot with the demo bank account (VietQR) and one staff member on Telegram."""
    from content.loader import DEFAULT_PATH, load_week
    from handlers.router import Assistant

    week = load_week(DEFAULT_PATH.with_name("demo-bank.yaml"))
    assistant = Assistant(week, storage, clock, admins=frozenset({("telegram", str(STAFF_CHAT))}))
    async with running(assistant) as stub:
        yield stub


async def test_pledge_with_qr_and_staff_export(telegram_bank, storage):
    import io

    import zxingcpp
    from PIL import Image
    from sqlalchemy import func, select

    from storage.models import Pledge

    stub = telegram_bank
    stub.send_text(LAN, "em xin ủng hộ quỹ khuyến học 1tr", first_name="Lan")
    await stub.wait_sent(LAN, 1)
    stub.press_button(LAN, "pledge:name")
    await stub.wait_sent(LAN, 2)
    stub.press_button(LAN, "pledge:skip_phone")
    summary = (await stub.wait_sent(LAN, 3))[-1]
    (confirm_data,) = [d for d in keyboard_data(summary) if d.startswith("pledge:confirm:")]
    assert "1.000.000 đ" in summary.params["text"]

    confirm = stub.press_button(LAN, confirm_data)
    sent = await stub.wait_sent(LAN, 6)  # thanks, how to pay, the QR photo
    photo = next(c for c in sent if c.method == "sendPhoto")
    filename, data = photo.files["photo"]
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))
    assert "54071000000" in code.text and "KH0001 ung ho khuyen hoc" in code.text
    notice = (await stub.wait_sent(STAFF_CHAT, 1))[0]
    assert "KH-0001" in notice.params["text"]

    # Telegram delivers the same update again (e.g. after a crash before the offset was saved).
    again = dict(confirm)
    again.pop("update_id")
    stub.push_update(again)
    await stub.wait_sent(LAN, 9)  # the same three messages again
    async with storage.session() as s:
        assert (await s.execute(select(func.count()).select_from(Pledge))).scalar_one() == 1

    stub.send_text(STAFF_CHAT, "/xuat", first_name="Cán bộ")
    documents = [c for c in await stub.wait_sent(STAFF_CHAT, 4) if c.method == "sendDocument"]
    names = sorted(c.files["document"][0] for c in documents)
    assert names[0].endswith(".csv") and names[1].endswith(".xlsx")
    csv_bytes = next(c.files["document"][1] for c in documents if c.files["document"][0].endswith(".csv"))
    assert "KH-0001" in csv_bytes.decode("utf-8-sig")

    stub.send_text(LAN, "/xuat")  # a resident: like an unknown command, no file
    reply = (await stub.wait_sent(LAN, 10))[-1]
    assert reply.method == "sendMessage" and "/xuat" in reply.params["text"]


@pytest.mark.slow
async def test_one_busy_resident_does_not_hold_up_another(assistant):
    """Production pacing (1 message/s per chat): Lan's five quick messages are answered in order,
    and Minh, writing at the same time, is not kept waiting behind them."""
    async with BotApiStub() as stub, started(assistant, stub, outbox=Outbox()):  # the shipped Outbox settings
        for text in ["/lich", "ngày 1/10", "ngày 2/10", "ngày 3/10", "ngày 4/10"]:
            stub.send_text(LAN, text)
        await stub.wait_sent(LAN, 1)
        stub.send_text(6002, "khai mạc ở đâu", first_name="Minh")
        (answer,) = await stub.wait_sent(6002, 1)
        replies = await stub.wait_sent(LAN, 5)
        # Lan's last answer waits about two seconds for her chat's pace; Minh's does not.
        assert stub.calls.index(answer) < stub.calls.index(replies[-1])
        days = [re.search(r"(\d/10)</b>", r.params["text"]).group(1) for r in replies[1:]]
        assert days == ["1/10", "2/10", "3/10", "4/10"]
