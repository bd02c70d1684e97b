"""Shared fixtures: a database per test (SQLite file, and PostgreSQL when TEST_POSTGRES_URL is
set), the shipped week, an assistant on an injected clock."""
from __future__ import annotations

import asyncio
import os
import shutil
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import settings

# No time limit per Hypothesis example (its default is 200 ms): on a loaded machine a slow
# example is not a failure. Speed is `make bench`'s business.
settings.register_profile("no_deadline", deadline=None)
settings.load_profile("no_deadline")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from content.loader import load_week  # noqa: E402
from core.clock import ManualClock  # noqa: E402
from handlers.router import Assistant  # noqa: E402
from handlers.types import Incoming, Reply  # noqa: E402
from storage.db import Storage  # noqa: E402

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
BEFORE_WEEK = datetime.fromisoformat("2023-09-25T09:00:00+07:00")


def bound_port(runner) -> int:
    """The port an aiohttp AppRunner actually listens on (the tests start it on port 0)."""
    return runner.addresses[0][1]


def asyncpg_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+asyncpg://", 1) if url.startswith("postgresql://") else url


@pytest.fixture(params=["sqlite"] + (["postgresql"] if POSTGRES_URL else []))
async def db_url(request, tmp_path) -> str:
    """A fresh, empty database: a SQLite file, or a PostgreSQL database of its own (a unique
    name, dropped after the test), so that test runs side by side never share one."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        return
    async with postgres_database(POSTGRES_URL) as url:
        yield url


@asynccontextmanager
async def postgres_database(server_url: str):
    """A new database on the server of `server_url`, as an asyncpg URL; dropped on exit."""
    import asyncpg

    plain = server_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(plain)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield asyncpg_url(plain.rsplit("/", 1)[0] + "/" + name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def any_storage(db_url):
    """Storage on every database under test: for tests of storage itself."""
    store = Storage(db_url)
    await store.start()
    yield store
    await store.close()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """An empty SQLite database at the latest revision, made once for the session: tests copy it,
    as running every migration was most of a conversation test's own time."""
    path = tmp_path_factory.mktemp("migrated") / "bot.db"

    async def make() -> None:
        store = Storage(f"sqlite+aiosqlite:///{path}")
        await store.start()
        await store.close()
    with ThreadPoolExecutor(1) as thread:  # its own event loop, whatever pytest-asyncio runs here
        thread.submit(asyncio.run, make()).result()
    return path


@pytest.fixture
async def storage(tmp_path, migrated_sqlite):
    """Storage on a SQLite file of its own: for conversation tests, where the database is not the
    subject (the migrations still run at start, finding nothing left to do)."""
    shutil.copyfile(migrated_sqlite, tmp_path / "bot.db")
    store = Storage(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await store.start()
    yield store
    await store.close()


@pytest.fixture(scope="session")
def shipped_week():
    return load_week()


@pytest.fixture
def week(shipped_week):
    """The shipped week, a copy of its own for each test: parsed once, as parsing the file
    was most of a test's set-up time."""
    return shipped_week.model_copy(deep=True)


@pytest.fixture
def clock():
    return ManualClock(BEFORE_WEEK)


@pytest.fixture
def assistant(week, storage, clock):
    return Assistant(week, storage, clock, admins=frozenset({("console", "staff")}))


class Chat:
    """One resident talking to the assistant in-process."""

    def __init__(self, assistant: Assistant, user: str = "u1", name: str = "Lan", lang: str = "vi",
                 channel: str = "console") -> None:
        self.assistant, self.user, self.name, self.lang, self.channel = assistant, user, name, lang, channel

    async def say(self, text: str | None = None, *, payload: str | None = None, unsupported: bool = False) -> list[Reply]:
        msg = Incoming(self.channel, self.user, self.name, self.lang, text=text, payload=payload,
                       unsupported=unsupported)
        return await self.assistant.handle(msg)

    async def one(self, text: str | None = None, **kw) -> Reply:
        replies = await self.say(text, **kw)
        assert len(replies) == 1, replies
        return replies[0]


@pytest.fixture
def chat(assistant):
    return Chat(assistant)


async def fail_after(monkeypatch, chat: Chat, work) -> None:
    """Send /nhacnho, whose handling does `work(ctx)` and then fails: the message rolls back."""
    from handlers import router

    async def work_then_fail(ctx):
        await work(ctx)
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(router.INTENT_HANDLERS, "subscribe", work_then_fail)
    with pytest.raises(RuntimeError):
        await chat.say("/nhacnho")
    monkeypatch.undo()


class RecordingChannel:
    """A channel that keeps what it is asked to deliver, with the real delivery contract
    (claim first, skip when the claim is refused). For tests of jobs, where no platform runs.
    Added to the assistant's senders at once, as bot.connect() adds a real channel."""

    def __init__(self, assistant: Assistant, name: str = "console") -> None:
        from core.delivery import Outcome, Result

        self._outcome, self._result = Outcome, Result
        self.messages: list[tuple[str, Reply]] = []
        self.blocked: set[str] = set()
        self.unreachable: set[str] = set()  # a platform rule keeps them out of reach (Zalo -230)
        assistant.senders.add(name, self.deliver)

    async def deliver(self, user_id, replies, *, bulk=False, claim=None):
        if claim is not None and not await claim():
            return self._result(self._outcome.NOT_ATTEMPTED, "claimed elsewhere")
        if user_id in self.blocked:
            return self._result(self._outcome.BLOCKED, "Forbidden: bot was blocked by the user")
        if user_id in self.unreachable:
            return self._result(self._outcome.UNREACHABLE, "-230: no recent interaction")
        self.messages += [(user_id, r) for r in replies]
        return self._result(self._outcome.SENT)

    def to(self, user_id: str) -> list[Reply]:
        return [r for u, r in self.messages if u == user_id]
