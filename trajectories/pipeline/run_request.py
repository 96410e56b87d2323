"""What ``trajectories run`` asks, checked and carried out: optimizers run on a surface, each path written as
JSON or CSV (with its reproducibility horizon), or as numpy arrays (npz, :mod:`trajectories.pipeline.bulk_run`).

The command line parses the options into a :class:`RunRequest` and prints what it returns; every check and
every step is here, so that the command holds no domain logic. An option's value that does not fit (a start
outside the window) is an :class:`~trajectories.errors.OptionError` naming the option.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OptionError, PlanError

if TYPE_CHECKING:
    from ..core.spec import OptimizerSpec


@dataclass(frozen=True)
class RunRequest:
    """``trajectories run``'s options, as parsed: the surface (a name or a formula) and its ``window``, the
    optimizer ``specs``, ``starts`` and ``start_sets``, ``steps``, the gradient's noise (``batch_size``,
    ``sigma``, ``seed``), the output format ``fmt`` (``json``, ``csv``, ``npz``), whether to ``reduce`` to
    each path's end, a Dask scheduler address, the ``output`` file (``None``: the text is returned) and the
    ``arithmetic`` (``numpy`` or ``portable``)."""

    surface: str
    window: tuple[float, float, float, float] | None
    specs: tuple[OptimizerSpec, ...]
    starts: tuple[tuple[float, float], ...]
    start_sets: tuple[Any, ...]
    steps: int
    batch_size: int | None
    sigma: float | None
    seed: int
    fmt: str
    reduce: bool
    dask_address: str | None
    output: str | None
    arithmetic: str

    def carry_out(self, warn: Callable[[str], None]) -> str | None:
        """Check, run and write: the document's text when there is no ``output`` file (written atomically
        otherwise, and ``None`` returned); ``warn`` hears each warning line. Nothing is computed before
        every check has passed."""
        from ..compute.export import run_document, to_csv, to_json
        from ..compute.paths import record_paths
        from ..core.portable import portable_surface
        from ..options import MAX_RACERS
        from ..support.atomic import write_bytes
        from ..support.folders import check_output_file, folders_kept_only_if_used
        from ..support.terminal import point_text, window_text
        from ..surfaces.catalogue import resolve_surface
        from ..surfaces.gradients import stochastic_gradient
        from .limits import check_memory, run_needs

        if len(self.specs) > MAX_RACERS:
            raise OptionError(f"{len(self.specs)} optimizers, more than the {MAX_RACERS} one run may race",
                              "'--optimizer'")
        surface = resolve_surface(self.surface, self.window)
        starts = self.starts or (() if self.start_sets else (surface.start,))
        for x, y in starts:
            if not surface.contains(x, y):
                raise OptionError(f"start {point_text(x, y)} is outside {surface.name}'s window "
                                  f"{window_text(surface.window)}", "'--start'")
        if self.output is not None:
            try:
                check_output_file(self.output)
            except ValueError as error:
                raise OptionError(str(error), "'-o'") from None
        for spec in self.specs:
            spec.check_steps(self.steps)  # a one-cycle schedule's total steps
        if self.fmt == "npz" or self.reduce or self.dask_address is not None:
            from .bulk_run import run_npz

            run_npz(surface, self.specs, starts, self.start_sets, self.steps, self.batch_size, self.sigma,
                    self.seed, self.fmt, self.reduce, self.output, self.arithmetic, self.dask_address, warn)
            return None
        count = len(starts) + sum(start_set.count for start_set in self.start_sets)
        check_memory(run_needs(self.steps, count, len(self.specs)), PlanError)  # before any work
        if self.start_sets:
            from .bulk_run import with_start_sets

            starts = with_start_sets(surface, starts, self.start_sets)
        if self.arithmetic == "portable":
            surface = portable_surface(surface)
        try:
            gradient = stochastic_gradient(surface, self.batch_size, self.sigma, self.seed)
        except ValueError as error:
            raise PlanError(str(error)) from None
        records = record_paths(surface, self.specs, starts, self.steps, gradient)
        document = run_document(surface, records, self.steps, gradient.describe())
        text = to_json(document) if self.fmt == "json" else to_csv(document)
        if self.output is None:
            return text
        with folders_kept_only_if_used([Path(self.output).parent]):
            write_bytes(self.output, text.encode())
        return None
