"""The accent colour: parsed from hex and held to WCAG 2.1 AA contrast, since it colours links and button text on
white and is the background of primary buttons under white text (the same ratio both ways)."""

from __future__ import annotations

import re

from examengine.errors import InvalidInput

AA_TEXT = 4.5  # WCAG 2.1 SC 1.4.3, normal-size text
PAPER = "#ffffff"
# The light backgrounds of app.css that accent-coloured links sit on (--paper, --surface, --warn-tint): the accent
# must be readable on the darkest of them.
BACKGROUNDS = (PAPER, "#f5f5f5", "#fff4d6")
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def parse_hex(raw: str) -> str:
    """`#rrggbb` in lower case from `#rgb`, `rrggbb` or `#RRGGBB`; InvalidInput (invalid_colour) otherwise."""
    found = _HEX.fullmatch(raw.strip())
    if found is None:
        raise InvalidInput(
            f"{raw.strip()[:20]!r} is not a colour: write it as six hex digits, e.g. #0b57a4.",
            code="invalid_colour",
            details={"field": "accent_colour"},
        )
    digits = found.group(1).lower()
    return "#" + (digits if len(digits) == 6 else "".join(d * 2 for d in digits))


def _channel(value: int) -> float:
    srgb = value / 255
    return srgb / 12.92 if srgb <= 0.04045 else ((srgb + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of `#rrggbb` (WCAG 2.1 definition)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _darker(colour: str, factor: float) -> str:
    return "#" + "".join(f"{round(int(colour[i : i + 2], 16) * factor):02x}" for i in (1, 3, 5))


def worst_contrast(colour: str) -> float:
    """The contrast of `colour` on the page background where it is least readable."""
    return min(contrast(colour, background) for background in BACKGROUNDS)


def passing_shade(colour: str) -> str:
    """The lightest darker shade of `colour` (same hue) readable at AA on every page background."""
    factor = 1.0
    shade = colour
    while worst_contrast(shade) < AA_TEXT:
        factor -= 0.01
        shade = _darker(colour, factor)
    return shade


def accent(raw: str) -> str:
    """The accent as `#rrggbb`. Raises InvalidInput: invalid_colour, or accent_contrast_too_low naming the
    contrast it has and a darker shade of it that would pass."""
    colour = parse_hex(raw)
    ratio = worst_contrast(colour)
    if ratio < AA_TEXT:
        suggestion = passing_shade(colour)
        raise InvalidInput(
            f"The accent colour {colour} has a contrast of only {ratio:.2f}:1 on the page's light backgrounds, and "
            f"links and button text in it need at least {AA_TEXT}:1 to be readable (WCAG AA). Choose a darker "
            f"colour: {suggestion} is the same hue dark enough.",
            code="accent_contrast_too_low",
            details={
                "field": "accent_colour",
                "contrast": round(ratio, 2),
                "minimum": AA_TEXT,
                "suggestion": suggestion,
            },
        )
    return colour
