"""The stable data interface: trajectories as JSON (schema ``trajectories.run`` version 2) or CSV.

The JSON document (documented in ``docs/reference/run-output.md``)::

    {
      "format": "trajectories.run", "version": 3, "generator": "trajectories X.Y.Z",
      "surface": {"name": str, "formula": str, "window": [x0, x1, y0, y1]},
      "gradient": {"kind": "exact" | "noise" | "minibatch", ...},
      "arithmetic": "numpy" | "portable",
      "horizon_tolerance": 0.001,
      "steps": int,
      "convergence": {"tolerance": 0.01, "radius": float,
                      "targets": [{"x": float, "y": float, "kind": "global" | "local" | "cluster"}]},
      "trajectories": [
        {"label": str, "optimizer": str, "hyperparameters": {name: number | bool},
         "start": [x, y], "x": [...], "y": [...], "loss": [...], "grad_norm": [...],
         "diverged_step": int | null, "horizon": int | null,
         "converged_to": int | null, "converged_step": int | null,
         "schedule": str, "lr": [...]}
      ]
    }

Each list holds ``steps + 1`` entries (entry ``t`` is the point before update ``t``); entries from
``diverged_step`` on are ``null``. Numbers are written with Python's shortest round-trip repr.
``horizon`` is the path's reproducibility horizon (:mod:`trajectories.compute.horizon`) at a tolerance of
``horizon_tolerance`` of the window. Version 2 added ``arithmetic``, ``horizon_tolerance`` and
``horizon``; version 3 added ``convergence``, ``converged_to`` and ``converged_step`` (the rule:
:mod:`trajectories.compute.basins`); nothing earlier changed. An optimizer with a learning-rate schedule
(:mod:`trajectories.core.schedules`) also has ``schedule`` (its text, as after ``@`` in a spec) and ``lr``, the
learning rate of each of the ``steps`` updates (entry ``t`` moves point ``t`` to point ``t + 1``); the others
have neither key.

Panels side by side (``render fig2_learning_rates --paths FILE``) export one such document per panel, left to
right::

    {"format": "trajectories.panels", "version": 1, "generator": "trajectories X.Y.Z", "scene": str,
     "panels": [<trajectories.compute.run document>, ...]}
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core.portable import is_portable
from ..core.spec import OptimizerSpec
from ..errors import PlanError
from ..surfaces.analytic import Array, Surface
from ..version import __version__
from .basins import CONVERGENCE_TOLERANCE, Target, known_targets, path_convergence, tolerance_of
from .horizon import RUN_TOLERANCE
from .run import Trajectory

SCHEMA = "trajectories.run"
SCHEMA_VERSION = 3
PANELS_SCHEMA = "trajectories.panels"
PANELS_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class PathRecord:
    """One optimizer's path from one start: ``positions`` ``(steps + 1, 2)``, values ``(steps + 1,)``."""

    spec: OptimizerSpec
    start: tuple[float, float]
    positions: Array
    losses: Array
    grad_norms: Array
    diverged_step: int | None
    horizon: int | None = None
    converged_to: int | None = None
    converged_step: int | None = None
    targets: tuple[Target, ...] = ()


def _numbers(values: Sequence[float]) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in values]


def run_document(
    surface: Surface, records: Sequence[PathRecord], steps: int, gradient: dict[str, Any]
) -> dict[str, Any]:
    """The JSON-ready document for ``records``, in the order given (their targets: the first record's)."""
    targets = records[0].targets if records else known_targets(surface)
    return {
        "format": SCHEMA,
        "version": SCHEMA_VERSION,
        "generator": f"trajectories {__version__}",
        "surface": {"name": surface.name, "formula": surface.formula, "window": [float(v) for v in surface.window]},
        "gradient": gradient,
        "arithmetic": "portable" if is_portable(surface) else "numpy",
        "horizon_tolerance": RUN_TOLERANCE,
        "steps": steps,
        "convergence": {"tolerance": CONVERGENCE_TOLERANCE, "radius": tolerance_of(surface.window),
                        "targets": [{"x": t.x, "y": t.y, "kind": t.kind} for t in targets]},
        "trajectories": [
            {
                "label": record.spec.label,
                "optimizer": record.spec.name,
                "hyperparameters": dict(record.spec.params),
                "start": [float(record.start[0]), float(record.start[1])],
                "x": _numbers(record.positions[:, 0]),
                "y": _numbers(record.positions[:, 1]),
                "loss": _numbers(record.losses),
                "grad_norm": _numbers(record.grad_norms),
                "diverged_step": record.diverged_step,
                "horizon": record.horizon,
                "converged_to": record.converged_to,
                "converged_step": record.converged_step,
                **_schedule_keys(record.spec, steps),
            }
            for record in records
        ],
    }


def _schedule_keys(spec: OptimizerSpec, steps: int) -> dict[str, Any]:
    """``schedule`` and ``lr`` for an optimizer with a learning-rate schedule, else nothing."""
    rates = spec.learning_rates(steps)
    if rates is None or spec.schedule is None:
        return {}
    return {"schedule": spec.schedule.to_text(), "lr": [float(rate) for rate in rates]}


def panels_document(scene: str, panels: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The JSON-ready document of panels side by side: each a ``trajectories.run`` document."""
    return {"format": PANELS_SCHEMA, "version": PANELS_SCHEMA_VERSION, "generator": f"trajectories {__version__}",
            "scene": scene, "panels": list(panels)}


def to_json(document: dict[str, Any]) -> str:
    """``document`` as JSON text (strict: no NaN or infinity), ending with a newline; a number JSON cannot
    hold is a one-line :class:`~trajectories.errors.PlanError` (before any file is written), never a
    traceback."""
    try:
        return json.dumps(document, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError as error:
        raise PlanError(f"the paths' document holds a number JSON cannot write ({error}); nothing was written") \
            from None


def to_csv(document: dict[str, Any]) -> str:
    """``document`` as long-format CSV:
    ``label,optimizer,start_x,start_y,step,x,y,loss,grad_norm,horizon,converged_to,converged_step`` (the
    path's horizon, target and arrival step on every row of the path, empty when it has none)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["label", "optimizer", "start_x", "start_y", "step", "x", "y", "loss", "grad_norm", "horizon",
                     "converged_to", "converged_step"])
    for path in document["trajectories"]:
        columns = zip(path["x"], path["y"], path["loss"], path["grad_norm"], strict=True)
        horizon, to, arrival = ("" if path[key] is None else path[key]
                                for key in ("horizon", "converged_to", "converged_step"))
        for step, values in enumerate(columns):
            cells = ["" if v is None else repr(v) for v in values]
            writer.writerow([path["label"], path["optimizer"], *path["start"], step, *cells, horizon, to, arrival])
    return buffer.getvalue()


def paths_of(
    specs: Sequence[OptimizerSpec],
    starts: Sequence[tuple[float, float]],
    trajectories: Sequence[Trajectory],
    path_horizons: Sequence[Array],
    surface: Surface | None = None,
) -> list[PathRecord]:
    """Split trajectories over starts into one record per (optimizer, start), optimizers first;
    ``path_horizons`` holds each trajectory's horizons over its starts (-1: none). Given the ``surface``,
    each record also says where its path converged (:func:`trajectories.compute.basins.path_convergence`)."""
    records = []
    targets, reached = path_convergence(surface, trajectories) if surface is not None else ((), None)
    for r, (spec, path, found) in enumerate(zip(specs, trajectories, path_horizons, strict=True)):
        for i, start in enumerate(starts):
            step, horizon = int(path.diverged_step[i]), int(found[i])
            where, when = (int(reached[r][0][i]), int(reached[r][1][i])) if reached is not None else (-1, -1)
            records.append(
                PathRecord(
                    spec, (float(start[0]), float(start[1])), path.positions[:, i], path.losses[:, i],
                    path.grad_norms[:, i], step if step >= 0 else None, horizon if horizon >= 0 else None,
                    where if where >= 0 else None, when if when >= 0 else None, targets,
                )
            )
    return records
