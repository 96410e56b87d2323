"""The optimizer race: optimizers on a surface from one or more starts, as one animation."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ..compute.starts import StartSetError, expand
from ..compute.timeline import Timeline, spread
from ..core.portable import exact_in_numpy, portable_surface
from ..core.spec import OptimizerSpec
from ..errors import SceneError
from ..options import MAX_RACERS, check_option, default, outside_window
from ..style.text import text_problem
from ..surfaces.analytic import Array, Surface
from ..surfaces.catalogue import resolve_surface
from ..surfaces.gradients import GradientSource, stochastic_gradient
from .kind import SceneKind, check_name, init_scene
from .racer import Racer
from .values import Camera, Frames, Look, Trail

Point = tuple[float, float]
OWN_OPTIONS = ("steps", "epochs", "batch_size", "noise", "seed", "arithmetic", "view", "loss_panel", "loss_scale",
               "lr_panel", "overlays", "state_panel", "description", "waivers", "output", "output_format")
"""The race's options outside its :mod:`.values` (window and start are checked first: the surface needs them)."""


@dataclass(frozen=True, init=False)
class Scene(SceneKind):
    """An animation of optimizers on a surface, immutable.

    Args:
        name: identifier (file names, ``trajectories render NAME``).
        surface: a catalogue name, a formula in x and y (``"x**2 + 10*y**2"``) or a :class:`Surface`.
        optimizers: spec strings (``"adam:lr=0.1"``), :class:`OptimizerSpec` or :class:`Racer` values.
        start: one point ``(x, y)`` or several; default (``None``): the surface's start, or none when
            ``start_sets`` are given.
        start_sets: many starts at once: :class:`~trajectories.compute.starts.Grid`, ``Random`` or ``Disk`` values
            (or their text, ``"grid:100x100"``), after the ``start`` points.
        steps: updates per optimizer.
        frames: frames in the animation (default ``steps + 1``, one per point); fewer frames skip steps.
        fps: frames per second; GIF stores hundredths of a second, so 10, 20, 25 and 50 are exact.
        hold: seconds the last frame stays before the loop restarts.
        pauses: moments the animation stops at for ``pause`` seconds: steps (samples with ``epochs``),
            each shown exactly by a frame, and ``"exits"``: each frame where a racer leaves the window
            (the moments a story is about: :mod:`trajectories.pipeline.frame_check` asks that each is held 1 s).
        pause: seconds each pause lasts.
        theme: ``"light"``, ``"dark"`` or ``"article"`` (the article's black background and rainbow).
        palette: racers' colours: ``"default"`` (the theme's, told apart by colour-blind viewers too),
            ``"ordered"`` (dark to light, equally far apart: for a parameter swept in order) or
            ``"article"`` (the original figures' colours); a racer's own ``color`` wins over both.
        size: frame size in pixels ``(width, height)``, never varies between frames.
        dpi: dots per inch (scales text and lines for the same pixel size).
        trail: ``"full"`` path, ``"tail"`` (only the last ``tail`` steps) or ``"fade"`` (fading trail).
        tail: length of the tail or of the fading trail, in steps.
        loss_panel: add a synchronised loss-vs-step panel.
        loss_scale: the loss panel's scale: ``"auto"`` (log of f − f* where the minimum is known, else
            linear), ``"log"`` or ``"linear"`` (f itself: calmer when noise near the minimum would dominate
            a log scale).
        lr_panel: add a learning-rate-vs-step panel (2-D contour view), beside or below the loss panel.
        overlays: what each racer's optimizer holds, drawn at its head (2-D contour view): any of
            ``"gradient"``, ``"step"``, ``"velocity"``, ``"adaptive"`` (see :mod:`trajectories.core.state`).
        state_panel: add a panel of one thing the optimizers hold against the update (2-D contour view):
            ``"gradient"``, ``"step"``, ``"velocity"``, ``"m_hat"``, ``"v"``, ``"v_hat"`` or ``"rate"``.
        title: the title (default: the surface's name).
        description: one line for ``trajectories list``.
        waivers: ``{check: reason}``: checks of the frame checker (:mod:`trajectories.pipeline.frame_check`) this
            scene is exempt from, and why (a head that hides behind a hill on purpose).
        window: plotting window ``(x0, x1, y0, y1)`` (default: the surface's).
        batch_size, noise, seed: stochastic gradients (see :func:`trajectories.surfaces.gradients.stochastic_gradient`);
            a racer's own ``batch_size`` wins over the scene's.
        epochs: measure time in samples processed instead of steps (a loss over data): every racer reads
            ``epochs`` passes over the data, in as many steps as its batch size needs, and frames are
            spread over samples, so full-batch and mini-batch descent progress fairly. ``steps`` is then
            ignored.
        arithmetic: ``"numpy"`` (fast; the same bytes on every CPU unless a path is chaotic, see
            :mod:`trajectories.compute.horizon`) or ``"portable"`` (gradients and losses computed the same on every
            CPU and platform, about ten times slower; see :mod:`trajectories.core.portable`).
        view: ``"contour"`` (2-D), ``"surface"`` (3-D ``plot_surface``), ``"wireframe"`` (3-D), or any
            race view registered in :mod:`trajectories.render.registry`.
        elevation, azimuth: the 3-D camera at step 0, in degrees.
        rotation: degrees the 3-D camera turns per step (180 steps × 2° = one turn).
        rotation_steps: ``(from, to)``: the steps during which the camera turns (default: all of them).
        zlim: the 3-D z range (default: the surface's range over the window).
        grid: samples per side of the surface grid in 3-D views.
        line_width: path width (default: the theme's).
        show_start: mark the start points.
        axis_labels: name the axes (x, y and, in 3-D, f(x, y)).
        basin_shading: the basins view shades each converged start by its steps to converge (log scale).
        title_size: title font size in points (default: the view's).
        output, output_format: where ``trajectories render`` writes this scene when not told otherwise
            (a path relative to the current folder) and in which format.
    """

    name: str
    surface: Surface | str
    optimizers: Sequence[Racer | OptimizerSpec | str]
    start: Point | Sequence[Point] | None = default("start")
    start_sets: Sequence[Any] | None = default("start_sets")
    steps: int = default("steps")
    loss_panel: bool = default("loss_panel")
    loss_scale: Literal["auto", "log", "linear"] = default("loss_scale")
    lr_panel: bool = default("lr_panel")
    overlays: tuple[str, ...] | None = default("overlays")
    state_panel: str | None = default("state_panel")
    description: str = default("description")
    waivers: tuple[tuple[str, str], ...] | None = default("waivers")
    window: tuple[float, float, float, float] | None = default("window")
    batch_size: int | None = default("batch_size")
    noise: float | None = default("noise")
    seed: int = default("seed")
    epochs: float | None = default("epochs")
    arithmetic: Literal["numpy", "portable"] = default("arithmetic")
    view: str = default("view")
    output: str | None = default("output")
    output_format: str | None = default("output_format")
    source: str = field(default="", compare=False)
    timing: Frames = field(default_factory=Frames)
    look: Look = field(default_factory=Look)
    camera: Camera = field(default_factory=Camera)
    trail_spec: Trail = field(default_factory=Trail)
    start_points: Any = field(init=False, compare=False, repr=False)

    def __init__(self, name: str, surface: Surface | str, optimizers: Sequence[Racer | OptimizerSpec | str],
                 start: Point | Sequence[Point] | None = None, **options: Any) -> None:
        """The fields above by name; each option of a part (``fps=``, ``theme=``, ``azimuth=``, ``tail=``...)
        goes into that part (:func:`.kind.init_scene`), as the options table groups it."""
        init_scene(self, {"name": name, "surface": surface, "optimizers": optimizers, "start": start,
                                  **options})
        self.__post_init__()

    def __post_init__(self) -> None:
        check_name(self.name)
        set_field = functools.partial(object.__setattr__, self)
        set_field("window", check_option("window", self.window))
        surface = self.surface
        if isinstance(surface, str):
            try:
                surface = resolve_surface(surface, self.window)
            except ValueError as error:
                raise SceneError(f"{self.name}: {error}") from None
        set_field("surface", surface)
        if isinstance(self.optimizers, (str, Racer, OptimizerSpec)):
            set_field("optimizers", (self.optimizers,))
        if len(self.optimizers) > MAX_RACERS:  # before any spec is checked: 2,000 took minutes
            raise SceneError(f"{self.name}: {len(self.optimizers)} optimizers, more than the {MAX_RACERS} a scene "
                             "may race (a legend of more cannot be read)")
        racers = tuple(Racer.of(item) for item in self.optimizers)
        if not racers:
            raise SceneError(f"{self.name}: a scene needs at least one optimizer")
        set_field("optimizers", racers)
        set_field("start_sets", check_option("start_sets", self.start_sets or None))
        set_field("start", check_option("start", self.start))  # None: the surface's, unless start sets are given
        for name in OWN_OPTIONS:
            set_field(name, check_option(name, getattr(self, name)))
        self._check_surface_text()
        if self.epochs is not None and self.surface.dataset is None:
            raise SceneError(f"{self.name}: epochs (a clock in samples) needs a loss over data, e.g. regression")
        for _, problem in outside_window(self.start or (), self.plot_window)[:1]:
            raise SceneError(f"{self.name}: start {problem}")
        points: Any = self.start or (() if self.start_sets else check_option("start", surface.start))
        if self.start_sets:
            try:
                many = expand(self.start_sets, self.plot_window)
            except StartSetError as error:
                raise SceneError(f"{self.name}: {error}") from None
            points = np.concatenate([np.array(self.start or (), dtype=np.float64).reshape(-1, 2), many])
        set_field("start_points", points)
        try:
            self.gradient_source()
        except ValueError as error:
            raise SceneError(f"{self.name}: {error}") from None
        drawn_in_2d = [name for name in ("lr_panel", "overlays", "state_panel") if getattr(self, name)]
        if drawn_in_2d and self.view != "contour":
            raise SceneError(f"{self.name}: {drawn_in_2d[0]} is drawn by the contour view, not by view {self.view!r}")
        for racer in racers if self.lr_panel else ():
            if racer.spec.base_rate() is None:
                raise SceneError(f"{self.name}: lr_panel draws each racer's learning rate; {racer.spec.name} has none "
                                 "to draw (give lr= or learning_rate= a number)")
        scheduled = any(racer.spec.schedule is not None for racer in racers)
        for racer, steps in zip(racers, self.racer_steps() if scheduled else [], strict=False):
            try:
                racer.spec.check_steps(steps)
            except ValueError as error:
                raise SceneError(f"{self.name}: {error}") from None

    def _check_surface_text(self) -> None:
        """The surface's text the views draw: its formula (literally) and its name when it is the title."""
        problem = text_problem(self.surface.formula, math=False, limit=None)
        if problem is not None:
            raise SceneError(f"{self.name}: the surface's formula {problem}")
        if self.look.title is None:
            problem = text_problem(self.surface.name.replace("_", " "))
            if problem is not None:
                raise SceneError(f"{self.name}: the surface's name (the default title) {problem}")

    # -- values ---------------------------------------------------------------------------------------

    @property
    def starts(self) -> tuple[Point, ...] | Array:
        """Every start point: the ``start`` points (a tuple), then those of the ``start_sets`` (with any,
        all of them as one ``(N, 2)`` array)."""
        return self.start_points  # made in __post_init__

    @property
    def plot_window(self) -> tuple[float, float, float, float]:
        return self.window if self.window is not None else self.surface.window

    @property
    def frame_count(self) -> int:
        return self.timing.frames if self.timing.frames is not None else self.steps + 1

    def racer_colors(self, theme: Any) -> list[str]:
        """Each racer's colour: its own, else the ``palette``'s (the ``theme``'s by default)."""
        count = len(self.optimizers)
        return [racer.color or theme.color(i, self.look.palette, count) for i, racer in enumerate(self.optimizers)]

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

    def races(self) -> tuple[Scene, ...]:
        """A race is its own one race (``SceneKind.races``)."""
        return (self,)

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
        fixed = [p for p in self.timing.pauses or () if isinstance(p, int)]
        if self.epochs is None:
            shown = spread(self.steps, frames, fixed)
            return Timeline("step", self.steps, shown, [[step] * len(self.optimizers) for step in shown])
        budget = round(self.epochs * self.samples_per_epoch())
        samples = spread(budget, frames, fixed)
        clocks = [self._samples_after(r, n) for r, n in zip(self.optimizers, self.racer_steps(), strict=True)]
        steps = [[int(np.searchsorted(c, s, side="right") - 1) for c in clocks] for s in samples]
        return Timeline("samples", budget, samples, steps, [c / self.samples_per_epoch() for c in clocks])

    @property
    def reproducible_everywhere(self) -> bool:
        """Whether the paths are the same on every CPU whatever their horizons: portable arithmetic, or a
        surface that numpy evaluates with IEEE-exact operations only (see
        :func:`trajectories.core.portable.exact_in_numpy`)."""
        return self.arithmetic == "portable" or exact_in_numpy(self.surface)
