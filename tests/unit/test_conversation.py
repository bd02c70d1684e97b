"""The conversation in-process, on an injected clock: schedule, days, subscriptions, bad input."""
from datetime import datetime

from sqlalchemy import select

from conftest import Chat
from core.text import fold
from storage import repo
from storage.models import Resident, UnansweredQuestion


def at(clock, iso: str) -> None:
    clock.set(datetime.fromisoformat(iso))


async def test_start_greets_with_theme_and_menu(chat):
    reply = await chat.one("/start")
    assert reply.topic == "start"
    assert "Xây dựng năng lực tự học trong kỷ nguyên số" in reply.text
    assert [b.payload for b in reply.buttons] == ["menu:schedule", "menu:today", "menu:subscribe",
                                                  "menu:pledge", "menu:faq"]
    assert [b.label for b in reply.buttons][0] == "📅 Lịch tuần"


async def test_english_resident_gets_english(assistant):
    reply = await Chat(assistant, lang="en").one("/start")
    assert "theme" in reply.text and reply.buttons[0].label == "📅 Schedule"


async def test_help_in_both_command_names(chat):
    assert (await chat.one("/help")).topic == "help"
    reply = await chat.one("/trogiup")
    assert reply.topic == "help" and "/lich" in reply.text


async def test_schedule_lists_every_day_with_its_date(chat):
    reply = await chat.one("/lich")
    text = reply.plain_text()
    for day in range(1, 8):
        assert f" {day}/10 · " in text
    assert text.index("1/10") < text.index("7/10")


async def test_today_before_during_and_after_the_week(chat, clock):
    before = (await chat.one("/homnay")).plain_text()
    assert "còn 6 ngày" in before and "1/10" in before
    at(clock, "2023-10-05T07:30:00+07:00")
    during = (await chat.one("/today")).plain_text()
    assert during.startswith("📅 Hôm nay, Thứ Năm 5/10") and "khai mạc" in during
    at(clock, "2023-10-08T09:00:00+07:00")
    after = (await chat.one("hôm nay có gì")).plain_text()
    assert "đã kết thúc" in after


async def test_time_zone_decides_the_day(chat, clock):
    # 23:30 UTC on 2 October is already 3 October in Bắc Kạn.
    at(clock, "2023-10-02T23:30:00+00:00")
    assert "3/10" in (await chat.one("hôm nay")).plain_text()


async def test_a_day_outside_the_week(chat, clock):
    at(clock, "2023-10-03T09:00:00+07:00")
    reply = await chat.one("ngày 9/10 có gì")
    assert reply.topic == "day" and "không nằm trong Tuần lễ" in reply.plain_text()


async def test_buttons_and_typed_labels(chat):
    assert (await chat.one(payload="menu:schedule")).topic == "schedule"
    assert (await chat.one("Lịch tuần")).topic == "schedule"
    faq_list = await chat.one(payload="menu:faq")
    assert faq_list.topic == "faq_list" and faq_list.buttons
    answer = await chat.one(payload=faq_list.buttons[0].payload)
    assert answer.topic.startswith("faq:")
    assert (await chat.one(payload="faq:removed_entry")).topic == "faq_list"
    assert (await chat.one(payload="nonsense")).topic == "menu"


async def test_subscribe_and_unsubscribe_are_stored(chat, assistant, clock):
    reply = await chat.one("/nhacnho")
    assert reply.topic == "subscribe" and "07:00" in reply.text
    assert any(b.payload == "menu:unsubscribe" for b in reply.buttons)
    assert "đã đăng ký" in (await chat.one("/subscribe")).plain_text().lower()
    async with assistant.storage.session() as s:
        resident = (await s.execute(select(Resident))).scalar_one()
        assert resident.subscribed and resident.subscribed_at is not None
    assert (await chat.one("/huynhac")).topic == "unsubscribe"
    async with assistant.storage.session() as s:
        assert await repo.count_residents(s) == (1, 0)
    assert "chưa đăng ký" in (await chat.one("/unsubscribe")).plain_text()
    at(clock, "2023-10-09T09:00:00+07:00")
    assert "đã kết thúc" in (await chat.one("/nhacnho")).plain_text()


async def test_cancel_always_returns_to_the_menu(chat, assistant):
    async with assistant.storage.session() as s, s.begin():
        resident = (await repo.touch_chat(s, "console", "u1", "Lan", "vi", assistant.clock.now()))[0]
        await repo.set_dialog(s, resident.id, "pledge_amount", {"x": 1}, assistant.clock.now())
    reply = await chat.one("/huy")
    assert reply.topic == "cancel" and reply.buttons
    await assistant.storage.dialogs.flush()
    async with assistant.storage.session() as s:
        assert await repo.get_dialog(s, resident.id) is None


async def test_unknown_command_empty_sticker_and_long_messages(chat):
    unknown = await chat.one("/xoso")
    assert unknown.topic == "fallback" and "/xoso" in unknown.text and unknown.buttons
    assert (await chat.one("   ")).topic == "empty"
    assert (await chat.one(None)).topic == "empty"
    assert (await chat.one(unsupported=True)).topic == "unsupported"
    long = await chat.one(("học tập " * 500).strip() + "!")  # 4,000 characters
    assert long.topic == "too_long" and "4000" in long.text


async def test_residents_text_is_escaped_when_echoed(assistant):
    chat = Chat(assistant, name="<b>Hùng</b> & co")
    reply = await chat.one("/start")
    assert "&lt;b&gt;Hùng&lt;/b&gt; &amp; co" in reply.text
    assert "<b>Hùng" not in reply.text
    unknown = await chat.one("/<script>")
    assert "<script>" not in unknown.text


async def test_unanswered_questions_are_counted_for_staff(chat, assistant):
    for text in ["Giá vàng hôm nay?", "gia vang hom nay", "thời tiết ngày mai"]:
        assert (await chat.one(text)).topic == "fallback"
    async with assistant.storage.session() as s:
        top = await repo.top_unanswered(s)
    assert [(q.folded, q.count) for q in top] == [("gia vang hom nay", 2), ("thoi tiet ngay mai", 1)]
    assert top[0].sample == "Giá vàng hôm nay?"


async def test_sql_looking_text_is_just_text(chat, assistant):
    await chat.one("'; DROP TABLE residents; --")
    async with assistant.storage.session() as s:
        assert (await s.execute(select(UnansweredQuestion.sample))).scalar_one() == "'; DROP TABLE residents; --"
        assert (await repo.count_residents(s))[0] == 1


async def test_english_question_from_a_vietnamese_resident_is_answered_in_english(chat):
    reply = await chat.one("When does the week start?")
    assert "runs from" in reply.text and fold(reply.text).count("1/10") >= 1


async def test_a_crash_mid_way_gives_a_friendly_answer_and_loses_nothing(assistant, monkeypatch):
    from channels.console import ConsoleChannel
    import io

    out = io.StringIO()
    console = ConsoleChannel(assistant, user="u9", json_mode=True, out=out)
    assistant.senders.add(console.name, console.deliver)

    async def boom(ctx):
        raise RuntimeError("database went away")

    monkeypatch.setitem(__import__("handlers.router", fromlist=["x"]).INTENT_HANDLERS, "schedule", boom)
    await console.handle_line("/lich", 1)
    monkeypatch.undo()
    await console.handle_line("/lich", 2)
    lines = out.getvalue().splitlines()
    assert '"topic": "error"' in lines[0] and "0209 000 0000" in lines[0]
    assert '"topic": "schedule"' in lines[1]


async def test_a_staff_notice_that_never_left_is_counted_for_thongke(week, storage, clock):
    """A new-pledge notice whose sends all failed before leaving (NOT_SENT: the API unreachable)
    is nowhere retried: /thongke must count it, as it counts blocked and failed ones."""
    from core.delivery import Outcome, Result
    from handlers.router import Assistant
    from handlers.types import Outgoing, Reply

    assistant = Assistant(week, storage, clock, admins=frozenset({("console", "staff")}))

    async def unreachable(user_id, replies, **kw):
        return Result(Outcome.NOT_SENT, "ConnectError")

    assistant.senders.add("console", unreachable)
    await assistant.deliver(Outgoing("console", "staff", [Reply("💝 KH-0001", "staff")]))
    async with storage.session() as s:
        assert [(f.staff_id, f.count) for f in await repo.staff_notice_failures(s)] == [("staff", 1)]
