"""Gradient-health colours: a gradient norm on a log scale, Qt-free (RGB tuples).

Vanishing gradients (norm at or below 1e-6) are blue, healthy ones (around 1) green, exploding ones
(1e+6 and above) red; NaN or Inf is magenta. Between the stops colours are interpolated in log10.
"""

from __future__ import annotations

import math

RGB = tuple[int, int, int]

LOW, HIGH = -6.0, 6.0  # log10 of the norms at the ends of the scale
STOPS: list[tuple[float, RGB]] = [
    (-6.0, (49, 54, 149)),  # deep blue: vanishing
    (-3.0, (69, 117, 180)),
    (-1.5, (116, 173, 209)),
    (0.0, (26, 152, 80)),  # green: healthy
    (1.5, (254, 224, 139)),
    (3.0, (244, 109, 67)),
    (6.0, (165, 0, 38)),  # dark red: exploding
]
NONFINITE: RGB = (214, 39, 200)
ZERO: RGB = (120, 120, 120)


def log_position(norm: float) -> float:
    """Where ``norm`` falls on the scale, 0 (vanishing end) to 1 (exploding end)."""
    if norm <= 0:
        return 0.0
    v = (math.log10(norm) - LOW) / (HIGH - LOW)
    return min(1.0, max(0.0, v))


def colour_at(t: float) -> RGB:
    """The scale's colour at position ``t`` in [0, 1]."""
    lv = LOW + min(1.0, max(0.0, t)) * (HIGH - LOW)
    for (a, ca), (b, cb) in zip(STOPS, STOPS[1:]):
        if lv <= b:
            f = 0.0 if b == a else (lv - a) / (b - a)
            return tuple(round(x + (y - x) * f) for x, y in zip(ca, cb))  # type: ignore[return-value]
    return STOPS[-1][1]


def health_colour(norm: float | None) -> RGB | None:
    """The colour for a gradient of this norm; None when there is no gradient (yet)."""
    if norm is None:
        return None
    if math.isnan(norm) or math.isinf(norm):
        return NONFINITE
    if norm == 0:
        return ZERO
    return colour_at(log_position(norm))


def verdict(norm: float | None) -> str:
    """A word for the legend and tooltips."""
    if norm is None:
        return "no gradient yet"
    if math.isnan(norm) or math.isinf(norm):
        return "NaN/Inf"
    if norm == 0:
        return "zero"
    lv = math.log10(norm)
    if lv <= -4:
        return "vanishing"
    if lv >= 4:
        return "exploding"
    return "healthy"


LEGEND_TICKS = [(-6, "1e-6"), (-3, "1e-3"), (0, "1"), (3, "1e3"), (6, "1e6")]
