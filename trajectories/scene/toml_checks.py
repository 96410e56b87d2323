"""What every TOML scene file is checked with, whatever its kind (a race, a network race): the problems found
with their key paths, unknown keys, the option tables' keys (by the options table) and the ``[[optimizers]]``
tables. :mod:`.toml_file` reads a file and :mod:`.network_toml` a network race's keys; both use these."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.schedules import schedule_of
from ..core.spec import make_spec
from ..errors import SceneError, SpecError, TrustError
from ..options import MAX_RACERS, toml_options
from ..style.text import text_problem
from .racer import Racer

OPTIMIZER = {"name", "label", "color", "batch_size", "hyperparameters", "schedule"}


class Problems:
    """Problems found so far, each with its key path."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")


def check_keys(table: dict, known: set, path: str, problems: Problems) -> None:
    """A problem for each key of ``table`` (at key path ``path``) that is not in ``known``."""
    for key in table:
        if key not in known:
            problems.add(f"{path}{key}", f"unknown key (known: {', '.join(sorted(known))})")


def check_table(table: dict, name: str, problems: Problems, options: dict[str, Any], kind: str = "race") -> None:
    """Check every key of TOML table ``name`` (``""``: the top level) that the options table declares, as
    scene kind ``kind`` allows it; good values go into ``options`` under the scene's keyword."""
    prefix = f"{name}." if name else ""
    for key, option in toml_options(name).items():
        if key not in table or option.kind == "surface":
            continue
        problem = option.problem(table[key], kind)
        if problem is not None:
            problems.add(prefix + key, problem)
        else:
            options[option.name] = option.normalise(table[key])


def optimizers_of(value: Any, problems: Problems) -> list[Racer]:
    """The racers of the ``[[optimizers]]`` tables ``value`` (names checked against the allow-lists before
    anything is imported), a problem for each bad one."""
    if not isinstance(value, list) or not value:
        problems.add("optimizers", "needs at least one [[optimizers]] table")
        return []
    if len(value) > MAX_RACERS:  # before any of them is checked
        problems.add("optimizers", f"{len(value)} tables, more than the {MAX_RACERS} a scene may race")
        return []
    racers = []
    for i, table in enumerate(value):
        path = f"optimizers[{i}]"
        if not isinstance(table, dict):
            problems.add(path, "must be a table with a name")
            continue
        check_keys(table, OPTIMIZER, f"{path}.", problems)
        name = table.get("name")
        if not isinstance(name, str):
            problems.add(f"{path}.name", "missing: an optimizer name (see `trajectories optimizers`)")
            continue
        params = table.get("hyperparameters", {})
        if not isinstance(params, dict):
            problems.add(f"{path}.hyperparameters", f"must be a table, got {params!r}")
            continue
        try:
            schedule = schedule_of(table.get("schedule"))
        except SpecError as error:
            problems.add(f"{path}.schedule", str(error))
            continue
        try:
            spec = make_spec(name, params, schedule=schedule)  # torch:/optax: names give an AdapterSpec
        except TrustError as error:  # a name outside the allow-list: nothing was imported
            problems.add(f"{path}.name", str(error))
            continue
        except SpecError as error:
            message = str(error)
            key = next((k for k in params if f"{name}: {k} " in message or f"'{k}'" in message), None)
            problems.add(f"{path}.hyperparameters.{key}" if key else f"{path}.name", message)
            continue
        label = table.get("label", "")
        if not isinstance(label, str):
            problems.add(f"{path}.label", f"must be text, got {label!r}")
            label = ""
        elif (problem := text_problem(label)) is not None:
            problems.add(f"{path}.label", problem)
            label = ""
        color = table.get("color")
        batch = table.get("batch_size")
        if batch is not None and (not isinstance(batch, int) or isinstance(batch, bool) or batch < 1):
            problems.add(f"{path}.batch_size", f"must be a whole number >= 1, got {batch!r}")
            batch = None
        try:
            racers.append(Racer(spec, label or (name if not spec.changed() else spec.to_text()), color, batch))
        except SceneError as error:
            problems.add(f"{path}.color", str(error))
    return racers


def scene_name(document: dict, path: Path, problems: Problems) -> str:
    """The scene's ``name`` (the file's stem when it has none), a problem when it is not text."""
    name = document.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        problems.add("name", f"must be text, got {name!r}")
        return path.stem
    return name
