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

import numpy as np

from .catalogue import resolve_surface
from .data import GradientSource, stochastic_gradient
from .horizon import RUN_TOLERANCE, horizons
from .portable import ARITHMETICS, exact_in_numpy, portable_surface
from .render.palette import PALETTES
from .run import Trajectory, run
from .spec import OptimizerSpec, SpecError, parse_optimizer
from .surfaces import Array, Surface

if TYPE_CHECKING:
    from .encode import RenderResult

Point = tuple[float, float]
LEGEND_KEYS = {"momentum", "beta", "beta1", "beta2", "alpha", "rho", "weight_decay", "centered", "amsgrad"}
TRAILS = ("full", "tail", "fade")
PALETTE_NAMES = ("default", *PALETTES)


class SceneError(ValueError):
    """A scene that cannot be built or found; the message is one line."""


class ReproducibilityWarning(UserWarning):
    """A render drew steps of a path past its reproducibility horizon in numpy's arithmetic: those
    frames can differ between CPUs (see :mod:`trajectories.horizon`)."""


@dataclass(frozen=True)
class Racer:
    """One optimizer in a scene: its spec (text or :class:`OptimizerSpec`), the label in the legend, its
    colour (``None``: the theme's next one) and, optionally, its own mini-batch size (a loss over data:
    full-batch GD beside mini-batch GD). ``Racer("sgd:lr=0.1,momentum=0.9", "Momentum")``."""

    spec: OptimizerSpec | str
    label: str = ""
    color: str | None = None
    batch_size: int | None = None

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
        if self.batch_size is not None:
            _positive_int(f"{self.label}: batch_size", self.batch_size)

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


class SceneKind:
    """What every kind of scene shares: rendering, options that make a new value, Jupyter display."""

    name: str

    def with_options(self, **changes: Any) -> Any:
        """A new scene with ``changes`` applied (the original is unchanged)."""
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise SceneError(f"unknown scene option {unknown[0]!r}")
        return dataclasses.replace(self, **changes)

    def render(self, path: str | Path | None = None, format: str | None = None, **options: Any) -> RenderResult:
        """Render to ``path`` (default ``output/<name>.<ext>``); ``options`` as in
        :func:`trajectories.encode.render_scene`."""
        import warnings

        from .encode import render_scene

        result = render_scene(self, path, format=format, **options)
        for message in result.warnings:
            warnings.warn(message, ReproducibilityWarning, stacklevel=2)
        return result

    def _repr_html_(self) -> str:
        from .encode import html_preview

        return html_preview(self)


def check_name(name: Any) -> None:
    if not isinstance(name, str) or not name.strip() or any(c in name for c in "/\\:"):
        raise SceneError(f"a scene name must be a non-empty string without '/', '\\' or ':', got {name!r}")


def check_frame_options(fps: Any, hold: Any, size: Any, dpi: Any) -> None:
    """The options every animation has: timing and a fixed frame size."""
    _positive_int("fps", fps)
    _positive_int("dpi", dpi)
    if fps > 50:
        raise SceneError(f"fps must be at most 50 (GIF delays are hundredths of a second), got {fps}")
    if len(size) != 2:
        raise SceneError(f"size must be (width, height), got {size!r}")
    for value in size:
        _positive_int("size", value)
    if min(size) < 64 or max(size) > 4096:
        raise SceneError(f"size must be between 64 and 4096 pixels a side, got {size[0]}x{size[1]}")
    if not (isinstance(hold, (int, float)) and math.isfinite(hold) and 0 <= hold <= 60):
        raise SceneError(f"hold must be between 0 and 60 seconds, got {hold!r}")


@dataclass(frozen=True)
class Scene(SceneKind):
    """An animation of optimizers on a surface, immutable.

    Args:
        name: identifier (file names, ``trajectories render NAME``).
        surface: a catalogue name, a formula in x and y (``"x**2 + 10*y**2"``) or a :class:`Surface`.
        optimizers: spec strings (``"adam:lr=0.1"``), :class:`OptimizerSpec` or :class:`Racer` values.
        start: one point ``(x, y)`` or several; default: the surface's start.
        steps: updates per optimizer.
        frames: frames in the animation (default ``steps + 1``, one per point); fewer frames skip steps.
        fps: frames per second; GIF stores hundredths of a second, so 10, 20, 25 and 50 are exact.
        hold: seconds the last frame stays before the loop restarts.
        theme: ``"light"``, ``"dark"`` or ``"article"`` (the article's black background and rainbow).
        palette: racers' colours: ``"default"`` (the theme's, told apart by colour-blind viewers too) or
            ``"article"`` (the original figures' colours); a racer's own ``color`` wins over both.
        size: frame size in pixels ``(width, height)``, never varies between frames.
        dpi: dots per inch (scales text and lines for the same pixel size).
        trail: ``"full"`` path, ``"tail"`` (only the last ``tail`` steps) or ``"fade"`` (fading trail).
        tail: length of the tail or of the fading trail, in steps.
        loss_panel: add a synchronised loss-vs-step panel.
        loss_scale: the loss panel's scale: ``"auto"`` (log of f − f* where the minimum is known, else
            linear), ``"log"`` or ``"linear"`` (f itself: calmer when noise near the minimum would dominate
            a log scale).
        title: the title (default: the surface's name).
        description: one line for ``trajectories list``.
        window: plotting window ``(x0, x1, y0, y1)`` (default: the surface's).
        batch_size, noise, seed: stochastic gradients (see :func:`trajectories.data.stochastic_gradient`);
            a racer's own ``batch_size`` wins over the scene's.
        epochs: measure time in samples processed instead of steps (a loss over data): every racer reads
            ``epochs`` passes over the data, in as many steps as its batch size needs, and frames are
            spread over samples, so full-batch and mini-batch descent progress fairly. ``steps`` is then
            ignored.
        arithmetic: ``"numpy"`` (fast; the same bytes on every CPU unless a path is chaotic, see
            :mod:`trajectories.horizon`) or ``"portable"`` (gradients and losses computed the same on every
            CPU and platform, about ten times slower; see :mod:`trajectories.portable`).
        view: ``"contour"`` (2-D), ``"surface"`` (3-D ``plot_surface``) or ``"wireframe"`` (3-D).
        elevation, azimuth: the 3-D camera at step 0, in degrees.
        rotation: degrees the 3-D camera turns per step (180 steps × 2° = one turn).
        zlim: the 3-D z range (default: the surface's range over the window).
        grid: samples per side of the surface grid in 3-D views.
        line_width: path width (default: the theme's).
        show_start: mark the start points.
        axis_labels: name the axes (x, y and, in 3-D, f(x, y)).
        title_size: title font size in points (default: the view's).
        output, output_format: where ``trajectories render`` writes this scene when not told otherwise
            (a path relative to the current folder) and in which format.
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
    palette: str = "default"
    size: tuple[int, int] = (640, 480)
    dpi: int = 100
    trail: Literal["full", "tail", "fade"] = "full"
    tail: int = 10
    loss_panel: bool = False
    loss_scale: Literal["auto", "log", "linear"] = "auto"
    title: str | None = None
    description: str = ""
    window: tuple[float, float, float, float] | None = None
    batch_size: int | None = None
    noise: float | None = None
    seed: int = 0
    epochs: float | None = None
    arithmetic: Literal["numpy", "portable"] = "numpy"
    view: Literal["contour", "surface", "wireframe"] = "contour"
    elevation: float = 30.0
    azimuth: float = 45.0
    rotation: float = 0.0
    zlim: tuple[float, float] | None = None
    grid: int = 100
    line_width: float | None = None
    show_start: bool = True
    axis_labels: bool = False
    title_size: float | None = None
    output: str | None = None
    output_format: str | None = None
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        check_name(self.name)
        surface = self.surface
        if isinstance(surface, str):
            try:
                surface = resolve_surface(surface, self.window)
            except ValueError as error:
                raise SceneError(f"{self.name}: {error}") from None
        object.__setattr__(self, "surface", surface)
        if isinstance(self.optimizers, (str, Racer, OptimizerSpec)):
            object.__setattr__(self, "optimizers", (self.optimizers,))
        racers = tuple(Racer.of(item) for item in self.optimizers)
        if not racers:
            raise SceneError(f"{self.name}: a scene needs at least one optimizer")
        object.__setattr__(self, "optimizers", racers)
        object.__setattr__(self, "start", self._normalise_starts(surface))
        object.__setattr__(self, "size", tuple(self.size))
        for key in ("steps", "tail"):
            _positive_int(key, getattr(self, key))
        if self.frames is not None:
            _positive_int("frames", self.frames)
        check_frame_options(self.fps, self.hold, self.size, self.dpi)
        if self.loss_scale not in ("auto", "log", "linear"):
            raise SceneError(f"loss_scale must be auto, log or linear, got {self.loss_scale!r}")
        if self.trail not in TRAILS:
            raise SceneError(f"trail must be one of {', '.join(TRAILS)}, got {self.trail!r}")
        if self.theme not in ("light", "dark", "article"):
            raise SceneError(f"theme must be light, dark or article, got {self.theme!r}")
        if self.palette not in PALETTE_NAMES:
            raise SceneError(f"palette must be {' or '.join(PALETTE_NAMES)}, got {self.palette!r}")
        if self.arithmetic not in ARITHMETICS:
            raise SceneError(f"arithmetic must be {' or '.join(ARITHMETICS)}, got {self.arithmetic!r}")
        if self.view not in ("contour", "surface", "wireframe"):
            raise SceneError(f"view must be contour, surface or wireframe, got {self.view!r}")
        _positive_int("grid", self.grid)
        for key in ("elevation", "azimuth", "rotation"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise SceneError(f"{key} must be a finite number of degrees, got {value!r}")
        if self.epochs is not None:
            if not (isinstance(self.epochs, (int, float)) and math.isfinite(self.epochs) and self.epochs > 0):
                raise SceneError(f"epochs must be a number > 0, got {self.epochs!r}")
            if self.surface.dataset is None:
                raise SceneError(f"{self.name}: epochs (a clock in samples) needs a loss over data, e.g. regression")
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

    def racer_colors(self, theme: Any) -> list[str]:
        """Each racer's colour: its own, else the ``palette``'s (the ``theme``'s by default)."""
        return [racer.color or theme.color(i, self.palette) for i, racer in enumerate(self.optimizers)]

    @property
    def path_surface(self) -> Surface:
        """The surface as the paths evaluate it: in portable arithmetic when the scene asks for it."""
        return portable_surface(self.surface) if self.arithmetic == "portable" else self.surface

    def gradient_source(self, racer: Racer | None = None) -> GradientSource:
        """The gradients ``racer`` sees (the scene's, unless it has its own batch size)."""
        batch = racer.batch_size if racer is not None and racer.batch_size is not None else self.batch_size
        return stochastic_gradient(self.path_surface, batch, self.noise, self.seed)

    def samples_per_epoch(self) -> int:
        return len(self.surface.dataset) if self.surface.dataset is not None else 1

    def _samples_after(self, racer: Racer, steps: int) -> Array:
        """Samples read after 0..steps updates of ``racer``, shape ``(steps + 1,)``."""
        source = self.gradient_source(racer)
        per_step = getattr(source, "samples_processed", None)
        if per_step is None:  # exact gradient: every step reads the whole dataset
            return np.arange(steps + 1) * self.samples_per_epoch()
        return np.array([per_step(t) for t in range(steps + 1)])

    def racer_steps(self) -> list[int]:
        """How many updates each racer makes: ``steps``, or what ``epochs`` of data take at its batch size."""
        if self.epochs is None:
            return [self.steps] * len(self.optimizers)
        budget = self.epochs * self.samples_per_epoch()
        counts = []
        for racer in self.optimizers:
            read = getattr(self.gradient_source(racer), "samples_processed", None)
            if read is None:  # full batch: an epoch a step
                counts.append(max(1, math.ceil(self.epochs)))
                continue
            steps = 1  # the fewest steps that read the budget (partial last batches included)
            while read(steps) < budget:
                steps *= 2
            low, high = steps // 2, steps
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if read(middle) < budget else (low, middle)
            counts.append(high)
        return counts

    def timeline(self) -> Timeline:
        """What each frame shows: the counter's value and each racer's step."""
        frames = self.frame_count
        if self.epochs is None:
            shown = spread(self.steps, frames)
            return Timeline("step", self.steps, shown, [[step] * len(self.optimizers) for step in shown])
        budget = round(self.epochs * self.samples_per_epoch())
        samples = spread(budget, frames)
        clocks = [self._samples_after(r, n) for r, n in zip(self.optimizers, self.racer_steps(), strict=True)]
        steps = [[int(np.searchsorted(c, s, side="right") - 1) for c in clocks] for s in samples]
        return Timeline("samples", budget, samples, steps, [c / self.samples_per_epoch() for c in clocks])

    def compute(self) -> list[Trajectory]:
        """One :class:`Trajectory` per optimizer, each over all starts (positions ``(steps+1, S, 2)``)."""
        return [
            run(self.path_surface, racer.spec.build(), self.starts, steps, gradient=self.gradient_source(racer))
            for racer, steps in zip(self.optimizers, self.racer_steps(), strict=True)
        ]

    def horizons(
        self, trajectories: Sequence[Trajectory] | None = None, tolerance: float = RUN_TOLERANCE
    ) -> list[Array]:
        """Per optimizer, the reproducibility horizon of each start's path (-1: none), see
        :mod:`trajectories.horizon`; ``trajectories`` are :meth:`compute`'s, computed when not given."""
        trajectories = self.compute() if trajectories is None else trajectories
        return [
            horizons(self.path_surface, racer.spec.build(), path.positions, gradient=self.gradient_source(racer),
                     tolerance=tolerance)
            for racer, path in zip(self.optimizers, trajectories, strict=True)
        ]

    @property
    def reproducible_everywhere(self) -> bool:
        """Whether the paths are the same on every CPU whatever their horizons: portable arithmetic, or a
        surface that numpy evaluates with IEEE-exact operations only (see
        :func:`trajectories.portable.exact_in_numpy`)."""
        return self.arithmetic == "portable" or exact_in_numpy(self.surface)

    def chaotic_paths(
        self, trajectories: Sequence[Trajectory] | None = None, tolerance: float = RUN_TOLERANCE
    ) -> list[ChaoticPath]:
        """The paths whose horizon lies within their steps."""
        found = []
        exact = self.reproducible_everywhere
        for racer, steps, found_steps in zip(self.optimizers, self.racer_steps(), self.horizons(trajectories,
                                                                                               tolerance), strict=True):
            for start, step in zip(self.starts, found_steps.tolist(), strict=True):
                if 0 <= step <= steps:
                    found.append(ChaoticPath(self.name, racer.label, start, step, steps, exact))
        return found


@dataclass(frozen=True)
class ChaoticPath:
    """A path of scene ``scene`` whose reproducibility horizon, ``step``, lies within its ``steps``."""

    scene: str
    label: str
    start: Point
    step: int
    steps: int
    reproducible: bool

    def warning(self) -> str:
        """One line: what it means and what to do (nothing, when the path is reproducible anyway)."""
        where = f"{self.scene}: the path of {self.label!r} from {describe_starts([self.start])}"
        if self.reproducible:
            return f"{where} is chaotic from step {self.step} of {self.steps}, but computed the same on every CPU"
        return (
            f"{where} is chaotic from step {self.step} of {self.steps}: later frames depend on the last bits of "
            "numpy's exp, sin, log... and can differ between CPUs; render it with --arithmetic portable "
            "(in a scene: arithmetic=\"portable\") for the same bytes on every machine"
        )



def spread(total: int, frames: int) -> list[int]:
    """``frames`` values from 0 to ``total``, evenly spread, the last one ``total``."""
    if frames == 1:
        return [total]
    return [round(i * total / (frames - 1)) for i in range(frames)]


@dataclass(frozen=True)
class Timeline:
    """Per frame: the counter's value (``label`` ``value``/``total``) and each racer's step. With a clock
    in samples, ``epochs[i][t]`` is how many passes over the data racer ``i`` has made after ``t`` steps."""

    label: str
    total: int
    values: list[int]
    steps: list[list[int]]
    epochs: list[Array] | None = None


@dataclass(frozen=True)
class SideBySide(SceneKind):
    """Scenes drawn as panels of one animation, left to right, frame for frame (the article's two-panel
    figures). Size, timing and theme are the animation's; each panel keeps its surface and racers."""

    name: str
    panels: Sequence[Scene]
    description: str = ""
    size: tuple[int, int] = (1200, 600)
    dpi: int = 100
    fps: int = 10
    hold: float = 1.5
    frames: int | None = None
    theme: str = "article"
    source: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        check_name(self.name)
        panels = tuple(self.panels)
        if not panels or not all(isinstance(p, Scene) for p in panels):
            raise SceneError(f"{self.name}: panels must be one or more Scene values")
        if len({p.steps for p in panels}) != 1 or len({p.view for p in panels}) != 1:
            raise SceneError(f"{self.name}: panels must share their number of steps and their view")
        object.__setattr__(self, "panels", panels)
        object.__setattr__(self, "size", tuple(self.size))
        probe = panels[0].with_options(size=self.size, dpi=self.dpi, fps=self.fps, hold=self.hold,
                                       frames=self.frames, theme=self.theme)
        del probe  # validates the shared options with the scene rules

    @property
    def steps(self) -> int:
        return self.panels[0].steps

    @property
    def frame_count(self) -> int:
        return self.frames if self.frames is not None else self.steps + 1

    def with_options(self, **changes: Any) -> SideBySide:
        """Options for the whole animation; anything else (a trail, a camera) goes to every panel."""
        own = {f.name for f in dataclasses.fields(self)}
        mine = {k: v for k, v in changes.items() if k in own}
        theirs = {k: v for k, v in changes.items() if k not in own}
        panels = tuple(p.with_options(**theirs) for p in self.panels) if theirs else self.panels
        return dataclasses.replace(self, panels=panels, **mine)


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
        if isinstance(value, SceneKind) and value.name not in scenes:
            scenes[value.name] = dataclasses.replace(value, source=str(path))
    return scenes


def load_scenes(path: str | Path) -> dict[str, Any]:
    """The scenes of a ``.py`` scene script or a ``.toml`` scene file."""
    if str(path).endswith(".toml"):
        from .toml_scene import load_toml_scene

        return load_toml_scene(path)
    return load_scene_file(path)


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
    """``NAME`` (built-in), ``path/to/file.py`` or ``.toml`` (all its scenes), or ``path/to/file.py:NAME``."""
    file_part, _, wanted = reference.partition(":") if (".py:" in reference or ".toml:" in reference) else (
        reference, "", "")
    if file_part.endswith((".py", ".toml")):
        scenes = load_scenes(file_part)
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
