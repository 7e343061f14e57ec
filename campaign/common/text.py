"""Rules for free text typed by the public: trimmed, any script kept, control characters refused,
and nothing that makes a line show as other than it is (or as nothing at all)."""
import enum
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

#: The longest name and affiliation a person can give, wherever they sign or are imported.
NAME_MAX_LENGTH = 200
AFFILIATION_MAX_LENGTH = 300
#: A source code ("unite-leeds", a utm_source) and the domain a visitor came from.
SOURCE_MAX_LENGTH = 64
#: What a spreadsheet runs as a formula when a cell starts with it.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DOMAIN_MAX_LENGTH = 253
#: More combining marks than this on one character is piled-up ("Zalgo") text, not writing.
MAX_STACKED_MARKS = 3

# Tab, newline and carriage return are allowed only where a field is multi-line.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
#: Bidirectional controls: U+202E shows "Anna\u202eavoN" as "AnnaNova"; no one line needs them.
_DIRECTION_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: Spaces, format characters (zero-width ones among them) and marks with nothing to sit on.
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me"})
#: Letters that show as blank space: the Hangul fillers, and the blank braille pattern.
_BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")

NAME_NEEDS_A_LETTER = _l("Enter a name with at least one letter.")
AFFILIATION_NEEDS_A_LETTER = _l("Enter an affiliation with at least one letter, or leave it empty.")


class TextProblem(enum.Enum):
    direction_controls = "direction_controls"
    stacked_marks = "stacked_marks"
    invisible = "invisible"

    @property
    def message(self) -> str:
        return str(_PROBLEM_MESSAGES[self])


_PROBLEM_MESSAGES = {
    TextProblem.direction_controls: _l(
        "Remove the hidden characters that change the direction of the text."),
    TextProblem.stacked_marks: _l(
        "Remove the extra marks: no more than %(max)d may sit on one letter.",
        max=MAX_STACKED_MARKS),
    TextProblem.invisible: _l("This has only invisible characters: type it with ones that show."),
}


def has_control_characters(value: str, multiline: bool = False) -> bool:
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    return bool(pattern.search(value or ""))


def text_problem(value: str) -> TextProblem | None:
    """What would make one line of text show as other than it is, or as nothing; None if fine.

    Empty text is fine here: whether a field may be left empty is its own rule.
    """
    if not value:
        return None
    if _DIRECTION_CONTROLS.search(value):
        return TextProblem.direction_controls
    if _most_marks_on_one_character(value) > MAX_STACKED_MARKS:
        return TextProblem.stacked_marks
    if not any(_shows(character) for character in value):
        return TextProblem.invisible
    return None


def has_visible_letter(value: str) -> bool:
    """A name needs a letter of some script: digits, punctuation or blanks alone are not one."""
    return any(
        unicodedata.category(character).startswith("L") and character not in _BLANK_CHARACTERS
        for character in value or ""
    )


def _shows(character: str) -> bool:
    return (unicodedata.category(character) not in _INVISIBLE_CATEGORIES
            and character not in _BLANK_CHARACTERS)


def _most_marks_on_one_character(value: str) -> int:
    """The longest run of combining marks; invisible format characters do not break a run."""
    most = run = 0
    for character in value:
        category = unicodedata.category(character)
        if category in ("Mn", "Me"):
            run += 1
            most = max(most, run)
        elif category != "Cf":
            run = 0
    return most


def clean(value: str | None) -> str:
    """Trim surrounding whitespace and normalise to NFC so equal text compares equal."""
    return unicodedata.normalize("NFC", (value or "").strip())


def strip_filter(value):
    return clean(value) if isinstance(value, str) else value


class NoControlCharacters:
    """WTForms validator: refuse NUL and other control characters; on one line, also text
    that would show as other than it is or as nothing (`text_problem`)."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field):
        if not isinstance(field.data, str):
            return
        if has_control_characters(field.data, self.multiline):
            raise ValidationError(_l("Remove the control characters from this field."))
        problem = None if self.multiline else text_problem(field.data)
        if problem is not None:
            raise ValidationError(problem.message)


class HasLetter:
    """WTForms validator for names and affiliations: at least one letter shows. It comes last
    and keeps quiet when an earlier rule has already said what is wrong."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data and not field.errors and not has_visible_letter(field.data):
            raise ValidationError(self.message)
