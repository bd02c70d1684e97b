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
from typing import Literal

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
})
# Between two amounts these make a range or a choice: ask again.
_RANGE_WORDS = frozenset({"-", "~", "den", "toi", "hoac"})

_PRE = str.maketrans({"₫": " đ ", "–": "-", "—": "-", "−": "-"})
# Punctuation is kept as tokens so that "1 triệu, hai người" does not read as 1.200.000.
_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+|[^\sa-z0-9]")
_SEP_RE = re.compile(r"[.,]")


# --- tokens ----------------------------------------------------------------------------------

class _Tok:
    """A number, a word or a symbol of the folded text.

    glued: no space between this token and the previous one. Numbers carry their value as
    mant / 10**scale ("2,5" -> 25, 1); blocked numbers (dates, phone numbers, "8h") never count.
    """

    __slots__ = ("kind", "text", "glued", "mant", "scale", "blocked")

    def __init__(self, kind: str, text: str, glued: bool) -> None:
        self.kind = kind
        self.text = text
        self.glued = glued
        self.mant = 0
        self.scale = 0
        self.blocked = False


def _num_parts(text: str) -> tuple[int, int] | None:
    """(mantissa, scale) of "1.000.000" / "1,000,000" (grouping) or "2,5" / "1.5" (decimal)."""
    if text.isdigit():
        return int(text), 0
    groups = _SEP_RE.split(text)
    if len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
        return int("".join(groups)), 0
    if len(groups) == 2:
        return int(groups[0] + groups[1]), len(groups[1])
    return None  # "5.10.2023", "1.2.3": not an amount


def _split_word(word: str) -> tuple[str, ...]:
    """ "kđ", "trvnđ" -> unit + currency, so "100kđ" reads like "100k đ"."""
    if word not in _GLUE_OK:
        for cur in ("vnd", "dong", "d"):
            if word.endswith(cur) and word[: -len(cur)] in _BIG_UNITS:
                return word[: -len(cur)], cur
    return (word,)


def _tokenize(s: str) -> list[_Tok]:
    raw: list[tuple[str, str, int, int]] = []
    for m in _TOKEN_RE.finditer(s):
        text, start, end = m.group(), m.start(), m.end()
        ch = text[0]
        if ch.isdigit():
            raw.append(("n", text, start, end))
        elif ch.isalpha():
            parts = _split_word(text)
            if len(parts) == 2:
                cut = start + len(parts[0])
                raw.append(("w", parts[0], start, cut))
                raw.append(("w", parts[1], cut, end))
            else:
                raw.append(("w", text, start, end))
        else:
            raw.append(("s", text, start, end))

    toks: list[_Tok] = []
    prev_end = -1
    i = 0
    while i < len(raw):
        kind, text, start, end = raw[i]
        glued = start == prev_end
        # "1 000 000": groups of three separated by single spaces, unless a unit follows
        # ("1 500 nghìn" is more likely two numbers than 1.500 nghìn).
        if kind == "n" and text.isdigit() and len(text) <= 3 and not glued:
            j = i
            while (j + 1 < len(raw) and raw[j + 1][0] == "n" and len(raw[j + 1][1]) == 3
                   and raw[j + 1][1].isdigit() and s[raw[j][3]:raw[j + 1][2]] == " "):
                j += 1
            after = raw[j + 1] if j + 1 < len(raw) else None
            if j > i and not (after and after[0] == "w" and after[1] in _BIG_UNITS):
                text = "".join(r[1] for r in raw[i:j + 1])
                end = raw[j][3]
                i = j
        toks.append(_Tok(kind, text, glued))
        prev_end = end
        i += 1

    for k, t in enumerate(toks):
        if t.kind == "n":
            _mark_number(toks, k, t)
    return toks


def _mark_number(toks: list[_Tok], k: int, t: _Tok) -> None:
    parts = _num_parts(t.text)
    if parts is None:
        t.blocked = True
        return
    t.mant, t.scale = parts
    prev = toks[k - 1] if k > 0 else None
    nxt = toks[k + 1] if k + 1 < len(toks) else None
    after_unit = bool(t.glued and prev and prev.kind == "w" and prev.text in _BIG_UNITS)
    if t.glued and prev and ((prev.kind == "w" and prev.text not in _GLUE_OK)
                             or (prev.kind == "s" and prev.text in "/:")):
        t.blocked = True  # "covid19", "12a1", "5/10", "8:30"
    elif nxt and nxt.glued and ((nxt.kind == "w" and nxt.text not in _GLUE_OK)
                                or (nxt.kind == "s" and nxt.text == "%")):
        t.blocked = True  # "8h", "5p", "10%"
    elif (nxt and nxt.glued and nxt.kind == "s" and nxt.text in "/:" and k + 2 < len(toks)
          and toks[k + 2].glued and toks[k + 2].kind == "n"):
        t.blocked = True  # "5/10", "8:30" (but "500/tháng" is an amount)
    elif t.text.isdigit() and len(t.text) > 1 and t.text[0] == "0" and not after_unit:
        t.blocked = True  # phone or account number; "1tr050" keeps its zero
    elif t.text.isdigit() and len(t.text) > 12:
        t.blocked = True  # account number


def _word(toks: list[_Tok], i: int) -> str | None:
    if i < len(toks) and toks[i].kind == "w":
        return toks[i].text
    return None


# --- grammar ---------------------------------------------------------------------------------

def _digit(toks: list[_Tok], i: int, words_only: bool = False) -> int | None:
    """A digit word ("năm") or, for "5 trăm", a single written digit."""
    if i >= len(toks):
        return None
    t = toks[i]
    if t.kind == "w":
        return _DIGITS.get(t.text)
    if (not words_only and t.kind == "n" and not t.blocked and t.scale == 0
            and len(t.text) == 1):
        return t.mant
    return None


def _parse_tens(toks: list[_Tok], i: int) -> tuple[int, int] | None:
    """10..99: "mười lăm", "hai mươi mốt", "ba chục", colloquial "hai lăm"."""
    w = _word(toks, i)
    if w == "muoi":  # mười
        u = _AFTER_TENS.get(_word(toks, i + 1) or "")
        return (10 + u, i + 2) if u else (10, i + 1)
    d = _digit(toks, i)
    if not d:
        return None
    nxt = _word(toks, i + 1)
    if nxt == "muoi":
        u = _AFTER_TENS.get(_word(toks, i + 2) or "")
        return (d * 10 + u, i + 3) if u else (d * 10, i + 2)
    if nxt == "chuc":
        return d * 10, i + 2
    if toks[i].kind == "w" and d >= 2 and nxt in _COLLOQUIAL_UNITS:
        return d * 10 + _COLLOQUIAL_UNITS[nxt], i + 2
    return None


def _parse_small(toks: list[_Tok], i: int) -> tuple[int, int, bool] | None:
    """A number 0..999 in words: (value, next index, compound).

    compound is False for a lone digit word ("hai"), which is a count only before a unit,
    and after a unit means a tenth of it ("một triệu hai" = 1.200.000).
    """
    d = _digit(toks, i)
    if d is not None and _word(toks, i + 1) == "tram":
        total, j = d * 100, i + 2
    elif _word(toks, i) == "tram" and _word(toks, i + 1) == "ruoi" and not _vague_before(toks, i):
        return 150, i + 2, True  # "trăm rưỡi"
    else:
        tens = _parse_tens(toks, i)
        if tens:
            return tens[0], tens[1], True
        if d is not None and toks[i].kind == "w":
            return d, i + 1, False
        return None
    w = _word(toks, j)
    if w in ("linh", "le"):
        u = _digit(toks, j + 1, words_only=True)
        return (total + u, j + 2, True) if u else (total, j, True)
    if w == "ruoi":
        return total + 50, j + 1, True
    tens = _parse_tens(toks, j)
    if tens:
        return total + tens[0], tens[1], True
    u = _AFTER_TENS.get(w or "")
    if u:
        return total + u * 10, j + 1, True  # "trăm hai" = 120, "trăm tư" = 140
    return total, j, True


def _vague_before(toks: list[_Tok], i: int) -> bool:
    return i > 0 and (toks[i - 1].kind == "n" or _word(toks, i - 1) in _VAGUE_BEFORE)


# count kinds: "num" written digits, "word" compound words, "digit" a lone digit word,
# "half" nửa, "one" the implicit một of "triệu rưỡi".
_Count = tuple[int, int, str]  # mantissa, scale, kind


def _parse_count(toks: list[_Tok], i: int) -> tuple[_Count, int] | None:
    t = toks[i]
    if t.kind == "n":
        if t.blocked:
            return None
        if t.scale == 0 and len(t.text) == 1 and _word(toks, i + 1) in ("tram", "muoi", "chuc"):
            small = _parse_small(toks, i)
            if small:
                return (small[0], 0, "word"), small[1]
        return (t.mant, t.scale, "num"), i + 1
    if t.kind != "w":
        return None
    if t.text == "nua":
        return (5, 1, "half"), i + 1
    if t.text in _BIG_UNITS and _word(toks, i + 1) == "ruoi" and not _vague_before(toks, i):
        return (1, 0, "one"), i
    small = _parse_small(toks, i)
    if small is None:
        return None
    value, j, compound = small
    return (value, 0, "word" if compound else "digit"), j


def _unit_at(toks: list[_Tok], i: int) -> int:
    w = _word(toks, i)
    if w is None:
        return 0
    if w == "m" and not toks[i].glued:
        return 0  # "1m5" is money; "500 m" is more likely "mình"
    if w == "cu" and _word(toks, i + 1) in ("gia", "ong", "ba"):
        return 0  # "2 cụ già"
    return _BIG_UNITS.get(w, 0)


def _is_currency(toks: list[_Tok], i: int) -> bool:
    w = _word(toks, i)
    return w in _CURRENCY and not (w == "dong" and _word(toks, i + 1) == "y")  # "đồng ý"


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    value: int | None  # None: not a whole number of đồng ("1.2345k")
    has_unit: bool
    negative: bool = False
    vague: bool = False


def _ends_phrase(toks: list[_Tok], i: int) -> bool:
    return (i >= len(toks) or toks[i].kind == "s" or _is_currency(toks, i)
            or _word(toks, i) in _PHRASE_END)


def _parse_tail(toks: list[_Tok], j: int, unit: int, total: int) -> tuple[int, int]:
    """What may follow the last unit: "rưỡi", "3tr5", "2tr500", "một triệu hai", "… năm trăm"."""
    if j >= len(toks):
        return total, j
    t = toks[j]
    if t.kind == "w" and t.text == "ruoi":
        return total + unit // 2, j + 1
    small = _parse_small(toks, j)
    if small is not None:
        value, k, compound = small
        if _unit_at(toks, k):
            return total, j  # another group, in the wrong order: not a tail
        if compound:  # spoken amounts drop the next unit: "hai triệu năm trăm" = 2.500.000
            return total + value * (unit // 1000), k
        if value == 0 or not _ends_phrase(toks, k):
            return total, j
        if t.text == "nam" and _word(toks, k) in _AFTER_YEAR_NAM:
            return total, j  # "2 triệu năm nay"
        return total + value * unit // 10, k  # "một triệu hai" = 1.200.000
    if t.kind == "n":
        if t.blocked or t.scale or _unit_at(toks, j + 1):
            return total, j
        if not t.glued and not _ends_phrase(toks, j + 1):
            return total, j  # "1 triệu 2 lần"
        if len(t.text) <= 3:  # decimals of the unit: 3tr5 = 3,5 tr; 1tr050 = 1.050.000
            return total + t.mant * unit // 10 ** len(t.text), j + 1
        if t.mant < unit:  # "1 triệu 500000"
            return total + t.mant, j + 1
        return total, j
    if t.text == "tu" and _ends_phrase(toks, j + 1):  # "một triệu tư"
        return total + 4 * unit // 10, j + 1
    return total, j


def _parse_expr(toks: list[_Tok], i: int) -> _Cand | None:
    total, exact, last_unit, j, decimal = 0, True, 0, i, False
    while j < len(toks):
        parsed = _parse_count(toks, j)
        if parsed is None:
            break
        (mant, scale, kind), k = parsed
        unit = _unit_at(toks, k)
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
            total, j = _parse_tail(toks, j, last_unit, total)
    else:
        parsed = _parse_count(toks, i)
        if parsed is None:
            return None
        (mant, scale, kind), j = parsed
        if scale or kind in ("half", "one"):
            return None  # "2,5" or "nửa" with no unit is not an amount
        if kind == "digit" and not _is_currency(toks, j):
            return None  # "năm", "ba" alone are ordinary words
        total = mant
    currency = _is_currency(toks, j)
    if currency:
        j += 1
    return _Cand(i, j, total if exact else None, bool(last_unit) or currency)


def _can_start(t: _Tok) -> bool:
    return (t.kind == "n" and not t.blocked) or (t.kind == "w" and t.text in _NUMBER_WORDS)


def _find_candidates(toks: list[_Tok]) -> list[_Cand]:
    cands: list[_Cand] = []
    i = 0
    while i < len(toks):
        cand = _parse_expr(toks, i) if _can_start(toks[i]) else None
        if cand is not None and cand.end > i:
            cands.append(cand)
            i = cand.end
        else:
            i += 1
    for idx, c in enumerate(cands):
        p = c.start - 1
        if p < 0:
            continue
        prev = toks[p]
        joins_previous = idx > 0 and cands[idx - 1].end == p
        if prev.text in _RANGE_WORDS and joins_previous:
            c.vague = cands[idx - 1].vague = True  # "200-300k", "1 đến 2 triệu", "500k hoặc 1tr"
        elif prev.text == "-" and toks[c.start].glued and not (p > 0 and toks[p - 1].kind == "n"):
            c.negative = True  # "-1tr"
        elif prev.kind == "w" and prev.text == "am":
            c.negative = True  # "âm 1 triệu"
    return cands


def _context_blocked(toks: list[_Tok], c: _Cand) -> bool:
    before = _word(toks, c.start - 1) if c.start > 0 else None
    return before in _BARE_BEFORE or _word(toks, c.end) in _BARE_AFTER


def parse_amount_detailed(text: str) -> AmountResult:
    """Understand a pledge amount; see the module docstring for the decisions."""
    toks = _tokenize(fold(text.translate(_PRE)))
    cands = _find_candidates(toks)
    pool = [c for c in cands if c.has_unit]
    if not pool:
        pool = [c for c in cands if not _context_blocked(toks, c)]
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


_DIGIT_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _read_triple(n: int, full: bool) -> str:
    """0 < n < 1000; full: inside a larger number, so hundreds are said ("không trăm linh năm")."""
    h, t, u = n // 100, n // 10 % 10, n % 10
    parts: list[str] = []
    if full or h:
        parts += [_DIGIT_WORDS[h], "trăm"]
    if t == 0:
        if u:
            if parts:
                parts.append("linh")
            parts.append(_DIGIT_WORDS[u])
    elif t == 1:
        parts.append("mười")
        if u:
            parts.append("lăm" if u == 5 else _DIGIT_WORDS[u])
    else:
        parts += [_DIGIT_WORDS[t], "mươi"]
        if u:
            parts.append({1: "mốt", 4: "tư", 5: "lăm"}.get(u, _DIGIT_WORDS[u]))
    return " ".join(parts)


def amount_to_words(amount: int) -> str:
    """Vietnamese reading: 1_500_000 -> "một triệu năm trăm nghìn", 105_000 -> "một trăm linh năm nghìn"."""
    if amount < 0:
        return "âm " + amount_to_words(-amount)
    if amount == 0:
        return "không"
    billions, rest = divmod(amount, 1_000_000_000)
    parts: list[str] = []
    if billions:
        parts.append(amount_to_words(billions) + " tỷ")
    leading = not billions
    millions, thousands, units = rest // 1_000_000, rest // 1000 % 1000, rest % 1000
    for value, unit in ((millions, "triệu"), (thousands, "nghìn")):
        if value:
            parts.append(_read_triple(value, full=not leading) + " " + unit)
            leading = False
    if units:
        if not leading and not thousands:
            parts.append("không nghìn")  # else "một triệu năm trăm" reads as 1.500.000
        parts.append(_read_triple(units, full=not leading))
    return " ".join(parts)
