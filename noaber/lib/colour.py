"""Colours as #rrggbb: WCAG 2.1 contrast and the shades a theme derives from one colour.

Pure functions, no Django: the theme compiler, the branding form and their tests use them.
"""

import re

HEX = re.compile(r"#[0-9a-fA-F]{6}")
WHITE = "#ffffff"
BLACK = "#000000"
# WCAG 2.1 success criterion 1.4.3 (AA) for normal text.
MIN_TEXT_CONTRAST = 4.5


def parse(colour: str) -> tuple[int, int, int]:
    """(r, g, b) of a '#rrggbb' colour; ValueError for anything else."""
    if not isinstance(colour, str) or not HEX.fullmatch(colour):
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def to_hex(rgb) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in rgb)


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance (0 for black, 1 for white)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in parse(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio, from 1 (same colour) to 21 (black on white)."""
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def mix(colour: str, other: str, amount: float) -> str:
    """`colour` with `amount` (0..1) of `other` mixed in (sRGB, as CSS color-mix does)."""
    a, b = parse(colour), parse(other)
    return to_hex(x + (y - x) * amount for x, y in zip(a, b, strict=True))


def primary_shades(colour: str) -> dict[str, str]:
    """The shades of the theme's primary colour (noaber.color.primary.*): light tints for
    backgrounds, the colour itself for buttons and links, darker ones for hover and active."""
    return {
        "50": mix(colour, WHITE, 0.95),
        "100": mix(colour, WHITE, 0.9),
        "200": mix(colour, WHITE, 0.78),
        "300": mix(colour, WHITE, 0.5),
        "400": colour,
        "500": colour,
        "600": mix(colour, BLACK, 0.2),
        "700": mix(colour, BLACK, 0.4),
    }
