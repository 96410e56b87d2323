"""Every scene option, declared once: name, type, range or choices, default, help, the scene kinds it
applies to and the value of the scene it belongs to.

The scene checks (:mod:`trajectories.scene`), the TOML checks (:mod:`trajectories.scene.toml_file`), the
click options of ``trajectories run`` and ``render`` (:mod:`trajectories.cli.options`), the starter files
(:mod:`trajectories.cli.describe`) and the documentation's option table (``docs/reference/options.md``) are all
made from :data:`OPTIONS`; ``tests/test_options.py`` proves they agree. Regenerate the documentation's rows with
``python docs/options_table.py``.

>>> OPTIONS["fps"].problem(60)
'must be a whole number from 1 to 50, got 60'
>>> OPTIONS["theme"].choice_names()
('light', 'dark', 'article')
>>> check_option("trail", "sparkle")
Traceback (most recent call last):
...
trajectories.errors.SceneError: trail must be one of full, tail, fade, got 'sparkle'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .compute.starts import START_SET_HELP, as_start_sets, start_sets_problem
from .errors import SceneError
from .render.registry import network_view_names, race_view_summaries
from .render.registry import race_view_names as _registered_race_views

SCENE_KINDS = ("race", "panels", "series", "batches", "network")
"""``race``: :class:`~trajectories.scene.Scene`; ``panels``: :class:`~trajectories.scene.SideBySide`;
``series``: :class:`~trajectories.scene.SeriesScene`; ``batches``: :class:`~trajectories.scene.BatchDiagram`;
``network``: :class:`~trajectories.scene.NetworkScene`."""
GROUPS = ("race", "frames", "look", "camera", "trail", "output")
"""The value of a scene each option belongs to (see :mod:`trajectories.scene.values`)."""
Point = tuple[float, float]
Choices = tuple[str, ...] | Callable[[], Sequence[str]]


RUN_FORMATS = ("json", "csv", "npz")
"""What ``trajectories run`` writes: a JSON or CSV document (:mod:`trajectories.compute.export`) or numpy arrays
(:mod:`trajectories.compute.npz`); the first is the default."""


def run_format(output: str | None, fmt: str | None) -> str:
    """``fmt`` if given, else the run format that ``output``'s suffix names, else the default (JSON).

    >>> run_format("paths.CSV", None), run_format(None, None), run_format("paths.npz", "json")
    ('csv', 'json', 'json')
    """
    suffix = output.lower().rpartition(".")[2] if output and "." in output else ""
    return fmt or (suffix if suffix in RUN_FORMATS else RUN_FORMATS[0])


def race_view_names() -> tuple[str, ...]:
    """The views a race scene may name: the view registry's, read at check time (views registered later
    count)."""
    return _registered_race_views()


def format_names() -> tuple[str, ...]:
    """The output formats: the writers' registry, read at check time (formats registered later count)."""
    from .writers import format_names as registered

    return registered()


def palette_names() -> tuple[str, ...]:
    """``default`` (the theme's colours), every palette of :mod:`trajectories.style.palette`, and ``ordered``
    (for a parameter swept in order)."""
    from .style.palette import PALETTES

    return ("default", *PALETTES, "ordered")


def theme_names() -> tuple[str, ...]:
    """The themes of :mod:`trajectories.style.theme`."""
    from .style.theme import THEMES

    return tuple(THEMES)


def arithmetic_names() -> tuple[str, ...]:
    """How paths may be computed (:data:`trajectories.core.portable.ARITHMETICS`)."""
    from .core.portable import ARITHMETICS

    return ARITHMETICS


def _real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _bound(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _pair(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2


def _point(value: Any) -> bool:
    return _pair(value) and all(map(_real, value))


def as_points(value: Any) -> tuple[Point, ...] | None:
    """``(x, y)`` or a non-empty list of them, all finite, as a tuple of float pairs; ``None`` otherwise."""
    if _point(value):
        return ((float(value[0]), float(value[1])),)
    if isinstance(value, str) or not hasattr(value, "__len__") or not len(value):
        return None
    if not all(_point(item) for item in value):
        return None
    return tuple((float(x), float(y)) for x, y in value)


NARROWEST = 1e-9
"""A window's side must be wider than this fraction of its largest coordinate (and than this much at all):
float64 then still holds millions of distinct values across it, far more than pixels in a frame (4096);
a window of 1e15 to 1e15 plus one ulp has two."""


def window_problem(value: Any) -> str | None:
    """What is wrong with ``value`` as a window ``(x0, x1, y0, y1)``, or ``None``: the one window check (scenes,
    TOML files, ``--window``). The four numbers must be finite with ``x0 < x1`` and ``y0 < y1``; each side's
    width must be finite (``-1e308, 1e308`` overflows) and wider than :data:`NARROWEST` times
    ``max(|low|, |high|, 1)`` (a window of width 1e-16 at 1e15 has no room for a picture)."""
    if isinstance(value, str) or not hasattr(value, "__len__") or len(value) != 4 or not all(map(_real, value)):
        return "must be finite (X0, X1, Y0, Y1) with X0 < X1 and Y0 < Y1"
    x0, x1, y0, y1 = (float(v) for v in value)
    if not (x0 < x1 and y0 < y1):
        return "must be finite (X0, X1, Y0, Y1) with X0 < X1 and Y0 < Y1"
    for axis, low, high in (("X", x0, x1), ("Y", y0, y1)):
        if not math.isfinite(high - low):
            return f"must have a finite width: {axis}1 - {axis}0 overflows float64"
        if high - low <= NARROWEST * max(abs(low), abs(high), 1.0):
            return (f"is too narrow for float64: {axis}1 - {axis}0 must be more than {NARROWEST:g} × "
                    f"max(|{axis}0|, |{axis}1|, 1)")
    return None


def as_window(value: Any) -> tuple[float, float, float, float] | None:
    """``(x0, x1, y0, y1)`` as floats when :func:`window_problem` finds nothing wrong; ``None`` otherwise."""
    if window_problem(value) is not None:
        return None
    x0, x1, y0, y1 = (float(v) for v in value)
    return (x0, x1, y0, y1)


def outside_window(points: Sequence[Point], window: Sequence[float]) -> list[tuple[int, str]]:
    """The points outside ``window``, each as ``(index, "(x, y) is outside the window [x0, x1]×[y0, y1]")``:
    the one start-in-window check (scenes, TOML files, ``trajectories run``)."""
    x0, x1, y0, y1 = window
    return [(i, f"({x:g}, {y:g}) is outside the window [{x0:g}, {x1:g}]×[{y0:g}, {y1:g}]")
            for i, (x, y) in enumerate(points) if not (x0 <= x <= x1 and y0 <= y <= y1)]


def as_names(value: Any) -> tuple[str, ...] | None:
    """``"a,b"`` or a list of names as a tuple of names (``()`` for none); ``None`` for anything else."""
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",")) if value.strip() else ()
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


EXITS = "exits"
"""In ``pauses``: the moments each racer leaves the window (its exit mark appears)."""


MAX_PAUSES = 1000
"""The most moments a scene's ``pauses`` may list (each is a held frame: more are a slide show, not a race)."""


def as_pauses(value: Any) -> tuple[int | str, ...] | None:
    """``"exits,40"`` or a list of at most :data:`MAX_PAUSES` whole steps >= 0 and ``"exits"``, as a tuple
    without repeats in the order given; ``None`` for anything else."""
    items = [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value
    if isinstance(items, (str, bytes)) or not isinstance(items, (list, tuple)) or len(items) > MAX_PAUSES:
        return None
    found: dict[int | str, None] = {}  # ordered, and a repeat found in constant time
    for item in items:
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item)
        if item == EXITS or (_whole(item) and 0 <= item <= 10**9):
            found.setdefault(item if isinstance(item, str) else int(item))
        else:
            return None
    return tuple(found)


FRAME_CHECKS = ("outside", "after-exit", "width", "text-cut", "text-overlap", "text-over-mark", "text-size",
                "mark-size", "cramped", "hidden-head", "pace", "moment", "too-quick", "geometry")
"""The checks of the frame checker (:mod:`trajectories.pipeline.frame_check`), by the names its findings and a scene's
``waivers`` use."""


def as_waivers(value: Any) -> tuple[tuple[str, str], ...] | None:
    """``{check: reason}`` (or pairs) naming checks of :mod:`trajectories.pipeline.frame_check`, each with a reason
    that is not empty, as a tuple of pairs; ``None`` for anything else."""
    pairs = list(value.items()) if isinstance(value, Mapping) else value
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, (list, tuple)):
        return None
    found = []
    for pair in pairs:
        if not _pair(pair) or pair[0] not in FRAME_CHECKS or not isinstance(pair[1], str) or not pair[1].strip():
            return None
        found.append((pair[0], pair[1]))
    return tuple(found)


def _shown(value: Any) -> str:
    if _pair(value) and all(map(_whole, value)):
        return f"{value[0]}x{value[1]}"
    return repr(value)


@dataclass(frozen=True)
class Option:
    """One scene option.

    Attributes:
        name: the keyword of :class:`~trajectories.scene.Scene` (and the TOML key, unless ``toml_key``).
        kind: ``int``, ``number``, ``choice``, ``bool``, ``text``, ``size`` (width, height), ``range`` (low,
            high), ``window``, ``points`` (start points), ``surface`` or ``optimizers`` (the last two are
            checked by :mod:`trajectories.surfaces.catalogue` and :mod:`trajectories.core.spec`); ``choices``: a list of
            names from ``choices`` (a list, or text with commas).
        help: one line for ``--help``, the option table and the starter files.
        default: the race scene's default (``None``: unset; then ``None`` is accepted).
        low, high: the bounds of ``int``, ``number`` and ``size`` (each side); ``above``: ``low`` excluded.
        choices: the names of a ``choice``, or a function that returns them when a value is checked.
        kinds: the scene kinds that have the option (:data:`SCENE_KINDS`), ``defaults`` their own defaults.
        group: the scene's value it belongs to (:data:`GROUPS`).
        toml: the TOML table it is read from (``""``: top level), or ``None``; ``toml_key``: its key there.
        flag: the command-line flag, ``commands`` the commands that have it, ``param`` the parameter name;
            ``adhoc``: in ``render`` it describes an ad hoc scene (``--surface``) rather than overriding one.
        metavar: how the value is written on the command line.
        drawn: a ``text`` drawn in the frame (a title): checked as matplotlib will draw it, mathtext and
            glyphs (:func:`trajectories.style.text.text_problem`).
    """

    name: str
    kind: str
    help: str
    default: Any = None
    low: float | None = None
    high: float | None = None
    above: bool = False
    choices: Choices = ()
    kinds: tuple[str, ...] = ("race",)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    kind_choices: Mapping[str, Choices] = field(default_factory=dict)
    group: str = "race"
    toml: str | None = "view"
    toml_key: str | None = None
    flag: str | None = None
    commands: tuple[str, ...] = ()
    param: str | None = None
    adhoc: bool = False
    metavar: str | None = None
    drawn: bool = False

    def choice_names(self, kind: str = "race") -> tuple[str, ...]:
        """The allowed names of a ``choice`` for scene kind ``kind`` (its own in ``kind_choices``, else
        ``choices``; called now, when they come from a registry)."""
        choices = self.kind_choices.get(kind, self.choices)
        return tuple(choices() if callable(choices) else choices)

    def any_choice_names(self) -> tuple[str, ...]:
        """The names a ``choice`` allows for any of its scene kinds (the command line's choices; the scene it
        overrides checks its own)."""
        return tuple(dict.fromkeys(name for kind in self.kinds for name in self.choice_names(kind)))

    def default_for(self, kind: str = "race") -> Any:
        """The default of scene kind ``kind``."""
        return self.defaults.get(kind, self.default)

    @property
    def key(self) -> str:
        """The key in the TOML table."""
        return self.toml_key or self.name

    def requirement(self, scene_kind: str = "race") -> str:
        """What a value must be, e.g. ``"a whole number from 1 to 50"``."""
        kind, low, high = self.kind, self.low, self.high
        if kind in ("int", "number"):
            what = "a whole number" if kind == "int" else "a number"
            if self.above:
                return f"{what} > {_bound(low)} and at most {_bound(high)}"
            return f"{what} from {_bound(low)} to {_bound(high)}"
        return {
            "choice": lambda: "one of " + ", ".join(self.choice_names(scene_kind)),
            "bool": lambda: "true or false",
            "text": lambda: "text",
            "size": lambda: f"(width, height) in pixels, from {_bound(low)} to {_bound(high)} each",
            "range": lambda: "(low, high) with low < high, both finite",
            "window": lambda: f"finite (X0, X1, Y0, Y1) with X0 < X1 and Y0 < Y1, each side wider than "
                              f"{NARROWEST:g} × its largest coordinate (and than {NARROWEST:g})",
            "points": lambda: "a finite point (x, y) or a list of them",
            "choices": lambda: "a list of names from " + ", ".join(self.choice_names()),
            "starts": lambda: "start sets: Grid, Random or Disk values (text: " + START_SET_HELP + ")",
            "pauses": lambda: f"a list of at most {MAX_PAUSES} steps (whole numbers from 0) and {EXITS!r}",
            "waivers": lambda: "a table of frame checks (`trajectories check`'s names in brackets) to the reasons "
                               "this scene is exempt, e.g. {hidden-head = \"why\"}",
        }.get(kind, lambda: "valid")()

    def normalise(self, value: Any) -> Any:
        """``value`` in the scene's own form (tuples for pairs and windows), unchecked."""
        if self.kind == "window":
            return as_window(value)
        if self.kind == "points":
            return as_points(value)
        if self.kind == "starts":
            return as_start_sets(value)
        if self.kind in ("size", "range") and _pair(value):
            return tuple(value)
        if self.kind == "choices":
            return as_names(value)
        if self.kind == "pauses":
            return as_pauses(value)
        if self.kind == "waivers":
            return as_waivers(value)
        return value

    def problem(self, value: Any, kind: str = "race") -> str | None:
        """``"must be ..., got ..."`` when ``value`` is not allowed for scene kind ``kind``, else ``None``."""
        if value is None and self.default_for(kind) is None:
            return None
        if self.kind == "window":
            problem = window_problem(value)
            return None if problem is None else f"{problem}, got {_shown(value)}"
        if self.kind == "starts":
            return start_sets_problem(value)
        if not self._allows(value, kind):
            return f"must be {self.requirement(kind)}, got {_shown(value)}"
        if self.drawn and isinstance(value, str):
            from .style.text import text_problem

            return text_problem(value)
        return None

    def _allows(self, value: Any, scene_kind: str = "race") -> bool:
        kind, low, high = self.kind, self.low, self.high
        if kind == "int":
            return _whole(value) and low <= value <= high
        if kind == "number":
            return _real(value) and (low < value if self.above else low <= value) and value <= high
        if kind == "choice":
            return isinstance(value, str) and value in self.choice_names(scene_kind)
        if kind == "bool":
            return isinstance(value, bool)
        if kind == "text":
            return isinstance(value, str)
        if kind == "size":
            return _pair(value) and all(_whole(v) and low <= v <= high for v in value)
        if kind == "range":
            return _point(value) and value[0] < value[1]
        if kind == "window":
            return as_window(value) is not None
        if kind == "points":
            return as_points(value) is not None
        if kind == "pauses":
            return as_pauses(value) is not None
        if kind == "waivers":
            return as_waivers(value) is not None
        if kind == "choices":
            names = as_names(value)
            return names is not None and len(set(names)) == len(names) and set(names) <= set(self.choice_names())
        return True  # surface, optimizers: checked where they are resolved

    def check(self, value: Any, kind: str = "race") -> Any:
        """``value`` normalised, or :class:`SceneError` ``"NAME must be ..., got ..."``."""
        problem = self.problem(value, kind)
        if problem is not None:
            raise SceneError(f"{self.name} {problem}")
        return value if value is None else self.normalise(value)


ALL = SCENE_KINDS
ANIMATED = ("race", "panels")
MAX_RACERS = 32
"""The most optimizers one scene (or ``run``) races: four times the colours a palette tells apart, and more
than a legend can show; 2,000 took minutes to check and draw."""

OPTIONS_LIST: tuple[Option, ...] = (
    # the race: what is computed
    Option("surface", "surface", "a surface of the catalogue (`trajectories surfaces`) or a formula in x and y",
           toml="", flag="--surface", commands=("run", "render"), adhoc=True, metavar="NAME|FORMULA"),
    Option("optimizers", "optimizers", "`NAME[:key=value,...]`, repeatable, in the order given, e.g. "
           "`rmsprop:lr=0.02,alpha=0.9`", high=MAX_RACERS, kinds=("race", "network"), toml=None,
           flag="--optimizer", param="specs",
           commands=("run", "render"), adhoc=True, metavar="SPEC"),
    Option("start", "points", "start point(s); default: the surface's own start; must lie in the window",
           toml="", flag="--start", param="starts", commands=("run", "render"), adhoc=True, metavar="X,Y"),
    Option("start_sets", "starts", "many starts at once: " + START_SET_HELP.replace("(repeatable; ", "(")
           + "; see `trajectories.compute.starts`", toml="", toml_key="starts", flag="--starts",
           commands=("run", "render"), metavar="SET"),
    Option("window", "window", "X0,X1,Y0,Y1: the plotting window and escape box; default: the surface's "
           "(formulas: -3,3,-3,3)", toml="", flag="--window", commands=("run", "render"), adhoc=True,
           metavar="X0,X1,Y0,Y1"),
    Option("steps", "int", "number of updates; each path has steps + 1 points", 100, 1, 10**6, toml="",
           kinds=("race", "network"), defaults={"network": 200}, flag="--steps", commands=("run", "render"),
           adhoc=True),
    Option("epochs", "number", "a clock in samples (a loss over data): every racer reads this many passes over "
           "the data; steps is then ignored", None, 0, 10**6, above=True, toml=""),
    Option("batch_size", "int", "stochastic gradients: mini-batches of the data for a loss over data, otherwise "
           "Gaussian noise σ/√B on the exact gradient", None, 1, 10**9, toml="", flag="--batch-size",
           commands=("run",)),
    Option("noise", "number", "noise scale σ on an analytic surface (default 1 with a batch size)", None, 0, 1e6,
           toml="", flag="--noise", param="sigma", commands=("run",), metavar="SIGMA"),
    Option("seed", "int", "seed of the batches or the noise; the same seed gives the same bytes", 0, 0,
           2**63 - 1, kinds=("race", "series", "batches"), toml="", flag="--seed", commands=("run",)),
    Option("arithmetic", "choice", "how paths are computed: numpy's own (fast), or portable: the same paths on "
           "every CPU and platform, for chaotic paths (about 10x slower)", "numpy", choices=arithmetic_names, toml="",
           flag="--arithmetic", commands=("run", "render")),
    Option("view", "choice", f"how the race is drawn: {race_view_summaries()}; a network race: network (2-D) or "
           "network_surface (3-D)", "contour", choices=race_view_names, kinds=("race", "network"),
           defaults={"network": "network"}, kind_choices={"network": network_view_names}, flag="--view",
           commands=("render",)),
    Option("loss_panel", "bool", "add a synchronised loss-vs-step panel (log scale of f − f* where the minimum "
           "is known)", False, flag="--loss-panel/--no-loss-panel", commands=("render",)),
    Option("loss_scale", "choice", "the loss panel's scale: auto (log of f − f* where the minimum is known, "
           "else linear), log or linear", "auto", choices=("auto", "log", "linear")),
    Option("lr_panel", "bool", "add a learning-rate-vs-step panel (each racer's schedule; constant without one)",
           False, flag="--lr-panel/--no-lr-panel", commands=("render",)),
    Option("overlays", "choices", "what each racer's optimizer holds, drawn at its head: the negative gradient, "
           "the step taken, the velocity (momentum buffer or Adam's m) and the adaptive per-coordinate rate "
           "lr/(√v̂+ε) as an ellipse; each scaling is given in the figure", None,
           choices=("gradient", "step", "velocity", "adaptive"), flag="--overlay", param="overlays",
           commands=("render",), metavar="NAME,..."),
    Option("state_panel", "choice", "add a panel of what the optimizers hold, per axis (x solid, y dashed) against "
           "the update: |g|, |step|, |velocity|, Adam's |m̂|, the raw second moment v, the v̂ each rule divides by, "
           "or the rate lr/(√v̂+ε)", None, choices=("gradient", "step", "velocity", "m_hat", "v", "v_hat", "rate"),
           flag="--state-panel", commands=("render",)),
    Option("description", "text", "one line for `trajectories list`", "", kinds=ALL, toml=""),
    Option("waivers", "waivers", "frame checks (`trajectories check`) this scene is exempt from, each with the "
           "reason, e.g. a head that hides behind a hill on purpose", None, kinds=("race", "network"), toml=""),
    # a network race (trajectories.scene.network_scene): what is trained and how it is projected
    Option("network", "text", "network scenes: the model, `mlp:IN-H-...-OUT[:activation]` or `logistic:IN` (see "
           "docs/how-to/network.md)", "mlp:2-16-16-1:tanh", kinds=("network",), toml="network", toml_key="model",
           flag="--network", commands=("render",), adhoc=True, metavar="SPEC"),
    Option("dataset", "text", "network scenes: the data, generated (`moons:n=400,noise=0.2,seed=0`, circles, "
           "spirals, xor, blobs, line; `validation=0.25` splits) or `csv:path=FILE,target=COLUMN`",
           "moons:n=400,noise=0.2,seed=0", kinds=("network",), toml="network", flag="--dataset",
           commands=("render",), adhoc=True, metavar="SPEC"),
    Option("projection", "text", "network scenes: the plane the paths are drawn on: `pca` of all paths together, "
           "`random:seed=N` (filter-normalised directions) or `plane:racers=[A,B]`", "pca", kinds=("network",),
           toml="network", flag="--projection", commands=("render",), metavar="SPEC"),
    Option("batch_seed", "int", "network scenes: seed of the mini-batches' shuffles (racers with a batch size)", 0,
           0, 2**63 - 1, kinds=("network",), toml="network"),
    Option("loss_grid", "int", "network scenes: points per side of the loss grid on the plane (each point is one "
           "pass over the training set)", 41, 2, 400, kinds=("network",), toml="network"),
    Option("decision_grid", "int", "network scenes: points per side of each decision-boundary grid", 48, 2, 400,
           kinds=("network",), toml="network"),
    Option("boundaries", "int", "network scenes: steps with a decision boundary drawn, spread evenly (0: no "
           "decision panels)", 12, 0, 200, kinds=("network",), toml="network"),
    Option("time_axis", "choice", "network scenes: the loss panel's clock, updates or samples read (default: "
           "samples when the racers' batch sizes differ)", None, choices=("steps", "samples"), kinds=("network",),
           toml="network"),
    # frames: timing
    Option("fps", "int", "frames per second; GIF stores hundredths of a second, so 10, 20, 25 and 50 are exact",
           20, 1, 50, kinds=ALL, defaults={"panels": 10, "series": 10, "batches": 10, "network": 10},
           group="frames",
           flag="--fps", commands=("render",)),
    Option("frames", "int", "frames in the animation (default: one per step); fewer frames skip steps evenly",
           None, 1, 10**5, kinds=(*ANIMATED, "network"), group="frames", flag="--frames", commands=("render",)),
    Option("hold", "number", "seconds the last frame stays before the loop restarts", 1.5, 0, 60, kinds=ALL,
           defaults={"series": 2.0, "batches": 2.0}, group="frames", flag="--hold", commands=("render",),
           metavar="SECONDS"),
    Option("pauses", "pauses", "moments the animation stops at for `pause` seconds: steps (samples with "
           "`epochs`), shown exactly, and `exits`: each frame where a racer leaves the window", None,
           group="frames", flag="--pauses", commands=("render",), metavar="exits,STEP,..."),
    Option("pause", "number", "seconds each of the `pauses` lasts", 1.0, 0, 60, group="frames", flag="--pause",
           commands=("render",), metavar="SECONDS"),
    # look
    Option("theme", "choice", "colours: light, dark, or the article's black background and rainbow surfaces",
           "light", choices=theme_names, kinds=ALL,
           defaults={"panels": "article", "series": "article", "batches": "dark"}, group="look", flag="--theme",
           commands=("render",)),
    Option("palette", "choice", "racers' colours: told apart by colour-blind viewers too (default), the "
           "article's originals, or ordered: dark to light, perceptually even, for a parameter swept in order",
           "default", choices=palette_names, kinds=("race", "series", "network"), group="look",
           flag="--palette", commands=("render",)),
    Option("size", "size", "frame size in pixels, the same for every frame", (640, 480), 64, 4096, kinds=ALL,
           defaults={"panels": (1200, 600), "series": (800, 600), "network": (1200, 600)}, group="look",
           flag="--size",
           commands=("render",), metavar="WxH"),
    Option("dpi", "int", "dots per inch: the scale of text and lines for the same pixel size", 100, 8, 1000,
           kinds=ALL, defaults={"series": 50}, group="look", flag="--dpi", commands=("render",)),
    Option("title", "text", "the title (default: the surface's name); `$...$` is mathtext, `\\$` a dollar sign, "
           "`{starts}` the number of starts",
           None, kinds=("race", "series", "batches", "network"), group="look", drawn=True),
    Option("title_size", "number", "title font size in points (default: the view's)", None, 5, 200, group="look"),
    Option("line_width", "number", "path width (default: the theme's)", None, 0.1, 50, kinds=("race", "series"),
           defaults={"series": 2.0}, group="look"),
    Option("show_start", "bool", "mark the start points", True, group="look"),
    Option("axis_labels", "bool", "name the axes (x, y and, in 3-D, f(x, y))", False, group="look"),
    Option("basin_shading", "bool", "basins view: shade each converged start by its steps to converge (log "
           "scale): the later it arrived, the darker", False, group="look", flag="--basin-shading/--no-basin-shading",
           commands=("render",)),
    # camera (3-D views)
    Option("elevation", "number", "the 3-D camera's elevation at step 0, in degrees", 30.0, -360, 360,
           group="camera"),
    Option("azimuth", "number", "the 3-D camera's azimuth at step 0, in degrees", 45.0, -3600, 3600, group="camera"),
    Option("rotation", "number", "degrees the 3-D camera turns per step (180 steps × 2° = one turn)", 0.0, -360,
           360, group="camera"),
    Option("rotation_steps", "range", "(from, to): the steps during which the 3-D camera turns (default: all); "
           "still before and after, where a story wants a steady view", group="camera"),
    Option("zlim", "range", "the 3-D z range (default: the surface's range over the window)", group="camera"),
    Option("grid", "int", "samples per side of the surface grid in 3-D views", 100, 2, 1000, group="camera"),
    # trail
    Option("trail", "choice", "whole paths, only the last `tail` steps, or a fading trail", "full",
           choices=("full", "tail", "fade"), group="trail", flag="--trail", commands=("render",)),
    Option("tail", "int", "steps shown by the tail or the fading trail", 10, 1, 10**5, group="trail", flag="--tail",
           commands=("render",)),
    # output
    Option("output", "text", "where `trajectories render` writes the scene when not told otherwise", None,
           kinds=("race", "network"), group="output", toml="output", toml_key="path"),
    Option("output_format", "choice", "the output format (default: from the file name, else gif)", None,
           choices=format_names, kinds=("race", "network"), group="output", toml="output", toml_key="format",
           flag="--format", param="fmt",
           commands=("render",)),
)
OPTIONS: dict[str, Option] = {option.name: option for option in OPTIONS_LIST}


def check_option(name: str, value: Any, kind: str = "race") -> Any:
    """``value`` of option ``name``, normalised, or :class:`SceneError` ``"NAME must be ..., got ..."``."""
    return OPTIONS[name].check(value, kind)


def options_for(kind: str) -> tuple[Option, ...]:
    """The options scene kind ``kind`` has."""
    return tuple(option for option in OPTIONS_LIST if kind in option.kinds)


def default(name: str, kind: str = "race") -> Any:
    """Option ``name``'s default for scene kind ``kind`` (dataclass field defaults come from here)."""
    return OPTIONS[name].default_for(kind)


def toml_options(table: str) -> dict[str, Option]:
    """The options read from TOML table ``table`` (``""``: the top level), by key."""
    return {option.key: option for option in OPTIONS_LIST if option.toml == table}


def choices_text(name: str, last: str = "or") -> str:
    """``"light, dark or article"``: option ``name``'s choices for prose (starter files' comments)."""
    *others, final = OPTIONS[name].choice_names()
    return f"{', '.join(others)} {last} {final}" if others else final


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _default_text(option: Option) -> str:
    value = option.default
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if option.kind == "size":
        return f"{value[0]}x{value[1]}"
    if isinstance(value, str):
        return f"`{value}`" if value else '""'
    return _bound(value)


def _values_text(option: Option) -> str:
    if option.kind == "choice":
        return " · ".join(f"`{name}`" for name in option.any_choice_names())
    if option.kind == "choices":
        return "a list of " + " · ".join(f"`{name}`" for name in option.choice_names())
    if option.kind in ("int", "number", "size"):
        return option.requirement()
    return {"surface": "a name or a formula", "optimizers": f"specs (at most {_bound(option.high or 0)})",
            "bool": "true · false"}.get(option.kind, option.requirement())


def table_rows() -> list[str]:
    """The documentation's table of scene options, one Markdown row per option (the header first)."""
    rows = ["| option | TOML | command line | values | default | meaning |", "|---|---|---|---|---|---|"]
    for option in OPTIONS_LIST:
        toml = "" if option.toml is None else f"`{option.toml + '.' if option.toml else ''}{option.key}`"
        flag = f"`{option.flag}` ({', '.join(option.commands)})" if option.flag else ""
        rows.append(f"| `{option.name}` | {toml} | {flag} | {_cell(_values_text(option))} | "
                    f"{_default_text(option)} | {_cell(option.help)} |")
    return rows


TABLE_BEGIN = "<!-- options table: generated by `python docs/options_table.py` -->"
TABLE_END = "<!-- end of options table -->"


def with_table_rows(text: str) -> str:
    """A Markdown page's ``text`` with the rows between :data:`TABLE_BEGIN` and :data:`TABLE_END` regenerated."""
    head, rest = text.split(TABLE_BEGIN, 1)
    _, tail = rest.split(TABLE_END, 1)
    return head + TABLE_BEGIN + "\n" + "\n".join(table_rows()) + "\n" + TABLE_END + tail
