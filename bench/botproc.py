"""A bot for the benchmarks, in its own process, polling the Bot API stand-in at --url.

--kind real: the real TelegramChannel and Assistant, a SQLite file, content/week.yaml, the clock
  at --now; the outbox paced at --rate (default: not paced, to measure the bot, not the limit).
  With --fanout DATE it runs that day's reminder at once and prints its tally.
--kind echo: a bare python-telegram-bot Application answering every message and button press
  with one message: the baseline.
--kind replay: the real channel, but each distinct message is answered by the Assistant once
  and its replies are replayed after that: what the channel costs without the conversation
  and the database.

Both put LAST on the last message of each answer, so the stand-in knows the answer is complete.
Prints {"ready": true, "cpu_s": ...}, then runs until standard input closes, then prints its
CPU time and memory. To see where its time goes: py-spy record --pid <its pid> (see bench/README.md).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import sys
from datetime import date, datetime
from functools import partial

from telegram.ext import ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters

from bench.common import LAST, rss_kb
from channels.outbox import Outbox
from bot import connect, settle_memory
from channels.telegram import TelegramChannel
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
            calls[-1] = partial(last.func, *last.args, **{**last.keywords, "api_kwargs": MARK})
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
    parser.add_argument("--kind", choices=["real", "echo", "replay"], required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--db")
    parser.add_argument("--now", required=True)
    parser.add_argument("--rate", type=float)
    parser.add_argument("--fanout")
    args = parser.parse_args()
    # As bot.py: INFO to standard error, without the per-request lines of httpx.
    logging.basicConfig(level="INFO", stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    asyncio.run((run_echo if args.kind == "echo" else run_real)(args))
    emit(cpu_s=cpu_s(), **rss_kb(os.getpid()))


if __name__ == "__main__":
    main()
