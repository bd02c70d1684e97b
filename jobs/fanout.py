"""Sending one message to many residents: claimed before, recorded after, once each."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from channels.outbox import Outcome
from handlers.types import Reply
from storage import repo
from storage.models import Resident

if TYPE_CHECKING:
    from jobs.runner import Jobs

log = logging.getLogger(__name__)

# Deliveries waiting in the outbox at once; the rest wait here, holding nothing but a row.
IN_FLIGHT = 500


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


async def fan_out(jobs: "Jobs", key: str, residents: list[Resident], replies_for: Callable[[Resident], list[Reply]],
                  tally: Tally | None = None) -> Tally:
    tally = tally or Tally()
    tally.total += len(residents)
    slots = asyncio.Semaphore(IN_FLIGHT)

    async def one(resident: Resident) -> None:
        async with slots:
            await deliver_one(jobs, key, resident, replies_for(resident), tally)

    await asyncio.gather(*(one(r) for r in residents))
    return tally


async def deliver_one(jobs: "Jobs", key: str, resident: Resident, replies: list[Reply], tally: Tally) -> None:
    storage, clock = jobs.assistant.storage, jobs.assistant.clock
    sender = jobs.assistant.senders.get(resident.channel)
    if sender is None:
        tally.skipped += 1
        return

    async def claim() -> bool:
        async with storage.session() as s, s.begin():
            return await repo.claim_delivery(s, key, resident.id, jobs.instance, clock.now(), jobs.lease)

    try:
        result = await sender(resident.external_id, replies, bulk=True, claim=claim)
    except Exception:  # the channel itself failed; the claim's lease lets the sweep retry
        log.exception("delivery %s to resident %s failed", key, resident.id)
        tally.failed += 1
        return
    if result.outcome is Outcome.SKIPPED:
        tally.skipped += 1
        return
    status = {Outcome.SENT: "sent", Outcome.BLOCKED: "blocked", Outcome.FAILED: "failed"}[result.outcome]
    async with storage.session() as s, s.begin():
        await repo.record_delivery(s, key, resident.id, status, result.reason or None, jobs.instance, clock.now())
        if result.outcome is Outcome.BLOCKED:
            await repo.mark_blocked(s, resident.id, clock.now())
    setattr(tally, status, getattr(tally, status) + 1)
