"""Staff notices to every subscriber, through the same paced queue, with progress reports."""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from handlers.common import Voice, menu_buttons
from handlers.types import Outgoing, Reply
from jobs.fanout import Tally, fan_out
from storage import repo

if TYPE_CHECKING:
    from jobs.runner import Jobs

log = logging.getLogger(__name__)


def broadcast_key(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}"


class Broadcasts:
    def __init__(self, jobs: "Jobs", progress_every: float = 5.0) -> None:
        self.jobs = jobs
        self.progress_every = progress_every

    def start(self, broadcast_id: int) -> None:
        self.jobs.spawn(self.run, broadcast_id)

    async def resume(self) -> None:
        """At start-up: finish notices a previous run did not."""
        async with self.jobs.assistant.storage.session() as s:
            unfinished = [b.id for b in await repo.unfinished_broadcasts(s)]
        for broadcast_id in unfinished:
            self.start(broadcast_id)

    async def messages_for(self, key: str) -> dict[str, list[Reply]] | None:
        async with self.jobs.assistant.storage.session() as s:
            broadcast = await repo.get_broadcast(s, int(key.split(":", 1)[1]))
        return self._messages(broadcast.text) if broadcast else None

    def _messages(self, text: str) -> dict[str, list[Reply]]:
        week = self.jobs.assistant.week
        out = {}
        for lang in ("vi", "en"):
            voice = Voice(week, lang)
            body = voice.say("broadcast_message", ward=week.ward.name.get(lang), text=text)
            out[lang] = [Reply(body, "broadcast", menu_buttons(lang, subscribed=True))]
        return out

    async def run(self, broadcast_id: int) -> Tally:
        assistant = self.jobs.assistant
        key = broadcast_key(broadcast_id)
        async with assistant.storage.session() as s:
            broadcast = await repo.get_broadcast(s, broadcast_id)
            residents = await repo.recipients(s, key, list(assistant.senders))
        staff = (broadcast.staff_channel, broadcast.staff_id)
        voice = Voice(assistant.week, "vi")
        messages = self._messages(broadcast.text)
        tally = Tally()
        reporter = asyncio.create_task(self._report(staff, voice, broadcast_id, tally))
        try:
            await fan_out(self.jobs, key, residents, lambda r: messages["en" if r.language == "en" else "vi"], tally)
        finally:
            reporter.cancel()
        async with assistant.storage.session() as s, s.begin():
            stored = await repo.get_broadcast(s, broadcast_id)
            stored.status, stored.finished_at = "done", assistant.clock.now()
        done = voice.say("broadcast_done", id=broadcast_id, sent=tally.sent, failed=tally.failed, blocked=tally.blocked)
        await assistant.deliver(Outgoing(*staff, [Reply(done, "broadcast_done")]))
        log.info("broadcast %s: %s", broadcast_id, tally)
        return tally

    async def _report(self, staff: tuple[str, str], voice: Voice, broadcast_id: int, tally: Tally) -> None:
        while True:
            await asyncio.sleep(self.progress_every)
            text = voice.say("broadcast_progress", id=broadcast_id, sent=tally.sent, failed=tally.failed + tally.blocked,
                             left=tally.left)
            await self.jobs.assistant.deliver(Outgoing(*staff, [Reply(text, "broadcast_progress")]))
