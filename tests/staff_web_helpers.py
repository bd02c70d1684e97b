"""What the staff page tests share: the web server in-process on 127.0.0.1, a resident's pledge,
and the sign-in link a staff member gets from /web."""
from __future__ import annotations

import re
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from channels.staff_web import StaffWebConfig
from channels.web import READY, build_web_app, start_web
from conftest import bound_port
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
    assistant.ports.web_url = base
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
        resident = (await repo.touch_chat(s, channel, user, name, "vi", now))[0]
        pledge = await repo.create_pledge(s, resident.id, amount, name, anonymous, phone, f"test:{user}:{amount}", now)
        if status != "pledged":
            await repo.transition_pledge(s, pledge.id, "pledged", status, now)
        return pledge.id


async def seed_week(assistant: Assistant) -> None:
    """A week in progress, for the overview: residents, pledges on several days (some paid, one
    cancelled), and the reminders of 1-4 October with their outcomes. Leaves the clock on 4/10."""
    clock = assistant.clock
    day = datetime.fromisoformat("2023-10-01T07:00:00+07:00")
    async with assistant.storage.session() as s, s.begin():
        residents = []
        for i in range(40):
            resident = (await repo.touch_chat(s, "telegram", str(1000 + i), f"Cư dân {i}", "vi", day))[0]
            await repo.set_subscribed(s, resident, True, day)
            residents.append(resident.id)
        for offset, (sent, failed, blocked, unreachable) in enumerate([(30, 1, 0, 0), (33, 0, 2, 1), (36, 2, 0, 0),
                                                                    (38, 0, 1, 1)]):
            key = f"reminder:2023-10-0{offset + 1}"
            outcomes = ["sent"] * sent + ["failed"] * failed + ["blocked"] * blocked + ["unreachable"] * unreachable
            for resident_id, status in zip(residents, outcomes):
                await repo.record_delivery(s, key, resident_id, status, None, "seed", day + timedelta(days=offset))
    pledges = [(0, "An", 500_000, "paid"), (0, "Bình", 200_000, "pledged"), (1, "Chi", 1_000_000, "paid"),
               (1, "Dũng", 300_000, "paid"), (1, None, 100_000, "paid"), (2, "Giang", 2_000_000, "pledged"),
               (2, "Hà", 150_000, "cancelled"), (3, "Khánh", 500_000, "paid"), (3, "Linh", 250_000, "pledged"),
               (3, "Minh", 1_500_000, "paid")]
    for i, (offset, name, amount, status) in enumerate(pledges):
        clock.set(day + timedelta(days=offset, hours=2 + i))
        await add_pledge(assistant, str(1000 + i), amount, name, anonymous=name is None, status=status)
    clock.set(datetime.fromisoformat("2023-10-04T16:00:00+07:00"))
