"""Run an optimizer on a surface from many start points at once.

Point ``t`` of a trajectory is the position *before* update ``t`` (point 0 is the start), so ``steps``
updates give ``steps + 1`` points. The loop runs over steps only; all start points move together as one
``(..., 2)`` array.

A path *diverges* at the first step whose position is not finite or lies beyond the escape box: the
window blown up ``escape`` times around its centre. From that step on the path holds NaN (its last finite
point stays where it was), and the other paths carry on. Floating-point warnings are silenced inside the
loop: divergence is reported as data, not as warnings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..adapters.objective import evaluating
from ..core.state import StateRecorder
from ..core.transforms import GradientTransformation
from ..errors import RunError
from ..surfaces.analytic import Array, Surface
from ..surfaces.gradients import ExactGradient, GradientSource
from .stepping import can_step, march

ESCAPE_FACTOR = 100.0


@dataclass(frozen=True)
class Trajectory:
    """The result of :func:`run`.

    Attributes:
        positions: ``(steps + 1, ..., 2)``; NaN from the step a path diverged at.
        surface: the surface the paths ran on (it gives :attr:`losses` and :attr:`grad_norms`).
        diverged_step: ``(...)``, the first step with no valid position, or -1 for a path that never
            diverged.
        state: with ``record_state``, each update's gradient, step and the rule's buffers, ``(steps, ..., 2)``
            by name (:mod:`trajectories.core.state`); ``None`` otherwise.

    ``losses`` and ``grad_norms`` are computed when first read: a swarm of 10,000 paths without a loss panel
    reads neither (a third of its computing), exports and 3-D views do.
    """

    positions: Array = field(repr=False)
    surface: Surface = field(repr=False, compare=False)
    diverged_step: Array
    state: Mapping[str, Array] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def losses(self) -> Array:
        """``(steps + 1, ...)``: :math:`f` at each position (NaN where there is none)."""
        with np.errstate(all="ignore"):
            return self.surface.f(self.positions)

    @cached_property
    def grad_norms(self) -> Array:
        r"""``(steps + 1, ...)``: :math:`\lVert \nabla f \rVert` at each position (NaN where there is none): the
        norm of the surface's exact gradient, not of the noisy gradient a stochastic run used."""
        with np.errstate(all="ignore"):
            grads = self.surface.grad(self.positions)
            return np.sqrt(grads[..., 0] * grads[..., 0] + grads[..., 1] * grads[..., 1])  # numpy's norm, bit for bit

    @property
    def steps(self) -> int:
        return self.positions.shape[0] - 1

    @property
    def diverged(self) -> Array:
        return self.diverged_step >= 0

    @property
    def final(self) -> Array:
        """The last finite position of each path, ``(..., 2)``."""
        last = np.where(self.diverged_step >= 0, self.diverged_step - 1, self.steps)
        index = last[None, ..., None].astype(np.intp)
        return np.take_along_axis(self.positions, np.broadcast_to(index, (1, *self.positions.shape[1:])), 0)[0]


def escape_box(surface: Surface, escape: float = ESCAPE_FACTOR) -> tuple[Array, Array]:
    """``(centre, half_size)`` of the box beyond which a path counts as diverged."""
    x0, x1, y0, y1 = surface.window
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    half = np.array([(x1 - x0) / 2, (y1 - y0) / 2]) * escape
    return centre, half


def as_starts(start: Array | tuple[float, float]) -> Array:
    """``start`` as a float64 array of shape ``(..., 2)`` with finite values, or :class:`ValueError`."""
    points = np.array(start, dtype=np.float64)
    if points.ndim == 0 or points.shape[-1] != 2:
        raise RunError(f"start points need a last axis of length 2, got shape {points.shape}")
    if not np.isfinite(points).all():
        raise RunError("start points must be finite")
    return points



def advance(params: Array, updates: Array, alive: np.ndarray, diverged_step: np.ndarray, t: int, centre: Array,
            half: Array) -> Array:
    r"""Update ``t``: :math:`\theta_{t+1} = \theta_t + \Delta_t` where the path is alive. A candidate that is not
    finite or leaves the escape box :math:`|\theta - c| \le h` ends its path, which stays at its last point;
    ``alive`` and ``diverged_step`` (set to ``t + 1``) change in place. Returns the new points."""
    candidate = params + updates
    valid = np.isfinite(candidate).all(axis=-1) & (np.abs(candidate - centre) <= half).all(axis=-1)
    diverged_step[alive & ~valid] = t + 1
    alive &= valid
    return np.where(alive[..., None], candidate, params)

class Recorder:
    """Keeps every point the many-start loop shows (:class:`trajectories.compute.stepping.PointConsumer`) in
    ``positions`` ``(steps + 1, N, 2)``, which holds NaN where no point is shown."""

    def __init__(self, positions: Array) -> None:
        self.positions = positions
        self.rows = np.arange(0)
        self.slice: slice | None = None

    def start(self, rows: Array) -> None:
        self.rows, self.slice = rows, slice(int(rows[0]), int(rows[-1]) + 1)  # a tile is a run of rows

    def block(self, first: int, points: Array) -> None:
        where = self.slice if self.slice is not None else self.rows
        self.positions[first:first + len(points), where] = points

    def keep(self, kept: Array) -> None:
        self.rows, self.slice = self.rows[kept], None

    def finish(self) -> None:
        pass


def run(
    surface: Surface,
    optimizer: GradientTransformation,
    start: Array | tuple[float, float],
    steps: int,
    *,
    gradient: GradientSource | None = None,
    escape: float = ESCAPE_FACTOR,
    record_state: bool = False,
) -> Trajectory:
    """Run ``optimizer`` on ``surface`` from ``start`` (shape ``(..., 2)``) for ``steps`` updates.

    Args:
        surface: the cost surface (its value, exact gradient, and window for the escape box).
        optimizer: an ``(init, update)`` pair from :mod:`trajectories.core.optimizers`.
        start: one point ``(x, y)`` or any array of points ``(..., 2)``.
        steps: number of updates, at least 1.
        gradient: where gradients come from; the surface's exact gradient by default.
        escape: the escape box is the window scaled by this factor around its centre.
        record_state: also keep what the optimizer holds after each update (:mod:`trajectories.core.state`).

    >>> from trajectories.surfaces.catalogue import get_surface
    >>> from trajectories.core.optimizers import sgd
    >>> path = run(get_surface("sphere"), sgd(lr=0.25), (1.0, -2.0), steps=2)
    >>> path.positions.tolist()
    [[1.0, -2.0], [0.5, -1.0], [0.25, -0.5]]
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise RunError(f"steps must be an integer >= 1, got {steps!r}")
    params = as_starts(start)
    source = gradient if gradient is not None else ExactGradient(surface)
    centre, half = escape_box(surface, escape)
    positions = np.full((steps + 1, *params.shape), np.nan)
    positions[0] = params
    if can_step(optimizer) and not record_state:  # the many-start loop: the same numbers, faster
        ends = march(optimizer, source, params, steps, centre, half, Recorder(positions.reshape(steps + 1, -1, 2)))
        return Trajectory(positions, surface, ends.diverged_step)
    alive = np.ones(params.shape[:-1], dtype=bool)
    diverged_step = np.full(params.shape[:-1], -1, dtype=np.int64)

    recorder = StateRecorder(steps, params.shape) if record_state else None
    with np.errstate(all="ignore"), evaluating(surface.f, source):  # for optimizers that evaluate it (L-BFGS)
        state = optimizer.init(params)
        for t in range(steps):
            gradient = source(params, t)
            updates, state = optimizer.update(gradient, state, params)
            if recorder is not None:
                recorder.add(t, gradient, updates, state)
            params = advance(params, updates, alive, diverged_step, t, centre, half)
            if not alive.any():
                break
            positions[t + 1] = np.where(alive[..., None], params, np.nan)
    recorded = recorder.result(diverged_step) if recorder is not None else None
    return Trajectory(positions, surface, diverged_step, recorded)
