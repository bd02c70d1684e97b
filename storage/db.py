"""The database: engine, sessions, and migrations applied at start."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.dialogs import DialogWriter

MIGRATIONS = Path(__file__).with_name("migrations")


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
        return create_async_engine(url, echo=echo, pool_pre_ping=True)
    # One connection: SQLite lets one writer in at a time anyway, and many connections waiting
    # on its lock sleep in its busy handler (up to 100 ms a try) instead of queueing in order.
    # Nothing may hold a session while opening another.
    engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, pool_size=1, max_overflow=0,
                                 pool_timeout=300)

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
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _upgrade(connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
