"""The ward's Lifelong Learning Week assistant: wiring and the command line.

    python bot.py                   Telegram when TELEGRAM_BOT_TOKEN is set, else the terminal chat
    python bot.py run [--now T]     Telegram (polling)
    python bot.py serve [--now T]   the web server: webhooks for Zalo and Telegram, /healthz
    python bot.py console [...]     the terminal chat
    python bot.py check-content [FILE]

settings -> content -> storage -> assistant (handlers) -> channel.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import sys
from datetime import datetime
from pathlib import Path

from content.loader import ContentError, load_week
from core.clock import Clock
from handlers.router import Assistant
from jobs.runner import Jobs
from settings import Settings
from storage.db import Storage

log = logging.getLogger("bot")


def _parse_now(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 time: {value!r} (e.g. 2023-10-03T08:00:00+07:00)")
    if when.tzinfo is None:
        raise argparse.ArgumentTypeError("--now needs a UTC offset, e.g. 2023-10-03T08:00:00+07:00")
    return when


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bot.py", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run on Telegram (polling)")
    run.add_argument("--now", type=_parse_now, help="start the bot's clock at this time (rehearsal)")
    serve = sub.add_parser("serve", help="web server for the Zalo and Telegram webhooks")
    serve.add_argument("--now", type=_parse_now, help="start the bot's clock at this time (rehearsal)")
    console = sub.add_parser("console", help="chat in the terminal")
    console.add_argument("--json", action="store_true", help="one JSON object per bot message on stdout")
    console.add_argument("--user", default="1", help="resident id in the terminal chat (default 1)")
    console.add_argument("--name", default=None, help="resident's name")
    console.add_argument("--lang", choices=["vi", "en"], default="vi")
    console.add_argument("--now", type=_parse_now, help="start the bot's clock at this time (rehearsal)")
    check = sub.add_parser("check-content", help="validate a week file")
    check.add_argument("file", nargs="?", type=Path, default=None)
    return parser.parse_args(argv)


def check_content(path: Path) -> int:
    try:
        week = load_week(path)
    except ContentError as exc:
        print(f"{exc.path}: {len(exc.errors)} error(s)", file=sys.stderr)
        for line in exc.errors:
            print(f"  {line}", file=sys.stderr)
        return 1
    print(f"{path}: OK — {week.event.name.vi}, {len(week.days)} days, {len(week.faq)} FAQ entries")
    return 0


async def build_assistant(settings: Settings, now: datetime | None) -> Assistant:
    week = load_week(settings.content_file)
    storage = Storage(settings.database_url)
    await storage.start()
    return Assistant(week, storage, Clock(now), settings.admins, settings.max_message_chars)


async def run_console(settings: Settings, args: argparse.Namespace) -> None:
    from channels.console import ConsoleChannel

    assistant = await build_assistant(settings, args.now)
    channel = ConsoleChannel(assistant, user=args.user, name=args.name, lang=args.lang, json_mode=args.json,
                             files_dir=settings.files_dir)
    jobs = Jobs(assistant)
    try:
        await jobs.start()
        await channel.run()
        await jobs.idle()  # end of input: finish what is owed (a reminder or notice being sent)
    finally:
        await jobs.stop()
        await assistant.storage.close()


def telegram_channel(settings: Settings, assistant: Assistant, webhook: bool = False):
    import hashlib
    import hmac

    from channels.outbox import Outbox
    from channels.telegram import TelegramChannel

    outbox = Outbox(rate=settings.telegram_rate, per_chat=settings.telegram_per_chat, burst=settings.telegram_burst)
    url = secret = None
    if webhook:
        url = settings.public_url.rstrip("/") + "/telegram/webhook"
        token = settings.telegram_bot_token.get_secret_value()
        # Without a configured secret, one derived from the token: the same in every process
        # behind PUBLIC_URL and across restarts, and unknown to anyone without the token.
        secret = (settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret
                  else hmac.new(token.encode(), b"telegram-webhook", hashlib.sha256).hexdigest())
    return TelegramChannel(assistant, settings.telegram_bot_token.get_secret_value(), settings.telegram_base_url,
                           outbox=outbox, allow_paid_broadcast=settings.telegram_allow_paid_broadcast,
                           webhook_url=url, webhook_secret=secret)


def zalo_channel(settings: Settings, assistant: Assistant):
    from channels.outbox import Outbox
    from channels.zalo import ZaloChannel, ZaloConfig

    config = ZaloConfig(
        app_id=settings.zalo_app_id, app_secret=settings.zalo_app_secret.get_secret_value(),
        oa_secret_key=settings.zalo_oa_secret_key.get_secret_value(),
        access_token=settings.zalo_access_token.get_secret_value(),
        refresh_token=settings.zalo_refresh_token.get_secret_value(),
        api_base=settings.zalo_api_base.rstrip("/"), oauth_base=settings.zalo_oauth_base.rstrip("/"))
    return ZaloChannel(assistant, config, Outbox(rate=settings.zalo_rate, per_chat=1, burst=3))


async def run_channels(settings: Settings, now: datetime | None, *, web: bool) -> None:
    """Telegram (polling, or webhook with PUBLIC_URL under `serve`), Zalo under `serve`, the
    jobs, and the web server, until SIGINT/SIGTERM."""
    from channels.rateshare import RateShare
    from channels.web import READY, build_web_app, start_web

    assistant = await build_assistant(settings, now)
    channels = []
    telegram = None
    if settings.telegram_bot_token:
        telegram = telegram_channel(settings, assistant, webhook=web and bool(settings.public_url))
        channels.append(telegram)
    zalo = zalo_channel(settings, assistant) if web and settings.zalo_configured else None
    if zalo:
        channels.append(zalo)
    jobs = Jobs(assistant)
    runner = None
    shares = []
    try:
        if web:  # listening before setWebhook, so that Telegram's first delivery finds us
            app = build_web_app(assistant, zalo=zalo, telegram=telegram)
            runner = await start_web(app, settings.host, settings.port)
        for channel in channels:
            await channel.start()
            # Other processes on this database send for the same bot: share its rate with them.
            name = "telegram" if channel is telegram else "zalo"
            shares.append(RateShare(assistant.storage, name, jobs.instance, channel.outbox))
            await shares[-1].start()
        await jobs.start()
        settle_memory()
        if web:
            app[READY].set()
            log.info("web server on http://%s:%s (channels: %s)", settings.host, settings.port,
                     ", ".join(sorted(assistant.senders)) or "none")
        await wait_for_stop_signal()
    finally:
        if runner:
            await runner.cleanup()
        # Claim nothing new, let the requests under way finish and record them, give back the rest.
        await jobs.stop(outboxes=[channel.outbox for channel in channels])
        for share in shares:
            await share.stop()
        for channel in reversed(channels):
            await channel.stop()
        await assistant.storage.close()


def settle_memory() -> None:
    """Start-up's objects (libraries, content, the question index) live as long as the process:
    move them out of the garbage collector's sight. Otherwise each full collection walks them
    all, a 100 ms pause in sending every few seconds of a fan-out."""
    gc.collect()
    gc.freeze()


async def wait_for_stop_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.command == "check-content":
        return check_content(args.file or settings.content_file)
    try:
        if args.command == "serve":
            asyncio.run(run_channels(settings, args.now, web=True))
        elif args.command == "run" or (args.command is None and settings.telegram_bot_token):
            if not settings.telegram_bot_token:
                print("TELEGRAM_BOT_TOKEN is not set: see README.md, 'Connect Telegram'.", file=sys.stderr)
                return 2
            asyncio.run(run_channels(settings, getattr(args, "now", None), web=False))
        else:
            if args.command is None:
                print("No TELEGRAM_BOT_TOKEN configured: opening the terminal chat. "
                      "To connect Telegram, put TELEGRAM_BOT_TOKEN in .env (see README.md).", file=sys.stderr)
                args = parse_args(["console"])
            asyncio.run(run_console(settings, args))
    except ContentError as exc:
        print(f"The bot cannot start: the week file has errors.\n{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
