"""Fan-out through the real Telegram stack against the Bot API stand-in enforcing a rate limit
and answering 403 for residents who blocked the bot."""
import asyncio
from collections import Counter
from datetime import date, datetime

import pytest
from sqlalchemy import insert

from botapi_stub import BotApiStub
from channels.outbox import Outbox
from channels.telegram import TelegramChannel
from bot import connect
from storage import repo
from storage.models import Resident

pytestmark = pytest.mark.slow  # fan-outs through the real Telegram stack

SUBSCRIBERS = 2000
LIMIT = 500  # the stand-in's limit, per second: Telegram's 30/s scaled up so the test is short


async def add_subscribers(storage, now, count: int, first_id: int = 100_000) -> None:
    rows = [dict(channel="telegram", external_id=str(first_id + i), name=f"R{i}", language="vi", subscribed=True,
                 subscribed_at=now, first_seen=now, last_seen=now) for i in range(count)]
    async with storage.session() as s, s.begin():
        await s.execute(insert(Resident), rows)


def queued_when_sent(outbox: Outbox, stub: BotApiStub, chat: str) -> list[int]:
    """For each message to `chat` put into the outbox: how many messages the stand-in had
    received by then (to count what went ahead of it, whatever the machine's speed)."""
    counts, deliver = [], outbox.deliver

    async def counting(key, calls, **kw):
        if key == chat:
            counts.append(len(stub.sent()))
        return await deliver(key, calls, **kw)
    outbox.deliver = counting
    return counts


async def test_two_thousand_reminders_within_the_limit(assistant, storage, clock):
    clock.set(datetime.fromisoformat("2023-10-03T07:00:00+07:00"))
    await add_subscribers(storage, clock.now(), SUBSCRIBERS)
    blocked = {100_000 + i for i in range(0, SUBSCRIBERS, 100)}  # 20 residents blocked the bot
    async with BotApiStub(rate_limit_per_s=LIMIT) as stub:
        stub.blocked_chats |= blocked
        outbox = Outbox(rate=LIMIT * 0.95, concurrency=32)
        channel = TelegramChannel(assistant, stub.token, stub.url, outbox=outbox)
        queued_at = queued_when_sent(outbox, stub, "7777")
        await channel.start()
        jobs = connect(assistant, [channel])
        try:
            run = jobs.spawn(jobs.reminders.run, date(2023, 10, 3))
            await stub.wait_for(lambda c: c.method == "sendMessage" and len(stub.sent()) > 300, timeout=120)
            stub.send_text(7777, "khai mạc ở đâu")
            (answer,) = await stub.wait_sent(7777, 1)
            tally = await asyncio.wait_for(run, timeout=300)  # generous: a loaded machine is slow
        finally:
            await jobs.stop()
            await channel.stop()
    per_chat = Counter(c.chat_id for c in stub.sent() if c.chat_id != 7777)
    assert stub.count_429 == 0
    assert len(per_chat) == SUBSCRIBERS - len(blocked) and set(per_chat.values()) == {1}  # each exactly once
    assert (tally.sent, tally.blocked, tally.failed) == (SUBSCRIBERS - len(blocked), len(blocked), 0)
    # The resident was not stuck behind the fan-out: once the answer was in the outbox, only the
    # reminders already under way (32 at a time) went before it, not the hundreds queued.
    (queued,) = queued_at
    assert stub.sent().index(answer) - queued <= 2 * 32, (queued, stub.sent().index(answer))
    async with storage.session() as s:
        assert await repo.count_blocked(s) == len(blocked)
        assert (await repo.count_residents(s))[1] == SUBSCRIBERS - len(blocked)  # blocked ones unsubscribed


async def test_429_pauses_and_5xx_retries_lose_nothing(assistant, storage, clock):
    clock.set(datetime.fromisoformat("2023-10-03T07:00:00+07:00"))
    await add_subscribers(storage, clock.now(), 30)
    async with BotApiStub() as stub:
        stub.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        stub.fail_next("sendMessage", 502, "Bad Gateway", times=2)
        channel = TelegramChannel(assistant, stub.token, stub.url, outbox=Outbox(rate=200, backoff=0.05))
        await channel.start()
        jobs = connect(assistant, [channel])
        try:
            tally = await jobs.reminders.run(date(2023, 10, 3))
        finally:
            await jobs.stop()
            await channel.stop()
    assert tally.sent == 30 and Counter(c.chat_id for c in stub.sent()).most_common(1)[0][1] == 1
    assert channel.outbox.count_429 == 1


async def test_a_reminder_whose_answer_is_lost_is_not_sent_twice_but_a_reply_is_resent(assistant, storage, clock):
    clock.set(datetime.fromisoformat("2023-10-03T07:00:00+07:00"))
    await add_subscribers(storage, clock.now(), 3)
    async with BotApiStub() as stub:
        # The stalls are three times the read timeout, and the timeout is long enough that no
        # ordinary answer misses it on a loaded machine.
        channel = TelegramChannel(assistant, stub.token, stub.url, read_timeout=1.0,
                                  outbox=Outbox(rate=200, backoff=0.05))
        await channel.start()
        jobs = connect(assistant, [channel])
        try:
            stub.stall_next("sendMessage", 3.0)  # Telegram takes the first reminder; its answer is lost
            tally = await jobs.reminders.run(date(2023, 10, 3))
            stub.stall_next("sendMessage", 3.0)
            stub.send_text(7777, "khai mạc ở đâu")
            await stub.wait_sent(7777, 2)  # the resident's answer: sent again, arrives twice
        finally:
            await jobs.stop()
            await channel.stop()
    per_chat = Counter(c.chat_id for c in stub.sent())
    assert [per_chat[100_000 + i] for i in range(3)] == [1, 1, 1]  # no reminder doubled
    assert (tally.sent, tally.failed) == (2, 1)  # the unanswered one is counted as failed, not resent
    async with storage.session() as s:
        counts = await repo.delivery_counts(s, "reminder:")
    assert counts["reminder:2023-10-03"] == {"sent": 2, "failed": 1}
