"""Sending one message to many residents: claimed before, recorded after, once each.

Claims are taken a chunk at a time, just before the chunk goes into the outbox, kept alive
while they wait there, and outcomes are written in small batches: two transactions per chunk
instead of two per message, which is what lets SQLite keep up with the sending rate. A crash
repeats at most the messages claimed but not yet recorded (another process's sweep, or the
next start, resends them once their lease runs out); residents never claimed are picked up
when the sweep runs the job again, so none is skipped.
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from handlers.types import Outcome, Reply, Result
from storage import repo
from storage.repo import Recipient

if TYPE_CHECKING:
    from jobs.runner import Jobs

log = logging.getLogger(__name__)

CHUNK = 200            # residents claimed in one transaction
IN_FLIGHT = 2 * CHUNK  # claimed and not yet recorded, at most
FLUSH_EVERY = 0.25     # seconds an outcome may wait before it is written
DB_RETRIES = 3
RETRY_BACKOFF = 0.5    # seconds, doubled at each retry
STATUS = {Outcome.SENT: "sent", Outcome.BLOCKED: "blocked", Outcome.FAILED: "failed",
          Outcome.UNREACHABLE: "skipped"}


@dataclass
class Tally:
    total: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    skipped: int = 0

    @property
    def left(self) -> int:
        return self.total - self.sent - self.failed - self.blocked - self.skipped

    def count(self, result: Result) -> None:
        name = STATUS.get(result.outcome, "skipped")
        setattr(self, name, getattr(self, name) + 1)


async def fan_out(jobs: "Jobs", key: str, residents: list[Recipient], replies_for: Callable[[Recipient], list[Reply]],
                  tally: Tally | None = None) -> Tally:
    tally = tally or Tally()
    tally.total += len(residents)
    recorder = Recorder(jobs, key)
    room = asyncio.Semaphore(IN_FLIGHT)
    sending: list[asyncio.Task] = []

    async def send(resident: Recipient, sender) -> None:
        try:
            result = await sender(resident.external_id, replies_for(resident), bulk=True)
        except Exception as exc:  # the channel itself broke: recorded as failed, not lost
            log.exception("delivery %s to resident %s failed", key, resident.id)
            result = Result(Outcome.FAILED, str(exc) or exc.__class__.__name__)
        tally.count(result)
        recorder.add(resident.id, result)
        room.release()

    renewer = asyncio.create_task(recorder.renew_claims())
    try:
        for start in range(0, len(residents), CHUNK):
            chunk = []
            for resident in residents[start:start + CHUNK]:
                if resident.channel in jobs.assistant.senders:
                    chunk.append(resident)
                else:
                    tally.skipped += 1
            for _ in chunk:
                await room.acquire()
            claimed = await _claim(jobs, key, [r.id for r in chunk])
            recorder.held |= claimed
            for resident in chunk:
                if resident.id in claimed:
                    sending.append(asyncio.create_task(send(resident, jobs.assistant.senders[resident.channel])))
                else:  # another process has it
                    tally.skipped += 1
                    room.release()
        await asyncio.gather(*sending)
    finally:
        renewer.cancel()
        await recorder.close()
    return tally


async def _claim(jobs: "Jobs", key: str, resident_ids: list[int]) -> set[int]:
    if not resident_ids:
        return set()
    for attempt in range(DB_RETRIES):
        try:
            async with jobs.assistant.storage.session() as s, s.begin():
                return await repo.claim_deliveries(s, key, resident_ids, jobs.instance, jobs.assistant.clock.now())
        except Exception:
            if attempt == DB_RETRIES - 1:
                raise  # the sweep runs the job again later; claimed residents are never sent twice
            log.warning("claiming %s failed; trying again", key, exc_info=True)
            await asyncio.sleep(RETRY_BACKOFF * 2 ** attempt)
    return set()


class Recorder:
    """Writes delivery outcomes in batches, and keeps the claims it holds alive meanwhile."""

    def __init__(self, jobs: "Jobs", key: str) -> None:
        self.jobs, self.key = jobs, key
        self.held: set[int] = set()  # claimed by us, outcome not written yet
        self._pending: list[tuple[int, Result]] = []
        self._flusher: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    def add(self, resident_id: int, result: Result) -> None:
        self._pending.append((resident_id, result))
        self._start_flush(0 if len(self._pending) >= CHUNK else FLUSH_EVERY)

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
                async with self.jobs.assistant.storage.session() as s, s.begin():
                    for start in range(0, len(ids), 500):
                        await repo.renew_claims(s, self.key, ids[start:start + 500], self.jobs.instance,
                                                self.jobs.assistant.clock.now())
            except Exception:
                log.warning("renewing the claims of %s failed", self.key, exc_info=True)

    async def flush(self) -> bool:
        """Write what is pending; on failure keep it for the next try. True when written."""
        async with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return True
            groups: dict[tuple[str, str | None], list[int]] = defaultdict(list)
            released: list[int] = []
            for resident_id, result in batch:
                if result.outcome is Outcome.SKIPPED:
                    released.append(resident_id)
                else:
                    groups[(STATUS[result.outcome], result.reason or None)].append(resident_id)
            storage, now = self.jobs.assistant.storage, self.jobs.assistant.clock.now()
            try:
                async with storage.session() as s, s.begin():
                    for (status, reason), ids in groups.items():
                        await repo.finish_deliveries(s, self.key, ids, status, reason, now)
                        if status == "blocked":
                            await repo.mark_blocked(s, ids, now)
                    await repo.release_claims(s, self.key, released)
            except Exception:
                log.warning("recording %d outcomes of %s failed; will retry", len(batch), self.key, exc_info=True)
                self._pending[:0] = batch
                return False
            # After the commit, so that no message handled meanwhile caches the row as it was.
            self.jobs.assistant.chats.forget([r for r, result in batch if result.outcome is Outcome.BLOCKED])
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


async def deliver_one(jobs: "Jobs", key: str, resident: Recipient, replies: list[Reply], tally: Tally) -> None:
    """One delivery with its own claim: the sweep's way of resending a dead process's claim."""
    storage, clock = jobs.assistant.storage, jobs.assistant.clock
    sender = jobs.assistant.senders.get(resident.channel)
    if sender is None:
        tally.skipped += 1
        return

    async def claim() -> bool:
        async with storage.session() as s, s.begin():
            return await repo.claim_delivery(s, key, resident.id, jobs.instance, clock.now(), jobs.lease)

    result = await sender(resident.external_id, replies, bulk=True, claim=claim)
    tally.count(result)
    if result.outcome is not Outcome.SKIPPED:
        async with storage.session() as s, s.begin():
            await repo.finish_deliveries(s, key, [resident.id], STATUS[result.outcome], result.reason or None,
                                         clock.now())
            if result.outcome is Outcome.BLOCKED:
                await repo.mark_blocked(s, [resident.id], clock.now())
        if result.outcome is Outcome.BLOCKED:  # after the commit, as in Recorder.flush
            jobs.assistant.chats.forget([resident.id])
