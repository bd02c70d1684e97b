"""The Bot API stand-in and the simulated residents, in a process of their own, so that they
neither share the benchmark's process nor hide their own CPU (bench.common.LoadProcess runs it).

    python -m bench.loadgen [--delay SECONDS]

Prints {"url": ..., "token": ...} once the stand-in listens. Then, for each line on standard
input, {"residents": N, "timeout": S, "record": PATH or null}, it runs the closed loop and prints
its result; with "record", it also writes what the bot sent for each thing said (see
write_answers) for the same-payload echo bot. Standard input closed: it stops.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
import time
from pathlib import Path

from bench.answering import FIRST_CHAT, script
from bench.common import LAST, Stub, pct


async def closed_loop(stub: Stub, residents: int, timeout: float) -> dict:
    """Each resident sends its next message when the last message of the answer to the previous
    one has reached the stand-in."""
    latencies: list[float] = []
    unanswered = 0

    async def resident(i: int) -> None:
        nonlocal unanswered
        steps = script(i)
        for n, step in enumerate(steps):
            try:
                latencies.append(await stub.ask(FIRST_CHAT + i, step, timeout, name=f"Cư dân {i}"))
            except asyncio.TimeoutError:
                unanswered += len(steps) - n  # the rest of this resident's conversation is moot
                return

    start = time.monotonic()
    await asyncio.gather(*(resident(i) for i in range(residents)))
    elapsed = time.monotonic() - start
    return {"answered": len(latencies), "unanswered": unanswered, "rps": len(latencies) / elapsed,
            "seconds": elapsed, "p50": pct(latencies, 50), "p95": pct(latencies, 95), "p99": pct(latencies, 99)}


def write_answers(answers: dict[str, list], path: Path) -> None:
    """{what was said: [{method, params, files}]}: each Bot API send of its answer, as the bot
    made it, without the chat and the benchmark's mark; uploaded files in base64."""
    out = {}
    for said, calls in answers.items():
        out[said] = [{"method": c.method,
                      "params": {k: v for k, v in c.params.items() if k not in ("chat_id", LAST)},
                      "files": {field: [name, base64.b64encode(data).decode()]
                                for field, (name, data) in c.files.items()}}
                     for c in calls]
    path.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")


async def serve(delay: float) -> None:
    async with Stub(delay=delay) as stub:
        print(json.dumps({"url": stub.url, "token": stub.token}), flush=True)
        loop = asyncio.get_running_loop()
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            order = json.loads(line)
            if order.get("record"):
                stub.record()
            result = await closed_loop(stub, order["residents"], order["timeout"])
            if order.get("record"):
                write_answers(stub.answers, Path(order["record"]))
                stub.answers = None
            print(json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.0, help="seconds each send is answered late")
    asyncio.run(serve(parser.parse_args().delay))


if __name__ == "__main__":
    main()
