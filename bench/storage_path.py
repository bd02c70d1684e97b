"""Storage on the hot path: µs of CPU per message through `Assistant.handle` (console channel),
for a question answered from memory, a pledge dialog step and a pledge confirmation; and a
dialog step when traffic is so low that each is written in a transaction of its own.

    .venv/bin/python -m bench.storage_path [--residents 300] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

Each kind is timed as one phase over many residents (time.process_time, all threads), from
its first message to the moment everything it wrote is committed, so work left to a
background writer is counted too. Between messages the loop yields once, as a server does.
"""
from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

from content.loader import load_week
from core.clock import Clock
from handlers.router import Assistant
from handlers.types import Incoming
from storage.db import Storage

NOW = "2023-10-03T09:00:00+07:00"


async def run(url: str, residents: int) -> dict[str, float]:
    storage = Storage(url)
    await storage.start()
    assistant = Assistant(load_week(), storage, Clock(datetime.fromisoformat(NOW)))
    n = 0

    async def say(user: int, text: str = "", payload: str | None = None) -> list:
        nonlocal n
        n += 1
        return await assistant.handle(Incoming("console", str(user), f"Cư dân {user}", "vi", text=text or None,
                                               payload=payload, message_id=f"m{n}"))

    async def settled() -> None:
        writer = getattr(storage, "dialogs", None)  # the write-behind writer, where there is one
        if writer is not None:
            await writer.flush()

    async def phase(step, alone: bool = False) -> float:
        started = time.process_time()
        for user in range(residents):
            await step(user)
            await asyncio.sleep(0)
            if alone:  # low traffic: each step is written before the next message comes
                await settled()
        await settled()
        return (time.process_time() - started) / residents * 1e6

    async def question(user: int) -> None:
        assert "khai mạc" in (await say(user, "khai mạc ở đâu"))[0].text.lower()

    async def amount(user: int) -> None:
        assert (await say(user, "500k"))[0].topic == "pledge_name"

    async def anonymous(user: int) -> None:
        assert (await say(user, payload="pledge:anonymous"))[0].topic == "pledge_phone"

    async def skip_phone(user: int) -> None:
        assert (await say(user, payload="pledge:skip_phone"))[0].topic == "pledge_confirm"

    async def confirm(user: int) -> None:
        assert (await say(user, "xác nhận"))[0].topic == "pledge_done"

    try:
        for user in range(residents):  # first contact: the resident's row and the cached chat
            await say(user, "/start")
        await settled()
        figures = {"question": await phase(question)}
        await phase(lambda user: say(user, "/ungho"))
        writer = getattr(storage, "dialogs", None)
        before = (writer.steps, writer.groups) if writer else (0, 0)
        figures["dialog step"] = (await phase(amount) + await phase(anonymous) + await phase(skip_phone)) / 3
        if writer is not None:
            steps, groups = writer.steps - before[0], writer.groups - before[1]
            print(f"dialog steps: {steps / groups:.1f} written a transaction on average")
        figures["pledge confirm"] = await phase(confirm)
        figures["step, low traffic"] = await phase(lambda user: say(user, "/ungho"), alone=True)
        return figures
    finally:
        await storage.close()


@asynccontextmanager
async def database(postgres: str | None):
    """A new SQLite file, or a new PostgreSQL database of its own name on that server (dropped after)."""
    if not postgres:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        return
    import asyncpg

    name = f"storage_path_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield postgres.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1) + "/" + name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def measure(postgres: str | None, residents: int) -> dict[str, float]:
    async with database(postgres) as url:
        return await run(url, residents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=300)
    parser.add_argument("--postgres", metavar="SERVER_URL", help="measure on PostgreSQL (default: SQLite)")
    args = parser.parse_args()
    figures = asyncio.run(measure(args.postgres, args.residents))
    for kind, micros in figures.items():
        print(f"{kind:>15}: {micros:7.0f} µs CPU per message")


if __name__ == "__main__":
    main()
