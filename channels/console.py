"""The terminal chat: one message per input line, for rehearsals, demos and tests.

With --json every message the bot sends is one JSON object on its own line of standard
output: {"input": N, "topic": ..., "text": ..., "buttons": [...], "files": [...]}, where N is
the input line it answers (0 for a message the bot sends on its own).
"""
from __future__ import annotations

import asyncio
import json
import sys
import threading
from functools import partial
from pathlib import Path
from typing import TextIO

from channels.answer import answer
from channels.outbox import Claim
from content.texts import TEXTS
from core.delivery import Outcome, Result
from core.numbers import read_int
from core.text import tokens
from handlers.router import Assistant
from handlers.types import Button, File, Incoming, Reply

CHANNEL = "console"


class ConsoleChannel:
    name = CHANNEL

    def __init__(self, assistant: Assistant, *, user: str = "1", name: str | None = None, lang: str = "vi",
                 json_mode: bool = False, out: TextIO = sys.stdout, files_dir: Path = Path("data/files")) -> None:
        self.assistant = assistant
        self.user = user
        self.resident_name = name
        self.lang = lang
        self.json_mode = json_mode
        self.out = out
        self.files_dir = files_dir
        self._buttons: list[Button] = []
        self._lock = asyncio.Lock()  # one message printed at a time, whole

    async def deliver(self, user_id: str, replies: list[Reply], *, bulk: bool = False,
                      claim: Claim | None = None, input_no: int = 0) -> Result:
        """Print replies; also how scheduled messages reach the terminal (input 0). Messages for
        other console users have nobody to read them: not attempted, before they are claimed."""
        if user_id != self.user:
            return Result(Outcome.NOT_ATTEMPTED, "not the terminal's user")
        if claim is not None and not await claim():
            return Result(Outcome.NOT_ATTEMPTED, "delivered by another process")
        async with self._lock:
            for reply in replies:
                self._print(reply, input_no)
            if replies and replies[-1].buttons:
                self._buttons = replies[-1].buttons
        return Result(Outcome.SENT)

    async def handle_line(self, line: str, input_no: int) -> None:
        msg = Incoming(CHANNEL, self.user, self.resident_name, self.lang, message_id=str(input_no),
                       **self._press_or_type(line))
        await answer(self.assistant, msg, partial(self.deliver, self.user, input_no=input_no), "console")

    def _press_or_type(self, line: str) -> dict:
        """Typing a shown button's number or label presses it."""
        text = line.strip()
        number = read_int(text, max_digits=2)
        if number is not None and 1 <= number <= len(self._buttons):
            return {"payload": self._buttons[number - 1].payload}
        key = tokens(text)
        for button in self._buttons:
            if key and tokens(button.label) == key:
                return {"payload": button.payload}
        return {"text": line}

    def _save(self, file: File) -> Path:
        """A terminal cannot show files: write them to the files folder and print the path."""
        self.files_dir.mkdir(parents=True, exist_ok=True)
        path = self.files_dir / file.name
        path.write_bytes(file.data)
        return path.resolve()

    def _print(self, reply: Reply, input_no: int) -> None:
        text = reply.plain_text()
        paths = [self._save(f) for f in reply.files]
        if self.json_mode:
            record = {"input": input_no, "topic": reply.topic, "text": text,
                      "buttons": [b.label for b in reply.buttons], "files": [str(p) for p in paths]}
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            self.out.write(f"\n🤖 {text}\n")
            if reply.buttons:
                self.out.write("   " + "   ".join(f"[{i}] {b.label}" for i, b in enumerate(reply.buttons, 1)) + "\n")
            for path in paths:
                self.out.write(f"   📎 {path}\n")
        self.out.flush()

    async def run(self, stdin: TextIO = sys.stdin) -> None:
        """Read lines until end of input, answering each in order."""
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        # A thread, not loop.connect_read_pipe: standard input may be a regular file.
        threading.Thread(target=_read_lines, args=(stdin, loop, lines), daemon=True).start()
        interactive = stdin.isatty() and not self.json_mode
        if interactive:
            print(TEXTS["vi"]["console_hint"], file=sys.stderr)  # for whoever runs it: Vietnamese, whatever --lang
        input_no = 0
        while (line := await lines.get()) is not None:
            input_no += 1
            await self.handle_line(line.rstrip("\r\n"), input_no)


def _read_lines(stdin: TextIO, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue) -> None:
    try:
        for line in stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line)
    finally:
        loop.call_soon_threadsafe(queue.put_nowait, None)
