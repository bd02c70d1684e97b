"""`python bot.py serve` as deployed: one process, one web server for both webhooks, talking to
the Telegram and Zalo stand-ins on 127.0.0.1."""
import asyncio
import os
import signal
import subprocess
import sys

import aiohttp
import pytest

from botapi_stub import BotApiStub
from conftest import ROOT
from processes import free_port, wait_healthy
from zalo_stub import APP_ID, APP_SECRET, OA_SECRET_KEY, ZaloStub, signed

pytestmark = pytest.mark.slow  # starts bot.py serve

SECRET = "webhook-secret-for-tests"


async def test_serve_with_telegram_and_zalo_webhooks(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with BotApiStub() as telegram, ZaloStub() as zalo, aiohttp.ClientSession() as http:
        env = {
            "PATH": os.environ.get("PATH", ""), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
            "HOST": "127.0.0.1", "PORT": str(port), "PUBLIC_URL": base,
            "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_BASE_URL": telegram.url,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "ZALO_APP_ID": APP_ID, "ZALO_APP_SECRET": APP_SECRET, "ZALO_OA_SECRET_KEY": OA_SECRET_KEY,
            "ZALO_ACCESS_TOKEN": zalo.access_token, "ZALO_REFRESH_TOKEN": zalo.refresh_token,
            "ZALO_API_BASE": zalo.url, "ZALO_OAUTH_BASE": zalo.url,
        }
        proc = await asyncio.create_subprocess_exec(sys.executable, "bot.py", "serve", cwd=ROOT, env=env,
                                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            health = await wait_healthy(http, base, proc)
            assert health == {"ok": True, "channels": ["telegram", "zalo"]}
            (hook,) = [c for c in telegram.calls if c.method == "setWebhook"]
            assert hook.params["url"] == base + "/telegram/webhook" and hook.params["secret_token"] == SECRET
            assert not any(c.method == "getUpdates" for c in telegram.calls)  # no polling with a webhook

            update = {"update_id": 1, "message": {"message_id": 1, "date": 1700000000, "text": "/lich",
                                                  "chat": {"id": 42, "type": "private", "first_name": "Lan"},
                                                  "from": {"id": 42, "is_bot": False, "first_name": "Lan"},
                                                  "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(base + "/telegram/webhook", json=update, headers=headers) as response:
                    assert response.status == 403
            async with http.post(base + "/telegram/webhook", json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                assert response.status == 200
            (reply,) = await telegram.wait_sent(42, 1, timeout=10)
            assert "7/10" in reply.params["text"]
            assert len(telegram.sent()) == 1  # the refused requests were not processed

            body, headers = signed(zalo.user_event("8490001", "hôm nay có gì"))
            async with http.post(base + "/zalo/webhook", data=body, headers=headers) as response:
                assert response.status == 200
            (answer,) = await zalo.wait_messages("8490001", 1, timeout=10)
            assert answer.body["message"]["text"]
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(proc.wait(), 20)
        assert code == 0, (await proc.stderr.read()).decode()[-2000:]
