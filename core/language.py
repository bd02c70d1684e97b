"""Which of the bot's two languages to answer in: one place for every channel, handler and job."""
from __future__ import annotations

from core.text import fold, has_vietnamese_marks

LANGUAGES = ("vi", "en")
_ENGLISH_WORDS = frozenset("""
the a an is are was what when where who how which do does did can could i you we my your it this
that of to in on for at with and or please start end week opening theme fund donate schedule today
tomorrow program hello hi thanks thank much time there any
""".split())


def language_of(code: str | None) -> str:
    """A client's language code ("en-US", "vi", none) or a resident's stored one, as "en" or "vi"."""
    return "en" if code and code.lower().startswith("en") else "vi"


def reply_language(text: str | None, preferred: str) -> str:
    """English when the message is plainly English, Vietnamese when it has Vietnamese marks."""
    if not text or text.startswith("/"):
        return preferred
    if has_vietnamese_marks(text):
        return "vi"
    words = fold(text).replace("?", " ").replace("'", " ").split()
    english = sum(w.strip(".,!") in _ENGLISH_WORDS for w in words)
    if english >= 2 and english / len(words) >= 0.4:
        return "en"
    return preferred
