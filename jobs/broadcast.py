"""Staff notices to every subscriber, through the same paced queue, with progress reports."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core.delivery import broadcast_key
from core.language import LANGUAGES, language_of
from handlers.common import Voice, menu_buttons
from handlers.types import Outgoing, Reply
from jobs.fanout import Tally, fan_out
from storage import repo
from storage.status import BroadcastStatus, DeliveryStatus

if TYPE_CHECKING:
    from jobs.runner import Jobs

log = logging.getLogger(__name__)


# A notice not finished within this long (the bot was down for days) is not sent any more.
MAX_AGE = timedelta(days=2)


class Broadcasts:
    def __init__(self, jobs: "Jobs", progress_every: float = 5.0) -> None:
        self.jobs = jobs
        self.progress_every = progress_every

    def start(self, broadcast_id: int) -> None:
        self.jobs.spawn(self.run, broadcast_id)

    async def resume(self) -> None:
        """At start-up and in each sweep: finish notices whose sender stopped (run() takes only
        those nobody is sending)."""
        async with self.jobs.storage.session() as s:
            unfinished = await repo.unfinished_broadcasts(s)
        for broadcast_id in unfinished:
            if broadcast_key(broadcast_id) not in self.jobs.running:
                self.start(broadcast_id)

    async def messages_for(self, key: str) -> dict[str, list[Reply]] | None:
        async with self.jobs.storage.session() as s:
            broadcast = await repo.get_broadcast(s, int(key.split(":", 1)[1]))
        return self._messages(broadcast.text) if broadcast else None

    async def retry_until(self, key: str) -> datetime | None:
        """A notice that never left is tried again while the notice lives."""
        async with self.jobs.storage.session() as s:
            broadcast = await repo.get_broadcast(s, int(key.split(":", 1)[1]))
        return broadcast.created_at + MAX_AGE if broadcast else None

    def _messages(self, text: str) -> dict[str, list[Reply]]:
        week = self.jobs.week
        out = {}
        for lang in LANGUAGES:
            voice = Voice(week, lang)
            body = voice.say("broadcast_message", ward=week.ward.name.get(lang), text=text)
            out[lang] = [Reply(body, "broadcast", menu_buttons(lang, subscribed=True))]
        return out

    async def run(self, broadcast_id: int) -> Tally:
        jobs = self.jobs
        key = broadcast_key(broadcast_id)
        if key in jobs.running:
            return Tally()
        async with jobs.storage.session() as s, s.begin():
            broadcast = await repo.get_broadcast(s, broadcast_id)
            if broadcast is None or broadcast.status != BroadcastStatus.SENDING:
                return Tally()
            if jobs.clock.now() - broadcast.created_at > MAX_AGE:
                await repo.finish_broadcast(s, broadcast_id, BroadcastStatus.EXPIRED, jobs.clock.now())
                log.warning("notice %s was never finished and is too old to send now", broadcast_id)
                return Tally()
            if not await repo.take_broadcast(s, broadcast_id, jobs.instance, jobs.clock.now(), jobs.lease):
                return Tally()  # another process is sending it
        async with jobs.storage.session() as s:
            residents = await repo.recipients(s, key, list(jobs.senders), jobs.clock.now())
        staff = (broadcast.staff_channel, broadcast.staff_id)
        voice = Voice(jobs.week, "vi")
        messages = self._messages(broadcast.text)
        tally = Tally()
        jobs.running.add(key)
        reporter = asyncio.create_task(self._report(staff, voice, broadcast_id, tally))
        try:
            await fan_out(self.jobs, key, residents, lambda r: messages[language_of(r.language)], tally,
                          retry_until=broadcast.created_at + MAX_AGE)
        finally:
            reporter.cancel()
            jobs.running.discard(key)
        async with jobs.storage.session() as s, s.begin():
            if jobs.stopping:  # the next start (or another process) goes on at once
                await repo.release_broadcast(s, broadcast_id, jobs.instance)
                return tally
            if await repo.count_retries(s, key):
                log.info("broadcast %s: %s; the rest is tried again later", broadcast_id, tally)
                return tally  # still "sending": the sweep runs it again for the retries
            await repo.finish_broadcast(s, broadcast_id, BroadcastStatus.DONE, jobs.clock.now())
            counts = (await repo.delivery_counts(s, key)).get(key, {})  # all runs', not only this one's
        done = voice.say("broadcast_done", id=broadcast_id, sent=counts.get(DeliveryStatus.SENT, 0),
                         failed=counts.get(DeliveryStatus.FAILED, 0), blocked=counts.get(DeliveryStatus.BLOCKED, 0))
        if counts.get(DeliveryStatus.UNREACHABLE):
            done += voice.say("broadcast_done_unreachable", count=counts[DeliveryStatus.UNREACHABLE])
        await jobs.notify(Outgoing(*staff, [Reply(done, "broadcast_done")]))
        log.info("broadcast %s: %s", broadcast_id, tally)
        return tally

    async def _report(self, staff: tuple[str, str], voice: Voice, broadcast_id: int, tally: Tally) -> None:
        """Progress to the staff member every few seconds; also this process's heartbeat."""
        while True:
            await asyncio.sleep(self.progress_every)
            async with self.jobs.storage.session() as s, s.begin():
                await repo.beat_broadcast(s, broadcast_id, self.jobs.instance, self.jobs.clock.now())
            text = voice.say("broadcast_progress", id=broadcast_id, sent=tally.sent, failed=tally.failed + tally.blocked,
                             left=tally.left)
            await self.jobs.notify(Outgoing(*staff, [Reply(text, "broadcast_progress")]))
