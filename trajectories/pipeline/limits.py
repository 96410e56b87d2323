r"""How much a render or a run may ask for, checked before any work: the one memory budget and the counts.

A hostile or mistyped request (``run --steps 1000000000``, a million starts' full paths, ``--jobs 500`` on
a 3-D view at 4096x4096) must not end in numpy's out-of-memory traceback or an hour of swapping:
it gets one line, with an estimate, before a path is computed or a file is opened::

    >>> from trajectories.errors import PlanError
    >>> try:
    ...     check_memory(run_needs(steps=10**9, starts=1, optimizers=1), PlanError)
    ... except PlanError as error:
    ...     print(str(error).replace(" (", "\n(").replace("; ", ";\n"))
    the paths would need about 558.8 GiB of memory
    (1 optimizer × 1 start × 1000000001 points), more than the 4 GiB this tool may use;
    use fewer steps, starts or optimizers

Every estimate is a count (path points, pixels, frames) times a cost per unit, measured on this project's
own renders (Linux, CPython 3.11, numpy 2, matplotlib 3.11, Pillow 13): peak memory grown between a small
and a large request, divided by the units added. Each constant says what was measured; each is rounded up,
so the estimates lean to the safe side. ``tests/test_limits.py`` checks them against independent counts.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RenderError, TrajectoriesError
from ..options import OPTIONS
from ..render.registry import check_vector_form, is_parallel, view_of
from ..support.folders import check_output_file
from ..trust import guard
from ..trust.names import is_data

if TYPE_CHECKING:
    from ..scene_protocol import SceneValue

GIB = 2**30

MEMORY_BUDGET = 4 * GIB
"""The most memory one render or run may need by its estimate. 4 GiB fits a 7 GB CI runner (GitHub's
smallest Linux runner) with room for Python, matplotlib and the operating system, and it is forty times what
the largest built-in scene needs by this estimate (``rastrigin_swarm``: about 100 MiB)."""

PATH_BYTES_KEPT = 40
"""Bytes kept per path point (one start's position after one step of one racer): position (16), loss (8)
and gradient norm (8) as float64, plus bookkeeping; measured 34-42 B over 2e4-4e5 steps, 1-20 starts,
1-5 optimizers (tracemalloc)."""

PATH_BYTES_WORKING = 160
"""Bytes per point of the largest racer while it runs: the surface's temporaries and the four shadow runs
of the reproducibility horizon (:mod:`trajectories.compute.horizon`); measured 100-130 B above the kept bytes."""

TEXT_BYTES_PER_POINT = 400
"""Bytes per path point of the JSON or CSV export: the document's Python lists (four floats a point) and
the text; measured 330-380 B (JSON) and 280-320 B (CSV) above the paths' own."""

VIEW_BYTES_PER_POINT = 800
"""Bytes per path point while a race view draws it (matplotlib's paths and transforms of whole
trajectories, the loss panel's curves); measured 730 B (contours with a loss panel) and 220 B (3-D)
above the paths' own, 2 racers × 10 starts × 2e3-4e4 steps (peak RSS)."""

FRAME_BYTES_PER_PIXEL = 48
"""Bytes per pixel of the frame size that each drawing process holds (canvas, background copy, sprites,
the frame, its palette mapping); measured 34-45 B for every view at 512² to 4096² (peak RSS)."""

MAX_FRAMES = int(OPTIONS["frames"].high)
"""The most frames an animation may have (the ``frames`` option's bound), whatever makes them: a race's
``steps + 1`` by default, a batch diagram's batches × ``frames_per_batch``."""


def gib(count: float) -> str:
    """``count`` bytes in GiB (MiB under one GiB), one decimal, none when whole: ``"14.9 GiB"``, ``"4 GiB"``."""
    value, unit = (count / GIB, "GiB") if count >= GIB else (count / 2**20, "MiB")
    return f"{value:.1f} {unit}".replace(".0 ", " ")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 'es' if word.endswith('s') else 's'}"


@dataclass(frozen=True)
class Need:
    """One part of a memory estimate: ``what`` needs ``bytes``, with the counts behind it (``detail``)
    and what to change to need less (``advice``)."""

    what: str
    bytes: float
    detail: str
    advice: str


def check_memory(needs: Sequence[Need], error: type[TrajectoriesError], budget: float | None = None) -> None:
    """``error`` when the ``needs`` together pass ``budget`` (default :data:`MEMORY_BUDGET`); the one line
    names the largest part, the total and what to change."""
    budget = MEMORY_BUDGET if budget is None else budget
    total = sum(need.bytes for need in needs)
    if total <= budget:
        return
    largest = max(needs, key=lambda need: need.bytes)
    raise error(f"{largest.what} would need about {gib(total)} of memory ({largest.detail}), more than the "
                f"{gib(budget)} this tool may use; {largest.advice}")


def paths_need(points: Sequence[int], detail: str, advice: str, per_point: int = PATH_BYTES_KEPT) -> Need:
    """The paths of racers with ``points[i]`` points each (over all their starts): every point kept at
    ``per_point`` bytes, plus :data:`PATH_BYTES_WORKING` per point of the largest while it runs."""
    return Need("the paths", sum(points) * per_point + max(points, default=0) * PATH_BYTES_WORKING, detail, advice)


def run_needs(steps: int, starts: int, optimizers: int, text: bool = True) -> list[Need]:
    """What ``trajectories run`` needs: every optimizer from every start for ``steps`` updates, and the
    JSON or CSV text of all their points (``text``)."""
    points = (steps + 1) * starts
    detail = f"{_plural(optimizers, 'optimizer')} × {_plural(starts, 'start')} × {steps + 1} points"
    per_point = PATH_BYTES_KEPT + (TEXT_BYTES_PER_POINT if text else 0)
    return [paths_need([points] * optimizers, detail, "use fewer steps, starts or optimizers", per_point)]


NPZ_BYTES_PER_POINT = 80
"""Bytes per path point of a full npz run beyond the paths' own: the four ``(O, S, T + 1)`` arrays (32) and
the largest one's copy while it is written into the file (8), rounded up twice."""

REDUCED_BYTES_PER_START = 64
"""Bytes per start and optimizer that a reduced run keeps: its result arrays (end point, loss, steps and
target: 48) and their concatenation, rounded up."""

REDUCED_WORKING_BYTES = 1200
"""Bytes per start of the chunk of starts that move together in a reduced run (at most
:data:`trajectories.compute.basins.CHUNK`): the points, their bounding boxes, the optimizer's state and a copy, a
block of kept points and the arrival tracker's arrays; measured 780 B (Adam) to 980 B (SGD, whose first
block brings most paths home at once) of tracemalloc peak per start, 16,384 to 65,536 starts."""


def reduced_need(starts: int, optimizers: int, detail: str) -> Need:
    """What a reduced run of ``starts`` × ``optimizers`` needs: a few numbers per start, and one chunk's
    working memory, whatever the steps."""
    from ..compute.basins import CHUNK

    working = min(starts, CHUNK) * REDUCED_WORKING_BYTES
    return Need("the end points", starts * optimizers * REDUCED_BYTES_PER_START + working, detail,
                "use fewer starts or optimizers")


def npz_needs(steps: int, starts: int, optimizers: int, reduced: bool) -> list[Any]:
    """What ``run --format npz`` needs (:mod:`trajectories.pipeline.limits`): the paths and their arrays, or, with
    ``reduced``, a few numbers per start whatever ``steps``."""
    detail = f"{optimizers} optimizer{'s' * (optimizers != 1)} × {starts} start{'s' * (starts != 1)}"
    if reduced:
        return [reduced_need(starts, optimizers, detail)]
    needs = run_needs(steps, starts, optimizers, text=False)
    needs.append(Need("the npz arrays", (steps + 1) * starts * optimizers * NPZ_BYTES_PER_POINT,
                      f"{detail} × {steps + 1} points", "use fewer steps, starts or optimizers, or --reduce"))
    return needs


def race_points(scene: SceneValue) -> list[int]:
    """Points per racer (over all starts) that computing ``scene``'s paths makes: a race's racers, or every
    panel's side by side; ``[]`` for a kind without optimizers."""
    races = scene.races()
    return [(steps + 1) * len(race.starts) for race in races for steps in race.racer_steps()]


def _race_detail(scene: SceneValue) -> str:
    races = scene.races()
    panels = not (len(races) == 1 and races[0] is scene)
    racers = sum(len(race.optimizers) for race in races)
    starts = max(len(race.starts) for race in races)
    steps = max(max(race.racer_steps()) for race in races)
    panel_text = f"{_plural(len(races), 'panel')}: " if panels else ""
    return f"{panel_text}{_plural(racers, 'optimizer')} × {_plural(starts, 'start')} × {steps + 1} points"


def useful_workers() -> int:
    """The most processes a render starts, whatever ``jobs`` asks: four per core (more only compete for the
    cores and each holds a copy of the scene's figure). :mod:`trajectories.pipeline.stages` starts no more."""
    return 4 * (os.cpu_count() or 1)


def drawing_processes(scene: SceneValue, frames: int, jobs: int, sample: int | None = None) -> int:
    """Processes that hold a view of ``scene`` at once: this one, and the workers
    :func:`trajectories.pipeline.stages.render_scene` forks for a view whose frames are full redraws (3-D): at most
    ``jobs``, one per 4 frames, and :func:`useful_workers`."""
    if sample is not None or jobs < 2 or frames <= 2 or not is_parallel(scene):
        return 1
    return 1 + min(jobs, math.ceil(frames / 4), useful_workers())


def render_needs(scene: SceneValue, fmt: Any, jobs: int = 1, paths_json: bool = False,
                 sample: int | None = None) -> list[Need]:
    """What rendering ``scene`` to format ``fmt`` (a :class:`trajectories.writers.Format`) with ``jobs``
    processes needs: its paths while drawn, the frame buffers of every drawing process, the frames a
    writer keeps until the end (none of the built-in formats: they stream), and the ``--paths`` JSON."""
    width, height = scene.look.size
    pixels = width * height
    frames = scene.frame_count
    needs = []
    points = race_points(scene)
    if points and _reduces(scene):  # only where each path ends is kept (trajectories.compute.basins)
        races = scene.races()
        starts = max(len(race.starts) for race in races)
        ends = sum(len(race.starts) * len(race.optimizers) for race in races)
        needs.append(reduced_need(starts, ends // max(starts, 1), _race_detail(scene)))
    elif points:
        detail = _race_detail(scene)
        needs.append(paths_need(points, detail, "use fewer steps, starts or optimizers",
                                PATH_BYTES_KEPT + _view_point_bytes(scene)))
        if paths_json:
            needs.append(Need("the --paths JSON", sum(points) * TEXT_BYTES_PER_POINT, detail,
                              "use fewer steps, starts or optimizers"))
    processes = drawing_processes(scene, frames, jobs, sample)
    needs.append(Need("drawing the frames", processes * pixels * FRAME_BYTES_PER_PIXEL,
                      f"{_plural(processes, 'process')} drawing {width}x{height} frames",
                      "use a smaller --size" + (", or fewer --jobs" if processes > 1 else "")))
    kept = min(frames, sample) if sample is not None else frames
    if fmt.memory_per_pixel and not fmt.still:
        needs.append(Need(f"{fmt.name} output", fmt.memory_per_pixel * pixels * kept,
                          f"{kept} frames of {width}x{height}", "use gif or mp4, or fewer --frames"))
    return needs


def _view_point_bytes(scene: SceneValue) -> int:
    """Bytes per path point the scene's view holds while drawing: its own measure, else
    :data:`VIEW_BYTES_PER_POINT`."""
    from ..render.registry import VIEWS

    kind = VIEWS.get(scene.view)
    own = kind.point_bytes if kind is not None else None
    return VIEW_BYTES_PER_POINT if own is None else own


def _reduces(scene: SceneValue) -> bool:
    from ..render.registry import VIEWS

    kind = VIEWS.get(scene.view)
    return kind is not None and kind.reduces


def check_frame_count(scene: SceneValue, error: type[TrajectoriesError]) -> int:
    """``scene``'s frame count, or ``error`` when it passes :data:`MAX_FRAMES`."""
    frames = scene.frame_count
    if frames > MAX_FRAMES:
        has_option = scene.takes("frames")
        hint = f"set frames (--frames) to at most {MAX_FRAMES}" if has_option else "make it shorter"
        raise error(f"{scene.name}: {frames} frames, more than the {MAX_FRAMES} an animation may have; {hint}")
    return frames


@dataclass(frozen=True)
class CheckedRender:
    """A render checked once, before any work (:func:`check_render`): ``scene`` drawn to ``path`` in format
    ``fmt`` (and its paths' JSON to ``paths_json``) by ``jobs`` drawing processes, ``sample`` frames of it
    (``None``: all). The plan makes one for each file; :func:`trajectories.pipeline.stages.render_checked` renders
    it without checking again (a render with fewer ``jobs`` needs less memory, so lowering them keeps it
    checked)."""

    scene: SceneValue
    fmt: Any
    path: Path
    paths_json: Path | None = None
    jobs: int = 1
    sample: int | None = None


def check_render(scene: SceneValue, fmt: Any, path: str | os.PathLike[str], paths_json: str | os.PathLike[str] |
                 None = None, jobs: int = 1, sample: int | None = None, error: type[TrajectoriesError] = RenderError,
                 labels: tuple[str, str] = ("output", "output")) -> CheckedRender:
    """Every fact a render needs checked, once, before any work: the view draws what is asked (paths to write,
    a vector form), frames, memory and time within bounds (:func:`check_render_size`) and the output files
    writable (:func:`~trajectories.support.folders.check_output_file`, named by ``labels``: its own error class), else
    ``error``."""
    kind = view_of(scene)
    if paths_json is not None and scene.kind == "network":
        raise RenderError(f"{scene.name}: a network race's paths are parameter vectors, not 2-D paths: compute "
                          "them in Python (trajectories.compute.paths.compute_paths)")
    if paths_json is not None and not kind.needs_paths:
        raise RenderError(f"{scene.name}: a scene drawn by the {kind.name} view has no optimizer paths to write")
    if paths_json is not None and kind.reduces:
        raise RenderError(f"{scene.name}: the {kind.name} view keeps only where each path ends, not the paths; "
                          "use `trajectories run --format npz` for them")
    if fmt.vector:
        check_vector_form(kind, fmt.name)
    check_render_size(scene, fmt, error, jobs, paths_json is not None, 1 if fmt.still else sample)
    target = check_output_file(path, labels[0])  # a missing folder is made for the write, removed if it fails
    written = check_output_file(paths_json, labels[1]) if paths_json is not None else None
    return CheckedRender(scene, fmt, target, written, jobs, sample)


def check_render_size(scene: SceneValue, fmt: Any, error: type[TrajectoriesError], jobs: int = 1,
                      paths_json: bool = False, sample: int | None = None) -> None:
    """Before any work: ``scene``'s frame count and the memory rendering it to ``fmt`` would need
    (:func:`render_needs`) are within bounds, and the view's own check passes (the contour view's side
    panels have room: ``check`` in :func:`trajectories.render.registry.register_view`), else ``error``
    (one line, with the estimate)."""
    check_frame_count(scene, error)
    check_memory(render_needs(scene, fmt, jobs, paths_json, sample), error)
    if is_data(scene) or guard.active() is not None:  # data (a TOML file, a directive's TOML) may not keep the
        # machine busy for hours either
        frames = scene.frame_count if sample is None else min(sample, scene.frame_count)
        width, height = scene.look.size
        check_time(render_seconds(scene, frames), f"{frames} frames of {width}x{height}", error,
                   advice="use a smaller size, fewer frames or fewer steps", what="render")
    for race in scene.races():  # a view's own check (the contour view's side panels need room)
        view_of(race).check_scene(race, error)


# --- time, estimated before a long run -------------------------------------------------------------------

SECONDS_PER_POINT_STEP = 3e-7
"""Seconds one update of one start takes with our own rules in numpy's arithmetic: measured 0.15-0.19 µs
(Adam on Himmelblau, 20,000 to 90,000 starts, ``run`` and ``run --reduce``, 2 busy cores), rounded up."""
PORTABLE_FACTOR = 10
"""How much slower portable arithmetic is (docs/howto/reproducibility.md: about 10×)."""
FULL_RUN_FACTOR = 5
"""A full run (not ``--reduce``) also runs each path's four shadows for its reproducibility horizon."""
ADAPTER_SECONDS_PER_POINT_STEP = {"torch": 3e-6, "optax": 5e-7, "torch, one instance a start": 1e-4,
                                  "torch, with a closure": 1e-3}
"""One update of one start by an adapter: torch's element-wise classes on one ``(N, 2)`` tensor (measured
1.8 µs), optax under ``jax.vmap`` (0.37 µs), a torch class run one instance per start (65 µs for
``pytorch_optimizer.AdaBelief``) and one whose step evaluates the objective itself (440 µs for L-BFGS with
its defaults: up to 25 evaluations a step)."""
ADAPTER_SECONDS_PER_STEP = 3e-4
"""What every update of an adapter costs whatever the starts (copies into tensors, a compiled call):
measured 210 µs (torch) and 300 µs (optax)."""
MEASURED_WORK_SECONDS = 0.01
"""An adapter's step from two starts measured slower than this (30× the fixed cost above) is work that its
keywords ask for (:mod:`trajectories.adapters.step_budget`): the estimate counts half of it per start."""
TIME_BUDGET = 3600.0
"""The longest a run may take by its estimate: an hour. Past it: one line with the estimate, exit status 2."""
TIME_NOTE = 30.0
"""A run estimated to take longer than this says so first, on one line."""


def _seconds_per_point_step(spec: Any) -> tuple[float, float]:
    """``(per start and update, per update)`` of one optimizer spec."""
    name = str(getattr(spec, "name", ""))
    if name.startswith(("optax:", "torch:")):  # a step measured when the spec was checked counts, if slower
        from ..adapters.step_budget import measured_step_seconds

        per_point, per_step = _adapter_seconds(spec, name)
        measured = measured_step_seconds(name) or 0.0  # from two starts
        if measured > MEASURED_WORK_SECONDS:  # past any fixed cost: work its keywords ask for, start by start
            per_point = max(per_point, measured / 2)
        return per_point, per_step  # below it, the rules above: the same estimate on every machine
    return SECONDS_PER_POINT_STEP, 0.0


def _adapter_seconds(spec: Any, name: str) -> tuple[float, float]:
    if name.startswith("optax:"):
        return ADAPTER_SECONDS_PER_POINT_STEP["optax"], ADAPTER_SECONDS_PER_STEP
    from ..adapters.torch_optim import is_elementwise, needs_closure

    source = getattr(spec, "source", None)
    if source is None:
        kind = "torch, one instance a start"
    elif is_elementwise(source):
        kind = "torch"
    else:
        kind = "torch, with a closure" if needs_closure(source) else "torch, one instance a start"
    return ADAPTER_SECONDS_PER_POINT_STEP[kind], ADAPTER_SECONDS_PER_STEP


SECONDS_PER_FRAME_PIXEL = 5e-8
"""Drawing and encoding one pixel of one frame of a view that blits (2-D): measured 2e-8 s (``rosenbrock``,
200 frames of 640x480, on a busy 2-core machine), rounded up."""
SECONDS_PER_REDRAWN_PIXEL = 1e-6
"""The same for a view that redraws every frame (3-D): measured 4.4e-7 s (``fig1_critical_points``, 40 frames
of 640x320), rounded up."""


def render_seconds(scene: SceneValue, frames: int) -> float:
    """About how long rendering ``frames`` frames of ``scene`` takes: its paths (as :func:`run_seconds`
    estimates them, with their horizons) and its frames (pixels times a cost per pixel), leaning long."""
    width, height = scene.look.size
    per_pixel = SECONDS_PER_REDRAWN_PIXEL if is_parallel(scene) else SECONDS_PER_FRAME_PIXEL
    seconds = frames * width * height * per_pixel
    seconds += scene.compute_seconds()  # what a kind estimates itself: a network's training and grids
    for race in scene.races():
        portable = race.arithmetic == "portable"
        for racer, steps in zip(race.optimizers, race.racer_steps(), strict=True):
            seconds += run_seconds([racer.spec], len(race.starts), steps, portable, full=not _reduces(scene))
    return seconds


def run_seconds(specs: Sequence[Any], starts: int, steps: int, portable: bool = False, full: bool = False) -> float:
    """About how long ``run`` takes for ``specs`` from ``starts`` starts over ``steps`` updates (``full``: the
    paths and their horizons, not only their ends): a count times a cost per unit, measured, leaning long."""
    total = 0.0
    for spec in specs:
        per_point, per_step = _seconds_per_point_step(spec)
        total += steps * (starts * per_point * (PORTABLE_FACTOR if portable else 1) + per_step)
    return total * (FULL_RUN_FACTOR if full else 1)


def duration(seconds: float) -> str:
    """``seconds`` in words: ``"40 s"``, ``"12 min"``, ``"3.5 h"``.

    >>> duration(40), duration(720), duration(3600), duration(12600)
    ('40 s', '12 min', '1 h', '3.5 h')
    """
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h".replace(".0 ", " ")


def check_time(seconds: float, detail: str, error: type[TrajectoriesError], budget: float | None = None,
               advice: str = "use fewer starts, steps or optimizers", what: str = "run") -> str | None:
    """``error`` when ``seconds`` (an estimate) passes ``budget`` (default :data:`TIME_BUDGET`); otherwise the
    one-line note to show when it passes :data:`TIME_NOTE`, or ``None``.

    >>> check_time(7200, "4000000 starts", ValueError, advice="use fewer")
    Traceback (most recent call last):
    ...
    ValueError: this run would take about 2 h (4000000 starts), more than the 1 h this tool runs at once; use fewer
    >>> check_time(40, "4000 starts", ValueError)
    'this run will take about 40 s (4000 starts)'
    """
    budget = TIME_BUDGET if budget is None else budget
    if seconds > budget:
        raise error(f"this {what} would take about {duration(seconds)} ({detail}), more than the {duration(budget)} "
                    f"this tool runs at once; {advice}")
    if seconds > TIME_NOTE:
        return f"this {what} will take about {duration(seconds)} ({detail})"
    return None
