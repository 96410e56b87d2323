"""Declarative scenes in TOML, for people who don't write Python (read with the standard ``tomllib``).

A file describes one scene; every problem is reported at once, each with its key path::

    name = "my_race"                      # default: the file's name
    description = "momentum vs Adam"
    surface = "rosenbrock"                # a catalogue name, or a formula in x and y
    window = [-2, 2, -1, 3]               # X0, X1, Y0, Y1 (optional)
    start = [-1.5, 2.0]                   # or several: [[-1.5, 2.0], [1.5, 2.5]]
    steps = 200
    arithmetic = "portable"               # optional: the same paths on every CPU (for chaotic paths)

    [[optimizers]]
    name = "sgd"
    label = "Momentum"
    hyperparameters = { lr = 0.001, momentum = 0.9 }
    schedule = "linear:start_factor=0.1,total_iters=10@cosine:T_max=190"   # optional, as after @ in a spec

    [[optimizers]]
    name = "adam"
    color = "#D55E00"
    hyperparameters = { lr = 0.1 }

    [view]                                # all optional, as the Scene options of the same names
    theme = "dark"
    fps = 20
    size = [640, 480]
    loss_panel = true

    [output]
    path = "race.gif"                     # inside the scene file's folder, relative to it; -o goes elsewhere
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomllib

from ..core.schedules import schedule_of
from ..core.spec import make_spec
from ..errors import SceneError, SpecError, TrustError
from ..options import MAX_RACERS, outside_window, toml_options
from ..style.text import text_problem
from ..support.terminal import is_control, printable
from ..surfaces.catalogue import resolve_surface
from ..trust.guard import guarded
from ..trust.inputs import read_input
from ..trust.names import named_in
from .race import Scene
from .racer import Racer

TOP_LEVEL = {"name", "optimizers", "view", "output", *toml_options("")}
"""The top level's keys: the scene's name, its tables, and the options table's top-level options."""
OPTIMIZER = {"name", "label", "color", "batch_size", "hyperparameters", "schedule"}


class Problems:
    """Problems found so far, each with its key path."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")


def _flat(value: Any) -> bool:
    """``[x, y]`` rather than a list of points."""
    return isinstance(value, list) and len(value) == 2 and not any(isinstance(v, list) for v in value)


def _check_keys(table: dict, known: set, path: str, problems: Problems) -> None:
    for key in table:
        if key not in known:
            problems.add(f"{path}{key}", f"unknown key (known: {', '.join(sorted(known))})")


def _check_table(table: dict, name: str, problems: Problems, options: dict[str, Any], kind: str = "race") -> None:
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


def _optimizers(value: Any, problems: Problems) -> list[Racer]:
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
        _check_keys(table, OPTIMIZER, f"{path}.", problems)
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


MAX_FILE_BYTES = 2**20
"""The most bytes a TOML scene file may hold: a description, not data (a thousand start points take 30 KB;
start sets make millions)."""


MAX_NESTING = 16
"""Arrays and tables nested in a scene file: a schedule list of tables in an optimizer table in the list of
optimizers is four; Python's own recursion would fail near a thousand, with a traceback."""


def _nesting(document: Any) -> int:
    """How deep ``document``'s lists and tables nest (a plain value: 0), without recursion."""
    deepest, stack = 0, [(document, 0)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_NESTING:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _control_character(document: Any) -> tuple[str, str] | None:
    """The key path and the first control character (:func:`~trajectories.support.terminal.is_control`) of the first
    key or text value holding one, without recursion; ``None`` when there is none. Names, descriptions and
    labels reach the terminal (``trajectories list``), where ``ESC``, ``BEL`` or ``CSI`` would act, not show."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            for key, child in value.items():
                inside = f"{where}.{key}" if where else key
                bad = next((c for c in key if is_control(c)), None)
                if bad is not None:
                    return printable(inside), bad
                stack.append((inside, child))
        elif isinstance(value, list):
            stack.extend((f"{where}[{index}]", child) for index, child in enumerate(value))
        elif isinstance(value, str):
            bad = next((c for c in value if is_control(c)), None)
            if bad is not None:
                return where, bad
    return None


def load_toml_scene(path: str | Path, where: str = "a TOML scene file") -> dict[str, Scene]:
    """Read and validate a TOML scene file; :class:`SceneError` lists every problem with its key path.

    The file is data (:mod:`trajectories.trust.names`): it may name built-in and plugin optimizers and
    allow-listed ``torch:``/``optax:`` targets, never import or call anything else, and it is read under the
    guard (:mod:`trajectories.trust.guard`). ``where`` names it in those refusals."""
    path = Path(path)
    with named_in("data", where), guarded(str(path)):
        return _load(path)


def _load(path: Path) -> dict[str, Scene]:
    data = read_input(path, "scene file", MAX_FILE_BYTES, SceneError)
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SceneError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise SceneError(f"{path}: not a UTF-8 text file") from None
    except RecursionError:
        raise SceneError(f"{path}: arrays or tables nested more than {MAX_NESTING} deep") from None
    if _nesting(document) > MAX_NESTING:
        raise SceneError(f"{path}: arrays or tables nested more than {MAX_NESTING} deep")
    control = _control_character(document)
    if control is not None:
        where, character = control
        raise SceneError(f"{path}: {where} holds the control character U+{ord(character):04X}; text in a scene file "
                         "may hold none (a terminal would act on it)")
    if "network" in document:  # a network race (issue 29): its own keys
        from .network_toml import load_network_toml

        return load_network_toml(path, document, problems=Problems(), check_keys=_check_keys,
                                 check_table=_check_table, optimizers=_optimizers)
    problems = Problems()
    _check_keys(document, TOP_LEVEL, "", problems)
    options: dict[str, Any] = {}
    name = document.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        problems.add("name", f"must be text, got {name!r}")
        name = path.stem
    _check_table(document, "", problems, options)
    surface = None
    if "surface" not in document:
        problems.add("surface", "missing: a surface name or a formula in x and y")
    elif not isinstance(document["surface"], str):
        problems.add("surface", f"must be text, got {document['surface']!r}")
    else:
        try:
            surface = resolve_surface(document["surface"], options.get("window"))
        except ValueError as error:
            problems.add("surface", str(error))
    if "start" in options and surface is not None:
        single = _flat(document["start"])
        for i, problem in outside_window(options["start"], options.get("window", surface.window)):
            problems.add("start" if single else f"start[{i}]", problem)
    racers = _optimizers(document.get("optimizers"), problems)
    view = document.get("view", {})
    if not isinstance(view, dict):
        problems.add("view", "must be a table")
        view = {}
    _check_keys(view, set(toml_options("view")), "view.", problems)
    _check_table(view, "view", problems, options)
    output = document.get("output", {})
    if not isinstance(output, dict):
        problems.add("output", "must be a table")
        output = {}
    _check_keys(output, set(toml_options("output")), "output.", problems)
    _check_table(output, "output", problems, options)
    if not problems.items:
        try:
            scene = Scene(name, surface, racers, source=str(path), **options)
        except SceneError as error:
            problems.add("scene", str(error))
    if problems.items:
        count = len(problems.items)
        raise SceneError(f"{path}: {count} problem{'s' if count > 1 else ''}: " + "; ".join(problems.items))
    return {scene.name: scene}
