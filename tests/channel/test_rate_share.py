"""Two bot processes on one database send for one bot: they share its rate. Two senders, each
with its own Storage on the same SQLite file, its own Telegram channel and outbox, fan out at
the same time (one the morning reminder, the other a staff notice) against the Bot API
stand-in enforcing the limit: no 429, nobody twice."""
import asyncio
from collections import Counter
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import insert

from botapi_stub import BotApiStub
from channels.outbox import Outbox
from channels.rateshare import RateShare
from channels.telegram import TelegramChannel
from handlers.router import Assistant
from bot import connect
from storage import repo
from storage.db import Storage
from storage.models import Resident

SUBSCRIBERS = 60
STAFF = 555
LIMIT = 20  # the stand-in's limit, per second: low, so that the busy test machine keeps up with it
# Each process's configured rate. Below the limit by a margin: here both "processes" and the
# stand-in share one busy event loop, so a request's way to the stand-in varies by a lot more
# than across a real network, and a late bunch can squeeze more than a second's sends into one.
RATE = LIMIT * 0.8  # without the share: 2 x 16 = 32 a second, over the limit
FIRST = 100_000


async def add_subscribers(storage, now) -> None:
    rows = [dict(channel="telegram", external_id=str(FIRST + i), name=f"R{i}", language="vi", subscribed=True,
                 subscribed_at=now, first_seen=now, last_seen=now) for i in range(SUBSCRIBERS)]
    async with storage.session() as s, s.begin():
        await s.execute(insert(Resident), rows)


class Process:
    """What one bot process has: its storage, channel (paced at the whole limit, as configured),
    jobs and its share of the rate."""

    def __init__(self, name: str, url: str, week, clock, stub: BotApiStub) -> None:
        self.storage = Storage(url)
        assistant = Assistant(week, self.storage, clock, admins=frozenset())
        self.channel = TelegramChannel(assistant, stub.token, stub.url, outbox=Outbox(rate=RATE, concurrency=32),
                                       webhook_url="https://bot.example/telegram/webhook", webhook_secret="s")
        self.jobs = connect(assistant, [self.channel])
        self.jobs.instance = name
        self.share = RateShare(self.storage, "telegram", name, self.channel.outbox, every=1.0)

    async def start(self) -> None:
        await self.storage.start()
        await self.channel.start()
        await self.share.start()

    async def stop(self) -> None:
        await self.jobs.stop(outboxes=[self.channel.outbox])
        await self.share.stop()
        await self.channel.stop()
        await self.storage.close()


@pytest.mark.slow
async def test_two_processes_on_one_database_share_the_rate_limit(week, clock, tmp_path):
    clock.set(datetime.fromisoformat("2023-10-03T07:00:00+07:00"))
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    async with BotApiStub(rate_limit_per_s=LIMIT) as stub:
        processes = [Process(name, url, week, clock, stub) for name in ("host:1", "host:2")]
        try:
            for process in processes:
                await process.start()
            await add_subscribers(processes[0].storage, clock.now())
            assert [p.share.senders for p in processes] == [1, 2]  # the second found the first
            async with processes[1].storage.session() as s, s.begin():
                notice = await repo.create_broadcast(s, "Họp tổ dân phố lúc 19h", "telegram", str(STAFF), clock.now())
            tallies = await asyncio.gather(processes[0].jobs.reminders.run(date(2023, 10, 3)),
                                           processes[1].jobs.broadcasts.run(notice.id))
        finally:
            for process in processes:
                await process.stop()
        storage = Storage(url)
        async with storage.session() as s:
            left = await repo.live_senders(s, "telegram", datetime(2000, 1, 1, tzinfo=timezone.utc))
        await storage.close()
    assert stub.count_429 == 0
    per_chat = Counter(c.chat_id for c in stub.sent() if c.chat_id != STAFF)
    assert len(per_chat) == SUBSCRIBERS and set(per_chat.values()) == {2}  # the reminder and the notice, once
    assert [t.sent for t in tallies] == [SUBSCRIBERS, SUBSCRIBERS]
    assert left == 0  # a stopped process leaves the share to the others
