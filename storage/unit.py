"""One message's storage work in one place: its transaction, what it changed in the chat a
process keeps in memory, and what may happen only once it has committed.

The transaction opens at the first statement (`session`): most messages are questions
answered from memory and open none. Repo functions record what they change here (a dialog set
or cleared, a resident whose copy cannot be kept), found through the session they are given;
callers remember nothing. Leaving the `async with` block commits, then keeps the chat with
those changes, hands the dialog steps to the writer behind (`storage.dialogs`), sends the
messages for others and runs the jobs, in that order. Any exception rolls all of it back:
nothing is applied, nothing sent, and the cached chat is dropped, as it may be ahead of the
database.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage import dialogs
from storage.chats import Chat, ChatCache
from storage.models import DialogState
from storage.status import CONFIRMING

if TYPE_CHECKING:
    from storage.db import Storage

_UNIT = "unit_of_work"  # key in a session's `info`


class UnitOfWork:
    def __init__(self, storage: "Storage", chats: ChatCache, chat_key: tuple[str, str],
                 deliver: Callable[[Any], Awaitable[None]]) -> None:
        self.storage = storage
        self.chats = chats
        self.chat_key = chat_key      # (channel, user id) of the chat the message came from
        self.chat: Chat | None = None  # its copy, kept in `chats` after the commit
        self._deliver = deliver
        self._session: AsyncSession | None = None
        self.outbox: list[Any] = []  # messages for others (handlers.types.Outgoing), sent after the commit
        self.after_commit: list[Callable[[], None]] = []  # e.g. start a job
        self._dialogs: dict[int, DialogState | None] = {}  # resident id -> dialog now (None: none)
        self._behind: dict[int, DialogState | None] = {}   # of those, not written in the transaction
        self._taken: dict[int, DialogState | None] = {}    # steps taken from the writer into it
        self._gone = False  # the chat's resident changed in a way its copy cannot follow

    @property
    def session(self) -> AsyncSession:
        """The transaction, begun at its first statement."""
        if self._session is None:
            self._session = self.storage.session(info={_UNIT: self})
        return self._session

    # What repo functions record -----------------------------------------------------------

    def dialog_set(self, resident_id: int, dialog: DialogState | None) -> None:
        """A dialog set (None: cleared), written behind after the commit."""
        self._dialogs[resident_id] = self._behind[resident_id] = dialog

    def leaves_a_confirmation(self, resident_id: int) -> bool:
        """Whether the resident's step is one where a word records something (or is not known
        here): changing it is then written in the transaction, not behind (see CONFIRMING)."""
        if resident_id in self._dialogs:
            before = self._dialogs[resident_id]
        elif self.chat is not None and self.chat.resident.id == resident_id:
            before = self.chat.dialog
        else:
            return True
        return before is not None and before.state in CONFIRMING

    def dialog_written(self, resident_id: int, dialog: DialogState | None) -> None:
        """A dialog changed by a statement of this transaction."""
        self._dialogs[resident_id] = dialog
        self._behind.pop(resident_id, None)

    def resident_gone(self) -> None:
        self._gone = True

    async def dialog_sql(self, resident_id: int) -> object:
        """Before a statement reads or changes the resident's dialog: bring the row up to date
        in this transaction with the step the writer has not written yet, and this unit's own.
        Returns the step written (None: no dialog), or dialogs.ABSENT."""
        step = await self.storage.dialogs.take(resident_id)
        if step is not dialogs.ABSENT:
            self._taken[resident_id] = step
        if resident_id in self._behind:
            step = self._behind.pop(resident_id)
        if step is not dialogs.ABSENT:
            await dialogs.write(self.session, {resident_id: step})
        return step

    # The transaction ------------------------------------------------------------------------

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            await self._roll_back()
            return
        session, self._session = self._session, None
        if session is not None and session.in_transaction():  # a session with no statement has nothing to commit
            try:
                await session.commit()
            except BaseException:
                self._session = session
                await self._roll_back()  # rolls the session back, drops the copy, gives back taken steps
                raise
            finally:
                await session.close()
        self._apply()
        # Only now: a staff notice must never announce a pledge that was rolled back.
        for outgoing in self.outbox:
            await self._deliver(outgoing)
        for job in self.after_commit:
            job()

    def _apply(self) -> None:
        if self.chat is not None:
            if self._gone:
                self.chats.forget([self.chat.resident.id])
            else:
                if self.chat.resident.id in self._dialogs:
                    self.chat.dialog = self._dialogs[self.chat.resident.id]
                self.chats.put(self.chat)
        others = [rid for rid in self._dialogs if self.chat is None or rid != self.chat.resident.id]
        self.chats.forget(others)  # no handler changes another's dialog today; were one to, re-read it
        self.storage.dialogs.put(self._behind)

    async def _roll_back(self) -> None:
        try:
            if self._session is not None and self._session.in_transaction():
                await self._session.rollback()
                await self._session.close()
        finally:  # even if the rollback fails (a dead connection): the copy and the taken steps
            self.chats.forget_chat(*self.chat_key)
            for resident_id, step in self._taken.items():
                self.storage.dialogs.give_back(resident_id, step)


def unit_of(session: AsyncSession) -> UnitOfWork | None:
    """The unit of work a session belongs to; None for a session opened on its own (jobs, tests)."""
    return session.info.get(_UNIT)
