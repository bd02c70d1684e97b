"""One web server: /healthz, the Zalo OA, Zalo Bot and Telegram webhooks, the Zalo Bot's
published files, and the staff pages (aiohttp)."""
from __future__ import annotations

import asyncio

from aiohttp import web

from handlers.router import Assistant


READY = web.AppKey("ready", asyncio.Event)


def build_web_app(assistant: Assistant, *, zalo=None, telegram=None, zalobot=None,
                  staff_web=None) -> web.Application:
    """The server listens before the channels start (Telegram's setWebhook must find it); /healthz
    says 503 until app[READY] is set, once everything runs."""
    app = web.Application(client_max_size=1024 * 1024)
    app[READY] = asyncio.Event()

    async def healthz(request: web.Request) -> web.Response:
        ready = app[READY].is_set()
        return web.json_response({"ok": ready, "channels": sorted(assistant.senders)}, status=200 if ready else 503)

    app.router.add_get("/healthz", healthz)
    if zalo is not None:
        app.router.add_post("/zalo/webhook", zalo.webhook)
    if telegram is not None and telegram.webhook_url:
        app.router.add_post("/telegram/webhook", telegram.webhook)
    if zalobot is not None and zalobot.webhook_url:
        app.router.add_post("/zalobot/webhook", zalobot.webhook)
    if zalobot is not None and zalobot.files is not None:
        app.router.add_get(zalobot.files.route, zalobot.files.serve)
    if staff_web is not None:  # a channels.staff_web.StaffWebConfig
        from channels.staff_web import add_staff_web

        add_staff_web(app, assistant, staff_web, telegram)
    return app


async def start_web(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner

