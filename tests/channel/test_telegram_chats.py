"""Things residents and staff met on Telegram, end to end through the real python-telegram-bot
Application and the Bot API stand-in: a photo's caption, the unknown-command answer, the bot in a
group, staff who never started the bot, and an idle bot against a server without long polling."""
import asyncio
import re

import pytest
from sqlalchemy import func, select

from botapi_stub import BotApiStub
from telegram_helpers import keyboard_data, running
from channels.telegram import GROUP_QUIET
from channels.telegram_updates import PollBackoff
from storage.models import Resident

LAN, MINH = 5001, 5002
GROUP = -1001234567890
STAFF, NEW_STAFF = 9000, 9001


async def test_a_photo_caption_is_read_as_text(assistant):
    async with running(assistant) as stub:
        stub.send_text(MINH, "lịch hôm nay")
        (as_text,) = await stub.wait_sent(MINH, 1)
        stub.send_photo(LAN, caption="lịch hôm nay")
        (as_caption,) = await stub.wait_sent(LAN, 1)
        assert as_caption.params["text"] == as_text.params["text"]
        assert "chữ" not in as_caption.params["text"]  # not "text only"
        stub.send_photo(LAN)  # a photo alone has nothing to read
        assert "chỉ đọc được tin nhắn chữ" in (await stub.wait_sent(LAN, 2))[-1].params["text"]


async def test_the_unknown_command_answer_lists_the_command_menu(assistant):
    async with running(assistant) as stub:
        menus = {c.params.get("language_code", "vi"): [f"/{cmd['command']}" for cmd in c.params["commands"]]
                 for c in stub.calls if c.method == "setMyCommands"}
        stub.send_text(LAN, "/khonghieu")
        stub.send_text(6001, "/whatever", language_code="en", first_name="Tom")
        vi = (await stub.wait_sent(LAN, 1))[0].params["text"]
        en = (await stub.wait_sent(6001, 1))[0].params["text"]
    assert re.findall(r"/\w+", vi.split(":", 1)[1]) == menus["vi"]
    assert re.findall(r"/\w+", en.split(":", 1)[1]) == menus["en"]
    assert {"/camket", "/vinhdanh", "/xoadulieu"} <= set(menus["vi"])


class Ticks:
    """A monotonic clock the test moves by hand; it counts how often the bot read it."""

    def __init__(self) -> None:
        self.now, self.reads = 0.0, 0

    def __call__(self) -> float:
        self.reads += 1
        return self.now


async def until(condition, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_in_a_group_the_bot_answers_once_and_only_when_spoken_to(assistant, storage):
    ticks = Ticks()  # read once for each message addressed to the bot
    async with running(assistant, clock=ticks) as stub:
        stub.send_text(GROUP, "chào cả nhà, mai họp tổ dân phố nhé", user_id=LAN)
        stub.send_text(GROUP, "/ban@other_bot", user_id=LAN)  # another bot's command
        stub.send_text(GROUP, "/lich", user_id=LAN)
        (first,) = await stub.wait_sent(GROUP, 1)
        assert "https://t.me/ward_test_bot" in first.params["text"] and "riêng" in first.params["text"]

        stub.send_text(GROUP, "ok cảm ơn", user_id=LAN)
        stub.send_text(GROUP, "hỏi @ward_test_bot chút", user_id=MINH)
        stub.send_photo(GROUP, caption="@ward_test_bot ảnh khai mạc", user_id=MINH)
        await until(lambda: ticks.reads == 3)  # both handled: quiet, it answered a moment ago
        assert len(stub.sent(GROUP)) == 1

        ticks.now += GROUP_QUIET
        stub.send_text(GROUP, "/homnay@ward_test_bot", user_id=MINH, language_code="en")
        replies = await stub.wait_sent(GROUP, 2)
        assert "privately" in replies[1].params["text"] and "https://t.me/ward_test_bot" in replies[1].params["text"]
        assert stub.sent(LAN) == [] and stub.sent(MINH) == []  # nobody written to privately
    async with storage.session() as s:  # a group is nobody's chat with the bot: nothing recorded
        assert (await s.execute(select(func.count()).select_from(Resident))).scalar_one() == 0


@pytest.fixture
def staffed(week, storage, clock):
    from handlers.router import Assistant

    staff = frozenset({("telegram", str(STAFF)), ("telegram", str(NEW_STAFF))})
    return Assistant(week, storage, clock, admins=staff)


async def pledge(stub: BotApiStub, chat: int, sent_before: int) -> None:
    stub.send_text(chat, "em xin ủng hộ quỹ khuyến học 500k")
    await stub.wait_sent(chat, sent_before + 1)
    stub.press_button(chat, "pledge:name")
    await stub.wait_sent(chat, sent_before + 2)
    stub.press_button(chat, "pledge:skip_phone")
    summary = (await stub.wait_sent(chat, sent_before + 3))[-1]
    (confirm,) = [d for d in keyboard_data(summary) if d.startswith("pledge:confirm:")]
    stub.press_button(chat, confirm)
    await stub.wait_sent(chat, sent_before + 5)  # thanks, how to pay


async def test_a_notice_that_cannot_reach_a_staff_member_is_counted_in_stats(staffed):
    stub = BotApiStub()
    stub.never_started_chats.add(NEW_STAFF)  # listed in ADMIN_IDS, never opened the bot
    async with running(staffed, stub):
        stub.send_text(STAFF, "/start")  # the other staff member did
        await stub.wait_sent(STAFF, 1)
        await pledge(stub, LAN, 0)
        await pledge(stub, MINH, 0)
        assert len(stub.sent(STAFF)) == 3  # /start, and the two new-pledge notices
        refused = [c for c in stub.sent(NEW_STAFF, include_failed=True)]
        assert [c.error_code for c in refused] == [403, 403]
        stub.send_text(STAFF, "/thongke")
        stats = (await stub.wait_sent(STAFF, 4))[-1].params["text"]
        assert "không gửi được</b>: 2" in stats and f"telegram:{NEW_STAFF}: 2 tin" in stats
        assert f"telegram:{STAFF}" not in stats

        stub.send_text(NEW_STAFF, "/start")  # told to: from now on the notices reach them
        await stub.wait_sent(NEW_STAFF, 1)
        await pledge(stub, LAN, 5)
        assert len(await stub.wait_sent(NEW_STAFF, 2)) == 2


class VirtualTime:
    """A monotonic clock that moves only when the bot sleeps: no test waits for real seconds."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0.001)  # let the test and the stand-in run


async def test_an_idle_bot_backs_off_when_empty_answers_come_at_once(assistant):
    """A server that answers getUpdates at once (no long polling): unpaced, the bot asked ~220
    times a second. Over a bounded number of polls, count the virtual seconds it waited."""
    time = VirtualTime()
    stub = BotApiStub(long_polling=False)

    def polls() -> int:
        return sum(c.method == "getUpdates" for c in stub.calls)

    async with running(assistant, stub, poll_backoff=PollBackoff(clock=time.clock, sleep=time.sleep)):
        await stub.wait_for(lambda c: polls() >= 30)
        assert polls() / time.now < 1.0  # under one request a (virtual) second while idle
        assert max(time.sleeps) == 2.0  # a message waits at most that long

        waited_before = len(time.sleeps)
        stub.send_text(LAN, "/lich")
        (reply,) = await stub.wait_sent(LAN, 1)
        await stub.wait_for(lambda c: len(time.sleeps) >= waited_before + 3)
        assert 0.25 in time.sleeps[waited_before:]  # an update ends the pauses: short again


async def test_poll_backoff_pauses_only_after_quick_empty_answers():
    time = VirtualTime()
    backoff = PollBackoff(clock=time.clock, sleep=time.sleep)

    async def poll(updates: int, took: float, long_poll: float = 10) -> None:
        await backoff.before_poll(long_poll)
        backoff.after_poll(updates=updates, took=took, long_poll=long_poll)

    for _ in range(7):
        await poll(updates=0, took=0.01)
    assert time.sleeps == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]  # before polls 2 to 7
    await poll(updates=0, took=10.0)  # (after a pause) held for the whole timeout: Telegram's way
    await poll(updates=0, took=0.0, long_poll=0)  # a short poll asked for (the one at stop)
    await poll(updates=0, took=0.01)
    await poll(updates=3, took=10.0)  # (after a pause) updates: no pause, and the next is short
    await poll(updates=0, took=0.01)
    await poll(updates=0, took=0.01)
    assert time.sleeps[6:] == [2.0, 0.25, 0.25]


async def test_a_busy_bot_lets_updates_gather_before_polling_again():
    """Updates waiting at the server (a quick answer with updates): the next poll waits a
    moment, so it brings the ones that came meanwhile together instead of one by one."""
    time = VirtualTime()
    backoff = PollBackoff(gather=0.02, clock=time.clock, sleep=time.sleep)
    backoff.after_poll(updates=2, took=0.001, long_poll=10)
    await backoff.before_poll(10)
    assert time.sleeps == [0.02]
    backoff.after_poll(updates=1, took=4.0, long_poll=10)  # held until it came: the bot is idle
    await backoff.before_poll(10)
    backoff.after_poll(updates=1, took=0.001, long_poll=10)
    await backoff.before_poll(0)  # the short poll at stop confirms at once
    assert time.sleeps == [0.02]


async def test_unreached_staff_are_counted_on_every_database(any_storage):
    from datetime import datetime, timedelta, timezone

    from storage import repo

    now = datetime(2023, 10, 3, 1, 0, tzinfo=timezone.utc)
    for minutes, staff in [(0, "9001"), (1, "9001"), (2, "42")]:
        async with any_storage.session() as s, s.begin():
            await repo.count_staff_notice_failure(s, "telegram", staff, "Forbidden: bot can't initiate conversation "
                                                  "with a user", now + timedelta(minutes=minutes))
    async with any_storage.session() as s:
        rows = await repo.staff_notice_failures(s)
    assert [(r.staff_id, r.count, r.last_at) for r in rows] == [("42", 1, now + timedelta(minutes=2)),
                                                                ("9001", 2, now + timedelta(minutes=1))]
