"""The catalogue (content/texts): both languages say the same things with the same values, and
the code and the catalogue agree on the keys."""
from __future__ import annotations

import ast
import string

import pytest

from content.render import placeholders
from content.schema import LANGS, PLACEHOLDERS
from content.texts import COMMANDS, TEXTS, Html, plain, say
from content.texts.commands import COMMAND_NAMES, MENU
from storage.status import PledgeStatus

from conftest import ROOT
CATALOGUE = ROOT / "content" / "texts"
# Where texts are used: every module but the catalogue itself.
CODE = sorted(p for d in ("handlers", "channels", "jobs", "content") for p in (ROOT / d).rglob("*.py")
              if CATALOGUE not in p.parents) + [ROOT / "bot.py"]
# Keys the code builds from a prefix (f"staff_paid_{outcome}"), with every value the rest takes.
DYNAMIC = {"staff_paid_": ("unknown", "cancelled", "already"),
           "pledge_status_": tuple(str(s) for s in PledgeStatus),
           "command_": MENU}  # the command menu's descriptions (content/texts/__init__.py)


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_languages_have_the_same_keys():
    assert TEXTS.keys() == {"vi", "en"}
    assert sorted(TEXTS["vi"].keys() - TEXTS["en"].keys()) == []
    assert sorted(TEXTS["en"].keys() - TEXTS["vi"].keys()) == []


@pytest.mark.parametrize("key", sorted(TEXTS["vi"]))
def test_languages_have_the_same_placeholders(key):
    vi, en = TEXTS["vi"][key], TEXTS["en"].get(key, "")
    assert fields(vi) == fields(en), key
    # Named placeholders only, each a plain name: a value is given by keyword, never looked into.
    for name in fields(vi):
        assert name.isidentifier(), (key, name)
    for template in (vi, en):
        template.format(**{name: "x" for name in fields(template)})


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_catalogue_writes_each_key_once(lang):
    """A dict literal keeps the last of two equal keys without a word: the first would be lost."""
    tree = ast.parse((CATALOGUE / f"{lang}.py").read_text(encoding="utf-8"))
    keys = [k.value for node in ast.walk(tree) if isinstance(node, ast.Dict) for k in node.keys
            if isinstance(k, ast.Constant)]
    assert sorted({k for k in keys if keys.count(k) > 1}) == []
    assert len(keys) == len(TEXTS[lang])


def test_every_feature_has_a_command_in_every_language():
    assert sorted((intent, lang) for intent, names in COMMAND_NAMES.items() for lang in TEXTS if lang not in names) == []
    assert set(MENU) <= COMMAND_NAMES.keys()


def test_no_command_name_means_two_features():
    """COMMANDS keeps the last feature of a name used twice, without a word."""
    meanings = {}
    for intent, names in COMMAND_NAMES.items():
        for name in set(names.values()):
            meanings.setdefault(name, []).append(intent)
    assert {name: intents for name, intents in meanings.items() if len(intents) > 1} == {}
    assert len(COMMANDS) == len(meanings)


def test_week_placeholders_are_the_ones_answers_may_use(week):
    for lang in LANGS:
        assert placeholders(week, lang).keys() == PLACEHOLDERS


def test_say_escapes_values_and_plain_keeps_them():
    assert say("en", "btn_use_name", name="<b>A & B</b>") == "Use “&lt;b&gt;A &amp; B&lt;/b&gt;”"
    assert say("en", "btn_use_name", name=Html("<b>A</b>")) == "Use “<b>A</b>”"
    assert plain("en", "btn_use_name", name="<b>A & B</b>") == "Use “<b>A & B</b>”"


# --- keys in the code ---------------------------------------------------------------------------

def _key_argument(call: ast.Call) -> ast.expr | None:
    """The key a call names: voice.t/say/label/reply(key, ...), say/plain(lang, key, ...)."""
    func = call.func
    index = None
    if isinstance(func, ast.Attribute) and func.attr in ("t", "say", "label", "reply"):
        index = 0
    elif isinstance(func, ast.Name) and func.id in ("say", "plain"):
        index = 1
    return call.args[index] if index is not None and len(call.args) > index else None


def _topic_argument(call: ast.Call) -> ast.expr | None:
    """A reply's topic (often spelt like a key, but not one): Reply(text, topic), voice.reply(key, topic)."""
    func = call.func
    if (isinstance(func, ast.Name) and func.id == "Reply") or (isinstance(func, ast.Attribute) and func.attr == "reply"):
        return call.args[1] if len(call.args) > 1 else None
    return None


def _scan() -> tuple[list[tuple[str, str]], list[tuple[str, str]], set[str]]:
    """(keys named where a key is taken, f-string prefixes there, every string constant but topics)."""
    named, prefixes, constants = [], [], set()
    for path in CODE:
        where = str(path.relative_to(ROOT))
        topics = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            key = None
            if isinstance(node, ast.Call):
                key = _key_argument(node)
                topic = _topic_argument(node)
                if topic is not None:
                    topics.add(id(topic))
            elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Subscript) \
                    and isinstance(node.value.value, ast.Name) and node.value.value.id == "TEXTS":
                key = node.slice  # TEXTS[lang][key]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                named.append((where, key.value))
            elif isinstance(key, ast.JoinedStr) and key.values and isinstance(key.values[0], ast.Constant):
                prefixes.append((where, key.values[0].value))
        constants |= {n.value for n in ast.walk(tree)
                      if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in topics}
    return named, prefixes, constants


NAMED, PREFIXES, CONSTANTS = _scan()


def test_the_scan_sees_the_code():
    """A scan that found nothing would pass the tests below for nothing."""
    assert ("handlers/menu.py", "greeting") in NAMED
    assert ("handlers/teach.py", "btn_teach") in NAMED
    assert ("handlers/staff.py", "staff_paid_") in PREFIXES


def test_every_key_the_code_names_exists():
    assert sorted((where, key) for where, key in NAMED if key not in TEXTS["vi"]) == []


def test_every_key_the_code_builds_is_declared_and_exists():
    assert sorted((where, prefix) for where, prefix in PREFIXES if prefix not in DYNAMIC) == []
    built = [prefix + rest for prefix, values in DYNAMIC.items() for rest in values]
    assert sorted(key for key in built if key not in TEXTS["vi"]) == []


def test_every_key_is_used():
    """A key is used when the code spells it out (a string constant that is not a reply's topic:
    keys also reach t() through variables, e.g. a pledge step's reminder), or builds it (DYNAMIC)."""
    built = {prefix + rest for prefix, values in DYNAMIC.items() for rest in values}
    assert sorted(TEXTS["vi"].keys() - CONSTANTS - built) == []
