"""SQLite calls in the event loop's thread (storage/sqlite_inline.py), and waits for another
process's lock off it."""
import asyncio
import sqlite3
import threading
from datetime import datetime, timezone

from sqlalchemy import text

from storage import repo

NOW = datetime(2023, 10, 3, 1, 0, tzinfo=timezone.utc)


async def raw_sqlite(storage) -> sqlite3.Connection:
    async with storage.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        return raw.driver_connection._conn


async def test_statements_run_in_the_loops_thread(storage):
    threads = set()
    (await raw_sqlite(storage)).set_trace_callback(lambda _sql: threads.add(threading.get_ident()))
    async with storage.session() as s, s.begin():
        (await repo.touch_chat(s, "telegram", "42", "Lan", "vi", NOW))[0]
    assert threads == {threading.get_ident()}


async def test_a_write_waits_for_another_processs_lock_without_holding_up_the_loop(storage, tmp_path):
    other = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)  # as another process would
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    async def write() -> None:
        async with storage.session() as s, s.begin():
            (await repo.touch_chat(s, "telegram", "42", "Lan", "vi", NOW))[0]

    ticking = asyncio.create_task(ticker())
    writing = asyncio.create_task(write())
    try:
        while ticks < 20:  # the loop goes on while the write waits for the lock
            await asyncio.sleep(0.005)
        assert not writing.done()
        other.commit()
        await asyncio.wait_for(writing, 30)  # then it goes through
    finally:
        ticking.cancel()
        other.close()
    async with storage.engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM residents"))).scalar() == 1
        # and the next statement fails fast again rather than blocking the loop
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 0
