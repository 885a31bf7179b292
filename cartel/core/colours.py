"""Schools' colours on a dark screen: each readable against the background (at least 3:1, WCAG's
non-text contrast) and distinct from the others shown with it. Where a school's own colour fails, it is
adjusted (lightened, or its hue turned), and the page keeps the real colour in a swatch beside it.
Pure: standard library only."""

from __future__ import annotations

import colorsys
import math
import re
from collections.abc import Sequence

HEX = re.compile(r"#[0-9a-fA-F]{6}")
MIN_CONTRAST = 3.0
MIN_DISTANCE = 18.0  # CIE76 ΔE between two colours shown together: below, an eye mixes them up
# Readable on a near-black background and far apart from each other: the last resort of a crowded screen.
SPARE = (
    "#ff8a80",
    "#82b1ff",
    "#b9f6ca",
    "#ffd180",
    "#ea80fc",
    "#84ffff",
    "#f4ff81",
    "#ff80ab",
    "#ffab40",
    "#b388ff",
    "#80d8ff",
    "#f8bbd0",
    "#cfd8dc",
    "#69f0ae",
    "#ff6e40",
    "#eeff41",
    "#e040fb",
    "#ff4081",
    "#ffd740",
    "#ce93d8",
)  # fmt: skip  (20 colours at 4.5:1 or more on the screen, each at least 20 ΔE from the others)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def luminance(colour: str) -> float:
    r, g, b = (_linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _lab(colour: str) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in _rgb(colour))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def distance(a: str, b: str) -> float:
    """How far apart two colours look (CIE76 ΔE)."""
    return math.dist(_lab(a), _lab(b))


def readable(colour: str, background: str) -> str:
    """``colour`` lightened towards white (on a dark background) until it stands out at 3:1."""
    rgb = _rgb(colour)
    for step in range(21):
        mixed = _hex(tuple(c + (1 - c) * step / 20 for c in rgb))  # type: ignore[arg-type]
        if contrast(mixed, background) >= MIN_CONTRAST:
            return mixed
    return "#ffffff"


def _turned(colour: str, degrees: float) -> str:
    h, lightness, s = colorsys.rgb_to_hls(*_rgb(colour))
    return _hex(colorsys.hls_to_rgb((h + degrees / 360) % 1, lightness, max(s, 0.45)))


def for_screen(colours: Sequence[str | None], background: str) -> list[str]:
    """One colour per school, in order: its own where readable on ``background`` and distinct from those
    before it; else adjusted (lightened, then its hue turned), else a spare colour."""
    chosen: list[str] = []
    for k, given in enumerate(colours):
        base = given.lower() if isinstance(given, str) and HEX.fullmatch(given) else SPARE[k % len(SPARE)]
        candidates = [readable(base, background)]
        candidates += [readable(_turned(base, turn), background) for turn in (30, -30, 60, -60, 90, -90, 150, 180)]
        candidates += [c for c in SPARE if c not in chosen]
        pick = next(
            (c for c in candidates if all(distance(c, other) >= MIN_DISTANCE for other in chosen)),
            candidates[0],
        )
        chosen.append(pick)
    return chosen
