"""Zalo Bot Platform end to end: the channel polling (or taking webhooks from) the strict Bot API
stand-in on 127.0.0.1, the real assistant and database behind."""
from __future__ import annotations

import asyncio
import io
import json
import os
import signal
import sys
from datetime import date, datetime

import aiohttp
import pytest
import zxingcpp
from PIL import Image

from channels.outbox import Outbox
from channels.web import READY, build_web_app, start_web
from channels.zalobot import ZaloBotChannel, ZaloBotConfig
from conftest import BEFORE_WEEK, ROOT, bound_port
from content.loader import DEFAULT_PATH, load_week
from core.clock import ManualClock
from core.vietqr import vietqr_payload
from handlers.pledge import transfer_memo
from handlers.router import Assistant
from handlers.types import Button, Reply
from bot import connect
from storage import repo
from channels import StartupError
from zalobot_stub import TOKEN, ZaloBotStub

LAN = "e4ea2cd5189df1c3a88c"  # ids look like this in the docs
STAFF = "a1b2c3d4e5f6a7b8c9d0"
PUBLIC = "https://ward.example.vn"
SECRET = "s3cret-for-tests-only"


class Bot:
    """The channel against the stand-in: polling, or by webhook behind PUBLIC (a reverse proxy
    to our local web server, as nginx would be)."""

    def __init__(self, stub: ZaloBotStub, assistant: Assistant, webhook: bool = False) -> None:
        self.stub, self.assistant, self.webhook = stub, assistant, webhook
        config = ZaloBotConfig(TOKEN, stub.url, webhook_url=PUBLIC + "/zalobot/webhook" if webhook else None,
                               webhook_secret=SECRET if webhook else None, public_url=PUBLIC if webhook else None)
        self.channel = ZaloBotChannel(assistant, config, Outbox(rate=200, backoff=0.02))
        assistant.senders.add(self.channel.name, self.channel.deliver)

    async def __aenter__(self) -> "Bot":
        app = build_web_app(self.assistant, zalobot=self.channel)
        app[READY].set()
        self.runner = await start_web(app, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{bound_port(self.runner)}"
        self.http = aiohttp.ClientSession()
        await self.channel.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.channel.stop()
        await self.http.close()
        await self.runner.cleanup()

    async def post(self, body: bytes, secret: str | None = SECRET) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Bot-Api-Secret-Token"] = secret
        async with self.http.post(self.url + "/zalobot/webhook", data=body, headers=headers) as response:
            return response.status

    async def send(self, update: dict) -> None:
        if self.webhook:
            assert await self.post(json.dumps(update).encode()) == 200
        else:
            self.stub.push(update)

    async def say(self, user: str, text: str | None, count: int = 1) -> list[dict]:
        before = len(self.stub.sent(user))
        await self.send(self.stub.update(user, text))
        calls = await self.stub.wait_sent(user, before + count)
        return [c.body for c in calls[before:]]

    async def fetch(self, public_url: str) -> tuple[int, bytes]:
        assert public_url.startswith(PUBLIC + "/zalobot/files/")
        async with self.http.get(self.url + public_url[len(PUBLIC):]) as response:
            return response.status, await response.read()


@pytest.fixture
async def stub():
    async with ZaloBotStub() as stub:
        yield stub
    assert stub.refused == []  # the strict stand-in saw only what the Bot API accepts


@pytest.fixture
def demo_assistant(storage):
    week = load_week(DEFAULT_PATH.with_name("demo-bank.yaml"))
    return Assistant(week, storage, ManualClock(BEFORE_WEEK), admins=frozenset({("zalobot", STAFF)}))


@pytest.mark.slow
async def test_a_resident_asks_reads_subscribes_gets_the_reminder_and_pledges_polling(stub, demo_assistant):
    async with Bot(stub, demo_assistant) as bot:
        (answer,) = await bot.say(LAN, "chu de nam nay la j vay ad")
        assert "Xây dựng năng lực tự học trong kỷ nguyên số" in answer["text"]
        assert "\n1. 📅 Lịch tuần" in answer["text"]  # options, numbered
        (schedule,) = await bot.say(LAN, "1")
        assert "1/10" in schedule["text"] and "7/10" in schedule["text"]
        (subscribed,) = await bot.say(LAN, "/nhacnho")
        assert "07:00" in subscribed["text"]

        demo_assistant.clock.set(datetime.fromisoformat("2023-10-01T07:00:00+07:00"))  # rehearsal clock
        tally = await connect(demo_assistant, []).reminders.run(date(2023, 10, 1))
        assert tally.sent == 1
        assert "Chào buổi sáng" in stub.sent(LAN)[-1].body["text"]

        await bot.say(LAN, "ủng hộ 500k")
        await bot.say(LAN, "Bác Hai")
        await bot.say(LAN, "bỏ qua")
        thanks, pay, qr = await bot.say(LAN, "xác nhận", count=3)
        assert "KH-0001" in thanks["text"] and "500.000 đ" in thanks["text"]
        assert "KH0001" in pay["text"]
        # No PUBLIC_URL: no image can be sent, so the reply says where to get the QR.
        assert "mã QR" in qr["text"] and "chat_id" in qr and "photo" not in qr
        notice = await stub.wait_sent(STAFF, 1)  # staff on the Zalo Bot hear of the pledge there
        assert "KH-0001" in notice[-1].body["text"]
    assert [c.method for c in stub.calls if c.method in ("deleteWebhook", "setWebhook")] == ["deleteWebhook"]


@pytest.mark.slow
async def test_by_webhook_the_qr_is_published_fetched_back_and_scans(stub, demo_assistant):
    async with Bot(stub, demo_assistant, webhook=True) as bot:
        assert stub.webhook == {"url": PUBLIC + "/zalobot/webhook", "secret_token": SECRET}
        await bot.say(LAN, "ủng hộ 1tr5")
        await bot.say(LAN, "Gia đình ông Ba")
        await bot.say(LAN, "bỏ qua")
        thanks, pay, photo = await bot.say(LAN, "xác nhận", count=3)
        assert set(photo) == {"chat_id", "photo", "ok"}
        status, png = await bot.fetch(photo["photo"])
        assert status == 200 and png.startswith(b"\x89PNG")
        bank = demo_assistant.week.fund.bank
        expected = vietqr_payload(bank.bin, bank.account, 1_500_000, transfer_memo("KH-0001"))
        assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))] == [expected]

        # Unguessable, not listable, and gone after its lifetime.
        token = photo["photo"].split("/")[-2]
        assert len(token) >= 32
        assert (await bot.fetch(photo["photo"].replace(token, "x" * len(token))))[0] == 404
        assert (await bot.fetch(PUBLIC + "/zalobot/files/"))[0] == 404
        demo_assistant.clock.advance(days=3)
        assert (await bot.fetch(photo["photo"]))[0] == 404


async def test_the_webhook_checks_its_secret_and_ignores_odd_bodies(stub, assistant, caplog):
    async with Bot(stub, assistant, webhook=True) as bot:
        body = json.dumps(stub.update(LAN, "/lich")).encode()
        assert await bot.post(body, secret=None) == 403
        assert await bot.post(body, secret="wrong-secret") == 403
        assert await bot.post(b"not json") == 400
        with caplog.at_level("INFO"):
            for odd in [[], "x", {"event_name": "message.text.received", "message": "xin chào"},
                        {"ok": True, "result": None}, {"message": {"chat": {"id": LAN}, "message_id": True}}]:
                assert await bot.post(json.dumps(odd).encode()) == 200  # Zalo would only send it again
        assert [r for r in caplog.records if r.exc_info] == []
        assert len([r for r in caplog.records if "unexpected shape" in r.getMessage()]) == 5
        async with assistant.storage.session() as s:
            assert await repo.count_residents(s) == (0, 0)  # nothing was processed
        assert stub.sent() == []
        (answer,) = await bot.say(LAN, "/lich")  # the real thing still works
        assert "1/10" in answer["text"]


async def test_a_retried_update_is_answered_once(stub, assistant):
    async with Bot(stub, assistant, webhook=True) as bot:
        update = stub.update(LAN, "/lich")
        assert await bot.post(json.dumps(update).encode()) == 200
        assert await bot.post(json.dumps(update).encode()) == 200  # Zalo delivers it again
        await stub.wait_sent(LAN, 1)
        await bot.say(LAN, "/homnay")  # one resident's updates are handled in order: the copy came before
        assert len(stub.sent(LAN)) == 2


async def test_stickers_and_groups(stub, assistant):
    async with Bot(stub, assistant) as bot:
        (answer,) = await bot.say(LAN, None)  # a sticker
        assert "chữ" in answer["text"]
        stub.push(stub.update("group1", "/lich", chat_type="GROUP"))
        await bot.say(LAN, "/homnay")
        assert stub.sent("group1") == []


async def test_long_text_is_split_under_2000(stub, assistant):
    async with Bot(stub, assistant) as bot:
        text = "\n".join(f"Dòng {i}: " + " ".join(["chữ"] * 20) for i in range(60))
        result = await bot.channel.deliver(LAN, [Reply(text, "x", [Button("OK", "menu:menu")])])
        assert result.outcome.value == "sent"
        parts = [c.body["text"] for c in stub.sent(LAN)]
        assert len(parts) == 3 and all(len(p) <= 2000 for p in parts)
        assert "\n".join(parts) == text + "\n\n1. OK"


async def test_staff_on_the_zalo_bot(stub, storage):
    assistant = Assistant(load_week(), storage, ManualClock(BEFORE_WEEK), admins=frozenset({("zalobot", STAFF)}))
    async with Bot(stub, assistant, webhook=True) as bot:
        (stats,) = await bot.say(STAFF, "/thongke")
        assert "Người đã chặn bot" in stats["text"]
        (other,) = await bot.say(LAN, "/thongke")
        assert "Người đã chặn bot" not in other["text"]  # an unknown command to residents
        export_text, csv_link, xlsx_link = await bot.say(STAFF, "/xuat", count=3)
        url = csv_link["text"].split(": ", 1)[1].split("\n")[0]
        status, data = await bot.fetch(url)
        assert status == 200 and "Mã".encode() in data[:20]  # the CSV export, for staff only
        (your_id,) = await bot.say(LAN, "/id")
        assert f"zalobot:{LAN}" in your_id["text"]


async def test_a_resident_who_blocked_the_bot_is_counted(stub, assistant):
    async with Bot(stub, assistant) as bot:
        await bot.say(LAN, "/nhacnho")
        stub.blocked.add(LAN)
        assistant.clock.set(datetime.fromisoformat("2023-10-02T07:00:00+07:00"))
        tally = await connect(assistant, []).reminders.run(date(2023, 10, 2))
        assert tally.blocked == 1
        async with assistant.storage.session() as s:
            assert await repo.count_blocked(s) == 1


@pytest.mark.slow
async def test_bot_py_run_starts_the_zalo_bot_alone(stub, tmp_path):
    """`python bot.py run` with only ZALO_BOT_TOKEN: the Zalo Bot polls and answers; SIGTERM stops it."""
    env = {"PATH": os.environ.get("PATH", ""), "ZALO_BOT_TOKEN": TOKEN, "ZALO_BOT_BASE_URL": stub.url,
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", "ADMIN_IDS": f"zalobot:{STAFF}"}
    process = await asyncio.create_subprocess_exec(sys.executable, "bot.py", "run", "--now", BEFORE_WEEK.isoformat(),
                                                   cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE)
    try:
        stub.push(stub.update(LAN, "/lich"))
        (answer,) = await stub.wait_sent(LAN, 1, timeout=30)
        assert "1/10" in answer.body["text"]
        stub.push(stub.update(STAFF, "/thongke"))
        (stats,) = await stub.wait_sent(STAFF, 1, timeout=10)
        assert "Người đã chặn bot" in stats.body["text"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert TOKEN.split(":")[1] not in stderr.decode()  # the token never in a log line


async def test_a_webhook_the_api_refuses_stops_start_up_with_one_line(stub, assistant):
    """Under `serve` with PUBLIC_URL: a refused setWebhook is a setting to fix, said in one line
    (bot.py prints StartupError and exits 2), not a traceback; the token is not in it."""
    stub.token = "another:token"
    bot = Bot(stub, assistant, webhook=True)
    with pytest.raises(StartupError) as refused:
        await bot.channel.start()
    await bot.channel.stop()
    message = str(refused.value)
    assert "webhook" in message and "check ZALO_BOT_TOKEN" in message and "\n" not in message
    assert TOKEN.split(":")[1] not in message and stub.webhook is None


async def test_a_refused_token_is_said_in_one_line_and_tried_again(stub, assistant, caplog):
    stub.token = "another:token"
    async with Bot(stub, assistant) as bot:
        with caplog.at_level("WARNING"):
            while not any("check ZALO_BOT_TOKEN" in r.getMessage() for r in caplog.records):
                await asyncio.sleep(0.05)
        stub.token = TOKEN  # staff fix it: polling resumes on its own
        (answer,) = await bot.say(LAN, "/lich")
        assert "1/10" in answer["text"]
    assert [r for r in caplog.records if r.exc_info] == []
    assert all(TOKEN.split(":")[1] not in r.getMessage() and "another:token" not in r.getMessage()
               for r in caplog.records)


@pytest.mark.slow
async def test_bot_py_serve_takes_the_zalo_bot_by_webhook_and_publishes_the_qr(stub, tmp_path):
    """`python bot.py serve` with PUBLIC_URL (a reverse proxy to HOST:PORT): setWebhook with a
    secret, updates by webhook, the pledge's QR code sent as a photo from the published URL."""
    from processes import free_port, wait_healthy

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"PATH": os.environ.get("PATH", ""), "ZALO_BOT_TOKEN": TOKEN, "ZALO_BOT_BASE_URL": stub.url,
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", "HOST": "127.0.0.1", "PORT": str(port),
           "PUBLIC_URL": PUBLIC, "CONTENT_FILE": str(DEFAULT_PATH.with_name("demo-bank.yaml"))}
    process = await asyncio.create_subprocess_exec(sys.executable, "bot.py", "serve", "--now", BEFORE_WEEK.isoformat(),
                                                   cwd=ROOT, env=env, stderr=asyncio.subprocess.PIPE)
    async with aiohttp.ClientSession() as http:
        try:
            assert (await wait_healthy(http, base, process))["channels"] == ["zalobot"]
            assert stub.webhook["url"] == PUBLIC + "/zalobot/webhook" and len(stub.webhook["secret_token"]) == 64
            assert not any(c.method == "getUpdates" for c in stub.calls)
            headers = {"X-Bot-Api-Secret-Token": stub.webhook["secret_token"]}
            count = 0
            for text, replies in [("ủng hộ 200k", 1), ("Lan", 1), ("bỏ qua", 1), ("xác nhận", 3)]:
                async with http.post(base + "/zalobot/webhook", json=stub.update(LAN, text), headers=headers) as r:
                    assert r.status == 200
                count += replies
                await stub.wait_sent(LAN, count, timeout=15)
            photo = stub.sent(LAN)[-1].body["photo"]
            async with http.get(base + photo[len(PUBLIC):]) as response:
                assert response.status == 200 and response.content_type == "image/png"
                png = await response.read()
            assert zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text.startswith("000201")
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()[-2000:]
