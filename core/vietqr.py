"""VietQR (NAPAS, EMVCo merchant-presented) payloads for a bank transfer to the fund.

Any Vietnamese banking app scans the QR and pre-fills bank, account, amount and memo. The
payload is TLV text: ID (2 digits) + length (2 digits) + value, closed by a CRC over it all.
The PNG is drawn locally (segno): account details never leave the server.
"""
from __future__ import annotations

import binascii
import re
import struct
import zlib
from functools import partial

from core.text import strip_diacritics

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"  # inter-bank 24/7 transfer to an account number
CURRENCY_VND = "704"
MEMO_MAX = 25  # the spec's limit for 62.08; apps truncate or reject longer memos

_BIN_RE = re.compile(r"[0-9]{6}")  # not \d: that takes any Unicode digit
_ACCOUNT_RE = re.compile(r"[A-Za-z0-9]{1,19}")
_MEMO_DROP_RE = re.compile(r"[^A-Za-z0-9 ]+")


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor): the
    standard library's CRC-CCITT started at 0xFFFF."""
    return binascii.crc_hqx(data, 0xFFFF)


def _tlv(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"field {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def sanitize_memo(memo: str) -> str:
    """What banks accept in the transfer memo: ASCII letters, digits, spaces; 25 at most."""
    kept = _MEMO_DROP_RE.sub(" ", strip_diacritics(memo))  # "ủng hộ/quyên góp": keep words apart
    return " ".join(kept.split())[:MEMO_MAX].rstrip()


def vietqr_payload(bin: str, account: str, amount: int | None, memo: str | None) -> str:
    """The VietQR text for a transfer to `account` at the bank with NAPAS `bin`.

    With an amount the QR is dynamic (01=12) and the app pre-fills it; without, static (01=11).
    The memo is stripped of diacritics and symbols (bank memos are ASCII) and cut to 25.
    Raises ValueError for a malformed BIN or account, or a non-positive amount, rather than
    printing a QR that sends money somewhere else.
    """
    if not _BIN_RE.fullmatch(bin):
        raise ValueError(f"BIN must be 6 digits: {bin!r}")
    if not _ACCOUNT_RE.fullmatch(account):
        raise ValueError(f"account must be 1-19 letters or digits: {account!r}")
    if amount is not None and not 0 < amount < 10**13:
        raise ValueError(f"amount must be positive and at most 13 digits: {amount}")
    beneficiary = _tlv("00", bin) + _tlv("01", account)
    merchant = _tlv("00", NAPAS_GUID) + _tlv("01", beneficiary) + _tlv("02", SERVICE_TO_ACCOUNT)
    parts = [
        _tlv("00", "01"),
        _tlv("01", "11" if amount is None else "12"),
        _tlv("38", merchant),
        _tlv("53", CURRENCY_VND),
    ]
    if amount is not None:
        parts.append(_tlv("54", str(amount)))
    parts.append(_tlv("58", "VN"))
    clean_memo = sanitize_memo(memo) if memo else ""
    if clean_memo:
        parts.append(_tlv("62", _tlv("08", clean_memo)))
    body = "".join(parts) + "6304"  # the CRC covers its own ID and length
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def vietqr_png(payload: str, scale: int = 8, border: int = 4) -> bytes:
    """A PNG of the QR: error correction M, the standard 4-module quiet zone."""
    import segno  # here, not at start-up: only a confirmed pledge draws a QR (0.03 s of CPU to import)
    from segno import encoder

    # segno's mask choice, made faster, for this one call (nothing else draws QR codes, and
    # only on the event loop's thread).
    original = encoder.find_and_apply_best_mask
    encoder.find_and_apply_best_mask = partial(_best_mask, original)
    try:
        qr = segno.make(payload, error="m", boost_error=False, micro=False)
    finally:
        encoder.find_and_apply_best_mask = original
    return _png(qr.matrix, scale, border)


def _best_mask(segnos, matrix, width: int, height: int, proposed_mask: int | None = None):
    """segno.encoder.find_and_apply_best_mask, whose result it returns (tests/unit/test_vietqr.py
    compares them), in 2.3 ms of CPU instead of 7: each row is masked with one integer XOR, and the
    standard's penalties are counted with regular expressions and bit operations, not module by
    module in Python. Anything but a QR code of 0/1 modules goes to segno's own."""
    from segno import encoder

    if proposed_mask is not None or width != height or width < 21 or any(max(row) > 1 for row in matrix):
        return segnos(matrix, width, height, proposed_mask)
    rows = [bytes(row) for row in matrix]
    best, best_score, best_rows = -1, None, None
    for number, mask in enumerate(_mask_rows(width, encoder)):
        masked = [(int.from_bytes(row, "big") ^ int.from_bytes(flip, "big")).to_bytes(width, "big")
                  for row, flip in zip(rows, mask)]
        score = _penalty(masked, width)
        if best_score is None or score < best_score:
            best, best_score, best_rows = number, score, masked
    return best, tuple(bytearray(row) for row in best_rows)


_MASKS: dict[int, list[list[bytes]]] = {}  # width -> each mask's rows: 1 where it flips a module


def _mask_rows(width: int, encoder) -> list[list[bytes]]:
    masks = _MASKS.get(width)
    if masks is None:  # the encoding region as segno finds it
        region = encoder.make_matrix(width, width)
        encoder.add_finder_patterns(region, width, width)
        encoder.add_alignment_patterns(region, width, width)
        region[-8][8] = 0x1
        masks = _MASKS[width] = [
            [bytes(1 if region[i][j] > 0x1 and fn(i, j) else 0 for j in range(width)) for i in range(width)]
            for fn in encoder.get_data_mask_functions(False)]
    return masks


_RUNS = re.compile(rb"\x00{5,}|\x01{5,}")  # five or more modules alike
_N3 = b"\x01\x00\x01\x01\x01\x00\x01"
_LIGHT4 = b"\x00" * 4
_AS_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def _penalty(rows: list[bytes], size: int) -> int:
    """ISO/IEC 18004:2015 7.8.3.1's penalty score, counted as segno.encoder.mask_scores does,
    over every row and column at once."""
    lines = rows + [bytes(column) for column in zip(*rows)]
    runs = _RUNS.findall(b"\x07".join(lines))  # a separator no run goes through
    n1 = sum(map(len, runs)) - 2 * len(runs)
    # 1:1:3:1:1 with 4 light modules on a side: light margins make segno's "at the edge, or
    # light up to the edge" the one test, and no pattern spans two lines.
    padded = _LIGHT4 + (_LIGHT4 * 2).join(lines) + _LIGHT4
    n3 = 0
    idx = padded.find(_N3)
    while idx != -1:
        offset = idx + 7
        if not any(padded[idx - 4:idx]) or not any(padded[offset:offset + 4]):
            n3 += 40
        else:
            offset = idx + 4
        idx = padded.find(_N3, offset)
    full = (1 << size) - 1
    bits = [int(row.translate(_AS_DIGITS), 2) for row in rows]
    n2 = 0
    for above, row in zip(bits, bits[1:]):
        same = ~(above ^ row) & full
        n2 += (same & (same >> 1) & ~(row ^ (row >> 1)) & (full >> 1)).bit_count()
    dark = sum(map(sum, rows))
    n4 = 10 * int(abs(float(dark) / (size ** 2) * 100 - 50) / 5)
    return n1 + 3 * n2 + n3 + n4


def _png(matrix, scale: int, border: int) -> bytes:
    """The modules as a 1-bit greyscale PNG, each `scale` pixels square. Written here: segno's
    writer took 4 ms of CPU for what is a few repeated rows (same pixels, zlib's default level)."""
    size = (len(matrix) + 2 * border) * scale
    light, dark = "1" * scale, "0" * scale
    edge = light * border
    quiet = _scanline(light * (len(matrix) + 2 * border), size)
    rows = [quiet] * (border * scale)
    for row in matrix:
        rows += [_scanline(edge + "".join(dark if module else light for module in row) + edge, size)] * scale
    rows += [quiet] * (border * scale)
    header = struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)  # 1 bit, greyscale, no interlace
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"".join(rows))) + \
        _chunk(b"IEND", b"")


def _scanline(bits: str, width: int) -> bytes:
    """A row of pixels ("1" white), after its filter byte (none), padded to whole bytes."""
    pad = -width % 8
    return b"\x00" + int(bits + "1" * pad, 2).to_bytes((width + pad) // 8, "big")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
