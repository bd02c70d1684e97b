"""Benchmarks: how fast the bot answers, how close its fan-out gets to the sending limit, how
fast and how well it understands, what storage costs.

    python -m bench.run            everything (a few minutes); writes bench/results.md
    python -m bench.run --quick    a tiny version, for tests/e2e/test_bench_smoke.py; writes nothing
    python -m bench.run --only fanout understanding
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from pathlib import Path

from bench import answering, database, fanout, understanding
from bench.common import Row, load_average, machine, table

BENCHMARKS = {"answering": answering.run, "fanout": fanout.run, "understanding": understanding.run,
              "storage": database.run}
RESULTS = Path(__file__).with_name("results.md")
CHANGES = Path(__file__).with_name("changes.md")  # what each performance change bought, by hand


async def run_all(quick: bool = False, only: list[str] | None = None) -> list[Row]:
    rows: list[Row] = []
    for name, bench in BENCHMARKS.items():
        if not only or name in only:
            started = time.monotonic()
            rows += await bench(quick)
            print(f"{name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    return rows


def headline(rows: list[Row], load: tuple[float, float] | None = None) -> str:
    """The figure that says how the bot does: its throughput over the same-payload echo bot's."""
    found = {r.key: r for r in rows if r.key in ("answering.same_ratio", "answering.same_cpu_ratio")}
    if not found:
        return "Headline: n/a"
    ratio, cpu = found["answering.same_ratio"], found["answering.same_cpu_ratio"]
    text = (f"Headline: bot / same-payload echo {ratio.shown} (goal {ratio.target}); "
            f"CPU per answer, same-payload echo / bot {cpu.shown}")
    return text + (f"; machine load average (1 min) {load[0]:.1f} before, {load[1]:.1f} after" if load else "")


def report(rows: list[Row], took: float, quick: bool, load: tuple[float, float] | None = None) -> str:
    return "\n".join([
        "# Benchmarks" + (" (quick)" if quick else ""), "",
        f"Machine: {machine()}. Whole run: {took:.0f} s"
        + (f", load average (1 min) {load[0]:.1f} before and {load[1]:.1f} after" if load else "")
        + ". `make bench` (`python -m bench.run`) writes this file.", "",
        headline(rows) + ".", "",
        table(rows), "",
        "Answers: closed loop, latency from the update's availability to getUpdates to the answer's last message "
        "at the Bot API stand-in (tests/botapi_stub.py, on loopback). The stand-in and the simulated residents run "
        "in a process of their own (bench/loadgen.py), each bot in another; each repetition runs the bot, the "
        "same-payload echo, the echo and the channel alone in turn, and a ratio counts only the repetitions where "
        "neither run was unfair (the stand-in near a whole core, or other processes using a quarter of the "
        "machine's cores). The bot's outbox is not paced there: Telegram's own limit (30 messages/s) is a separate "
        "ceiling. Fan-out: the stand-in enforces the limit; 5 residents who are not subscribers take turns to ask, "
        "one question every 0.5 s; it runs twice, the second time beside two processes that only burn CPU "
        "(`while True: pass`), started by the benchmark.", "",
        CHANGES.read_text(encoding="utf-8") if CHANGES.exists() and not quick else ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny version (seconds), writes no file")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    started, load_before = time.monotonic(), load_average()
    rows = asyncio.run(run_all(args.quick, args.only))
    load = (load_before, load_average())
    text = report(rows, time.monotonic() - started, args.quick, load)
    print(text)
    if not args.quick and not args.only:
        RESULTS.write_text(text, encoding="utf-8")
    print(headline(rows, load), file=sys.stderr)  # last, where `make bench` leaves it on screen
    return 0


if __name__ == "__main__":
    sys.exit(main())
