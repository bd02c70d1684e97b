from datetime import date

import pytest

from core.dates import find_day
from core.text import normalize

START, END = date(2023, 10, 1), date(2023, 10, 7)  # Sunday .. Saturday
BEFORE = date(2023, 9, 25)


def day(text: str, today: date = BEFORE) -> date | None:
    found = find_day(normalize(text), today, START, END)
    return found.day if found else None


@pytest.mark.parametrize("text,expected", [
    ("hôm nay", BEFORE), ("hnay co gi", BEFORE), ("ngày mai", date(2023, 9, 26)), ("mai", date(2023, 9, 26)),
    ("hôm qua", date(2023, 9, 24)), ("ngày kia", date(2023, 9, 27)), ("today", BEFORE), ("tomorrow", date(2023, 9, 26)),
    ("ngày 3/10", date(2023, 10, 3)), ("3-10", date(2023, 10, 3)), ("03/10/2023", date(2023, 10, 3)),
    ("3 tháng 10", date(2023, 10, 3)), ("ngày 6 tháng 10 năm 2023", date(2023, 10, 6)),
    ("mùng 3", date(2023, 10, 3)), ("mong 4", date(2023, 10, 4)), ("ngày 5", date(2023, 10, 5)),
    ("thứ hai", date(2023, 10, 2)), ("thứ 5", date(2023, 10, 5)), ("thu tu", date(2023, 10, 4)),
    ("T7", date(2023, 10, 7)), ("chủ nhật", date(2023, 10, 1)), ("CN", date(2023, 10, 1)),
    ("Thursday", date(2023, 10, 5)), ("October 3rd", date(2023, 10, 3)), ("6 oct", date(2023, 10, 6)),
])
def test_day_phrases(text, expected):
    assert day(text) == expected


@pytest.mark.parametrize("text", [
    "ngày khai mạc", "giai đoạn 2023-2030", "ủng hộ 1.000.000đ", "khai mạc lúc 14:00", "thư mời", "môn học",
    "mấy giờ", "chủ đề năm nay", "ngày 32/10",
])
def test_not_day_phrases(text):
    assert day(text) is None


def test_relative_days_follow_today():
    assert day("ngay mai", today=date(2023, 10, 1)) == date(2023, 10, 2)
    assert day("hôm nay", today=date(2023, 10, 5)) == date(2023, 10, 5)


def test_weekday_outside_the_week_is_the_next_one():
    week_of_3_days = (date(2023, 10, 2), date(2023, 10, 4))  # Monday..Wednesday
    found = find_day(normalize("chủ nhật"), date(2023, 9, 25), *week_of_3_days)
    assert found.day == date(2023, 10, 1)
