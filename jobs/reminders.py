"""The morning reminder, one job per day of the week at the content's reminder time."""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from core.amounts import format_vnd
from core.delivery import reminder_key
from core.language import LANGUAGES, language_of
from handlers.common import Voice, menu_buttons
from handlers.schedule import day_block
from handlers.types import Reply
from jobs.fanout import Tally, fan_out
from storage import repo
from storage.status import PledgeStatus

if TYPE_CHECKING:
    from jobs.runner import Jobs

log = logging.getLogger(__name__)


class Reminders:
    def __init__(self, jobs: "Jobs") -> None:
        self.jobs = jobs
        self.week = jobs.week

    def register(self) -> list[str]:
        """One scheduler job per day still to come, with explicit ids; returns the ids."""
        ids = []
        now = self.jobs.clock.now()
        for day in self.week.event.days():
            due = self.week.reminder_due(day)
            if due <= now:
                continue  # today's, if missed, is the start-up catch-up's
            job_id = reminder_key(day)
            end_of_day = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=self.week.tz)
            self.jobs.scheduler.add_job(
                self.jobs.run, "date", args=[self.run, day], id=job_id, replace_existing=True,
                run_date=self.jobs.clock.real_time(due),
                # Late (a busy or suspended machine) is fine until the day is over; after that the
                # program is stale and the reminder is dropped.
                misfire_grace_time=int((end_of_day - due).total_seconds()), coalesce=True)
            ids.append(job_id)
        return ids

    async def catch_up(self) -> None:
        """At start-up: today's reminder, if its time has passed while the bot was down."""
        now = self.jobs.clock.now()
        today = now.astimezone(self.week.tz).date()
        if self.week.day(today) and now >= self.week.reminder_due(today):
            await self.run(today)

    async def run(self, day: date) -> Tally:
        jobs = self.jobs
        today = jobs.clock.now().astimezone(self.week.tz).date()
        if day != today:  # a reminder for another day is never sent late
            log.info("reminder for %s not sent: today is %s", day, today)
            return Tally()
        key = reminder_key(day)
        if key in self.jobs.running:  # the sweep found it while the 07:00 run is still going
            return Tally()
        self.jobs.running.add(key)
        try:
            async with jobs.storage.session() as s:
                residents = await repo.recipients(s, key, list(jobs.senders), jobs.clock.now())
            messages = await self._messages(day)
            tally = await fan_out(self.jobs, key, residents, lambda r: messages[language_of(r.language)],
                                  retry_until=self._end_of(day))
        finally:
            self.jobs.running.discard(key)
        if tally.total:
            log.info("reminder %s: %s", day, tally)
        return tally

    async def retry_until(self, key: str) -> datetime:
        """A reminder that never left is tried again until the day is over."""
        return self._end_of(date.fromisoformat(key.split(":", 1)[1]))

    def _end_of(self, day: date) -> datetime:
        return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=self.week.tz)

    async def messages_for(self, key: str) -> dict[str, list[Reply]] | None:
        """For the sweep: an unfinished reminder's message by language, if it is still today's."""
        day = date.fromisoformat(key.split(":", 1)[1])
        if self.jobs.clock.now().astimezone(self.week.tz).date() != day:
            return None
        return await self._messages(day)

    async def _messages(self, day: date) -> dict[str, list[Reply]]:
        async with self.jobs.storage.session() as s:
            paid = (await repo.pledge_totals(s)).get(PledgeStatus.PAID, (0, 0))[1]
        total = self.week.fund.raised_at_opening + paid
        return {lang: reminder(Voice(self.week, lang), day, total) for lang in LANGUAGES}


def reminder(voice: Voice, day: date, fund_total: int) -> list[Reply]:
    """The morning message of one day of the week; on the last day, the closing words."""
    program = voice.week.day(day)
    parts = [voice.t("reminder_hello"), day_block(voice, program)]
    if day == voice.week.event.end:
        parts.append(voice.say("reminder_last_day", fund=voice.week.fund.name.get(voice.lang),
                               total=format_vnd(fund_total)))
    parts.append(voice.t("reminder_stop"))
    return [Reply("\n\n".join(parts), "reminder", menu_buttons(voice.lang, subscribed=True))]
