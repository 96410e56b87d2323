"""A network race in a TOML scene file (:mod:`trajectories.scene.toml_file` hands over a file with a
``[network]`` table)::

    name = "moons_race"
    steps = 300

    [network]
    model = "mlp:2-16-16-1:tanh"
    dataset = "moons:n=400,noise=0.2,seed=0"   # or a table: { kind = "csv", path = "data.csv", target = "y" }
    projection = "pca"

    [[optimizers]]
    name = "adam"
    hyperparameters = { lr = 0.03 }
    batch_size = 32                             # optional: mini-batches shuffled by network.batch_seed

    [view]
    fps = 10

The file is data (:mod:`trajectories.trust.names`): the ``path`` of a ``csv`` dataset names a file, so it is held
to the rules of a scene file's own output (:func:`trajectories.pipeline.plan.own_output`): relative to the file's
folder and inside it, no hidden part, a ``.csv`` name, no link leading out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import NetworkError, SceneError
from ..options import toml_options
from .network_scene import NetworkScene
from .toml_checks import Problems, check_keys, check_table, optimizers_of, scene_name

TOP_LEVEL = {"name", "network", "optimizers", "view", "output", *(k for k, o in toml_options("").items()
                                                                   if "network" in o.kinds)}
"""A network file's top-level keys: its name, its tables, and the top-level options a network scene has."""


def data_file(scene_file: Path, name: Any) -> str:
    """The path a TOML scene's ``csv`` dataset names, checked as data naming a file: relative to the scene
    file's folder and confined to it; one-line :class:`NetworkError` otherwise."""
    if not isinstance(name, str) or not name.strip():
        raise NetworkError(f"path must be the name of a CSV file, got {name!r}")
    relative = Path(name)
    if relative.is_absolute() or relative.drive or ".." in relative.parts:
        raise NetworkError(f"path {name!r} must stay inside the scene file's folder (a scene file is data: it may "
                           "name only files beside it)")
    hidden = next((part for part in relative.parts if part.startswith(".")), None)
    if hidden is not None:
        raise NetworkError(f"path {name!r}: {hidden} is a hidden name (it starts with a dot)")
    if relative.suffix.lower() != ".csv":
        raise NetworkError(f"path {name!r} must end in .csv")
    base = scene_file.resolve().parent
    target = base / relative
    if not target.resolve().is_relative_to(base):
        raise NetworkError(f"path {name!r} leads out of the scene file's folder through a link")
    return str(target)


def _dataset(value: Any, path: Path) -> Any:
    """The dataset of a TOML file: spec text (a ``csv:`` one with its path checked), or a table of keys."""
    from ..network.datasets import DatasetSpec, parse_dataset

    if isinstance(value, str):
        spec = parse_dataset(value)
    elif isinstance(value, dict):
        params = dict(value)
        kind = params.pop("kind", None)
        if not isinstance(kind, str):
            raise NetworkError(f"a dataset table needs kind = \"moons\", \"csv\", ..., got {kind!r}")
        spec = DatasetSpec(kind, params)
    else:
        raise NetworkError(f"must be spec text or a table, got {value!r}")
    if spec.kind == "csv":
        spec = DatasetSpec("csv", {**spec.params, "path": data_file(path, spec.params["path"])})
    return spec


def load_network_toml(path: Path, document: dict, problems: Problems) -> dict[str, NetworkScene]:
    """The network scene of a TOML ``document`` read from ``path``; :class:`SceneError` lists every problem
    with its key path (collected in ``problems``)."""
    check_keys(document, TOP_LEVEL, "", problems)
    options: dict[str, Any] = {}
    name = scene_name(document, path, problems)
    top = {key: value for key, value in document.items() if key in TOP_LEVEL}
    check_table(top, "", problems, options, "network")
    table = document.get("network")
    if not isinstance(table, dict):
        problems.add("network", "must be a table")
        table = {}
    known = toml_options("network")
    check_keys(table, set(known), "network.", problems)
    dataset = table.pop("dataset", None) if "dataset" in table else None
    check_table(table, "network", problems, options, "network")
    if dataset is not None:
        try:
            options["dataset"] = _dataset(dataset, path)
        except NetworkError as error:
            problems.add("network.dataset", str(error))
    for key in ("model", "projection"):
        if isinstance(table.get(key), str):
            try:
                from ..network.models import parse_model
                from ..network.projection import parse_projection

                (parse_model if key == "model" else parse_projection)(table[key])
            except NetworkError as error:
                problems.add(f"network.{key}", str(error))
    racers = optimizers_of(document.get("optimizers"), problems)
    for key in ("view", "output"):
        sub = document.get(key, {})
        if not isinstance(sub, dict):
            problems.add(key, "must be a table")
            continue
        allowed = {k for k, o in toml_options(key).items() if "network" in o.kinds}
        check_keys(sub, allowed, f"{key}.", problems)
        check_table({k: v for k, v in sub.items() if k in allowed}, key, problems, options, "network")
    if not problems.items:
        try:
            scene = NetworkScene(name, optimizers=racers, source=str(path), **options)
        except SceneError as error:
            problems.add("scene", str(error))
    if problems.items:
        count = len(problems.items)
        raise SceneError(f"{path}: {count} problem{'s' if count > 1 else ''}: " + "; ".join(problems.items))
    return {scene.name: scene}
