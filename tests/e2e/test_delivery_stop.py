"""SIGTERM to the real bot process (`bot.py run`) in the middle of a fan-out, against the Bot API
stand-in: a clean stop claims nothing new, records what was under way, gives back what was not
sent, prints no traceback; the next start sends the rest at once and nobody gets it twice."""
import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from botapi_stub import BotApiStub
from storage.db import Storage
from storage.models import Delivery, Resident

ROOT = Path(__file__).resolve().parents[2]
SUBSCRIBERS = 600
FIRST = 100_000
NOW = "2023-10-03T07:00:30+07:00"  # the morning reminder is due: sent at start-up


async def seed(url: str) -> None:
    storage = Storage(url)
    await storage.start()
    try:
        at = datetime.fromisoformat(NOW)
        rows = [dict(channel="telegram", external_id=str(FIRST + i), name=f"R{i}", language="vi", subscribed=True,
                     subscribed_at=at, first_seen=at, last_seen=at) for i in range(SUBSCRIBERS)]
        async with storage.session() as s, s.begin():
            await s.execute(insert(Resident), rows)
    finally:
        await storage.close()


async def statuses(url: str) -> Counter:
    storage = Storage(url)
    try:
        async with storage.session() as s:
            rows = await s.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
            return Counter(dict(rows.all()))
    finally:
        await storage.close()


async def bot(stub: BotApiStub, url: str, log: Path) -> asyncio.subprocess.Process:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": stub.token, "TELEGRAM_BASE_URL": stub.url, "DATABASE_URL": url,
           "TELEGRAM_RATE": "150", "ADMIN_IDS": "", "LOG_LEVEL": "INFO"}
    with log.open("ab") as err:
        return await asyncio.create_subprocess_exec(sys.executable, str(ROOT / "bot.py"), "run", "--now", NOW, env=env,
                                                    cwd=ROOT, stdin=asyncio.subprocess.DEVNULL,
                                                    stdout=asyncio.subprocess.DEVNULL, stderr=err)


async def stop(proc: asyncio.subprocess.Process) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(proc.wait(), 30)
    except TimeoutError:
        proc.kill()
        raise


def chats(stub: BotApiStub) -> Counter:
    return Counter(c.chat_id for c in stub.sent())


async def until(condition, timeout: float = 60) -> None:
    """Poll: cheaper than the stand-in's wait_for, which tests a predicate on every call."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.1)


@pytest.mark.slow
async def test_sigterm_mid_fan_out_is_clean_and_the_next_start_sends_the_rest_once(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await seed(url)
    log = tmp_path / "bot.log"
    async with BotApiStub() as stub:
        first = await bot(stub, url, log)
        await until(lambda: len(stub.sent()) >= 150)
        assert await stop(first) == 0
        text = log.read_text()
        assert "Traceback" not in text and " ERROR " not in text, text[-3000:]
        after_stop = await statuses(url)
        got = chats(stub)
        assert after_stop["claimed"] == 0  # nothing waits for a lease: the next start sends it at once
        assert after_stop["sent"] + after_stop["failed"] == len(got) < SUBSCRIBERS  # each outcome recorded
        second = await bot(stub, url, log)
        await until(lambda: len(chats(stub)) >= SUBSCRIBERS)
        assert await stop(second) == 0
    per_chat = chats(stub)
    assert len(per_chat) == SUBSCRIBERS and max(per_chat.values()) == 1  # 0 doubled
    assert (await statuses(url))["sent"] == SUBSCRIBERS - after_stop["failed"]
    assert "Traceback" not in log.read_text()
