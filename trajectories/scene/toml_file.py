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
    path = "race.gif"                     # relative to the current folder; the format follows the name
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import tomllib

from ..catalogue import resolve_surface
from ..errors import SceneError, SpecError
from ..portable import ARITHMETICS
from ..spec import OptimizerSpec
from .race import Scene
from .racer import Racer

TOP_LEVEL = {"name", "description", "surface", "window", "start", "steps", "seed", "batch_size", "noise",
             "arithmetic", "optimizers", "view", "output"}
VIEW = {
    "theme": ("choice", ("light", "dark", "article")), "palette": ("choice", ("default", "article")),
    "view": ("choice", ("contour", "surface", "wireframe")),
    "trail": ("choice", ("full", "tail", "fade")), "fps": ("int", 1, 50), "frames": ("int", 1, 100000),
    "dpi": ("int", 1, 1000), "tail": ("int", 1, 100000), "grid": ("int", 2, 1000), "hold": ("number", 0, 60),
    "elevation": ("number", -360, 360), "azimuth": ("number", -3600, 3600), "rotation": ("number", -360, 360),
    "line_width": ("number", 0.1, 50), "title_size": ("number", 1, 200), "loss_panel": ("bool",),
    "show_start": ("bool",), "axis_labels": ("bool",),
    "loss_scale": ("choice", ("auto", "log", "linear")), "title": ("str",), "size": ("size",), "zlim": ("range",),
}  # fmt: skip
OUTPUT = {"path", "format"}
OPTIMIZER = {"name", "label", "color", "batch_size", "hyperparameters"}


class Problems:
    """Problems found so far, each with its key path."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_keys(table: dict, known: set, path: str, problems: Problems) -> None:
    for key in table:
        if key not in known:
            problems.add(f"{path}{key}", f"unknown key (known: {', '.join(sorted(known))})")


def _check_value(path: str, value: Any, rule: tuple, problems: Problems) -> None:
    kind = rule[0]
    if kind == "choice" and value not in rule[1]:
        problems.add(path, f"must be one of {', '.join(rule[1])}, got {value!r}")
    elif kind == "int" and (not isinstance(value, int) or isinstance(value, bool) or not rule[1] <= value <= rule[2]):
        problems.add(path, f"must be a whole number from {rule[1]} to {rule[2]}, got {value!r}")
    elif kind == "number" and (not _number(value) or not rule[1] <= value <= rule[2]):
        problems.add(path, f"must be a number from {rule[1]} to {rule[2]}, got {value!r}")
    elif kind == "bool" and not isinstance(value, bool):
        problems.add(path, f"must be true or false, got {value!r}")
    elif kind == "str" and not isinstance(value, str):
        problems.add(path, f"must be text, got {value!r}")
    elif kind == "size" and not (isinstance(value, list) and len(value) == 2
                                 and all(isinstance(v, int) and not isinstance(v, bool) and 64 <= v <= 4096
                                         for v in value)):
        problems.add(path, f"must be [width, height] in pixels, 64 to 4096 each, got {value!r}")
    elif kind == "range" and not (isinstance(value, list) and len(value) == 2 and all(map(_number, value))
                                  and value[0] < value[1]):
        problems.add(path, f"must be [low, high] with low < high, got {value!r}")


def _point(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(map(_number, value))


def _optimizers(value: Any, problems: Problems) -> list[Racer]:
    if not isinstance(value, list) or not value:
        problems.add("optimizers", "needs at least one [[optimizers]] table")
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
            spec = OptimizerSpec(name, params)
        except SpecError as error:
            message = str(error)
            key = next((k for k in params if f"{name}: {k} " in message or f"'{k}'" in message), None)
            problems.add(f"{path}.hyperparameters.{key}" if key else f"{path}.name", message)
            continue
        label = table.get("label", "")
        if not isinstance(label, str):
            problems.add(f"{path}.label", f"must be text, got {label!r}")
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


def load_toml_scene(path: str | Path) -> dict[str, Scene]:
    """Read and validate a TOML scene file; :class:`SceneError` lists every problem with its key path."""
    path = Path(path)
    if not path.is_file():
        raise SceneError(f"no scene file {path}")
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise SceneError(f"{path}: not valid TOML: {error}") from None
    except UnicodeDecodeError:
        raise SceneError(f"{path}: not a UTF-8 text file") from None
    problems = Problems()
    _check_keys(document, TOP_LEVEL, "", problems)
    options: dict[str, Any] = {}
    name = document.get("name", path.stem)
    if not isinstance(name, str) or not name.strip():
        problems.add("name", f"must be text, got {name!r}")
        name = path.stem
    for key, rule in (("description", ("str",)), ("steps", ("int", 1, 10**6)), ("seed", ("int", 0, 2**63 - 1)),
                      ("batch_size", ("int", 1, 10**9)), ("noise", ("number", 0, 1e6)),
                      ("arithmetic", ("choice", ARITHMETICS))):
        if key in document:
            _check_value(key, document[key], rule, problems)
            options[key] = document[key]
    window = document.get("window")
    if window is not None:
        if not (isinstance(window, list) and len(window) == 4 and all(map(_number, window))
                and window[0] < window[1] and window[2] < window[3]):
            problems.add("window", f"must be [X0, X1, Y0, Y1] with X0 < X1 and Y0 < Y1, got {window!r}")
            window = None
        else:
            options["window"] = tuple(float(v) for v in window)
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
    start = document.get("start")
    if start is not None:
        points = [start] if _point(start) else start if isinstance(start, list) and start and all(
            map(_point, start)) else None
        if points is None:
            problems.add("start", f"must be [x, y] or a list of them, got {start!r}")
        else:
            options["start"] = [tuple(float(v) for v in p) for p in points]
            if surface is not None:
                x0, x1, y0, y1 = options.get("window", surface.window)
                for i, (x, y) in enumerate(options["start"]):
                    if not (x0 <= x <= x1 and y0 <= y <= y1):
                        where = "start" if _point(start) else f"start[{i}]"
                        problems.add(where, f"({x:g}, {y:g}) is outside the window [{x0:g}, {x1:g}]×[{y0:g}, {y1:g}]")
    racers = _optimizers(document.get("optimizers"), problems)
    view = document.get("view", {})
    if not isinstance(view, dict):
        problems.add("view", "must be a table")
        view = {}
    _check_keys(view, set(VIEW), "view.", problems)
    for key, value in view.items():
        if key in VIEW:
            _check_value(f"view.{key}", value, VIEW[key], problems)
            options[key] = tuple(value) if isinstance(value, list) else value
    output = document.get("output", {})
    if not isinstance(output, dict):
        problems.add("output", "must be a table")
        output = {}
    _check_keys(output, OUTPUT, "output.", problems)
    if "path" in output and not isinstance(output["path"], str):
        problems.add("output.path", f"must be text, got {output['path']!r}")
    if "format" in output and output["format"] not in ("gif", "png", "apng", "webp", "mp4"):
        problems.add("output.format", f"must be one of gif, png, apng, webp, mp4, got {output['format']!r}")
    if not problems.items:
        try:
            scene = Scene(name, surface, racers, output=output.get("path"), output_format=output.get("format"),
                          source=str(path), **options)
        except SceneError as error:
            problems.add("scene", str(error))
    if problems.items:
        count = len(problems.items)
        raise SceneError(f"{path}: {count} problem{'s' if count > 1 else ''}: " + "; ".join(problems.items))
    return {scene.name: scene}
