"""The real Telegram channel against the Bot API stand-in, for the channel tests."""
from contextlib import asynccontextmanager

from botapi_stub import BotApiStub
from channels.outbox import Outbox
from channels.telegram import TelegramChannel


@asynccontextmanager
async def started(assistant, stub: BotApiStub, outbox: Outbox | None = None, **channel_options):
    """The channel polling `stub`, the assistant's sender for Telegram (paced loosely unless
    given an outbox: pacing has its own tests)."""
    channel = TelegramChannel(assistant, stub.token, stub.url,
                              outbox=outbox or Outbox(rate=1000, per_chat=100, burst=10), **channel_options)
    assistant.senders.add(channel.name, channel.deliver)
    await channel.start()
    try:
        yield channel
    finally:
        await channel.stop()


@asynccontextmanager
async def running(assistant, stub: BotApiStub | None = None, **channel_options):
    """The stand-in (a new one unless given), and the bot polling it."""
    async with stub or BotApiStub() as stub, started(assistant, stub, **channel_options):
        yield stub


def keyboard_data(call) -> list[str]:
    """The callback data of the inline buttons a send carried."""
    markup = call.params.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]
