"""Writing wordings staff taught back into the week file, keeping its comments and layout.

A YAML library would drop the comments ward staff rely on (the "# MẪU" marks), so the new
wordings are inserted as text into the entry's `ask:` list (flow `[...]` or block `- ...`
style), and the result is parsed again to check that each landed where it belongs.
"""
from __future__ import annotations

import json
import re

import yaml


class ExportError(Exception):
    """The file's layout is not one this can edit safely; nothing is written."""


def add_asks(source: str, additions: dict[str, dict[str, list[str]]]) -> str:
    """`additions`: FAQ id -> language ("vi"/"en") -> wordings to append to that entry's asks."""
    lines = source.split("\n")
    for faq_id, by_lang in additions.items():
        for lang, wordings in by_lang.items():
            for wording in wordings:
                lines = _insert(lines, faq_id, lang, wording)
    result = "\n".join(lines)
    _check(result, additions)
    return result


def _insert(lines: list[str], faq_id: str, lang: str, wording: str) -> list[str]:
    quoted = json.dumps(wording, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    start = next((i for i, line in enumerate(lines)
                  if re.fullmatch(rf"\s*- id:\s*[\"']?{re.escape(faq_id)}[\"']?\s*(#.*)?", line)), None)
    if start is None:
        raise ExportError(f"no FAQ entry {faq_id!r} in the file")
    item_indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and not _ends_block(lines[end], item_indent):
        end += 1
    ask = next((i for i in range(start, end) if re.fullmatch(r"\s*(- )?ask:\s*(#.*)?", lines[i])), None)
    if ask is None:
        raise ExportError(f"entry {faq_id!r}: no 'ask:' block")
    ask_indent = len(lines[ask]) - len(lines[ask].lstrip())
    key = next((i for i in range(ask + 1, end) if re.match(rf"\s+{lang}:", lines[i])
                and len(lines[i]) - len(lines[i].lstrip()) > ask_indent), None)
    if key is None:  # e.g. no English asks yet
        return lines[:ask + 1] + [" " * (ask_indent + 2) + f"{lang}: [{quoted}]"] + lines[ask + 1:]
    after = lines[key].split(":", 1)[1].strip()
    if after.startswith("["):
        return _into_flow(lines, key, quoted)
    if after and not after.startswith("#"):
        raise ExportError(f"entry {faq_id!r}: '{lang}:' is neither a [...] list nor a '- ' list")
    key_indent = len(lines[key]) - len(lines[key].lstrip())
    last = key
    for i in range(key + 1, end):
        stripped = lines[i].strip()
        if stripped.startswith("- ") and len(lines[i]) - len(lines[i].lstrip()) >= key_indent:
            last = i
        elif stripped and not stripped.startswith("#"):
            break
    indent = len(lines[last]) - len(lines[last].lstrip()) if last != key else key_indent + 2
    return lines[:last + 1] + [" " * indent + f"- {quoted}"] + lines[last + 1:]


def _ends_block(line: str, item_indent: int) -> bool:
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return False
    return len(line) - len(line.lstrip()) <= item_indent


def _into_flow(lines: list[str], key: int, quoted: str) -> list[str]:
    """Before the `]` closing the flow list that opens on line `key`, quotes respected."""
    quote = None
    escaped = False
    depth = 0
    for i in range(key, len(lines)):
        line = lines[i]
        begin = line.index("[") if i == key else 0
        for j in range(begin, len(line)):
            c = line[j]
            if quote:
                if escaped:
                    escaped = False
                elif c == "\\" and quote == '"':
                    escaped = True
                elif c == quote:
                    quote = None
            elif c in "\"'":
                quote = c
            elif c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
                if depth == 0:
                    inside = (line[:j] if i != key else line[begin + 1:j]).strip()
                    sep = ", " if inside or i != key else ""
                    lines = list(lines)
                    lines[i] = line[:j].rstrip() + sep + quoted + line[j:]
                    return lines
    raise ExportError("unclosed [ list")


def _check(source: str, additions: dict[str, dict[str, list[str]]]) -> None:
    data = yaml.safe_load(source)
    entries = {e.get("id"): e for e in data.get("faq", [])}
    for faq_id, by_lang in additions.items():
        for lang, wordings in by_lang.items():
            have = entries.get(faq_id, {}).get("ask", {}).get(lang) or []
            missing = [w for w in wordings if w not in have]
            if missing:
                raise ExportError(f"entry {faq_id!r}: {missing} did not land in ask.{lang}")
