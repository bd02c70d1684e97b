"""The bot's clock. Injectable so a rehearsal or a test can live inside the week."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


class Clock:
    """Wall clock, optionally shifted so that 'now' starts at a chosen instant and runs on."""

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = timedelta(0)
        if start is not None:
            if start.tzinfo is None:
                raise ValueError("the start time needs a UTC offset, e.g. 2023-10-03T08:00:00+07:00")
            self._offset = start - datetime.now(timezone.utc)

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self._offset

    def real_time(self, when: datetime) -> datetime:
        """The wall-clock instant at which this clock will read `when` (for the scheduler)."""
        return when - (self.now() - datetime.now(timezone.utc))


class ManualClock(Clock):
    """A clock that only moves when told: for tests."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)

    def set(self, when: datetime) -> None:
        self._now = when
