"""Frames -> files: timing, one global palette, streamed GIF, the writer registry, atomic output.

GIF is written by us frame by frame (the container is a few fixed byte layouts; Pillow's public
``GifImagePlugin.getdata`` does each frame's LZW data), so memory does not grow with the frame count:

- **One palette for the whole animation**, chosen once from the first and last frames (median cut) plus
  exact slots for the colours that must not drift (the optimizers', text, background). Every frame is
  mapped to it without dithering, so colours never flicker and a red marker stays red.
- **Only what changed is stored**: each frame after the first is cropped to the rectangle that differs
  from the previous frame, and unchanged pixels inside it become the transparent index (disposal "leave
  in place"). A frame identical to the previous one only lengthens the previous delay.
- **Exact timing**: GIF delays are hundredths of a second. Frame ``i`` ends at ``round(100 i / fps)``, so
  fps dividing 100 (10, 20, 25, 50) is exact and others are exact on average; ``hold`` extends the last.
"""

from __future__ import annotations

import base64
import contextlib
import io
import multiprocessing
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import numpy as np
from PIL import GifImagePlugin, Image

from .atomic import atomic_path, check_writable
from .export import run_document, scene_records, to_json

FORMATS = ("gif", "png", "apng", "webp", "mp4")
EXTENSIONS = {"gif": ".gif", "png": ".png", "apng": ".png", "webp": ".webp", "mp4": ".mp4"}
MP4_MISSING = "mp4 needs the optional imageio-ffmpeg package: pip install 'trajectories[mp4]'"
TRANSPARENT = 255  # palette index reserved for "unchanged" pixels; colours use 0..254


class RenderError(ValueError):
    """A render that cannot be done as asked; one line."""


def frame_delays(frames: int, fps: int, hold: float) -> list[int]:
    """Per-frame delays in hundredths of a second; the last one includes ``hold`` seconds."""
    ends = [round(100 * (i + 1) / fps) for i in range(frames)]
    delays = [end - start for start, end in zip([0, *ends[:-1]], ends, strict=True)]
    delays[-1] += round(100 * hold)
    return delays


# --- palette -------------------------------------------------------------------------------------------


def build_palette(samples: list[np.ndarray], reserved: list[tuple[int, int, int]], size: int = 255) -> np.ndarray:
    """``(n, 3)`` uint8 colours, ``n <= size``: the ``reserved`` colours exactly, then a median cut of
    ``samples`` (frames stacked) for the rest."""
    exact = list(dict.fromkeys(tuple(int(v) for v in c) for c in reserved))[:size]
    if samples[0].shape[0] * samples[0].shape[1] > 200_000:  # a quarter of the pixels is plenty for
        samples = [frame[::2, ::2] for frame in samples]  # the median cut, at a third of the time
    stacked = Image.fromarray(np.ascontiguousarray(np.concatenate(samples, axis=0)[..., :3]))
    cut = stacked.quantize(size - len(exact), method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    used = np.unique(np.asarray(cut))
    cut_colors = np.array(cut.getpalette()[: 3 * (int(used.max()) + 1)], dtype=np.uint8).reshape(-1, 3)[used]
    colors = exact + [tuple(int(v) for v in c) for c in cut_colors if tuple(int(v) for v in c) not in exact]
    return np.array(colors[:size], dtype=np.uint8)


class PaletteMapper:
    """Maps RGB pixels to the nearest palette index (no dithering: the same pixel, the same index)."""

    def __init__(self, palette: np.ndarray) -> None:
        self.palette = palette
        self._image = Image.new("P", (1, 1))
        self._image.putpalette(palette.reshape(-1).tolist())

    def __call__(self, pixels: np.ndarray) -> np.ndarray:
        """Indices for ``(h, w, 3 or 4)`` uint8 pixels (alpha, if any, is ignored: frames are opaque)."""
        rgb = np.ascontiguousarray(pixels[..., :3])
        return np.asarray(Image.fromarray(rgb).quantize(palette=self._image, dither=Image.Dither.NONE))

    def to_rgb(self, indices: np.ndarray) -> np.ndarray:
        return self.palette[indices]


# --- writers -------------------------------------------------------------------------------------------


class FrameWriter(Protocol):
    """Setup in ``__init__``; then ``add(frame, delay)`` per frame (``(H, W, 4)`` uint8 RGBA, opaque;
    delays in hundredths of a second), then ``finish()``."""

    def add(self, frame: np.ndarray, delay: int) -> None: ...

    def finish(self) -> None: ...


class GifWriter:
    """A streamed GIF89a with a global palette, cropped frames and transparency; loops forever."""

    def __init__(self, file: BinaryIO, size: tuple[int, int], mapper: PaletteMapper) -> None:
        self.file, self.mapper = file, mapper
        width, height = size
        table = np.zeros((256, 3), dtype=np.uint8)
        table[: len(mapper.palette)] = mapper.palette
        # header, logical screen (global table of 2^(7+1) colours), the table, and NETSCAPE2.0 loop = 0
        file.write(b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0) + table.tobytes())
        file.write(b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", 0) + b"\x00")
        self._previous: np.ndarray | None = None
        self._pending: tuple[Image.Image, tuple[int, int], bool] | None = None
        self._pending_delay = 0
        self.frames_written = 0

    def add(self, frame: np.ndarray, delay: int) -> None:
        if self._previous is None:
            image = Image.fromarray(self.mapper(frame), mode="P")
            self._queue(image, (0, 0), False, delay)
        else:
            changed = frame.view(np.uint32)[..., 0] != self._previous.view(np.uint32)[..., 0]
            rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            if rows.size == 0:
                self._pending_delay += delay  # identical frame: show the previous one longer
                return
            top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
            indices = self.mapper(frame[top:bottom, left:right]).copy()
            indices[~changed[top:bottom, left:right]] = TRANSPARENT
            self._queue(Image.fromarray(indices, mode="P"), (int(left), int(top)), True, delay)
        self._previous = frame

    def _queue(self, image: Image.Image, offset: tuple[int, int], transparent: bool, delay: int) -> None:
        self._flush()
        self._pending, self._pending_delay = (image, offset, transparent), delay

    def _flush(self) -> None:
        if self._pending is None:
            return
        image, offset, transparent = self._pending
        params: dict[str, Any] = {"duration": 10 * self._pending_delay, "disposal": 1}
        if transparent:
            params["transparency"] = TRANSPARENT
        for chunk in GifImagePlugin.getdata(image, offset=offset, **params):
            self.file.write(chunk)
        self._pending = None
        self.frames_written += 1

    def finish(self) -> None:
        self._flush()
        self.file.write(b";")


class CollectingWriter:
    """Keeps palette-mapped frames (1 byte a pixel) and hands them to Pillow at the end (APNG, WebP)."""

    def __init__(self, path: Path, mapper: PaletteMapper, pillow_format: str, options: dict[str, Any]) -> None:
        self.path, self.mapper, self.format, self.options = path, mapper, pillow_format, options
        self.frames: list[np.ndarray] = []
        self.delays: list[int] = []

    def add(self, frame: np.ndarray, delay: int) -> None:
        self.frames.append(self.mapper(frame))
        self.delays.append(delay)

    def finish(self) -> None:
        images = (Image.fromarray(self.mapper.to_rgb(indices)) for indices in self.frames)
        first = next(images)
        first.save(
            self.path, format=self.format, save_all=True, append_images=list(images),
            duration=[10 * d for d in self.delays], loop=0, **self.options,
        )


class Mp4Writer:
    """H.264 through imageio-ffmpeg (the optional ``mp4`` extra); holds are repeated frames."""

    def __init__(self, path: Path, fps: int) -> None:
        try:
            import imageio.v2 as imageio
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            raise RenderError(MP4_MISSING) from None
        self.fps = fps
        self.writer = imageio.get_writer(
            str(path), format="FFMPEG", fps=fps, codec="libx264", pixelformat="yuv420p", macro_block_size=2,
            ffmpeg_log_level="error",
            output_params=["-threads", "1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-f", "mp4"],
        )

    def add(self, frame: np.ndarray, delay: int) -> None:
        repeats = max(1, round(delay * self.fps / 100))
        for _ in range(repeats):
            self.writer.append_data(frame[..., :3])

    def finish(self) -> None:
        self.writer.close()


# the writer registry: format name -> (open file, its path, scene, palette) -> FrameWriter
WRITERS: dict[str, Callable[[BinaryIO, Path, Any, PaletteMapper], FrameWriter]] = {
    "gif": lambda file, path, scene, mapper: GifWriter(file, scene.size, mapper),
    "apng": lambda file, path, scene, mapper: CollectingWriter(path, mapper, "PNG", {"default_image": False}),
    "webp": lambda file, path, scene, mapper: CollectingWriter(path, mapper, "WEBP", {"lossless": True, "method": 4}),
    "mp4": lambda file, path, scene, mapper: Mp4Writer(path, scene.fps),
}


def _make_writer(fmt: str, file: BinaryIO, temporary: Path, scene, mapper: PaletteMapper) -> FrameWriter:
    return WRITERS[fmt](file, temporary, scene, mapper)


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise RenderError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if fmt == "mp4":
        try:
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            raise RenderError(MP4_MISSING) from None
    return fmt


# --- rendering a scene ---------------------------------------------------------------------------------


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
    encoded = base64.b64encode(data).decode()
    if fmt == "mp4":
        return f'<video width="{size[0]}" controls loop autoplay src="data:video/mp4;base64,{encoded}"></video>'
    mime = {"gif": "image/gif", "webp": "image/webp"}.get(fmt, "image/png")
    return f'<img width="{size[0]}" src="data:{mime};base64,{encoded}"/>'


def html_preview(scene) -> str:
    """A scene rendered to an in-memory GIF, as HTML (for Jupyter)."""
    with tempfile.TemporaryDirectory() as folder:
        result = render_scene(scene, Path(folder) / f"{scene.name}.gif", quiet=True)
        return result._repr_html_()


def default_path(scene, fmt: str, out_dir: str | Path = "output") -> Path:
    return Path(out_dir) / f"{scene.name}{EXTENSIONS[fmt]}"


def infer_format(path: str | Path | None, fmt: str | None) -> str:
    if fmt is not None:
        return check_format(fmt)
    suffix = Path(path).suffix.lower() if path is not None else ""
    return check_format({".png": "png", ".apng": "apng", ".webp": "webp", ".mp4": "mp4"}.get(suffix, "gif"))


class Progress:
    """A one-line progress bar on stderr, shown only on a terminal and only once a render passes a second."""

    def __init__(self, label: str, total: int, enabled: bool) -> None:
        self.label, self.total = label, total
        self.enabled = enabled and sys.stderr.isatty()
        self.started = time.perf_counter()
        self.shown = False

    def __call__(self, done: int) -> None:
        if not self.enabled or (not self.shown and time.perf_counter() - self.started < 1.0):
            return
        self.shown = True
        filled = int(30 * done / self.total)
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{self.total} frames")
        if done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def render_scene(
    scene,
    path: str | Path | None = None,
    *,
    format: str | None = None,
    data: str | Path | None = None,
    quiet: bool = True,
    jobs: int = 1,
    text: bool = True,
    sample: int | None = None,
    colors: int = 255,
    writer_factory: Callable[..., FrameWriter] | None = None,
) -> RenderResult:
    """Render ``scene`` to ``path`` (default ``output/<name>.<ext>``) atomically.

    Args:
        scene: the :class:`~trajectories.scene.Scene`.
        path: the output file; its folder must exist (``output/`` is created when it is the default).
        format: ``gif`` (default), ``png`` (the final frame), ``apng``, ``webp`` or ``mp4``; default from
            the file name.
        data: also write the scene's trajectories as JSON (the ``trajectories run`` schema) here.
        quiet: no progress bar.
        jobs: processes drawing frames, for views whose frames are full redraws (3-D); the output is the
            same bytes whatever the number.
        text: draw text (titles, labels, ticks, legend entries, counters); ``False`` keeps every shape
            (legend frames and handles included) but no glyph, for snapshot tests across machines whose
            fonts rasterise differently.
        colors: the size of the GIF's global palette (2 to 255; fewer colours, smaller files).
        sample: render only this many frames, spread evenly over the animation, each lasting as long as
            the frames it stands for (previews and snapshot tests).
        writer_factory: ``(file, size, mapper) -> FrameWriter``, to replace the GIF writer (tests).
    """
    from .render import make_view
    from .scene import Scene

    fmt = infer_format(path, format)
    if data is not None and not (isinstance(scene, Scene)):
        raise RenderError(f"{scene.name}: --data exports the trajectories of a single-surface scene")
    if path is None:
        path = default_path(scene, fmt)
        path.parent.mkdir(parents=True, exist_ok=True)
    path = Path(path)
    try:
        check_writable(path)
        if data is not None:
            check_writable(data)
    except ValueError as error:
        raise RenderError(str(error)) from None
    if sample is not None and (isinstance(sample, bool) or not isinstance(sample, int) or sample < 1):
        raise RenderError(f"sample must be a whole number >= 1, got {sample!r}")
    if isinstance(colors, bool) or not isinstance(colors, int) or not 2 <= colors <= 255:
        raise RenderError(f"colors must be a whole number from 2 to 255, got {colors!r}")
    began = time.perf_counter()
    with _text_drawn(text):
        view = make_view(scene)
    try:
        with atomic_path(path) as temporary, _text_drawn(text):
            frames = _encode(scene, view, fmt, temporary, quiet, writer_factory, jobs, sample, colors)
        if data is not None:
            trajectories = view.trajectories
            document = run_document(scene.path_surface, scene_records(scene, trajectories), max(scene.racer_steps()),
                                    scene.gradient_source().describe())
            with atomic_path(data) as temporary:
                temporary.write_text(to_json(document))
        notes = chaos_warnings(view, scene.size)
    finally:
        view.close()
    return RenderResult(path, fmt, frames, scene.size, path.stat().st_size, time.perf_counter() - began, notes)


def chaos_warnings(view: Any, size: tuple[int, int]) -> tuple[str, ...]:
    """One line for each drawn path whose steps go past its reproducibility horizon (a quarter pixel at
    ``size``) while its arithmetic is not the same on every CPU: frames that can differ between CPUs."""
    from .horizon import render_tolerance

    notes: list[str] = []
    for scene, trajectories in getattr(view, "computed", list)():
        if not scene.reproducible_everywhere:
            notes += [path.warning() for path in scene.chaotic_paths(trajectories, render_tolerance(size))]
    return tuple(notes)


def _frames(scene, view, count: int, jobs: int, known: dict[int, np.ndarray]):
    """Frames 0..count-1 in order: drawn here, or by ``jobs`` forked processes for full-redraw views."""
    if jobs > 1 and view.parallel and count > 2 and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")  # workers inherit the scene: no pickling of lambdas
        chunks = [range(start, min(start + 4, count)) for start in range(0, count, 4)]
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker, initargs=(scene,)) as pool:
            for block in pool.map(_draw_frames, chunks):
                yield from block
        return
    for index in range(count):
        yield known[index] if index in known else view.frame(index)


_WORKER_VIEW: Any = None


def _start_worker(scene) -> None:
    global _WORKER_VIEW
    from .render import make_view

    _WORKER_VIEW = make_view(scene)


def _draw_frames(indices: range) -> list[np.ndarray]:
    return [_WORKER_VIEW.frame(index) for index in indices]


@contextlib.contextmanager
def _text_drawn(text: bool):
    """With ``text`` false, matplotlib draws no text while the block runs (like ``remove_text`` in
    matplotlib's own image tests); everything else is drawn as usual."""
    if text:
        yield
        return
    from matplotlib.text import Text

    from .render import _TEXT

    original = Text.draw
    Text.draw = lambda self, renderer: None
    _TEXT[0] = False
    try:
        yield
    finally:
        Text.draw = original
        _TEXT[0] = True


def _encode(scene, view, fmt: str, temporary: Path, quiet: bool, writer_factory, jobs: int = 1,
            sample: int | None = None, colors: int = 255) -> int:
    if sample is not None:
        return _encode_sample(scene, view, fmt, temporary, writer_factory, sample, colors)
    count = len(view.steps_shown)
    if fmt == "png":
        final = np.ascontiguousarray(view.frame(count - 1)[..., :3])
        Image.fromarray(final).save(temporary, format="PNG", optimize=True)
        return 1
    # the palette is chosen from frames spread over the animation: colours that only exist mid-way
    # (a dimmed batch, a path crossing a dark region) must have slots of their own
    samples = sorted({0, count // 3, (2 * count) // 3, count - 1})
    known = {index: view.frame(index) for index in samples}
    mapper = PaletteMapper(build_palette([known[i] for i in samples], view.reserved_colors(), colors))
    delays = frame_delays(count, scene.fps, scene.hold)
    progress = Progress(scene.name, count, not quiet)
    with open(temporary, "wb") as file:
        writer = (writer_factory(file, scene.size, mapper) if writer_factory is not None
                  else _make_writer(fmt, file, temporary, scene, mapper))
        for index, frame in enumerate(_frames(scene, view, count, jobs, known)):
            writer.add(frame, delays[index])
            progress(index + 1)
        writer.finish()
    return getattr(writer, "frames_written", count)  # GIF merges identical consecutive frames


def _encode_sample(scene, view, fmt: str, temporary: Path, writer_factory, sample: int, colors: int) -> int:
    """A few frames spread evenly over the animation (always the first and the last)."""
    count = len(view.steps_shown)
    sample = min(sample, count)
    picks = [round(i * (count - 1) / (sample - 1)) for i in range(sample)] if sample > 1 else [count - 1]
    delays = frame_delays(count, scene.fps, scene.hold)
    spans = [sum(delays[a:b]) for a, b in zip(picks, [*picks[1:], count], strict=True)]
    frames = [view.frame(index) for index in picks]
    if fmt == "png":
        Image.fromarray(np.ascontiguousarray(frames[-1][..., :3])).save(temporary, format="PNG", optimize=True)
        return 1
    mapper = PaletteMapper(build_palette(frames, view.reserved_colors(), colors))
    with open(temporary, "wb") as file:
        writer = (writer_factory(file, scene.size, mapper) if writer_factory is not None
                  else _make_writer(fmt, file, temporary, scene, mapper))
        for frame, delay in zip(frames, spans, strict=True):
            writer.add(frame, delay)
        writer.finish()
    return getattr(writer, "frames_written", len(frames))


def render_many(
    scenes: list, targets: list[Path], formats: str | list[str], jobs: int, quiet: bool = True, **options: Any
) -> list[RenderResult]:
    """Render ``scenes`` to ``targets``: views with full-redraw frames one at a time with ``jobs``
    processes each, the others ``jobs`` scenes at a time. Results come back in the order given."""
    from .render import is_parallel

    formats = [formats] * len(scenes) if isinstance(formats, str) else list(formats)
    results: dict[int, RenderResult] = {}
    alone = [i for i, scene in enumerate(scenes) if jobs == 1 or is_parallel(scene)]
    together = [i for i in range(len(scenes)) if i not in alone]
    for i in alone:
        results[i] = render_scene(scenes[i], targets[i], format=formats[i], quiet=quiet, jobs=jobs, **options)
    if together and "fork" not in multiprocessing.get_all_start_methods():
        for i in together:
            results[i] = render_scene(scenes[i], targets[i], format=formats[i], quiet=quiet, **options)
    elif together:
        global _BATCH
        _BATCH = [(scenes[i], targets[i], formats[i], options) for i in together]
        context = multiprocessing.get_context("fork")
        try:
            with ProcessPoolExecutor(min(jobs, len(together)), mp_context=context) as pool:
                for i, result in zip(together, pool.map(_render_one, range(len(together))), strict=True):
                    results[i] = result
        finally:
            _BATCH = []
    return [results[i] for i in range(len(scenes))]


_BATCH: list = []


def _render_one(index: int) -> RenderResult:
    scene, target, fmt, options = _BATCH[index]
    return render_scene(scene, target, format=fmt, quiet=True, **options)


def encode_to_bytes(frames: list[np.ndarray], delays: list[int], reserved: list[tuple[int, int, int]]) -> bytes:
    """Encode ``frames`` as a GIF in memory (tests and tools)."""
    mapper = PaletteMapper(build_palette([frames[0], frames[-1]], reserved))
    buffer = io.BytesIO()
    writer = GifWriter(buffer, (frames[0].shape[1], frames[0].shape[0]), mapper)
    for frame, delay in zip(frames, delays, strict=True):
        writer.add(frame, delay)
    writer.finish()
    return buffer.getvalue()
