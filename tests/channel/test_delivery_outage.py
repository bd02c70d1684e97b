"""An outage of the Bot API during a fan-out, through the real Telegram channel against the
stand-in refusing connections: what never left is sent again, with backoff on the injected
clock, until the message's time is over; what may have arrived is not."""
import asyncio
from collections import Counter
from datetime import date, datetime

from sqlalchemy import insert, select

from botapi_stub import BotApiStub
from channels.outbox import Outbox
from channels.telegram import TelegramChannel
from bot import connect
from storage import repo
from storage.models import Broadcast, Delivery, Resident

FIRST = 100_000
STAFF = 555


async def add_subscribers(storage, now, count: int) -> None:
    rows = [dict(channel="telegram", external_id=str(FIRST + i), name=f"R{i}", language="vi", subscribed=True,
                 subscribed_at=now, first_seen=now, last_seen=now) for i in range(count)]
    async with storage.session() as s, s.begin():
        await s.execute(insert(Resident), rows)


def telegram(assistant, stub, **kw) -> TelegramChannel:
    # Webhook mode: no getUpdates polling failing in the background while the stand-in is away.
    channel = TelegramChannel(assistant, stub.token, stub.url, outbox=Outbox(rate=100, backoff=0.01), read_timeout=0.3,
                              webhook_url="https://bot.example/telegram/webhook", webhook_secret="s", **kw)
    assistant.senders.add(channel.name, channel.deliver)
    return channel


async def outage_after(stub: BotApiStub, sent: int) -> None:
    await stub.wait_for(lambda c: len(stub.sent()) >= sent)
    await stub.refuse_connections()


async def statuses(storage, key: str) -> Counter:
    async with storage.session() as s:
        return Counter((await s.execute(select(Delivery.status).where(Delivery.key == key))).scalars())


async def test_reminders_that_never_left_during_an_outage_are_sent_once_it_ends(assistant, storage, clock):
    clock.set(datetime.fromisoformat("2023-10-03T07:00:00+07:00"))
    await add_subscribers(storage, clock.now(), 40)
    key = "reminder:2023-10-03"
    async with BotApiStub() as stub:
        channel = telegram(assistant, stub)
        await channel.start()
        jobs = connect(assistant, [])
        try:
            stub.stall_next("sendMessage", 1.0)  # the first one arrives, its answer is lost: may have arrived
            await stub.wait_for(lambda c: c.method == "setWebhook")
            outage = asyncio.create_task(outage_after(stub, sent=10))
            first = await jobs.reminders.run(date(2023, 10, 3))
            await outage
            # Requests under way at the cut got no answer: they may have arrived, and are not retried.
            assert first.failed >= 1 and first.retry > 0 and first.sent + first.failed + first.retry == 40
            before = {"sent": first.sent, "retry": first.retry, "failed": first.failed}
            assert await statuses(storage, key) == before
            await jobs.recover()  # too early: the first retry waits 30 s (on the bot's clock)
            assert await statuses(storage, key) == before
            await stub.accept_connections()
            clock.advance(seconds=31)
            await jobs.recover()  # the sweep's run
        finally:
            await jobs.stop(outboxes=[channel.outbox])
            await channel.stop()
    assert await statuses(storage, key) == {"sent": first.sent + first.retry, "failed": first.failed}
    per_chat = Counter(c.chat_id for c in stub.sent())
    async with storage.session() as s:
        sent = set((await s.execute(select(Resident.external_id).join(Delivery, Delivery.resident_id == Resident.id)
                                    .where(Delivery.status == "sent"))).scalars())
    assert {str(chat) for chat in per_chat} >= sent and max(per_chat.values()) == 1  # all sent, none doubled


async def test_retries_end_with_the_day_and_count_as_failed(assistant, storage, clock):
    clock.set(datetime.fromisoformat("2023-10-03T23:58:50+07:00"))
    await add_subscribers(storage, clock.now(), 5)
    key = "reminder:2023-10-03"
    async with BotApiStub() as stub:
        channel = telegram(assistant, stub)
        await channel.start()
        jobs = connect(assistant, [])
        try:
            await stub.refuse_connections()
            await jobs.reminders.run(date(2023, 10, 3))
            assert await statuses(storage, key) == {"retry": 5}  # again at 23:59:20
            clock.advance(seconds=31)
            await jobs.recover()  # still unreachable; the next try (23:60:21) would be tomorrow
            assert await statuses(storage, key) == {"failed": 5}
            await stub.accept_connections()
            clock.advance(seconds=120)
            await jobs.recover()
        finally:
            await jobs.stop(outboxes=[channel.outbox])
            await channel.stop()
    assert [c for c in stub.sent() if c.chat_id != STAFF] == []  # yesterday's reminder is never sent late
    async with storage.session() as s:
        counts = await repo.delivery_counts(s, "reminder:")
    assert counts[key] == {"failed": 5}


async def test_a_retry_left_when_the_bot_was_down_at_midnight_counts_as_failed(assistant, storage, clock):
    clock.set(datetime.fromisoformat("2023-10-03T23:00:00+07:00"))
    await add_subscribers(storage, clock.now(), 3)
    key = "reminder:2023-10-03"
    async with BotApiStub() as stub:
        channel = telegram(assistant, stub)
        await channel.start()
        jobs = connect(assistant, [])
        try:
            await stub.refuse_connections()
            await jobs.reminders.run(date(2023, 10, 3))
            assert await statuses(storage, key) == {"retry": 3}
            clock.set(datetime.fromisoformat("2023-10-04T06:00:00+07:00"))  # the next start
            await stub.accept_connections()
            await jobs.recover()
        finally:
            await jobs.stop(outboxes=[channel.outbox])
            await channel.stop()
    assert await statuses(storage, key) == {"failed": 3}
    assert stub.sent() == []


async def test_a_notice_that_never_left_is_sent_within_its_lifetime(assistant, storage, clock):
    await add_subscribers(storage, clock.now(), 20)  # before the week: no reminder is due
    async with storage.session() as s, s.begin():
        broadcast = await repo.create_broadcast(s, "Họp tổ dân phố lúc 19h", "telegram", str(STAFF), clock.now())
    key = f"broadcast:{broadcast.id}"
    async with BotApiStub() as stub:
        channel = telegram(assistant, stub)
        await channel.start()
        jobs = connect(assistant, [])
        try:
            await stub.refuse_connections()
            await jobs.broadcasts.run(broadcast.id)
            assert await statuses(storage, key) == {"retry": 20}
            await stub.accept_connections()
            clock.advance(seconds=31)
            await jobs.recover()
            await jobs.idle()  # the notice is resumed in the background
        finally:
            await jobs.stop(outboxes=[channel.outbox])
            await channel.stop()
    assert await statuses(storage, key) == {"sent": 20}
    per_chat = Counter(c.chat_id for c in stub.sent() if c.chat_id != STAFF)
    assert len(per_chat) == 20 and set(per_chat.values()) == {1}
    done = [c.params["text"] for c in stub.sent(STAFF)]
    assert len(done) == 1 and "20" in done[0]  # the staff member hears once, when all is done
    async with storage.session() as s:
        assert (await s.get(Broadcast, broadcast.id)).status == "done"


async def test_retry_rows_and_sender_heartbeats_on_every_database(any_storage, clock):
    """The queries behind retries and the shared rate, on SQLite and PostgreSQL."""
    from datetime import timedelta

    await add_subscribers(any_storage, clock.now(), 3)
    key, now = "reminder:2023-10-03", clock.now()
    async with any_storage.session() as s, s.begin():
        ids = [r.id for r in await repo.recipients(s, key, ["telegram"], now)]
        assert await repo.claim_deliveries(s, key, ids, "a", now) == set(ids)
        await repo.defer_deliveries(s, key, ids[:2], "refused", 1, now + timedelta(seconds=30), now)
        await repo.finish_deliveries(s, key, ids[2:], "sent", None, now)
    async with any_storage.session() as s, s.begin():
        assert await repo.recipients(s, key, ["telegram"], now) == []  # not yet
        later = now + timedelta(seconds=30)
        due = await repo.recipients(s, key, ["telegram"], later)
        assert [(r.id, r.attempts) for r in due] == [(ids[0], 1), (ids[1], 1)]
        assert await repo.claim_deliveries(s, key, ids, "b", later) == set(ids[:2])  # the sent one stays
        assert await repo.claim_deliveries(s, key, ids, "c", later) == set()  # claimed once
        await repo.defer_deliveries(s, key, ids[:1], "refused", 2, later, later)
        assert await repo.count_retries(s, key) == 1
        await repo.give_up_retries(s, key, "too late", later)
        assert await repo.retry_keys(s) == []
    async with any_storage.session() as s, s.begin():
        for name, seen in (("a", now), ("b", now), ("c", now - timedelta(seconds=60))):
            await repo.beat_sender(s, "telegram", name, seen)
        await repo.beat_sender(s, "telegram", "a", now + timedelta(seconds=1))  # again: an update
        assert await repo.live_senders(s, "telegram", now - timedelta(seconds=6)) == 2
        await repo.drop_sender(s, "telegram", "a")
        assert await repo.live_senders(s, "telegram", now - timedelta(seconds=6)) == 1
        assert await repo.live_senders(s, "zalo", now - timedelta(seconds=6)) == 0
