"""Staff teach the bot a wording it could not answer: stored, used at once, exported to the file."""

import pytest
import yaml

from conftest import Chat, ROOT
from content.asks_export import ExportError, add_asks
from handlers import teach
from handlers.router import Assistant

QUESTION = "Có cần mang theo giấy tờ gì khi đến dự không"  # the FAQ says nothing of papers


async def asked_and_missed(chat: Chat, text: str = QUESTION) -> int:
    reply = await chat.one(text)
    assert reply.topic == "fallback", reply.topic
    [question] = [q for q in await teach.unanswered(chat.assistant) if q.text == text]
    return question.id


async def test_a_taught_wording_is_answered_at_once_and_leaves_the_list(assistant, chat):
    number = await asked_and_missed(chat)
    await chat.one(QUESTION)
    [open_question] = await teach.unanswered(assistant)
    assert (open_question.id, open_question.count) == (number, 2)
    assert open_question.first_seen <= open_question.last_seen

    assert await teach.teach(assistant, number, "join", "web:lan") == QUESTION

    assert (await chat.one(QUESTION)).topic == "faq:join"
    assert (await chat.one("co can mang theo giay to gi khi den du khong")).topic == "faq:join"
    assert await teach.unanswered(assistant) == []


async def test_teaching_an_unknown_question_or_entry_says_so_in_vietnamese(assistant, chat):
    number = await asked_and_missed(chat)
    with pytest.raises(ValueError, match="Không có câu hỏi số 999"):
        await teach.teach(assistant, 999, "join", "web:lan")
    with pytest.raises(ValueError, match="Không có mục hỏi đáp “nope”"):
        await teach.teach(assistant, number, "nope", "web:lan")
    with pytest.raises(ValueError, match="Không có câu hỏi số 998"):
        await teach.dismiss(assistant, 998, "web:lan")
    assert [q.id for q in await teach.unanswered(assistant)] == [number]  # nothing changed


async def test_dismissed_questions_leave_the_list_and_are_not_learned(assistant, chat):
    number = await asked_and_missed(chat)
    await teach.dismiss(assistant, number, "web:lan")
    assert await teach.unanswered(assistant) == []
    assert (await chat.one(QUESTION)).topic == "fallback"


async def test_another_process_learns_it_at_its_next_refresh(week, storage, clock, chat):
    other = Assistant(week, storage, clock)  # a second process on the same database
    other_chat = Chat(other, user="u2")
    assert (await other_chat.one(QUESTION)).topic == "fallback"
    number = [q.id for q in await teach.unanswered(chat.assistant)][0]
    await teach.teach(chat.assistant, number, "join", "web:lan")
    assert (await other_chat.one(QUESTION)).topic == "fallback"  # has not looked yet
    clock.advance(seconds=teach.REFRESH_EVERY.total_seconds() + 1)
    assert (await other_chat.one(QUESTION)).topic == "faq:join"


async def test_staff_teach_with_the_number_from_thongke(assistant, chat):
    number = await asked_and_missed(chat)
    staff = Chat(assistant, user="staff")
    stats = await staff.one("/thongke")
    assert f"#{number} {QUESTION}" in stats.text
    assert [b.payload for b in stats.buttons] == [f"teach:{number}"]

    assert "Cách dùng" in (await staff.one("/day")).text
    assert "Không có mục hỏi đáp" in (await staff.one(f"/day {number} nope")).text
    done = await staff.one(f"/day {number} join")
    assert "Đã dạy bot" in done.text
    assert (await chat.one(QUESTION)).topic == "faq:join"
    assert f"#{number}" not in (await staff.one("/thongke")).text


async def test_staff_teach_with_buttons_and_dismiss(assistant, chat):
    number = await asked_and_missed(chat)
    other = await asked_and_missed(chat, "giá vé xe buýt bao nhiêu")
    staff = Chat(assistant, user="staff")
    choose = await staff.one(payload=f"teach:{number}")
    payloads = [b.payload for b in choose.buttons]
    assert f"teach:{number}:join" in payloads and payloads[-1] == f"teach:{number}:-"
    assert "Đã dạy bot" in (await staff.one(payload=f"teach:{number}:join")).text
    assert (await chat.one(QUESTION)).topic == "faq:join"
    assert "Đã bỏ" in (await staff.one(f"/boqua {other}")).text
    assert await teach.unanswered(assistant) == []


async def test_residents_cannot_teach(assistant, chat):
    number = await asked_and_missed(chat)
    assert "Mình không biết lệnh /day" in (await chat.one(f"/day {number} join")).text
    await chat.one(payload=f"teach:{number}:join")
    assert (await chat.one(QUESTION)).topic == "fallback"


def test_export_adds_wordings_to_flow_lists_and_keeps_comments():
    source = (ROOT / "content" / "week.yaml").read_text(encoding="utf-8")
    out = add_asks(source, {"purpose": {"vi": [QUESTION, 'có "ngoặc" không']}, "theme": {"en": ["what's the motto"]}})
    data = yaml.safe_load(out)
    entries = {e["id"]: e for e in data["faq"]}
    assert entries["purpose"]["ask"]["vi"][-2:] == [QUESTION, 'có "ngoặc" không']
    assert entries["theme"]["ask"]["en"][-1] == "what's the motto"
    assert out.count("# MẪU") == source.count("# MẪU")
    assert len(out.splitlines()) == len(source.splitlines())  # inserted in place, nothing else moved


def test_export_into_block_lists_and_missing_languages():
    source = "faq:\n  - id: a\n    ask:\n      vi:\n        - \"một\"  # note\n        - hai\n    answer: x\n"
    data = yaml.safe_load(add_asks(source, {"a": {"vi": ["ba"], "en": ["three"]}}))
    assert data["faq"][0]["ask"] == {"vi": ["một", "hai", "ba"], "en": ["three"]}
    with pytest.raises(ExportError):
        add_asks(source, {"b": {"vi": ["x"]}})


async def test_export_asks_command_writes_the_taught_wordings(assistant, chat, tmp_path):
    import bot
    from settings import Settings

    number = await asked_and_missed(chat)
    await teach.teach(assistant, number, "join", "web:lan")
    english = await asked_and_missed(chat, "what should I wear to the opening")
    await teach.teach(assistant, english, "join", "web:lan")
    out = tmp_path / "week.yaml"
    settings = Settings(database_url=assistant.storage.url.render_as_string(hide_password=False), content_file=ROOT / "content" / "week.yaml")
    assert await bot.export_asks(settings, out) == 0
    asks = {e["id"]: e["ask"] for e in yaml.safe_load(out.read_text(encoding="utf-8"))["faq"]}
    assert asks["join"]["vi"][-1] == QUESTION
    assert asks["join"]["en"][-1] == "what should I wear to the opening"


async def test_teaching_storage_on_every_database(week, any_storage, clock):
    assistant = Assistant(week, any_storage, clock)
    chat = Chat(assistant)
    number = await asked_and_missed(chat)
    await teach.teach(assistant, number, "join", "web:lan")
    await teach.teach(assistant, number, "join", "web:lan")  # taught twice: kept once
    fresh = Assistant(week, any_storage, clock)
    assert (await Chat(fresh, user="u2").one(QUESTION)).topic == "faq:join"
    assert fresh.taught == {"join": [QUESTION]}


async def test_a_question_closed_meanwhile_is_not_taught_to_another_entry(assistant, chat):
    """Two staff pressing the same stale button: the second cannot attach it elsewhere."""
    number = await asked_and_missed(chat)
    await teach.teach(assistant, number, "join", "web:lan")
    with pytest.raises(ValueError, match=f"Không có câu hỏi số {number}"):
        await teach.teach(assistant, number, "theme", "telegram:2")
    with pytest.raises(ValueError, match=f"Không có câu hỏi số {number}"):
        await teach.dismiss(assistant, number, "telegram:2")
    assert assistant.taught == {"join": [QUESTION]}
