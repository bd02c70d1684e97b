"""1. Answering residents: the real bot, a bare PTB bot sending exactly the bot's answers
(same-payload echo), a bare echo bot, and the bot's channel alone, under the same closed-loop load.

Each resident sends its next message when the last message of the answer to the previous one
has reached the stand-in; the stand-in and the residents run in a process of their own
(bench.loadgen), whose CPU is reported. Latency runs from the update's availability to
getUpdates to the arrival of that last message. The real bot's outbox is not paced here (the
stand-in has no limit): the figure is what the bot can do, Telegram's 30 messages/s is a
separate ceiling.
"""
from __future__ import annotations

import asyncio
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.common import BotProcess, CpuWindow, LoadProcess, Row, load_average, median, row, sqlite_url

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


# The kinds of bot, in the order each repetition runs them (interleaved: all see the same machine).
KINDS = {"real": "Bot", "same": "Same-payload echo", "echo": "Echo", "replay": "Bot's channel alone"}
# A run is not a fair measure of the bot when the stand-in and residents were near a whole core
# (they, not the bot, set the pace) or when other processes took a share of the cores.
LOADGEN_LIMIT = 0.85  # cores
OTHERS_LIMIT = 0.25 * (os.cpu_count() or 1)  # cores


def script(i: int) -> list[str]:
    """Resident i's 20 messages: the blocks rotated, so residents are not all at the same step."""
    k = i % len(BLOCKS)
    return [step for block in BLOCKS[k:] + BLOCKS[:k] for step in block]


async def run_once(kind: str, residents: int, folder: Path, delay: float = 0.0, record: Path | None = None,
                   answers: Path | None = None) -> dict:
    """One closed-loop run against a fresh stand-in process: the load generator's result, plus
    CPU per answer of the bot and of the load generator, and what other processes used."""
    db = folder / f"{kind}-{time.monotonic_ns()}.db"
    async with LoadProcess(delay=delay, log=db.with_suffix(".load.log")) as load:
        bot = BotProcess(load, kind, db=sqlite_url(db), log=db.with_suffix(".log"), answers=answers)
        async with bot:
            window = CpuWindow(bot=bot.pid, load=load.pid)
            result = await load.closed_loop(residents, TIMEOUT, record)
            cpu = window.end()
    answered = max(result["answered"], 1)
    result.update(errors=bot.errors_logged(), cpu_ms=1000 * cpu["bot"] / answered,
                  load_cpu_ms=1000 * cpu["load"] / answered, load_cores=cpu["load"] / cpu["seconds"],
                  others_cores=cpu["others"] / cpu["seconds"])
    result["unfair"] = result["load_cores"] >= LOADGEN_LIMIT or result["others_cores"] >= OTHERS_LIMIT
    if kind == "real":
        with sqlite3.connect(db) as conn:
            result["pledges"] = conn.execute("SELECT count(*) FROM pledges").fetchone()[0]
    return result


def spread(values: list[float], fmt: str = "{:.0f}") -> str:
    """median (min–max)"""
    if not values:
        return "n/a"
    low, high = fmt.format(min(values)), fmt.format(max(values))
    return fmt.format(median(values)) + ("" if low == high else f" ({low}–{high})")


def ratio_row(figure: str, key: str, runs: dict[str, list[dict]], num: str, den: str, target: str = "—",
              ok=None) -> Row:
    """num / den per repetition, over the repetitions where both runs were fair: median and
    spread. With none fair, the table says why instead of a ratio."""
    pairs = list(zip(runs[num], runs[den]))
    ratios = [a["rps"] / b["rps"] for a, b in pairs if b["rps"]]
    fair = [a["rps"] / b["rps"] for a, b in pairs if b["rps"] and not a["unfair"] and not b["unfair"]]
    if fair:
        value = median(fair)
        return Row(BENCH, figure, key, value, f"{spread(fair, '{:.2f}')}, {len(fair)} of {len(pairs)} runs fair",
                   target, None if ok is None else bool(ok(value)))
    return Row(BENCH, figure, key, median(ratios) if ratios else None,
               f"not measured fairly ({why_unfair([r for pair in pairs for r in pair])})", target)


def why_unfair(runs: list[dict]) -> str:
    loaded = [r["load_cores"] for r in runs if r["load_cores"] >= LOADGEN_LIMIT]
    busy = [r["others_cores"] for r in runs if r["others_cores"] >= OTHERS_LIMIT]
    reasons = [f"the stand-in at up to {max(loaded):.2f} core"] if loaded else []
    return "; ".join(reasons + ([f"other processes used {spread(busy, '{:.1f}')} cores"] if busy else []))


async def run(quick: bool = False) -> list:
    residents, repeats = (5, 1) if quick else (200, 3)
    runs: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="bench-answering-") as tmp:
        folder = Path(tmp)
        answers = folder / "answers.json"
        # A short run of the bot records its answers for the same-payload echo (every resident says all 20 things).
        recording = await run_once("real", min(residents, len(BLOCKS)), folder, record=answers)
        for _ in range(repeats):
            if quick:  # all at once: the figures do not matter, the time does
                results = await asyncio.gather(*(run_once(k, residents, folder, answers=answers) for k in KINDS))
            else:
                results = [await run_once(k, residents, folder, answers=answers) for k in KINDS]
            for kind, result in zip(KINDS, results):
                runs[kind].append(result)
        distant = None if quick else await run_once("real", RTT_RESIDENTS, folder, delay=RTT)
    load_after = load_average()
    every = [recording] + [r for rs in runs.values() for r in rs] + ([distant] if distant else [])

    def each(kind: str, key: str) -> list[float]:
        return [r[key] for r in runs[kind]]

    def med(kind: str, key: str) -> float:
        return median(each(kind, key))

    cpu_ratios = [s["cpu_ms"] / r["cpu_ms"] for r, s in zip(runs["real"], runs["same"]) if r["cpu_ms"]]
    own = [r["cpu_ms"] - c["cpu_ms"] for r, c in zip(runs["real"], runs["replay"])]
    rows = [
        ratio_row(f"**Bot / same-payload echo**, answers/s (the bot against bare PTB sending the same messages; "
                  f"median (min–max) of {repeats}, "
                  f"load average {load_before:.1f} → {load_after:.1f})", "answering.same_ratio", runs, "real", "same",
                  "≥ 0.80", lambda v: v >= 0.8),
        Row(BENCH, "CPU per answer, same-payload echo / bot (what the throughput ratio would be were both bound by "
                   "the CPU alone; other processes sway it far less than answers/s)", "answering.same_cpu_ratio",
            median(cpu_ratios), spread(cpu_ratios, "{:.2f}")),
        ratio_row("Bot / echo (one short message per answer, PTB's defaults)", "answering.ratio", runs, "real", "echo"),
        ratio_row("Bot's channel alone (each distinct answer computed once, then replayed through the channel) "
                  "/ same-payload echo", "answering.replay_ratio", runs, "replay", "same"),
    ]
    for kind, key in (("real", "rps"), ("same", "same_rps"), ("echo", "echo_rps"), ("replay", "replay_rps")):
        what = f" ({residents} residents × 20 messages, closed loop)" if kind == "real" else ""
        rows.append(Row(BENCH, f"{KINDS[kind]} answers/s{what}", f"answering.{key}", med(kind, "rps"),
                        spread(each(kind, "rps"))))
    for kind in ("real", "same", "echo"):
        p50, p95, p99 = (1000 * med(kind, p) for p in ("p50", "p95", "p99"))
        rows.append(row(BENCH, f"{KINDS[kind]} latency p50 / p95 / p99 (ms)", f"answering.{kind}_p95_ms", p95,
                        f"{p50:.0f} / {{:.0f}} / {p99:.0f}"))
    rows += [
        row(BENCH, "CPU per answer (ms), bot / same-payload echo / echo / channel alone", "answering.cpu_ms",
            med("real", "cpu_ms"), "{:.2f} / " + " / ".join(f"{med(k, 'cpu_ms'):.2f}" for k in ("same", "echo", "replay"))),
        row(BENCH, "The bot's own work: CPU per answer of the bot minus its channel alone (ms: the conversation "
                   "and its storage)", "answering.own_cpu_ms",
            median(own), spread(own, "{:.2f}")),
        row(BENCH, "Stand-in and residents (own process): CPU per answer (ms), busiest share of a core",
            "answering.load_cpu_ms", median([r["load_cpu_ms"] for r in every]),
            f"{{:.2f}}, up to {max(r['load_cores'] for r in every):.2f} core (unfair at ≥ {LOADGEN_LIMIT})"),
        row(BENCH, f"Other processes' CPU during the runs (cores of {os.cpu_count()})", "answering.others_cores",
            median([r["others_cores"] for r in every]), spread([r["others_cores"] for r in every], "{:.2f}")
            + f" (unfair at ≥ {OTHERS_LIMIT:.1f})"),
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
