"""One web server for webhooks: /healthz, the Zalo webhook and the Telegram webhook (aiohttp)."""
from __future__ import annotations

from aiohttp import web

from handlers.router import Assistant


def build_web_app(assistant: Assistant, *, zalo=None, telegram=None) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "channels": sorted(assistant.senders)})

    app.router.add_get("/healthz", healthz)
    if zalo is not None:
        app.router.add_post("/zalo/webhook", zalo.webhook)
    if telegram is not None and telegram.webhook_url:
        app.router.add_post("/telegram/webhook", telegram.webhook)
    return app


async def start_web(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The port actually listened on (useful with port 0)."""
    return runner.addresses[0][1]
