"""Telling a wish to give ("em muốn đóng góp", "ủng hộ vài trăm") from a question about giving
("ủng hộ thế nào", "ủng hộ ẩn danh được không"): the first starts the pledge dialog, the second
is answered from the FAQ. Works on normalized text (core.text.normalize)."""
from __future__ import annotations

import re

_GIVE = re.compile(r"\b(?:ung ho|dong gop|gop tien|quyen gop|gop|donate|contribute|give|pledge)\b")
# A wish ("muốn", "xin", "cho em") or a vague amount ("vài trăm", "một ít") around the verb.
_WISH = re.compile(r"\b(?:muon|xin|se|cho (?:em|minh|toi|tui|chau|con|anh|chi) (?:duoc )?|dang ky|"
                   r"i want to|i d like to|i would like to|let me|i will|i ll|i wish to)\b")
_VAGUE = re.compile(r"\b(?:vai|mot it|mot chut|chut it|mot khoan|it tien|some money|a little|something)\b")
# Questions and refusals are not wishes.
_NOT_A_WISH = re.compile(r"\?|\b(?:khong|chua|the nao|nhu the nao|lam sao|o dau|cach nao|bao nhieu|dau|ai|gi|"
                         r"nao|sao|how|where|what|who|can i|could i|is it|do i|don t|not)\b")


def wants_to_give(norm: str, has_question_mark: bool = False) -> bool:
    """Does the message say the resident wants to give, without asking anything?"""
    if has_question_mark or not _GIVE.search(norm) or _NOT_A_WISH.search(norm):
        return False
    return bool(_WISH.search(norm) or _VAGUE.search(norm))
