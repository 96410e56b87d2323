"""``render --tune``: a race scene with each racer's learning rate tuned (:mod:`trajectories.compute.tune`), cached.

The cache holds one small JSON file per scene and budget, named by the scene and a SHA-256 of everything
the result depends on: the package version, the surface (name, formula, window), the arithmetic, the
starts, each racer's steps and spec without its ``lr`` (schedule included), the range, budget and metric.
Change any of them and the key changes; the same scene and budget read the file back instead of tuning
again. The folder is ``$TRAJECTORIES_CACHE`` if set, else ``$XDG_CACHE_HOME/trajectories/tune`` (default
``~/.cache/trajectories/tune``); files are written atomically, and one that cannot be read is recomputed.

Tuning runs on the exact gradient (a noisy scene is tuned without its noise, the same for every racer).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..compute.tune import Budget, Metric, SearchSpace, parse_metric, parse_param, tune, tuned_label
from ..core.spec import OptimizerSpec
from ..errors import InputError, PlanError
from ..support.atomic import write_bytes
from ..trust.guard import guarded
from ..trust.inputs import read_input
from ..trust.names import is_data
from ..version import __version__

if TYPE_CHECKING:
    from ..scene_protocol import Race

DEFAULT_SPACE = "lr=1e-5..1,log"
DEFAULT_TRIALS = 40
DEFAULT_METRIC = "final"


def cache_folder() -> Path:
    """Where tuned rates are kept (see the module docstring)."""
    own = os.environ.get("TRAJECTORIES_CACHE")
    if own:
        return Path(own)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "trajectories" / "tune"


def _untuned(spec: OptimizerSpec) -> OptimizerSpec:
    """``spec`` with its learning rate back at the rule's default (tune searches it)."""
    params = {key: value for key, value in spec.params.items() if key != "lr"}
    return OptimizerSpec(spec.name, params, schedule=spec.schedule)


def cache_key(scene: Race, space: SearchSpace, budget: Budget, metric: Metric) -> str:
    """The SHA-256 (hex) of what a tuning of ``scene`` depends on."""
    surface = scene.surface
    described = {
        "version": __version__, "surface": [surface.name, surface.formula, list(scene.plot_window)],
        "arithmetic": scene.arithmetic, "starts": [list(point) for point in scene.starts],
        "steps": scene.racer_steps(), "racers": [_untuned(racer.spec).to_text() for racer in scene.optimizers],
        "space": [space.low, space.high, space.log],
        "budget": [budget.trials, budget.refine, budget.search, budget.seed],
        "metric": metric.text,
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


MAX_FILE_BYTES = 64 * 2**10
"""The most bytes a cache file may hold (one holds a few numbers): a larger one is recomputed, unread."""


def _read(path: Path, count: int) -> list[float] | None:
    """The ``count`` rates a cache file holds, or ``None`` for anything else: a cache file is data (it only
    ever gives numbers), and one that is missing, not a regular file (a FIFO would hang), too large, not
    JSON, nested too deeply or of another shape is recomputed."""
    try:
        rates = json.loads(read_input(path, "cache file", MAX_FILE_BYTES))["lr"]
    except (InputError, ValueError, KeyError, TypeError, IndexError, RecursionError):
        return None
    if not isinstance(rates, list) or len(rates) != count:
        return None
    if not all(isinstance(r, float) and math.isfinite(r) and r >= 0 for r in rates):
        return None
    return rates


def tuned_scene(scene: Race, budget: Budget | None = None, space: str = DEFAULT_SPACE, metric: str = DEFAULT_METRIC,
                folder: Path | None = None) -> Any:
    """``scene`` with every racer's ``lr`` tuned on the same budget, from the cache when it has them."""
    races = scene.races()
    if not (len(races) == 1 and races[0] is scene):
        raise PlanError(f"{scene.name}: --tune tunes the optimizers of a race; this scene has none of its own")
    budget = budget or Budget(DEFAULT_TRIALS)
    searched, scoring = parse_param(space), parse_metric(metric)
    key = cache_key(scene, searched, budget, scoring)
    folder = folder or cache_folder()
    path = folder / f"{scene.name}-{key[:24]}.json"
    with guarded(scene.source, places=[folder]) if is_data(scene) else contextlib.nullcontext():  # a TOML scene
        rates = _read(path, len(scene.optimizers))
        if rates is None:
            rates = [tune(scene.surface, _untuned(racer.spec), np.array(scene.starts), steps, searched, budget,
                          scoring).lr for racer, steps in zip(scene.optimizers, scene.racer_steps(), strict=True)]
            try:
                folder.mkdir(parents=True, exist_ok=True)
                write_bytes(path, (json.dumps({"key": key, "scene": scene.name, "lr": rates}) + "\n").encode())
            except (OSError, ValueError):
                pass  # a cache that cannot be written only costs the next render the search
    from ..scene import Racer

    racers = []
    for racer, rate in zip(scene.optimizers, rates, strict=True):
        untuned = _untuned(racer.spec)
        spec = OptimizerSpec(untuned.name, {**untuned.params, "lr": rate}, schedule=untuned.schedule)
        racers.append(Racer(spec, tuned_label(racer.label, rate, searched, budget), racer.color, racer.batch_size))
    return scene.with_options(optimizers=racers)
