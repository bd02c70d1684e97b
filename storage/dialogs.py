"""Dialog steps written behind: the reply goes out at once, the step reaches the database a
moment later, many residents' steps in one transaction (group commit), the latest per resident.

Most writing messages are pledge steps; each one's own transaction cost about 1.5 ms of CPU
through the async session. Here a step costs a dict entry on the hot path and a share of one
executemany. What a kill -9 can lose is the last few milliseconds of steps: the database then
holds an earlier step of the same dialog, whole (each entry is a resident's complete state),
and the resident is asked that step again. Nothing that records money waits here: a unit of
work that reads or changes a resident's dialog in SQL first takes that resident's step from
here into its own transaction (`storage.unit.UnitOfWork.dialog_sql`); and the end of a dialog,
or a step away from a summary where one word would record something, never comes here
(`repo.clear_dialog`, `storage.status.CONFIRMING`): a kill must not bring back what was cancelled.
"""
from __future__ import annotations

import asyncio
import logging

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from storage.models import DialogState

log = logging.getLogger(__name__)

# How long a group gathers before it is written: the most a kill -9 can lose, with the commit.
WINDOW = 0.005
RETRY_AFTER = 1.0  # seconds, when the database refused a group
ABSENT = object()  # take(): the resident has no step waiting


def _upsert(dialect: str):
    table = DialogState.__table__
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return stmt.on_conflict_do_update(index_elements=["resident_id"], set_={
        "state": stmt.excluded.state, "data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at})


# Built once per database kind (building one cost more than running it).
_UPSERT = {dialect: _upsert(dialect) for dialect in ("postgresql", "sqlite")}
_DELETE = delete(DialogState.__table__).where(DialogState.__table__.c.resident_id.in_(bindparam("ids", expanding=True)))


async def write(db: AsyncSession | AsyncConnection, steps: dict[int, DialogState | None]) -> None:
    """Bring residents' dialogs to these states (None: no dialog), in the caller's transaction."""
    kept = [{"resident_id": rid, "state": d.state, "data": d.data, "updated_at": d.updated_at}
            for rid, d in steps.items() if d is not None]
    gone = [rid for rid, d in steps.items() if d is None]
    if kept:
        dialect = db.get_bind().dialect.name if isinstance(db, AsyncSession) else db.dialect.name
        await db.execute(_UPSERT[dialect], kept)
    if gone:
        await db.execute(_DELETE, {"ids": gone})


class DialogWriter:
    """The steps not yet written, and the one task that writes them."""

    def __init__(self, engine: AsyncEngine, window: float = WINDOW) -> None:
        self.engine = engine
        self.window = window
        self._pending: dict[int, DialogState | None] = {}
        self._writing: dict[int, DialogState | None] = {}  # the group in the transaction under way
        self._written = asyncio.Event()
        self._one_group = asyncio.Lock()  # one group at a time: a resident's steps land in order
        self._task: asyncio.Task | None = None
        self.groups = 0  # transactions, for the benchmark
        self.steps = 0
        self._begun = 0  # groups begun, for readers beside the writer (`mark`)

    def put(self, steps: dict[int, DialogState | None]) -> None:
        """Steps committed in memory: written within `window`, a later one replacing an earlier."""
        if not steps:
            return
        self._pending.update(steps)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def take(self, resident_id: int) -> object:
        """The resident's step not yet written, removed from here for the caller to write (or
        `ABSENT`); waits first for a group under way that holds it, so no older step lands later."""
        while resident_id in self._writing:
            await self._written.wait()
        return self._pending.pop(resident_id, ABSENT)

    def mark(self) -> int | None:
        """Before reading dialogs in a statement of one's own: None when a group is being written
        now, else a mark for `unchanged` after the read."""
        return None if self._writing else self._begun

    def unchanged(self, mark: int | None) -> bool:
        """No group was written while the read with this mark ran: the read saw every group
        written so far, and the steps not written yet are still here (`take`)."""
        return mark is not None and not self._writing and self._begun == mark

    def give_back(self, resident_id: int, step: DialogState | None) -> None:
        """A step taken by a transaction that rolled back: still to write, unless a newer one came."""
        if resident_id not in self._pending:
            self.put({resident_id: step})

    async def flush(self) -> None:
        """Write everything pending now (a clean stop, a test, the benchmark)."""
        await self._write_group()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        try:
            await self.flush()
        except Exception:
            log.exception("%d dialog steps not written at the stop: those residents are asked again",
                          len(self._pending))

    async def _drain(self) -> None:
        failing = False
        while self._pending:
            await asyncio.sleep(self.window)  # let a group gather
            try:
                await self._write_group()
            except Exception:
                if not failing:  # once per outage, not every second of it
                    log.exception("%d dialog steps not written yet: trying again every %s s",
                                  len(self._pending), RETRY_AFTER)
                failing = True
                await asyncio.sleep(RETRY_AFTER)
            else:
                if failing:
                    log.warning("dialog steps written again")
                failing = False

    async def _write_group(self) -> None:
        async with self._one_group:
            if not self._pending:
                return
            try:
                async with self.engine.begin() as connection:
                    # Taken only now: on SQLite a unit of work may hold the one connection, and
                    # takes its resident's step from `_pending` while this waits for it.
                    self._writing, self._pending = self._pending, {}
                    self._begun += 1
                    self._written.clear()
                    await write(connection, self._writing)
                self.groups += 1
                self.steps += len(self._writing)
            except BaseException:
                self._pending = {**self._writing, **self._pending}  # a newer step wins
                raise
            finally:
                self._writing = {}
                self._written.set()
