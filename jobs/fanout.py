"""Sending one message to many residents: claimed before, recorded after, once each.

Claims are taken a chunk at a time, just before the chunk goes into the outbox, kept alive
while they wait there, and outcomes are written in small batches: two transactions per chunk
instead of two per message, which is what lets SQLite keep up with the sending rate. A crash
repeats at most the messages claimed but not yet recorded (another process's sweep, or the
next start, resends them once their lease runs out); residents never claimed are picked up
when the sweep runs the job again, so none is missed.

A message that never left (the platform down: NOT_SENT) is recorded as "retry" with a
time to try again, backing off, until the message's time is over (`retry_until`: midnight for
a day's reminder); the sweep's run of the job picks it up. One that may have arrived is not
sent again. On stop (`jobs.stopping`) nothing new is claimed.
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core.delivery import Outcome, Result
from handlers.types import Reply
from storage import repo
from storage.repo import Recipient
from storage.status import DeliveryStatus

if TYPE_CHECKING:
    from jobs.runner import Jobs

log = logging.getLogger(__name__)

CHUNK = 200            # residents claimed in one transaction
IN_FLIGHT = 2 * CHUNK  # claimed and not yet recorded, at most
FLUSH_EVERY = 0.25     # seconds an outcome may wait before it is written
DB_RETRIES = 3
RETRY_BACKOFF = 0.5    # seconds, doubled at each retry
RETRY_FIRST = timedelta(seconds=30)  # after a try that never left; doubled each time (the sweep's pace)
RETRY_MAX = timedelta(minutes=15)
STATUS = {Outcome.SENT: DeliveryStatus.SENT, Outcome.BLOCKED: DeliveryStatus.BLOCKED, Outcome.FAILED: DeliveryStatus.FAILED,
          Outcome.UNREACHABLE: DeliveryStatus.UNREACHABLE, Outcome.NOT_SENT: DeliveryStatus.RETRY}


@dataclass
class Tally:
    total: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    unreachable: int = 0    # a platform rule refused them (recorded, with the rule)
    retry: int = 0          # never left: to be sent again later
    expired: int = 0        # too late to send (the sweep)
    not_attempted: int = 0  # claimed elsewhere, or stopping: nothing recorded, the claim given back
    no_channel: int = 0     # their channel is not running in this process: nothing recorded

    @property
    def left(self) -> int:
        return self.total - sum(n for name, n in vars(self).items() if name != "total")

    def count(self, status: str) -> None:
        """One outcome more, by the status recorded for it (field names are DeliveryStatus values)."""
        name = "not_attempted" if status == "release" else status
        setattr(self, name, getattr(self, name) + 1)


@dataclass(frozen=True)
class Row:
    """What to write for one delivery's outcome."""
    status: str
    reason: str | None
    attempts: int = 0
    retry_at: datetime | None = None


def outcome_row(result: Result, attempts: int, now: datetime, retry_until: datetime | None) -> Row:
    """A message that never left is tried again later, backing off, while its time lasts."""
    if result.outcome is Outcome.NOT_ATTEMPTED:  # claimed elsewhere, stopping: give the claim back
        return Row("release", result.reason or None)
    status, reason = STATUS[result.outcome], result.reason or None
    if status == DeliveryStatus.RETRY:
        retry_at = now + min(RETRY_MAX, RETRY_FIRST * 2 ** attempts)
        if retry_until is None or retry_at >= retry_until:
            return Row(DeliveryStatus.FAILED, f"never sent, too late to retry: {reason}")
        return Row(DeliveryStatus.RETRY, reason, attempts + 1, retry_at)
    return Row(status, reason)


async def fan_out(jobs: "Jobs", key: str, residents: list[Recipient], replies_for: Callable[[Recipient], list[Reply]],
                  tally: Tally | None = None, retry_until: datetime | None = None) -> Tally:
    tally = tally or Tally()
    tally.total += len(residents)
    recorder = Recorder(jobs, key, retry_until)
    room = asyncio.Semaphore(IN_FLIGHT)
    sending: list[asyncio.Task] = []

    async def send(resident: Recipient, sender) -> None:
        try:
            result = await sender(resident.external_id, replies_for(resident), bulk=True)
        except Exception as exc:  # the channel itself broke: recorded as failed, not lost
            log.exception("delivery %s to resident %s failed", key, resident.id)
            result = Result(Outcome.FAILED, str(exc) or exc.__class__.__name__)
        tally.count(recorder.add(resident.id, result, resident.attempts))
        room.release()

    renewer = asyncio.create_task(recorder.renew_claims())
    try:
        for start in range(0, len(residents), CHUNK):
            if jobs.stopping:
                break
            chunk = []
            for resident in residents[start:start + CHUNK]:
                if resident.channel in jobs.senders:
                    chunk.append(resident)
                else:
                    tally.no_channel += 1
            for _ in chunk:
                await room.acquire()
            if jobs.stopping:  # claim nothing new; the next start sends the rest
                break
            claimed = await _claim(jobs, key, [r.id for r in chunk])
            recorder.held |= claimed
            for resident in chunk:
                if resident.id in claimed:
                    sending.append(asyncio.create_task(send(resident, jobs.senders.get(resident.channel))))
                else:  # another process has it
                    tally.not_attempted += 1
                    room.release()
        await asyncio.gather(*sending)
    finally:
        renewer.cancel()
        await recorder.close()
    tally.not_attempted += tally.left  # not claimed because the process is stopping
    return tally


async def _claim(jobs: "Jobs", key: str, resident_ids: list[int]) -> set[int]:
    if not resident_ids:
        return set()
    for attempt in range(DB_RETRIES):
        try:
            async with jobs.storage.session() as s, s.begin():
                return await repo.claim_deliveries(s, key, resident_ids, jobs.instance, jobs.clock.now())
        except Exception:
            if attempt == DB_RETRIES - 1:
                raise  # the sweep runs the job again later; claimed residents are never sent twice
            log.warning("claiming %s failed; trying again", key, exc_info=True)
            await asyncio.sleep(RETRY_BACKOFF * 2 ** attempt)
    return set()


class Recorder:
    """Writes delivery outcomes in batches, and keeps the claims it holds alive meanwhile."""

    def __init__(self, jobs: "Jobs", key: str, retry_until: datetime | None = None) -> None:
        self.jobs, self.key, self.retry_until = jobs, key, retry_until
        self.held: set[int] = set()  # claimed by us, outcome not written yet
        self._pending: list[tuple[int, Row]] = []
        self._flusher: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    def add(self, resident_id: int, result: Result, attempts: int = 0) -> str:
        """Queue the outcome for writing (`attempts`: earlier tries that never left); returns
        the status it is recorded with."""
        row = outcome_row(result, attempts, self.jobs.clock.now(), self.retry_until)
        self._pending.append((resident_id, row))
        self._start_flush(0 if len(self._pending) >= CHUNK else FLUSH_EVERY)
        return row.status

    def _start_flush(self, delay: float) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_after(delay))

    async def _flush_after(self, delay: float) -> None:
        await asyncio.sleep(delay)
        # close() cancels this task: a write already under way must finish, not be rolled back
        # with its batch dropped (those claims would stay open and be resent after the lease).
        if not await asyncio.shield(self.flush()):
            self._start_flush(1.0)

    async def renew_claims(self) -> None:
        """Claims waiting in the outbox (a long queue, a 429 pause) must not look abandoned to
        another process's sweep: refresh them well within the lease."""
        while True:
            await asyncio.sleep(self.jobs.lease.total_seconds() / 3)
            ids = list(self.held)
            try:
                async with self.jobs.storage.session() as s, s.begin():
                    for start in range(0, len(ids), 500):
                        await repo.renew_claims(s, self.key, ids[start:start + 500], self.jobs.instance,
                                                self.jobs.clock.now())
            except Exception:
                log.warning("renewing the claims of %s failed", self.key, exc_info=True)

    async def flush(self) -> bool:
        """Write what is pending; on failure keep it for the next try. True when written."""
        async with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return True
            try:
                await record(self.jobs, self.key, batch)
            except Exception:
                log.warning("recording %d outcomes of %s failed; will retry", len(batch), self.key, exc_info=True)
                self._pending[:0] = batch
                return False
            self.held.difference_update(resident_id for resident_id, _ in batch)
            return True

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
        for attempt in range(DB_RETRIES):
            if await self.flush():
                return
            await asyncio.sleep(RETRY_BACKOFF * 2 ** attempt)
        log.error("outcomes of %s could not be recorded: %d residents may get it again after the lease",
                  self.key, len(self._pending))


async def record(jobs: "Jobs", key: str, outcomes: list[tuple[int, Row]]) -> None:
    """Write claimed deliveries' outcomes (resident id, row) in one transaction: the fan-out's
    batches and the sweep's single resends alike. A "release" row gives the claim back (not sent,
    stopping: the next start sends it at once)."""
    groups: dict[Row, list[int]] = defaultdict(list)
    released: list[int] = []
    for resident_id, row in outcomes:
        if row.status == "release":
            released.append(resident_id)
        else:
            groups[row].append(resident_id)
    now = jobs.clock.now()
    async with jobs.storage.session() as s, s.begin():
        for row, ids in groups.items():
            if row.status == DeliveryStatus.RETRY:
                await repo.defer_deliveries(s, key, ids, row.reason, row.attempts, row.retry_at, now)
                continue
            await repo.finish_deliveries(s, key, ids, row.status, row.reason, now)
            if row.status == DeliveryStatus.BLOCKED:
                await repo.mark_blocked(s, ids, now)
        await repo.release_claims(s, key, released)
    # After the commit, so that no message handled meanwhile caches the row as it was.
    jobs.chats.forget([r for r, row in outcomes if row.status == DeliveryStatus.BLOCKED])


async def deliver_one(jobs: "Jobs", key: str, resident: Recipient, replies: list[Reply], tally: Tally,
                      retry_until: datetime | None = None) -> None:
    """One delivery with its own claim: the sweep's way of resending a dead process's claim."""
    storage, clock = jobs.storage, jobs.clock
    sender = jobs.senders.get(resident.channel)
    if sender is None:
        tally.no_channel += 1
        return

    took = False

    async def claim() -> bool:
        nonlocal took
        async with storage.session() as s, s.begin():
            took = await repo.claim_delivery(s, key, resident.id, jobs.instance, clock.now(), jobs.lease)
        return took

    result = await sender(resident.external_id, replies, bulk=True, claim=claim)
    row = outcome_row(result, resident.attempts, clock.now(), retry_until)
    tally.count(row.status)
    if took:  # not when another process has it, nor when stopping came before the claim
        await record(jobs, key, [(resident.id, row)])
