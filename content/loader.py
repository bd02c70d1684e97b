"""Loading and validating a week file, with errors that point into the file."""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from content.schema import Week, rules

DEFAULT_PATH = Path(__file__).with_name("week.yaml")


class ContentError(Exception):
    """The week file is unusable; `errors` holds one line per problem."""

    def __init__(self, path: Path, errors: list[str]) -> None:
        self.path = path
        self.errors = errors
        super().__init__(f"{path}: {len(errors)} error(s)\n" + "\n".join(errors))


def load_week(path: Path | str = DEFAULT_PATH) -> Week:
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError(path, [f"cannot read the file: {exc.strerror or exc}"]) from exc
    try:
        data, tree = _parse(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentError(path, [f"{where}not valid YAML: {problem}"]) from exc
    if not isinstance(data, dict):
        raise ContentError(path, ["the file must be a mapping with ward, event, days, faq, ..."])
    if "base" in data:
        # An overlay: this file changes a few fields of another week file (e.g. a demo bank account).
        base = load_week(path.parent / str(data.pop("base")))
        data = _merge(base.model_dump(mode="json", exclude_none=True), data)
    try:
        week = Week.model_validate(data)
    except ValidationError as exc:
        errors = [(tuple(e["loc"]), _message(e)) for e in exc.errors()]
        raise ContentError(path, [_format(tree, loc, msg) for loc, msg in errors]) from None
    problems = rules(week)
    if problems:
        raise ContentError(path, [_format(tree, loc, msg) for loc, msg in problems])
    return week


# libyaml's loader when PyYAML has it (ten times faster: most of the start-up's parsing), else Python's.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(source: str) -> tuple[object, yaml.Node | None]:
    """The data and its node tree (whose marks give the line of an error), from one parse."""
    loader = _LOADER(source)
    try:
        tree = loader.get_single_node()
        return (None if tree is None else loader.construct_document(tree)), tree
    finally:
        loader.dispose()


def _merge(base: dict, overlay: dict) -> dict:
    merged = dict(base)
    for key, value in overlay.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


def _message(error: dict) -> str:
    if error["type"] == "missing":
        return "missing"
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling)"
    return error["msg"]


def location(loc: tuple) -> str:
    """("days", 3, "date") -> "days[3].date"."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top)"


def _format(tree: yaml.Node | None, loc: tuple, message: str) -> str:
    line = _line(tree, loc)
    prefix = f"line {line}: " if line else ""
    return f"{prefix}{location(loc)}: {message}"


def _line(node: yaml.Node | None, loc: tuple) -> int | None:
    """The line of the deepest node of `loc` present in the YAML tree."""
    line = None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line
