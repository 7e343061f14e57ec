"""Rules for free text typed by the public: trimmed, any script kept, control characters refused."""
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

#: The longest name and affiliation a person can give, wherever they sign or are imported.
NAME_MAX_LENGTH = 200
AFFILIATION_MAX_LENGTH = 300

# Tab, newline and carriage return are allowed only where a field is multi-line.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def has_control_characters(value: str, multiline: bool = False) -> bool:
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    return bool(pattern.search(value or ""))


def clean(value: str | None) -> str:
    """Trim surrounding whitespace and normalise to NFC so equal text compares equal."""
    return unicodedata.normalize("NFC", (value or "").strip())


def strip_filter(value):
    return clean(value) if isinstance(value, str) else value


class NoControlCharacters:
    """WTForms validator: refuse NUL and other control characters."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field):
        if isinstance(field.data, str) and has_control_characters(field.data, self.multiline):
            raise ValidationError(_l("Remove the control characters from this field."))
