"""The week file: the shipped one is valid and true to the source article; broken ones are
reported with the place of each error."""
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from content.loader import ContentError, DEFAULT_PATH, load_week
from content.render import faq_answer

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_week_matches_the_article(week):
    assert week.ward.name.vi == "phường Nguyễn Thị Minh Khai"
    assert week.event.theme.vi == "Xây dựng năng lực tự học trong kỷ nguyên số"
    assert (week.event.start.isoformat(), week.event.end.isoformat()) == ("2023-10-01", "2023-10-07")
    assert week.event.timezone == "Asia/Ho_Chi_Minh"
    assert week.opening.date.isoformat() == "2023-10-05"
    assert week.fund.raised_at_opening == 14_000_000
    assert week.movement.period == "2023–2030"
    assert [d.date.day for d in week.days] == [1, 2, 3, 4, 5, 6, 7]
    for entry in week.faq:
        assert entry.answer.en and entry.ask.en, entry.id
        for lang in ("vi", "en"):
            assert "{" not in faq_answer(week, entry, lang)


def broken(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "week.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def errors_of(path: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_week(path)
    return info.value.errors


def test_day_outside_the_week_is_reported_with_its_place(tmp_path):
    def change(d):
        d["days"][3]["date"] = "2023-10-12"
    errors = errors_of(broken(tmp_path, change))
    assert any(e.endswith("days[3].date: not within the week") for e in errors), errors
    assert any("no program for 4/10/2023" in e for e in errors), errors
    assert errors[0].startswith("line "), errors


def test_every_error_is_reported_at_once(tmp_path):
    def change(d):
        del d["event"]["theme"]
        d["reminder_time"] = "7h sáng"
        d["faq"][0]["answer"]["vi"] = "Chủ đề: {chu_de}"
        d["faq"][1]["id"] = d["faq"][0]["id"]
        d["event"]["timezone"] = "Asia/Hanoi_Typo"
        d["opening"]["colour"] = "đỏ"
    errors = errors_of(broken(tmp_path, change))
    text = "\n".join(errors)
    assert "event.theme: missing" in text
    assert "reminder_time:" in text
    assert "opening.colour: unknown field" in text
    # Structural errors come first; the cross-field rules run once the structure is valid.
    fixed = broken(tmp_path, lambda d: (change(d), d["event"].__setitem__("theme", "x"),
                                        d.__setitem__("reminder_time", "07:00"), d["opening"].pop("colour")))
    text = "\n".join(errors_of(fixed))
    assert "faq[0].answer.vi: unknown placeholder {chu_de}" in text
    assert "faq[1].id: duplicate id 'theme'" in text
    assert "event.timezone: unknown time zone" in text


def test_yaml_syntax_error_gives_the_line(tmp_path):
    path = tmp_path / "week.yaml"
    path.write_text("ward:\n  name: [oops\nevent: {}\n", encoding="utf-8")
    (error,) = errors_of(path)
    assert error.startswith("line ") and "not valid YAML" in error


@pytest.mark.slow
def test_check_content_command(tmp_path):
    ok = subprocess.run([sys.executable, "bot.py", "check-content"], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0 and "OK" in ok.stdout
    path = broken(tmp_path, lambda d: d["days"][3].__setitem__("date", "2023-10-12"))
    bad = subprocess.run([sys.executable, "bot.py", "check-content", str(path)], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "days[3].date: not within the week" in bad.stderr


@pytest.mark.slow
def test_bot_refuses_to_start_on_invalid_content(tmp_path):
    path = broken(tmp_path, lambda d: d["days"][3].__setitem__("date", "2023-10-12"))
    env = {"CONTENT_FILE": str(path), "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", "PATH": ""}
    run = subprocess.run([sys.executable, "bot.py", "console", "--json"], cwd=ROOT, input="/start\n",
                         capture_output=True, text=True, env=env)
    assert run.returncode == 1
    assert run.stdout == ""
    assert "days[3].date: not within the week" in run.stderr
