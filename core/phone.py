"""Vietnamese phone numbers as residents type them: 0912 345 678, 0912.345.678, +84 912345678."""
from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()]")
# Mobile: 0 + 3/5/7/8/9 + 8 digits. Landline: 02 + 9 digits (area code included).
_VALID = re.compile(r"^0(?:[35789][0-9]{8}|2[0-9]{9})$")  # [0-9]: \d takes any Unicode digit


def normalize_phone(text: str) -> str | None:
    """The number in national form (0912345678), or None when it is not a Vietnamese number."""
    digits = _SEPARATORS.sub("", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if _VALID.match(digits) else None


def format_phone(number: str) -> str:
    """0912345678 -> "0912 345 678"; 02093870000 -> "0209 387 0000"."""
    return f"{number[:4]} {number[4:7]} {number[7:]}"
