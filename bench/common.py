"""Shared by the benchmarks: results rows, statistics, the Bot API stand-in, the bot process,
seeding residents, and the machine line."""
from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the one Bot API stand-in, shared with the tests

from botapi_stub import SEND_METHODS, BotApiStub  # noqa: E402

from storage.db import Storage  # noqa: E402
from storage.models import Resident  # noqa: E402

# Extra form field the benchmark bots put on the last message of each answer (see bench.botproc).
LAST = "bench_last"
IN_WEEK = "2023-10-03T09:00:00+07:00"  # a Tuesday of the 2023 week, after the 07:00 reminder


@dataclass
class Row:
    """One figure of the results table. `key` and `value` are for code (the smoke test)."""

    bench: str
    figure: str
    key: str
    value: float | int | None
    shown: str
    target: str = "—"
    met: bool | None = None


def row(bench: str, figure: str, key: str, value, fmt: str = "{:.1f}", target: str = "—",
        ok=None) -> Row:
    """A row; `ok` is a predicate on the value (None: no target)."""
    shown = "n/a" if value is None else fmt.format(value)
    met = None if ok is None or value is None else bool(ok(value))
    return Row(bench, figure, key, value, shown, target, met)


def note(bench: str, figure: str, key: str, text: str) -> Row:
    return Row(bench, figure, key, None, text)


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (linear interpolation); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")


def table(rows: list[Row]) -> str:
    lines = ["| Benchmark | Figure | Value | Target | Met |", "|---|---|---|---|---|"]
    for r in rows:
        met = "—" if r.met is None else ("yes" if r.met else "**NO**")
        lines.append(f"| {r.bench} | {r.figure} | {r.shown} | {r.target} | {met} |")
    return "\n".join(lines)


def rss_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a live process, in kB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(rest.split()[0])
    return found


# ---------------------------------------------------------------------------- the stand-in

@dataclass
class Stub(BotApiStub):
    """The tests' Bot API stand-in, which also tells the benchmark when a chat receives the
    last message of an answer (marked by the bot with LAST). With `delay`, sends and callback
    answers are answered that many seconds late, as by a distant server."""

    delay: float = 0.0

    def __post_init__(self) -> None:
        super().__post_init__()
        self._waiting: dict[int, asyncio.Future] = {}

    def _sent(self, call, result):
        if call.params.get(LAST):
            waiter = self._waiting.pop(call.chat_id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(call.at)
        return self._late(result) if self.delay else result

    async def _late(self, result):
        await asyncio.sleep(self.delay)
        return result

    def _send_message(self, call):
        return self._sent(call, super()._send_message(call))

    def _send_photo(self, call):
        return self._sent(call, super()._send_photo(call))

    def _send_document(self, call):
        return self._sent(call, super()._send_document(call))

    def _answer_callback_query(self, call):
        return self._sent(call, super()._answer_callback_query(call))

    async def ask(self, chat: int, step: str, timeout: float = 30.0, name: str = "Lan") -> float:
        """A resident sends `step` (text, or "button:<data>" to press the latest keyboard's
        button); returns seconds from the update's availability to the answer's last message."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiting[chat] = waiter
        pushed = time.monotonic()
        if step.startswith("button:"):
            self.press_button(chat, step.removeprefix("button:"), first_name=name)
        else:
            self.send_text(chat, step, first_name=name)
        try:
            return await asyncio.wait_for(waiter, timeout) - pushed
        finally:
            self._waiting.pop(chat, None)

    def sends(self) -> list:
        return [c for c in self.calls if c.method in SEND_METHODS and c.ok]


# ---------------------------------------------------------------------------- the bot process

class BotProcess:
    """`python -m bench.botproc` against a stand-in: a real or an echo bot in its own process,
    so that the stand-in and the simulated residents do not share its CPU. One JSON object a
    line on its standard output; closing its standard input stops it."""

    def __init__(self, stub: Stub, kind: str, db: str | None = None, now: str = IN_WEEK, rate: float | None = None,
                 fanout: str | None = None, log: Path | None = None) -> None:
        self.args = ["--kind", kind, "--url", stub.url, "--token", stub.token, "--now", now]
        for flag, value in (("--db", db), ("--rate", rate), ("--fanout", fanout)):
            if value is not None:
                self.args += [flag, str(value)]
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None
        self.ready: dict = {}
        self.stats: dict = {}

    async def __aenter__(self) -> "BotProcess":
        err = self.log.open("wb") if self.log else asyncio.subprocess.DEVNULL
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.botproc", *self.args, cwd=ROOT, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=err)
        if self.log:
            err.close()
        self.ready = await self.line(timeout=60)
        assert self.ready.get("ready"), self.ready
        return self

    async def line(self, timeout: float) -> dict:
        raw = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if not raw:
            raise RuntimeError(f"bot process ended (see {self.log})")
        return json.loads(raw)

    async def __aexit__(self, *exc) -> None:
        self.proc.stdin.close()
        try:
            while True:  # the last line is the process's statistics
                self.stats = await self.line(timeout=30)
        except (RuntimeError, asyncio.TimeoutError):
            pass
        if self.proc.returncode is None:
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()

    def cpu_s(self) -> float:
        """CPU seconds the bot used after it was ready (until it stopped)."""
        return self.stats.get("cpu_s", 0.0) - self.ready.get("cpu_s", 0.0)

    def errors_logged(self) -> int:
        """ERROR lines and tracebacks in the bot's log."""
        if not self.log or not self.log.exists():
            return 0
        text = self.log.read_text(errors="replace")
        return sum(" ERROR " in line or line.startswith("Traceback") for line in text.splitlines())


# ---------------------------------------------------------------------------- databases

def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def seed_residents(url: str, count: int, first_id: int, now: datetime, subscribed=True,
                         batch: int = 10_000) -> None:
    """A migrated database with `count` Telegram residents (chat ids from first_id)."""
    storage = Storage(url)
    await storage.start()
    try:
        for start in range(0, count, batch):
            rows = [dict(channel="telegram", external_id=str(first_id + i), name=f"Cư dân {i}", language="vi",
                         subscribed=subscribed(i) if callable(subscribed) else subscribed,
                         subscribed_at=now, first_seen=now, last_seen=now)
                    for i in range(start, min(start + batch, count))]
            async with storage.session() as s, s.begin():
                await s.execute(insert(Resident), rows)
    finally:
        await storage.close()


POSTGRES_ADMIN = os.environ.get("BENCH_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
POSTGRES_DB = "bench"


async def postgres_url() -> tuple[str | None, str]:
    """A fresh, empty `bench` database (created when missing): (URL, "") or (None, why not)."""
    try:
        import asyncpg

        admin = await asyncio.wait_for(asyncpg.connect(POSTGRES_ADMIN), 5)
        try:
            if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", POSTGRES_DB):
                await admin.execute(f"CREATE DATABASE {POSTGRES_DB}")
        finally:
            await admin.close()
        url = POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + POSTGRES_DB
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()
        return url.replace("postgresql://", "postgresql+asyncpg://", 1), ""
    except Exception as exc:  # not reachable, no rights...: the benchmark says so and goes on
        return None, f"{exc.__class__.__name__}: {exc}"[:120]
