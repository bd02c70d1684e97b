"""VietQR payloads: published vectors, structure, CRC, and a PNG that scans back."""
from __future__ import annotations

import io

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from core.vietqr import crc16_ccitt_false, sanitize_memo, vietqr_payload, vietqr_png
from emv import parse_emv

# Published vectors. The first is the one the brief requires; the others are the test table of
# github.com/subiz/vietqr (vietqr_test.go), which uses the same field order.
PUBLISHED = [
    (("970415", "0011001932418", 120000, "ung ho lu lut"),
     "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
     "530370454061200005802VN62170813ung ho lu lut6304C15C"),
    (("970415", "0011001932418", 120000, "ủng hộ lũ lụt"),
     "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
     "530370454061200005802VN62170813ung ho lu lut6304C15C"),
    (("970423", "0099999999", None, None),  # static: no amount, no memo
     "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA"
     "53037045802VN6304CBB4"),
    (("970422", "0023457923442", 40123, "test text string"),
     "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA"
     "53037045405401235802VN62200816test text string6304D9C6"),
    (("970422", "0023457923442", 40123, "chuyển khoản"),
     "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA"
     "53037045405401235802VN62160812chuyen khoan6304722F"),
    (("970422", "0023457923442ASDFLJ", 40123,
      "chuyen khoan alsdkf laksjdflk asjdflja slkdalks djflkasjd fajsldk jalskdfj lkasjdflk"),
     "00020101021238630010A0000007270133000697042201190023457923442ASDFLJ0208QRIBFTTA"
     "53037045405401235802VN62290825chuyen khoan alsdkf laksj6304E5DB"),  # memo cut to 25
]


@pytest.mark.parametrize(("args", "payload"), PUBLISHED)
def test_published_vectors(args: tuple, payload: str) -> None:
    assert vietqr_payload(*args) == payload
    parse_emv(payload)  # and our parser accepts them


def test_crc_check_value() -> None:
    # The catalogued check value of CRC-16/CCITT-FALSE.
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    assert crc16_ccitt_false(b"") == 0xFFFF


def test_dynamic_structure() -> None:
    fields = parse_emv(vietqr_payload("970415", "0011001932418", 500_000, "PL42 Nguyen Van A"))
    assert fields == {
        "00": "01",
        "01": "12",
        "38": {"00": "A000000727", "01": {"00": "970415", "01": "0011001932418"}, "02": "QRIBFTTA"},
        "53": "704",
        "54": "500000",
        "58": "VN",
        "62": {"08": "PL42 Nguyen Van A"},
        "63": fields["63"],
    }


def test_static_structure() -> None:
    payload = vietqr_payload("970436", "1234567890", None, None)
    fields = parse_emv(payload)
    assert payload.startswith("000201010211")
    assert list(fields) == ["00", "01", "38", "53", "58", "63"]  # no 54, no 62
    assert fields["01"] == "11"
    assert fields["38"] == {"00": "A000000727", "01": {"00": "970436", "01": "1234567890"},
                            "02": "QRIBFTTA"}
    # A static QR may still carry a memo: the resident types the amount.
    assert parse_emv(vietqr_payload("970436", "1234567890", None, "Quy khuyen hoc"))["62"] == {
        "08": "Quy khuyen hoc"}


@pytest.mark.parametrize(
    ("memo", "clean"),
    [
        ("ủng hộ lũ lụt", "ung ho lu lut"),
        ("Đặng Thị Hường ủng hộ quỹ khuyến học", "Dang Thi Huong ung ho quy"),
        ("PL-0042: ủng hộ!", "PL 0042 ung ho"),
        ("  a\tb\n c  ", "a b c"),
        ("🎓📚", ""),
        ("x" * 24 + " y", "x" * 24),  # cut at 25 does not leave a trailing space
    ],
)
def test_memo_sanitized(memo: str, clean: str) -> None:
    assert sanitize_memo(memo) == clean
    fields = parse_emv(vietqr_payload("970415", "0011001932418", 1000, memo))
    if clean:
        assert fields["62"] == {"08": clean}
    else:
        assert "62" not in fields


@pytest.mark.parametrize(
    "args",
    [
        ("97041", "0011001932418", 1000, None),  # BIN is 6 digits
        ("97041A", "0011001932418", 1000, None),
        ("970415", "", 1000, None),
        ("970415", "0011-0019", 1000, None),
        ("970415", "1" * 20, 1000, None),  # longer than the 19 the spec allows
        ("970415", "0011001932418", 0, None),
        ("970415", "0011001932418", -5, None),
        ("970415", "0011001932418", 10**13, None),  # field 54 holds 13 characters
    ],
)
def test_rejects_bad_input(args: tuple) -> None:
    with pytest.raises(ValueError):
        vietqr_payload(*args)


def test_parse_emv_rejects_damage() -> None:
    good = PUBLISHED[0][1]
    with pytest.raises(ValueError, match="CRC"):
        parse_emv(good.replace("120000", "920000"))
    with pytest.raises(ValueError):
        parse_emv(good[:-8])  # no CRC field
    with pytest.raises(ValueError):
        body = "000201010212389900"  # 38 claims 99 characters
        parse_emv(body + "6304" + f"{crc16_ccitt_false((body + '6304').encode()):04X}")


def test_parse_emv_other_field_order() -> None:
    # From github.com/giautm/emvqr-go: 62 before 38; still valid TLV with a valid CRC.
    payload = ("00020101021262110807tien le38560010A0000007270126000697041501121133666688880208"
               "QRIBFTTA5303704540460005802VN63046893")
    fields = parse_emv(payload)
    assert fields["62"] == {"08": "tien le"}
    assert fields["38"]["01"] == {"00": "970415", "01": "113366668888"}  # type: ignore[index]
    assert fields["54"] == "6000"


def _decode(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.mark.parametrize(("args", "payload"), PUBLISHED[:3])
def test_png_scans_back(args: tuple, payload: str) -> None:
    png = vietqr_png(vietqr_payload(*args))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert _decode(png) == [payload]


def test_png_scale_and_quiet_zone() -> None:
    payload = PUBLISHED[0][1]
    small, big = vietqr_png(payload, scale=4), vietqr_png(payload, scale=10)
    w_small, w_big = Image.open(io.BytesIO(small)).width, Image.open(io.BytesIO(big)).width
    assert w_big * 4 == w_small * 10
    img = Image.open(io.BytesIO(big)).convert("L")
    assert all(img.getpixel((x, y)) == 255 for x in range(40) for y in range(40))  # 4 modules
    assert _decode(small) == [payload]


ACCOUNTS = st.text("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", min_size=6, max_size=19)
MEMOS = st.none() | st.text(max_size=60)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.from_regex(r"9704[0-9]{2}", fullmatch=True), ACCOUNTS,
       st.none() | st.integers(1, 10**12), MEMOS)
@pytest.mark.slow
def test_payload_structure_property(bin_: str, account: str, amount: int | None,
                                    memo: str | None) -> None:
    payload = vietqr_payload(bin_, account, amount, memo)
    assert payload.isascii()
    fields = parse_emv(payload)
    assert fields["01"] == ("11" if amount is None else "12")
    assert fields["38"] == {"00": "A000000727", "01": {"00": bin_, "01": account},
                            "02": "QRIBFTTA"}
    assert fields.get("54") == (None if amount is None else str(amount))
    clean = sanitize_memo(memo or "")
    assert fields.get("62") == ({"08": clean} if clean else None)
    assert len(clean) <= 25 and all(c.isascii() and (c.isalnum() or c == " ") for c in clean)


@pytest.mark.parametrize("scale", [1, 3, 8])
def test_png_has_segnos_pixels(scale: int) -> None:
    """The PNG is written here (segno's writer was slow): the same image as segno's own."""
    import segno

    payload = PUBLISHED[0][1]
    ours = Image.open(io.BytesIO(vietqr_png(payload, scale=scale))).convert("L")
    out = io.BytesIO()
    segno.make(payload, error="m", boost_error=False, micro=False).save(out, kind="png", scale=scale, border=4)
    theirs = Image.open(io.BytesIO(out.getvalue())).convert("L")
    assert ours.size == theirs.size and ours.tobytes() == theirs.tobytes()
