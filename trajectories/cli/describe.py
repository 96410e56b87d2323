"""Text for ``trajectories describe`` and the starter files of ``trajectories new``."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..compute.horizon import render_tolerance
from ..compute.paths import race_horizons
from ..compute.starts import describe_starts
from ..options import choices_text
from ..scene import Racer, Scene, SceneError, SideBySide
from ..scene.values import PART_TYPES
from ..surfaces.analytic import Surface
from ..trust.guard import guarded
from ..trust.names import is_data

if TYPE_CHECKING:
    from ..scene_protocol import SceneValue


def _format_number(value: float) -> str:
    return f"{value:.10g}"


def describe_surface(surface: Surface) -> list[str]:
    x0, x1, y0, y1 = surface.window
    lines = [
        f"surface {surface.name}: {surface.description}",
        f"  f(x, y) = {surface.formula}",
        f"  window  x in [{_format_number(x0)}, {_format_number(x1)}], "
        f"y in [{_format_number(y0)}, {_format_number(y1)}]",
        f"  start   ({_format_number(surface.start[0])}, {_format_number(surface.start[1])})",
        f"  contour scale {surface.scale}",
    ]
    if not surface.critical_points:
        lines.append("  minima  none known")
    for point in surface.critical_points:
        kind = {"global": "global minimum", "local": "local minimum", "saddle": "saddle point"}[point.kind]
        where = f"({_format_number(point.x)}, {_format_number(point.y)})"
        lines.append(f"  {kind:<15} f = {_format_number(point.value)} at {where}")
    return lines


def _value(value: Any) -> str:
    if isinstance(value, tuple) and value and all(isinstance(v, tuple) for v in value):
        return ", ".join(f"({_format_number(a)}, {_format_number(b)})" for a, b in value)
    if isinstance(value, float):
        return _format_number(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple) and value and all(hasattr(v, "text") and hasattr(v, "points") for v in value):
        return " ".join(v.text() for v in value)  # start sets, as --starts takes them
    return str(value)


MANY_STARTS = 10
"""With more starts than this, ``describe`` sums up each racer's horizons in one line."""


def _racer(index: int, racer: Racer) -> list[str]:
    params = ", ".join(f"{k}={_value(v)}" for k, v in racer.spec.params.items())
    extra = [f"color {racer.color}"] if racer.color else []
    if racer.batch_size:
        extra.append(f"batch_size {racer.batch_size}")
    suffix = f" ({', '.join(extra)})" if extra else ""
    lines = [f"  optimizer {index + 1}: {racer.label}{suffix}", f"    {racer.spec.name}: {params}"]
    if racer.spec.schedule is not None:
        lines.append(f"    learning-rate schedule: {racer.spec.schedule.to_text()}")
    return lines


def _horizons(scene: Scene, size: tuple[int, int], indent: str) -> list[str]:
    """Each path's reproducibility horizon at a quarter pixel of ``size`` (what a render warns about)."""
    lines = [f"{indent}  reproducibility horizons (first step a shadow run is a quarter pixel away):"]
    for racer, steps, found in zip(scene.optimizers, scene.racer_steps(),
                                   race_horizons(scene, tolerance=render_tolerance(size)), strict=True):
        if len(found) > MANY_STARTS:  # a swarm or a basin map: one line per racer
            chaotic = found[(found >= 0) & (found <= steps)]
            summary = (f"{chaotic.size} chaotic, the first from step {int(chaotic.min())}" if chaotic.size
                       else f"none within {steps} steps")
            lines.append(f"{indent}    {racer.label} from {len(found)} starts: {summary}")
            continue
        for start, step in zip(scene.starts, found.tolist(), strict=True):
            where = f"{racer.label} from {describe_starts([start])}"
            if not 0 <= step <= steps:
                lines.append(f"{indent}    {where}: none within {steps} steps")
            elif scene.arithmetic == "portable":
                lines.append(f"{indent}    {where}: step {step} of {steps} (chaotic; computed in portable arithmetic)")
            elif scene.reproducible_everywhere:
                lines.append(f"{indent}    {where}: step {step} of {steps} (chaotic; numpy computes this surface "
                             "with exact operations only, the same on every CPU)")
            else:
                lines.append(f"{indent}    {where}: step {step} of {steps} (chaotic: later frames can differ "
                             "between CPUs; use arithmetic \"portable\")")
    return lines


def describe_scene(scene: SceneValue, indent: str = "", size: tuple[int, int] | None = None) -> list[str]:
    """Every option of ``scene``, one per line (optimizers with all their hyperparameters), and the
    reproducibility horizon of each path (at a quarter pixel of ``size``, default the scene's). A scene
    read from data is described under the guard (:mod:`trajectories.trust.guard`): its paths are computed."""
    with guarded(scene.source) if is_data(scene) else contextlib.nullcontext():
        return _described(scene, indent, size)


def _options(scene: SceneValue) -> list[tuple[str, Any]]:
    """``scene``'s options by name, those of its parts (``look``, ``timing``...) in place of the part."""
    found = []
    for field in dataclasses.fields(scene):  # type: ignore[arg-type]
        if not field.init or field.name in ("name", "description", "source", "optimizers", "panels"):
            continue
        value = getattr(scene, field.name)
        if field.name in PART_TYPES:
            found.extend((part.name, getattr(value, part.name)) for part in dataclasses.fields(value)
                         if scene.takes(part.name))  # not a race option a series lacks
        else:
            found.append((field.name, value))
    return found


def _described(scene: SceneValue, indent: str, size: tuple[int, int] | None) -> list[str]:
    kind = type(scene).__name__
    lines = [f"{indent}scene {scene.name} ({kind}): {scene.description or ''}".rstrip(": ")]
    if scene.source:
        lines.append(f"{indent}  defined in {scene.source}")
    for name, value in _options(scene):
        if value is None:
            continue
        shown = f"{value.name}: {value.formula}" if isinstance(value, Surface) else _value(value)
        lines.append(f"{indent}  {name:<14} {shown}")
    if isinstance(scene, Scene):
        for i, racer in enumerate(scene.optimizers):
            lines.extend(indent + line for line in _racer(i, racer))
        lines.extend(_horizons(scene, size or scene.look.size, indent))
    if scene.kind == "network":  # a network race (issue 29): its racers and its size
        for i, racer in enumerate(scene.optimizers):
            lines.extend(indent + line for line in _racer(i, racer))
        data, model = scene.data, scene.model
        validation = f", {len(data.validation)} validation" if data.validation is not None else ""
        lines.append(f"{indent}  {model.parameter_count} parameters; {len(data.train)} training samples{validation} "
                     f"({data.train.task}); about {scene.compute_seconds():.0f} s to train and evaluate the grids")
    if isinstance(scene, SideBySide):
        for panel in scene.panels:
            lines.extend(describe_scene(panel, indent + "  ", scene.look.size))
    return lines


NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")

PYTHON_STARTER = '''"""{name}: a starter scene. Render it with:  trajectories render {file}

Every module-level Scene in this file is a scene; `trajectories list {file}` shows them.
"""

from trajectories.scene import Racer, Scene

scene = Scene(
    "{name}",
    surface="rosenbrock",  # a catalogue name (`trajectories surfaces`) or a formula in x and y
    start=(-1.5, 2.0),  # where every optimizer starts; a list of (x, y) points for several
    steps=200,  # updates per optimizer; frames default to one per step
    optimizers=[  # "NAME:key=value,..." (`trajectories optimizers`), a legend label, an optional colour
        Racer("sgd:lr=0.001,momentum=0.9", "Momentum"),
        Racer("adam:lr=0.1", "Adam", color="#D55E00"),
    ],
    loss_panel=True,  # a loss-vs-step panel beside the contours
    theme="light",  # {themes}
    fps=20,  # 10, 20, 25 and 50 are exact in GIF
    description="momentum vs Adam down Rosenbrock's valley",
)
'''

TOML_STARTER = '''# {name}: a starter scene. Render it with:  trajectories render {file}
name = "{name}"
description = "momentum vs Adam down Rosenbrock's valley"
surface = "rosenbrock"          # a catalogue name (`trajectories surfaces`) or a formula in x and y
# window = [-2, 2, -1, 3]       # X0, X1, Y0, Y1; default: the surface's (formulas: [-3, 3, -3, 3])
start = [-1.5, 2.0]             # or several: [[-1.5, 2.0], [1.5, 2.5]]
steps = 200                     # updates per optimizer

[[optimizers]]                  # one table per optimizer (`trajectories optimizers` lists them)
name = "sgd"
label = "Momentum"
hyperparameters = {{ lr = 0.001, momentum = 0.9 }}

[[optimizers]]
name = "adam"
label = "Adam"
color = "#D55E00"
hyperparameters = {{ lr = 0.1 }}

[view]                          # all optional
theme = "light"                 # {themes}
fps = 20                        # 10, 20, 25 and 50 are exact in GIF
size = [640, 480]
loss_panel = true
# trail = "tail"                # {trails}
# tail = 10

[output]                        # optional
path = "{name}.gif"             # relative to this file's folder, and inside it (-o writes elsewhere)
'''


def starter(name: str, toml: bool) -> tuple[str, str]:
    """``(file name, contents)`` of a commented starter scene file."""
    if not NAME.match(name):
        raise SceneError(f"a scene name is letters, digits, '_' and '-', starting with a letter, got {name!r}")
    file = f"{name}.toml" if toml else f"{name}.py"
    template = TOML_STARTER if toml else PYTHON_STARTER
    return file, template.format(name=name, file=file, themes=choices_text("theme"), trails=choices_text("trail"))


def write_starter(name: str, toml: bool, folder: str | Path = ".") -> Path:
    from ..support.atomic import write_bytes

    file, text = starter(name, toml)
    target = Path(folder) / file
    if target.exists():
        raise SceneError(f"{target} exists already; choose another name or remove it")
    write_bytes(target, text.encode())
    return target
