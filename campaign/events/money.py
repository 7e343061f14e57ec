"""Money as integer minor units plus an ISO 4217 currency: parsing what people type, and display."""
from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision, list_currencies
from flask_babel import format_currency

#: Shown first in currency pickers; any ISO 4217 code Babel knows is accepted.
COMMON_CURRENCIES = ("GBP", "EUR", "USD", "UAH", "PLN", "CAD", "AUD", "CHF", "SEK", "NOK", "DKK")

#: Larger pledges than this are refused as typing mistakes (a million in major units).
MAX_MAJOR_UNITS = 1_000_000


class InvalidMoney(ValueError):
    pass


def currency_choices() -> list[str]:
    return list(COMMON_CURRENCIES) + sorted(set(list_currencies()) - set(COMMON_CURRENCIES))


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
