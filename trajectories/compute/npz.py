"""``trajectories run --format npz``: the run as numpy arrays in one ``.npz`` file, instead of millions of
JSON numbers (read it with ``numpy.load(path)``; no pickles).

Keys (``O`` optimizers in the order given, ``S`` starts, ``T`` steps, ``K`` targets):

- ``meta``: a JSON text (0-d string array): ``format`` (``"trajectories.run.npz"``), ``version``,
  ``generator``, ``surface``, ``gradient``, ``arithmetic``, ``steps``, ``reduced``, ``convergence``
  (tolerance, radius and targets, as in the JSON schema), ``horizon_tolerance`` (full runs) and
  ``optimizers`` (``label``, ``optimizer``, ``hyperparameters`` each);
- ``starts`` ``(S, 2)``; ``targets`` ``(K, 2)``;
- ``final`` ``(O, S, 2)`` (each path's last finite point), ``final_loss`` ``(O, S)``;
- ``diverged_step``, ``converged_to``, ``converged_step`` ``(O, S)`` int64, -1 for none;
- full runs only (not ``--reduce``): ``x``, ``y``, ``loss``, ``grad_norm`` ``(O, S, T + 1)`` (NaN from the
  step a path diverged at) and ``horizon`` ``(O, S)`` (-1 for none).

With ``--reduce`` the paths are never held: the streaming reduction (:mod:`trajectories.compute.basins`) keeps
memory independent of the number of steps. The file's bytes depend only on the run (zip entries carry a
fixed date).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..core.portable import is_portable
from ..core.spec import OptimizerSpec
from ..support.atomic import atomic_path
from ..surfaces.analytic import Array, Surface
from ..surfaces.gradients import GradientSource
from ..version import __version__
from .basins import CONVERGENCE_TOLERANCE, path_convergence, reduce_race, tolerance_of
from .horizon import RUN_TOLERANCE, horizons
from .run import run

NPZ_FORMAT = "trajectories.run.npz"
NPZ_VERSION = 1
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def _meta(surface: Surface, specs: Sequence[OptimizerSpec], steps: int, gradient: GradientSource, reduced: bool,
          targets: Array) -> dict[str, Any]:
    meta = {
        "format": NPZ_FORMAT, "version": NPZ_VERSION, "generator": f"trajectories {__version__}",
        "surface": {"name": surface.name, "formula": surface.formula, "window": [float(v) for v in surface.window]},
        "gradient": gradient.describe(), "arithmetic": "portable" if is_portable(surface) else "numpy",
        "steps": steps, "reduced": reduced,
        "convergence": {"tolerance": CONVERGENCE_TOLERANCE, "radius": tolerance_of(surface.window),
                        "targets": [{"x": float(x), "y": float(y), "kind": kind} for (x, y), kind in targets]},
        "optimizers": [{"label": s.label, "optimizer": s.name, "hyperparameters": dict(s.params)} for s in specs],
    }
    if not reduced:
        meta["horizon_tolerance"] = RUN_TOLERANCE
    return meta


def run_arrays(surface: Surface, specs: Sequence[OptimizerSpec], starts: Array, steps: int,
               gradient: GradientSource, reduced: bool = False, client: Any = None,
               progress: Any = None) -> dict[str, Array]:
    """Every optimizer from every start, as the arrays of the module's docstring; ``client``: a
    ``dask.distributed.Client`` on whose cluster a reduced run goes (:mod:`trajectories.compute.distributed`);
    ``progress(n)``: told of each chunk of ``n`` starts a reduced run has done."""
    starts = np.asarray(starts, dtype=np.float64).reshape(-1, 2)
    arrays: dict[str, Array] = {"starts": starts}
    if reduced:
        found = reduce_race(surface, [s.build() for s in specs], starts, steps, [gradient] * len(specs),
                            client=client, progress=progress)
        targets = found[0].targets
        arrays.update(
            final=np.stack([r.final for r in found]), final_loss=np.stack([r.final_loss for r in found]),
            diverged_step=np.stack([r.diverged_step for r in found]),
            converged_to=np.stack([r.converged_to for r in found]),
            converged_step=np.stack([r.converged_step for r in found]))
    else:
        paths = [run(surface, s.build(), starts, steps, gradient=gradient) for s in specs]
        targets, reached = path_convergence(surface, paths)
        arrays.update(
            final=np.stack([p.final for p in paths]),
            final_loss=np.stack([surface.f(p.final) for p in paths]),
            diverged_step=np.stack([p.diverged_step for p in paths]),
            converged_to=np.stack([r[0] for r in reached]), converged_step=np.stack([r[1] for r in reached]),
            horizon=np.stack([horizons(surface, s.build(), p.positions, gradient=gradient)
                              for s, p in zip(specs, paths, strict=True)]).astype(np.int64),
        )
        for key, values in (("x", lambda p: p.positions[..., 0]), ("y", lambda p: p.positions[..., 1]),
                            ("loss", lambda p: p.losses), ("grad_norm", lambda p: p.grad_norms)):
            arrays[key] = np.stack([np.moveaxis(values(p), 0, -1) for p in paths])
    arrays["targets"] = np.array([[t.x, t.y] for t in targets], dtype=np.float64).reshape(-1, 2)
    pairs = [((t.x, t.y), t.kind) for t in targets]
    meta = _meta(surface, specs, steps, gradient, reduced, pairs)
    return {"meta": np.array(json.dumps(meta, ensure_ascii=False, allow_nan=False)), **arrays}


def write_npz(path: str | Path, arrays: dict[str, Array]) -> None:
    """``arrays`` as an uncompressed ``.npz`` written atomically, the same bytes for the same arrays."""
    with atomic_path(path) as temporary, zipfile.ZipFile(temporary, "w", zipfile.ZIP_STORED) as archive:
        for key, value in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(value), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", FIXED_DATE)
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue())

