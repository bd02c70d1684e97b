"""Cutting a long message into parts a platform accepts.

Telegram counts a message's length in UTF-16 code units (an emoji is two) and rejects a part
whose HTML does not parse: a cut must not fall inside a tag or an entity such as `&amp;`, and a
`<b>` open at the cut is closed at the end of the part and opened again at the start of the
next. Lengths are measured on the HTML source, which is never shorter than the text shown.
"""
from __future__ import annotations

import re

# Every character falls in one token: a tag, an entity, a line break, a space, a run of
# other text, or a lone "<" / "&".
_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|\n| |[^<&\n ]+|[<&]")
_PLAIN_TOKEN = re.compile(r"\n| |[^\n ]+")
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][\w-]*)")
_BREAKS = ("\n", " ")


def utf16_len(text: str) -> int:
    # Every message is measured: encoding runs at C speed, a count per character does not.
    # "surrogatepass": a lone surrogate (JSON can carry one) is one unit, as it would be sent.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def split_message(text: str, limit: int, html: bool = True) -> list[str]:
    """Parts of at most `limit` UTF-16 units, cut at a line break, else at a space, else
    anywhere outside a tag or entity; with `html`, each part's tags balanced."""
    if utf16_len(text) <= limit:
        return [text]
    tokens = _tokens(text, max(1, limit // 4), html)
    # open_after[i]: the tags open after tokens[i]
    open_after = _open_tags(tokens) if html else [()] * len(tokens)
    parts: list[str] = []
    start = 0
    while start < len(tokens):
        while start < len(tokens) and tokens[start] in _BREAKS:
            start += 1  # a part does not begin with the space or line break it was cut at
        if start == len(tokens):
            break
        reopen = "".join(tag for _, tag in open_after[start - 1]) if start else ""
        size, end, cuts, shown = utf16_len(reopen), start, {}, False
        while end < len(tokens):
            closing = _closing(open_after[end])
            if size + utf16_len(tokens[end]) + utf16_len(closing) > limit and end > start:
                break
            size += utf16_len(tokens[end])
            if tokens[end] in _BREAKS:
                if shown:  # a part of nothing but tags would be an empty message
                    cuts[tokens[end]] = end  # cut before the break: it is dropped with the cut
            elif not (html and _is_tag(tokens[end])):
                shown = True
            end += 1
        cut = cuts.get("\n") or cuts.get(" ")
        if end < len(tokens) and cut:
            end = cut
        body = "".join(tokens[start:end]).rstrip("\n ")
        parts.append(reopen + body + _closing(open_after[end - 1]))
        start = end
    return parts or [text[:limit]]  # only blanks


def _tokens(text: str, longest: int, html: bool) -> list[str]:
    tokens = []
    for token in (_TOKEN if html else _PLAIN_TOKEN).findall(text):
        if (html and token[0] in "<&") or len(token) <= longest:  # tags and entities stay whole
            tokens.append(token)
        else:  # a word too long for a part: cut it anywhere
            tokens += [token[i:i + longest] for i in range(0, len(token), longest)]
    return tokens


def _open_tags(tokens: list[str]) -> list[tuple[tuple[str, str], ...]]:
    stack: list[tuple[str, str]] = []
    after = []
    for token in tokens:
        tag = _is_tag(token)
        if tag:
            closing, name = tag.group(1), tag.group(2).lower()
            if not closing:
                stack.append((name, token))
            elif any(n == name for n, _ in stack):
                while stack and stack.pop()[0] != name:
                    pass
        after.append(tuple(stack))
    return after


def _is_tag(token: str) -> re.Match | None:
    return _TAG.match(token) if token.endswith(">") else None


def _closing(open_tags: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(open_tags))
