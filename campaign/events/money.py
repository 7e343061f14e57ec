"""Money as integer minor units plus an ISO 4217 currency: parsing what people type, and display."""
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.core import get_global
from babel.numbers import get_currency_name, get_currency_precision, get_territory_currencies
from flask_babel import format_currency, get_locale

#: Shown first in currency pickers, in this order.
COMMON_CURRENCIES = ("GBP", "EUR", "UAH", "USD")

#: Larger pledges than this are refused as typing mistakes (a million in major units).
MAX_MAJOR_UNITS = 1_000_000


class InvalidMoney(ValueError):
    pass


@lru_cache(maxsize=4)
def active_currencies(today: date) -> frozenset[str]:
    """The ISO 4217 codes some country uses as legal tender on `today`, as CLDR records it.

    Historic currencies (DEM, ZWD), funds (BOV, CLF) and metals or drawing rights (XAU, XDR)
    are left out: a ticket is priced in money people can pay with.
    """
    return frozenset(
        code for territory in get_global("territory_currencies")
        for code in get_territory_currencies(territory, today, tender=True)
    )


def currency_choices() -> list[tuple[str, str]]:
    """(code, "GBP – British Pound") for the active currencies: the common ones first, then by code."""
    locale = get_locale()
    others = sorted(active_currencies(date.today()) - set(COMMON_CURRENCIES))
    return [(code, f"{code} – {get_currency_name(code, locale=locale)}")
            for code in (*COMMON_CURRENCIES, *others)]


def to_minor(text: str, currency: str) -> int:
    """"12", "12.5" or "£12.50" as minor units of `currency`; refuses negative, fractional minor units and absurd sums."""
    cleaned = (text or "").strip().replace(",", "").lstrip("£$€¥₴").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as error:
        raise InvalidMoney("not a number") from error
    if not amount.is_finite() or amount < 0 or amount > MAX_MAJOR_UNITS:
        raise InvalidMoney("out of range")
    minor = amount.scaleb(get_currency_precision(currency))
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
    return format_currency(Decimal(minor).scaleb(-get_currency_precision(currency)), currency)
