"""The render pipeline: scene -> computed paths -> view -> writer -> file, each stage a value for the next.

::

    computed = compute_paths(scene)             # trajectories.compute.paths: the only place optimizers run
    view = make_view(scene, computed, text)     # a registered view (trajectories.render): only views use matplotlib
    writer = get_format(name).open(target)      # trajectories.writers: the only list of formats

This module drives them: timing (GIF delays are hundredths of a second; frame ``i`` ends at
``round(100 i / fps)``, so fps dividing 100 is exact and others are exact on average; ``hold`` extends
the last frame), the palette chosen from frames spread over the animation, frames drawn in forked
processes for views whose frames are full redraws, a progress bar, atomic output, and the paths export,
which comes from the computed paths and never from a view.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import multiprocessing
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..compute.basins import known_targets
from ..compute.export import to_json
from ..compute.horizon import render_tolerance
from ..compute.paths import ComputedPaths, compute_paths
from ..errors import RenderError
from ..render.moments import Moment, held_frames
from ..render.registry import View, is_parallel, make_view, view_of
from ..render.vector import write_vector
from ..support.atomic import atomic_path, temporaries
from ..support.folders import confining_folder, folders_kept_only_if_used
from ..support.processes import die_with_parent, fork_is_safe, signals_held
from ..support.progress import Progress
from ..trust.guard import guarded
from ..trust.names import is_data
from ..writers import Format, FrameWriter, WriteTarget, get_format, infer_format
from ..writers.html import fragment
from ..writers.quantize import PaletteMapper, build_palette
from .limits import CheckedRender, check_render, useful_workers

if TYPE_CHECKING:
    from ..scene_protocol import SceneValue


def frame_delays(frames: int, fps: int, hold: float, pauses: Mapping[int, float] | None = None) -> list[int]:
    """Per-frame delays in hundredths of a second; the last one includes ``hold`` seconds, and frame ``i``
    of ``pauses`` its seconds.

    >>> frame_delays(4, 30, 0.5)
    [3, 4, 3, 53]
    >>> frame_delays(4, 30, 0.5, {1: 1.0})
    [3, 104, 3, 53]
    """
    ends = [round(100 * (i + 1) / fps) for i in range(frames)]
    delays = [end - start for start, end in zip([0, *ends[:-1]], ends, strict=True)]
    delays[-1] += round(100 * hold)
    for index, seconds in (pauses or {}).items():
        delays[index] += round(100 * seconds)
    return delays


def view_moments(view: Any) -> list[Moment]:
    """The moments ``view`` shows (:mod:`trajectories.render.moments`); none for a view that names none."""
    moments = getattr(view, "moments", None)
    return list(moments()) if moments is not None else []


def animation_delays(scene: SceneValue, view: Any) -> list[int]:
    """Every frame's delay (hundredths of a second): the scene's fps, its last frame's hold and its pauses."""
    return frame_delays(len(view.steps_shown), scene.timing.fps, scene.timing.hold, held_frames(view_moments(view)))


@dataclass(frozen=True)
class RenderResult:
    """What a render wrote (``frames``: frames in the file; a GIF merges identical consecutive frames
    into one longer frame). In Jupyter it shows itself as the animation."""

    path: Path
    format: str
    frames: int
    size: tuple[int, int]
    bytes: int
    seconds: float
    warnings: tuple[str, ...] = ()

    def _repr_html_(self) -> str:
        return _html_for(self.path.read_bytes(), self.format, self.size)


def _html_for(data: bytes, fmt: str, size: tuple[int, int]) -> str:
    """How a notebook shows a rendered file: as its format's ``shown_as`` says (the format registry's media
    type), or a line naming the format when a page cannot show it inline (pdf)."""
    shown = get_format(fmt)
    if shown.shown_as == "player":  # the player, without the document around it
        return fragment(data.decode("utf-8"))
    encoded = f"data:{shown.mime};base64,{base64.b64encode(data).decode()}"
    if shown.shown_as == "video":
        return f'<video width="{size[0]}" controls loop autoplay src="{encoded}"></video>'
    if shown.shown_as == "image":
        return f'<img width="{size[0]}" src="{encoded}"/>'
    return f"<p>a {shown.name} file of {len(data):,} bytes ({shown.mime}): a page cannot show it inline</p>"


NOTEBOOK_PLAYER_FRAMES = 500
"""A scene with more frames than this shows in a notebook as the HTML player (``--format html``), with
play/pause and a scrubber, rather than a GIF: 25 s at the default 20 fps, longer than any built-in scene
(the longest, ``fig5_ewa``, has 313), and past what one watches without pausing or finding a step."""


def html_preview(scene: SceneValue) -> str:
    """A scene rendered to a temporary GIF (or, past :data:`NOTEBOOK_PLAYER_FRAMES` frames, the HTML
    player), as HTML (for Jupyter)."""
    player = scene.frame_count > NOTEBOOK_PLAYER_FRAMES
    with tempfile.TemporaryDirectory() as folder:
        result = render_scene(scene, Path(folder) / f"{scene.name}.{'html' if player else 'gif'}", quiet=True)
        return result._repr_html_()


def default_path(scene: SceneValue, fmt: Format, out_dir: str | Path = "output") -> Path:
    """``out_dir/<scene name><the format's extension>``."""
    return Path(out_dir) / f"{scene.name}{fmt.extension}"




def render_scene(
    scene: SceneValue,
    path: str | Path | None = None,
    *,
    format: str | None = None,
    paths_json: str | Path | None = None,
    quiet: bool = True,
    jobs: int = 1,
    text: bool = True,
    sample: int | None = None,
    colors: int = 255,
    client: Any = None,
) -> RenderResult:
    """Render ``scene`` to ``path`` (default ``output/<name>.<ext>``) atomically.

    Args:
        scene: any scene kind (:mod:`trajectories.scene`).
        path: the output file; missing folders are made (and removed again if the render fails).
        format: a registered format (:mod:`trajectories.writers`: ``gif``, ``png`` (the final frame),
            ``apng``, ``webp``, ``mp4``); default from the file name, else GIF.
        paths_json: also write the computed paths as JSON here (the ``trajectories run`` schema; panels side
            by side: one such document per panel).
        quiet: no progress bar.
        jobs: processes drawing frames, for views whose frames are full redraws (3-D); the output is the
            same bytes whatever the number.
        text: draw text (titles, labels, ticks, legend entries, counters); ``False`` keeps every shape
            (legend frames and handles included) but no glyph, for snapshot tests across machines whose
            fonts rasterise differently.
        colors: the size of the GIF's global palette (2 to 255; fewer colours, smaller files).
        sample: render only this many frames, spread evenly over the animation, each lasting as long as
            the frames it stands for (previews and snapshot tests).
        client: a ``dask.distributed.Client``: the basins view's paths are reduced on its cluster
            (:mod:`trajectories.compute.distributed`), the same numbers and bytes as here.

    Before any work, the frame count (at most :data:`trajectories.pipeline.limits.MAX_FRAMES`) and the memory the
    render would need (:func:`trajectories.pipeline.limits.render_needs`: paths, frame buffers of every drawing
    process, the frames APNG and WebP keep) are checked: :class:`RenderError` with the estimate otherwise.
    """
    fmt = infer_format(path, format)
    if sample is not None and (isinstance(sample, bool) or not isinstance(sample, int) or sample < 1):
        raise RenderError(f"sample must be a whole number >= 1, got {sample!r}")
    if isinstance(colors, bool) or not isinstance(colors, int) or not 2 <= colors <= 255:
        raise RenderError(f"colors must be a whole number from 2 to 255, got {colors!r}")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise RenderError(f"jobs must be a whole number >= 1, got {jobs!r}")
    path = path if path is not None else default_path(scene, fmt)
    try:  # before any work, and before the default folder is made
        checked = check_render(scene, fmt, path, paths_json, jobs, sample)
    except RenderError:
        raise
    except ValueError as error:  # an output file that cannot be written
        raise RenderError(str(error)) from None
    return render_checked(checked, quiet=quiet, text=text, colors=colors, client=client)


def render_checked(checked: CheckedRender, *, quiet: bool = True, text: bool = True, colors: int = 255,
                   client: Any = None) -> RenderResult:
    """Render what :func:`trajectories.pipeline.limits.check_render` checked (the plan's files, or
    :func:`render_scene`'s), without checking it again; the other arguments as for :func:`render_scene`."""
    scene, fmt, path, paths_json, jobs = checked.scene, checked.fmt, checked.path, checked.paths_json, checked.jobs
    kind = view_of(scene)
    if client is not None and not kind.reduces:
        raise RenderError(f"{scene.name}: Dask computes the paths that the basins view reduces; the {kind.name} "
                          "view draws whole paths, computed here")
    began = time.perf_counter()
    outputs = [path, *([paths_json] if paths_json is not None else [])]
    with guarded(scene.source, outputs) if is_data(scene) else contextlib.nullcontext():  # a TOML scene: data
        frames, notes = _computed_and_written(scene, path, fmt, paths_json, quiet, jobs, text, checked.sample,
                                              colors, client, kind)
    return RenderResult(path, fmt.name, frames, scene.look.size, path.stat().st_size, time.perf_counter() - began,
                        notes)


def _computed_and_written(scene: SceneValue, path: Path, fmt: Format, paths_json: str | Path | None, quiet: bool,
                          jobs: int, text: bool, sample: int | None, colors: int, client: Any,
                          kind: Any) -> tuple[int, tuple[str, ...]]:
    """The paths computed, the frames drawn and written to ``path`` and the paths' JSON to ``paths_json``:
    the frames written and the warnings. The JSON is made before any file is written, so that a document
    that cannot be written (a non-finite number) leaves no animation behind either."""
    reducing = None
    if kind.reduces:  # a basin map's reduction can take minutes: its own progress, in starts
        passes = 1 if known_targets(scene.path_surface) else 2
        reducing = Progress(f"{scene.name} paths", passes * len(scene.optimizers) * len(scene.starts), "starts",
                            enabled=not quiet)
    computed = compute_paths(scene, jobs, client, reducing and reducing.advance) if kind.needs_paths else None
    document = to_json(computed.document()) if paths_json is not None and computed is not None else None
    view = make_view(scene, computed, text)
    folders = [path.parent, *([Path(paths_json).parent] if paths_json is not None else [])]
    confined = confining_folder(scene, path)
    try:
        with folders_kept_only_if_used(folders):
            with atomic_path(path, inside=confined) as temporary:
                frames = _encode(scene, computed, view, fmt, temporary, quiet, jobs, sample, colors, text)
                if document is not None:  # inside: a JSON that cannot be written leaves no animation either
                    with atomic_path(paths_json) as json_temporary:
                        json_temporary.write_text(document)
        return frames, chaos_warnings(computed, scene.look.size, jobs, client) + early_exit_warnings(computed)
    finally:
        view.close()


EARLY_EXIT = 0.05
"""A path that leaves the window for good within this share of its steps is warned of: the animation would
show it for a few frames and then nothing (a rate too large for the surface, or a window too small)."""


def early_exit_warnings(computed: ComputedPaths | None) -> tuple[str, ...]:
    """One line for each racer whose path (its first start that does) leaves the drawn window within the
    first :data:`EARLY_EXIT` of its steps and never comes back into it, for races of up to a few starts (a
    swarm's strays are its story). A path that overshoots and returns is drawn again once it is back, so it
    is not warned of (a tuned rate at the edge of divergence often does that)."""
    notes: list[str] = []
    for panel in computed.panels if isinstance(computed, ComputedPaths) else ():
        scene = panel.scene
        if len(scene.starts) > 3 or not panel.trajectories:
            continue
        x0, x1, y0, y1 = scene.plot_window
        for racer, trajectory in zip(scene.optimizers, panel.trajectories, strict=True):
            with np.errstate(invalid="ignore"):
                x, y = trajectory.positions[..., 0], trajectory.positions[..., 1]
                inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)  # False for a diverged (NaN) point
                outside = ~inside & np.isfinite(x) & np.isfinite(y)
            for start in range(outside.shape[1]):
                steps = np.flatnonzero(outside[:, start])
                if steps.size and steps[0] < EARLY_EXIT * trajectory.steps and not inside[steps[0]:, start].any():
                    notes.append(f"{scene.name}: the path of {racer.label!r} leaves the window at step {steps[0]} of "
                                 f"{trajectory.steps}, and the animation shows nothing of it after; try a smaller lr "
                                 "or a larger window")
                    break
    return tuple(notes)


def chaos_warnings(computed: ComputedPaths | None, size: tuple[int, int], jobs: int = 1,
                   client: Any = None) -> tuple[str, ...]:
    """One line for each drawn path whose steps go past its reproducibility horizon (a quarter pixel at
    ``size``), and for each basin map's racer whose starts end elsewhere when their last bits change, while
    the arithmetic is not the same on every CPU: frames that can differ between CPUs."""
    notes: list[str] = []
    for panel in computed.panels if isinstance(computed, ComputedPaths) else ():
        if panel.reductions and not panel.scene.reproducible_everywhere:
            for racer, changed in zip(panel.scene.optimizers, panel.changed_ends(jobs, client), strict=True):
                if changed.any():
                    notes.append(f"{panel.scene.name}: {int(np.count_nonzero(changed))} of the {changed.size} "
                                 f"starts of {racer.label!r} end at another target or step when their last bits "
                                 "change: the map can differ between CPUs; render it with --arithmetic portable "
                                 '(in a scene: arithmetic="portable") for the same bytes on every machine')
        elif not panel.scene.reproducible_everywhere:
            found = [path.warning() for path in panel.chaotic_paths(render_tolerance(size))]
            if len(found) > MANY_WARNINGS:  # a swarm: the first path, and how many more
                found = [*found[:1], f"{panel.scene.name}: {len(found) - 1} more of its paths are chaotic within "
                         "their steps too"]
            notes += found
    return tuple(notes)


MANY_WARNINGS = 3
"""With more chaotic paths than this in a panel (a swarm), the render warns of the first and counts the rest."""


# --- frames, drawn here or in forked workers ---------------------------------------------------------

_IN_WORKER: dict[str, Any] = {}
"""The state of a forked worker process (its view, or its batch of scenes); never set in the parent."""


def _frames(scene: SceneValue, computed: ComputedPaths | None, view: View, count: int, jobs: int, text: bool,
            known: dict[int, np.ndarray]) -> Iterator[np.ndarray]:
    """Frames 0..count-1 in order: drawn here, or by ``jobs`` forked processes for full-redraw views."""
    if jobs > 1 and is_parallel(scene) and count > 2 and fork_is_safe(scene):
        context = multiprocessing.get_context("fork")  # workers inherit the scene: no pickling of lambdas
        chunks = [range(start, min(start + 4, count)) for start in range(0, count, 4)]
        # a multiprocessing Pool, not an executor: leaving the block (an error, Ctrl-C, a signal) terminates
        # the workers at once instead of waiting for the frames still queued
        workers = min(jobs, len(chunks), useful_workers())
        with signals_held():  # the workers set their own signal dispositions before they take any
            pool = context.Pool(workers, initializer=_start_worker, initargs=(scene, computed, text))
        with pool:
            for block in pool.imap(_draw_frames, chunks):
                yield from block
        return
    for index in range(count):
        yield known[index] if index in known else view.frame(index)


def _start_worker(scene: SceneValue, computed: ComputedPaths | None, text: bool) -> None:
    die_with_parent()
    _IN_WORKER["view"] = make_view(scene, computed, text)


def _draw_frames(indices: range) -> list[np.ndarray]:
    view = _IN_WORKER["view"]
    return [view.frame(index) for index in indices]


def _open_writer(fmt: Format, file: Any, temporary: Path, scene: SceneValue, mapper: PaletteMapper | None,
                 steps: tuple[int, ...] = (), vector: Callable[[Any, str], None] | None = None) -> FrameWriter:
    return fmt.open(WriteTarget(file, temporary, scene.look.size, scene.timing.fps, mapper, steps, scene.name, vector))


def _encode(scene: SceneValue, computed: ComputedPaths | None, view: View, fmt: Format, temporary: Path, quiet: bool,
            jobs: int = 1, sample: int | None = None, colors: int = 255,
            text: bool = True) -> int:
    count = len(view.steps_shown)
    if sample is not None:
        sample = min(sample, count)
        picks = [round(i * (count - 1) / (sample - 1)) for i in range(sample)] if sample > 1 else [count - 1]
    else:
        picks = list(range(count))
    delays = animation_delays(scene, view)
    if fmt.still:  # the final frame alone
        picks = [count - 1]
    spans = [sum(delays[a:b]) for a, b in zip(picks, [*picks[1:], count], strict=True)]
    # the palette is chosen from frames spread over the animation: colours that only exist mid-way
    # (a dimmed batch, a path crossing a dark region) must have slots of their own
    if sample is not None or fmt.still:
        known = {index: view.frame(index) for index in picks}
        palette_frames = [known[index] for index in picks]
    else:
        samples = sorted({0, count // 3, (2 * count) // 3, count - 1})
        known = {index: view.frame(index) for index in samples}
        palette_frames = [known[index] for index in samples]
    paletted = fmt.paletted
    reserved = view.reserved_colors()
    mapper = PaletteMapper(build_palette(palette_frames, reserved, colors), exact=reserved) if paletted else None
    progress = Progress(scene.name, len(picks), "frames", enabled=not quiet and sample is None)
    with open(temporary, "wb") as file:
        steps = tuple(int(view.steps_shown[index]) for index in picks)
        def vector(target: Any, name: str) -> None:  # svg, pdf: the final frame drawn by matplotlib's backend
            write_vector(view, count - 1, target, name, text)

        if sample is not None or fmt.still:
            frames: Iterator[np.ndarray] = (known[index] for index in picks)
        else:
            frames = _frames(scene, computed, view, count, jobs, text, known)
        try:
            # finished on leaving, or aborted: a helper process lets go of the file before it is removed
            with _open_writer(fmt, file, temporary, scene, mapper, steps, vector) as writer:
                for done, (frame, delay) in enumerate(zip(frames, spans, strict=True), start=1):
                    writer.add(frame, delay)
                    progress(done)
        except BaseException:
            progress.close()
            raise
    return len(picks) if writer.frames_written is None else writer.frames_written  # GIF merges identical frames


def render_many(renders: Sequence[CheckedRender], quiet: bool = True,
                finished: Callable[[RenderResult], None] | None = None, **options: Any) -> list[RenderResult]:
    """Render what the plan checked (:func:`trajectories.pipeline.limits.check_render`): views with full-redraw frames
    one at a time with their ``jobs`` processes each, the others ``jobs`` scenes at a time, one process each.
    Results come back in the order given; ``finished(result)`` hears of each file as soon as it is written (in
    the order they finish); ``options`` as for :func:`render_checked`."""
    jobs = max((checked.jobs for checked in renders), default=1)
    results: dict[int, RenderResult] = {}
    told = finished if finished is not None else (lambda result: None)
    alone = [i for i, checked in enumerate(renders) if jobs == 1 or is_parallel(checked.scene)]
    together = [i for i in range(len(renders)) if i not in alone]
    one_each = {i: dataclasses.replace(renders[i], jobs=1) for i in together}  # fewer jobs: less memory
    for i in alone:
        results[i] = render_checked(renders[i], quiet=quiet, **options)
        told(results[i])
    if together and not fork_is_safe(*(renders[i].scene for i in together)):  # no fork here, or JAX runs
        for i in together:
            results[i] = render_checked(one_each[i], quiet=quiet, **options)
            told(results[i])
    elif together:
        batch = [(one_each[i], options) for i in together]
        context = multiprocessing.get_context("fork")  # the batch is inherited, not pickled
        began = time.time()
        try:
            with signals_held():
                pool = context.Pool(min(jobs, len(together), useful_workers()), initializer=_start_batch,
                                    initargs=(batch,))
            with pool:
                for k, result in pool.imap_unordered(_render_one, range(len(together)), chunksize=1):
                    results[together[k]] = result
                    told(result)
        except BaseException:  # the pool's workers were killed mid-write (SIGTERM): their temporaries go here
            for i in together:
                for temporary in temporaries(renders[i].path, began):
                    with contextlib.suppress(OSError):
                        temporary.unlink()
            raise
    return [results[i] for i in range(len(renders))]


def _start_batch(batch: list) -> None:
    die_with_parent()
    _IN_WORKER["batch"] = batch


def _render_one(index: int) -> tuple[int, RenderResult]:
    checked, options = _IN_WORKER["batch"][index]
    return index, render_checked(checked, quiet=True, **options)
