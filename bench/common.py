"""Shared by the benchmarks: results rows, statistics, the Bot API stand-in, the bot process,
seeding residents, and the machine line."""
from __future__ import annotations

import asyncio
import json
import os
import platform
import secrets
import statistics
import sys
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the one Bot API stand-in, shared with the tests

from botapi_stub import SEND_METHODS, BotApiStub  # noqa: E402

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
        # With record(): what the bot sent for each thing a resident said (the first time it was said).
        self.answers: dict[str, list] | None = None
        self._answering: dict[int, list] = {}

    def record(self) -> None:
        self.answers = {}

    def _sent(self, call, result):
        if self.answers is not None and call.chat_id in self._answering:
            self._answering[call.chat_id].append(call)
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
        if self.answers is not None:
            self._answering[chat] = []
        pushed = time.monotonic()
        if step.startswith("button:"):
            self.press_button(chat, step.removeprefix("button:"), first_name=name)
        else:
            self.send_text(chat, step, first_name=name)
        try:
            done = await asyncio.wait_for(waiter, timeout)
            if self.answers is not None:
                self.answers.setdefault(step.removeprefix("button:"), self._answering[chat])
            return done - pushed
        finally:
            self._waiting.pop(chat, None)
            self._answering.pop(chat, None)

    def sends(self) -> list:
        return [c for c in self.calls if c.method in SEND_METHODS and c.ok]


# ---------------------------------------------------------------------------- processes

class JsonLinesProcess:
    """`python -m <module>` in its own process, talking one JSON object a line on its standard
    output; closing its standard input stops it."""

    module = ""
    root = ROOT  # the checkout it runs from (another one, to compare code side by side)

    def __init__(self, args: list[str], log: Path | None = None) -> None:
        self.args = args
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def spawn(self) -> dict:
        """Starts it; its first line."""
        err = self.log.open("wb") if self.log else asyncio.subprocess.DEVNULL
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", self.module, *self.args, cwd=self.root, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=err)
        if self.log:
            err.close()
        return await self.line(timeout=60)

    async def line(self, timeout: float) -> dict:
        raw = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        if not raw:
            raise RuntimeError(f"{self.module} ended" + (f" (see {self.log})" if self.log else ""))
        return json.loads(raw)

    async def tell(self, **order) -> None:
        self.proc.stdin.write(json.dumps(order).encode() + b"\n")
        await self.proc.stdin.drain()

    async def stop(self) -> dict:
        """Closes its standard input; its last line, if any."""
        self.proc.stdin.close()
        last: dict = {}
        try:
            while True:
                last = await self.line(timeout=30)
        except (RuntimeError, asyncio.TimeoutError):
            pass
        if self.proc.returncode is None:
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return last


class LoadProcess(JsonLinesProcess):
    """The Bot API stand-in and the simulated residents in their own process (bench.loadgen):
    `url` and `token` for the bot, `closed_loop()` to run the load."""

    module = "bench.loadgen"

    def __init__(self, delay: float = 0.0, log: Path | None = None) -> None:
        super().__init__(["--delay", str(delay)], log)
        self.url = self.token = ""

    async def __aenter__(self) -> "LoadProcess":
        hello = await self.spawn()
        self.url, self.token = hello["url"], hello["token"]
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    async def closed_loop(self, residents: int, timeout: float, record: Path | None = None) -> dict:
        """See bench.loadgen.closed_loop; with `record`, the bot's answers are written there."""
        await self.tell(residents=residents, timeout=timeout, record=str(record) if record else None)
        return await self.line(timeout=20 * timeout + 60)  # 20 messages a resident, in turn


class BotProcess(JsonLinesProcess):
    """`python -m bench.botproc` against a stand-in (anything with `url` and `token`: a Stub or
    a LoadProcess): a real or an echo bot in its own process, so that the stand-in and the
    simulated residents do not share its CPU."""

    module = "bench.botproc"

    def __init__(self, stub, kind: str, db: str | None = None, now: str = IN_WEEK, rate: float | None = None,
                 fanout: str | None = None, log: Path | None = None, answers: Path | None = None) -> None:
        args = ["--kind", kind, "--url", stub.url, "--token", stub.token, "--now", now]
        for flag, value in (("--db", db), ("--rate", rate), ("--fanout", fanout), ("--answers", answers)):
            if value is not None:
                args += [flag, str(value)]
        super().__init__(args, log)
        self.ready: dict = {}
        self.stats: dict = {}

    async def __aenter__(self) -> "BotProcess":
        self.ready = await self.spawn()
        assert self.ready.get("ready"), self.ready
        return self

    async def __aexit__(self, *exc) -> None:
        self.stats = await self.stop()  # the last line is the process's statistics

    def cpu_s(self) -> float:
        """CPU seconds the bot used after it was ready (until it stopped)."""
        return self.stats.get("cpu_s", 0.0) - self.ready.get("cpu_s", 0.0)

    def errors_logged(self) -> int:
        """ERROR lines and tracebacks in the bot's log."""
        if not self.log or not self.log.exists():
            return 0
        text = self.log.read_text(errors="replace")
        return sum(" ERROR " in line or line.startswith("Traceback") for line in text.splitlines())


# ---------------------------------------------------------------------------- CPU and load

TICK = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system, all threads) a live process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime: fields 14 and 15 of stat(5)


def machine_busy_s() -> float:
    """CPU seconds the whole machine has been busy (all cores; steal counts: another VM had it)."""
    user, nice, system, idle, iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / TICK


class CpuWindow:
    """CPU used between start and end by named processes, by this one, and by everything else
    on the machine (`others`): who else wanted the cores while a figure was measured."""

    def __init__(self, **pids: int) -> None:
        self.pids = {**pids, "self": os.getpid()}
        self.started = time.monotonic()
        self.machine = machine_busy_s()
        self.cpu = {name: process_cpu_s(pid) for name, pid in self.pids.items()}

    def end(self) -> dict[str, float]:
        """Seconds of CPU each, `others`, and `seconds` of wall time."""
        used = {name: process_cpu_s(pid) - self.cpu[name] for name, pid in self.pids.items()}
        used["others"] = max(0.0, machine_busy_s() - self.machine - sum(used.values()))
        used["seconds"] = time.monotonic() - self.started
        return used


def load_average() -> float:
    return os.getloadavg()[0]


# ---------------------------------------------------------------------------- databases

def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def seed_residents(url: str, count: int, first_id: int, now: datetime, subscribed=True,
                         batch: int = 10_000) -> None:
    """A migrated database with `count` Telegram residents (chat ids from first_id)."""
    # Imported here: the load process (bench.loadgen) has no use for the database.
    from sqlalchemy import insert

    from storage.db import Storage
    from storage.models import Resident

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


@asynccontextmanager
async def postgres_database():
    """A new, uniquely named PostgreSQL database, dropped on the way out (also on error), so that
    two runs at once do not wipe each other: yields (URL, "") or (None, why not)."""
    import asyncpg

    name = f"bench_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        admin = await asyncio.wait_for(asyncpg.connect(POSTGRES_ADMIN), 5)
        try:
            await admin.execute(f"CREATE DATABASE {name}")
        finally:
            await admin.close()
    except Exception as exc:  # not reachable, no rights...: the benchmark says so and goes on
        yield None, f"{exc.__class__.__name__}: {exc}"[:120]
        return
    try:
        url = POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name
        yield url.replace("postgresql://", "postgresql+asyncpg://", 1), ""
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()
