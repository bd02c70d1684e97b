"""`python bot.py console` as residents and demos use it: a real process, real SQLite file."""
import json
import subprocess
import sys

import pytest

from conftest import ROOT
from processes import console, replies

pytestmark = pytest.mark.slow  # each test starts bot.py console: seconds each


def test_start_and_schedule_as_json(tmp_path):
    out = replies(console(tmp_path, ["/start", "/lich"], "--json", "--now", "2023-10-03T08:00:00+07:00"))
    assert [(r["input"], r["topic"]) for r in out] == [(1, "start"), (2, "schedule")]
    for r in out:
        assert set(r) == {"input", "topic", "text", "buttons", "files"}
        assert "<b>" not in r["text"]  # plain text, markup removed
    assert out[0]["buttons"] == ["📅 Lịch tuần", "📌 Hôm nay", "🔔 Nhắc hằng ngày", "💝 Ủng hộ", "❓ Hỏi đáp"]
    assert "1/10" in out[1]["text"] and "7/10" in out[1]["text"]


def test_buttons_are_pressed_by_number_or_label(tmp_path):
    out = replies(console(tmp_path, ["/start", "2", "5", "1", "lịch tuần", "9"], "--json",
                          "--now", "2023-10-03T08:00:00+07:00"))
    topics = [r["topic"] for r in out]
    assert topics[:3] == ["start", "day", "faq_list"]
    assert topics[3].startswith("faq:")          # first FAQ button of the list
    assert topics[4] == "schedule"
    assert topics[5] != "day"                    # "9" is no button here: read as text
    assert "3/10" in out[1]["text"]


def test_bad_input_never_crashes(tmp_path):
    lines = ["", "🎉🎉🎉", "<b>in đậm</b> & <script>alert(1)</script>", "'; DROP TABLE residents; --",
             "x" * 4000, "/khongcolenhnay", "\x00\x1b[31m"]
    out = replies(console(tmp_path, lines, "--json"))
    assert [r["input"] for r in out] == list(range(1, len(lines) + 1))
    assert out[0]["topic"] == "empty"
    assert out[4]["topic"] == "too_long"
    assert out[5]["topic"] == "fallback"
    # The same database still answers afterwards: nothing was dropped.
    again = replies(console(tmp_path, ["/lich"], "--json"))
    assert again[0]["topic"] == "schedule"


def test_english_and_user_options(tmp_path):
    out = replies(console(tmp_path, ["/start"], "--json", "--lang", "en", "--name", "Mai", "--user", "42"))
    assert out[0]["text"].startswith("Hello Mai!")
    assert out[0]["buttons"][0] == "📅 Schedule"


def test_human_mode_shows_numbered_buttons(tmp_path):
    run = console(tmp_path, ["/start"])
    assert run.returncode == 0
    assert "[1] 📅 Lịch tuần" in run.stdout and "[5] ❓ Hỏi đáp" in run.stdout


def test_state_survives_between_runs(tmp_path):
    replies(console(tmp_path, ["/nhacnho"], "--json", "--now", "2023-09-30T09:00:00+07:00"))
    out = replies(console(tmp_path, ["/nhacnho"], "--json", "--now", "2023-09-30T09:05:00+07:00"))
    assert "đã đăng ký" in out[0]["text"].lower()


def test_every_eval_amount_through_the_console(tmp_path):
    """shared/eval/amounts_dev.yaml: understood amounts are shown back 1.500.000-style before
    anything is recorded; invalid ones are asked again; nothing is recorded either way."""
    import sqlite3

    from eval_cases import load_eval

    cases = load_eval("amounts_dev.yaml")
    lines = [line for case in cases for line in ("/ungho", case["say"], "/huy")]
    out = replies(console(tmp_path, lines, "--json"))
    answers = {r["input"]: r for r in out}
    for i, case in enumerate(cases):
        reply = answers[3 * i + 2]
        if case.get("invalid"):
            assert reply["topic"] == "pledge_amount_invalid", (case, reply)
        else:
            shown = f"{case['amount']:,}".replace(",", ".") + " đ"
            assert reply["topic"] == "pledge_name" and shown in reply["text"], (case, reply)
    with sqlite3.connect(tmp_path / "bot.db") as db:
        assert db.execute("SELECT count(*) FROM pledges").fetchone() == (0,)


def test_rehearsal_prints_the_reminder_when_it_fires(tmp_path):
    """printf '/nhacnho\\n' | bot.py console --now 06:59:50, input left open: the 07:00 reminder
    arrives as {"input": 0, ...}; at end of input the process exits 0. Ten seconds of margin: the
    subscription must be handled before 07:00 even on a loaded machine (after 07:00 it would get
    the day's program at once instead)."""
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", "PATH": ""}
    proc = subprocess.Popen([sys.executable, "bot.py", "console", "--json", "--now", "2023-10-01T06:59:50+07:00"],
                            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        proc.stdin.write("/nhacnho\n")
        proc.stdin.flush()
        subscribed = json.loads(proc.stdout.readline())
        reminder = json.loads(proc.stdout.readline())  # blocks until the job fires, about 10 s later
        proc.stdin.close()
        assert proc.wait(timeout=120) == 0
    finally:
        proc.kill()
    assert (subscribed["input"], subscribed["topic"]) == (1, "subscribe")
    assert (reminder["input"], reminder["topic"]) == (0, "reminder")
    assert "1/10" in reminder["text"] and "/huynhac" in reminder["text"]


def test_the_terminal_survives_odd_numbers(tmp_path):
    """Odd numbers (tests/unit/test_odd_input.py has more): each of these used to end
    `bot.py console` with a traceback (exit 1)."""
    lines = ["/start", "²", "①", "٣", "１２", "1" * 4301, "9" * 20, "/ungho " + "1" * 5000, "ủng hộ ²k",
             "1.000." + "0" * 5000]
    out = replies(console(tmp_path, lines, "--json"))
    assert sorted({r["input"] for r in out}) == list(range(1, len(lines) + 1))
    assert all(r["topic"] != "error" for r in out)
