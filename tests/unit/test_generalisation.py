"""Understanding what residents mean, and never answering a different subject: the scope rule,
question frames and synonyms, sub-answers, days left, a wish to give, and the floor the
leave-one-phrasing-out measure reached (bench/understanding.py)."""
from datetime import datetime

import pytest

from bench.understanding import leave_one_out
from core.donation import wants_to_give
from core.matcher import Matcher, read
from core.text import normalize

ENTRIES = {
    "contact": ["số điện thoại phường", "liên hệ ai"],
    "opening": ["lễ khai mạc ở đâu", "khai mạc lúc mấy giờ", "khi nào khai mạc"],
    "dates": ["tuần lễ diễn ra khi nào"],
}
EVIDENCE = {"contact": ["Văn phòng UBND phường: 0209 000 0000"],
            "opening": ["Lễ khai mạc chiều 5/10 tại hội trường phường, sau lễ có quyên góp cho quỹ"]}


def test_a_subject_word_the_content_never_uses_puts_the_question_out_of_scope():
    m = Matcher(ENTRIES, evidence=EVIDENCE)
    assert m.best("số điện thoại phường").key == "contact"
    assert m.best("số điện thoại trạm y tế phường") is None
    assert "bưu" in m.out_of_scope("số điện thoại bưu điện")
    # Fillers and common words the content does not use are not subjects.
    assert m.best("cho mình hỏi số điện thoại phường với ạ").key == "contact"


def test_a_content_syllable_in_another_compound_is_another_word():
    m = Matcher(ENTRIES, evidence=EVIDENCE)
    assert m.best("lễ khai mạc ở đâu vậy").key == "opening"
    assert m.best("lễ khai giảng ở đâu") is None   # "khai" only ever comes with "mạc" here


def test_question_frames_and_synonyms_are_one_thing():
    assert [w for w, _ in read("bao giờ bế mạc")] == ["?when", "ket", "thuc"]
    assert [w for w, _ in read("hôm nào")] == [w for w, _ in read("khi nào")] == ["?when"]
    m = Matcher(ENTRIES, evidence=EVIDENCE)
    assert m.best("khai mạc hôm nào").key == "opening"
    assert m.best("dịp nào khai mạc").key == "opening"


def test_answers_are_evidence_but_never_enough_alone():
    m = Matcher(ENTRIES, evidence=EVIDENCE)
    assert m.best("hôm khai mạc có quyên góp không").key == "opening"  # "quyên góp" is in its answer only
    assert m.best("quyên góp cho quỹ") is None  # shares no asked subject with any phrasing


def test_only_fillers_and_frames_is_no_question():
    m = Matcher(ENTRIES, evidence=EVIDENCE)
    assert m.best("bao nhiêu cũng được") is None
    assert m.best("là gì vậy") is None


@pytest.mark.parametrize("text,wish", [
    ("em muốn đóng góp", True), ("ủng hộ vài trăm", True), ("cho em ủng hộ quỹ với", True),
    ("I want to donate", True), ("ủng hộ thế nào", False), ("ủng hộ ẩn danh được không", False),
    ("tôi không muốn ủng hộ", False), ("quyên góp được bao nhiêu rồi", False), ("muốn xem lịch", False),
])
def test_a_wish_to_give_is_told_from_a_question(text, wish):
    assert wants_to_give(normalize(text), "?" in text) is wish


async def test_a_wish_to_give_without_an_amount_starts_the_pledge_and_asks_it(chat):
    reply = await chat.one("em muốn đóng góp cho quỹ")
    assert reply.topic == "pledge_amount" and "bao nhiêu" in reply.text
    assert (await chat.one("200k")).topic == "pledge_name"


async def test_a_sharper_question_gets_its_sub_answer_first(chat):
    reply = await chat.one("có thể ủng hộ mà giấu tên không")
    assert reply.topic == "faq:donate.anonymous"
    assert reply.text.startswith("Được") and "Ẩn danh" in reply.text and "/ungho" in reply.text


@pytest.mark.parametrize("now,expected", [
    ("2023-09-25T09:00:00+07:00", "Còn <b>6 ngày</b> nữa là đến Tuần lễ"),
    ("2023-10-05T09:00:00+07:00", "ngày thứ 5 của Tuần lễ. Còn <b>2 ngày</b> nữa là kết thúc (ngày 7/10/2023)"),
    ("2023-10-07T09:00:00+07:00", "ngày cuối cùng"),
    ("2023-10-09T09:00:00+07:00", "đã kết thúc ngày 7/10/2023"),
])
async def test_days_left(chat, clock, now, expected):
    clock.set(datetime.fromisoformat(now))
    reply = await chat.one("còn mấy ngày nữa")
    assert reply.topic == "days_left" and expected in reply.text


async def test_next_week_yesterday_and_the_day_after(chat, clock):
    clock.set(datetime.fromisoformat("2023-09-27T09:00:00+07:00"))  # a Wednesday; the week is Sun 1/10 – Sat 7/10
    this_week = await chat.one("tuần này có gì")
    assert this_week.topic == "week" and "1/10" in this_week.text and "2/10" not in this_week.text
    next_week = await chat.one("tuần sau có hoạt động gì")
    assert next_week.topic == "week" and "2/10" in next_week.text and "7/10" in next_week.text
    clock.set(datetime.fromisoformat("2023-10-04T09:00:00+07:00"))
    assert (await chat.one("tuần sau có gì")).topic == "week"  # 9–15/10: nothing, said so
    assert "không có hoạt động" in (await chat.one("tuần sau có gì")).text
    assert (await chat.one("hôm qua có gì")).text.startswith("📅 <b>Hôm qua, Thứ Ba 3/10")
    assert (await chat.one("ngày kia có gì")).text.startswith("📅 <b>Ngày kia, Thứ Sáu 6/10")


@pytest.mark.slow
def test_leave_one_phrasing_out_holds_its_floor(week):
    """Each ask held out in turn still lands on its entry or falls back; the figures reached
    when this was written (bench/results.md) are the floor."""
    right, fell_back, wrong, total, wrongs = leave_one_out(week)
    assert total >= 200
    assert right >= 100, (right, fell_back, wrong)
    assert wrong <= 17, "\n".join(wrongs)
