"""What became of a message handed to a channel: the channels report it, the jobs record it
(deliveries.status and .reason), the staff commands put it in words."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Protocol


class Outcome(Enum):
    """What became of replies handed to a channel."""

    SENT = "sent"
    BLOCKED = "blocked"  # the resident blocked the bot: unsubscribe them
    FAILED = "failed"
    # A platform rule keeps this resident out of reach for now (Zalo -230, ZALO_FREE_ONLY):
    # recorded as unreachable, the rule as the reason.
    UNREACHABLE = "unreachable"
    # Not tried here (claimed elsewhere, stopping, not the terminal's user, an earlier part not
    # sent): the claim is given back and nothing is recorded.
    NOT_ATTEMPTED = "not_attempted"
    NOT_SENT = "not_sent"  # tried, but it never left (the platform down): safe to send again


# Which rule made a resident unreachable (deliveries.reason), so that /thongke can say it in words.
UNREACHABLE_FREE_ONLY = "ZALO_FREE_ONLY: no message from the resident for 48 h (sending would be billed)"
UNREACHABLE_ZALO_WINDOW = ("-230:", "-232:")  # Zalo's own refusal: no interaction for 7 days, or it expired


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    reason: str = ""


# Runs just before a message's first request; False: someone else delivers it, skip.
Claim = Callable[[], Awaitable[bool]]


class Sender(Protocol):
    """A running channel's way of sending replies to one of its users (a channel's `deliver`)."""

    def __call__(self, user_id: str, replies: list, *, bulk: bool = False,
                 claim: Claim | None = None) -> Awaitable[Result]: ...


class Senders:
    """The running channels, by name: bot.py adds each one once it is built."""

    def __init__(self) -> None:
        self._by_channel: dict[str, Sender] = {}

    def add(self, channel: str, sender: Sender) -> None:
        self._by_channel[channel] = sender

    def get(self, channel: str) -> Sender | None:
        return self._by_channel.get(channel)

    def __contains__(self, channel: object) -> bool:
        return channel in self._by_channel

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_channel)

    def __len__(self) -> int:
        return len(self._by_channel)


# Keys of the deliveries table: what was sent to whom (the jobs send them; subscribing to
# reminders after the day's has gone out records it as delivered).
REMINDER_PREFIX = "reminder:"


def reminder_key(day: date) -> str:
    return f"{REMINDER_PREFIX}{day.isoformat()}"


def broadcast_key(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}"
