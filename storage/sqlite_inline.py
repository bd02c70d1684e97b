"""SQLite without a thread hand-off per call: aiosqlite's connection, run in the event loop's thread.

aiosqlite sends every call (cursor, execute, fetch, commit...) to a worker thread and wakes
the event loop when it is done: on a busy bot each hand-off cost more CPU than the SQLite work
itself, and the wake-ups split the loop's work into many small turns (bench/changes.md). A
statement on a local SQLite file takes microseconds, so here each call runs at once, in the
loop's thread. What could take long is waiting for another process's write lock: the
connection's busy timeout is 0, so such a call fails at once with "database is locked" (before
it did anything) and is then made again in aiosqlite's thread with the usual wait, the loop
free meanwhile. A commit is still written to the WAL before the reply that follows it, so a
killed process loses nothing it has confirmed.
"""
from __future__ import annotations

import sqlite3
from functools import partial

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import dialect as aiosqlite_dialect
from sqlalchemy.engine import URL

LOCKED = ("database is locked", "database table is locked")


class InlineConnection(aiosqlite.Connection):
    def __init__(self, url: URL, busy_timeout: float) -> None:
        args, kwargs = aiosqlite_dialect().create_connect_args(url)
        # Used from the loop's thread and, when waiting for a lock, from the worker: never both at once.
        kwargs.update(timeout=0, check_same_thread=False)
        super().__init__(partial(sqlite3.connect, *args, **kwargs), iter_chunk_size=64)
        self._thread.daemon = True  # as SQLAlchemy makes aiosqlite's
        self.busy_ms = int(busy_timeout * 1000)

    async def _connect(self) -> "InlineConnection":
        if self._connection is None:
            self._connection = self._connector()
        return self

    async def _execute(self, fn, *args, **kwargs):
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if str(error) not in LOCKED:
                raise
        # Another process holds the lock: wait for it off the loop, as aiosqlite always does.
        return await super()._execute(self._waiting, partial(fn, *args, **kwargs))

    def _waiting(self, call):
        """In the worker thread: the call again, with the busy timeout (SQLite retries while it waits)."""
        self._conn.execute(f"PRAGMA busy_timeout = {self.busy_ms}")
        try:
            return call()
        finally:
            self._conn.execute("PRAGMA busy_timeout = 0")


def inline_connector(url: URL, busy_timeout: float):
    """create_async_engine(async_creator=...) for this URL."""
    async def connect() -> InlineConnection:
        return await InlineConnection(url, busy_timeout)
    return connect
