"""`python bot.py run` as a subprocess when Telegram cannot be used: one clear line, exit code 2,
and the token in no log line, not even at DEBUG."""
import asyncio
import os
import signal
import socket
import subprocess
import sys

import pytest

from botapi_stub import BotApiStub
from conftest import ROOT

SECRET_PART = "AAE-s3cret-Part-0f-the-Token"
TOKEN = f"123456:{SECRET_PART}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bot_env(tmp_path, **settings: str) -> dict:
    return {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            "TELEGRAM_BOT_TOKEN": TOKEN, **settings}


async def start_bot(env: dict) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, "bot.py", "run", cwd=ROOT, env=env,
                                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def run_until_exit(env: dict) -> tuple[int, str]:
    proc = await start_bot(env)
    _, stderr = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, stderr.decode()


def assert_one_clear_line(stderr: str, expected: str) -> None:
    assert expected in stderr, stderr
    assert "Traceback" not in stderr, stderr
    assert SECRET_PART not in stderr
    assert len([line for line in stderr.splitlines() if line.strip()]) <= 2, stderr


@pytest.mark.slow
async def test_a_refused_token_is_one_line_and_exit_code_2(tmp_path):
    async with BotApiStub() as stub:  # its token is another: getMe answers 401 Unauthorized
        code, stderr = await run_until_exit(bot_env(tmp_path, TELEGRAM_BASE_URL=stub.url))
    assert code == 2
    assert_one_clear_line(stderr, "Telegram refused the token: check TELEGRAM_BOT_TOKEN")


@pytest.mark.slow
async def test_an_unreachable_server_is_one_line_and_exit_code_2(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    code, stderr = await run_until_exit(bot_env(tmp_path, TELEGRAM_BASE_URL=url))
    assert code == 2
    assert_one_clear_line(stderr, f"cannot reach TELEGRAM_BASE_URL={url}: is it the server's root, without /bot?")


@pytest.mark.slow
async def test_a_base_url_ending_in_bot_is_named(tmp_path):
    async with BotApiStub(token=TOKEN) as stub:  # the right token, the wrong path: Telegram answers 404
        code, stderr = await run_until_exit(bot_env(tmp_path, TELEGRAM_BASE_URL=stub.url + "/bot"))
    assert code == 2
    assert_one_clear_line(stderr, f"TELEGRAM_BASE_URL={stub.url}/bot is the server's root, without /bot")


@pytest.mark.slow
async def test_the_token_is_in_no_log_line_even_at_debug(tmp_path):
    async with BotApiStub(token=TOKEN) as stub:
        proc = await start_bot(bot_env(tmp_path, TELEGRAM_BASE_URL=stub.url, LOG_LEVEL="DEBUG"))
        try:
            await stub.wait_for(lambda c: c.method == "getUpdates", timeout=30)
            stub.fail_next("sendMessage", 400, "Bad Request: can't parse entities")  # an error, logged
            stub.send_text(5001, "/lich")
            await stub.wait_for(lambda c: c.method == "sendMessage", timeout=30)
            stub.send_text(5001, "/homnay")
            await stub.wait_sent(5001, 1, timeout=30)
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(proc.communicate(), 30)
    log = stderr.decode()
    assert proc.returncode == 0, log[-2000:]
    assert "DEBUG" in log and "getUpdates" in log  # it did log at DEBUG
    assert SECRET_PART not in log


@pytest.mark.slow
async def test_a_refused_webhook_is_one_line_and_exit_code_2(tmp_path):
    async with BotApiStub(token=TOKEN) as stub:
        # What Telegram answers for a webhook that is not https (https://core.telegram.org/bots/api#setwebhook).
        stub.fail_next("setWebhook", 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        env = bot_env(tmp_path, TELEGRAM_BASE_URL=stub.url, PUBLIC_URL="http://ward.example", HOST="127.0.0.1",
                      PORT=str(free_port()))
        proc = await asyncio.create_subprocess_exec(sys.executable, "bot.py", "serve", cwd=ROOT, env=env,
                                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    assert_one_clear_line(stderr.decode(), "Telegram refused the webhook http://ward.example/telegram/webhook "
                                           "(from PUBLIC_URL): Bad webhook: an https url must be provided")
