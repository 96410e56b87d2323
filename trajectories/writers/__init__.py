"""Stage four of a render: writers, found by format name in one registry, the only list of formats.

A writer (a :class:`~trajectories.writers.base.FrameWriter`) is opened for one file and then given every
frame with its delay; as a context manager it finishes the file, or aborts it when the block fails::

    with get_format("gif").open(target) as writer:   # target: the file, its size, fps and palette
        for frame, delay in frames:                   # (H, W, 4) uint8 RGBA, hundredths of a second
            writer.add(frame, delay)

The pipeline (:mod:`trajectories.pipeline.stages`) writes to a temporary file and renames it into place, so a
writer never has to care about atomicity. To add a format, write a :class:`FrameWriter` and register a
:class:`Format` (see "Extending" in CONTRIBUTING.md)::

    register_format(Format("ppm", ".ppm", lambda target: PpmWriter(target.path), paletted=False))

>>> get_format("apng").extension, infer_format("clip.webp", None).name, infer_format("clip", None).name
('.png', 'webp', 'gif')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from ..errors import RegistryError, RenderError
from .apng import ApngWriter
from .base import FrameWriter
from .gif import GifWriter
from .html import HtmlWriter
from .mp4 import Mp4Writer, require_ffmpeg
from .pillow import StillWriter
from .quantize import PaletteMapper
from .vector import VectorWriter
from .webp import WebpWriter


@dataclass(frozen=True)
class WriteTarget:
    """What a writer is opened with: the (temporary) file, open for writing and at ``path``; the frame
    ``size`` (width, height); ``fps``; the animation's palette (``None`` for formats that are not
    paletted); the step each frame shows (``steps``, one per frame, when known) and a ``title``."""

    file: BinaryIO
    path: Path
    size: tuple[int, int]
    fps: int
    mapper: PaletteMapper | None
    steps: tuple[int, ...] = ()
    title: str = ""
    vector: Callable[[BinaryIO, str], None] | None = None


@dataclass(frozen=True)
class Format:
    """An output format: its ``name`` (``--format``), file ``extension``, how to ``open`` a writer, whether
    it needs the animation's palette (``paletted``), whether it is a ``still`` of the final frame, the file
    suffixes that select it, a ``check`` that raises :class:`RenderError` when an optional dependency
    is missing, and ``memory_per_pixel``: the bytes its writer holds per pixel of every frame until the file
    is finished (0 for a writer that streams frames to the file); the pipeline refuses, before any work, a
    render whose frames would pass the memory budget (:mod:`trajectories.pipeline.limits`). ``mime`` is its media type
    and ``shown_as`` how a page shows it inline (a notebook's output, the Sphinx directive): ``"image"``
    (``<img>``), ``"video"`` (``<video>``), ``"player"`` (the HTML player's own markup) or ``None``: not
    inline (a notebook shows a line naming the file; the directive does not offer the format). ``vector``:
    the format is drawn as vector shapes by the views that can (``trajectories.render.vector``)."""

    name: str
    extension: str
    open: Callable[[WriteTarget], FrameWriter]
    paletted: bool = True
    still: bool = False
    suffixes: tuple[str, ...] = ()
    check: Callable[[], None] | None = None
    memory_per_pixel: float = 0.0
    mime: str = "application/octet-stream"
    shown_as: Literal["image", "video", "player"] | None = None
    vector: bool = False


FORMATS: dict[str, Format] = {}
DEFAULT_FORMAT = "gif"


def register_format(fmt: Format) -> None:
    """Add ``fmt`` to the registry; :class:`ValueError` if its name is taken."""
    if fmt.name in FORMATS:
        raise RegistryError(f"a format called {fmt.name!r} is already registered")
    FORMATS[fmt.name] = fmt


def unregister_format(name: str) -> None:
    """Forget the format called ``name`` (tests, plugins reloading); :class:`KeyError` if there is none."""
    del FORMATS[name]


def format_names() -> tuple[str, ...]:
    """Every registered format's name, in registration order."""
    return tuple(FORMATS)


def get_format(name: str) -> Format:
    """The format called ``name``, its dependencies checked; :class:`RenderError` otherwise."""
    if name not in FORMATS:
        raise RenderError(f"unknown format {name!r} (known: {', '.join(FORMATS)})")
    fmt = FORMATS[name]
    if fmt.check is not None:
        fmt.check()
    return fmt


def page_format_names() -> tuple[str, ...]:
    """The formats a page can show inline (``shown_as`` set): the Sphinx directive's ``:format:`` choices."""
    return tuple(name for name, fmt in FORMATS.items() if fmt.shown_as is not None)


def vector_format_names() -> tuple[str, ...]:
    """The formats drawn as vector shapes (``vector``: svg, pdf)."""
    return tuple(name for name, fmt in FORMATS.items() if fmt.vector)


def suffix_list() -> str:
    """``"gif (.gif), png (.png), ..."``: every format and the file names that select it."""
    return ", ".join(f"{fmt.name} ({', '.join(fmt.suffixes or (fmt.extension,))})" for fmt in FORMATS.values())


def infer_format(path: str | Path | None, name: str | None) -> Format:
    """``name``'s format if given, else the one whose suffix ``path`` has, else GIF (a name without a
    suffix). :class:`RenderError` for a suffix no format has (``out.jpg`` must not hold GIF bytes), or one
    that names another format than ``name`` (``--format gif -o out.pdf``)."""
    suffix = Path(path).suffix.lower() if path is not None else ""
    named = next((fmt.name for fmt in FORMATS.values() if suffix in fmt.suffixes), None)
    if name is not None:
        fmt = get_format(name)
        if named is not None and named != name and suffix != fmt.extension:
            raise RenderError(f"{Path(path).name} is named as {named}, but the format asked for is {name}: "
                              f"name it {Path(path).stem}{fmt.extension}, or leave the format out")
        return fmt
    if suffix and named is None:
        raise RenderError(f"{Path(path).name}: no format writes {suffix} files; the formats: {suffix_list()}")
    return get_format(named or DEFAULT_FORMAT)


register_format(Format("gif", ".gif", lambda t: GifWriter(t.file, t.size, t.mapper), suffixes=(".gif",),
                       mime="image/gif", shown_as="image"))
register_format(Format("png", ".png", lambda t: StillWriter(t.path), paletted=False, still=True, suffixes=(".png",),
                       mime="image/png", shown_as="image"))
register_format(Format("apng", ".png", lambda t: ApngWriter(t.file, t.size, t.mapper), suffixes=(".apng",),
                       mime="image/apng", shown_as="image"))
register_format(Format("webp", ".webp", lambda t: WebpWriter(t.file, t.size, t.mapper), suffixes=(".webp",),
                       mime="image/webp", shown_as="image"))
register_format(Format("mp4", ".mp4", lambda t: Mp4Writer(t.path, t.fps), paletted=False, suffixes=(".mp4",),
                       check=require_ffmpeg, mime="video/mp4", shown_as="video"))
register_format(Format("html", ".html", lambda t: HtmlWriter(t.file, t.size, t.mapper, t.steps, t.title),
                       suffixes=(".html", ".htm"), mime="text/html", shown_as="player"))
register_format(Format("svg", ".svg", lambda t: VectorWriter(t, "svg"), paletted=False, still=True, suffixes=(".svg",),
                       mime="image/svg+xml", shown_as="image", vector=True))
register_format(Format("pdf", ".pdf", lambda t: VectorWriter(t, "pdf"), paletted=False, still=True, suffixes=(".pdf",),
                       mime="application/pdf", vector=True))
