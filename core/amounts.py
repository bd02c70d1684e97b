"""Pledge amounts as residents type them, to an integer of đồng.

"500k", "3tr5", "2,5 triệu", "1.000.000đ", "1 củ", "hai triệu rưỡi", "một trăm linh năm nghìn",
possibly inside a sentence ("em xin ủng hộ quỹ 1tr nhé"). Everything is matched on the folded
text (no diacritics, lowercase), so "năm trăm nghìn" and "nam tram nghin" are the same.

The parser finds every amount expression in the message, then decides:
- expressions with a unit (k, tr, triệu, nghìn, củ, tỷ) or a currency (đ, vnđ, đồng) win over bare
  numbers, so "2 suất 500k" or "năm 2023 ủng hộ 500k" give 500.000;
- two different amounts, a range ("200-300k", "1 đến 2 triệu") or a vague count ("vài trăm")
  give "not_understood": the bot asks again rather than guess;
- a bare number under 1.000 ("500") is "bare_small" with a ×1000 suggestion to ask back.
The maximum pledge is the caller's business: "10 tỷ" parses to 10_000_000_000.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, NamedTuple

from core.numbers import MAX_DIGITS
from core.text import fold

Reason = Literal["not_understood", "negative", "zero", "bare_small"]


@dataclass(frozen=True, slots=True)
class AmountResult:
    """What a message says about an amount.

    amount: đồng when understood (negative for "-1tr"/"âm 1 triệu", 0 for "0đ", the literal
    number for bare_small); None when not understood.
    reason: None when the amount can be used as is.
    suggestion: for bare_small, the amount to ask back ("500" -> 500_000).
    """

    amount: int | None
    reason: Reason | None = None
    suggestion: int | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


_NOT_UNDERSTOOD = AmountResult(None, "not_understood")

# --- vocabulary (folded forms) ---------------------------------------------------------------

_BIG_UNITS: dict[str, int] = {
    "k": 1_000, "nghin": 1_000, "ngan": 1_000, "ngin": 1_000, "nghan": 1_000,
    "tr": 1_000_000, "trieu": 1_000_000, "cu": 1_000_000, "m": 1_000_000,
    "ty": 1_000_000_000, "ti": 1_000_000_000,
}
_CURRENCY = frozenset({"d", "vnd", "dong"})
# Words that may touch a number without a space ("500k", "1.000.000đ", "3tr5", "5trăm").
_GLUE_OK = frozenset(_BIG_UNITS) | _CURRENCY | {"tram"}

_DIGITS: dict[str, int] = {
    "khong": 0, "mot": 1, "hai": 2, "ba": 3, "bon": 4,
    "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}
# Units digit after mươi/mười: "mốt" (folds to mot) = 1, "tư" = 4, "lăm"/"nhăm" = 5.
_AFTER_TENS: dict[str, int] = {w: v for w, v in _DIGITS.items() if v} | {"tu": 4, "lam": 5, "nham": 5}
# "hai lăm" = 25, "năm mốt" = 51: spoken with mươi dropped, only with these unit words.
_COLLOQUIAL_UNITS: dict[str, int] = {"mot": 1, "tu": 4, "lam": 5, "nham": 5}
_NUMBER_WORDS = frozenset(_DIGITS) | {"muoi", "tram", "nua"} | frozenset(_BIG_UNITS)

# Before an implicit "một" ("triệu rưỡi"): these make it vague or not a count ("phần trăm").
_VAGUE_BEFORE = frozenset({"vai", "may", "dam", "bao", "nhieu", "hang", "phan", "it"})
# "hai triệu năm nay" is 2 million this year, not 2.5 million.
_AFTER_YEAR_NAM = frozenset({"nay", "ngoai", "sau", "truoc", "toi", "qua", "roi", "do"})
# A tail that is a lone digit ("1 triệu 2", "một triệu hai") must end the phrase: in
# "2 triệu ba mẹ góp" the "ba" is a word, not 2.300.000.
_PHRASE_END = frozenset({
    "nhe", "nha", "nhen", "a", "ah", "thoi", "nhi", "ha", "day", "ne", "luon", "ok", "oke",
    "cho", "vao", "gui", "de",
})
# A number with no unit next to these is a date, an address, an age, a count... not money.
_BARE_BEFORE = frozenset({
    "nam", "ngay", "thang", "tuan", "thu", "lop", "khoi", "khoa", "to", "pho", "khu", "phuong",
    "p", "quan", "q", "xom", "ap", "thon", "so", "sdt", "stk", "tk", "luc", "gio", "hem", "ngo",
    "ngach", "kiet", "nha", "phong", "tang", "lo", "can", "ban", "tuoi", "ma", "id", "dt", "hotline",
})
_BARE_AFTER = frozenset({
    "tuoi", "nguoi", "lan", "chau", "hs", "suat", "phan", "ngay", "thang", "nam", "tuan", "gio",
    "h", "phut", "p", "giay", "lop", "diem", "ho", "cuon", "quyen", "chiec", "cai", "con", "tieng",
    "km", "kg", "met", "thu",
    "lit", "xi", "chai",  # slang for 100k / 1tr that differs by region: ask again
})
# Between two amounts these make a range or a choice: ask again.
_RANGE_WORDS = frozenset({"-", "~", "den", "toi", "hoac"})

# Dashes are normalised so that "-1tr" and "200–300k" are seen.
_DASHES = ("–", "—", "−")
_UNIT_ALT = "|".join(sorted(_BIG_UNITS, key=len, reverse=True))
# One token per match: (space before, number, word, symbol). A unit glued to a currency
# ("100kđ", "2trvnđ") is cut in two words. Punctuation is kept as symbols so that
# "1 triệu, hai người" does not read as 1.200.000.
# ASCII digits only: "²" is a Unicode digit that int() refuses.
_TOKEN_RE = re.compile(
    r"( ?)(?:(\d+(?:[.,]\d+)*)|((?:%s)(?=(?:vnd|dong|d)(?![a-z]))|[a-z]+)|(\S))" % _UNIT_ALT,
    re.ASCII,
)
# "1 000 000": groups of three after single spaces, unless a unit follows ("1 500 nghìn" is
# more likely two numbers than 1.500 nghìn).
_SPACED_GROUPS_RE = re.compile(
    r"(?<![\w.,])\d{1,3}(?: \d{3})++(?![\d.,])(?! ?(?:%s)(?![a-z]))" % _UNIT_ALT, re.ASCII
)
_SEP_RE = re.compile(r"[.,]")


def _num_parts(text: str) -> tuple[int, int] | None:
    """(mantissa, scale) of "1.000.000" / "1,000,000" (grouping) or "2,5" / "1.5" (decimal)."""
    # ASCII digits and separators (_TOKEN_RE): only their number is left to bound.
    if len(text) - text.count(".") - text.count(",") > MAX_DIGITS:
        return None  # more digits than any amount: an account number, or a forged run of digits
    if text.isdigit():
        return int(text), 0
    groups = _SEP_RE.split(text)
    if len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
        return int("".join(groups)), 0
    if len(groups) == 2:
        return int(groups[0] + groups[1]), len(groups[1])
    return None  # "5.10.2023", "1.2.3": not an amount


class _Num(NamedTuple):
    """A written number worth mant / 10**scale ("2,5" -> 25, 1)."""

    mant: int
    scale: int
    text: str


# Count kinds: "num" written digits, "word" number words with trăm/mươi, "digit" a lone digit
# word, "half" nửa, "one" the implicit một of "triệu rưỡi".
_Count = tuple[int, int, str]  # mantissa, scale, kind


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    value: int | None  # None: not a whole number of đồng ("1.2345k")
    has_unit: bool
    negative: bool = False
    vague: bool = False


class _Scan:
    """The tokens of one folded message and the amount grammar over them."""

    __slots__ = ("toks", "size", "nums")

    def __init__(self, folded: str) -> None:
        self.toks: list[tuple[str, str, str, str]] = _TOKEN_RE.findall(
            _SPACED_GROUPS_RE.sub(lambda m: m.group().replace(" ", ""), folded))
        self.size = len(self.toks)
        # Numbers that may be (part of) an amount; dates, phone numbers, "8h" are left out.
        self.nums: dict[int, _Num] = {}
        for i, tok in enumerate(self.toks):
            if tok[1]:
                num = self._number(i, tok[1])
                if num is not None:
                    self.nums[i] = num

    # -- token access --

    def word(self, i: int) -> str | None:
        return self.toks[i][2] or None if 0 <= i < self.size else None

    def sym(self, i: int) -> str | None:
        return self.toks[i][3] or None if 0 <= i < self.size else None

    def is_number(self, i: int) -> bool:
        return 0 <= i < self.size and bool(self.toks[i][1])

    def glued(self, i: int) -> bool:
        """No space between token i and the one before."""
        return 0 < i < self.size and not self.toks[i][0]

    def _number(self, i: int, text: str) -> _Num | None:
        parts = _num_parts(text)
        if parts is None:
            return None
        before = (self.word(i - 1), self.sym(i - 1)) if self.glued(i) else (None, None)
        after = (self.word(i + 1), self.sym(i + 1)) if self.glued(i + 1) else (None, None)
        if (before[0] and before[0] not in _GLUE_OK) or (after[0] and after[0] not in _GLUE_OK):
            return None  # "covid19", "12a1", "8h", "5p"
        if after[1] == "%":
            return None
        if ((before[1] in ("/", ":") and self.is_number(i - 2) and self.glued(i - 1))
                or (after[1] in ("/", ":") and self.is_number(i + 2) and self.glued(i + 2))):
            return None  # "5/10", "8:30"; but "500k/tháng" and "500000/tháng" are amounts
        if text.isdigit() and len(text) > 1 and text[0] == "0" and self.word(i - 1) not in _BIG_UNITS:
            return None  # phone or account number; "1tr050", "2 triệu 050" keep their zero
        if text.isdigit() and len(text) > 12:
            return None  # account number
        return _Num(parts[0], parts[1], text)

    def unit(self, i: int) -> int:
        w = self.word(i)
        if w is None:
            return 0
        if w == "m" and not self.glued(i):
            return 0  # "1m5" is money; "500 m" is more likely "mình"
        if w == "cu" and self.word(i + 1) in ("gia", "ong", "ba"):
            return 0  # "2 cụ già"
        return _BIG_UNITS.get(w, 0)

    def currency(self, i: int) -> bool:
        w = self.word(i)
        return w in _CURRENCY and not (w == "dong" and self.word(i + 1) == "y")  # "đồng ý"

    def ends_phrase(self, i: int) -> bool:
        return (i >= self.size or self.sym(i) is not None or self.currency(i)
                or self.word(i) in _PHRASE_END)

    def vague_before(self, i: int) -> bool:
        return self.is_number(i - 1) or self.word(i - 1) in _VAGUE_BEFORE

    # -- number words --

    def digit(self, i: int, words_only: bool = False) -> int | None:
        """A digit word ("năm") or, for "5 trăm", a single written digit."""
        w = self.word(i)
        if w is not None:
            return _DIGITS.get(w)
        num = None if words_only else self.nums.get(i)
        return num.mant if num is not None and len(num.text) == 1 else None

    def tens(self, i: int) -> tuple[int, int] | None:
        """10..99: "mười lăm", "hai mươi mốt", "ba chục", colloquial "hai lăm"."""
        if self.word(i) == "muoi":  # mười
            u = _AFTER_TENS.get(self.word(i + 1) or "")
            return (10 + u, i + 2) if u else (10, i + 1)
        d = self.digit(i)
        if not d:
            return None
        nxt = self.word(i + 1)
        if nxt == "muoi":
            u = _AFTER_TENS.get(self.word(i + 2) or "")
            return (d * 10 + u, i + 3) if u else (d * 10, i + 2)
        if nxt == "chuc":
            return d * 10, i + 2
        if nxt in _COLLOQUIAL_UNITS and d >= 2 and self.word(i) is not None:
            return d * 10 + _COLLOQUIAL_UNITS[nxt], i + 2
        return None

    def small(self, i: int) -> tuple[int, int, bool] | None:
        """A number 0..999 in words: (value, next index, compound).

        compound is False for a lone digit word ("hai"): a count only before a unit, and after
        a unit a tenth of it ("một triệu hai" = 1.200.000).
        """
        d = self.digit(i)
        if d is not None and self.word(i + 1) == "tram":
            total, j = d * 100, i + 2
        elif self.word(i) == "tram" and self.word(i + 1) == "ruoi" and not self.vague_before(i):
            return 150, i + 2, True  # "trăm rưỡi"
        else:
            tens = self.tens(i)
            if tens:
                return tens[0], tens[1], True
            if d is not None and self.word(i) is not None:
                return d, i + 1, False
            return None
        w = self.word(j)
        if w in ("linh", "le"):
            u = self.digit(j + 1, words_only=True)
            return (total + u, j + 2, True) if u else (total, j, True)
        if w == "ruoi":
            return total + 50, j + 1, True
        tens = self.tens(j)
        if tens:
            return total + tens[0], tens[1], True
        u = _AFTER_TENS.get(w or "")
        if u:
            return total + u * 10, j + 1, True  # "trăm hai" = 120, "trăm tư" = 140
        return total, j, True

    def count(self, i: int) -> tuple[_Count, int] | None:
        """What may stand before a unit: "2", "2,5", "hai", "năm trăm", "nửa"."""
        num = self.nums.get(i)
        if num is not None:
            if len(num.text) == 1 and self.word(i + 1) in ("tram", "muoi", "chuc"):
                small = self.small(i)
                if small:
                    return (small[0], 0, "word"), small[1]
            return (num.mant, num.scale, "num"), i + 1
        w = self.word(i)
        if w is None:
            return None
        if w == "nua":
            return (5, 1, "half"), i + 1
        if w in _BIG_UNITS and self.word(i + 1) == "ruoi" and not self.vague_before(i):
            return (1, 0, "one"), i
        small = self.small(i)
        if small is None:
            return None
        value, j, compound = small
        return (value, 0, "word" if compound else "digit"), j

    # -- amounts --

    def tail(self, j: int, unit: int, total: int) -> tuple[int, int]:
        """After the last unit: "rưỡi", "3tr5", "2tr500", "một triệu hai", "… năm trăm"."""
        if j >= self.size:
            return total, j
        w = self.word(j)
        if w == "ruoi":
            return total + unit // 2, j + 1
        small = self.small(j)
        if small is not None:
            value, k, compound = small
            if self.unit(k):
                return total, j  # another group, in the wrong order: not a tail
            if compound:  # spoken amounts drop the next unit: "hai triệu năm trăm" = 2.500.000
                return total + value * (unit // 1000), k
            if value == 0 or not self.ends_phrase(k):
                return total, j
            if w == "nam" and self.word(k) in _AFTER_YEAR_NAM:
                return total, j  # "2 triệu năm nay"
            return total + value * unit // 10, k  # "một triệu hai" = 1.200.000
        num = self.nums.get(j)
        if num is not None:
            if num.scale or self.unit(j + 1):
                return total, j
            if not self.glued(j) and not self.ends_phrase(j + 1):
                return total, j  # "1 triệu 2 lần"
            if len(num.text) <= 3:  # decimals of the unit: 3tr5 = 3,5 tr; 1tr050 = 1.050.000
                return total + num.mant * unit // 10 ** len(num.text), j + 1
            if num.mant < unit:  # "1 triệu 500000"
                return total + num.mant, j + 1
            return total, j
        if w == "tu" and self.ends_phrase(j + 1):  # "một triệu tư"
            return total + 4 * unit // 10, j + 1
        return total, j

    def expr(self, i: int) -> _Cand | None:
        """The amount expression starting at token i, if any."""
        total, exact, last_unit, j, decimal = 0, True, 0, i, False
        while j < self.size:
            # "một triệu lẻ năm nghìn" = 1.005.000
            at = j + 1 if last_unit and self.word(j) in ("le", "linh") else j
            parsed = self.count(at)
            if parsed is None:
                break
            (mant, scale, kind), k = parsed
            unit = self.unit(k)
            if not unit:
                break
            if last_unit and (unit >= last_unit or scale or mant >= 1000):
                break  # units must decrease: 1 triệu 500 nghìn
            if not last_unit and kind == "digit" and mant == 0:
                break  # "không k" is "no", not zero
            n = mant * unit
            exact = exact and n % 10**scale == 0
            total += n // 10**scale
            last_unit, j = unit, k + 1
            if scale:
                decimal = True  # "2,5 triệu" takes no tail
                break
        if last_unit:
            if not decimal:
                total, j = self.tail(j, last_unit, total)
        else:
            parsed = self.count(i)
            if parsed is None:
                return None
            (mant, scale, kind), j = parsed
            if scale or kind in ("half", "one"):
                return None  # "2,5" or "nửa" with no unit is not an amount
            if kind == "digit" and not self.currency(j):
                return None  # "năm", "ba" alone are ordinary words
            total = mant
        currency = self.currency(j)
        if currency:
            j += 1
        return _Cand(i, j, total if exact else None, bool(last_unit) or currency)

    def candidates(self) -> list[_Cand]:
        cands: list[_Cand] = []
        i = 0
        while i < self.size:
            cand = None
            if i in self.nums or self.word(i) in _NUMBER_WORDS:
                cand = self.expr(i)
            if cand is not None and cand.end > i:
                cands.append(cand)
                i = cand.end
            else:
                i += 1
        for idx, c in enumerate(cands):
            p = c.start - 1
            if p < 0:
                continue
            link = self.sym(p) or self.word(p)
            joins_previous = idx > 0 and cands[idx - 1].end == p
            if link in _RANGE_WORDS and joins_previous:
                c.vague = cands[idx - 1].vague = True  # "200-300k", "1 đến 2 triệu", "500k hoặc 1tr"
            elif link == "-" and self.glued(c.start) and not self.is_number(p - 1):
                c.negative = True  # "-1tr"
            elif link == "am":
                c.negative = True  # "âm 1 triệu"
        return cands

    def context_blocked(self, c: _Cand) -> bool:
        """A bare number next to a date, address or counting word is not money."""
        return self.word(c.start - 1) in _BARE_BEFORE or self.word(c.end) in _BARE_AFTER


def parse_amount_detailed(text: str) -> AmountResult:
    """Understand a pledge amount; see the module docstring for the decisions."""
    text = text.replace("₫", " đ ")
    for dash in _DASHES:
        text = text.replace(dash, "-")
    scan = _Scan(fold(text))
    cands = scan.candidates()
    pool = [c for c in cands if c.has_unit]
    if not pool:
        pool = [c for c in cands if not scan.context_blocked(c)]
    if not pool or any(c.vague or c.value is None for c in pool):
        return _NOT_UNDERSTOOD
    values = {c.value for c in pool}
    if len(values) > 1 and not pool[0].has_unit:
        # Bare numbers only: a lone one of at least 1.000 is the amount ("2 … 500000").
        big = [c for c in pool if c.value is not None and c.value >= 1000]
        if len({c.value for c in big}) == 1:
            pool, values = big, {big[0].value}
    if len(values) > 1:
        return _NOT_UNDERSTOOD
    c = pool[0]
    value = c.value or 0
    if value == 0:
        return AmountResult(0, "zero")
    if c.negative:
        return AmountResult(-value, "negative")
    if not c.has_unit and value < 1000:
        return AmountResult(value, "bare_small", suggestion=value * 1000)
    return AmountResult(value)


def parse_amount(text: str) -> int | None:
    """The amount in đồng when it can be used as is (positive, not a bare "500"), else None."""
    result = parse_amount_detailed(text)
    return result.amount if result.ok else None


# --- output ----------------------------------------------------------------------------------

def format_vnd(amount: int) -> str:
    """1500000 -> "1.500.000 đ"."""
    return f"{amount:,}".replace(",", ".") + " đ"
