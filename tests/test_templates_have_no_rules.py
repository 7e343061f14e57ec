"""Templates ask the models what a status allows; they never compare a status or state to a string.

A string compare in a template is a second copy of a rule the service already holds, and
the two drift apart: the dashboard then offers an action the service refuses, or hides one
it allows. So every template is scanned, and each compare found is named by file and line.
"""
import re

import pytest

from campaign.config import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"

_JINJA_CODE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_STRING = r"""(?:'[^']*'|"[^"]*")"""
#: A dotted name about a status or state, such as `signature.status.value` or `state`.
_STATUS = r"[\w.]*(?:status|state)\b[\w.]*"
_COMPARE = r"(?:==|!=|\bis\s+(?:not\s+)?(?:eq|equalto|ne|sameas)\b)"
_RULES = [
    re.compile(rf"{_STATUS}\s*{_COMPARE}\s*{_STRING}"),
    re.compile(rf"{_STRING}\s*{_COMPARE}\s*{_STATUS}"),
    re.compile(rf"{_STATUS}\s+(?:not\s+)?in\s*[(\[]\s*{_STRING}"),
    # Any enum told apart by its value.
    re.compile(rf"\.value\s*{_COMPARE}|{_COMPARE}\s*[\w.]+\.value\b"),
]


def _string_compares(source: str) -> list[tuple[int, str]]:
    """(line number, code) of every status or state compared to a string in `source`."""
    found = []
    for code in _JINJA_CODE.finditer(source):
        if any(rule.search(code.group()) for rule in _RULES):
            found.append((source.count("\n", 0, code.start()) + 1, code.group()))
    return found


@pytest.mark.parametrize("code", [
    "{% if signature.status.value == 'hidden' %}",
    "{% elif registration.status.value != \"cancelled\" %}",
    "{% if state == 'open' %}",
    "{% if state.value == 'not_yet_open' and event.registration_opens_at %}",
    "{% if 'draft' == statement.status.value %}",
    "{% if statement.status.name is equalto 'draft' %}",
    "{% if signature.status.value in ('confirmed', 'hidden') %}",
    "{% if state not in ['open'] %}",
    "{{ 'x' if signal.value == 'address' }}",
    "{% if registration.status.value\n      == 'waitlisted' %}",
])
def test_the_scan_finds_string_compares(code):
    assert _string_compares(f"<p>\n{code}\n</p>") == [(2, code)]


@pytest.mark.parametrize("code", [
    "{% if signature.can_be_hidden %}",
    "{% if state.is_open %}",
    "{% if state is sameas RegistrationState.open %}",
    "{% if name == shown %}",
    "{% if statement.title == 'Untitled' %}",
    "<span class=\"tag tag--{{ statement.status.value }}\">{{ labels[statement.status.value] }}</span>",
    "<p>The status == 'draft' in plain text is not code.</p>",
])
def test_the_scan_lets_predicates_and_plain_text_be(code):
    assert _string_compares(code) == []


def test_no_template_compares_a_status_or_state_to_a_string():
    templates = sorted(path for path in TEMPLATES.rglob("*") if path.suffix in (".html", ".txt"))
    assert templates, f"no templates found under {TEMPLATES}"
    compares = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}: {code}"
        for path in templates
        for line, code in _string_compares(path.read_text(encoding="utf-8"))
    ]
    assert not compares, (
        "Templates compare a status or state to a string; give the model or enum a predicate "
        "(and let the service use it too):\n" + "\n".join(compares)
    )
