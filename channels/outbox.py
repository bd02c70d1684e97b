"""One paced queue for everything a channel sends.

Telegram allows about 30 messages a second overall and about one a second per chat, and a
429 means "stop everything for N seconds". The outbox keeps to that with even spacing and a
sliding one-second window overall and a token bucket per chat, sends replies to residents
ahead of bulk messages (reminders, notices), keeps each chat's messages in order, and retries
what can be retried.
Channel-agnostic: a channel gives it callables that raise the errors below.
"""
from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from core.delivery import Claim, Outcome, Result

log = logging.getLogger(__name__)

REPLY, BULK = 0, 1  # priorities: lower goes first
PRUNE_EVERY = 30.0  # seconds between forgetting idle chats
WINDOW_MARGIN = 0.005  # seconds: room for rounding between our clock and the platform's
# Seconds of sending a late wake-up may catch up at once (the one-second window still caps it):
# on a busy machine the event loop wakes late often, and each lost slot would be lost for good.
CATCH_UP = 0.05
ROUND_TRIP = 0.1  # seconds a request may take at full rate; more under way only queue at the platform


class RateLimited(Exception):
    """The platform asked to pause all sending (Telegram 429)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class Blocked(Exception):
    """The resident blocked the bot or deleted the account (Telegram 403): never retry."""


class Unreachable(Exception):
    """The platform will not deliver this message now (Zalo -230: no interaction for 7 days)."""


class Transient(Exception):
    """The request never left or was refused whole (a connection error, a 5xx): worth retrying
    after a pause, and, when the retries are used up, safe to send again later (NOT_SENT)."""


class MaybeSent(Exception):
    """The request went out but no answer came (a read timeout, a dropped connection): the
    message may have arrived. A reply is sent again (a resident waiting for an answer would
    rather get it twice than not at all); a bulk message is not, as it is promised once."""


Call = Callable[[], Awaitable[object]]


@dataclass(eq=False)
class _Group:
    """The parts of one deliver(): when one part fails, the rest is not sent."""
    arrived: bool = False  # a part arrived, or may have: the rest can no longer be taken back


@dataclass(eq=False)
class _Item:
    call: Call
    future: asyncio.Future
    priority: int
    group: _Group
    attempts: int = 0


@dataclass(eq=False)
class _Chat:
    items: deque[_Item] = field(default_factory=deque)
    tokens: float = 0.0
    refilled: float = 0.0
    not_before: float = 0.0     # after a transient error: back off
    sending: _Item | None = None
    entry: int | None = None    # seq of its live entry in a heap; older entries are stale

    def priority(self) -> int:
        return min(item.priority for item in self.items)


class Outbox:
    def __init__(self, *, rate: float = 30.0, per_chat: float = 1.0, burst: int = 3, concurrency: int | None = None,
                 retries: int = 3, backoff: float = 0.5, clock: Callable[[], float] = time.monotonic) -> None:
        """`concurrency`: requests under way at most; by default enough for `rate` at ROUND_TRIP."""
        concurrency = concurrency or max(8, math.ceil(rate * ROUND_TRIP))
        self.rate, self.per_chat, self.burst, self.concurrency = rate, per_chat, burst, concurrency
        self.retries, self.backoff = retries, backoff
        self._clock = clock
        self._chats: dict[str, _Chat] = {}
        self._ready: list[tuple[int, int, str]] = []    # (priority, seq, chat): may send now
        self._later: list[tuple[float, int, str]] = []  # (time, seq, chat): waiting for its bucket
        self._seq = itertools.count()
        self._next_send = 0.0
        self._per_window = max(1, int(rate))
        self._window = self._per_window / rate + WINDOW_MARGIN  # a second, and a little

        # The platform counts a message when it arrives, some time between our sending it and its
        # answer: so a send holds its place in the window from its start until a window after its
        # answer. However late or bunched the requests arrive, no window of the platform's then
        # sees more than `rate` of them.
        self._under_way = 0
        self._answered: deque[float] = deque()  # answer times within the last window
        self._paused_until = 0.0
        self._pruned = 0.0
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(concurrency)
        self._task: asyncio.Task | None = None
        self._sending: set[asyncio.Task] = set()
        self._closed = False       # stopped: nothing more is taken
        self._bulk_closed = False  # stopping: no more bulk messages are taken
        self.count_429 = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox")

    def set_rate(self, rate: float) -> None:
        """A new overall rate (a share of the channel's, when processes share it)."""
        self.rate = rate
        self._per_window = max(1, int(rate))
        self._window = self._per_window / rate + WINDOW_MARGIN

    @property
    def window(self) -> float:
        """Seconds over which at most `rate` messages go out."""
        return self._window

    def hold(self, seconds: float) -> None:
        """Send nothing for `seconds` (until the other processes have seen this one)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def withdraw_bulk(self, grace: float) -> None:
        """Stopping: take no more bulk messages, give back those not started (NOT_ATTEMPTED, so their
        claims are released and the next start sends them at once), and wait up to `grace`
        seconds for those under way. One still unanswered then may have arrived: FAILED."""
        self._bulk_closed = True
        waiting = []
        for chat in self._chats.values():
            for item in list(chat.items):
                if item.priority != BULK:
                    continue
                if item.group.arrived or (chat.sending is not None and chat.sending.group is item.group):
                    waiting.append(item.future)  # a later part of a message under way
                else:
                    chat.items.remove(item)
                    if not item.future.done():
                        item.future.set_result(Result(Outcome.NOT_ATTEMPTED, "shutting down: not sent"))
            if chat.sending is not None and chat.sending.priority == BULK:
                waiting.append(chat.sending.future)
        waiting = [f for f in waiting if not f.done()]
        if waiting:
            await asyncio.wait(waiting, timeout=grace)
        for future in waiting:
            if not future.done():
                future.set_result(Result(Outcome.FAILED, "stopped while sending: may have arrived"))

    async def stop(self) -> None:
        """Stop sending; whoever still waits on a message is told it was not sent, or, for a
        request under way, that it may have arrived."""
        self._closed = True
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        for task in list(self._sending):
            task.cancel()
        await asyncio.gather(*self._sending, return_exceptions=True)
        for chat in self._chats.values():
            if chat.sending is not None and not chat.sending.future.done():
                chat.sending.future.set_result(Result(Outcome.FAILED, "stopped while sending: may have arrived"))
            for item in chat.items:
                if not item.future.done():
                    item.future.set_result(Result(Outcome.NOT_ATTEMPTED, "shutting down: not sent"))
            chat.items.clear()

    async def deliver(self, chat: str, calls: list[Call], *, priority: int = REPLY, claim: Claim | None = None) -> Result:
        """Send `calls` to one chat, in order, and wait until they are done. `claim` runs just
        before the first call and may return False to skip (someone else delivers it)."""
        if self._closed or (priority == BULK and self._bulk_closed):
            return Result(Outcome.NOT_ATTEMPTED, "shutting down: not sent")
        loop = asyncio.get_running_loop()
        group = _Group()
        futures = []
        for i, call in enumerate(calls):
            futures.append(loop.create_future())
            self._put(chat, _Item(_with_claim(call, claim) if i == 0 and claim else call, futures[-1], priority, group))
        for i, future in enumerate(futures):
            result = await future
            if result.outcome is not Outcome.SENT:
                if i and result.outcome in (Outcome.NOT_ATTEMPTED, Outcome.NOT_SENT):
                    # The first parts arrived: sending the whole again would double them.
                    return Result(Outcome.FAILED, f"partly sent: {result.reason}")
                return result
        return Result(Outcome.SENT)

    def _put(self, key: str, item: _Item) -> None:
        chat = self._chats.get(key)
        if chat is None:
            chat = self._chats[key] = _Chat(tokens=self.burst, refilled=self._clock())
        chat.items.append(item)
        self._schedule(key, chat)

    def _schedule(self, key: str, chat: _Chat) -> None:
        """Put the chat in line, at its most urgent item's priority (a reply lifts the chat)."""
        while chat.items and chat.items[0].future.done():
            chat.items.popleft()
        if chat.sending is not None or not chat.items:
            return
        now = self._clock()
        at = max(chat.not_before, now + max(0.0, 1 - self._refill(chat, now)) / self.per_chat)
        chat.entry = next(self._seq)
        if at <= now:
            heapq.heappush(self._ready, (chat.priority(), chat.entry, key))
        else:
            heapq.heappush(self._later, (at, chat.entry, key))
        self._wake.set()

    def _refill(self, chat: _Chat, now: float) -> float:
        chat.tokens = min(self.burst, chat.tokens + (now - chat.refilled) * self.per_chat)
        chat.refilled = now
        return chat.tokens

    def _live(self, seq: int, key: str) -> _Chat | None:
        chat = self._chats.get(key)
        return chat if chat is not None and chat.entry == seq else None

    async def _next_chat(self) -> tuple[str, _Chat]:
        """Wait until a chat may send: its bucket, the global window and any pause allow it."""
        while True:
            now = self._clock()
            while self._later and self._later[0][0] <= now:
                _, seq, key = heapq.heappop(self._later)
                chat = self._live(seq, key)
                if chat is not None:
                    chat.entry = next(self._seq)
                    heapq.heappush(self._ready, (chat.priority(), chat.entry, key))
            while self._ready and self._live(self._ready[0][1], self._ready[0][2]) is None:
                heapq.heappop(self._ready)  # stale: the chat was lined up again since
            if not self._ready:
                self._prune(now)
                self._wake.clear()
                timeout = self._later[0][0] - now if self._later else None
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout)
                except TimeoutError:
                    pass
                continue
            while self._answered and self._answered[0] + self._window <= now:  # as the timeout below
                self._answered.popleft()
            if self._under_way + len(self._answered) >= self._per_window:  # the window is full
                self._wake.clear()
                timeout = self._answered[0] + self._window - now if self._answered else None
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout)  # _send wakes us at an answer
                except TimeoutError:
                    pass
                continue
            # Evenly spaced, so that the window rarely has to hold sends back in a bunch.
            wait = max(self._next_send, self._paused_until) - now
            if wait > 0:
                await asyncio.sleep(wait)  # a pause set meanwhile is seen on the next turn
                continue
            _, seq, key = heapq.heappop(self._ready)
            chat = self._chats[key]
            chat.entry = None
            return key, chat

    async def _run(self) -> None:
        while True:
            await self._slots.acquire()  # a slot first, then the wait: no pause can slip past it
            key, chat = await self._next_chat()
            while chat.items and chat.items[0].future.done():
                chat.items.popleft()
            if not chat.items:
                self._slots.release()
                continue
            now = self._clock()
            item = chat.items.popleft()
            chat.sending = item
            self._refill(chat, now)
            chat.tokens -= 1
            self._under_way += 1
            # Spaced at the window's pace, so the window rarely has to hold sends back in a bunch;
            # a late wake-up may catch up the slots it missed, up to CATCH_UP (more would bunch
            # sends up after a pause, and the platform counts when they arrive).
            interval = self._window / self._per_window
            self._next_send = max(self._next_send, now - max(interval, CATCH_UP)) + interval
            task = asyncio.create_task(self._send(key, chat, item))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _send(self, key: str, chat: _Chat, item: _Item) -> None:
        result: Result | None = None
        try:
            await item.call()
            item.group.arrived = True
            result = Result(Outcome.SENT)
        except _Skip:
            result = Result(Outcome.NOT_ATTEMPTED, "delivered by another process")
        except RateLimited as exc:
            self.count_429 += 1
            self._paused_until = max(self._paused_until, self._clock() + exc.retry_after)
            log.warning("rate limited: pausing all sending for %.1f s", exc.retry_after)
            if self._withdrawn(item):
                result = Result(Outcome.NOT_ATTEMPTED, "shutting down: not sent")
            else:
                chat.items.appendleft(item)  # nothing dropped: first in line once the pause ends
        except Blocked as exc:
            result = Result(Outcome.BLOCKED, str(exc) or "blocked")
        except Unreachable as exc:
            result = Result(Outcome.UNREACHABLE, str(exc))
        except MaybeSent as exc:
            item.group.arrived = True
            if item.priority == BULK:
                result = Result(Outcome.FAILED, f"no answer, may have arrived: {exc}")
            else:
                result = self._retry(chat, item, exc, Outcome.FAILED)
        except Transient as exc:
            result = self._retry(chat, item, exc, Outcome.NOT_SENT)
        except asyncio.CancelledError:  # stop() while the request was under way
            item.group.arrived = True
            result = Result(Outcome.FAILED, "stopped while sending: may have arrived")
            raise
        except Exception as exc:  # permanent (a 400 and the like): retrying would fail again
            log.warning("message to %s failed: %s", key, exc)
            result = Result(Outcome.FAILED, str(exc) or exc.__class__.__name__)
        finally:
            self._under_way -= 1
            self._answered.append(self._clock())
            self._wake.set()
            chat.sending = None
            if result is not None:
                if result.outcome is not Outcome.SENT:
                    self._drop_group(chat, item.group)  # later parts make no sense alone
                if not item.future.done():
                    item.future.set_result(result)
            self._schedule(key, chat)
            self._slots.release()

    def _retry(self, chat: _Chat, item: _Item, exc: Exception, outcome: Outcome) -> Result | None:
        """Line the item up again after a pause; `outcome` once the retries are used up."""
        item.attempts += 1
        if item.attempts >= self.retries or self._withdrawn(item):
            return Result(outcome, str(exc) or exc.__class__.__name__)
        chat.items.appendleft(item)
        chat.not_before = self._clock() + self.backoff * 2 ** (item.attempts - 1)
        return None

    def _withdrawn(self, item: _Item) -> bool:
        """A bulk message that failed while stopping is not lined up again."""
        return self._bulk_closed and item.priority == BULK

    def _drop_group(self, chat: _Chat, group: _Group) -> None:
        for other in [i for i in chat.items if i.group is group]:
            chat.items.remove(other)
            if not other.future.done():
                other.future.set_result(Result(Outcome.NOT_ATTEMPTED, "an earlier part was not sent"))

    def _prune(self, now: float) -> None:
        """Forget chats with nothing queued and a full bucket: 10,000 subscribers leave no trace."""
        if now - self._pruned < PRUNE_EVERY:
            return
        self._pruned = now
        for key in [k for k, c in self._chats.items()
                    if not c.items and c.sending is None and c.entry is None and self._refill(c, now) >= self.burst]:
            del self._chats[key]


class _Skip(Exception):
    pass


def _with_claim(call: Call, claim: Claim) -> Call:
    async def claimed_call() -> object:
        if not await claim():
            raise _Skip
        return await call()
    return claimed_call
