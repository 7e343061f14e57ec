"""Email validation and the normal form used for duplicate rules."""
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

# Webmail domains that ignore dots and "+tags" in the local part, so one person
# cannot sign many times as j.o.e+1@gmail.com, joe+2@gmail.com ...
_DOTS_IGNORED = {"gmail.com", "googlemail.com"}
_PLUS_TAGS_IGNORED = {
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com",
    "hotmail.co.uk", "outlook.co.uk", "icloud.com", "me.com", "protonmail.com",
    "proton.me", "fastmail.com", "yahoo.com", "yahoo.co.uk",
}
_DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}


class InvalidEmail(ValueError):
    pass


def validated_email(value: str) -> str:
    """The address as the person typed it, checked for shape only (no network look-up).

    The domain is kept in its ASCII (punycode) form: a Unicode domain and its punycode are
    one address, a look-alike domain cannot pass for a familiar one where it is stored, and
    mail to it needs no SMTPUTF8. `internationalised_form` gives organizers the Unicode form.
    """
    return _validated((value or "").strip())


@lru_cache(maxsize=16)
def _validated(value: str) -> str:
    """Remembered for the last few addresses only: a signing request checks its address in
    the form and again in the service, and the second check is then free."""
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from error
    return f"{result.local_part}@{result.ascii_domain}"


def internationalised_form(address: str | None) -> str | None:
    """The Unicode form of an internationalised address, or None for a plain ASCII one."""
    try:
        shown = validate_email(address or "", check_deliverability=False).normalized
    except EmailNotValidError:
        return None
    return None if shown.isascii() else shown


def normalise_email(value: str) -> str:
    """Case and surrounding space ignored; dots and plus-tags ignored where the provider ignores them."""
    address = (value or "").strip().lower()
    local, _, domain = address.rpartition("@")
    domain = _DOMAIN_ALIASES.get(domain, domain)
    if domain in _PLUS_TAGS_IGNORED:
        local = local.split("+", 1)[0]
    if domain in _DOTS_IGNORED:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def ascii_domain(value: str) -> str:
    """The domain of the address's normal form, in ASCII (IDNA) form: what the abuse review
    groups signatures by, kept in clear while the address itself is encrypted."""
    domain = normalise_email(value).rpartition("@")[2]
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain
