"""Daily reminders and broadcasts with an injected clock: no sleeping through real hours."""
import asyncio
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from conftest import Chat, RecordingChannel
from jobs.fanout import Tally
from bot import connect
from storage import repo
from storage.models import Delivery, Resident

TZ7 = timezone(timedelta(hours=7))


def at(clock, text: str) -> None:
    clock.set(datetime.fromisoformat(text))


@pytest.fixture
def jobs(assistant):
    return connect(assistant, [])


@pytest.fixture
def channel(assistant):
    return RecordingChannel(assistant)


async def subscribe(assistant, *users: str) -> None:
    for user in users:
        await Chat(assistant, user=user).one("/nhacnho")


async def deliveries(storage) -> list[tuple[str, str, str]]:
    async with storage.session() as s:
        rows = await s.execute(select(Delivery.key, Resident.external_id, Delivery.status)
                               .join(Resident, Resident.id == Delivery.resident_id).order_by(Delivery.id))
        return [tuple(r) for r in rows]


async def test_seven_jobs_at_seven_in_the_content_time_zone(assistant, jobs, clock):
    ids = jobs.reminders.register()
    assert ids == [f"reminder:2023-10-0{d}" for d in range(1, 8)]
    for day, job in enumerate(jobs.scheduler.get_jobs(), start=1):
        bot_time = job.trigger.run_date + (clock.now() - datetime.now(timezone.utc))
        assert abs(bot_time - datetime(2023, 10, day, 7, 0, tzinfo=TZ7)) < timedelta(seconds=5)
        assert job.misfire_grace_time == 17 * 3600  # late is fine until midnight
    at(clock, "2023-10-04T08:00:00+07:00")
    again = connect(assistant, []).reminders.register()
    assert again == [f"reminder:2023-10-0{d}" for d in range(5, 8)]  # the past ones are not registered


async def test_each_subscriber_gets_the_day_once(assistant, jobs, channel, clock, storage):
    await subscribe(assistant, "a", "b")
    await Chat(assistant, user="c").one("/start")  # not subscribed
    at(clock, "2023-10-05T07:00:00+07:00")
    channel.messages.clear()
    first = await jobs.reminders.run(datetime(2023, 10, 5).date())
    second = await jobs.reminders.run(datetime(2023, 10, 5).date())  # e.g. a second process, or a retry
    assert (first.sent, second.total) == (2, 0)
    assert [u for u, _ in channel.messages] == ["a", "b"]
    text = channel.to("a")[0].text
    assert "5/10" in text and "khai mạc" in text.lower() and "/huynhac" in text
    assert await deliveries(storage) == [("reminder:2023-10-05", "a", "sent"), ("reminder:2023-10-05", "b", "sent")]


async def test_last_day_closes_with_the_fund_total(assistant, jobs, channel, clock):
    await subscribe(assistant, "a")
    at(clock, "2023-10-07T07:00:00+07:00")
    await jobs.reminders.run(datetime(2023, 10, 7).date())
    assert "14.000.000 đ" in channel.to("a")[-1].text and "ngày cuối" in channel.to("a")[-1].text


async def test_catch_up_the_same_day_but_not_the_day_after(assistant, jobs, channel, clock, storage):
    await subscribe(assistant, "a")
    at(clock, "2023-10-03T06:00:00+07:00")
    await jobs.reminders.catch_up()
    assert channel.to("a")[1:] == []  # before 07:00: nothing yet
    at(clock, "2023-10-03T10:30:00+07:00")  # the bot was down at 07:00
    await jobs.reminders.catch_up()
    assert "3/10" in channel.to("a")[-1].text
    at(clock, "2023-10-05T00:30:00+07:00")  # down all of 4/10: that reminder is never sent
    await jobs.reminders.catch_up()
    assert await jobs.reminders.run(datetime(2023, 10, 4).date()) == Tally()
    assert [k for k, _, _ in await deliveries(storage)] == ["reminder:2023-10-03"]


async def test_a_crash_between_claim_and_send_is_repaired_once(assistant, channel, clock, storage):
    await subscribe(assistant, "a", "b")
    at(clock, "2023-10-02T07:00:05+07:00")
    async with storage.session() as s, s.begin():  # a process claimed "a" and died before sending
        resident = (await s.execute(select(Resident).where(Resident.external_id == "a"))).scalar_one()
        assert await repo.claim_delivery(s, "reminder:2023-10-02", resident.id, "dead:1", clock.now(),
                                         timedelta(seconds=90))
    restarted = connect(assistant, [])
    channel.messages.clear()
    await restarted.reminders.run(datetime(2023, 10, 2).date())
    assert [u for u, _ in channel.messages] == ["b"]  # "a" is still claimed by the dead process
    assert (await restarted.sweep()).total == 0       # its lease has not run out yet
    clock.advance(seconds=91)
    assert (await restarted.sweep()).sent == 1
    assert [u for u, _ in channel.messages] == ["b", "a"]
    assert (await restarted.sweep()).total == 0
    assert sorted(await deliveries(storage)) == [("reminder:2023-10-02", "a", "sent"), ("reminder:2023-10-02", "b", "sent")]


async def test_a_stale_claim_from_yesterday_expires(assistant, channel, clock, storage):
    await subscribe(assistant, "a")
    at(clock, "2023-10-02T07:00:05+07:00")
    async with storage.session() as s, s.begin():
        await repo.claim_delivery(s, "reminder:2023-10-02", 1, "dead:1", clock.now(), timedelta(seconds=90))
    at(clock, "2023-10-03T06:00:00+07:00")
    channel.messages.clear()
    assert (await connect(assistant, []).sweep()).expired == 1
    assert channel.messages == []
    assert await deliveries(storage) == [("reminder:2023-10-02", "a", "expired")]


async def test_subscribing_after_seven_gives_today_at_once(assistant, jobs, channel, clock, storage):
    at(clock, "2023-10-04T09:15:00+07:00")
    replies = await Chat(assistant, user="late").say("/nhacnho")
    assert [r.topic for r in replies] == ["subscribe", "day"] and "4/10" in replies[1].text
    await jobs.reminders.catch_up()
    assert channel.to("late") == []  # not twice today
    at(clock, "2023-10-05T07:00:00+07:00")
    await jobs.reminders.run(datetime(2023, 10, 5).date())
    assert "5/10" in channel.to("late")[0].text


async def test_blocked_residents_are_unsubscribed_and_counted(assistant, jobs, channel, clock, storage):
    await subscribe(assistant, "a", "gone")
    channel.blocked.add("gone")
    at(clock, "2023-10-02T07:00:00+07:00")
    tally = await jobs.reminders.run(datetime(2023, 10, 2).date())
    assert (tally.sent, tally.blocked) == (1, 1)
    async with storage.session() as s:
        assert await repo.count_residents(s) == (2, 1)
        assert await repo.count_blocked(s) == 1
    stats = (await Chat(assistant, user="staff").one("/thongke")).plain_text()
    assert "Người đã chặn bot: 1" in stats and "2/10: 1 / 1" in stats


async def test_broadcast_preview_confirm_send_and_summary(assistant, jobs, channel, clock, storage):
    await subscribe(assistant, "a", "b")
    staff = Chat(assistant, user="staff")
    ask = await staff.one("/thongbao")
    assert ask.topic == "broadcast_text" and "2 người" in ask.text
    preview = await staff.one("Lễ tổng kết dời sang <b>8h30</b> sáng 7/10")
    assert preview.topic == "broadcast_confirm" and "&lt;b&gt;8h30" in preview.text
    started = await staff.one(payload="broadcast:send")
    assert started.topic == "broadcast_started"
    assert (await staff.one(payload="broadcast:send")).topic == "broadcast"  # a second tap sends nothing
    await jobs.idle()
    for user in ("a", "b"):
        (notice,) = channel.to(user)[-1:]
        assert notice.topic == "broadcast" and "dời sang &lt;b&gt;8h30" in notice.text
    (summary,) = [r for r in channel.to("staff") if r.topic == "broadcast_done"]
    assert "2 đã nhận" in summary.text
    resident = Chat(assistant, user="a")
    assert (await resident.one("/thongbao")).topic == "fallback"  # staff only
    assert (await resident.one(payload="broadcast:send")).topic == "menu"


async def test_a_broadcast_summary_counts_residents_a_platform_rule_kept_out_of_reach(assistant, jobs, channel,
                                                                                       storage):
    await subscribe(assistant, "a", "b")
    channel.unreachable.add("b")
    staff = Chat(assistant, user="staff")
    await staff.one("/thongbao Họp tổ dân phố tối nay")
    await staff.one(payload="broadcast:send")
    await jobs.idle()
    (summary,) = [r for r in channel.to("staff") if r.topic == "broadcast_done"]
    assert "1 đã nhận" in summary.text and "1 người không liên lạc được theo quy định Zalo" in summary.text
    assert (await deliveries(storage))[-2:] == [("broadcast:1", "a", "sent"), ("broadcast:1", "b", "unreachable")]
    stats = (await staff.one("/thongke")).plain_text()
    assert "Không liên lạc được theo quy định nền tảng" in stats and "quá 7 ngày chưa nhắn, Zalo không cho gửi: 1" in stats


async def test_an_unfinished_broadcast_is_finished_after_a_restart(assistant, channel, clock, storage):
    await subscribe(assistant, "a")
    staff = Chat(assistant, user="staff")  # no job runner in this process: the notice waits in the database
    await staff.one("/thongbao Họp tổ dân phố tối nay")
    await staff.one(payload="broadcast:send")
    assert channel.to("a") == []
    jobs = connect(assistant, [])
    await jobs.broadcasts.resume()
    await jobs.idle()
    assert channel.to("a")[-1].topic == "broadcast"
    await jobs.broadcasts.resume()
    await jobs.idle()
    assert [r.topic for r in channel.to("a")].count("broadcast") == 1


@pytest.mark.slow
async def test_two_processes_sharing_a_database_send_each_reminder_once(any_storage, db_url, week):
    """Two bot processes (own engines and connection pools) run the 07:00 job at the same moment."""
    from content.loader import load_week
    from core.clock import ManualClock
    from handlers.router import Assistant
    from storage.db import Storage

    when = datetime.fromisoformat("2023-10-03T07:00:00+07:00")
    first = Assistant(week, any_storage, ManualClock(when - timedelta(hours=1)))
    for i in range(120):
        await Chat(first, user=f"r{i}").one("/nhacnho")
    first.clock.set(when)
    second_storage = Storage(db_url)
    second = Assistant(load_week(), second_storage, ManualClock(when))
    channels = [RecordingChannel(first), RecordingChannel(second)]
    try:
        jobs = [connect(first, []), connect(second, [])]
        jobs[1].instance += "-second"
        tallies = await asyncio.gather(*(j.reminders.run(date(2023, 10, 3)) for j in jobs))
    finally:
        await second_storage.close()
    received = [user for channel in channels for user, _ in channel.messages]
    assert sorted(received) == sorted(f"r{i}" for i in range(120))  # everyone, once, between them
    assert sum(t.sent for t in tallies) == 120
    assert {status for _, _, status in await deliveries(any_storage)} == {"sent"}


class SlowChannel(RecordingChannel):
    """A channel whose every message takes a while, as under a real rate limit."""

    def __init__(self, assistant, delay: float) -> None:
        super().__init__(assistant)
        self.delay = delay

    async def deliver(self, user_id, replies, *, bulk=False, claim=None):
        await asyncio.sleep(self.delay)
        return await super().deliver(user_id, replies, bulk=bulk, claim=claim)


async def test_claims_waiting_to_be_sent_are_not_taken_by_another_process(week, storage):
    """A long fan-out outlives the lease; another process sweeping meanwhile must not resend."""
    from core.clock import Clock
    from handlers.router import Assistant

    clock = Clock(datetime.fromisoformat("2023-10-03T06:59:00+07:00"))  # real time, shifted
    first, second = Assistant(week, storage, clock), Assistant(week, storage, clock)
    for i in range(30):
        await Chat(first, user=f"r{i}").one("/nhacnho")
    slow, other = SlowChannel(first, delay=0.04), RecordingChannel(second)
    lease = timedelta(seconds=0.6)
    a, b = connect(first, [], lease=lease), connect(second, [], lease=lease)
    b.instance += "-b"
    run = asyncio.create_task(a.reminders.run(date(2023, 10, 3)))
    while not run.done():
        await b.sweep()
        await asyncio.sleep(0.1)
    assert (await run).sent == 30
    assert other.messages == [] and sorted(u for u, _ in slow.messages) == sorted(f"r{i}" for i in range(30))


async def test_a_database_error_mid_run_is_made_good_by_the_next_sweep(assistant, channel, clock, monkeypatch):
    import jobs.fanout as fanout

    await subscribe(assistant, *[f"r{i}" for i in range(30)])
    clock.set(datetime.fromisoformat("2023-10-03T07:00:00+07:00"))
    monkeypatch.setattr(fanout, "CHUNK", 10)
    real = repo.claim_deliveries
    calls = {"n": 0}

    async def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] >= 2:  # the second chunk: the database is gone for a while
            raise ConnectionError("database unavailable")
        return await real(*args, **kwargs)

    monkeypatch.setattr(repo, "claim_deliveries", flaky)
    monkeypatch.setattr(fanout, "RETRY_BACKOFF", 0.0)
    jobs = connect(assistant, [])
    with pytest.raises(ConnectionError):
        await jobs.reminders.run(date(2023, 10, 3))
    assert len(channel.messages) == 10
    monkeypatch.setattr(repo, "claim_deliveries", real)  # the database is back
    await jobs.recover()
    assert sorted(u for u, _ in channel.messages) == sorted(f"r{i}" for i in range(30))  # each once


async def test_outcomes_that_failed_to_save_are_saved_later(assistant, channel, clock, storage, monkeypatch):
    await subscribe(assistant, "a", "b")
    clock.set(datetime.fromisoformat("2023-10-03T07:00:00+07:00"))
    real = repo.finish_deliveries
    failures = {"left": 1}

    async def flaky(*args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("database unavailable")
        return await real(*args, **kwargs)

    monkeypatch.setattr(repo, "finish_deliveries", flaky)
    await connect(assistant, []).reminders.run(date(2023, 10, 3))
    assert {status for _, _, status in await deliveries(storage)} == {"sent"}


async def test_outcomes_being_saved_when_the_run_ends_are_not_lost(assistant, channel, clock, storage, monkeypatch):
    """The end of a run closes the recorder while its timed flush may be mid-transaction: that
    flush must finish, not be cancelled with its batch (the claim would stay open and be resent)."""
    from jobs.fanout import Recorder
    from core.delivery import Outcome, Result

    await subscribe(assistant, "a")
    clock.set(datetime.fromisoformat("2023-10-03T07:00:00+07:00"))
    async with storage.session() as s, s.begin():
        (resident_id,) = (await s.execute(select(Resident.id))).scalars()
        await repo.claim_deliveries(s, "k", [resident_id], "me", clock.now())
    real, writing, go_on = repo.finish_deliveries, asyncio.Event(), asyncio.Event()

    async def slow(*args, **kwargs):
        writing.set()
        await go_on.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(repo, "finish_deliveries", slow)
    recorder = Recorder(connect(assistant, []), "k")
    recorder.add(resident_id, Result(Outcome.BLOCKED, "blocked"))
    recorder._start_flush(0)
    await writing.wait()
    closing = asyncio.create_task(recorder.close())
    async with asyncio.timeout(20):  # until close() has cancelled the flush under way
        while not recorder._flusher.cancelling():
            await asyncio.sleep(0)
    go_on.set()
    await closing
    async with storage.session() as s:
        assert (await s.execute(select(Delivery.status))).scalars().all() == ["blocked"]
        assert await repo.count_blocked(s) == 1


async def test_a_swept_retry_keeps_its_backoff(assistant, channel, clock, storage):
    """A retry claimed by a process that then died: the sweep's try goes on with the backoff it
    had reached (4th try -> 4 min), not from the first 30 s again."""
    from sqlalchemy import update

    from core.delivery import Outcome, Result
    from jobs.fanout import RETRY_FIRST

    await subscribe(assistant, "a")
    at(clock, "2023-10-02T07:00:05+07:00")
    key = "reminder:2023-10-02"
    async with storage.session() as s, s.begin():
        resident = (await s.execute(select(Resident).where(Resident.external_id == "a"))).scalar_one()
        assert await repo.claim_delivery(s, key, resident.id, "dead:1", clock.now(), timedelta(seconds=90))
        await s.execute(update(Delivery).where(Delivery.key == key).values(attempts=3))

    async def never_leaves(user_id, replies, *, bulk=False, claim=None):
        if claim is not None and not await claim():
            return Result(Outcome.NOT_ATTEMPTED, "claimed elsewhere")
        return Result(Outcome.NOT_SENT, "ConnectError")

    assistant.senders.add("console", never_leaves)
    clock.advance(seconds=91)
    await connect(assistant, []).sweep()
    async with storage.session() as s:
        row = (await s.execute(select(Delivery).where(Delivery.key == key))).scalar_one()
    assert (row.status, row.attempts) == ("retry", 4)
    assert row.retry_at == clock.now() + RETRY_FIRST * 2 ** 3
