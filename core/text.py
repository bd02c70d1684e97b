"""Text folding: the form residents' messages and the bot's phrasings are compared in.

Residents type with or without diacritics, in any case, with teencode; folding makes
"Chủ đề là gì?", "chu de la j" and "CHỦ ĐỀ LÀ GÌ" the same tokens.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Common Vietnamese chat abbreviations, folded form -> folded expansion.
TEENCODE = {
    "k": "khong", "ko": "khong", "kg": "khong", "kh": "khong", "khg": "khong", "hok": "khong",
    "hem": "khong", "j": "gi", "ji": "gi", "mk": "minh", "mik": "minh", "mn": "moi nguoi",
    "ad": "admin", "dc": "duoc", "dk": "duoc", "ntn": "nhu the nao", "bn": "bao nhieu",
    "bnh": "bao nhieu", "bnhieu": "bao nhieu", "vs": "voi", "ms": "moi", "r": "roi",
    "z": "vay", "v": "vay", "ng": "nguoi", "ns": "noi", "hnay": "hom nay", "hn": "hom nay",
    "nhg": "nhung", "trc": "truoc", "sn": "sinh nhat", "tks": "cam on", "thanks": "cam on",
    "cmon": "cam on", "ok": "ok", "oke": "ok", "okie": "ok", "bh": "bao gio", "bjo": "bao gio",
    "bgio": "bao gio", "lm": "lam", "wa": "qua", "sdt": "so dien thoai", "dt": "dien thoai",
    "dth": "dien thoai", "kmac": "khai mac", "qkh": "quy khuyen hoc",
}

_TOKEN_RE = re.compile(r"[0-9]+(?:[/.,:\-][0-9]+)*[a-z]*|[a-z]+")


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese tone and vowel marks; "đ" becomes "d"."""
    if text.isascii():  # no marks, and both normal forms leave ASCII as it is
        return text
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def fold(text: str) -> str:
    """Lowercase, no diacritics, single spaces: the form used for every comparison."""
    return " ".join(strip_diacritics(text).lower().split())


def tokens(text: str) -> list[str]:
    """Folded words with teencode expanded; punctuation and emoji dropped."""
    return normalize(text).split()


# One message is read several times (a button label? a day? a pledge? an FAQ?), and residents
# send the same few questions: the recent ones are kept (by the router's read limit, a few MB).
@lru_cache(maxsize=2048)
def normalize(text: str) -> str:
    """Folded, teencode-expanded text as one string of space-separated tokens."""
    out: list[str] = []
    for tok in _TOKEN_RE.findall(fold(text)):
        out.extend(TEENCODE.get(tok, tok).split())
    return " ".join(out)


# What is kept of a message for staff: a longer one is cut before any pattern reads it.
KEEP_CHARS = 2000
# Any Unicode digit (\d), unlike where numbers are read: a phone typed in other digits is still
# personal. A start that fails can only be within 6 characters of the previous one, so each
# character is read a bounded number of times.
_LONG_NUMBER = re.compile(r"\+?\d[\d .\-]{6,}\d")
# Starts only where a run of address characters starts, and its possessive parts never give
# back what they took: linear. (Without these, "[\w.+-]+@" retried every position of a long
# word, each time to its end: quadratic.)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++")


def mask_personal(text: str) -> str:
    """Phone and account numbers, e-mail addresses -> placeholders: for text kept for statistics.
    Amounts ("15.000.000") are kept: a phone number starts with 0 or +, an account is longer.
    Only the first KEEP_CHARS are kept (to the last space before, so no half number is left)."""
    if len(text) > KEEP_CHARS:
        text = text[:KEEP_CHARS]
        text = text[:text.rfind(" ")] if " " in text else text

    def number(m: re.Match) -> str:
        digits = sum(c.isdigit() for c in m.group())
        personal = digits >= 13 or (digits >= 9 and m.group()[0] in "0+")
        return "[số]" if personal else m.group()
    return _EMAIL.sub("[email]", _LONG_NUMBER.sub(number, text))


def has_vietnamese_marks(text: str) -> bool:
    return strip_diacritics(text) != text
