"""1. Answering residents: the real bot and a bare echo bot under the same closed-loop load.

Each resident sends its next message when the last message of the answer to the previous one
has reached the stand-in. Latency runs from the update's availability to getUpdates to the
arrival of that last message. The real bot's outbox is not paced here (the stand-in has no
limit): the figure is what the bot can do, Telegram's 30 messages/s is a separate ceiling.
"""
from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.common import BotProcess, Stub, median, pct, row, sqlite_url

BENCH = "1. Answering"
FIRST_CHAT = 100_000
TIMEOUT = 30.0
# Telegram is not on loopback: one extra run where sends and button answers take this long.
RTT, RTT_RESIDENTS = 0.05, 10
# What residents say, in blocks (the pledge is one: it must run in order, to the end).
BLOCKS = [["/start"], ["/lich"], ["hôm nay có gì"], ["ngày mai"], ["chu de nam nay la j"], ["khai mạc ở đâu"],
          ["quỹ khuyến học được bao nhiêu rồi"], ["may h khai mac vay ad"], ["giá vàng hôm nay"],
          ["/ungho", "500k", "button:pledge:name", "button:pledge:skip_phone", "button:pledge:confirm"],
          ["ai tổ chức"], ["lam sao de ung ho quy"], ["thứ 5 có gì"], ["co mat phi ko"], ["cam on ad"],
          ["/homnay"]]  # 20 messages


def script(i: int) -> list[str]:
    """Resident i's 20 messages: the blocks rotated, so residents are not all at the same step."""
    k = i % len(BLOCKS)
    return [step for block in BLOCKS[k:] + BLOCKS[:k] for step in block]


async def closed_loop(stub: Stub, residents: int) -> dict:
    latencies: list[float] = []
    unanswered = 0

    async def resident(i: int) -> None:
        nonlocal unanswered
        steps = script(i)
        for n, step in enumerate(steps):
            try:
                latencies.append(await stub.ask(FIRST_CHAT + i, step, TIMEOUT, name=f"Cư dân {i}"))
            except asyncio.TimeoutError:
                unanswered += len(steps) - n  # the rest of this resident's conversation is moot
                return

    start = time.monotonic()
    await asyncio.gather(*(resident(i) for i in range(residents)))
    elapsed = time.monotonic() - start
    return {"answered": len(latencies), "unanswered": unanswered, "rps": len(latencies) / elapsed,
            "p50": pct(latencies, 50), "p95": pct(latencies, 95), "p99": pct(latencies, 99)}


async def run_once(kind: str, residents: int, folder: Path, delay: float = 0.0) -> dict:
    db = folder / f"{kind}-{time.monotonic_ns()}.db"
    async with Stub(delay=delay) as stub:
        bot = BotProcess(stub, kind, db=sqlite_url(db), log=db.with_suffix(".log"))
        async with bot:
            result = await closed_loop(stub, residents)
    result["errors"] = bot.errors_logged()
    result["cpu_ms"] = 1000 * bot.cpu_s() / max(result["answered"], 1)
    if kind == "real":
        with sqlite3.connect(db) as conn:
            result["pledges"] = conn.execute("SELECT count(*) FROM pledges").fetchone()[0]
    return result


async def run(quick: bool = False) -> list:
    residents, repeats = (5, 1) if quick else (200, 3)
    runs: dict[str, list[dict]] = {"echo": [], "real": [], "replay": []}
    with tempfile.TemporaryDirectory(prefix="bench-answering-") as tmp:
        if quick:  # both at once: the figures do not matter, the time does
            for kind, result in zip(runs, await asyncio.gather(*(run_once(k, residents, Path(tmp)) for k in runs))):
                runs[kind].append(result)
        for _ in range(0 if quick else repeats):  # alternated, so that both see the same machine
            for kind in runs:
                runs[kind].append(await run_once(kind, residents, Path(tmp)))
        distant = None if quick else await run_once("real", RTT_RESIDENTS, Path(tmp), delay=RTT)
    every = [r for rs in runs.values() for r in rs] + ([distant] if distant else [])

    def med(kind: str, key: str) -> float:
        return median([r[key] for r in runs[kind]])

    real, echo = med("real", "rps"), med("echo", "rps")
    rows = [
        row(BENCH, f"Bot answers/s ({residents} residents × 20 messages, closed loop, median of {repeats})",
            "answering.rps", real, "{:.0f}"),
        row(BENCH, "Echo bot answers/s (same load)", "answering.echo_rps", echo, "{:.0f}"),
        row(BENCH, "Throughput bot / echo", "answering.ratio", real / echo if echo else None, "{:.2f}", "≥ 0.70",
            lambda v: v >= 0.7),
    ]
    replay = med("replay", "rps")
    rows.append(row(BENCH, "Bot with its answers replayed (the channel alone: no conversation, no database) / echo",
                    "answering.replay_ratio", replay / echo if echo else None, f"{{:.2f}} ({replay:.0f}/s)"))
    for kind, name in (("real", "Bot"), ("echo", "Echo bot")):
        p50, p95, p99 = (1000 * med(kind, p) for p in ("p50", "p95", "p99"))
        rows.append(row(BENCH, f"{name} latency p50 / p95 / p99 (ms)", f"answering.{kind}_p95_ms", p95,
                        f"{p50:.0f} / {{:.0f}} / {p99:.0f}"))
    rows += [
        row(BENCH, "CPU per answer, bot / replayed / echo (ms)", "answering.cpu_ms", med("real", "cpu_ms"),
            f"{{:.2f}} / {med('replay', 'cpu_ms'):.2f} / {med('echo', 'cpu_ms'):.2f}"),
        row(BENCH, "Messages unanswered (all runs)", "answering.unanswered", sum(r["unanswered"] for r in every),
            "{}", "0", lambda v: v == 0),
        row(BENCH, "Errors logged by the bots (all runs)", "answering.errors", sum(r["errors"] for r in every),
            "{}", "0", lambda v: v == 0),
        row(BENCH, "Pledges recorded per run", "answering.pledges", min(r["pledges"] for r in runs["real"]),
            f"{{}} of {residents}", f"{residents}", lambda v: v == residents),
    ]
    if distant:
        rows.append(row(BENCH, f"Bot answers/s when each Bot API call takes {RTT * 1000:.0f} ms ({RTT_RESIDENTS} "
                               f"residents; p50 {distant['p50'] * 1000:.0f} ms)", "answering.distant_rps",
                        distant["rps"], "{:.0f}"))
    return rows
