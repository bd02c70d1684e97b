"""What the two Zalo channels share: buttons shown as numbered options, one resident's
messages handled in the order they came, and the answer to /id.

Zalo shows no buttons under a plain text message (OA: not on /v3.0/oa/message/cs; Bot
Platform: no keyboard at all), so options are listed "1. ..." and typing the number presses
one, as in the terminal chat.
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from channels.ordered import PerChat
from content.texts import say
from handlers.types import Button, Reply
from storage.models import EXTERNAL_ID_MAX

REMEMBERED_MENUS = 10_000
MAX_DIGITS = 3  # an option number; "²", "①" or 5,000 digits are text, never a number


def platform_id(value: object) -> str | None:
    """An id from a Zalo update (a user's, a message's), if it is one: a string or number that
    fits residents.external_id. Anything else (a bool, a list, "") makes the update unreadable."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    value = str(value)
    return value if 0 < len(value) <= EXTERNAL_ID_MAX else None


def your_id(channel: str, user_id: str) -> Reply:
    """The answer to /id: Zalo shows no user ids, and staff need theirs for ADMIN_IDS."""
    return Reply(say("vi", "zalo_your_id", channel=channel, id=user_id), "id")


def numbered(text: str, buttons: list[Button]) -> str:
    if not buttons:
        return text
    return text + "\n\n" + "\n".join(f"{i}. {b.label}" for i, b in enumerate(buttons, 1))


def option_number(text: str) -> int | None:
    """The number typed, if the text is only a few ASCII digits."""
    text = text.strip()
    if 0 < len(text) <= MAX_DIGITS and text.isascii() and text.isdigit():
        return int(text)
    return None


class Menus:
    """The options last shown to each resident, so that typing a number presses one (and only
    then: at the amount step "2" must stay an amount)."""

    def __init__(self, size: int = REMEMBERED_MENUS) -> None:
        self.size = size
        self._menus: OrderedDict[str, list[Button]] = OrderedDict()

    def remember(self, user_id: str, buttons: list[Button]) -> None:
        self._menus[user_id] = buttons
        self._menus.move_to_end(user_id)
        while len(self._menus) > self.size:
            self._menus.popitem(last=False)

    def pressed(self, user_id: str, text: str) -> str | None:
        """The payload of the option whose number `text` is, if any."""
        number = option_number(text)
        menu = self._menus.get(user_id, [])
        if number is not None and 1 <= number <= len(menu):
            return menu[number - 1].payload
        return None


class InOrder:
    """Runs each resident's work one at a time, in the order it was handed in, while different
    residents' work runs side by side. Tasks are kept until done, so stop() can wait for them."""

    def __init__(self) -> None:
        self._turns = PerChat()
        self._tasks: set[asyncio.Task] = set()

    def submit(self, user_id: str, work: Callable[[], Awaitable[None]]) -> None:
        task = asyncio.create_task(self._run(user_id, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, user_id: str, work: Callable[[], Awaitable[None]]) -> None:
        async with self._turns.turn(user_id):  # tasks get here in the order they were submitted
            await work()

    async def wait(self) -> None:
        await asyncio.gather(*self._tasks, return_exceptions=True)
