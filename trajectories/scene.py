"""Scenes: frozen, declarative descriptions of an animation, and the files that declare them.

A scene is as short as a figure caption::

    from trajectories.scene import Scene

    race = Scene(
        "rosenbrock_race", surface="rosenbrock", start=(-1.5, 2.0), steps=200,
        optimizers=["sgd:lr=0.001,momentum=0.9", "adam:lr=0.1"],
        description="momentum vs Adam down Rosenbrock's valley",
    )
    race.render("race.gif")

Options give a new value (``race.with_options(theme="dark")``); the same value always renders the same
bytes. A scene file is a plain Python script: every module-level :class:`Scene` in it is a scene, by its
``name``. The built-in scenes are the files of the repository's ``scenes/`` folder (installed inside the
package as ``trajectories/scenes``).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import sys
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .catalogue import get_surface
from .data import GradientSource, stochastic_gradient
from .run import Trajectory, run
from .spec import OptimizerSpec, SpecError, parse_optimizer
from .surfaces import Surface

if TYPE_CHECKING:
    from .encode import RenderResult

Point = tuple[float, float]
LEGEND_KEYS = {"momentum", "nesterov", "beta", "beta1", "beta2", "alpha", "rho", "weight_decay", "centered", "amsgrad"}
TRAILS = ("full", "tail", "fade")


class SceneError(ValueError):
    """A scene that cannot be built or found; the message is one line."""


@dataclass(frozen=True)
class Racer:
    """One optimizer in a scene: its spec (text or :class:`OptimizerSpec`), the label in the legend, and
    its colour (``None``: the theme's next one). ``Racer("sgd:lr=0.1,momentum=0.9", "Momentum")``."""

    spec: OptimizerSpec | str
    label: str = ""
    color: str | None = None

    @classmethod
    def of(cls, value: Racer | OptimizerSpec | str) -> Racer:
        if isinstance(value, Racer):
            return value
        if isinstance(value, (str, OptimizerSpec)):
            return cls(value)
        raise SceneError(f"an optimizer must be a spec string, an OptimizerSpec or a Racer, got {value!r}")

    def __post_init__(self) -> None:
        if isinstance(self.spec, str):
            try:
                object.__setattr__(self, "spec", parse_optimizer(self.spec))
            except SpecError as error:
                raise SceneError(str(error)) from None
        if not isinstance(self.spec, OptimizerSpec):
            raise SceneError(f"a racer's spec must be a spec string or an OptimizerSpec, got {self.spec!r}")
        if self.color is not None:
            from matplotlib.colors import is_color_like

            if not is_color_like(self.color):
                raise SceneError(f"{self.label or self.spec.label}: {self.color!r} is not a colour")
        if not self.label:
            object.__setattr__(self, "label", self.spec.label)

    def legend_text(self) -> str:
        """The label, then the key hyperparameters: the learning rate and the non-default values that
        change behaviour at a glance (not ε or convention switches), unless the label is the spec text."""
        if self.label == self.spec.label:
            return self.label
        changed = self.spec.changed()
        key = {"lr": self.spec.params["lr"], **{k: v for k, v in changed.items() if k in LEGEND_KEYS}}
        return f"{self.label} ({', '.join(f'{k}={_short(v)}' for k, v in key.items())})"


def _short(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else f"{value:g}"


def _positive_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SceneError(f"{name} must be a whole number >= 1, got {value!r}")


@dataclass(frozen=True)
class Scene:
    """An animation of optimizers on a surface, immutable.

    Args:
        name: identifier (file names, ``trajectories render NAME``).
        surface: a catalogue name or a :class:`Surface`.
        optimizers: spec strings (``"adam:lr=0.1"``), :class:`OptimizerSpec` or :class:`Racer` values.
        start: one point ``(x, y)`` or several; default: the surface's start.
        steps: updates per optimizer.
        frames: frames in the animation (default ``steps + 1``, one per point); fewer frames skip steps.
        fps: frames per second; GIF stores hundredths of a second, so 10, 20, 25 and 50 are exact.
        hold: seconds the last frame stays before the loop restarts.
        theme: ``"light"`` or ``"dark"``.
        size: frame size in pixels ``(width, height)``, never varies between frames.
        dpi: dots per inch (scales text and lines for the same pixel size).
        trail: ``"full"`` path, ``"tail"`` (only the last ``tail`` steps) or ``"fade"`` (fading trail).
        tail: length of the tail or of the fading trail, in steps.
        loss_panel: add a synchronised loss-vs-step panel (log scale where the losses allow it).
        title: the title (default: the surface's name).
        description: one line for ``trajectories list``.
        window: plotting window ``(x0, x1, y0, y1)`` (default: the surface's).
        batch_size, noise, seed: stochastic gradients (see :func:`trajectories.data.stochastic_gradient`).
    """

    name: str
    surface: Surface | str
    optimizers: Sequence[Racer | OptimizerSpec | str]
    start: Point | Sequence[Point] | None = None
    steps: int = 100
    frames: int | None = None
    fps: int = 20
    hold: float = 1.5
    theme: str = "light"
    size: tuple[int, int] = (640, 480)
    dpi: int = 100
    trail: Literal["full", "tail", "fade"] = "full"
    tail: int = 10
    loss_panel: bool = False
    title: str | None = None
    description: str = ""
    window: tuple[float, float, float, float] | None = None
    batch_size: int | None = None
    noise: float | None = None
    seed: int = 0
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip() or any(c in self.name for c in "/\\:"):
            raise SceneError(f"a scene name must be a non-empty string without '/', '\\' or ':', got {self.name!r}")
        surface = self.surface
        if isinstance(surface, str):
            try:
                surface = get_surface(surface)
            except KeyError as error:
                raise SceneError(f"{self.name}: {error.args[0]}") from None
        object.__setattr__(self, "surface", surface)
        if isinstance(self.optimizers, (str, Racer, OptimizerSpec)):
            object.__setattr__(self, "optimizers", (self.optimizers,))
        racers = tuple(Racer.of(item) for item in self.optimizers)
        if not racers:
            raise SceneError(f"{self.name}: a scene needs at least one optimizer")
        object.__setattr__(self, "optimizers", racers)
        object.__setattr__(self, "start", self._normalise_starts(surface))
        object.__setattr__(self, "size", tuple(self.size))
        for key in ("steps", "fps", "dpi", "tail"):
            _positive_int(key, getattr(self, key))
        if self.frames is not None:
            _positive_int("frames", self.frames)
        if self.fps > 50:
            raise SceneError(f"fps must be at most 50 (GIF delays are hundredths of a second), got {self.fps}")
        if len(self.size) != 2:
            raise SceneError(f"size must be (width, height), got {self.size!r}")
        for value in self.size:
            _positive_int("size", value)
        if min(self.size) < 64 or max(self.size) > 4096:
            raise SceneError(f"size must be between 64 and 4096 pixels a side, got {self.size[0]}x{self.size[1]}")
        if not (isinstance(self.hold, (int, float)) and math.isfinite(self.hold) and 0 <= self.hold <= 60):
            raise SceneError(f"hold must be between 0 and 60 seconds, got {self.hold!r}")
        if self.trail not in TRAILS:
            raise SceneError(f"trail must be one of {', '.join(TRAILS)}, got {self.trail!r}")
        if self.theme not in ("light", "dark"):
            raise SceneError(f"theme must be light or dark, got {self.theme!r}")
        if self.window is not None:
            x0, x1, y0, y1 = (float(v) for v in self.window)
            if not all(math.isfinite(v) for v in (x0, x1, y0, y1)) or x0 >= x1 or y0 >= y1:
                raise SceneError(f"window must be finite X0,X1,Y0,Y1 with X0 < X1 and Y0 < Y1, got {self.window!r}")
            object.__setattr__(self, "window", (x0, x1, y0, y1))
        x0, x1, y0, y1 = self.plot_window
        for x, y in self.starts:
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                raise SceneError(
                    f"{self.name}: start ({x:g}, {y:g}) is outside the window [{x0:g}, {x1:g}]×[{y0:g}, {y1:g}]"
                )
        try:
            self.gradient_source()
        except ValueError as error:
            raise SceneError(f"{self.name}: {error}") from None

    def _normalise_starts(self, surface: Surface) -> tuple[Point, ...]:
        start = self.start if self.start is not None else surface.start
        try:
            points = [start] if len(start) == 2 and all(isinstance(v, (int, float)) for v in start) else list(start)
            starts = tuple((float(x), float(y)) for x, y in points)
        except (TypeError, ValueError):
            raise SceneError(f"{self.name}: start must be (x, y) or a list of them, got {start!r}") from None
        if not starts or not all(math.isfinite(v) for p in starts for v in p):
            raise SceneError(f"{self.name}: start points must be finite, got {start!r}")
        return starts

    # -- values ---------------------------------------------------------------------------------------

    @property
    def starts(self) -> tuple[Point, ...]:
        return self.start  # normalised in __post_init__

    @property
    def plot_window(self) -> tuple[float, float, float, float]:
        return self.window if self.window is not None else self.surface.window

    @property
    def frame_count(self) -> int:
        return self.frames if self.frames is not None else self.steps + 1

    def with_options(self, **changes: Any) -> Scene:
        """A new scene with ``changes`` applied (the original is unchanged)."""
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise SceneError(f"unknown scene option {unknown[0]!r}")
        return dataclasses.replace(self, **changes)

    def gradient_source(self) -> GradientSource:
        return stochastic_gradient(self.surface, self.batch_size, self.noise, self.seed)

    def compute(self) -> list[Trajectory]:
        """One :class:`Trajectory` per optimizer, each over all starts (positions ``(steps+1, S, 2)``)."""
        gradient = self.gradient_source()
        return [
            run(self.surface, racer.spec.build(), self.starts, self.steps, gradient=gradient)
            for racer in self.optimizers
        ]

    def render(self, path: str | Path | None = None, format: str | None = None, **options: Any) -> RenderResult:
        """Render to ``path`` (default ``output/<name>.<ext>``); ``options`` as in :func:`render_scene`."""
        from .encode import render_scene

        return render_scene(self, path, format=format, **options)

    def _repr_html_(self) -> str:
        from .encode import html_preview

        return html_preview(self)


# --- scene files -------------------------------------------------------------------------------------


def builtin_scene_folder() -> Path:
    """The built-in scenes: ``trajectories/scenes`` when installed, ``scenes/`` in a source checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "scenes"
    return installed if installed.is_dir() else package.parent / "scenes"


def _user_frame_location(error: BaseException, path: Path) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).resolve() == path.resolve()]
    if frames:
        return f"{path}:{frames[-1].lineno}"
    if isinstance(error, SyntaxError) and error.lineno:
        return f"{path}:{error.lineno}"
    return str(path)


def load_scene_file(path: str | Path) -> dict[str, Scene]:
    """Run a scene file and return its scenes by name, in the order they are defined."""
    path = Path(path)
    if not path.is_file():
        raise SceneError(f"no scene file {path}")
    module_name = f"_trajectories_scene_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise SceneError(f"{path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SceneError as error:
        raise SceneError(f"{_user_frame_location(error, path)}: {error}") from None
    except Exception as error:
        raise SceneError(f"{_user_frame_location(error, path)}: {type(error).__name__}: {error}") from None
    finally:
        sys.modules.pop(module_name, None)
    scenes: dict[str, Scene] = {}
    for value in vars(module).values():
        if isinstance(value, Scene) and value.name not in scenes:
            scenes[value.name] = dataclasses.replace(value, source=str(path))
    return scenes


def builtin_scenes() -> dict[str, Scene]:
    """Every built-in scene by name, file by file in alphabetical order."""
    scenes: dict[str, Scene] = {}
    for path in sorted(builtin_scene_folder().glob("*.py")):
        if path.name.startswith("_"):
            continue
        for name, scene in load_scene_file(path).items():
            if name in scenes:
                raise SceneError(f"scene {name!r} is defined in both {scenes[name].source} and {path}")
            scenes[name] = scene
    return scenes


def find_scenes(reference: str) -> list[Scene]:
    """``NAME`` (built-in), ``path/to/file.py`` (all its scenes) or ``path/to/file.py:NAME``."""
    file_part, _, wanted = reference.partition(":") if ".py:" in reference else (reference, "", "")
    if file_part.endswith(".py"):
        scenes = load_scene_file(file_part)
        if not scenes:
            raise SceneError(f"{file_part} defines no scenes (module-level Scene values)")
        if wanted:
            if wanted not in scenes:
                raise SceneError(f"{file_part} has no scene {wanted!r} (it has: {', '.join(scenes)})")
            return [scenes[wanted]]
        return list(scenes.values())
    scenes = builtin_scenes()
    if reference not in scenes:
        raise SceneError(f"unknown scene {reference!r} (see `trajectories list`)")
    return [scenes[reference]]


def describe_starts(starts: Iterable[Point]) -> str:
    return " ".join(f"({x:g}, {y:g})" for x, y in starts)
