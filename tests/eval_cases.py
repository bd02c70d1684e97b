"""The team's evaluation sample (how residents really type, with expected results) and how a
reply is judged against it: one place, for the tests and the benchmarks.

Read from ../shared/eval (or SHARED_DIR/eval), the current version, when it is there; a clone
on its own (CI on a fresh machine) uses the copy in tests/eval, refreshed with
`cp ../shared/eval/*_dev.yaml tests/eval/`.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from core.text import fold

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = Path(os.environ.get("SHARED_DIR", ROOT.parent / "shared")) / "eval"
COPY = Path(__file__).with_name("eval")


def load_eval(name: str) -> list[dict]:
    folder = SHARED_EVAL if (SHARED_EVAL / name).is_file() else COPY
    return yaml.safe_load((folder / name).read_text(encoding="utf-8"))["cases"]


def question_problem(case: dict, topic: str, text: str) -> str | None:
    """Why a reply does not meet the case (None when it does): the honest fallback where one is
    expected and only there, and every expected pattern (or one of a list) in the folded text."""
    if bool(case.get("fallback")) != (topic == "fallback"):
        return f"{case['q']!r}: topic {topic!r}, fallback expected: {bool(case.get('fallback'))}; {text!r}"
    folded = fold(text)
    for expect in case.get("expect", []):
        patterns = expect if isinstance(expect, list) else [expect]
        if not any(re.search(p, folded) for p in patterns):
            return f"{case['q']!r}: none of {patterns} in {folded!r}"
    return None
