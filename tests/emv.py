"""Reading an EMV QR payload back into its fields: how the tests check what core/vietqr.py writes
(the product only writes them)."""
from __future__ import annotations

from core.numbers import read_int
from core.vietqr import crc16_ccitt_false


def _parse_tlv(data: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    i = 0
    while i < len(data):
        tag, length = data[i:i + 2], data[i + 2:i + 4]
        size = read_int(length, max_digits=2)
        if len(tag) < 2 or size is None or len(length) != 2:
            raise ValueError(f"malformed TLV at {i}: {data[i:i + 8]!r}")
        end = i + 4 + size
        if end > len(data):
            raise ValueError(f"field {tag} runs past the end")
        if tag in fields:
            raise ValueError(f"field {tag} repeated")
        fields[tag] = data[i + 4:end]
        i = end
    return fields


def parse_emv(payload: str) -> dict[str, str | dict]:
    """Fields of an EMV QR payload, with 38 (and its 01) and 62 opened as dicts.

    Raises ValueError when the TLV structure is broken or the CRC (63) does not match.
    """
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise ValueError("payload does not end with a 63 CRC field")
    expected = f"{crc16_ccitt_false(payload[:-4].encode('utf-8')):04X}"
    if payload[-4:].upper() != expected:
        raise ValueError(f"CRC mismatch: {payload[-4:]} != {expected}")
    result: dict[str, str | dict] = {}
    for tag, value in _parse_tlv(payload).items():
        if tag == "38":
            merchant = _parse_tlv(value)
            opened: dict[str, str | dict] = dict(merchant)
            if "01" in merchant:  # beneficiary: 00 = BIN, 01 = account
                opened["01"] = _parse_tlv(merchant["01"])
            result[tag] = opened
        elif tag == "62":
            result[tag] = dict(_parse_tlv(value))
        else:
            result[tag] = value
    return result
