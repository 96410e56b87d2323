r"""Reproducibility horizons: the step from which a path depends on the last bits of the arithmetic.

numpy's ``exp``, ``sin``, ``log``... return different last bits on different CPUs (AVX-512, AVX2 and
baseline loops). Most paths forget such a difference: near a minimum the dynamics contract it. A
*chaotic* path amplifies it, step after step, until another CPU draws another picture: plain GD at
lr 0.15 on ``peaks`` moves by about 0.5 at step 50 when its start moves by 1e-15.

The horizon measures that with *shadow runs*: :data:`SHADOWS` copies of each path, each started a few
ulps away (:data:`START_ULPS` in x and y, in four directions) and each given a different last-bit jitter
on every gradient, :math:`\tilde g_t = g_t (1 + \delta_t)` with :math:`|\delta_t| \le` :data:`JITTER`
(a few units of :math:`2^{-53}`), from a seeded stream. That is the size of the differences between
numpy's SIMD code paths. The horizon is the first step at which a shadow lies farther than
``tolerance`` from the path on either axis, as a fraction of the window's extent on that axis (or at
which one of the two has diverged and the other has not). A path with no horizon stays within the
tolerance of every shadow for all its steps: what a CPU changes in it cannot be seen.

Tolerances: :data:`RUN_TOLERANCE` (1e-3 of the window) for ``trajectories run``; a quarter pixel,
``0.25 / max(width, height)``, for a render (:func:`render_tolerance`).

>>> from trajectories.catalogue import get_surface
>>> from trajectories.optimizers import sgd
>>> from trajectories.run import run
>>> peaks = get_surface("peaks")
>>> calm, wild = (run(peaks, sgd(lr=lr), (-0.5, -1.0), 180) for lr in (0.01, 0.15))
>>> int(horizons(peaks, sgd(lr=0.01), calm.positions)), int(horizons(peaks, sgd(lr=0.15), wild.positions)) > 0
(-1, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .gradients import ExactGradient, GradientSource
from .run import run
from .surfaces import Array, Surface
from .transforms import GradientTransformation

SHADOWS = 4
START_ULPS = 4
JITTER = 8 * 2.0**-53
RUN_TOLERANCE = 1e-3
_DIRECTIONS = ((1, 1), (-1, -1), (1, -1), (-1, 1))


def render_tolerance(size: tuple[int, int]) -> float:
    """A quarter pixel, as a fraction of the window, for frames of ``size`` (the plot is smaller than the
    frame, so this is at most a quarter of a plot pixel)."""
    return 0.25 / max(size)


@dataclass(frozen=True)
class JitteredGradient:
    """``source``'s gradient times :math:`(1 + \\delta)`, :math:`\\delta` uniform in
    :math:`[-J, J]` (:data:`JITTER`) per coordinate, drawn from ``default_rng([seed, step])``."""

    source: GradientSource
    seed: int

    def __call__(self, params: Array, step: int) -> Array:
        grads = np.asarray(self.source(params, step), dtype=np.float64)
        jitter = np.random.default_rng([self.seed, step]).uniform(-JITTER, JITTER, grads.shape)
        return grads + grads * jitter

    def describe(self) -> dict[str, Any]:
        return {**self.source.describe(), "jitter": JITTER, "jitter_seed": self.seed}


def nudge(points: Array, direction: tuple[int, int], ulps: int = START_ULPS) -> Array:
    """``points`` ``(..., 2)`` moved ``ulps`` representable numbers towards ``direction`` on each axis."""
    moved = np.array(points, dtype=np.float64)
    for axis, sign in enumerate(direction):
        for _ in range(ulps):
            moved[..., axis] = np.nextafter(moved[..., axis], sign * np.inf)
    return moved


def horizons(
    surface: Surface,
    optimizer: GradientTransformation,
    positions: Array,
    *,
    gradient: GradientSource | None = None,
    tolerance: float = RUN_TOLERANCE,
) -> Array:
    """The horizon of each path in ``positions`` ``(steps + 1, ..., 2)`` (as :func:`trajectories.run.run`
    computed them with ``optimizer`` and ``gradient``), shape ``(...)``; -1 where there is none.

    The shadows run with the same surface (so with its arithmetic), optimizer and gradient source, and
    the same shape as the paths (so a seeded noise source gives them the same noise).
    """
    if not (isinstance(tolerance, float | int) and tolerance > 0):
        raise ValueError(f"tolerance must be a number > 0, got {tolerance!r}")
    positions = np.asarray(positions, dtype=np.float64)
    steps = positions.shape[0] - 1
    source = gradient if gradient is not None else ExactGradient(surface)
    x0, x1, y0, y1 = surface.window
    extent = np.array([x1 - x0, y1 - y0])
    departed = np.zeros(positions.shape[:-1], dtype=bool)  # (steps + 1, ...)
    with np.errstate(invalid="ignore"):
        for k in range(SHADOWS):
            shadow = run(surface, optimizer, nudge(positions[0], _DIRECTIONS[k % 4], START_ULPS * (1 + k // 4)),
                         steps, gradient=JitteredGradient(source, seed=k)).positions
            gap = np.abs(shadow - positions) / extent
            lost = np.isnan(shadow).any(axis=-1) != np.isnan(positions).any(axis=-1)
            departed |= lost | (np.nan_to_num(gap, nan=0.0) > tolerance).any(axis=-1)
    first = np.argmax(departed, axis=0)
    return np.where(departed.any(axis=0), first, -1)
