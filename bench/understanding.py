"""3. Understanding: question matching and amount parsing time, accuracy on the shared dev sets."""
from __future__ import annotations

import random
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from bench.answering import BLOCKS
from bench.common import median, pct, row, sqlite_url
from content.loader import load_week
from content.schema import Asks, Faq, LocalText
from core.amounts import parse_amount_detailed
from core.clock import ManualClock
from core.text import fold
from eval_cases import load_eval, question_problem  # tests/, on the path through bench.common
from handlers.router import Assistant
from handlers.types import Incoming
from storage.db import Storage

BENCH = "3. Understanding"
DEFAULT_NOW = "2023-09-25T09:00:00+07:00"  # as tests/test_understanding.py
OFF_TOPIC = ["giá vàng hôm nay", "thời tiết ngày mai", "bóng đá tối nay", "tôi muốn vay tiền", "mua bán đất",
             "học phí trường cấp 3", "asdfgh qwerty", "cho hỏi đường ra bến xe", "điện thoại bị hỏng"]
AMOUNTS = ["100k", "1tr", "3tr5", "2,5 triệu", "150 nghìn", "1.000.000đ", "hai triệu rưỡi", "một trăm linh năm nghìn",
           "em xin ủng hộ quỹ khuyến học 1tr nhé", "gia đình tôi xin ủng hộ 2 triệu đồng", "200-300k", "vài trăm",
           "500", "mot tram nam muoi nghin", "1 tỷ 200 triệu", "chị ủng hộ 500k, chúc chương trình thành công!"]

# Generated FAQ entries: "<thing> <place>" asked in a few ways, with and without diacritics.
THINGS = ["lớp tin học", "câu lạc bộ đọc sách", "lớp tiếng Anh", "lớp kỹ năng số", "thư viện", "lớp dạy nấu ăn",
          "lớp thư pháp", "lớp vẽ tranh", "lớp bơi", "câu lạc bộ cờ tướng", "lớp học nghề may", "lớp sửa xe máy",
          "lớp chăm sóc cây trồng", "lớp nuôi ong", "buổi nói chuyện sức khỏe", "lớp dùng điện thoại thông minh",
          "lớp an toàn giao thông", "câu lạc bộ dưỡng sinh", "lớp múa dân gian", "lớp hát then", "lớp đàn tính",
          "lớp kế toán gia đình", "lớp học làm bánh", "phòng đọc thiếu nhi", "tủ sách pháp luật",
          "lớp phòng cháy chữa cháy", "lớp sơ cứu", "lớp tiếng Tày", "lớp trồng nấm", "lớp bán hàng trực tuyến",
          "lớp chụp ảnh", "lớp làm video", "câu lạc bộ khuyến học", "lớp xóa mù chữ", "lớp bồi dưỡng hè",
          "lớp học online", "lớp ngoại khóa", "trung tâm học tập cộng đồng", "lớp tập huấn nông nghiệp", "lớp đan len"]
PLACES = ["tổ 1", "tổ 2", "tổ 3", "tổ 4", "tổ 5", "tổ 6", "tổ 7", "tổ 8", "tổ 9", "tổ 10", "thôn Nà Cù",
          "thôn Khuổi Cuồng", "nhà văn hóa", "trường tiểu học", "trường mầm non", "chợ phường", "khu Phặc Tràng",
          "khu Đội Kỳ", "bản Vọt", "xóm Mới", "khu Tân Thành", "khu Bắc Sơn", "bến xe cũ", "khu Minh Khai",
          "trường trung học cơ sở"]
ASPECTS = ["{x} ở {p} học ở đâu", "{x} {p} mấy giờ", "cho hỏi {x} tại {p} có mất phí không",
           "đăng ký {x} {p} thế nào", "{x} {p} ai dạy", "{x} {p} bao giờ khai giảng"]


def generated_faq(count: int, seed: int = 7) -> list[Faq]:
    rnd = random.Random(seed)
    pairs = [(x, p) for x in THINGS for p in PLACES]
    rnd.shuffle(pairs)
    entries = []
    for n, (x, p) in enumerate(pairs[:count]):
        asks = [a.format(x=x, p=p) for a in rnd.sample(ASPECTS, 3)]
        asks.append(fold(asks[0]))  # the same typed without diacritics
        entries.append(Faq(id=f"gen_{n}", ask=Asks(vi=asks), answer=LocalText(vi=f"{x} ({p}): liên hệ tổ trưởng.")))
    return entries


def typo(text: str, rnd: random.Random) -> str:
    """Drop or double one letter of one longer word, as a hurried thumb does."""
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 5]
    if not long:
        return text
    i = rnd.choice(long)
    j = rnd.randrange(1, len(words[i]) - 1)
    w = words[i]
    words[i] = w[:j] + w[j + 1:] if rnd.random() < 0.5 else w[:j] + w[j] + w[j:]
    return " ".join(words)


def questions(week, extra: list[Faq]) -> list[str]:
    """Residents' questions: the eval set, the answering mix, FAQ wordings with typos, off-topic."""
    rnd = random.Random(11)
    base = [c["q"] for c in load_eval("questions_dev.yaml")] + OFF_TOPIC
    base += [s for block in BLOCKS for s in block if not s.startswith(("/", "button:"))]
    wordings = [a for e in week.faq for a in e.ask.vi] + [a for e in extra for a in e.ask.vi[:1]]
    base += rnd.sample(wordings, min(60, len(wordings)))
    return base + [typo(fold(q) if rnd.random() < 0.5 else q, rnd) for q in base]


def matching_times(week, runs: int) -> tuple[float, float, int]:
    """p50, p95 (ms) of Matcher.best over the questions, each run on a fresh matcher (cold
    typo cache), as the Assistant builds it; medians over the runs."""
    qs = questions(week, [f for f in week.faq if f.id.startswith("gen_")])
    p50s, p95s = [], []
    for _ in range(runs):
        matcher = Assistant(week, None, ManualClock(datetime.fromisoformat(DEFAULT_NOW))).matcher
        times = []
        for q in qs:
            t = time.perf_counter()
            matcher.best(q)
            times.append((time.perf_counter() - t) * 1000)
        p50s.append(pct(times, 50))
        p95s.append(pct(times, 95))
    return median(p50s), median(p95s), len(qs)


def parsing_times(runs: int) -> tuple[float, float, int]:
    """p50, p95 (µs) over expressions of each expression's median parse time."""
    exprs = [c["say"] for c in load_eval("amounts_dev.yaml")] + AMOUNTS
    per_expr = []
    for e in exprs:
        samples = []
        for _ in range(runs):
            t = time.perf_counter()
            parse_amount_detailed(e)
            samples.append((time.perf_counter() - t) * 1e6)
        per_expr.append(median(samples))
    return pct(per_expr, 50), pct(per_expr, 95), len(exprs)




async def accuracy(week, folder: Path) -> tuple[int, int, int, int]:
    """(questions passed, questions, amounts passed, amounts): through the Assistant in-process,
    one resident per clock as the console test does, and the amounts through the pledge dialog."""
    storage = Storage(sqlite_url(folder / "eval.db"))
    await storage.start()
    clock = ManualClock(datetime.fromisoformat(DEFAULT_NOW))
    assistant = Assistant(week, storage, clock)
    n = 0

    async def say(user: str, text: str):
        nonlocal n
        n += 1
        return await assistant.handle(Incoming("console", user, None, "vi", text=text, message_id=str(n)))

    try:
        by_now = defaultdict(list)
        cases = load_eval("questions_dev.yaml")
        for case in cases:
            by_now[case.get("now", DEFAULT_NOW)].append(case)
        q_ok = 0
        for i, (now, group) in enumerate(by_now.items()):
            clock.set(datetime.fromisoformat(now))
            for case in group:
                replies = await say(f"eval{i}", case["q"])
                q_ok += len(replies) == 1 and question_problem(case, replies[0].topic, replies[0].plain_text()) is None
        clock.set(datetime.fromisoformat(DEFAULT_NOW))
        amounts = load_eval("amounts_dev.yaml")
        a_ok = 0
        for case in amounts:
            await say("amounts", "/ungho")
            reply = (await say("amounts", case["say"]))[0]
            await say("amounts", "/huy")
            if case.get("invalid"):
                a_ok += reply.topic == "pledge_amount_invalid"
            else:
                shown = f"{case['amount']:,}".replace(",", ".") + " đ"
                a_ok += reply.topic == "pledge_name" and shown in reply.plain_text()
        return q_ok, len(cases), a_ok, len(amounts)
    finally:
        await storage.close()


async def run(quick: bool = False) -> list:
    runs, generated = (1, 300) if quick else (5, 1000)
    week = load_week()
    big = week.model_copy(update={"faq": week.faq + generated_faq(generated)})
    rows = []
    for w, name, key in ((week, f"shipped FAQ ({len(week.faq)} entries)", "understanding.match_p95"),
                         (big, f"FAQ + {generated:,} generated entries", "understanding.match_p95_generated")):
        p50, p95, n = matching_times(w, runs)
        rows.append(row(BENCH, f"Matching, {name}: p50 / p95 ({n} questions)", key, p95,
                        f"{p50:.3f} / {{:.3f}} ms", "p95 < 1 ms", lambda v: v < 1))
    p50, p95, n = parsing_times(200 if quick else 2000)
    rows.append(row(BENCH, f"Amount parsing: p50 / p95 ({n} expressions)", "understanding.amount_p95_us", p95,
                    f"{p50:.0f} / {{:.0f}} µs"))
    with tempfile.TemporaryDirectory(prefix="bench-understanding-") as tmp:
        q_ok, q_n, a_ok, a_n = await accuracy(week, Path(tmp))
    rows += [
        row(BENCH, "Accuracy, questions_dev.yaml (in-process)", "understanding.questions_ok", q_ok,
            f"{{}} / {q_n}", f"{q_n} / {q_n}", lambda v: v == q_n),
        row(BENCH, "Accuracy, amounts_dev.yaml (pledge dialog, in-process)", "understanding.amounts_ok", a_ok,
            f"{{}} / {a_n}", f"{a_n} / {a_n}", lambda v: v == a_n),
    ]
    return rows
