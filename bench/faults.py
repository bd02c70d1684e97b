"""What a stop, a crash, an outage and several processes cost in messages: the real `bot.py`
processes against the Bot API stand-in enforcing a rate limit, a morning reminder to 1,000
subscribers in a SQLite file. The figures in README's Deploy section come from here.

    python -m bench.faults [--only stop crash outage share] [--subscribers 1000] [--limit 30]

Not part of `make bench` (each scenario takes a minute or so of real time).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from bench.common import ROOT, Stub, seed_residents, sqlite_url
from storage.db import Storage
from storage.models import Delivery, Resident

FIRST = 1_000_000
NOW = "2023-10-03T07:00:30+07:00"  # the reminder is due: each process sends it at start-up
KEY = "reminder:2023-10-03"


class Bot:
    """One `bot.py` process: `run` (polling) or, with a port, `serve` (webhook, as several
    processes behind one PUBLIC_URL would be: Telegram allows one poller per bot)."""

    def __init__(self, stub: Stub, db: str, rate: float, log: Path, port: int | None = None) -> None:
        self.env = {**os.environ, "TELEGRAM_BOT_TOKEN": stub.token, "TELEGRAM_BASE_URL": stub.url, "DATABASE_URL": db,
                    "TELEGRAM_RATE": str(rate), "ADMIN_IDS": "", "LOG_LEVEL": "INFO"}
        self.args = ["run", "--now", NOW]
        if port:
            self.env.update(PORT=str(port), PUBLIC_URL=f"http://127.0.0.1:{port}")
            self.args = ["serve", "--now", NOW]
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> "Bot":
        with self.log.open("ab") as err:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, str(ROOT / "bot.py"), *self.args, env=self.env, cwd=ROOT,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=err)
        return self

    async def stop(self, sig: int = signal.SIGTERM) -> tuple[int, float]:
        """(exit code, seconds it took to exit)."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        code = await asyncio.wait_for(self.proc.wait(), 60)
        return code, time.monotonic() - started


def chats(stub: Stub) -> Counter:
    return Counter(c.chat_id for c in stub.sends())


async def until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.2)
    return True


async def deliveries(db: str) -> dict[str, int]:
    storage = Storage(db)
    try:
        async with storage.session() as s:
            rows = await s.execute(select(Delivery.status, func.count()).where(Delivery.key == KEY)
                                   .group_by(Delivery.status))
            return dict(rows.all())
    finally:
        await storage.close()


async def claimed(db: str) -> list[int]:
    """Chat ids of the claims left open."""
    storage = Storage(db)
    try:
        async with storage.session() as s:
            rows = await s.execute(select(Resident.external_id).join(Delivery, Delivery.resident_id == Resident.id)
                                   .where(Delivery.status == "claimed"))
            return [int(r) for r in rows.scalars()]
    finally:
        await storage.close()


def tracebacks(log: Path) -> int:
    return sum(line.startswith("Traceback") for line in log.read_text(errors="replace").splitlines())


async def setup(tmp: Path, subscribers: int) -> str:
    db = sqlite_url(tmp / "bot.db")
    await seed_residents(db, subscribers, FIRST, datetime.fromisoformat(NOW))
    return db


async def stop_or_crash(tmp: Path, n: int, limit: int, sig: int) -> dict:
    db = await setup(tmp, n)
    log = tmp / "bot.log"
    async with Stub(rate_limit_per_s=limit) as stub:
        bot = await Bot(stub, db, limit * 0.95, log).start()
        await until(lambda: len(stub.sends()) >= n // 3, 120)
        code, took = await bot.stop(sig)
        crashed = time.monotonic()
        got = chats(stub)
        left = await claimed(db)
        after = await deliveries(db)
        second = await Bot(stub, db, limit * 0.95, log).start()
        reached = await until(lambda: len(chats(stub)) >= n - len(left), 120)  # the lease holds the rest back
        # The claims a crash left are sent by the recovery pass (every 30 s) once their lease ran out.
        all_in = await until(lambda: len(chats(stub)) >= n - after.get("failed", 0), 180) if left else True
        took_all = time.monotonic() - crashed
        await second.stop()
        per_chat = chats(stub)
    return {"exit code": code, "seconds to exit": round(took, 1), "sent before": len(got),
            "claims left": len(left), "of them already delivered (sent twice after the 90 s lease)":
            sum(1 for c in left if c in got), "recorded 'may have arrived'": after.get("failed", 0),
            "next start sent the rest at once": reached,
            "claims left sent, seconds after the stop": round(took_all) if left and all_in else None,
            "doubled": sum(v - 1 for v in per_chat.values()),
            "missing at the end": n - len(per_chat), "429": stub.count_429, "tracebacks": tracebacks(log)}


async def outage(tmp: Path, n: int, limit: int, after: int, down: float = 15.0) -> dict:
    """The Bot API unreachable for `down` seconds once `after` messages are sent."""
    db = await setup(tmp, n)
    log = tmp / "bot.log"
    async with Stub(rate_limit_per_s=limit) as stub:
        bot = await Bot(stub, db, limit * 0.95, log).start()
        await until(lambda: len(stub.sends()) >= after, 120)
        await stub.refuse_connections()
        await asyncio.sleep(down)
        during = await deliveries(db)
        await stub.accept_connections()
        back = time.monotonic()
        done = await until(lambda: len(chats(stub)) >= n - during.get("failed", 0), 150)
        took = time.monotonic() - back
        end = await deliveries(db)
        await bot.stop()
        per_chat = chats(stub)
    return {"outage (s)": down, "after sent": after, "waiting for a retry when it ended": during.get("retry", 0),
            "recorded 'may have arrived' (not resent)": end.get("failed", 0),
            "all others delivered": done, "seconds after the outage until then": round(took),
            "doubled": sum(v - 1 for v in per_chat.values()), "missing at the end": n - len(per_chat),
            "status at the end": end}


async def share(tmp: Path, n: int, limit: int, processes: int) -> dict:
    db = await setup(tmp, n)
    async with Stub(rate_limit_per_s=limit) as stub:
        bots = [await Bot(stub, db, limit * 0.95, tmp / f"bot{i}.log", port=8710 + i).start()
                for i in range(processes)]
        done = await until(lambda: len(chats(stub)) >= n, 180)
        sends = sorted(c.at for c in stub.sends())
        for bot in bots:
            await bot.stop()
        storage = Storage(db)
        async with storage.session() as s:
            by = dict((await s.execute(select(Delivery.claimed_by, func.count()).group_by(Delivery.claimed_by))).all())
        await storage.close()
    # The steady rate: the middle 80 % of the sends (start-up and the tail are not the point).
    lo, hi = sends[len(sends) // 10], sends[len(sends) * 9 // 10]
    return {"processes": processes, "all delivered": done, "429": stub.count_429,
            "messages/s (middle 80 %)": round(0.8 * len(sends) / (hi - lo), 1), "limit": limit,
            "per process": sorted(by.values()), "doubled": sum(v - 1 for v in chats(stub).values())}


async def main(only: list[str], n: int, limit: int) -> None:
    scenarios = {
        "stop": lambda tmp: stop_or_crash(tmp, n, limit, signal.SIGTERM),
        "crash": lambda tmp: stop_or_crash(tmp, n, limit, signal.SIGKILL),
        "outage-early": lambda tmp: outage(tmp, n, limit, n // 5),
        "outage-late": lambda tmp: outage(tmp, n, limit, n - n // 10),
        "share2": lambda tmp: share(tmp, n, limit, 2),
        "share3": lambda tmp: share(tmp, n, limit, 3),
    }
    for name, scenario in scenarios.items():
        if only and not any(name.startswith(o) for o in only):
            continue
        with tempfile.TemporaryDirectory(prefix=f"faults-{name}-") as tmp:
            started = time.monotonic()
            result = await scenario(Path(tmp))
            print(f"{name} ({time.monotonic() - started:.0f} s): {result}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=30, help="the stand-in's limit, messages/s")
    args = parser.parse_args()
    asyncio.run(main(args.only, args.subscribers, args.limit))
