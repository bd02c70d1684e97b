"""Pledge amounts: the spellings residents use and round trips (the shared dev set runs once, through the console: tests/e2e/test_console.py)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.amounts import (
    AmountResult,
    format_vnd,
    parse_amount,
    parse_amount_detailed,
)
from amount_words import amount_to_words
from core.text import fold, strip_diacritics

PARSES = [
    # units glued or spaced, k / tr / nghìn / ngàn / củ / tỷ
    ("100k", 100_000), ("100K", 100_000), ("100 k", 100_000), ("1tr", 1_000_000),
    ("1 tr", 1_000_000), ("3tr5", 3_500_000), ("2tr500", 2_500_000), ("1tr2", 1_200_000),
    ("1tr25", 1_250_000), ("1tr050", 1_050_000), ("1k5", 1_500), ("2,5 triệu", 2_500_000),
    ("1.5tr", 1_500_000), ("0,5 triệu", 500_000), ("150 nghìn", 150_000),
    ("150 ngàn", 150_000), ("150 ngan", 150_000), ("150 nghin", 150_000),
    ("500ngàn", 500_000), ("1 củ", 1_000_000), ("2 cu", 2_000_000), ("ba củ", 3_000_000),
    ("1 tỷ", 1_000_000_000), ("1 ty", 1_000_000_000), ("1 tỉ", 1_000_000_000),
    ("1m5", 1_500_000), ("2M", 2_000_000), ("10 tỷ", 10_000_000_000),
    # written-out numbers and currencies
    ("1.000.000đ", 1_000_000), ("1 000 000 đồng", 1_000_000), ("1,000,000 VND", 1_000_000),
    ("1000000", 1_000_000), ("500.000 vnđ", 500_000), ("500.000VNĐ", 500_000),
    ("100kđ", 100_000), ("₫500.000", 500_000), ("100 nghìn đồng", 100_000),
    ("500000/tháng", 500_000), ("500đ", 500),
    # number words, with or without diacritics
    ("ba trăm nghìn", 300_000), ("hai triệu", 2_000_000), ("hai triệu rưỡi", 2_500_000),
    ("2 triệu rưỡi", 2_500_000), ("triệu rưỡi", 1_500_000), ("một nghìn rưỡi", 1_500),
    ("một trăm năm mươi nghìn", 150_000), ("mot tram nam muoi nghin", 150_000),
    ("năm trăm nghìn", 500_000), ("nam tram nghin", 500_000), ("năm trăm k", 500_000),
    ("hai mươi mốt nghìn", 21_000), ("hai muoi mot nghin", 21_000),
    ("một trăm lẻ năm nghìn", 105_000), ("một trăm linh năm nghìn", 105_000),
    ("mười lăm nghìn", 15_000), ("mười năm nghìn", 15_000), ("muoi lam nghin", 15_000),
    ("hai mươi tư nghìn", 24_000), ("hai lăm nghìn", 25_000), ("hai chục nghìn", 20_000),
    ("một triệu hai", 1_200_000), ("một triệu tư", 1_400_000), ("hai triệu mốt", 2_100_000),
    ("một triệu năm trăm nghìn", 1_500_000), ("một triệu năm trăm", 1_500_000),
    ("hai trăm rưỡi nghìn", 250_000), ("nửa triệu", 500_000), ("nua trieu", 500_000),
    ("một tỷ hai", 1_200_000_000), ("một triệu không trăm năm mươi nghìn", 1_050_000),
    ("5 trăm nghìn", 500_000), ("MƯỜI TRIỆU", 10_000_000),
    # mixtures
    ("1 triệu 500 nghìn", 1_500_000), ("1tr500k", 1_500_000), ("1 triệu 2", 1_200_000),
    ("1 triệu hai trăm nghìn", 1_200_000), ("1 tỷ 200 triệu", 1_200_000_000),
    # inside a sentence
    ("ủng hộ 500k", 500_000), ("em xin ủng hộ quỹ khuyến học 1tr", 1_000_000),
    ("gia đình tôi xin ủng hộ 2 triệu đồng", 2_000_000), ("mình góp 200 nghìn nhé", 200_000),
    ("em ủng hộ 1 triệu 2 ạ", 1_200_000), ("tầm 500k thôi", 500_000),
    ("chị ủng hộ 500k, chúc chương trình thành công!", 500_000),
    # digits that are not the amount
    ("ngày 5/10 em ủng hộ 500k", 500_000), ("năm 2023 nhà em ủng hộ 500k", 500_000),
    ("tổ 5 ủng hộ 2 triệu", 2_000_000), ("2 suất học bổng 500k", 500_000),
    ("lúc 8h30 em chuyển 300k", 300_000), ("sđt 0912345678, ủng hộ 1tr", 1_000_000),
    ("500k tức là 500.000đ", 500_000), ("năm nay em ủng hộ 500k", 500_000),
    ("1 triệu, hai vợ chồng", 1_000_000), ("2 triệu ba mẹ góp", 2_000_000),
    ("hai triệu năm nay", 2_000_000), ("1 triệu 2 lần", 1_000_000),
    ("tổ dân phố 12 ủng hộ 1000000", 1_000_000),
]


@pytest.mark.parametrize(("text", "amount"), PARSES)
def test_parses(text: str, amount: int) -> None:
    assert parse_amount(text) == amount
    assert parse_amount_detailed(text) == AmountResult(amount)


REFUSED = [
    "bao nhiêu cũng được", "", "   ", "ủng hộ", "tùy", "vài trăm nghìn", "mấy triệu",
    "200-300k", "từ 200 đến 300k", "1 đến 2 triệu", "500k hoặc 1tr", "ủng hộ 500k, vợ 1tr",
    "không đồng ý", "không", "lớp 5", "0912345678", "ngày 5/10", "năm 2023", "8h30", "10%",
    "2,5", "nửa", "hai", "năm", "cháu 10 tuổi", "hàng triệu người", "phần trăm",
]


@pytest.mark.parametrize("text", REFUSED)
def test_not_understood(text: str) -> None:
    assert parse_amount_detailed(text) == AmountResult(None, "not_understood")
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-1tr", AmountResult(-1_000_000, "negative")),
        ("-500.000đ", AmountResult(-500_000, "negative")),
        ("âm 1 triệu", AmountResult(-1_000_000, "negative")),
        ("0đ", AmountResult(0, "zero")),
        ("0", AmountResult(0, "zero")),
        ("không đồng", AmountResult(0, "zero")),
        ("500", AmountResult(500, "bare_small", suggestion=500_000)),
        ("ủng hộ 200 nhé", AmountResult(200, "bare_small", suggestion=200_000)),
        ("năm trăm", AmountResult(500, "bare_small", suggestion=500_000)),
        ("hai trăm rưỡi", AmountResult(250, "bare_small", suggestion=250_000)),
    ],
)
def test_refusal_reasons(text: str, expected: AmountResult) -> None:
    assert parse_amount_detailed(text) == expected
    assert not expected.ok
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("amount", "text"),
    [(0, "0 đ"), (500, "500 đ"), (1_500_000, "1.500.000 đ"), (100_000_000_000, "100.000.000.000 đ"),
     (-20_000, "-20.000 đ")],
)
def test_format_vnd(amount: int, text: str) -> None:
    assert format_vnd(amount) == text


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "không"), (5, "năm"), (10, "mười"), (15, "mười lăm"), (21, "hai mươi mốt"),
        (24, "hai mươi tư"), (25, "hai mươi lăm"), (105, "một trăm linh năm"),
        (105_000, "một trăm linh năm nghìn"), (1_500_000, "một triệu năm trăm nghìn"),
        (1_050_000, "một triệu không trăm năm mươi nghìn"),
        (1_000_500, "một triệu không nghìn năm trăm"),
        (2_000_000_000, "hai tỷ"), (100_000_000_000, "một trăm tỷ"),
    ],
)
def test_amount_to_words(amount: int, words: str) -> None:
    assert amount_to_words(amount) == words


# --- round trips ------------------------------------------------------------------------------

AMOUNTS = st.integers(1, 100_000_000_000)
THOUSANDS = st.integers(1, 100_000_000).map(lambda n: n * 1000)
ROUND = settings(derandomize=True, max_examples=300, deadline=None)


@ROUND
@given(AMOUNTS)
def test_format_vnd_round_trip(x: int) -> None:
    assert parse_amount(format_vnd(x)) == x
    assert parse_amount(f"{x:,}".replace(",", ".") + "đ") == x
    assert parse_amount(f"{x:,} VND") == x


@ROUND
@given(AMOUNTS)
def test_plain_digits(x: int) -> None:
    if x >= 1000:
        assert parse_amount(str(x)) == x
    else:  # a bare "500" is asked back as 500.000 đ
        assert parse_amount_detailed(str(x)) == AmountResult(x, "bare_small", x * 1000)


def _short_spellings(x: int) -> list[str]:
    """k / tr / triệu / tỷ spellings residents use for a multiple of 1000."""
    k = x // 1000
    out = [f"{k}k", f"{k}K", f"{k} nghìn", f"{k} ngàn đồng"]
    if x >= 1_000_000:
        tr, rest = divmod(k, 1000)  # rest: thousands below the million
        if rest == 0:
            out += [f"{tr}tr", f"{tr} triệu", f"{tr} củ"]
        else:
            out += [f"{tr}tr{rest:03d}", f"{tr}tr{rest}k", f"{tr} triệu {rest} nghìn"]
            if rest % 100 == 0:
                out += [f"{tr}tr{rest // 100}", f"{tr},{rest // 100} triệu", f"{tr}.{rest // 100}tr"]
    if x >= 1_000_000_000 and x % 1_000_000 == 0:
        ty, mil = divmod(x // 1_000_000, 1000)
        out.append(f"{ty} tỷ" if mil == 0 else f"{ty} tỷ {mil} triệu")
    return out


@ROUND
@given(THOUSANDS | st.integers(1, 100_000).map(lambda n: n * 1_000_000))
def test_short_spellings(x: int) -> None:
    for text in _short_spellings(x):
        assert parse_amount(text) == x, text
        assert parse_amount(f"em xin ủng hộ {text} nhé") == x, text


@ROUND
@given(THOUSANDS | st.integers(1000, 100_000_000_000))
def test_words_round_trip(x: int) -> None:
    words = amount_to_words(x)
    assert parse_amount(words) == x, words
    assert parse_amount(strip_diacritics(words)) == x, words
    assert parse_amount(words.upper() + " đồng") == x, words
    assert parse_amount(f"gia đình tôi ủng hộ {fold(words)} ạ") == x, words


@settings(derandomize=True, max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
       | st.lists(st.sampled_from(["1", "5", "500", "1.000", "2,5", "k", "tr", "triệu", "nghìn",
                                   "hai", "năm", "mươi", "trăm", "lẻ", "rưỡi", "nửa", "đ", "-",
                                   "/", "²", "１００", "tư", "mốt", "không", "tỷ", " "]),
                  max_size=8).map("".join))
@pytest.mark.slow
def test_never_raises(text: str) -> None:
    result = parse_amount_detailed(text)
    assert (result.amount is None) == (result.reason == "not_understood")
    if result.ok:
        assert result.amount is not None and result.amount > 0
