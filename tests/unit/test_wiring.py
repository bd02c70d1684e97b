"""bot.connect() is the one place where channels, jobs and the assistant meet; the per-chat
lock every channel uses keeps one chat's messages in order."""
from __future__ import annotations

import asyncio
import io

from bot import connect
from channels.console import ConsoleChannel
from channels.ordered import PerChat


async def test_a_channel_is_a_sender_only_once_connected(assistant):
    console = ConsoleChannel(assistant, user="u1", out=io.StringIO())
    assert "console" not in assistant.senders  # building it registers nothing
    jobs = connect(assistant, [console])
    assert list(assistant.senders) == ["console"]
    assert assistant.ports.jobs is jobs and jobs.senders is assistant.senders


async def test_one_chat_in_order_others_alongside():
    turns, done = PerChat(), []
    release_a = asyncio.Event()

    async def work(chat: str, name: str, wait: asyncio.Event | None = None) -> None:
        async with turns.turn(chat):
            if wait:
                await wait.wait()
            done.append(name)

    tasks = [asyncio.create_task(work("a", "a1", release_a)), asyncio.create_task(work("a", "a2")),
             asyncio.create_task(work("b", "b1"))]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert done == ["b1"]  # b is not held up behind a's first message
    release_a.set()
    await asyncio.gather(*tasks)
    assert done == ["b1", "a1", "a2"]
    assert turns._turns == {}  # nothing kept once a chat is quiet
