r"""Where each path ends up: the minimum it converges to and the step it got there, computed while the
optimizer runs, in memory independent of the number of steps.

**The rule.** Let :math:`\tau` be :data:`CONVERGENCE_TOLERANCE` times the window's larger side. The
*targets* are the surface's known minima (global and local, in the catalogue's order), or, for a surface
with none (a formula), the clusters of end points: taken in path order (optimizers, then starts), each
finite end point joins the first cluster whose first point lies within :math:`\tau` of it, else starts a
new one. A path that did not diverge *converges to* target :math:`k`, the nearest target to its last point,
when that last point lies within :math:`\tau` of it (Euclidean distance, compared squared: exact
operations, the same on every CPU); ``converged_to`` is then
:math:`k`, else ``None`` (-1 in arrays). Its ``converged_step`` is the first step :math:`t` from which every
point :math:`t, t+1, \dots, T` lies within :math:`\tau` of target :math:`k`.

**The streaming reduction.** :func:`reduce_paths` runs an optimizer from many starts in the many-start
loop (:mod:`trajectories.compute.stepping`: in place, checked once a block of steps, in cache-sized tiles) and
keeps, per start, its current point, the step it diverged at and where it is arriving
(:mod:`trajectories.compute.arrivals`: its home ball and since when, or per target the last step it was outside):
a few numbers per start whatever the number of steps, never the ``(steps + 1, N, 2)`` array. Starts are
independent, so they run in chunks of :data:`CHUNK` (a unit of work for ``jobs`` processes or a Dask
cluster), and the result is the same bytes for any chunking. Formulas need two passes: the end points
first (to find the clusters), then the arrival steps.

>>> from trajectories.surfaces.catalogue import get_surface
>>> from trajectories.core.optimizers import sgd
>>> surface = get_surface("himmelblau")
>>> found = reduce_paths(surface, sgd(lr=0.01), [[2.5, 1.5], [-2.5, 2.5]], steps=200)
>>> found.converged_to.tolist(), [tuple(surface.minima[k].point) for k in found.converged_to]
([0, 1], [(3.0, 2.0), (-2.805118086952745, 3.131312518250573)])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..adapters.objective import evaluating
from ..core.transforms import GradientTransformation
from ..errors import RunError
from ..surfaces.analytic import Array, Surface
from ..surfaces.gradients import ExactGradient, GradientSource, NoisyGradient
from .arrivals import ArrivalTracker, tracker
from .run import ESCAPE_FACTOR, advance, as_starts, escape_box
from .stepping import can_step, march

CONVERGENCE_TOLERANCE = 0.01
"""A path has converged to a target when it ends within this fraction of the window's larger side of it."""

CHUNK = 65_536
"""Starts moved together by the streaming reduction (its working memory: a few arrays of this length)."""


def tolerance_of(window: Sequence[float], tolerance: float = CONVERGENCE_TOLERANCE) -> float:
    """:math:`\\tau`: ``tolerance`` times the window's larger side."""
    x0, x1, y0, y1 = window
    return tolerance * max(x1 - x0, y1 - y0)


@dataclass(frozen=True)
class Target:
    """A point paths converge to: a known minimum (``kind`` ``global`` or ``local``) or a ``cluster``."""

    x: float
    y: float
    kind: str


def known_targets(surface: Surface) -> tuple[Target, ...]:
    """The surface's known minima, in the catalogue's order (empty for a formula)."""
    return tuple(Target(float(p.x), float(p.y), p.kind) for p in surface.minima)


def cluster_targets(ends: Array, radius: float) -> tuple[Target, ...]:
    """Clusters of the finite end points ``ends`` ``(N, 2)`` in order: each joins the first cluster whose
    first point lies within ``radius``, else starts a new one; a target per cluster, at its first point."""
    ends = np.asarray(ends, dtype=np.float64).reshape(-1, 2)
    free = np.isfinite(ends).all(axis=1)
    targets = []
    while free.any():
        seed = ends[int(np.flatnonzero(free)[0])]
        targets.append(Target(float(seed[0]), float(seed[1]), "cluster"))
        dx, dy = ends[:, 0] - seed[0], ends[:, 1] - seed[1]
        with np.errstate(invalid="ignore"):
            near = dx * dx + dy * dy <= radius * radius
        free &= ~near
    return tuple(targets)


@dataclass(frozen=True)
class Reduction:
    """One optimizer from ``N`` starts, reduced: ``final`` ``(N, 2)`` (the last finite point),
    ``final_loss`` ``(N,)``, ``diverged_step`` (-1: never), ``converged_to`` (an index of ``targets``, -1:
    none) and ``converged_step`` (-1: none); ``steps`` updates were made."""

    final: Array
    final_loss: Array
    diverged_step: Array
    converged_to: Array
    converged_step: Array
    targets: tuple[Target, ...]
    tolerance: float
    steps: int

    def counts(self) -> dict[str, int]:
        """How many starts reached each target (``"0"``, ``"1"``...), diverged, or did neither."""
        found = {str(k): int(np.count_nonzero(self.converged_to == k)) for k in range(len(self.targets))}
        found["diverged"] = int(np.count_nonzero(self.diverged_step >= 0))
        found["not converged"] = len(self.converged_to) - sum(found.values())
        return found


def converged(positions: Array, diverged_step: Array, targets: Sequence[Target], radius: float
              ) -> tuple[Array, Array]:
    """The rule applied to full paths ``positions`` ``(steps + 1, N, 2)`` (``run``'s output), vectorised
    over steps: ``(converged_to, converged_step)``, -1 where none; the same numbers as the streaming
    :class:`ArrivalTracker`."""
    count = positions.shape[1]
    arrivals = ArrivalTracker(targets, count, radius)
    for k, (x, y) in enumerate(arrivals.points):
        dx, dy = positions[..., 0] - x, positions[..., 1] - y
        with np.errstate(invalid="ignore"):
            outside = ~(dx * dx + dy * dy <= radius * radius)  # NaN (diverged) is outside
        last = len(positions) - 1 - np.argmax(outside[::-1], axis=0)
        arrivals.last_outside[k] = np.where(outside.any(axis=0), last, -1)
    last = np.where(diverged_step >= 0, diverged_step - 1, len(positions) - 1)
    final = positions[last, np.arange(count)]
    return arrivals.result(final, diverged_step)


def path_convergence(surface: Surface, trajectories: Sequence[Any], tolerance: float = CONVERGENCE_TOLERANCE
                     ) -> tuple[tuple[Target, ...], list[tuple[Array, Array]]]:
    """The targets of full paths (:class:`trajectories.compute.run.Trajectory` values over starts ``(steps + 1, S,
    2)``, in racer order) and, per trajectory, ``(converged_to, converged_step)`` over its starts."""
    radius = tolerance_of(surface.window, tolerance)
    targets = known_targets(surface)
    flat = [(t.positions.reshape(len(t.positions), -1, 2), t.diverged_step.reshape(-1)) for t in trajectories]
    if not targets:
        ends = [np.where((dead >= 0)[:, None], np.nan, p[np.where(dead >= 0, dead - 1, len(p) - 1),
                                                            np.arange(p.shape[1])]) for p, dead in flat]
        targets = cluster_targets(np.concatenate(ends) if ends else np.empty((0, 2)), radius)
    return targets, [converged(p, dead, targets, radius) for p, dead in flat]


def _run_chunk(surface: Surface, optimizer: GradientTransformation, starts: Array, steps: int,
               gradient: GradientSource, escape: float, targets: Sequence[Target], radius: float
               ) -> tuple[Array, Array, Array, Array]:
    """The runner's arithmetic (:func:`trajectories.compute.run.run`, step for step) keeping only what the rule
    needs: ``(final, diverged_step, converged_to, converged_step)``. Our own rules run in the many-start
    loop (:mod:`trajectories.compute.stepping`); an adapter's optimizer in the runner's plain loop, point by point."""
    centre, half = escape_box(surface, escape)
    if can_step(optimizer):
        arrivals = tracker(targets, len(starts), radius)
        ends = march(optimizer, gradient, starts, steps, centre, half, arrivals)
        final, diverged_step = ends.final, ends.diverged_step
    else:
        arrivals = ArrivalTracker(targets, len(starts), radius)
        final, diverged_step = _plain_loop(surface, optimizer, starts, steps, gradient, centre, half, arrivals)
    converged_to, converged_step = arrivals.result(final, diverged_step)
    return final, diverged_step, converged_to, converged_step


def _plain_loop(surface: Surface, optimizer: GradientTransformation, starts: Array, steps: int,
                gradient: GradientSource, centre: Array, half: Array, arrivals: ArrivalTracker
                ) -> tuple[Array, Array]:
    """The runner's loop for an optimizer with no in-place step (an adapter's): one step at a time, every
    point shown to ``arrivals``; ``(final, diverged_step)``."""
    params = starts
    alive = np.ones(len(params), dtype=bool)
    diverged_step = np.full(len(params), -1, dtype=np.int64)
    arrivals.start(np.arange(len(params)))
    with np.errstate(all="ignore"), evaluating(surface.f, gradient):  # for optimizers that evaluate it (L-BFGS)
        arrivals.block(0, params[None])
        state = optimizer.init(params)
        for t in range(steps):
            updates, state = optimizer.update(gradient(params, t), state, params)
            params = advance(params, updates, alive, diverged_step, t, centre, half)
            if not alive.any():
                break
            arrivals.block(t + 1, np.where(alive[..., None], params, np.nan)[None])
    arrivals.finish()
    return params, diverged_step


_TASK: dict[str, Any] = {}
"""The chunked run a forked worker of :func:`in_processes` does (set in the parent just before forking)."""


def run_task(piece: Array, task: tuple) -> tuple[Array, Array, Array, Array]:
    """:func:`_run_chunk` of the starts ``piece`` with the shared ``task`` (what a Dask worker runs)."""
    surface, optimizer, steps, source, escape, goal, radius = task
    return _run_chunk(surface, optimizer, piece, steps, source, escape, goal, radius)


def _chunk_in_worker(piece: Array) -> tuple[Array, Array, Array, Array]:
    return run_task(piece, _TASK["task"])


def in_processes(task: tuple, pieces: list[Array], jobs: int, client: Any = None,
                 progress: Callable[[int], None] | None = None) -> list[tuple[Array, Array, Array, Array]]:
    """:func:`_run_chunk` of ``task`` over each piece of starts, in order: on the Dask cluster of
    ``client`` (:mod:`trajectories.compute.distributed`), here, or in ``jobs`` forked processes when there are
    several pieces (each result depends on its own starts only). ``progress(n)`` hears of each piece of
    ``n`` starts as it is done (on a cluster: of all of them at the end)."""
    import multiprocessing

    told = progress if progress is not None else (lambda count: None)
    if client is not None:
        from .distributed import map_chunks

        done = map_chunks(client, run_task, task, pieces)
        told(sum(len(piece) for piece in pieces))
        return done
    _TASK["task"] = task
    try:
        workers = min(jobs, len(pieces))
        results = []
        if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            for piece in pieces:
                results.append(_chunk_in_worker(piece))
                told(len(piece))
            return results
        from ..support.processes import die_with_parent, signals_held

        with signals_held():
            pool = multiprocessing.get_context("fork").Pool(workers, initializer=die_with_parent)
        with pool:
            for piece, result in zip(pieces, pool.imap(_chunk_in_worker, pieces), strict=True):
                results.append(result)
                told(len(piece))
        return results
    finally:
        _TASK.clear()


def reduce_paths(
    surface: Surface,
    optimizer: GradientTransformation,
    starts: Array | Sequence[Sequence[float]],
    steps: int,
    *,
    gradient: GradientSource | None = None,
    targets: Sequence[Target] | None = None,
    tolerance: float = CONVERGENCE_TOLERANCE,
    escape: float = ESCAPE_FACTOR,
    chunk: int = CHUNK,
    jobs: int = 1,
    client: Any = None,
    progress: Callable[[int], None] | None = None,
) -> Reduction:
    """Run ``optimizer`` from ``starts`` ``(N, 2)`` for ``steps`` updates keeping only what the rule needs
    (see the module's docstring); ``targets`` default to the surface's known minima, else the clusters of
    the end points (a second pass). Chunks of ``chunk`` starts run in ``jobs`` forked processes; the result
    is the same for any ``chunk`` and ``jobs`` (Gaussian gradient noise, drawn for all starts at once, keeps
    the starts in one chunk); with a ``dask.distributed.Client``, the chunks run on its cluster instead,
    with the same result. ``progress(n)`` is told of each chunk of ``n`` starts done (each pass's)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise RunError(f"steps must be an integer >= 1, got {steps!r}")
    points = as_starts(starts).reshape(-1, 2)
    source = gradient if gradient is not None else ExactGradient(surface)
    radius = tolerance_of(surface.window, tolerance)
    chosen = tuple(targets) if targets is not None else known_targets(surface)

    if isinstance(source, NoisyGradient):
        chunk = max(1, len(points))
    elif jobs > 1:
        chunk = min(chunk, max(1024, -(-len(points) // jobs)))

    def sweep(goal: Sequence[Target]) -> list[tuple[Array, Array, Array, Array]]:
        pieces = [points[i:i + chunk] for i in range(0, len(points), chunk)]
        task = (surface, optimizer, steps, source, escape, tuple(goal), radius)
        return in_processes(task, pieces, jobs, client, progress)

    parts = sweep(chosen)
    if targets is None and not chosen:
        ends = np.concatenate([p[0] for p in parts])
        dead = np.concatenate([p[1] for p in parts]) >= 0
        chosen = cluster_targets(np.where(dead[:, None], np.nan, ends), radius)
        if chosen:
            parts = sweep(chosen)
    final, diverged_step, converged_to, converged_step = (np.concatenate(column) for column in zip(*parts,
                                                                                                     strict=True))
    with np.errstate(all="ignore"):
        final_loss = surface.f(final)
    return Reduction(final, final_loss, diverged_step, converged_to, converged_step, chosen, radius, steps)


def reduce_race(
    surface: Surface,
    optimizers: Sequence[GradientTransformation],
    starts: Array | Sequence[Sequence[float]],
    steps: int | Sequence[int],
    gradients: Sequence[GradientSource] | None = None,
    tolerance: float = CONVERGENCE_TOLERANCE,
    jobs: int = 1,
    client: Any = None,
    progress: Callable[[int], None] | None = None,
) -> list[Reduction]:
    """:func:`reduce_paths` for several optimizers from the same starts, sharing one list of targets:
    the surface's minima, or the clusters of every optimizer's end points (in optimizer order, then start
    order), so that a target index means the same point for every optimizer."""
    counts = [steps] * len(optimizers) if isinstance(steps, (int, np.integer)) else list(steps)
    sources = list(gradients) if gradients is not None else [ExactGradient(surface)] * len(optimizers)
    targets = known_targets(surface)
    if not targets:
        ends = [reduce_paths(surface, o, starts, n, gradient=g, targets=(), tolerance=tolerance, jobs=jobs,
                             client=client, progress=progress)
                for o, n, g in zip(optimizers, counts, sources, strict=True)]
        points = np.concatenate([np.where((e.diverged_step >= 0)[:, None], np.nan, e.final) for e in ends])
        targets = cluster_targets(points, tolerance_of(surface.window, tolerance))
        if not targets:
            return ends
    return [reduce_paths(surface, o, starts, n, gradient=g, targets=targets, tolerance=tolerance, jobs=jobs,
                         client=client, progress=progress)
            for o, n, g in zip(optimizers, counts, sources, strict=True)]
