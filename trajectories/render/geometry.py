"""What a frame is made of, as a view draws it: its plot areas, the marks and paths in them, and its text.

A view's ``geometry(index)`` describes frame ``index`` in these values, read from its own matplotlib
artists and sprites (display extents, font sizes, line widths), without drawing the frame:
:mod:`trajectories.pipeline.frame_check` checks them (nothing outside the axes, no path after its exit, capped
widths, text that fits and overlaps nothing). Every position is in pixels of the frame, ``(column,
row)`` from its top left corner, as in the frame's array; a box is ``(left, top, right, bottom)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.transforms import Bbox

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Area:
    """A rectangle of the frame with a job: ``plot`` holds the racers' marks and paths (they must stay
    inside it), ``panel`` a side panel (loss, learning rate, state)."""

    name: str
    box: Box
    kind: str = "plot"


@dataclass(frozen=True)
class Mark:
    """A round mark a racer is seen by: its ``head``, a ``ring`` (a head the 3-D surface hides) or its
    ``exit`` mark, centred at ``center`` with ``radius`` pixels, in area ``area``; ``racer`` is the
    racer's index (panels side by side: counted on from the left panel's)."""

    what: str
    kind: str
    center: tuple[float, float]
    radius: float
    area: int
    racer: int


@dataclass(frozen=True)
class Dots:
    """Many small marks of one racer at once (a swarm): ``centers`` ``(n, 2)``, each ``radius`` pixels."""

    what: str
    centers: np.ndarray
    radius: float
    area: int


@dataclass(frozen=True)
class Stroke:
    """A path as drawn: its vertices ``points`` ``(n, 2)``, ``width`` pixels wide where a lone path is
    ``base``; strokes are listed in drawing order (later ones on top)."""

    what: str
    points: np.ndarray
    width: float
    base: float
    area: int
    racer: int


@dataclass(frozen=True)
class TextBox:
    """A block of text: titles, labels, tick labels, a legend, a counter; ``size`` is its font size in
    pixels (the em: points × dpi / 72)."""

    what: str
    box: Box
    size: float


@dataclass(frozen=True)
class FrameGeometry:
    """Frame ``index`` of an animation ``size`` pixels wide and high, as its view draws it. ``cameras``:
    each 3-D panel's ``(elevation, azimuth)`` in degrees (empty in 2-D)."""

    index: int
    size: tuple[int, int]
    areas: tuple[Area, ...] = ()
    marks: tuple[Mark, ...] = ()
    strokes: tuple[Stroke, ...] = ()
    texts: tuple[TextBox, ...] = ()
    dots: tuple[Dots, ...] = ()
    cameras: tuple[tuple[float, float], ...] = field(default=())


def frame_box(extent: Bbox, figure: Any) -> Box:
    """A display box (origin bottom left, y up) as ``(left, top, right, bottom)`` of the frame."""
    height = figure.bbox.height
    return (float(extent.x0), float(height - extent.y1), float(extent.x1), float(height - extent.y0))


def frame_points(display: np.ndarray, figure: Any) -> np.ndarray:
    """Display points ``(n, 2)`` as ``(column, row)`` of the frame."""
    points = np.array(display, dtype=float).reshape(-1, 2)
    points[:, 1] = figure.bbox.height - points[:, 1]
    return points


def pixels_per_point(figure: Any) -> float:
    return figure.dpi / 72


def text_box(text: Text, renderer: Any, figure: Any, what: str | None = None) -> TextBox | None:
    """A visible, non-empty text artist as a :class:`TextBox` (``None`` otherwise)."""
    if not text.get_visible() or not text.get_text().strip():
        return None
    return TextBox(what or f"text {text.get_text()!r}", frame_box(text.get_window_extent(renderer), figure),
                   text.get_fontsize() * pixels_per_point(figure))


def _in_view(axis: Any, location: float) -> bool:
    low, high = sorted(axis.get_view_interval())
    if axis.axes.name == "3d":
        return False  # 3-D tick labels are never drawn (the views leave them out)
    scale = axis.get_scale()
    if scale == "log":
        if location <= 0 or low <= 0:
            return False
        low, high, location = np.log10(low), np.log10(high), np.log10(location)
    spare = 1e-9 * max(high - low, 1e-300)
    return low - spare <= location <= high + spare


def tick_label_boxes(axes: Any, renderer: Any, figure: Any, name: str) -> list[TextBox]:
    """The tick labels ``axes`` shows (major and minor, within the view limits), and its offset texts."""
    found = []
    for letter, axis in (("x", axes.xaxis), ("y", axes.yaxis)):
        for ticks in (axis.get_major_ticks(), axis.get_minor_ticks()):
            for tick in ticks:
                if not tick.get_visible() or not _in_view(axis, tick.get_loc()):
                    continue
                for label in (tick.label1, tick.label2):
                    if label.get_visible():
                        box = text_box(label, renderer, figure, f"{name} {letter} tick label {label.get_text()!r}")
                        if box is not None:
                            found.append(box)
        offset = text_box(axis.get_offset_text(), renderer, figure, f"{name} {letter} offset")
        if offset is not None:
            found.append(offset)
    return found


def axes_text_boxes(axes: Any, renderer: Any, figure: Any, name: str) -> list[TextBox]:
    """Everything ``axes`` writes: titles, axis labels, tick labels, texts placed in it and its legend
    (as one box)."""
    found = [text_box(t, renderer, figure, f"{name} title") for t in (axes.title, axes._left_title,
                                                                          axes._right_title)]
    axis_names = ("x", "y", "z") if axes.name == "3d" else ("x", "y")
    found += [text_box(getattr(axes, f"{letter}axis").label, renderer, figure, f"{name} {letter} label")
              for letter in axis_names]
    found += [text_box(t, renderer, figure, f"{name} text {t.get_text()!r}") for t in axes.texts
              if not t.get_animated()]
    found += tick_label_boxes(axes, renderer, figure, name)
    legend = axes.get_legend()
    if legend is not None and legend.get_visible():
        found.append(legend_box(legend, renderer, figure, f"{name} legend"))
    return [box for box in found if box is not None]


def legend_box(legend: Legend, renderer: Any, figure: Any, what: str) -> TextBox:
    sizes = [t.get_fontsize() for t in legend.get_texts()] or [0.0]
    return TextBox(what, frame_box(legend.get_window_extent(renderer), figure), min(sizes) * pixels_per_point(figure))


def figure_text_boxes(figure: Any, renderer: Any) -> list[TextBox]:
    """The figure's own texts (titles, captions) and text artists added to it (a legend strip)."""
    found = [text_box(t, renderer, figure, f"figure text {t.get_text()!r}") for t in figure.texts]
    found += [text_box(a, renderer, figure, f"figure text {a.get_text()!r}") for a in figure.artists
              if isinstance(a, Text)]
    found += [legend_box(legend, renderer, figure, "figure legend") for legend in figure.legends]
    return [box for box in found if box is not None]
