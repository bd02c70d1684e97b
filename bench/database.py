"""4. Storage: confirmed pledges per second (SQLite, PostgreSQL), start-up time to the first
answer, and the bot's memory with many residents in the database."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select

from bench.common import ROOT, median, note, pct, postgres_database, process_cpu_s, row, rss_kb, seed_residents, sqlite_url
from content.loader import load_week
from core.clock import Clock
from handlers.router import Assistant
from handlers.types import Incoming
from storage.db import Storage
from storage.models import Pledge

BENCH = "4. Storage"
NOW = "2023-10-03T09:00:00+07:00"
DIALOG = ["/ungho 500k", "button:pledge:name", "button:pledge:skip_phone"]  # then pledge:confirm, timed
CONCURRENCY = 20


async def pledges_per_second(url: str, residents: int, rounds: int) -> dict:
    """Drive the pledge dialog in-process up to the confirmation for residents × 2 × rounds;
    time the confirmations: each round `residents` one after another, then `residents`
    CONCURRENCY at a time. Medians over the rounds."""
    storage = Storage(url)
    await storage.start()
    assistant = Assistant(load_week(), storage, Clock(datetime.fromisoformat(NOW)))
    n = 0

    async def say(user: int, step: str) -> list:
        nonlocal n
        n += 1
        kw = {"payload": step.removeprefix("button:")} if step.startswith("button:") else {"text": step}
        return await assistant.handle(Incoming("telegram", str(user), f"Cư dân {user}", "vi",
                                               message_id=f"m{n}", **kw))

    async def confirm(user: int) -> float:
        started = time.perf_counter()
        replies = await say(user, "button:pledge:confirm")
        assert replies[0].topic == "pledge_done", replies[0].topic
        return time.perf_counter() - started

    gate = asyncio.Semaphore(CONCURRENCY)

    async def gated(user: int) -> float:
        async with gate:
            return await confirm(user)

    results: dict[str, list[float]] = {"seq": [], "conc": [], "seq_p95": [], "conc_p95": []}
    try:
        for user in range(2 * residents * rounds):
            for step in DIALOG:
                await say(user, step)
        for r in range(rounds):
            first = 2 * residents * r
            for kind, users in (("seq", range(first, first + residents)),
                                ("conc", range(first + residents, first + 2 * residents))):
                started = time.perf_counter()
                if kind == "seq":
                    times = [await confirm(u) for u in users]
                else:
                    times = await asyncio.gather(*(gated(u) for u in users))
                results[kind].append(residents / (time.perf_counter() - started))
                results[f"{kind}_p95"].append(pct(list(times), 95) * 1000)
        async with storage.session() as s:
            recorded = (await s.execute(select(func.count()).select_from(Pledge))).scalar_one()
    finally:
        await storage.close()
    return {**{k: median(v) for k, v in results.items()}, "recorded": recorded}


def console(db: Path, now: str) -> subprocess.Popen:
    env = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": sqlite_url(db), "LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "bot.py", "console", "--json", "--now", now], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def answered(proc: subprocess.Popen, lines: list[str], last: int) -> None:
    """Type the lines; return when the answer to input number `last` has appeared."""
    proc.stdin.write("".join(line + "\n" for line in lines))
    proc.stdin.flush()
    while (line := proc.stdout.readline()) and json.loads(line)["input"] < last:
        pass
    if not line:
        raise RuntimeError("bot.py console ended before answering")


def finish(proc: subprocess.Popen) -> None:
    proc.stdin.close()
    proc.wait(timeout=30)


BEFORE_REMINDER = "2023-10-03T06:00:00+07:00"
LINES = ["/start", "/lich", "khai mạc ở đâu", "/ungho", "500k", "/huy", "/nhacnho"]


def start_and_answer(db: Path) -> tuple[float, dict[str, int], float]:
    """`bot.py console --json`: seconds from spawning it to the answer to /start, its memory once
    it has answered a few more messages, and the CPU seconds it took to the first answer (which,
    unlike the wall time, other processes on the machine do not lengthen)."""
    started = time.perf_counter()
    proc = console(db, BEFORE_REMINDER)
    try:
        answered(proc, LINES[:1], 1)
        took, cpu = time.perf_counter() - started, process_cpu_s(proc.pid)
        answered(proc, LINES[1:], len(LINES))
        return took, rss_kb(proc.pid), cpu
    finally:
        finish(proc)


async def run(quick: bool = False) -> list:
    residents, rounds, starts, population = (10, 1, 1, 2_000) if quick else (100, 3, 5, 100_000)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp:
        folder = Path(tmp)
        for name in ("SQLite", "PostgreSQL"):
            async with (postgres_database() if name == "PostgreSQL"
                        else nullcontext((sqlite_url(folder / "pledges.db"), ""))) as (url, why):
                if url is None:
                    rows.append(note(BENCH, f"Confirmed pledges/s, {name}", "storage.pg", f"skipped: {why}"))
                    continue
                r = await pledges_per_second(url, residents, rounds)
            key, total = name.lower(), 2 * residents * rounds
            for kind, how in (("seq", "one at a time"), ("conc", f"{CONCURRENCY} at a time")):
                rows.append(row(BENCH, f"Confirmed pledges/s, {name}, {how} (p95 {r[kind + '_p95']:.0f} ms, "
                                       f"median of {rounds})", f"storage.{key}_{kind}", r[kind], "{:.0f}"))
            rows.append(row(BENCH, f"Pledges recorded, {name}", f"storage.{key}_recorded", r["recorded"],
                            f"{{}} of {total}", f"{total}", lambda v, total=total: v == total))
        runs = [start_and_answer(folder / f"fresh-{i}.db") for i in range(starts)]
        await seed_residents(sqlite_url(folder / "many.db"), population, 1_000_000, datetime.fromisoformat(NOW),
                             subscribed=lambda i: i % 2 == 0)  # half of them subscribed
        _, full, _ = start_and_answer(folder / "many.db")
    empty = runs[-1][1]
    rows += [
        row(BENCH, f"Start-up to the first answer, bot.py console, fresh database: wall (CPU), median of {starts}",
            "storage.startup_s", median([t for t, _, _ in runs]), f"{{:.2f}} s ({median([c for _, _, c in runs]):.2f} s)"),
        row(BENCH, "Memory (VmRSS) of bot.py console after a few answers, empty database", "storage.rss_empty_mb",
            empty["VmRSS"] / 1024, "{:.1f} MB"),
        row(BENCH, f"Memory (VmRSS), the same with {population:,} residents", "storage.rss_full_mb",
            full["VmRSS"] / 1024, f"{{:.1f}} MB ({(full['VmRSS'] - empty['VmRSS']) / 1024:+.1f} MB)"),
    ]
    return rows
