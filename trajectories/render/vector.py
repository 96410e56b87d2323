"""Vector stills (``svg``, ``pdf``): a view's final frame drawn by matplotlib's own SVG or PDF backend, from
the same figure the frames come from, with text kept as text (selectable, searchable, editable).

Frames are pixels: blitting draws the still part once and the moving artists over it, and text is pasted
as sprites. A vector still puts every one of those back as a real artist of the figure for one draw:

- animated artists (paths, heads, loss curves, panels) are set to the frame and drawn like the rest;
- what a frame pastes as sprites (the legend inside the plot, the step counter, exit marks and labels)
  is added to the figure as the artists the sprites were captured from;
- the swarm view's dots, stamped into pixels, become one scatter per optimizer.

The figure is left as it was afterwards, so frames drawn later are the same pixels. Text goes out as
``<text>`` in SVG (``svg.fonttype: none``) and as an embedded TrueType font in PDF (``pdf.fonttype: 42``);
the files carry no date and fixed ids, so the same scene gives the same bytes. The basins view draws its
cells as pixels and has no vector form: a still of it is ``png``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, IdentityTransform

from ..errors import RenderError

"""The built-in views with a vector form (a view registered elsewhere has none: its still is ``png``)."""
SETTINGS = {"svg.fonttype": "none", "pdf.fonttype": 42, "svg.hashsalt": "trajectories", "svg.id": None}
METADATA = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}}


def write_vector(view: Any, index: int, file: BinaryIO, fmt: str, text: bool = True) -> None:
    """Write frame ``index`` of ``view`` to ``file`` as ``fmt`` (``svg`` or ``pdf``); ``text`` false leaves
    every text artist out (as ``--no-text`` does for frames). :class:`RenderError` for a view with no
    vector form."""
    prepare = _PREPARERS.get(type(view).__name__)
    if prepare is None or fmt not in METADATA:
        kind = getattr(getattr(view, "scene", None), "view", type(view).__name__)
        raise RenderError(f"the {kind} view draws pixels, not shapes: it has no {fmt} form; use png for a still")
    with prepare(view, index) as figure, _without_text(figure, not text), _pixels_in_inches(figure), \
            matplotlib.rc_context(SETTINGS):
        figure.savefig(file, format=fmt, metadata=METADATA[fmt], facecolor=figure.get_facecolor())


@contextlib.contextmanager
def _pixels_in_inches(figure: Figure) -> Iterator[None]:
    """Artists placed in pixels of the frame (the legend's, laid out without measuring text) placed in inches
    instead while the figure is saved: SVG and PDF draw at 72 units an inch, not at the frame's dpi."""
    placed = [a for a in figure.findobj() if isinstance(a.get_transform(), IdentityTransform)]
    inches = Affine2D().scale(1 / figure.dpi) + figure.dpi_scale_trans
    for artist in placed:
        artist.set_transform(inches)
    try:
        yield
    finally:
        for artist in placed:
            artist.set_transform(IdentityTransform())


@contextlib.contextmanager
def _without_text(figure: Figure, hide: bool) -> Iterator[None]:
    hidden = [t for t in figure.findobj(Text) if t.get_visible()] if hide else []
    for t in hidden:
        t.set_visible(False)
    try:
        yield
    finally:
        for t in hidden:
            t.set_visible(True)


@contextlib.contextmanager
def _still(figure: Figure, added: list, moving: list | None = None) -> Iterator[Figure]:
    """``figure`` with every animated artist drawn as usual and the ``added`` artists in it; afterwards the
    animated artists are animated again and the added ones gone."""
    animated = [a for a in figure.findobj() if a.get_animated()] if moving is None else moving
    for artist in animated:
        artist.set_animated(False)
    try:
        yield figure
    finally:
        for artist in animated:
            artist.set_animated(True)
        for artist in added:
            artist.remove()


def _contour(view: Any, index: int) -> contextlib.AbstractContextManager[Figure]:
    """The contour view (and the swarm view's background, legend and counter) as artists."""
    view.update(index)
    added: list = []
    if view.legend_inside:
        added += view.make_inside_legend()
    if view.text and hasattr(view.counter, "make_text"):
        counter = view.counter
        step = view.timeline.values[index]
        added.append(counter.make_text(f"{counter.prefix}{str(step).rjust(counter.places)}/{view.timeline.total}"))
    racer_steps = view.timeline.steps[index]
    for i, j in getattr(view, "exit_order", ()):
        exit_, artists = view.exits[i][j]
        if exit_ is not None and racer_steps[i] >= exit_.step:
            for artist in artists:  # the mark (and label) the sprites were captured from, removed since
                (view.axes.add_line if hasattr(artist, "get_xydata") else view.axes.add_artist)(artist)
                artist.set_animated(True)
                added.append(artist)
    return _still(view.figure, added)


def _swarm(view: Any, index: int) -> contextlib.AbstractContextManager[Figure]:
    """The swarm view: each optimizer's dots (and trails) as one scatter in its own panel, at the pixel sizes
    frames stamp, with the loss panel and the step counter as the frame has them."""
    view.update(index)
    added: list = []
    if view.text and hasattr(view.counter, "make_text"):
        counter = view.counter
        step = view.timeline.values[index]
        added.append(counter.make_text(f"{counter.prefix}{str(step).rjust(counter.places)}/{view.timeline.total}"))
    scale = 72 / view.scene.look.dpi  # points per pixel
    tail = view.scene.trail_spec.tail if view.scene.trail_spec.trail in ("tail", "fade") else 0
    diameter = int(np.ptp(view.offsets[:, 0])) + 1
    for racer, (axes, step) in enumerate(zip(view.plots, view.timeline.steps[index], strict=True)):
        color = view.colors[racer]
        for back in range(min(tail, step), 0, -1):  # oldest first, as frames stamp them
            weight = 0.5 if view.scene.trail_spec.trail == "tail" else 0.5 * (tail + 1 - back) / (tail + 1)
            points = view.positions(racer, step - back)
            added.append(axes.scatter(points[:, 0], points[:, 1], s=scale**2, c=color, alpha=weight,
                                      linewidths=0, zorder=5))
        points = view.positions(racer, step)
        added.append(axes.scatter(points[:, 0], points[:, 1], s=(diameter * scale) ** 2, c=color, linewidths=0,
                                  zorder=6))
    return _still(view.figure, added)


def _redrawn(view: Any, index: int) -> contextlib.AbstractContextManager[Figure]:
    """Views whose frames are full redraws (3-D): the figure set to the frame is the still."""
    view.update(index)
    return _still(view.figure, [], moving=[])


def _averages(view: Any, index: int) -> contextlib.AbstractContextManager[Figure]:
    """Figure 5: the averages' curves as far as frame ``index`` shows them."""
    view.frame(index)  # sets the curves' segments
    return _still(view.figure, [])


_PREPARERS: dict[str, Callable[[Any, int], contextlib.AbstractContextManager[Figure]]] = {
    "ContourView": _contour,
    "SwarmView": _swarm,
    "SurfaceView": _redrawn,
    "AveragesView": _averages,
    "BatchDiagramView": _averages,  # its frame sets the cells and the status line
}
"""How each built-in view becomes a still (by class name: the views need not import this module)."""
