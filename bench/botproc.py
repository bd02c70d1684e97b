"""A bot for the benchmarks, in its own process, polling the Bot API stand-in at --url.

--kind real: the real TelegramChannel and Assistant, a SQLite file, content/week.yaml, the clock
  at --now; the outbox paced at --rate (default: not paced, to measure the bot, not the limit).
  With --fanout DATE it runs that day's reminder at once and prints its tally.
--kind echo: a bare python-telegram-bot Application answering every message and button press
  with one message: the baseline.
--kind replay: the real channel, but each distinct message is answered by the Assistant once
  and its replies are replayed after that: what the channel costs without the conversation
  and the database.
--kind same: a bare python-telegram-bot Application that answers each message and button press
  with exactly what the real bot sent for it in a recorded run (--answers, written by
  bench.loadgen): the same HTML, keyboards and photos, with the bot's transport settings (updates
  handled at once, connection pool). The fair baseline: the real bot's cost above it is its own work.

All put LAST on the last message of each answer, so the stand-in knows the answer is complete.
Prints {"ready": true, "cpu_s": ...}, then runs until standard input closes, then prints its
CPU time and memory. To see where its time goes: py-spy record --pid <its pid> (see bench/README.md).
"""
from __future__ import annotations

import argparse
import base64
import asyncio
import json
import logging
import os
import resource
import sys
from datetime import date, datetime
from functools import partial
from pathlib import Path

from telegram import InlineKeyboardMarkup, InputFile
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters

from bench.common import LAST, rss_kb
from channels.outbox import Outbox
from bot import connect, settle_memory
from channels.telegram import MAX_CONCURRENT_UPDATES, POOL_TIMEOUT, SPARE_CONNECTIONS, TelegramChannel
from channels.telegram_http import AiohttpRequest
from content.loader import load_week
from core.clock import Clock
from handlers.router import Assistant
from storage.db import Storage

MARK = {LAST: "1"}


class MarkedChannel(TelegramChannel):
    """The real channel; only the last message of each answer carries the benchmark's mark."""

    def _calls(self, chat_id, replies, extra):
        calls = super()._calls(chat_id, replies, extra)
        if calls:
            last = calls[-1]
            params = {**last.keywords["params"], **MARK}
            calls[-1] = partial(last.func, *last.args, **{**last.keywords, "params": params})
        return calls


async def run_real(args) -> None:
    storage = Storage(args.db)
    await storage.start()
    assistant = Assistant(load_week(), storage, Clock(datetime.fromisoformat(args.now)))
    if args.kind == "replay":
        assistant.handle = replaying(assistant.handle)
    rate = args.rate or 1e9
    outbox = Outbox(rate=rate, **({} if args.rate else {"per_chat": 1e9, "burst": 1_000_000}))
    channel = MarkedChannel(assistant, args.token, args.url, outbox=outbox)
    jobs = connect(assistant, [channel])
    await channel.start()
    settle_memory()  # as bot.py does once started
    try:
        emit(ready=True, cpu_s=cpu_s())
        if args.fanout:
            tally = await jobs.reminders.run(date.fromisoformat(args.fanout))
            emit(tally=vars(tally))
        await until_stdin_closes()
    finally:
        await jobs.stop()
        await channel.stop()
        await storage.close()


def replaying(handle):
    answers = {}

    async def replay(msg):
        said = msg.text or msg.payload
        if said not in answers:
            answers[said] = await handle(msg)
        return answers[said]
    return replay


async def run_echo(args) -> None:
    builder = ApplicationBuilder().token(args.token)  # PTB's defaults: one update at a time
    app = builder.base_url(f"{args.url}/bot").base_file_url(f"{args.url}/file/bot").build()

    async def on_message(update, context) -> None:
        await context.bot.send_message(update.effective_chat.id, f"echo: {update.effective_message.text}",
                                       api_kwargs=MARK)

    async def on_button(update, context) -> None:
        query = update.callback_query
        await query.answer()
        await context.bot.send_message(query.message.chat.id, f"echo: {query.data}", api_kwargs=MARK)

    app.add_handler(MessageHandler(filters.ALL, on_message))
    app.add_handler(CallbackQueryHandler(on_button))
    await run_app(app)


async def run_same(args) -> None:
    answers = json.loads(Path(args.answers).read_text(encoding="utf-8"))
    for calls in answers.values():
        for call in calls:
            call["files"] = {field: (name, base64.b64decode(data)) for field, (name, data) in call["files"].items()}
    # The bot's own transport (aiohttp, the same pool): the comparison is of the work, not the HTTP client.
    request = AiohttpRequest(Outbox().concurrency + SPARE_CONNECTIONS, pool_timeout=POOL_TIMEOUT)
    builder = ApplicationBuilder().token(args.token).concurrent_updates(MAX_CONCURRENT_UPDATES).request(request)
    app = builder.base_url(f"{args.url}/bot").base_file_url(f"{args.url}/file/bot").build()

    async def answer(chat_id: int, said: str) -> None:
        calls = answers.get(said)
        if not calls:
            logging.error("no recorded answer for one of the messages")
            await app.bot.send_message(chat_id, "?", api_kwargs=MARK)
            return
        for n, call in enumerate(calls):
            await send(app.bot, chat_id, call, last=n == len(calls) - 1)

    async def on_message(update, context) -> None:
        await answer(update.effective_chat.id, update.effective_message.text)

    async def on_button(update, context) -> None:
        query = update.callback_query
        await query.answer()
        await answer(query.message.chat.id, query.data)

    app.add_handler(MessageHandler(filters.ALL, on_message))
    app.add_handler(CallbackQueryHandler(on_button))
    await run_app(app)


SENDS = {"sendMessage": ("send_message", "text"), "sendPhoto": ("send_photo", "photo"),
         "sendDocument": ("send_document", "document")}


async def send(bot, chat_id: int, call: dict, last: bool) -> None:
    """One recorded send, made again as the bot made it: objects built, files uploaded."""
    method, what = SENDS[call["method"]]
    params = dict(call["params"])
    if "reply_markup" in params:
        params["reply_markup"] = InlineKeyboardMarkup.de_json(params["reply_markup"], bot)
    content = params.pop(what) if what == "text" else InputFile(call["files"][what][1],
                                                                filename=call["files"][what][0])
    known = {k: params.pop(k) for k in ("parse_mode", "reply_markup", "caption") if k in params}
    await getattr(bot, method)(chat_id, content, **known, api_kwargs={**params, **(MARK if last else {})})


async def run_app(app) -> None:
    await app.initialize()
    await app.start()
    await app.updater.start_polling(allowed_updates=["message", "callback_query"])
    try:
        emit(ready=True, cpu_s=cpu_s())
        await until_stdin_closes()
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def until_stdin_closes() -> None:
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def emit(**fields) -> None:
    print(json.dumps(fields), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=["real", "echo", "replay", "same"], required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--db")
    parser.add_argument("--now", required=True)
    parser.add_argument("--rate", type=float)
    parser.add_argument("--fanout")
    parser.add_argument("--answers", help="for --kind same: the recorded answers (bench.loadgen)")
    args = parser.parse_args()
    # As bot.py: INFO to standard error, without the per-request lines of httpx.
    logging.basicConfig(level="INFO", stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    asyncio.run({"echo": run_echo, "same": run_same}.get(args.kind, run_real)(args))
    emit(cpu_s=cpu_s(), **rss_kb(os.getpid()))


if __name__ == "__main__":
    main()
