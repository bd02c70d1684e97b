"""Sending one message to many residents: claimed before, recorded after, once each.

Claims are taken a chunk at a time, just before the chunk goes into the outbox, and outcomes
are written in small batches: two transactions per chunk instead of two per message, which is
what lets SQLite keep up with the sending rate. A crash repeats at most the messages claimed
but not yet recorded (the sweep resends them once their lease runs out); it never skips one.
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
from storage.models import Resident

if TYPE_CHECKING:
    from jobs.runner import Jobs

log = logging.getLogger(__name__)

CHUNK = 200            # residents claimed in one transaction
IN_FLIGHT = 2 * CHUNK  # claimed and not yet recorded, at most
FLUSH_EVERY = 0.25     # seconds an outcome may wait before it is written
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


async def fan_out(jobs: "Jobs", key: str, residents: list[Resident], replies_for: Callable[[Resident], list[Reply]],
                  tally: Tally | None = None) -> Tally:
    tally = tally or Tally()
    tally.total += len(residents)
    recorder = Recorder(jobs, key)
    room = asyncio.Semaphore(IN_FLIGHT)
    sending: list[asyncio.Task] = []

    async def send(resident: Resident, sender) -> None:
        try:
            result = await sender(resident.external_id, replies_for(resident), bulk=True)
        except Exception as exc:  # the channel itself broke: recorded as failed, not lost
            log.exception("delivery %s to resident %s failed", key, resident.id)
            result = Result(Outcome.FAILED, str(exc) or exc.__class__.__name__)
        tally.count(result)
        recorder.add(resident.id, result)
        room.release()

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
            for resident in chunk:
                if resident.id in claimed:
                    sending.append(asyncio.create_task(send(resident, jobs.assistant.senders[resident.channel])))
                else:  # another process has it
                    tally.skipped += 1
                    room.release()
        await asyncio.gather(*sending)
    finally:
        await recorder.close()
    return tally


async def _claim(jobs: "Jobs", key: str, resident_ids: list[int]) -> set[int]:
    if not resident_ids:
        return set()
    async with jobs.assistant.storage.session() as s, s.begin():
        return await repo.claim_deliveries(s, key, resident_ids, jobs.instance, jobs.assistant.clock.now())


class Recorder:
    """Writes delivery outcomes in batches."""

    def __init__(self, jobs: "Jobs", key: str) -> None:
        self.jobs, self.key = jobs, key
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
        await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            batch, self._pending = self._pending, []
            if not batch:
                return
            groups: dict[tuple[str, str | None], list[int]] = defaultdict(list)
            released: list[int] = []
            for resident_id, result in batch:
                if result.outcome is Outcome.SKIPPED:
                    released.append(resident_id)
                else:
                    groups[(STATUS[result.outcome], result.reason or None)].append(resident_id)
            storage, now = self.jobs.assistant.storage, self.jobs.assistant.clock.now()
            async with storage.session() as s, s.begin():
                for (status, reason), ids in groups.items():
                    await repo.finish_deliveries(s, self.key, ids, status, reason, now)
                    if status == "blocked":
                        await repo.mark_blocked(s, ids, now)
                await repo.release_claims(s, self.key, released)

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
        await self.flush()


async def deliver_one(jobs: "Jobs", key: str, resident: Resident, replies: list[Reply], tally: Tally) -> None:
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
