"""Odd input from Telegram's side, end to end: webhook bodies that are no update, and updates
python-telegram-bot cannot read, by webhook and by polling (tests/unit/test_telegram_parsing.py has
the property test of the same path)."""
import json
import logging
from contextlib import asynccontextmanager

import aiohttp

from botapi_stub import BotApiStub
from telegram_helpers import running
from channels.outbox import Outbox
from channels.telegram import TelegramChannel
from channels.web import build_web_app, start_web
from conftest import bound_port

SECRET = "webhook-secret-for-tests"
LAN = 5001
# A resident's words: they may show up in replies, never in the log.
PRIVATE_WORDS = "Tôi là Nguyễn Văn Bình, 0912345678"


@asynccontextmanager
async def webhook_bot(assistant):
    """The bot behind the real web server, taking Telegram's updates by webhook."""
    async with BotApiStub() as stub:
        channel = TelegramChannel(assistant, stub.token, stub.url, outbox=Outbox(rate=1000, per_chat=100, burst=10),
                                  webhook_url="https://ward.example/telegram/webhook", webhook_secret=SECRET)
        assistant.senders.add(channel.name, channel.deliver)
        runner = await start_web(build_web_app(assistant, telegram=channel), "127.0.0.1", 0)
        await channel.start()
        try:
            yield stub, f"http://127.0.0.1:{bound_port(runner)}/telegram/webhook"
        finally:
            await channel.stop()
            await runner.cleanup()


def message(update_id: int, **fields) -> dict:
    base = {"message_id": 1, "date": 1700000000, "chat": {"id": LAN, "type": "private", "first_name": "Lan"},
            "from": {"id": LAN, "is_bot": False, "first_name": "Lan"}}
    return {"update_id": update_id, "message": {**base, **fields}}


# (body, status): no update at all -> 400; an update whose content cannot be read -> 200, dropped.
BODIES = [
    (b"[1, 2]", 400),
    (b'"hello"', 400),
    (b"{not json", 400),
    (b"\xff\xfe\x00", 400),  # not even UTF-8
    (b"null", 400),
    (b"{}", 400),
    (b'{"update_id": "7"}', 400),
    (b"[" * 100_000, 400),  # nested past Python's recursion limit
    (json.dumps({"update_id": 7, "message": {"text": PRIVATE_WORDS}}).encode(), 200),  # no chat, date, id
    (json.dumps(message(8, text=5)).encode(), 200),  # a text that is a number
    (json.dumps(message(9, text=PRIVATE_WORDS, chat={"id": "abc", "type": "private"})).encode(), 200),
    (json.dumps({"update_id": 10, "callback_query": "press"}).encode(), 200),
]


async def test_webhook_refuses_what_is_not_an_update_and_drops_what_it_cannot_read(assistant, caplog):
    caplog.set_level(logging.INFO)
    async with webhook_bot(assistant) as (stub, url), aiohttp.ClientSession() as http:
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        for body, status in BODIES:
            caplog.clear()
            async with http.post(url, data=body, headers=headers) as response:
                assert response.status == status, body[:60]
            warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
            assert len(warnings) == 1, (body[:60], [r.getMessage() for r in warnings])  # logged once
        caplog.clear()
        async with http.post(url, json=message(11, text="/lich", entities=[
                {"type": "bot_command", "offset": 0, "length": 5}]), headers=headers) as response:
            assert response.status == 200
        (reply,) = await stub.wait_sent(LAN, 1)  # the bot still answers, and answered nothing else
        assert "7/10" in reply.params["text"]
    assert not [r for r in caplog.records if r.exc_info], "no traceback"
    assert PRIVATE_WORDS not in caplog.text and "Nguyễn" not in caplog.text


async def test_polling_skips_an_update_it_cannot_read_and_answers_the_next(assistant, caplog):
    """Unchanged, PTB fails on the whole getUpdates answer, logs it (a resident's words), and asks
    again without confirming it: the same answer for ever, and nobody is answered."""
    async with running(assistant) as stub:
        broken = stub.push_update({"message": {"text": PRIVATE_WORDS, "chat": {"id": LAN, "type": "private"}}})
        stub.send_text(LAN, "/lich")
        (reply,) = await stub.wait_sent(LAN, 1)
        assert "7/10" in reply.params["text"]
        await stub.wait_for(lambda c: c.method == "getUpdates"
                            and int(c.params.get("offset") or 0) > broken["update_id"] + 1)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert PRIVATE_WORDS not in caplog.text
