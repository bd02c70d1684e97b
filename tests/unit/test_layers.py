"""The layers import only downwards: core <- content <- storage <- handlers <- jobs <- channels
<- bot.py. Jobs reach channels only through core.delivery.Senders, which bot.py fills; handlers
reach the assistant, the channels and the jobs only through their Context's ports."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT
# Lower number, lower layer. settings is plain configuration, read by the migrations too.
LAYERS = {"settings": 0, "core": 0, "content": 1, "storage": 2, "handlers": 3, "jobs": 4, "channels": 5, "bot": 6}


def imported(path: Path) -> set[str]:
    """The project's top-level packages a module imports, type-checking imports included."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names & LAYERS.keys()


def upward_imports(root: Path = ROOT) -> list[str]:
    found = []
    for package, rank in LAYERS.items():
        for path in sorted((root / package).rglob("*.py")) if (root / package).is_dir() else []:
            found += [f"{path.relative_to(root)} imports {name}" for name in sorted(imported(path))
                      if LAYERS[name] > rank]
    return found


def test_no_module_imports_a_layer_above_its_own():
    assert upward_imports() == []


def test_the_check_sees_an_upward_import(tmp_path):
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "x.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                            "    from handlers.router import Assistant\n")
    assert upward_imports(tmp_path) == ["core/x.py imports handlers"]
