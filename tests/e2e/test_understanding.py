"""Residents' questions, as they really type them, answered right or honestly not at all."""
import json
import subprocess
import sys
from collections import defaultdict

import pytest

from conftest import ROOT
from eval_cases import load_eval, question_problem

QUESTIONS = load_eval("questions_dev.yaml") + load_eval("questions_dev2.yaml") + load_eval("near_misses.yaml")
DEFAULT_NOW = "2023-09-25T09:00:00+07:00"


def check(case: dict, topic: str, text: str) -> None:
    problem = question_problem(case, topic, text)
    assert problem is None, problem


@pytest.mark.slow
def test_every_eval_question_through_the_console(tmp_path):
    """All of questions_dev.yaml, questions_dev2.yaml and our near misses, through `bot.py console
    --json`, one process per clock; /huy after each, as a question may start the pledge dialog."""
    by_now = defaultdict(list)
    for case in QUESTIONS:
        by_now[case.get("now", DEFAULT_NOW)].append(case)
    for i, (now, cases) in enumerate(by_now.items()):
        env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / f'{i}.db'}", "PATH": ""}
        run = subprocess.run(
            [sys.executable, "bot.py", "console", "--json", "--now", now, "--user", f"eval{i}"],
            cwd=ROOT, env=env, input="".join(c["q"] + "\n/huy\n" for c in cases),
            capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        replies = [json.loads(line) for line in run.stdout.splitlines()]
        assert [r["input"] for r in replies] == list(range(1, 2 * len(cases) + 1)), run.stdout
        for case, reply in zip(cases, replies[::2]):
            check(case, reply["topic"], reply["text"])


# Beyond the eval sample: other wordings, typos, teencode, no diacritics, English.
PARAPHRASES = [
    ("chu de la j vay ad", "faq:theme"), ("chủ đề năm nay", "faq:theme"), ("chũ đề năm nay", "faq:theme"),
    ("What is the theme?", "faq:theme"), ("khai mac o dau", "faq:opening"), ("mấy h khai mạc", "faq:opening"),
    ("le khai mac to chuc o dau z", "faq:opening"), ("khai mác khi nào", "faq:opening"),
    ("quy khuyen hoc dc bn tien r", "faq:fund_total"), ("tong so tien quyen gop", "faq:fund_total"),
    ("lam sao de ung ho quy", "faq:donate"), ("mk muon ung ho", "pledge_amount"), ("how can I donate", "faq:donate"),
    ("bao gio ket thuc", "faq:dates"), ("bắt đầu khi nào", "faq:dates"), ("tuan le keo dai bao lau", "faq:dates"),
    ("ai tổ chức", "faq:organisers"), ("who organises it", "faq:organisers"), ("có mất phí ko", "faq:join"),
    ("sđt phường", "faq:contact"), ("xã hội học tập là gì", "faq:movement"), ("hoc tap suot doi la gi", "faq:purpose"),
    ("nguoi gia hoc dien thoai o dau", "faq:self_learning"), ("cho xem lịch", "schedule"), ("lich tuan", "schedule"),
    ("nhắc mình mỗi sáng", "subscribe"), ("cam on ad", "thanks"), ("xin chào", "greeting"),
    ("thứ 7 có gì", "day"), ("mùng 6 co hoat dong j", "day"), ("what's on tomorrow", "day"),
]
UNRELATED = ["giá vàng hôm nay", "thời tiết ngày mai", "bóng đá tối nay", "tôi muốn vay tiền",
             "học phí trường cấp 3", "mua bán đất", "'; DROP TABLE residents; --", "asdfgh qwerty"]


@pytest.mark.parametrize("text,topic", PARAPHRASES)
async def test_paraphrases_are_understood(chat, text, topic):
    reply = await chat.one(text)
    assert reply.topic == topic, (text, reply.topic, reply.plain_text()[:120])


@pytest.mark.parametrize("text", UNRELATED)
async def test_unrelated_questions_get_the_honest_fallback(chat, text):
    reply = await chat.one(text)
    assert reply.topic == "fallback", (text, reply.topic)
    assert "0209 000 0000" in reply.text  # the ward's contact
    assert [b.payload for b in reply.buttons][:2] == ["menu:schedule", "menu:today"]
