"""Running the real `bot.py` as a process, for the end-to-end tests."""
from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys

import aiohttp

from conftest import ROOT


def console(tmp_path, lines: list[str], *args: str, db: str = "bot.db") -> subprocess.CompletedProcess:
    """`bot.py console` fed these lines, on its own SQLite file in tmp_path."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / db}", "PATH": "", "FILES_DIR": str(tmp_path / "files")}
    return subprocess.run([sys.executable, "bot.py", "console", *args], cwd=ROOT, env=env,
                          input="".join(line + "\n" for line in lines), capture_output=True, text=True, timeout=300)


def replies(run: subprocess.CompletedProcess) -> list[dict]:
    """The replies of a `console --json` run that ended well."""
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_healthy(http: aiohttp.ClientSession, base: str, proc) -> dict:
    """/healthz of a `bot.py serve` process once it answers (its stderr if it died first)."""
    for _ in range(600):  # a minute: start-up is slow on a loaded machine
        if proc.returncode is not None:
            raise AssertionError((await proc.stderr.read()).decode()[-3000:])
        try:
            async with http.get(base + "/healthz") as response:
                if response.status == 200:
                    return await response.json()
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("bot.py serve did not come up")
