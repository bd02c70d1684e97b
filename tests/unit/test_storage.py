"""Storage on SQLite and, when TEST_POSTGRES_URL is set, PostgreSQL."""
import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, text

from storage import db, repo
from storage.db import Storage

NOW = datetime(2023, 10, 3, 1, 0, tzinfo=timezone.utc)


async def test_migrations_create_the_tables_and_are_idempotent(any_storage):
    await any_storage.start()  # a second start finds the schema at head
    async with any_storage.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert {"residents", "dialog_states", "unanswered_questions", "alembic_version"} <= tables


async def test_resident_is_created_once_and_kept_current(any_storage):
    async with any_storage.session() as s, s.begin():
        first = (await repo.touch_chat(s, "telegram", "42", "Lan", "vi", NOW))[0]
    async with any_storage.session() as s, s.begin():
        again = (await repo.touch_chat(s, "telegram", "42", "Lan Nguyễn", "vi", NOW + timedelta(hours=1)))[0]
        other_channel = (await repo.touch_chat(s, "zalo", "42", None, "vi", NOW))[0]
    assert again.id == first.id != other_channel.id
    assert again.name == "Lan Nguyễn"
    assert again.first_seen == NOW and again.last_seen == NOW + timedelta(hours=1)
    assert again.last_seen.tzinfo is not None


async def test_concurrent_first_messages_make_one_resident(any_storage):
    async def touch():
        async with any_storage.session() as s, s.begin():
            return ((await repo.touch_chat(s, "telegram", "7", "Hoa", "vi", NOW))[0]).id
    ids = await asyncio.gather(*(touch() for _ in range(10)))
    assert len(set(ids)) == 1
    async with any_storage.session() as s:
        assert await repo.count_residents(s) == (1, 0)


async def test_dialog_state_survives_a_restart(any_storage, db_url):
    async with any_storage.session() as s, s.begin():
        resident = (await repo.touch_chat(s, "console", "1", None, "vi", NOW))[0]
        await repo.set_dialog(s, resident.id, "pledge_name", {"amount": 500000, "note": "Tổ 5 <b>"}, NOW)
        await repo.set_dialog(s, resident.id, "pledge_phone", {"amount": 500000, "note": "Tổ 5 <b>"}, NOW)
    restarted = Storage(db_url)
    await restarted.start()
    try:
        async with restarted.session() as s:
            dialog = await repo.get_dialog(s, resident.id)
        assert (dialog.state, dialog.data) == ("pledge_phone", {"amount": 500000, "note": "Tổ 5 <b>"})
    finally:
        await restarted.close()


async def test_unanswered_questions_count_per_text(any_storage):
    async with any_storage.session() as s, s.begin():
        residents = [(await repo.touch_chat(s, "console", user, None, "vi", NOW))[0] for user in ("a", "b")]
        for i, wording in enumerate(["gia vang", "gia vang", "thoi tiet", "gia vang"]):
            await repo.record_unanswered(s, residents[i % 2].id, wording, wording.upper(), NOW)
    async with any_storage.session() as s:
        top = await repo.top_unanswered(s, limit=1)
    assert [(q.folded, q.count, q.sample) for q in top] == [("gia vang", 3, "GIA VANG")]


async def test_a_connection_dropped_while_idle_is_replaced(any_storage, db_url, monkeypatch):
    if any_storage.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to lose")
    async with any_storage.engine.connect() as conn:  # now idle in the pool
        await conn.execute(text("SELECT 1"))
    other = Storage(db_url)  # the server drops it (a restart, a firewall)
    try:
        async with other.engine.connect() as conn:
            dropped = await conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                              "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            assert dropped.scalars().all() == [True]
    finally:
        await other.close()
    monkeypatch.setattr(db, "PING_IDLE", 0.0)  # it has been idle long enough to be checked
    async with any_storage.session() as s:
        assert (await s.execute(text("SELECT 2"))).scalar_one() == 2


@pytest.mark.slow
def test_a_fresh_process_reads_a_resident_before_any_orm_query(tmp_path):
    """repo builds detached objects without their constructor, which configures the mappers:
    the first message of a fresh process must not find them unconfigured."""
    import subprocess
    import sys
    from pathlib import Path

    program = f"""
import asyncio
from datetime import datetime, timezone
from storage import repo
from storage.db import Storage

async def main():
    storage = Storage("sqlite+aiosqlite:///{tmp_path / 'fresh.db'}")
    await storage.start()
    async with storage.session() as s, s.begin():
        resident = (await repo.touch_chat(s, "console", "1", "Lan", "vi", datetime.now(timezone.utc)))[0]
        print(resident.name, await repo.get_dialog(s, resident.id))
    await storage.close()

asyncio.run(main())
"""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", program], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["Lan", "None"]
