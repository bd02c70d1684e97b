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
from bench.common import Row, machine, table

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


def report(rows: list[Row], took: float, quick: bool) -> str:
    return "\n".join([
        "# Benchmarks" + (" (quick)" if quick else ""), "",
        f"Machine: {machine()}. Whole run: {took:.0f} s. `make bench` (`python -m bench.run`) writes this file.", "",
        table(rows), "",
        "Answers: closed loop, latency from the update's availability to getUpdates to the answer's last message "
        "at the Bot API stand-in (tests/botapi_stub.py, on loopback, in the benchmark's process; each bot in its "
        "own process). The bot's outbox is not paced there: Telegram's own limit (30 messages/s) is a separate "
        "ceiling. Fan-out: the stand-in enforces the limit; 5 residents who are not subscribers take turns to ask, "
        "one question every 0.5 s.", "",
        CHANGES.read_text(encoding="utf-8") if CHANGES.exists() and not quick else ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny version (seconds), writes no file")
    parser.add_argument("--only", nargs="+", choices=list(BENCHMARKS), help="run only these")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    started = time.monotonic()
    rows = asyncio.run(run_all(args.quick, args.only))
    text = report(rows, time.monotonic() - started, args.quick)
    print(text)
    if not args.quick and not args.only:
        RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
