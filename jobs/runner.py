"""Scheduled work, owned by the application (not by a channel): an APScheduler
AsyncIOScheduler with one job per reminder day, a sweep for unfinished deliveries, and the
background tasks of fan-outs. What was delivered lives in the database, never in the scheduler."""
from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from content.schema import Week
from core.clock import Clock
from core.delivery import REMINDER_PREFIX, Senders
from core.language import language_of
from handlers.types import Outgoing
from jobs.broadcast import Broadcasts
from jobs.fanout import Tally, deliver_one
from jobs.reminders import Reminders
from storage import repo
from storage.chats import ChatCache
from storage.db import Storage
from storage.status import DeliveryStatus

log = logging.getLogger(__name__)

# How long webhook event ids are kept to recognise a retried delivery.
INBOUND_EVENTS_KEPT = timedelta(days=7)
# Seconds a stop waits for the requests under way, so that their outcomes are recorded.
STOP_GRACE = 5.0


class Queue(Protocol):
    """A channel's outbox, as far as stopping goes."""

    async def withdraw_bulk(self, grace: float) -> None: ...


class Jobs:
    """What the jobs work with is handed in by bot.py: the week, the database, the clock, the
    running channels (`senders`), the conversations' cache (a resident who blocked the bot is
    forgotten there) and `notify`, which sends a message to one person (staff progress reports)."""

    def __init__(self, week: Week, storage: Storage, clock: Clock, senders: Senders, *, chats: ChatCache,
                 notify: Callable[[Outgoing], Awaitable[None]], lease: timedelta = timedelta(seconds=90),
                 sweep_every: float = 30.0, progress_every: float = 5.0) -> None:
        self.week, self.storage, self.clock, self.senders = week, storage, clock, senders
        self.chats, self.notify = chats, notify
        self.lease = lease  # a claim older than this, still unsent, belonged to a process that died
        self.sweep_every = sweep_every
        self.instance = f"{socket.gethostname()[:24]}:{os.getpid()}"
        self.scheduler = AsyncIOScheduler(timezone=week.tz)
        self.reminders = Reminders(self)
        self.broadcasts = Broadcasts(self, progress_every)
        self._tasks: set[asyncio.Task] = set()
        self.running: set[str] = set()  # delivery keys being sent by this process
        self.stopping = False  # set by stop(): fan-outs claim nothing new

    def start_broadcast(self, broadcast_id: int) -> None:
        """A notice staff confirmed: send it now, in the background."""
        self.broadcasts.start(broadcast_id)

    async def start(self) -> None:
        self.reminders.register()
        self.scheduler.add_job(self.run, "interval", args=[self.recover], seconds=self.sweep_every, id="sweep",
                               replace_existing=True, coalesce=True, misfire_grace_time=int(self.sweep_every))
        self.scheduler.start()
        self.spawn(self.recover)

    async def stop(self, outboxes: Iterable[Queue] = (), grace: float = STOP_GRACE) -> None:
        """A clean stop: claim nothing new, take back the bulk messages waiting in the outboxes
        (their claims are released, so the next start sends them at once), wait at most `grace`
        seconds for the requests under way and record their outcomes; then end what is left."""
        self.stopping = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        await asyncio.gather(*(outbox.withdraw_bulk(grace) for outbox in outboxes))
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def run(self, job: Callable[..., Awaitable[object]], *args: object) -> object:
        """What the scheduler calls (a coroutine, so it runs on the event loop, not in a thread)."""
        return await self.spawn(job, *args)

    def spawn(self, job: Callable[..., Awaitable[object]], *args: object) -> asyncio.Task:
        """Run a job in the background, tracked so that shutdown and the console can wait for it."""
        task = asyncio.create_task(self._guarded(job, *args))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def idle(self) -> None:
        """Wait until every running job is done (the console's end of input)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _guarded(self, job, *args) -> object:
        try:
            return await job(*args)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("job %s%r failed", getattr(job, "__qualname__", job), args)

    async def recover(self) -> None:
        """At start-up and every sweep: resend dead processes' claims, finish notices nobody is
        sending, and send today's reminder to whoever it has not reached (e.g. after a database
        error cut a run short). Each is a no-op when there is nothing to do."""
        await self.sweep()
        await self.give_up_late_retries()
        await self.broadcasts.resume()
        await self.reminders.catch_up()
        async with self.storage.session() as s, s.begin():
            await repo.forget_inbound_events(s, self.clock.now() - INBOUND_EVENTS_KEPT)

    async def give_up_late_retries(self) -> None:
        """Deliveries still waiting for a retry when their message's time is over (the bot was
        down at midnight, say) are counted as failed."""
        storage, now = self.storage, self.clock.now()
        async with storage.session() as s:
            keys = await repo.retry_keys(s)
        for key in keys:
            until = await self._source(key).retry_until(key)
            if until is None or now >= until:
                async with storage.session() as s, s.begin():
                    await repo.give_up_retries(s, key, "never sent: the platform was down until too late", now)

    def _source(self, key: str) -> Reminders | Broadcasts:
        return self.reminders if key.startswith(REMINDER_PREFIX) else self.broadcasts

    async def sweep(self) -> Tally:
        """Send again what a dead process claimed but never marked sent; expire what is stale."""
        storage, clock = self.storage, self.clock
        async with storage.session() as s:
            stale = await repo.stale_claims(s, clock.now(), self.lease)
        tally = Tally(total=len(stale))
        messages: dict[str, dict | None] = {}
        until: dict[str, datetime | None] = {}
        for key, resident_id, attempts in stale:
            if key not in messages:
                messages[key] = await self._source(key).messages_for(key)
                until[key] = await self._source(key).retry_until(key)
            async with storage.session() as s, s.begin():
                resident = await repo.get_resident(s, resident_id)
                if messages[key] is None or resident is None:
                    await repo.record_delivery(s, key, resident_id, DeliveryStatus.EXPIRED, "too late to send",
                                               self.instance, clock.now())
                    tally.expired += 1
                    continue
            recipient = repo.Recipient(resident.id, resident.channel, resident.external_id, resident.language,
                                       attempts)  # a retry's backoff goes on from where it was
            await deliver_one(self, key, recipient, messages[key][language_of(resident.language)], tally,
                              until[key])
        if stale:
            log.info("sweep: %s", tally)
        return tally
