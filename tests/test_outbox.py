"""The paced outbox on its own: order, priority, limits, and what it does with errors."""
import asyncio
import time

from channels.outbox import BULK, REPLY, Blocked, Outbox, Outcome, RateLimited, Transient


class Log:
    def __init__(self):
        self.sent: list[tuple[str, str, float]] = []

    def call(self, chat: str, label: str, error: Exception | None = None, fail_times: int = 0):
        state = {"left": fail_times}

        async def send():
            if error is not None and (fail_times == 0 or state["left"] > 0):
                state["left"] -= 1
                raise error
            self.sent.append((chat, label, time.monotonic()))
        return send


async def with_outbox(**kw) -> Outbox:
    outbox = Outbox(**kw)
    outbox.start()
    return outbox


async def test_messages_to_one_chat_keep_their_order_and_per_chat_pace():
    log, outbox = Log(), await with_outbox(rate=1000, per_chat=20, burst=1)
    try:
        result = await outbox.deliver("a", [log.call("a", str(i)) for i in range(5)])
        assert result.outcome is Outcome.SENT
        assert [label for _, label, _ in log.sent] == ["0", "1", "2", "3", "4"]
        gaps = [b[2] - a[2] for a, b in zip(log.sent, log.sent[1:])]
        assert min(gaps) >= 0.04  # 20 per second to one chat
    finally:
        await outbox.stop()


async def test_global_rate_is_kept():
    log, outbox = Log(), await with_outbox(rate=100, per_chat=100, burst=1)
    try:
        start = time.monotonic()
        await asyncio.gather(*(outbox.deliver(f"c{i}", [log.call(f"c{i}", "x")], priority=BULK) for i in range(30)))
        assert time.monotonic() - start >= 0.28  # 30 messages at 100/s
        assert len(log.sent) == 30
    finally:
        await outbox.stop()


async def test_replies_go_ahead_of_bulk():
    log, outbox = Log(), await with_outbox(rate=50, per_chat=100, burst=1)
    try:
        bulk = [asyncio.create_task(outbox.deliver(f"b{i}", [log.call(f"b{i}", "bulk")], priority=BULK))
                for i in range(50)]
        await asyncio.sleep(0.1)
        await outbox.deliver("resident", [log.call("resident", "reply")], priority=REPLY)
        position = [chat for chat, _, _ in log.sent].index("resident")
        assert position <= 8, position  # not behind the ~45 bulk messages still queued
        await asyncio.gather(*bulk)
    finally:
        await outbox.stop()


async def test_rate_limited_pauses_everything_and_drops_nothing():
    log, outbox = Log(), await with_outbox(rate=1000, per_chat=100, burst=1)
    try:
        first = outbox.deliver("a", [log.call("a", "1", RateLimited(0.3), fail_times=1)])
        second = outbox.deliver("b", [log.call("b", "2")])
        start = time.monotonic()
        results = await asyncio.gather(first, second)
        assert all(r.outcome is Outcome.SENT for r in results)
        assert outbox.count_429 == 1 and len(log.sent) == 2
        assert max(t for _, _, t in log.sent) - start >= 0.25
    finally:
        await outbox.stop()


async def test_blocked_transient_and_permanent_errors():
    log, outbox = Log(), await with_outbox(rate=1000, per_chat=1000, burst=5, backoff=0.01)
    try:
        blocked = await outbox.deliver("a", [log.call("a", "x", Blocked("blocked")), log.call("a", "y")])
        assert blocked.outcome is Outcome.BLOCKED and log.sent == []  # the rest of that reply is not sent
        flaky = await outbox.deliver("b", [log.call("b", "x", Transient("502"), fail_times=2)])
        assert flaky.outcome is Outcome.SENT
        down = await outbox.deliver("c", [log.call("c", "x", Transient("502 Bad Gateway"))])
        assert down.outcome is Outcome.FAILED and "502" in down.reason
        bad = await outbox.deliver("d", [log.call("d", "x", ValueError("can't parse entities"))])
        assert bad.outcome is Outcome.FAILED
        assert [c for c, _, _ in log.sent] == ["b"]
    finally:
        await outbox.stop()


async def test_a_claim_refused_skips_the_message():
    log, outbox = Log(), await with_outbox()

    async def taken():
        return False
    try:
        result = await outbox.deliver("a", [log.call("a", "1"), log.call("a", "2")], priority=BULK, claim=taken)
        assert result.outcome is Outcome.SKIPPED and log.sent == []
        assert outbox.pending() == 0
    finally:
        await outbox.stop()
