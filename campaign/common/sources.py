"""Where a signatory or registrant came from: the code of the link and the referring domain.

A link to a statement or an event may carry `?source=CODE` (or `utm_source`/`utm_campaign`);
the page puts the code in a hidden form field, so it travels with the form and no cookie is
set. The referring page's address is put in another hidden field by the browser (site.js,
from `document.referrer`); only its domain is kept, never the rest of the address.
"""
import re
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import ValidationError

from campaign.common.text import DOMAIN_MAX_LENGTH, SOURCE_MAX_LENGTH

#: The query parameters a link's source code is read from, first found first.
SOURCE_PARAMETERS = ("source", "utm_source", "utm_campaign")
#: A code: letters, digits, dot, dash and underscore; case is folded so "Unite" is "unite".
_SOURCE = re.compile(r"[a-z0-9][a-z0-9._-]*")
#: A host name as browsers send it (international names arrive in their ASCII form).
_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
#: The longest referring address the hidden field accepts; only its domain is kept.
REFERRER_MAX_LENGTH = 2048

INVALID_SOURCE = _l("The link's source code can only have letters, digits, dots, dashes and "
                    "underscores, %(max)d at most.", max=SOURCE_MAX_LENGTH)
INVALID_REFERRER = _l("The address of the page you came from is not a web address.")


def normal_source(value: str | None) -> str | None:
    """The code in its kept form ("" for none), or None when it is not a code."""
    code = (value or "").strip().lower()
    if not code:
        return ""
    if len(code) > SOURCE_MAX_LENGTH or not _SOURCE.fullmatch(code):
        return None
    return code


def source_from_link(arguments) -> str:
    """The code a link's query string carries, or "" (a malformed one is ignored)."""
    for name in SOURCE_PARAMETERS:
        code = normal_source(arguments.get(name))
        if code:
            return code
    return ""


def referrer_domain(address: str | None) -> str | None:
    """The domain of a referring address ("" for none or this site's own), None when invalid."""
    address = (address or "").strip()
    if not address:
        return ""
    if len(address) > REFERRER_MAX_LENGTH:
        return None
    try:
        parts = urlsplit(address)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or len(host) > DOMAIN_MAX_LENGTH \
            or not _DOMAIN.fullmatch(host):
        return None
    own = urlsplit(current_app.config["BASE_URL"]).hostname
    return "" if host == own else host


class SourceCode:
    """WTForms validator: a source code by `normal_source`'s rule, left in its kept form."""

    def __call__(self, form, field):
        code = normal_source(field.data)
        if code is None:
            raise ValidationError(INVALID_SOURCE)
        field.data = code


class _ReferrerDomain:
    def __call__(self, form, field):
        domain = referrer_domain(field.data)
        if domain is None:
            raise ValidationError(INVALID_REFERRER)
        field.data = domain


class CameFrom:
    """Mixin for the signing and registration forms: the hidden `source` and `referrer`.

    A form shown for a GET takes the code from the link; a posted one keeps what was carried,
    checked. After validation `source.data` is the code and `referrer.data` the domain only.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.source = HiddenField("", validators=[SourceCode()])
        cls.referrer = HiddenField("", validators=[_ReferrerDomain()])

    def carry_source(self, arguments) -> None:
        """Fill the hidden code from a link's query string (a page shown, not a form posted)."""
        self.source.data = source_from_link(arguments)
