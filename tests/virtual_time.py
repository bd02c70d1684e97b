"""An event loop on virtual time, for tests of timing logic (pacing, pauses, backoff).

Whenever nothing is ready to run, the loop's clock jumps straight to its next timer instead
of waiting for it. `asyncio.sleep`, `wait_for` and `loop.time()` all read that clock, so code
that paces itself by them runs at full speed, and every interval it measures comes out exactly
the same on an idle laptop and on a loaded CI machine. Only for code with no real I/O to wait
on: a socket's answer takes no virtual time.

    @virtual_time
    async def test_something():
        outbox = Outbox(clock=asyncio.get_running_loop().time)
"""
from __future__ import annotations

import asyncio
import functools
import selectors


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        self._virtual_now = 0.0
        super().__init__(_JumpingSelector(self))

    def time(self) -> float:
        return self._virtual_now


class _JumpingSelector(selectors.DefaultSelector):
    """Polls without blocking; when nothing happened, moves the loop's clock on by the timeout
    the loop meant to wait (the time to its next timer). With no timer at all it blocks as
    usual (waiting for a thread, say)."""

    def __init__(self, loop: VirtualTimeLoop) -> None:
        super().__init__()
        self._loop = loop

    def select(self, timeout: float | None = None):
        if timeout is None:
            return super().select(None)
        events = super().select(0)
        if not events and timeout > 0:
            self._loop._virtual_now += timeout
        return events


def virtual_time(test):
    """Run an async test on its own VirtualTimeLoop (pytest sees a plain function, so this
    works the same with any pytest-asyncio version)."""
    @functools.wraps(test)
    def run(*args, **kwargs):
        with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
            return runner.run(test(*args, **kwargs))
    return run
