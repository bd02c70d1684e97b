"""What the channel's sends put on the wire, and how their failures reach the outbox: the
messages skip python-telegram-bot's objects, so these check they still arrive as PTB sent them
(keyboards, split texts, files, paid broadcasts) and fail as PTB's errors did."""
from contextlib import asynccontextmanager

import pytest
from telegram.error import BadRequest

from botapi_stub import BotApiStub
from channels.outbox import Blocked, MaybeSent, RateLimited, Transient
from channels.telegram import TelegramChannel, _translating_errors
from handlers.types import Button, File, Reply

CHAT = 5001
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@asynccontextmanager
async def channel(**options):
    async with BotApiStub() as stub:
        # Webhook mode: no getUpdates, so the stand-in sees only the sends.
        ch = TelegramChannel(None, stub.token, stub.url, webhook_url="https://bot.example/telegram/webhook",
                             webhook_secret="s", **options)
        await ch.start()
        try:
            yield ch, stub
        finally:
            await ch.stop()


def rows(call) -> list[list[tuple[str, str]]]:
    return [[(b["text"], b["callback_data"]) for b in row] for row in call.params["reply_markup"]["inline_keyboard"]]


async def test_keyboards_split_texts_and_files_arrive_as_before():
    short = [Button("Lịch tuần 📅", "menu:schedule"), Button("Đăng ký tham gia lớp", "menu:today"),
             Button("Hỏi", 'q"\\')]
    long = [Button("Một nhãn dài hơn hai mươi ký tự", "a"), Button("B", "b")]
    text = "<b>Chào bạn 👋</b> " + "Phường tổ chức học tập suốt đời. " * 300  # three parts
    async with channel() as (ch, stub):
        files = [File("a.png", PNG), File("bao-cao.xlsx", b"PK")]
        result = await ch.deliver(str(CHAT), [Reply("Chọn:", "t", short), Reply("Chọn:", "t", long),
                                              Reply(text, "t", [Button("OK", "ok")]), Reply("Tệp:", "t", files=files)])
        assert result.outcome.value == "sent"
        sent = stub.sent(CHAT)
    assert [c.method for c in sent] == ["sendMessage"] * 6 + ["sendPhoto", "sendDocument"]
    assert all(c.chat_id == CHAT for c in sent) and all(c.params["parse_mode"] == "HTML" for c in sent[:6])
    assert all("allow_paid_broadcast" not in c.params for c in sent)
    # Two a row when every label is at most 20 characters (the second, exactly 20), else one a row.
    assert rows(sent[0]) == [[("Lịch tuần 📅", "menu:schedule"), ("Đăng ký tham gia lớp", "menu:today")],
                             [("Hỏi", 'q"\\')]]
    assert rows(sent[1]) == [[("Một nhãn dài hơn hai mươi ký tự", "a")], [("B", "b")]]
    # A text too long for one message: only its last part carries the buttons.
    parts = sent[2:5]
    assert [("reply_markup" in c.params) for c in parts] == [False, False, True]
    assert rows(parts[-1]) == [[("OK", "ok")]]
    assert parts[0].params["text"].startswith("<b>Chào bạn 👋</b> Phường") and "reply_markup" not in sent[5].params
    assert sent[6].files == {"photo": ("a.png", PNG)} and sent[7].files == {"document": ("bao-cao.xlsx", b"PK")}
    assert sent[7].params == {"chat_id": str(CHAT)}  # a form with the file: every value a string


@pytest.mark.parametrize("paid, bulk, marked", [(True, True, True), (True, False, False), (False, True, False)])
async def test_paid_broadcast_is_asked_for_bulk_messages_only_when_configured(paid, bulk, marked):
    async with channel(allow_paid_broadcast=paid) as (ch, stub):
        await ch.deliver(str(CHAT), [Reply("Nhắc lịch", "t", [Button("OK", "ok")], [File("a.png", PNG)])], bulk=bulk)
        sent = stub.sent(CHAT)
    assert len(sent) == 2
    # A message's parameters go as JSON, a file's as a form: true either way.
    assert [c.params.get("allow_paid_broadcast") for c in sent] == ([True, "true"] if marked else [None, None])


def first_call(ch):
    return _translating_errors(ch._calls(CHAT, [Reply("xin chào", "t")], {})[0])


@pytest.mark.parametrize("code, description, retry_after, raised", [
    (429, "Too Many Requests: retry after 3", 3, RateLimited),
    (403, "Forbidden: bot was blocked by the user", None, Blocked),
    (400, "Bad Request: can't parse entities", None, BadRequest),
    (500, "Internal Server Error", None, Transient),
    (502, "Bad Gateway", None, Transient),
])
async def test_a_refused_send_raises_what_the_outbox_expects(code, description, retry_after, raised):
    async with channel() as (ch, stub):
        stub.fail_next("sendMessage", code, description, retry_after)
        with pytest.raises(raised) as exc:
            await first_call(ch)()
        assert await first_call(ch)() is None  # the next goes through; nothing is built from the answer
    if raised is RateLimited:
        assert exc.value.retry_after == 3.0
    elif raised is not Transient:
        assert description.partition(": ")[2].lower() in str(exc.value).lower()  # Telegram's reason kept


async def test_a_send_that_never_left_is_transient_and_one_that_left_may_have_arrived():
    async with channel(read_timeout=0.3) as (ch, stub):
        stub.stall_next("sendMessage", 1.0)  # taken, answered too late
        with pytest.raises(MaybeSent):
            await first_call(ch)()
        await stub.refuse_connections()
        with pytest.raises(Transient):
            await first_call(ch)()
        await stub.accept_connections()
