"""The statuses stored in pledges.status, deliveries.status and broadcasts.status, and the dialogs'
steps stored in dialog_states.state, by name.

StrEnums: each member is the very string in the database, compares equal to it and binds as it.
A bulk message not sent has one word per reason: "unreachable" (a platform rule: stored, the rule
in deliveries.reason), "expired" (too late), "retry" (the platform down); one never attempted in
this process (claimed elsewhere, stopping, its channel not running here) stores nothing
(core.delivery.Outcome.NOT_ATTEMPTED, jobs.fanout.Tally).
"""
from __future__ import annotations

from enum import StrEnum
from typing import Self


class PledgeStatus(StrEnum):
    PLEDGED = "pledged"      # promised, not yet received
    PAID = "paid"            # staff marked the money received
    CANCELLED = "cancelled"  # by the resident or staff


class DeliveryStatus(StrEnum):
    """One bulk message (reminder, broadcast) to one resident."""

    CLAIMED = "claimed"  # a process is sending it (until its lease runs out)
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"  # the resident blocked the bot
    UNREACHABLE = "unreachable"  # a platform rule refused this resident for now; deliveries.reason says which
    EXPIRED = "expired"  # too late to send (the day passed, the broadcast ended)
    RETRY = "retry"      # never left (the platform down): sent again from retry_at


class BroadcastStatus(StrEnum):
    SENDING = "sending"
    DONE = "done"
    EXPIRED = "expired"


class DialogStep(StrEnum):
    """A dialog's steps (no members here): each dialog's own class says which states are its."""

    @classmethod
    def of(cls, state: str | None) -> Self | None:
        """The step a stored dialog state names; None for another dialog's state (or none)."""
        return cls._value2member_map_.get(state)  # type: ignore[return-value]


class PledgeStep(DialogStep):
    """Where a resident is in the pledge dialog (handlers/pledge.py: the step table, the flow)."""

    AMOUNT = "pledge_amount"
    AMOUNT_CHECK = "pledge_amount_check"  # "Did you mean 500.000 đ?" after a bare "500"
    NAME = "pledge_name"
    PHONE = "pledge_phone"
    CONFIRM = "pledge_confirm"  # the summary, waiting for Confirm


class BroadcastStep(DialogStep):
    """Where a staff member is in writing a broadcast (handlers/broadcast.py)."""

    TEXT = "broadcast_text"        # asked for the notice's text
    CONFIRM = "broadcast_confirm"  # the preview, waiting for Send


# Steps where one word ("xác nhận", "ok", a Send button) records something: moving off one is
# written at once, not behind, so that a kill cannot bring back a summary the resident left.
CONFIRMING = frozenset({PledgeStep.CONFIRM, BroadcastStep.CONFIRM})
