"""SVG building blocks for the analysis charts: an accessible document, scaled axes, escaped text."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = 'font-family="sans-serif" font-size="12"'


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def number(value: float, digits: int = 2) -> str:
    """A short, locale-free number for labels and coordinates: 0.5 rather than 0.50, 3 rather than 3.00."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Plot:
    """Maps data coordinates into the drawing area of a chart of the given size."""

    width: int
    height: int
    x_min: float
    x_max: float
    y_min: float
    y_max: float
    left: int = 64
    right: int = 24
    top: int = 40
    bottom: int = 64

    def x(self, value: float) -> float:
        span = self.x_max - self.x_min or 1.0
        return self.left + (value - self.x_min) / span * (self.width - self.left - self.right)

    def y(self, value: float) -> float:
        span = self.y_max - self.y_min or 1.0
        return self.height - self.bottom - (value - self.y_min) / span * (self.height - self.top - self.bottom)

    def point(self, x: float, y: float) -> str:
        return f"{number(self.x(x))},{number(self.y(y))}"


def document(*, width: int, height: int, title: str, description: str, body: Sequence[str], defs: str = "") -> str:
    """A standalone SVG with role="img", an aria-label, and <title>/<desc> for screen readers."""
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}">',
            f"<title>{esc(title)}</title>",
            f"<desc>{esc(description)}</desc>",
            f"<defs>{defs}</defs>" if defs else "",
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
            f'<text x="{width / 2}" y="22" text-anchor="middle" {FONT} font-weight="bold">{esc(title)}</text>',
            *body,
            "</svg>",
        ]
    )


def axes(
    plot: Plot,
    *,
    x_ticks: Sequence[tuple[float, str]],
    y_ticks: Sequence[tuple[float, str]],
    x_label: str,
    y_label: str,
) -> list[str]:
    left, bottom = plot.left, plot.height - plot.bottom
    parts = [
        f'<g stroke="#000000" stroke-width="1"><line x1="{left}" y1="{plot.top}" x2="{left}" y2="{bottom}"/>'
        f'<line x1="{left}" y1="{bottom}" x2="{plot.width - plot.right}" y2="{bottom}"/></g>'
    ]
    for value, label in x_ticks:
        x = number(plot.x(value))
        parts.append(
            f'<line x1="{x}" y1="{bottom}" x2="{x}" y2="{bottom + 5}" stroke="#000000"/>'
            f'<text x="{x}" y="{bottom + 18}" text-anchor="middle" {FONT}>{esc(label)}</text>'
        )
    for value, label in y_ticks:
        y = number(plot.y(value))
        parts.append(
            f'<line x1="{left - 5}" y1="{y}" x2="{left}" y2="{y}" stroke="#000000"/>'
            f'<line x1="{left}" y1="{y}" x2="{plot.width - plot.right}" y2="{y}" stroke="#dddddd"/>'
            f'<text x="{left - 8}" y="{y}" dy="4" text-anchor="end" {FONT}>{esc(label)}</text>'
        )
    middle_y = (plot.top + bottom) / 2
    parts.append(
        f'<text x="{(left + plot.width - plot.right) / 2}" y="{plot.height - 26}" text-anchor="middle" '
        f"{FONT}>{esc(x_label)}</text>"
        f'<text x="16" y="{middle_y}" text-anchor="middle" transform="rotate(-90 16 {middle_y})" '
        f"{FONT}>{esc(y_label)}</text>"
    )
    return parts


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2 or 5 times a power of ten."""
    if high <= low:
        return [low]
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    ticks = []
    value = first
    while value <= high + 1e-9 * step:
        ticks.append(round(value, 10))
        value += step
    return ticks


# Distinct markers and dash patterns so lines stay apart without colour.
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "star", "ring", "bar")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "12 4", "4 4", "1 2", "10 2 2 2")


def marker(shape: str, x: float, y: float, *, size: float = 4.5, label: str = "") -> str:
    tooltip = f"<title>{esc(label)}</title>" if label else ""
    xs, ys, s = number(x), number(y), size
    style = 'fill="#000000" stroke="#000000"'
    if shape == "circle":
        return f'<circle cx="{xs}" cy="{ys}" r="{number(s)}" {style}>{tooltip}</circle>'
    if shape == "ring":
        return f'<circle cx="{xs}" cy="{ys}" r="{number(s)}" fill="#ffffff" stroke="#000000">{tooltip}</circle>'
    if shape == "square":
        corner = f'x="{number(x - s)}" y="{number(y - s)}"'
        return f'<rect {corner} width="{number(2 * s)}" height="{number(2 * s)}" {style}>{tooltip}</rect>'
    points = {
        "triangle": [(0, -s * 1.2), (s * 1.1, s * 0.8), (-s * 1.1, s * 0.8)],
        "diamond": [(0, -s * 1.3), (s * 1.1, 0), (0, s * 1.3), (-s * 1.1, 0)],
        "cross": [
            (-s, -s / 3),
            (-s / 3, -s / 3),
            (-s / 3, -s),
            (s / 3, -s),
            (s / 3, -s / 3),
            (s, -s / 3),
            (s, s / 3),
            (s / 3, s / 3),
            (s / 3, s),
            (-s / 3, s),
            (-s / 3, s / 3),
            (-s, s / 3),
        ],
        "star": [
            (0, -s * 1.3),
            (s * 0.35, -s * 0.4),
            (s * 1.2, -s * 0.4),
            (s * 0.5, s * 0.2),
            (s * 0.8, s * 1.2),
            (0, s * 0.6),
            (-s * 0.8, s * 1.2),
            (-s * 0.5, s * 0.2),
            (-s * 1.2, -s * 0.4),
            (-s * 0.35, -s * 0.4),
        ],
        "bar": [(-s * 1.2, -s / 2.5), (s * 1.2, -s / 2.5), (s * 1.2, s / 2.5), (-s * 1.2, s / 2.5)],
    }[shape]
    path = " ".join(f"{number(x + dx)},{number(y + dy)}" for dx, dy in points)
    return f'<polygon points="{path}" {style}>{tooltip}</polygon>'
