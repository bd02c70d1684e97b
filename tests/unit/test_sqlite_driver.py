"""storage/sqlite_driver.py: one call to the SQLite connection per statement, the same transactions."""
import sqlite3
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from storage import repo
from storage.db import Storage
from storage.sqlite_inline import InlineConnection

NOW = datetime(2023, 10, 3, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
async def storage(tmp_path):
    store = Storage(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await store.start()
    yield store
    await store.close()


@pytest.fixture
def calls(monkeypatch):
    """Calls made to the SQLite connection."""
    made: list[str] = []
    real = InlineConnection._execute

    async def counted(self, fn, *args, **kwargs):
        made.append(getattr(fn, "__name__", repr(fn)))
        return await real(self, fn, *args, **kwargs)
    monkeypatch.setattr(InlineConnection, "_execute", counted)
    return made


async def test_a_one_statement_transaction_is_two_calls(storage, calls):
    async with storage.session() as s, s.begin():
        (await repo.touch_chat(s, "console", "1", "Lan", "vi", NOW))[0]  # the first connection is opened here
    calls.clear()
    async with storage.session() as s, s.begin():
        await repo.record_unanswered(s, 1, "gia vang", "giá vàng", NOW)
    assert len(calls) == 2  # BEGIN IMMEDIATE with the statement, then the commit (the pool sends no rollback)
    async with storage.session() as s:
        assert (await s.execute(text("SELECT count(*) FROM unanswered_questions"))).scalar_one() == 1


async def test_a_transaction_without_statements_sends_nothing(storage, calls):
    async with storage.session() as s, s.begin():
        (await repo.touch_chat(s, "console", "1", "Lan", "vi", NOW))[0]
    calls.clear()
    async with storage.engine.begin():
        pass
    assert calls == []


async def test_a_failed_statement_rolls_back_the_ones_before(storage):
    async with storage.session() as s, s.begin():
        (await repo.touch_chat(s, "console", "1", "Lan", "vi", NOW))[0]
    with pytest.raises(Exception, match="no such table"):
        async with storage.session() as s, s.begin():
            await repo.record_unanswered(s, 1, "gia vang", "giá vàng", NOW)
            await s.execute(text("SELECT * FROM no_such_table"))
    async with storage.session() as s:
        assert (await s.execute(text("SELECT count(*) FROM unanswered_questions"))).scalar_one() == 0
        await repo.record_unanswered(s, 1, "gia vang", "giá vàng", NOW)  # the connection is usable again
        await s.commit()
        assert (await s.execute(text("SELECT count(*) FROM unanswered_questions"))).scalar_one() == 1


async def test_the_write_lock_is_taken_at_the_first_statement(storage, tmp_path):
    async with storage.session() as s, s.begin():
        (await repo.touch_chat(s, "console", "1", "Lan", "vi", NOW))[0]
    other = sqlite3.connect(tmp_path / "bot.db", timeout=0, isolation_level=None)
    try:
        async with storage.session() as s, s.begin():
            await s.execute(text("SELECT 1"))  # a read, but BEGIN IMMEDIATE came with it
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released at the commit
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_rows_rowcount_and_streamed_results(storage):
    async with storage.session() as s, s.begin():
        for user in "abc":
            (await repo.touch_chat(s, "console", user, None, "vi", NOW))[0]
    async with storage.session() as s, s.begin():
        result = await s.execute(text("UPDATE residents SET language = 'en' WHERE external_id IN ('a', 'b')"))
        assert result.rowcount == 2
        assert (await s.execute(text("SELECT external_id FROM residents ORDER BY id"))).scalars().all() == \
            ["a", "b", "c"]
    async with storage.engine.connect() as conn:  # a server-side cursor first in its transaction
        streamed = await conn.stream(text("SELECT external_id, language FROM residents ORDER BY id"))
        assert [tuple(row) async for row in streamed] == [("a", "en"), ("b", "en"), ("c", "vi")]
