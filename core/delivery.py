"""What became of a message handed to a channel: the channels report it, the jobs record it
(deliveries.status and .reason), the staff commands put it in words."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Outcome(Enum):
    """What became of replies handed to a channel."""

    SENT = "sent"
    BLOCKED = "blocked"          # the resident blocked the bot: unsubscribe them
    FAILED = "failed"
    UNREACHABLE = "unreachable"  # the platform refuses for now (Zalo -230): recorded as skipped
    SKIPPED = "skipped"          # not attempted: claimed elsewhere, or nobody there to read it
    NOT_SENT = "not_sent"        # tried, but it never left (platform unreachable): safe to send again


# Why a bulk message was skipped on purpose (deliveries.reason), so that /thongke can say it in words.
SKIP_ZALO_FREE_ONLY = "ZALO_FREE_ONLY: no message from the resident for 48 h (sending would be billed)"
SKIP_ZALO_WINDOW = ("-230:", "-232:")  # Zalo's own refusal: no interaction for 7 days, or it expired


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    reason: str = ""
