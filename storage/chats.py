"""What this process knows of the chats it is talking to: the resident and their dialog step.

Most messages are questions that change nothing; without this each of them would pay a write
transaction (the resident's last_seen) and a read (the dialog). The database stays the truth:
an entry is a copy of what was read or written there, kept by the message's unit of work
(storage/unit.py) with what its repo functions changed, dropped when a message fails, and read
again every REFRESH_EVERY, so last_seen is kept to within that. A dialog step is here before it
is in the database (storage/dialogs.py writes it a moment later).

Sound because one chat's messages reach one process: Telegram gives updates to a single
poller or a single webhook URL, and the Zalo webhook is served by one `serve` process. Other
processes sharing the database (jobs, a second channel) change a resident only through
repo.mark_blocked, and the stale copy that leaves (the reminder button) lasts until the next
refresh; subscribing and unsubscribing read the truth first.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.models import DialogState, Resident

REFRESH_EVERY = timedelta(minutes=5)
MAX_CHATS = 5_000  # the least recently heard from are forgotten first


@dataclass
class Chat:
    resident: Resident           # detached: changes go through repo functions, not attributes
    dialog: DialogState | None   # detached copy
    refreshed: datetime


class ChatCache:
    def __init__(self, size: int = MAX_CHATS) -> None:
        self.size = size
        self._chats: OrderedDict[tuple[str, str], Chat] = OrderedDict()
        self._keys: dict[int, tuple[str, str]] = {}  # resident id -> key

    def get(self, channel: str, user_id: str, name: str | None, now: datetime) -> Chat | None:
        """The chat if it is known and fresh, and the resident's name has not changed."""
        chat = self._chats.get((channel, user_id))
        if chat is None or now - chat.refreshed >= REFRESH_EVERY or now < chat.refreshed:
            return None
        if name and chat.resident.erased_at is None and name != chat.resident.name:
            return None  # touch_chat keeps the chat name current
        self._chats.move_to_end((channel, user_id))
        return chat

    def put(self, chat: Chat) -> None:
        key = (chat.resident.channel, chat.resident.external_id)
        self._chats[key] = chat
        self._chats.move_to_end(key)
        self._keys[chat.resident.id] = key
        while len(self._chats) > self.size:
            _, old = self._chats.popitem(last=False)
            self._keys.pop(old.resident.id, None)

    def forget(self, resident_ids: list[int]) -> None:
        for resident_id in resident_ids:
            key = self._keys.pop(resident_id, None)
            if key is not None:
                self._chats.pop(key, None)

    def forget_chat(self, channel: str, user_id: str) -> None:
        chat = self._chats.pop((channel, user_id), None)
        if chat is not None:
            self._keys.pop(chat.resident.id, None)

