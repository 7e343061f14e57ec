"""The catalogue check: every shipped language translates every message, and every
user-facing string is marked for translation.

When a test here fails after new English strings arrive, run `scripts/translations.sh`
(extract, update each messages.po, compile), translate the msgids the failure lists, and run
`scripts/translations.sh compile`.
"""
import ast
import gettext
import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
SHIPPED = sorted(path.parent.parent.name
                 for path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "lazy_ngettext": (1, 2)}
#: Babel's methods of the project's babel.cfg.
METHODS = [("campaign/**.py", "python"), ("templates/**.html", "jinja2"),
           ("templates/**.txt", "jinja2")]


def marked_messages() -> set[str]:
    """The msgid of every message marked in the code and templates, as extraction finds it."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.do"},
                     "templates/**.txt": {"extensions": "jinja2.ext.do"}},
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def test_a_language_is_shipped_and_offered(app):
    assert "uk" in SHIPPED
    assert set(SHIPPED) <= set(app.config["LANGUAGES"])


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    translated = catalogue(language)
    untranslated, fuzzy = [], []
    for msgid in sorted(marked_messages()):
        message = translated.get(msgid)
        strings = [] if message is None else (
            message.string if isinstance(message.string, (list, tuple)) else [message.string])
        if message is None or not all(strings):
            untranslated.append(msgid)
        elif message.fuzzy:
            fuzzy.append(msgid)
    assert not untranslated and not fuzzy, (
        f"translations/{language}: run scripts/translations.sh, then translate these and "
        "run scripts/translations.sh compile.\n"
        + "".join(f"untranslated: {msgid!r}\n" for msgid in untranslated)
        + "".join(f"fuzzy: {msgid!r}\n" for msgid in fuzzy)
    )


@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_the_placeholders_and_have_the_language_plural_forms(language):
    translated = catalogue(language)
    problems = [f"{message.id!r}: {errors}" for message, errors in translated.check()]
    assert not problems, "\n".join(problems)
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for message in translated:
        if not message.id or isinstance(message.id, (list, tuple)):
            continue
        assert set(placeholder.findall(message.string)) == set(placeholder.findall(message.id)), \
            message.id
    if language == "uk":
        assert translated.num_plurals == 3


@pytest.mark.parametrize("language", SHIPPED)
def test_the_compiled_catalogue_is_the_translated_one(language):
    """The committed .mo is what compiling the .po gives: nobody forgot to compile."""
    buffer = BytesIO()
    write_mo(buffer, catalogue(language))
    buffer.seek(0)
    expected = gettext.GNUTranslations(buffer)._catalog
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog
    stale = sorted(str(key) for key in expected.keys() ^ compiled.keys()) + sorted(
        str(key) for key in expected.keys() & compiled.keys() if expected[key] != compiled[key])
    assert not stale, "run scripts/translations.sh compile; differs: " + ", ".join(stale[:20])


# -- strings not marked for translation ---------------------------------------------------

_JINJA = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do"])
_HOLE = "\x00"
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<!--.*?-->|<[^>]*>", re.S)
_READ_ATTRIBUTES = re.compile(r"\b(?:aria-label|title|alt|placeholder)=\"([^\"]*)\"")
_WORD = re.compile(r"[^\W\d_]{2,}")
#: Text a template may show untranslated: the same in every language.
_SAME_IN_EVERY_LANGUAGE = {"UTC", "/privacy"}


def unmarked_template_text(source: str, html: bool = True) -> list[str]:
    """Words a reader sees in a template outside {% trans %} and {{ _() }}: text between
    tags and the attributes read aloud or shown (aria-label, title, alt, placeholder)."""
    pieces, in_trans, block = [], False, None
    for _line, kind, value in _JINJA.lex(source):
        if kind == "block_begin":
            block = []
        elif kind == "block_end":
            in_trans = {"trans": True, "endtrans": False}.get((block or [""])[0], in_trans)
            block = None
        elif block is not None and kind == "name":
            block.append(value)
        if kind == "data" and not in_trans:
            pieces.append(value)
        elif kind in ("variable_begin", "block_begin"):
            pieces.append(_HOLE)
    text = "".join(pieces)
    found = [value for value in _READ_ATTRIBUTES.findall(text)
             if _WORD.search(value.replace(_HOLE, " "))]
    shown = _TAGS.sub(" ", text) if html else text
    shown = re.sub(r"&[a-zA-Z#0-9]+;", " ", shown)
    for chunk in shown.split(_HOLE):
        chunk = " ".join(chunk.split())
        if _WORD.search(chunk) and chunk not in _SAME_IN_EVERY_LANGUAGE:
            found.append(chunk)
    return found


_TRANSLATING = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}
#: Keyword arguments that a person reads: a form field's label, a validator's message.
_READ_KEYWORDS = {"label", "message"}


def _name_of(call: ast.Call) -> str:
    function = call.func
    return getattr(function, "id", None) or getattr(function, "attr", "")


def _is_plain_text(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(_WORD.search(node.value))
    if isinstance(node, ast.BinOp):
        return _is_plain_text(node.left) or _is_plain_text(node.right)
    return isinstance(node, ast.JoinedStr)


def domain_errors(trees) -> set[str]:
    """DomainError and every class that derives from it, anywhere in the package."""
    names, grown = {"DomainError"}, True
    while grown:
        grown = False
        for tree in trees:
            for node in ast.walk(tree):
                bases = {getattr(base, "id", None) or getattr(base, "attr", "")
                         for base in getattr(node, "bases", [])}
                if isinstance(node, ast.ClassDef) and node.name not in names and bases & names:
                    names.add(node.name)
                    grown = True
    return names


def unmarked_python_text(tree: ast.AST, errors: set[str]) -> list[str]:
    """Plain strings handed to flash(), error_page(), a DomainError, a form field's label or
    a validator's message: what a person reads, so it must go through _() or _l()."""
    found = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call) or _name_of(call) in _TRANSLATING:
            continue
        name = _name_of(call)
        read = []
        if name in {"flash", "error_page"} | errors:
            read += call.args
        if name.endswith("Field") and call.args:
            read.append(call.args[0])
        read += [keyword.value for keyword in call.keywords if keyword.arg in _READ_KEYWORDS]
        found += [f"line {node.lineno}: {ast.unparse(node)[:80]}" for node in read
                  if _is_plain_text(node)]
    return found


def test_the_detectors_find_an_unmarked_string():
    assert unmarked_template_text('<p aria-label="Close">Sign here</p>') == ["Close", "Sign here"]
    assert unmarked_template_text(
        "<p>{% trans %}Sign{% endtrans %} {{ _('Here') }} – {{ count }}</p>") == []
    tree = ast.parse('flash("Saved.")\nraise StatementError(f"No {slug}")\n'
                     'name = StringField("Name")\nok = StringField(_l("Name"))\n')
    assert len(unmarked_python_text(tree, {"StatementError"})) == 3


def test_every_template_marks_its_text_for_translation():
    found = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".txt"):
            found += [f"{path.relative_to(ROOT)}: {text!r}"
                      for text in unmarked_template_text(path.read_text(encoding="utf-8"),
                                                         html=path.suffix == ".html")]
    assert not found, "wrap in {% trans %}…{% endtrans %}:\n" + "\n".join(found)


def test_every_module_marks_what_people_read_for_translation():
    trees = {path: ast.parse(path.read_text(encoding="utf-8"))
             for path in sorted((ROOT / "campaign").rglob("*.py"))}
    errors = domain_errors(trees.values())
    found = [f"{path.relative_to(ROOT)} {text}"
             for path, tree in trees.items() for text in unmarked_python_text(tree, errors)]
    assert not found, "wrap in _() or _l():\n" + "\n".join(found)
