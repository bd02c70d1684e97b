"""What the staff page tests share: the web server in-process on 127.0.0.1, a resident's pledge,
and the sign-in link a staff member gets from /web."""
from __future__ import annotations

import re
from contextlib import asynccontextmanager

from channels.staff_web import StaffWebConfig
from channels.web import READY, bound_port, build_web_app, start_web
from handlers.router import Assistant
from handlers.types import Incoming
from storage import repo

LINK = re.compile(r"https?://\S+/dang-nhap/[A-Za-z0-9_-]+")
STAFF = ("console", "staff")


@asynccontextmanager
async def staff_server(assistant: Assistant, config: StaffWebConfig | None = None):
    """The web app as `serve` builds it, on a free port; yields its base URL."""
    app = build_web_app(assistant, staff_web=config or StaffWebConfig(telegram_username="phuong_hoc_tap_bot"))
    runner = await start_web(app, "127.0.0.1", 0)
    app[READY].set()
    base = f"http://127.0.0.1:{bound_port(runner)}"
    assistant.web_url = base
    try:
        yield base
    finally:
        await runner.cleanup()


async def sign_in_link(assistant: Assistant, channel: str = STAFF[0], user: str = STAFF[1]) -> str:
    (reply,) = await assistant.handle(Incoming(channel, user, "Cán bộ", "vi", text="/web"))
    found = LINK.search(reply.text)
    assert found, reply.text
    return found.group(0)


async def add_pledge(assistant: Assistant, user: str, amount: int, name: str | None, *, channel: str = "telegram",
                     anonymous: bool = False, phone: str | None = None, status: str = "pledged") -> int:
    now = assistant.clock.now()
    async with assistant.storage.session() as s, s.begin():
        resident = await repo.touch_resident(s, channel, user, name, "vi", now)
        pledge = await repo.create_pledge(s, resident.id, amount, name, anonymous, phone, f"test:{user}:{amount}", now)
        if status != "pledged":
            await repo.transition_pledge(s, pledge.id, "pledged", status, now)
        return pledge.id
