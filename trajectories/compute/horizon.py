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

**Many paths** (a swarm: more than :data:`SCREEN_FROM` starts) are first *screened*, so that the check
costs about one run rather than four: one shadow per path, started :data:`START_ULPS` ulps away and moved
one more ulp after every update (alternating directions: a last-bit difference at every step, as a CPU's
own arithmetic makes; :func:`wobbled`). Only the paths whose screening
shadow comes within :data:`SCREEN` of the tolerance (a thousandth of it) get the four shadows, whose
departures are their horizons; the others have none. The bound this relies on: a path that amplifies a
last-bit difference amplifies every such difference alike (the path's dynamics amplify, not the
difference's direction), so no shadow departs where the screening one stayed a thousand times closer.
One shadow with a single nudge is not enough for that: a nudge can be rounded away (the shadow becomes the
path again, bit for bit) and a later sensitive stretch then amplifies nothing; renewing the difference at
every step prevents it. Measured on 2,000 chaotic paths (GD at lr 0.15 on ``peaks``, centred RMSProp on
Rosenbrock): each single shadow of the four misses 30-40 of the paths that some other shadow takes past
the tolerance, the screening shadow none, even at a thousandth of the tolerance.
``tests/test_horizon.py`` checks that chaotic swarms get, path for path, the four shadows' horizons. A
single path, or a few, always gets the four shadows.

Tolerances: :data:`RUN_TOLERANCE` (1e-3 of the window) for ``trajectories run``; a quarter pixel,
``0.25 / max(width, height)``, for a render (:func:`render_tolerance`).

>>> from trajectories.surfaces.catalogue import get_surface
>>> from trajectories.core.optimizers import sgd
>>> from trajectories.compute.run import run
>>> peaks = get_surface("peaks")
>>> calm, wild = (run(peaks, sgd(lr=lr), (-0.5, -1.0), 180) for lr in (0.01, 0.15))
>>> int(horizons(peaks, sgd(lr=0.01), calm.positions)), int(horizons(peaks, sgd(lr=0.15), wild.positions)) > 0
(-1, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ..core.transforms import GradientTransformation, writable
from ..errors import RunError
from ..surfaces.analytic import Array, Surface
from ..surfaces.gradients import ExactGradient, GradientSource
from .run import escape_box, run
from .stepping import can_step, march, pointwise

SHADOWS = 4
START_ULPS = 4
JITTER = 8 * 2.0**-53
RUN_TOLERANCE = 1e-3
SCREEN_FROM = 64
"""With more starts than this, paths are screened first (see the module's docstring)."""
SCREEN = 1e-3
"""A screened path gets the four shadows when its screening shadow's gap passes this fraction of the
tolerance."""
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

    def for_rows(self, rows: Array, shape: tuple[int, ...]) -> JitteredRows | None:
        """What this source gives rows ``rows`` of a run from starts of ``shape``, for those rows' points
        alone (the jitter drawn for the whole array, its rows read back); ``None`` when its source cannot
        say (it needs every point)."""
        if pointwise(self.source):
            inner = self.source
        elif hasattr(self.source, "for_rows"):
            inner = self.source.for_rows(rows, shape)
        else:
            return None
        return JitteredRows(inner, self.seed, rows, shape)


@dataclass(frozen=True)
class JitteredRows:
    """:class:`JitteredGradient`'s gradients for some rows of a run, computed for those rows alone."""

    source: GradientSource
    seed: int
    rows: Array = field(repr=False)
    shape: tuple[int, ...]

    def __call__(self, params: Array, step: int) -> Array:
        grads = np.asarray(self.source(params, step), dtype=np.float64)
        jitter = np.random.default_rng([self.seed, step]).uniform(-JITTER, JITTER, self.shape).reshape(-1, 2)
        return grads + grads * jitter[self.rows]

    def describe(self) -> dict[str, Any]:
        return {**self.source.describe(), "jitter": JITTER, "jitter_seed": self.seed}


class WobbleState(NamedTuple):
    """The wrapped optimizer's state and the number of updates made."""

    inner: Any
    count: int


def wobbled(optimizer: GradientTransformation) -> GradientTransformation:
    r"""``optimizer`` whose every update also moves the point by one unit in its last place, up on x and
    down on y after even updates, the other way after odd ones: :math:`\Delta' = \Delta \pm \mathrm{ulp}(	heta
    + \Delta)`. A last-bit difference at every step, as a CPU's own arithmetic makes, renewed so that rounding
    cannot absorb it for good: what a screening shadow (see the module) and a basin map's shadow
    (:func:`reduction_changes`) run with."""

    def init(params: Array) -> WobbleState:
        return WobbleState(optimizer.init(params), 0)

    def wobble(params: Array, updates: Array, count: int) -> Array:
        sign = np.array([1.0, -1.0] if count % 2 == 0 else [-1.0, 1.0])
        updates = writable(updates)
        updates += np.spacing(params + updates) * sign
        return updates

    def update(grads: Array, state: WobbleState, params: Array) -> tuple[Array, WobbleState]:
        updates, inner = optimizer.update(grads, state.inner, params)
        return wobble(params, updates, state.count), WobbleState(inner, state.count + 1)

    def step(grads: Array, state: WobbleState, params: Array) -> tuple[Array, WobbleState]:
        updates, inner = optimizer.step(grads, state.inner, params)
        return wobble(params, updates, state.count), WobbleState(inner, state.count + 1)

    return GradientTransformation(init, update, step if can_step(optimizer) else None)


def nudge(points: Array, direction: tuple[int, int], ulps: int = START_ULPS) -> Array:
    """``points`` ``(..., 2)`` moved ``ulps`` representable numbers towards ``direction`` on each axis."""
    moved = np.array(points, dtype=np.float64)
    for axis, sign in enumerate(direction):
        for _ in range(ulps):
            moved[..., axis] = np.nextafter(moved[..., axis], sign * np.inf)
    return moved


class Departures:
    """Compares a shadow run with the paths it shadows (``positions`` ``(steps + 1, N, 2)``), block by
    block as the many-start loop shows it (:class:`trajectories.compute.stepping.PointConsumer`): per path the first
    step at which they are ``tolerance`` apart (-1: never); or, screening (``near`` given, below the
    tolerance), only whether they ever were ``near`` apart or one of them left the escape box."""

    def __init__(self, positions: Array, extent: Array, tolerance: float, near: float | None = None) -> None:
        self.positions, self.extent, self.tolerance = positions, extent, tolerance
        count = positions.shape[1]
        self.first = np.full(count, -1, dtype=np.int64)
        self.near = near
        self.close = np.zeros(count, dtype=bool)  # the gap came within ``near`` of the tolerance
        self.rows = np.arange(0)
        self.slice: slice | None = None

    def start(self, rows: Array) -> None:
        self.rows, self.slice = rows, slice(int(rows[0]), int(rows[-1]) + 1)  # a tile is a run of rows

    def block(self, first: int, points: Array) -> None:
        main = self.positions[first:first + len(points), self.slice if self.slice is not None else self.rows]
        with np.errstate(invalid="ignore"):
            gap = np.abs(points[..., 0] - main[..., 0])
            gap /= self.extent[0]
            other = np.abs(points[..., 1] - main[..., 1])
            other /= self.extent[1]
            np.fmax(gap, other, out=gap)  # the larger gap, a NaN one counting as none
            lost = np.isnan(points[..., 0]) != np.isnan(main[..., 0])  # a path's NaN is on both axes
            if self.near is not None:  # screening: whether the gap came near (``near`` < ``tolerance``)
                flagged = gap > self.near
                flagged |= lost
                self.close[self.rows] |= flagged.any(axis=0)
                return
            departed = gap > self.tolerance
            departed |= lost
        found = departed.any(axis=0) & (self.first[self.rows] < 0)
        self.first[self.rows[found]] = first + np.argmax(departed[:, found], axis=0)

    def keep(self, kept: Array) -> None:
        self.rows, self.slice = self.rows[kept], None

    def finished(self) -> Array:
        """The paths decided: departed, or (screening) close enough to be checked by the four shadows."""
        return self.close[self.rows] if self.near is not None else self.first[self.rows] >= 0

    def finish(self) -> None:
        pass


def horizons(
    surface: Surface,
    optimizer: GradientTransformation,
    positions: Array,
    *,
    gradient: GradientSource | None = None,
    tolerance: float = RUN_TOLERANCE,
) -> Array:
    """The horizon of each path in ``positions`` ``(steps + 1, ..., 2)`` (as :func:`trajectories.compute.run.run`
    computed them with ``optimizer`` and ``gradient``), shape ``(...)``; -1 where there is none.

    The shadows run with the same surface (so with its arithmetic), optimizer and gradient source, and
    the same shape as the paths (so a seeded noise source gives them the same noise). More than
    :data:`SCREEN_FROM` paths are screened first (see the module's docstring).
    """
    if not (isinstance(tolerance, float | int) and tolerance > 0):
        raise RunError(f"tolerance must be a number > 0, got {tolerance!r}")
    positions = np.asarray(positions, dtype=np.float64)
    source = gradient if gradient is not None else ExactGradient(surface)
    x0, x1, y0, y1 = surface.window
    extent = np.array([x1 - x0, y1 - y0])
    shape = positions.shape[1:]
    flat = positions.reshape(len(positions), -1, 2)
    count = flat.shape[1]
    rows = np.arange(count)
    if count > SCREEN_FROM and can_step(optimizer) and _rows_of(source, rows, shape) is not None:
        screen = Departures(flat, extent, tolerance, near=SCREEN * tolerance)
        shadow = nudge(flat[0].reshape(shape), _DIRECTIONS[0])
        march(wobbled(optimizer), source, shadow, len(flat) - 1, *escape_box(surface), screen)
        rows = np.flatnonzero(screen.close)
    found = np.full(count, -1, dtype=np.int64)
    if rows.size:
        found[rows] = _four_shadows(surface, optimizer, flat, source, extent, tolerance, rows, shape)
    return found.reshape(shape[:-1])


def _rows_of(source: GradientSource, rows: Array, shape: tuple[int, ...]) -> GradientSource | None:
    """A shadow's jittered source for some rows alone, or ``None`` when the source needs every point."""
    return JitteredGradient(source, seed=0).for_rows(rows, shape)


def _four_shadows(surface: Surface, optimizer: GradientTransformation, flat: Array, source: GradientSource,
                  extent: Array, tolerance: float, rows: Array, shape: tuple[int, ...]) -> Array:
    """The horizons of rows ``rows`` of the paths ``flat`` ``(steps + 1, N, 2)`` from :data:`SHADOWS`
    shadows each (their jitter as if every path ran)."""
    steps = len(flat) - 1
    first = np.full(len(rows), -1, dtype=np.int64)
    every = len(rows) == flat.shape[1]
    for k in range(SHADOWS):
        start = nudge(flat[0, rows], _DIRECTIONS[k % 4], START_ULPS * (1 + k // 4))
        if every:
            jittered: GradientSource = JitteredGradient(source, seed=k)
            start = start.reshape(shape)
        else:
            jittered = JitteredGradient(source, seed=k).for_rows(rows, shape)
        if can_step(optimizer):
            compare = Departures(flat[:, rows], extent, tolerance)
            march(optimizer, jittered, start, steps, *escape_box(surface), compare)
            departed = compare.first
        else:  # an adapter's optimizer: whole shadow paths from the runner
            shadow = run(surface, optimizer, start, steps, gradient=jittered).positions.reshape(len(flat), -1, 2)
            compare = Departures(flat[:, rows], extent, tolerance)
            compare.start(np.arange(len(rows)))
            compare.block(0, shadow)
            departed = compare.first
        both = (first >= 0) & (departed >= 0)
        first = np.where(both, np.minimum(first, departed), np.maximum(first, departed))
    return first


def reduction_changes(surface: Surface, optimizer: GradientTransformation, starts: Array, steps: int, found: Any,
                      *, gradient: GradientSource | None = None, jobs: int = 1, client: Any = None) -> Array:
    """The reproducibility check of a basin map: which of ``starts`` end at another target, another arrival
    step or another divergence step (``found``: their :class:`trajectories.compute.basins.Reduction`) when their last
    bits change: one shadow reduction, started :data:`START_ULPS` ulps away and :func:`wobbled` (about the
    cost of the map's own reduction; in ``jobs`` processes or on a Dask ``client``, as the map's)."""
    from .basins import reduce_paths

    shadow = reduce_paths(surface, wobbled(optimizer), nudge(starts, _DIRECTIONS[0]), steps, gradient=gradient,
                          targets=found.targets, jobs=jobs, client=client)
    return ((shadow.converged_to != found.converged_to) | (shadow.converged_step != found.converged_step)
            | (shadow.diverged_step != found.diverged_step))
