"""The Bot API stub works with the real python-telegram-bot Application (polling)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

try:
    from tests.botapi_stub import BotApiStub, Call
except ImportError:  # plain `pytest` without tests/__init__.py puts tests/ on sys.path instead
    from botapi_stub import BotApiStub, Call  # type: ignore[no-redef]

CHAT = 4242


def build_app(stub: BotApiStub, token: str | None = None) -> Application:
    return (
        ApplicationBuilder()
        .token(token or stub.token)
        .base_url(f"{stub.url}/bot")
        .base_file_url(f"{stub.url}/file/bot")
        .build()
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Tiếp", callback_data="next")]])
    await update.effective_message.reply_text(
        f"<b>echo:</b> {update.effective_message.text}",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("ok")
    await query.edit_message_text(f"pressed {query.data}")


@pytest.fixture
async def stub() -> AsyncIterator[BotApiStub]:
    async with BotApiStub() as s:
        yield s


@pytest.fixture
async def app(stub: BotApiStub) -> AsyncIterator[Application]:
    application = build_app(stub)
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    application.add_handler(CallbackQueryHandler(on_button))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    # Long polls of 30 s, as Telegram's: longer than any wait in these tests, so an update that
    # arrives at all was delivered through a poll already pending.
    await application.updater.start_polling(poll_interval=0, timeout=30)
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


async def test_echo_and_button_roundtrip(stub: BotApiStub, app: Application) -> None:
    await stub.wait_for(lambda c: c.method == "getUpdates")  # the bot's long poll is pending
    polls = sum(c.method == "getUpdates" for c in stub.calls)
    update = stub.send_text(CHAT, "xin chào")
    [reply] = await stub.wait_sent(CHAT)
    # Delivered through the pending long poll, not after its timeout: the very next poll confirms it.
    confirming = await stub.wait_for(lambda c: c.method == "getUpdates"
                                     and int(c.params.get("offset", 0)) == update["update_id"] + 1)
    assert [c for c in stub.calls if c.method == "getUpdates"].index(confirming) == polls

    assert reply.method == "sendMessage"
    assert reply.params["text"] == "<b>echo:</b> xin chào"
    assert reply.params["parse_mode"] == "HTML"
    assert reply.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Tiếp", "callback_data": "next"}]]
    }

    update = stub.press_button(CHAT, "next")  # defaults to the message with the keyboard
    edit = await stub.wait_for(lambda c: c.method == "editMessageText")
    answer = await stub.wait_for(lambda c: c.method == "answerCallbackQuery")
    assert answer.ok
    assert answer.params["callback_query_id"] == update["callback_query"]["id"]
    assert answer.params["text"] == "ok"
    assert edit.ok and edit.params["text"] == "pressed next"
    assert edit.chat_id == CHAT
    assert int(edit.params["message_id"]) == update["callback_query"]["message"]["message_id"]


async def test_bootstrap_calls_and_bot_identity(stub: BotApiStub, app: Application) -> None:
    assert app.bot.username == "ward_test_bot"
    assert app.bot.id == 123456
    methods = [c.method for c in stub.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    await stub.wait_for(lambda c: c.method == "getUpdates")


async def test_confirmed_updates_are_not_redelivered(stub: BotApiStub, app: Application) -> None:
    first = stub.send_text(CHAT, "một")
    await stub.wait_sent(CHAT, 1)
    # PTB confirms by asking for offset = last id + 1.
    await stub.wait_for(
        lambda c: c.method == "getUpdates"
        and int(c.params.get("offset", 0)) == first["update_id"] + 1
    )
    second = stub.send_text(CHAT, "hai")
    await stub.wait_sent(CHAT, 2)
    await stub.wait_for(
        lambda c: c.method == "getUpdates"
        and int(c.params.get("offset", 0)) == second["update_id"] + 1
    )
    await asyncio.sleep(0.05)  # room for a wrongly re-delivered update to be echoed
    texts = [c.params["text"] for c in stub.sent(CHAT)]
    assert texts == ["<b>echo:</b> một", "<b>echo:</b> hai"]


async def test_deliberate_redelivery_with_same_update_id(stub: BotApiStub) -> None:
    # Without an Application: talk to getUpdates through a bare Bot.
    bot = build_app(stub).bot
    async with bot:
        upd = stub.send_text(CHAT, "a")
        stub.push_update(upd)  # same update_id: delivered twice
        got = await bot.get_updates(timeout=0)
        assert [u.update_id for u in got] == [upd["update_id"]] * 2
        assert got[0].message is not None and got[0].message.text == "a"
        assert await bot.get_updates(offset=upd["update_id"] + 1, timeout=0) == ()


async def test_command_entity_and_sticker(stub: BotApiStub) -> None:
    bot = build_app(stub).bot
    async with bot:
        stub.send_text(CHAT, "/lich@ward_test_bot hôm nay")
        stub.send_sticker(CHAT)
        command, sticker = await bot.get_updates(timeout=0)
    assert command.message is not None and sticker.message is not None
    assert command.message.parse_entities() == {
        command.message.entities[0]: "/lich@ward_test_bot"
    }
    assert sticker.message.text is None
    assert sticker.message.sticker is not None and sticker.message.sticker.type == "regular"
    assert command.message.message_id + 1 == sticker.message.message_id


async def test_send_photo_and_document_files(stub: BotApiStub) -> None:
    bot = build_app(stub).bot
    async with bot:
        photo_msg = await bot.send_photo(CHAT, photo=b"\x89PNG fake", caption="ảnh")
        doc_msg = await bot.send_document(
            CHAT, document=b"a,b\n1,2\n", filename="lich.csv", caption="<i>csv</i>"
        )
        downloaded = await (await bot.get_file(doc_msg.document.file_id)).download_as_bytearray()
    photo_call, doc_call = stub.sent(CHAT)
    assert photo_call.method == "sendPhoto" and "photo" not in photo_call.params
    assert photo_call.files["photo"][1] == b"\x89PNG fake"
    assert photo_call.params["caption"] == "ảnh"
    assert photo_msg.photo[-1].file_size == len(b"\x89PNG fake")
    assert doc_call.files["document"] == ("lich.csv", b"a,b\n1,2\n")
    assert doc_msg.document is not None and doc_msg.document.file_name == "lich.csv"
    assert bytes(downloaded) == b"a,b\n1,2\n"


# PTB itself reads RetryAfter.retry_after while building the message, which warns.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_rate_limit_answers_429() -> None:
    async with BotApiStub(rate_limit_per_s=2) as stub:
        bot = build_app(stub).bot
        async with bot:
            await bot.send_message(CHAT, "1")
            await bot.send_message(CHAT + 1, "2")
            # Message, not .retry_after: that attribute warns about its pending type change.
            with pytest.raises(RetryAfter, match=r"Retry in (1 seconds|0:00:01)"):
                await bot.send_message(CHAT, "3")
    assert stub.count_429 == 1
    assert len(stub.sent()) == 2
    assert [c.error_code for c in stub.sent(include_failed=True)] == [None, None, 429]


async def test_blocked_chat_answers_403(stub: BotApiStub) -> None:
    stub.blocked_chats.add(CHAT)
    bot = build_app(stub).bot
    async with bot:
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(CHAT, "hi")
        await bot.send_message(CHAT + 1, "hi")
    assert stub.sent(CHAT) == []
    assert len(stub.sent(CHAT + 1)) == 1


async def test_fail_next_and_wrong_token(stub: BotApiStub) -> None:
    stub.fail_next("sendMessage", 400, "Bad Request: chat not found")
    bot = build_app(stub).bot
    async with bot:
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(CHAT, "x")
        await bot.send_message(CHAT, "y")  # only the next call fails
        await bot.set_my_commands([("lich", "Lịch")])
        assert [c.command for c in await bot.get_my_commands()] == ["lich"]
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("noSuchMethod")
    wrong = build_app(stub, token="999:WRONG").bot
    try:
        with pytest.raises(InvalidToken):
            await wrong.initialize()  # getMe answers 401
    finally:
        await wrong.shutdown()


async def test_wait_helpers_report_recent_calls(stub: BotApiStub) -> None:
    bot = build_app(stub).bot
    async with bot:
        await bot.send_message(CHAT, "only one")
    with pytest.raises(AssertionError, match="only one"):
        await stub.wait_sent(CHAT, count=2, timeout=0.05)
    with pytest.raises(AssertionError, match="no matching Bot API call"):
        await stub.wait_for(lambda c: c.method == "sendPhoto", timeout=0.05)
    assert isinstance(stub.calls[0], Call)


async def test_never_started_chats_unknown_paths_and_short_polls(stub: BotApiStub) -> None:
    stub.never_started_chats.add(CHAT)
    bot = build_app(stub).bot
    async with bot:
        with pytest.raises(Forbidden, match="can't initiate conversation"):
            await bot.send_message(CHAT, "hi")
        stub.send_text(CHAT, "/start")  # the user opens the bot: from now on it may write
        await bot.send_message(CHAT, "hi")
    wrong_path = ApplicationBuilder().token(stub.token).base_url(f"{stub.url}/bot/bot").build().bot
    try:
        with pytest.raises(InvalidToken) as refused:
            await wrong_path.initialize()
        assert str(refused.value.__cause__) == "Not Found"  # a JSON 404's description, as Telegram answers
    finally:
        await wrong_path.shutdown()
    async with BotApiStub(long_polling=False) as short:
        bot = build_app(short).bot
        async with bot:
            assert await bot.get_updates(timeout=30) == ()  # at once, though a long poll was asked
