"""Vietnamese number words for amounts, for the parser's property tests: what residents type
when they write an amount out ("một triệu năm trăm nghìn")."""
from __future__ import annotations


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
