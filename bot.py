"""The ward's Lifelong Learning Week assistant: wiring and the command line.

    python bot.py                   `run` when a Telegram or Zalo Bot token is set, else the terminal chat
    python bot.py run [--now T]     Telegram and/or the Zalo Bot, whichever has a token (polling)
    python bot.py serve [--now T]   the web server: webhooks for Zalo and Telegram, the staff pages, /healthz
    python bot.py console [...]     the terminal chat
    python bot.py check-content [FILE]
    python bot.py export-asks [--out FILE]   wordings staff taught -> the week file

settings -> content -> storage -> assistant (handlers) -> channels and jobs, connected in connect().
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

from pydantic import SecretStr

from channels import StartupError
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
    run = sub.add_parser("run", help="run on Telegram and/or the Zalo Bot (polling)")
    run.add_argument("--now", type=_parse_now, help="start the bot's clock at this time (rehearsal)")
    serve = sub.add_parser("serve", help="web server for the Zalo OA, Zalo Bot and Telegram webhooks")
    serve.add_argument("--now", type=_parse_now, help="start the bot's clock at this time (rehearsal)")
    console = sub.add_parser("console", help="chat in the terminal")
    console.add_argument("--json", action="store_true", help="one JSON object per bot message on stdout")
    console.add_argument("--user", default="1", help="resident id in the terminal chat (default 1)")
    console.add_argument("--name", default=None, help="resident's name")
    console.add_argument("--lang", choices=["vi", "en"], default="vi")
    console.add_argument("--now", type=_parse_now, help="start the bot's clock at this time (rehearsal)")
    check = sub.add_parser("check-content", help="validate a week file")
    check.add_argument("file", nargs="?", type=Path, default=None)
    export = sub.add_parser("export-asks", help="write the wordings staff taught into the week file")
    export.add_argument("--out", type=Path, default=None, help="write here instead of the content file itself")
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


async def export_asks(settings: Settings, out: Path | None) -> int:
    """The wordings staff taught (/day), added to their entries' ask lists in the week file."""
    from content.asks_export import ExportError, add_asks
    from core.text import normalize
    from core.language import reply_language
    from storage import repo

    path = settings.content_file
    week = load_week(path)
    storage = Storage(settings.database_url)
    await storage.start()
    try:
        async with storage.session() as session:
            taught = await repo.taught_asks(session)
    finally:
        await storage.close()
    known = {f.id: {normalize(a) for a in f.ask.vi + f.ask.en} for f in week.faq}
    additions: dict[str, dict[str, list[str]]] = {}
    for row in taught:
        if row.faq_id in known and normalize(row.text) not in known[row.faq_id]:
            known[row.faq_id].add(normalize(row.text))
            additions.setdefault(row.faq_id, {}).setdefault(reply_language(row.text, "vi"), []).append(row.text)
    try:
        text = add_asks(path.read_text(encoding="utf-8"), additions)
    except ExportError as exc:
        print(f"{path}: not changed: {exc}", file=sys.stderr)
        return 1
    (out or path).write_text(text, encoding="utf-8")
    count = sum(len(w) for by_lang in additions.values() for w in by_lang.values())
    print(f"{out or path}: {count} wording(s) added to {len(additions)} entr{'y' if len(additions) == 1 else 'ies'}")
    return 0


async def build_assistant(settings: Settings, now: datetime | None) -> Assistant:
    week = load_week(settings.content_file)
    storage = Storage(settings.database_url)
    await storage.start()
    return Assistant(week, storage, Clock(now), settings.admins, settings.max_message_chars,
                     web_url=settings.public_url or f"http://{settings.host}:{settings.port}")


def connect(assistant: Assistant, channels: list, **job_options) -> Jobs:
    """The one place where the parts meet. Each channel becomes one of the assistant's senders
    (how answers, staff notices, reminders and broadcasts reach its users); the jobs get the
    week, database, clock, senders and chat cache they work with; and the assistant is told of
    the jobs, so that a notice staff confirm starts at once. Nothing registers itself."""
    for channel in channels:
        assistant.senders.add(channel.name, channel.deliver)
    jobs = Jobs(assistant.week, assistant.storage, assistant.clock, assistant.senders, chats=assistant.chats,
                notify=assistant.deliver, **job_options)
    assistant.use_jobs(jobs)
    return jobs


async def run_console(settings: Settings, args: argparse.Namespace) -> None:
    from channels.console import ConsoleChannel

    assistant = await build_assistant(settings, args.now)
    channel = ConsoleChannel(assistant, user=args.user, name=args.name, lang=args.lang, json_mode=args.json,
                             files_dir=settings.files_dir)
    jobs = connect(assistant, [channel])
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
        api_base=settings.zalo_api_base.rstrip("/"), oauth_base=settings.zalo_oauth_base.rstrip("/"),
        free_only=settings.zalo_free_only, query_buttons=settings.zalo_oa_buttons)
    outbox = Outbox(rate=settings.zalo_rate, per_chat=settings.zalo_per_chat, burst=settings.zalo_burst)
    return ZaloChannel(assistant, config, outbox)


def zalobot_channel(settings: Settings, assistant: Assistant, web: bool = False):
    """The Zalo Bot: by webhook, with its QR codes published, when `serve` has a PUBLIC_URL;
    otherwise polling, and payment details as text."""
    import hashlib
    import hmac

    from channels.outbox import Outbox
    from channels.zalobot import ZaloBotChannel, ZaloBotConfig

    token = settings.zalo_bot_token.get_secret_value()
    public = settings.public_url.rstrip("/") if web and settings.public_url else None
    config = ZaloBotConfig(
        token=token, base_url=settings.zalo_bot_base_url.rstrip("/"),
        webhook_url=public + "/zalobot/webhook" if public else None,
        # Derived from the token, as for Telegram: the same in every process and across restarts.
        webhook_secret=hmac.new(token.encode(), b"zalobot-webhook", hashlib.sha256).hexdigest() if public else None,
        public_url=public)
    outbox = Outbox(rate=settings.zalo_bot_rate, per_chat=settings.zalo_per_chat, burst=settings.zalo_burst)
    return ZaloBotChannel(assistant, config, outbox)


async def run_channels(settings: Settings, now: datetime | None, *, web: bool) -> None:
    """Telegram and the Zalo Bot (polling, or webhooks with PUBLIC_URL under `serve`), the Zalo
    OA under `serve`, the jobs, and the web server, until SIGINT/SIGTERM."""
    from channels.rateshare import RateShare
    from channels.web import READY, build_web_app, start_web

    stop = stop_signal()  # from the start: a SIGTERM during start-up still stops cleanly after it
    assistant = await build_assistant(settings, now)
    channels = []
    telegram = None
    if settings.telegram_bot_token:
        telegram = telegram_channel(settings, assistant, webhook=web and bool(settings.public_url))
        channels.append(telegram)
    zalo = zalo_channel(settings, assistant) if web and settings.zalo_configured else None
    if zalo:
        channels.append(zalo)
    zalobot = zalobot_channel(settings, assistant, web=web) if settings.zalo_bot_token else None
    if zalobot:
        channels.append(zalobot)
    jobs = connect(assistant, channels)
    runner = None
    shares = []
    try:
        if web:  # listening before setWebhook, so that Telegram's first delivery finds us
            app = build_web_app(assistant, zalo=zalo, telegram=telegram, zalobot=zalobot,
                                staff_web=staff_web_config(settings))
            runner = await start_web(app, settings.host, settings.port)
        for channel in channels:
            await channel.start()
            # Other processes on this database send for the same bot: share its rate with them.
            shares.append(RateShare(assistant.storage, channel.name, jobs.instance, channel.outbox))
            await shares[-1].start()
        await jobs.start()
        settle_memory()
        if web:
            app[READY].set()
            log.info("web server on http://%s:%s (channels: %s)", settings.host, settings.port,
                     ", ".join(sorted(assistant.senders)) or "none")
        await stop.wait()
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


def staff_web_config(settings: Settings):
    from channels.staff_web import StaffWebConfig

    return StaffWebConfig(public_url=settings.public_url, telegram_username=settings.telegram_bot_username,
                          zalo_oa_url=settings.zalo_oa_url, zalo_bot_url=settings.zalo_bot_url)


def settle_memory() -> None:
    """Start-up's objects (libraries, content, the question index) live as long as the process:
    move them out of the garbage collector's sight. Otherwise each full collection walks them
    all, a 100 ms pause in sending every few seconds of a fan-out."""
    gc.collect()
    gc.freeze()


def stop_signal() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


class RedactingFormatter(logging.Formatter):
    """Log lines, tracebacks included, with every secret of the settings replaced: the Telegram
    token is part of every Bot API URL, and libraries put URLs in messages and errors."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self.secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text


def setup_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr)
    secrets = [value.get_secret_value() for value in settings.__dict__.values() if isinstance(value, SecretStr)]
    for handler in logging.getLogger().handlers:
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    # httpx logs each request's URL at INFO, and a Bot API URL holds the token.
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    settings = Settings()
    setup_logging(settings)
    if args.command == "check-content":
        return check_content(args.file or settings.content_file)
    if args.command == "export-asks":
        return asyncio.run(export_asks(settings, args.out))
    try:
        if args.command == "serve":
            asyncio.run(run_channels(settings, args.now, web=True))
        elif args.command == "run" or (args.command is None and (settings.telegram_bot_token
                                                                  or settings.zalo_bot_token)):
            if not (settings.telegram_bot_token or settings.zalo_bot_token):
                print("Neither TELEGRAM_BOT_TOKEN nor ZALO_BOT_TOKEN is set: see README.md, 'Connect Telegram' "
                      "and 'Connect a Zalo Bot'.", file=sys.stderr)
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
    except StartupError as exc:  # a setting to fix: one line says which
        print(f"The bot cannot start: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    except Exception:
        log.exception("the bot stopped on an unexpected error")  # through the redacting log, not bare stderr
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
