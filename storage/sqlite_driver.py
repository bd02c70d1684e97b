"""SQLAlchemy's aiosqlite adapter with one call to the SQLite connection per statement.

SQLAlchemy's adapter makes four awaited calls per statement (open a cursor, execute, fetch,
close) and three more for the BEGIN IMMEDIATE of each transaction (storage/db.py), and the
pool rolls back every connection it gets back, even after a commit: a one-insert transaction
took eight. Each was a hand-off to aiosqlite's thread (about 30 µs of CPU: a queue, a wake-up
of the event loop); run in the loop's thread (storage/sqlite_inline.py) each is still an await
through SQLAlchemy's greenlet. Here a statement is one call that opens, executes, fetches and
closes; a transaction's BEGIN IMMEDIATE goes with its first statement, and a rollback with no
transaction open is not sent. SQL and its order are what they were.
"""
from __future__ import annotations

import collections
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_cursor,
                                                  AsyncAdapt_aiosqlite_dbapi, AsyncAdapt_aiosqlite_ss_cursor)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_


class _Done:
    """What a statement left on its (closed) cursor, as the DBAPI cursor shows it."""

    __slots__ = ("description", "rowcount", "lastrowid", "rows", "in_transaction")

    def __init__(self, description=None, rowcount: int = -1, lastrowid: int | None = None,
                 rows: list | None = None, in_transaction: bool = True) -> None:
        self.description = description
        self.rowcount = rowcount
        self.lastrowid = lastrowid
        self.rows = rows
        self.in_transaction = in_transaction

    async def close(self) -> None:  # the sqlite3 cursor is closed already
        return None


_NOTHING_YET = _Done()


def _run(conn, begin: bool, operation: str, parameters: Any, many: bool) -> _Done:
    """On SQLite's thread: the transaction's BEGIN if it is the first statement, the statement, its rows."""
    if begin:
        conn.execute("BEGIN IMMEDIATE")
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else None
        return _Done(cursor.description, cursor.rowcount, cursor.lastrowid, rows, conn.in_transaction)
    finally:
        cursor.close()


def _begun(conn) -> bool:
    conn.execute("BEGIN IMMEDIATE")
    return conn.in_transaction


class _Cursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def __init__(self, adapt_connection: "OneHopConnection") -> None:  # no cursor opened ahead
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = _NOTHING_YET
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._run(operation, parameters, False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        self._run(operation, seq_of_parameters, True)

    def _run(self, operation: Any, parameters: Any, many: bool) -> None:
        adapt = self._adapt_connection
        begin = adapt.take_begin()
        adapt.in_transaction = True  # not known until the call returns (an error, a cancel): a rollback is sent
        try:
            done = await_(adapt.call(_run, begin, operation, parameters, many))
        except Exception as error:
            adapt._handle_exception(error)
        adapt.in_transaction = done.in_transaction
        self._cursor = done
        if done.rows is not None:
            self._rows = collections.deque(done.rows)

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()


class _ServerSideCursor(AsyncAdapt_aiosqlite_ss_cursor):
    """Rows fetched a few at a time (stream_results): aiosqlite's own cursor, after the BEGIN."""

    __slots__ = ()

    def __init__(self, adapt_connection: "OneHopConnection") -> None:
        adapt_connection.begin_now()
        super().__init__(adapt_connection)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("begin_pending", "in_transaction")

    _cursor_cls = _Cursor
    _ss_cursor_cls = _ServerSideCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.begin_pending = False   # a transaction began: BEGIN IMMEDIATE goes with the next statement
        self.in_transaction = True   # SQLite's, after the last call (True when not known)

    async def call(self, fn, *args: Any) -> Any:
        async with self._execute_mutex:
            return await self._connection._execute(fn, self._connection._conn, *args)

    def take_begin(self) -> bool:
        begin, self.begin_pending = self.begin_pending, False
        return begin

    def begin_now(self) -> None:
        if self.take_begin():
            self.in_transaction = True
            try:
                self.in_transaction = await_(self.call(_begun))
            except Exception as error:
                self._handle_exception(error)

    def commit(self) -> None:
        if self.take_begin():
            return  # no statement ran: nothing to commit
        super().commit()
        self.in_transaction = False

    def rollback(self) -> None:
        if self.take_begin() or not self.in_transaction:
            return  # nothing to roll back (the pool rolls back every connection it gets back)
        super().rollback()
        self.in_transaction = False


class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module for `create_async_engine(..., module=OneHopDbapi())`."""

    def __init__(self) -> None:
        import sqlite3

        import aiosqlite

        super().__init__(aiosqlite, sqlite3)

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)
