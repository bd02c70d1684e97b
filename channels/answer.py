"""Every channel's answer to one incoming message: handled, then the replies sent back."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from core.delivery import Outcome, Result
from core.language import language_of
from handlers.types import Incoming, Reply

if TYPE_CHECKING:
    from handlers.router import Assistant

log = logging.getLogger(__name__)


async def answer(assistant: "Assistant", msg: Incoming, send: Callable[[list[Reply]], Awaitable[Result]],
                 platform: str) -> None:
    """Handle the message and `send` the replies (the apology if handling failed). Logged by
    message id only: never the resident's words."""
    try:
        replies = await assistant.handle(msg)
    except Exception:
        log.exception("failed to handle %s message %s", platform, msg.message_id)
        replies = [assistant.error_reply(language_of(msg.language))]
    result = await send(replies)
    if result.outcome is not Outcome.SENT:
        log.warning("reply on %s not delivered: %s %s", platform, result.outcome.value, result.reason)
