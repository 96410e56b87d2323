"""Contour levels for a surface sampled on a grid (numpy only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import RenderError
from ..surfaces.analytic import Array, Surface

LARGEST_VALUE = 1e200
"""The largest level (in magnitude) the contour view draws: matplotlib adds levels at ±1e250 for the colours
beyond the range, and differences of values near 1e308 overflow."""


@dataclass(frozen=True)
class Field:
    """What the contour plot draws: ``values`` on the grid (log10 of the gap above the minimum for a log
    scale), and the ``levels`` for filled contours and lines."""

    xs: Array
    ys: Array
    values: Array
    levels: Array
    scale: str


def sample(surface: Surface, window: tuple[float, float, float, float], resolution: int = 300) -> tuple[Array, ...]:
    """``xs, ys, z``: the surface on a ``resolution``² grid over ``window`` (non-finite values masked)."""
    x0, x1, y0, y1 = window
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    with np.errstate(all="ignore"):
        z = surface.f(np.stack(np.meshgrid(xs, ys), axis=-1))
    return xs, ys, np.ma.masked_invalid(z)


def contour_field(
    surface: Surface, window: tuple[float, float, float, float], count: int = 32, resolution: int = 300
) -> Field:
    """Sample the surface and choose ``count`` levels: log-spaced above the minimum for ``scale="log"``
    surfaces, linear between the minimum and the 98th percentile otherwise (outliers would flatten the
    rest). :class:`RenderError` when the window holds no finite value, or levels would pass
    :data:`LARGEST_VALUE`."""
    xs, ys, z = sample(surface, window, resolution)
    finite = np.ma.compressed(z)
    where = f"{surface.name} over the window {', '.join(f'{v:g}' for v in window)}"
    if finite.size == 0:
        raise RenderError(f"{where} has no finite value to draw; choose another window")
    known = [p.value for p in surface.global_minima]
    low = min([float(finite.min()), *known])
    scale = surface.scale
    high = float(finite.max()) if scale == "log" else float(np.percentile(finite, 98))
    top = max(abs(low), abs(high))
    if not np.isfinite(high - low) or (scale != "log" and top > LARGEST_VALUE):  # log levels: logs of the span
        raise RenderError(f"{where} reaches {top:.3g}, beyond the ±{LARGEST_VALUE:g} contours can draw; "
                          "choose a smaller window")
    if scale == "log":
        span = max(high - low, 1e-12)
        floor = span * 1e-6
        values = np.ma.log10(z - low + floor)
        levels = np.linspace(np.log10(floor * 10), np.log10(span + floor), count)
        return Field(xs, ys, values, levels, "log")
    if high <= low:  # flat: one unit above (relative to the value where a unit is below float64's step)
        high = low + max(1.0, 1e-6 * abs(low))
    return Field(xs, ys, z, np.linspace(low, high, count), "linear")
