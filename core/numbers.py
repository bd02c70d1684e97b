"""Numbers read from what people type: ASCII digits, few of them.

`str.isdigit()` accepts "²" and "①", which `int()` refuses; Python's `\\d` takes Arabic-Indic
and other Unicode digits; and `int()` refuses a run of more than 4,300 digits. Every place that
turns typed text (or a button payload a resident can type) into a number goes through here.
"""
from __future__ import annotations

# 18 digits always fit a signed 64-bit database integer (BIGINT: up to 9.2 * 10**18).
MAX_DIGITS = 18
# For regular expressions: what `\d` would be if it meant only 0-9.
DIGIT = "[0-9]"


def is_number(text: str, max_digits: int = MAX_DIGITS) -> bool:
    """1 to `max_digits` ASCII digits and nothing else."""
    return 0 < len(text) <= max_digits and text.isascii() and text.isdigit()


def read_int(text: str, max_digits: int = MAX_DIGITS) -> int | None:
    """The number `text` spells in 1 to `max_digits` ASCII digits, else None."""
    return int(text) if is_number(text, max_digits) else None
