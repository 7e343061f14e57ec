"""Money as integer minor units plus an ISO 4217 currency: parsing what people type, and display."""
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.core import get_global
from babel.numbers import get_currency_name, get_currency_precision, get_territory_currencies
from flask_babel import format_currency, get_locale

#: Shown first in currency pickers, in this order.
COMMON_CURRENCIES = ("GBP", "EUR", "UAH", "USD")

#: What a money column holds (64 bits): no amount is read, and no limit set, beyond it.
LARGEST_MINOR = 2**63 - 1


class InvalidMoney(ValueError):
    pass


class TooMuch(InvalidMoney):
    """More than the largest amount allowed, which the person should be told."""


#: ISO 4217 codes that CLDR attaches to territories but that price nothing a person buys.
_NOT_MONEY = frozenset({
    "XAG", "XAU", "XPD", "XPT", "XDR", "XSU", "XUA", "XBA", "XBB", "XBC", "XBD", "XTS", "XXX",
})


@lru_cache(maxsize=4)
def active_currencies(today: date) -> frozenset[str]:
    """The ISO 4217 codes some country uses on `today`, as CLDR records it: legal tender and
    the units of account priced beside it (CLF, UYW).

    Historic currencies (DEM, ZWD) and metals, drawing rights and test codes (XAU, XDR, XTS)
    are left out: a ticket is priced in money people pay with today.
    """
    return frozenset(
        code for territory in get_global("territory_currencies")
        for code in get_territory_currencies(territory, today, tender=True, non_tender=True)
    ) - _NOT_MONEY


def currency_choices() -> list[tuple[str, str]]:
    """(code, "GBP – British Pound") for the active currencies: the common ones first, then by code."""
    locale = get_locale()
    others = sorted(active_currencies(date.today()) - set(COMMON_CURRENCIES))
    return [(code, f"{code} – {get_currency_name(code, locale=locale)}")
            for code in (*COMMON_CURRENCIES, *others)]


def minor_units(major: int, currency: str) -> int:
    """A whole number of `currency` (a limit from the settings) in minor units, at most LARGEST_MINOR."""
    return min(major * 10 ** get_currency_precision(currency), LARGEST_MINOR)


def to_minor(text: str, currency: str, largest_minor: int = LARGEST_MINOR) -> int:
    """"12", "12.5" or "£12.50" as minor units of `currency`; refuses negative amounts and
    fractions of a minor unit, and raises TooMuch above `largest_minor`."""
    cleaned = (text or "").strip().replace(",", "").lstrip("£$€¥₴").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as error:
        raise InvalidMoney("not a number") from error
    if not amount.is_finite() or amount < 0:
        raise InvalidMoney("out of range")
    precision = get_currency_precision(currency)
    if amount > Decimal(largest_minor).scaleb(-precision):
        raise TooMuch("more than the largest amount allowed")
    minor = amount.scaleb(precision)
    if minor != minor.to_integral_value():
        raise InvalidMoney("too many decimal places")
    return int(minor)


def to_major_text(minor: int | None, currency: str) -> str:
    """Minor units as plain text for a form field ("12.50"), the inverse of `to_minor`."""
    if minor is None:
        return ""
    precision = get_currency_precision(currency)
    return f"{Decimal(minor).scaleb(-precision):.{precision}f}"


def format_money(minor: int, currency: str) -> str:
    """Minor units shown in the reader's locale, e.g. £12.50."""
    return format_currency(_major(minor, currency), currency)


def format_money_with_code(minor: int, currency: str) -> str:
    """Minor units with the currency's code after them, as the currency lists name it,
    e.g. 10,000.0000 CLF: for a limit, so every decimal place the currency has is shown."""
    return format_currency(_major(minor, currency), currency, format="#,##0.00 ¤¤")


def _major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-get_currency_precision(currency))
