"""Everything the bot says that is not ward content: one catalogue per language.

vi.py and en.py each hold TEXTS (key -> a str.format template producing HTML, ordered by
feature); both have the same keys and placeholders (tests/test_texts.py). commands.py holds
what residents type: command names in each language, and phrasings. Templates are filled here
only: `say` for HTML, its values escaped so a resident's name can never inject markup; `plain`
for button labels and plain-text channels.
"""
from __future__ import annotations

import html

from content.texts import en, vi
from content.texts.commands import COMMAND_NAMES, COMMANDS, INTENTS, MENU

__all__ = ["COMMANDS", "COMMAND_MENU", "INTENTS", "TEXTS", "Html", "escape", "plain", "say", "say_over"]

TEXTS: dict[str, dict[str, str]] = {"vi": vi.TEXTS, "en": en.TEXTS}
# The command menu a channel shows, per language: (command, description).
COMMAND_MENU: dict[str, list[tuple[str, str]]] = {
    lang: [(COMMAND_NAMES[intent][lang], texts[f"command_{intent}"]) for intent in MENU] for lang, texts in TEXTS.items()
}


class Html(str):
    """Text that is already HTML (escaped where needed): `say` passes it through."""


def escape(text: str) -> str:
    """Plain text (a resident's words, a content value) made safe inside the bot's HTML."""
    return html.escape(text, quote=False)


def say(lang: str, key: str, **values: object) -> str:
    """The text in HTML, its values escaped unless they are Html already."""
    return say_over(lang, key, {}, values)


def say_over(lang: str, key: str, escaped: dict[str, str], values: dict[str, object]) -> str:
    """`say` over values already escaped (the week's, escaped once): `values` win over them."""
    filled = dict(escaped)
    for k, v in values.items():
        filled[k] = v if isinstance(v, Html) else escape(str(v))
    return TEXTS[lang][key].format_map(filled)


def plain(lang: str, key: str, **values: object) -> str:
    """The text with its values as they are: for button labels and channels that show plain text."""
    return TEXTS[lang][key].format(**values)
