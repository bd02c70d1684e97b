"""Processes sharing a database share a channel's rate limit.

Telegram counts a bot's messages, not a process's: two processes each pacing at TELEGRAM_RATE
send at twice the limit and get 429s. So each sending process keeps a heartbeat row (table
`senders`) and paces its outbox at rate / live senders. On a change nobody goes over the limit:
a process that starts and finds others holds its sending until they have all seen it (a beat,
and the outbox's one-second window for what they sent before); one that stops removes its row
and the others speed up at their next beat; one that dies is forgotten after a few missed beats.
(Of two processes starting at the same instant, the later to count sees the other, and holds.)
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from channels.outbox import Outbox
from storage import repo
from storage.db import Storage

log = logging.getLogger(__name__)

BEAT_EVERY = 2.0  # seconds between heartbeats
MISSED_BEATS = 3  # a sender silent for this many beats is taken for dead


def _wall_clock() -> datetime:
    # Real time, not the bot's (--now may differ between processes): this is about who is alive.
    return datetime.now(timezone.utc)


class RateShare:
    def __init__(self, storage: Storage, channel: str, instance: str, outbox: Outbox, *,
                 every: float = BEAT_EVERY, now: Callable[[], datetime] = _wall_clock) -> None:
        self.storage, self.channel, self.instance, self.outbox = storage, channel, instance, outbox
        self.rate = outbox.rate  # the channel's whole rate, shared out
        self.every, self._now = every, now
        self.senders = 1
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        """Register, and hold sending until the others pace for one more when there are others."""
        await self._beat()
        if self.senders > 1:
            self.outbox.hold(1.5 * self.every + self.outbox.window)
        self._task = asyncio.create_task(self._run(), name=f"rateshare-{self.channel}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        try:
            async with self.storage.session() as s, s.begin():
                await repo.drop_sender(s, self.channel, self.instance)
        except Exception:  # the others take this one for dead a few beats later
            log.warning("could not remove this process from the %s senders", self.channel, exc_info=True)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self._beat()
            except Exception:  # the database is away: keep the last share, try again next beat
                log.warning("%s sender heartbeat failed", self.channel, exc_info=True)

    async def _beat(self) -> None:
        now = self._now()
        async with self.storage.session() as s, s.begin():
            await repo.beat_sender(s, self.channel, self.instance, now)
        async with self.storage.session() as s:  # after the commit: see note in the docstring
            since = now - timedelta(seconds=MISSED_BEATS * self.every)
            senders = max(1, await repo.live_senders(s, self.channel, since))
        if senders != self.senders:
            log.info("%s: %d processes sending; this one paces at %.1f/s", self.channel, senders, self.rate / senders)
        self.senders = senders
        self.outbox.set_rate(self.rate / senders)
