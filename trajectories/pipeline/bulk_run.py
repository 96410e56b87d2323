"""``trajectories run`` with start sets (``--starts``) and the npz format: the command's bulk half, kept
out of :mod:`trajectories.cli.main` (which only calls it)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ..compute.basins import known_targets
from ..compute.npz import run_arrays, write_npz
from ..compute.starts import StartSet, StartSetError, expand
from ..core.portable import portable_surface
from ..core.spec import OptimizerSpec
from ..errors import PlanError
from ..support.progress import Progress
from ..surfaces.analytic import Surface
from ..surfaces.gradients import stochastic_gradient
from .limits import check_memory, check_time, npz_needs, run_seconds


def with_start_sets(surface: Surface, starts: Sequence[tuple[float, float]], sets: Sequence[StartSet]
                    ) -> list[tuple[float, float]]:
    """The ``--start`` points, then every point of the ``--starts`` sets over the surface's window;
    :class:`PlanError` (one line) when a set does not fit."""
    try:
        many = expand(sets, surface.window)
    except StartSetError as error:
        raise PlanError(f"--starts: {error}") from None
    return [*starts, *((float(x), float(y)) for x, y in many)]


def run_npz(surface: Surface, specs: Sequence[OptimizerSpec], starts: Sequence[tuple[float, float]],
            sets: Sequence[StartSet], steps: int, batch_size: int | None, sigma: float | None, seed: int,
            fmt: str, reduced: bool, output: str | None, arithmetic: str, dask_address: str | None = None,
            warn: Callable[[str], None] | None = None) -> None:
    """``run --format npz [--reduce [--dask ADDRESS]] -o FILE``: the arrays of :mod:`trajectories.compute.npz`,
    checked first: memory and time by estimate (:mod:`trajectories.pipeline.limits`); a run past the time budget is
    refused, and ``warn`` is told the estimate of one that takes long (a cluster, ``--dask``, has no budget)."""
    if dask_address is not None and not reduced:
        raise PlanError("--dask runs the reduced paths: give --reduce (and --format npz)")
    if fmt != "npz":
        raise PlanError("--reduce keeps only each path's end: it writes --format npz")
    if output is None:
        raise PlanError("--format npz writes a binary file: give -o FILE.npz")
    try:
        many = expand(sets, surface.window)
    except StartSetError as error:
        raise PlanError(f"--starts: {error}") from None
    points = np.concatenate([np.array(starts, dtype=np.float64).reshape(-1, 2), many])
    check_memory(npz_needs(steps, len(points), len(specs), reduced), PlanError)  # before any work
    seconds = run_seconds(specs, len(points), steps, arithmetic == "portable", full=not reduced)
    detail = f"{len(specs)} optimizer{'s' * (len(specs) != 1)} × {len(points)} starts × {steps} steps"
    advice = "use fewer starts, steps or optimizers" + ("" if reduced else ", or --reduce (only where paths end)")
    note = check_time(seconds, detail, PlanError, math.inf if dask_address is not None else None,
                      advice + ", or run it on a cluster with --reduce --dask ADDRESS")
    if note is not None and warn is not None:
        warn(note)
    if arithmetic == "portable":
        surface = portable_surface(surface)
    try:
        gradient = stochastic_gradient(surface, batch_size, sigma, seed)
    except ValueError as error:
        raise PlanError(str(error)) from None
    # a reduced run can take minutes: a bar on a terminal, a line every few seconds elsewhere
    passes = 1 if known_targets(surface) else 2  # a formula: end points first, for the clusters
    progress = Progress("run --reduce", passes * len(specs) * len(points), "starts", enabled=reduced)
    if dask_address is None:
        write_npz(output, run_arrays(surface, specs, points, steps, gradient, reduced, progress=progress.advance))
        return
    from ..compute.distributed import client_for

    with client_for(dask_address) as client:
        write_npz(output, run_arrays(surface, specs, points, steps, gradient, reduced, client, progress.advance))
