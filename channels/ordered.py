"""One chat's messages handled one after another, in the order they came; different chats' side
by side. Telegram's update processor and the Zalo channels' webhook tasks share this."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class PerChat:
    """A first-come-first-served lock per chat, kept only while someone holds or waits for it."""

    def __init__(self) -> None:
        self._turns: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def turn(self, chat: Hashable) -> AsyncIterator[None]:
        # Counted before the first await: tasks entering in arrival order queue in that order.
        lock, users = self._turns.get(chat, (asyncio.Lock(), 0))
        self._turns[chat] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._turns[chat]
            if users == 1:
                del self._turns[chat]
            else:
                self._turns[chat] = (lock, users - 1)
