"""The database: engine, sessions, and migrations applied at start."""
from __future__ import annotations

import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from storage.dialogs import DialogWriter
from storage.sqlite_driver import OneHopDbapi
from storage.sqlite_inline import inline_connector

MIGRATIONS = Path(__file__).with_name("migrations")
# A pooled connection idle this long is checked before use (the server restarted, a firewall
# dropped it). One in steady use is not: checking every checkout (pool_pre_ping) cost about
# 1 ms of CPU per transaction (bench/storage_path.py). Were a busy one dead, its message fails
# and SQLAlchemy replaces every connection in the pool.
PING_IDLE = 30.0  # seconds
BUSY_TIMEOUT = 30.0  # seconds a SQLite statement waits for another process's write lock


class Storage:
    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = make_url(url)
        self.engine: AsyncEngine = _create_engine(self.url, echo)
        self.session = async_sessionmaker(self.engine, expire_on_commit=False)
        self.dialogs = DialogWriter(self.engine)  # dialog steps, written behind

    async def start(self) -> None:
        """Create the SQLite file's folder if needed and bring the schema to the latest revision."""
        if self.url.get_backend_name() == "sqlite" and self.url.database not in (None, "", ":memory:"):
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        async with self.engine.begin() as connection:
            await connection.run_sync(_upgrade)

    async def close(self) -> None:
        """A clean stop: the dialog steps still in memory are written first."""
        try:
            await self.dialogs.close()
        finally:
            await self.engine.dispose()


def _create_engine(url, echo: bool) -> AsyncEngine:
    if url.get_backend_name() != "sqlite":
        engine = create_async_engine(url, echo=echo)
        _ping_when_idle(engine)
        return engine
    # One connection: SQLite lets one writer in at a time anyway, and many connections waiting
    # on its lock sleep in its busy handler (up to 100 ms a try) instead of queueing in order.
    # Nothing may hold a session while opening another. Calls run in the loop's thread
    # (storage/sqlite_inline.py); waiting for another process's lock, up to BUSY_TIMEOUT.
    engine = create_async_engine(url, echo=echo, async_creator=inline_connector(url, BUSY_TIMEOUT), pool_size=1,
                                 max_overflow=0, pool_timeout=300, module=OneHopDbapi())

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        # WAL lets readers work while a write is under way; foreign keys are off by default.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # Let SQLAlchemy emit BEGIN itself (below) instead of the driver's deferred BEGIN.
        dbapi_connection.isolation_level = None

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(connection) -> None:
        # Nearly every transaction here writes. A deferred BEGIN that later upgrades to a write
        # fails at once with "database is locked" when another writer is active; IMMEDIATE
        # takes the write lock up front, so concurrent writers wait (busy timeout) instead.
        # Sent with the transaction's first statement (storage/sqlite_driver.py).
        connection.connection.dbapi_connection.begin_pending = True

    return engine


def _ping_when_idle(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _check_if_idle(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("idle_since")  # none for a new connection
        if idle_since is not None and time.monotonic() - idle_since >= PING_IDLE:
            try:
                engine.dialect.do_ping(dbapi_connection)
            except Exception as error:
                raise exc.DisconnectionError("a pooled connection was closed") from error  # the pool connects anew


def alembic_config(connection) -> Config:
    """Alembic's configuration for running the migrations on this (synchronous) connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection) -> None:
    command.upgrade(alembic_config(connection), "head")
