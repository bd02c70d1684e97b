"""The paced outbox on its own: order, priority, limits, and what it does with errors.

Each test runs on virtual time (tests/virtual_time.py) with the outbox on the loop's clock:
the gaps, pauses and rates below are exact, however busy the machine is."""
import asyncio

from channels.outbox import BULK, REPLY, Blocked, MaybeSent, Outbox, RateLimited, Transient
from core.delivery import Outcome
from virtual_time import virtual_time


def pending(outbox: Outbox) -> int:
    """Messages the outbox still holds, not yet sent or given up on."""
    return sum((c.sending is not None) + sum(not i.future.done() for i in c.items) for c in outbox._chats.values())


class Log:
    def __init__(self):
        self.sent: list[tuple[str, str, float]] = []

    def call(self, chat: str, label: str, error: Exception | None = None, fail_times: int = 0):
        state = {"left": fail_times}

        async def send():
            if error is not None and (fail_times == 0 or state["left"] > 0):
                state["left"] -= 1
                raise error
            self.sent.append((chat, label, now()))
        return send


def now() -> float:
    return asyncio.get_running_loop().time()


async def with_outbox(**kw) -> Outbox:
    outbox = Outbox(clock=now, **kw)
    outbox.start()
    return outbox


@virtual_time
async def test_messages_to_one_chat_keep_their_order_and_per_chat_pace():
    log, outbox = Log(), await with_outbox(rate=1000, per_chat=20, burst=1)
    try:
        result = await outbox.deliver("a", [log.call("a", str(i)) for i in range(5)])
        assert result.outcome is Outcome.SENT
        assert [label for _, label, _ in log.sent] == ["0", "1", "2", "3", "4"]
        gaps = [b[2] - a[2] for a, b in zip(log.sent, log.sent[1:])]
        assert min(gaps) >= 0.05 - 1e-9  # 20 per second to one chat
    finally:
        await outbox.stop()


@virtual_time
async def test_global_rate_is_kept():
    log, outbox = Log(), await with_outbox(rate=50, per_chat=100, burst=1)
    try:
        start = now()
        await asyncio.gather(*(outbox.deliver(f"c{i}", [log.call(f"c{i}", "x")], priority=BULK) for i in range(120)))
        assert now() - start >= 1.9  # 120 messages at 50 per second
        times = sorted(t for _, _, t in log.sent)
        assert max(sum(1 for t in times if s <= t < s + 0.999) for s in times) <= 50  # in any second
    finally:
        await outbox.stop()


@virtual_time
async def test_replies_go_ahead_of_bulk():
    log, outbox = Log(), await with_outbox(rate=20, per_chat=100, burst=1)
    try:
        bulk = [asyncio.create_task(outbox.deliver(f"b{i}", [log.call(f"b{i}", "bulk")], priority=BULK))
                for i in range(50)]
        await asyncio.sleep(0.1)
        already_sent = len(log.sent)
        await outbox.deliver("resident", [log.call("resident", "reply")], priority=REPLY)
        position = [chat for chat, _, _ in log.sent].index("resident")
        assert position <= already_sent + 1, position  # the next slot (one may be under way), not behind the other bulk
        await asyncio.gather(*bulk)
    finally:
        await outbox.stop()


@virtual_time
async def test_rate_limited_pauses_everything_and_drops_nothing():
    log, outbox = Log(), await with_outbox(rate=1000, per_chat=100, burst=1)
    try:
        first = outbox.deliver("a", [log.call("a", "1", RateLimited(0.3), fail_times=1)])
        second = outbox.deliver("b", [log.call("b", "2")])
        start = now()
        results = await asyncio.gather(first, second)
        assert all(r.outcome is Outcome.SENT for r in results)
        assert outbox.count_429 == 1 and len(log.sent) == 2
        assert max(t for _, _, t in log.sent) - start >= 0.3 - 1e-9
    finally:
        await outbox.stop()


@virtual_time
async def test_blocked_transient_and_permanent_errors():
    log, outbox = Log(), await with_outbox(rate=1000, per_chat=1000, burst=5, backoff=0.01)
    try:
        blocked = await outbox.deliver("a", [log.call("a", "x", Blocked("blocked")), log.call("a", "y")])
        assert blocked.outcome is Outcome.BLOCKED and log.sent == []  # the rest of that reply is not sent
        flaky = await outbox.deliver("b", [log.call("b", "x", Transient("502"), fail_times=2)])
        assert flaky.outcome is Outcome.SENT
        down = await outbox.deliver("c", [log.call("c", "x", Transient("502 Bad Gateway"))])
        assert down.outcome is Outcome.NOT_SENT and "502" in down.reason  # never left: may be sent again
        bad = await outbox.deliver("d", [log.call("d", "x", ValueError("can't parse entities"))])
        assert bad.outcome is Outcome.FAILED
        assert [c for c, _, _ in log.sent] == ["b"]
    finally:
        await outbox.stop()


@virtual_time
async def test_a_message_that_may_have_arrived_is_resent_only_as_a_reply():
    log, outbox = Log(), await with_outbox(rate=1000, per_chat=1000, burst=5, backoff=0.01)
    try:  # each call's first try goes unanswered; a second try would be sent
        bulk = await outbox.deliver("a", [log.call("a", "x", MaybeSent("read timeout"), fail_times=1)], priority=BULK)
        reply = await outbox.deliver("b", [log.call("b", "x", MaybeSent("read timeout"), fail_times=1)], priority=REPLY)
        assert bulk.outcome is Outcome.FAILED and "may have arrived" in bulk.reason
        assert reply.outcome is Outcome.SENT
        assert [c for c, _, _ in log.sent] == ["b"]  # the bulk message was not tried again
    finally:
        await outbox.stop()


@virtual_time
async def test_a_claim_refused_skips_the_message():
    log, outbox = Log(), await with_outbox()

    async def taken():
        return False
    try:
        result = await outbox.deliver("a", [log.call("a", "1"), log.call("a", "2")], priority=BULK, claim=taken)
        assert result.outcome is Outcome.NOT_ATTEMPTED and log.sent == []
        assert pending(outbox) == 0
    finally:
        await outbox.stop()


@virtual_time
async def test_a_pause_holds_even_when_every_slot_was_busy():
    log, outbox = Log(), await with_outbox(rate=1000, per_chat=100, burst=1, concurrency=1)
    try:
        start = now()
        await asyncio.gather(outbox.deliver("a", [log.call("a", "1", RateLimited(0.4), fail_times=1)]),
                             outbox.deliver("b", [log.call("b", "2")]), outbox.deliver("c", [log.call("c", "3")]))
        assert min(t for _, _, t in log.sent) - start >= 0.4 - 1e-9  # nothing slipped out during the pause
    finally:
        await outbox.stop()


@virtual_time
async def test_after_a_failed_part_the_rest_is_not_sent():
    log, outbox = Log(), await with_outbox(rate=1000, per_chat=1000, burst=10, concurrency=4)
    try:
        result = await outbox.deliver("a", [log.call("a", "text", ValueError("bad")), log.call("a", "QR photo")])
        await asyncio.sleep(0.05)
        assert result.outcome is Outcome.FAILED and log.sent == []
        assert (await outbox.deliver("a", [log.call("a", "next")])).outcome is Outcome.SENT  # the chat goes on
    finally:
        await outbox.stop()


@virtual_time
async def test_a_reply_lifts_a_chat_waiting_behind_bulk():
    """A subscriber writes while their reminder is still queued behind thousands of others."""
    log, outbox = Log(), await with_outbox(rate=100, per_chat=100, burst=2)
    try:
        bulk = [asyncio.create_task(outbox.deliver(f"s{i}", [log.call(f"s{i}", "reminder")], priority=BULK))
                for i in range(60)]
        await asyncio.sleep(0.05)
        start = now()
        await outbox.deliver("s59", [log.call("s59", "reply")])
        assert now() - start < 0.2  # not after the other 55 reminders (0.55 s)
        assert [label for chat, label, _ in log.sent if chat == "s59"] == ["reminder", "reply"]  # order kept
        await asyncio.gather(*bulk)
    finally:
        await outbox.stop()


@virtual_time
async def test_stopping_answers_everyone_still_waiting():
    log, outbox = Log(), await with_outbox(rate=1, per_chat=1, burst=1)
    waiting = [asyncio.create_task(outbox.deliver(f"c{i}", [log.call(f"c{i}", "x")], priority=BULK)) for i in range(5)]
    await asyncio.sleep(0.1)
    await outbox.stop()
    results = await asyncio.wait_for(asyncio.gather(*waiting), 1)
    assert {r.outcome for r in results[1:]} == {Outcome.NOT_ATTEMPTED}  # never attempted: a bulk claim is given back


@virtual_time
async def test_idle_chats_are_forgotten(monkeypatch):
    import channels.outbox as module

    monkeypatch.setattr(module, "PRUNE_EVERY", 0.0)
    log, outbox = Log(), await with_outbox(rate=10_000, per_chat=1000, burst=1)
    try:
        await asyncio.gather(*(outbox.deliver(f"c{i}", [log.call(f"c{i}", "x")]) for i in range(200)))
        await asyncio.sleep(0.05)
        await outbox.deliver("last", [log.call("last", "x")])
        await asyncio.sleep(0.05)
        assert len(outbox._chats) <= 2
    finally:
        await outbox.stop()


@virtual_time
async def test_a_send_holds_its_place_in_the_window_until_a_second_after_its_answer():
    """The platform counts a message when it arrives, which may be as late as its answer: slow
    answers must not let more than `rate` arrive within one second, however the sends bunch."""
    answered: list[float] = []

    def slow(chat: str):
        async def send():
            await asyncio.sleep(0.5)  # arrives at the platform at any time until now
            answered.append(now())
        return send
    outbox = await with_outbox(rate=5, per_chat=100, burst=1, concurrency=50)
    try:
        start = now()
        await asyncio.gather(*(outbox.deliver(f"c{i}", [slow(f"c{i}")], priority=BULK) for i in range(6)))
        # The first five take the window; the sixth may only start a second after the first answer.
        assert answered[5] - 0.5 >= answered[0] + 1.0 - 1e-9, [t - start for t in answered]
    finally:
        await outbox.stop()
