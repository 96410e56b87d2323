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

from ..errors import SceneError
from ..options import outside_window, toml_options
from ..support.terminal import is_control, printable
from ..surfaces.catalogue import resolve_surface
from ..trust.guard import guarded
from ..trust.inputs import read_input
from ..trust.names import named_in
from .race import Scene
from .toml_checks import Problems, check_keys, check_table, optimizers_of, scene_name

TOP_LEVEL = {"name", "optimizers", "view", "output", *toml_options("")}
"""The top level's keys: the scene's name, its tables, and the options table's top-level options."""
def _flat(value: Any) -> bool:
    """``[x, y]`` rather than a list of points."""
    return isinstance(value, list) and len(value) == 2 and not any(isinstance(v, list) for v in value)


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

        return load_network_toml(path, document, Problems())
    problems = Problems()
    check_keys(document, TOP_LEVEL, "", problems)
    options: dict[str, Any] = {}
    name = scene_name(document, path, problems)
    check_table(document, "", problems, options)
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
    racers = optimizers_of(document.get("optimizers"), problems)
    view = document.get("view", {})
    if not isinstance(view, dict):
        problems.add("view", "must be a table")
        view = {}
    check_keys(view, set(toml_options("view")), "view.", problems)
    check_table(view, "view", problems, options)
    output = document.get("output", {})
    if not isinstance(output, dict):
        problems.add("output", "must be a table")
        output = {}
    check_keys(output, set(toml_options("output")), "output.", problems)
    check_table(output, "output", problems, options)
    if not problems.items:
        try:
            scene = Scene(name, surface, racers, source=str(path), **options)
        except SceneError as error:
            problems.add("scene", str(error))
    if problems.items:
        count = len(problems.items)
        raise SceneError(f"{path}: {count} problem{'s' if count > 1 else ''}: " + "; ".join(problems.items))
    return {scene.name: scene}
