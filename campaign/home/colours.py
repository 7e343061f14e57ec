"""Colours as "#rrggbb": reading one typed in, its contrast with white, a darker shade.

Contrast follows WCAG 2: the ratio of the lighter colour's relative luminance to the
darker's, each plus 0.05; AA asks 4.5:1 for text of ordinary size.
"""
import re

#: WCAG 2 AA for text of ordinary size.
MIN_CONTRAST = 4.5

_HEX_COLOUR = re.compile(r"#?([0-9a-f]{6})")
_WHITE_LUMINANCE = 1.0


def parse_colour(text: str) -> str | None:
    """"#rrggbb" in lower case from "#RRGGBB" or "rrggbb"; None when it is neither."""
    match = _HEX_COLOUR.fullmatch((text or "").strip().lower())
    return f"#{match.group(1)}" if match else None


def _channels(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[index:index + 2], 16) for index in (1, 3, 5))


def relative_luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_with_white(colour: str) -> float:
    return (_WHITE_LUMINANCE + 0.05) / (relative_luminance(colour) + 0.05)


def darker(colour: str, by: float = 0.25) -> str:
    """The colour mixed with `by` black: for a hover, it keeps (and raises) the contrast."""
    return "#" + "".join(f"{round(channel * (1 - by)):02x}" for channel in _channels(colour))
