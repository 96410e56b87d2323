"""What every view does to set up and read its frames: a figure of a fixed pixel size on an Agg canvas,
a blitting background (:class:`Backdrop`), and the frame as an ``(H, W, 4)`` uint8 array.

Text is left out *per canvas*, not by patching matplotlib: a canvas made with ``text=False`` draws through
a renderer whose text primitives draw nothing, so every shape (legend frames and handles, boxes) is drawn
as usual and no glyph is. That keeps snapshot tests independent of how fonts rasterise on a machine
(the idea of ``remove_text`` in matplotlib's own image tests), with nothing changed for any other figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure


class _TextlessRenderer(RendererAgg):
    """Agg, drawing no text (plain, mathtext or TeX)."""

    def draw_text(self, gc: Any, x: float, y: float, s: str, prop: Any, angle: float, ismath: Any = False,
                  mtext: Any = None) -> None:
        return None

    def draw_tex(self, gc: Any, x: float, y: float, s: str, prop: Any, angle: float, *, mtext: Any = None) -> None:
        return None


class TextlessCanvas(FigureCanvasAgg):
    """An Agg canvas whose renderer draws every artist but text."""

    def get_renderer(self) -> RendererAgg:
        width, height = self.get_width_height(physical=True)
        key = width, height, self.figure.dpi
        if self._lastKey != key or not isinstance(getattr(self, "renderer", None), _TextlessRenderer):
            self.renderer = _TextlessRenderer(width, height, self.figure.dpi)
            self._lastKey = key
        return self.renderer


def new_figure(size: tuple[int, int], dpi: float, background: str, text: bool = True
               ) -> tuple[Figure, FigureCanvasAgg]:
    """A figure of exactly ``size`` pixels at ``dpi`` on its own Agg canvas (no pyplot), filled with
    ``background``; with ``text`` false the canvas draws no text."""
    width, height = size
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    figure.patch.set_facecolor(background)
    canvas = FigureCanvasAgg(figure) if text else TextlessCanvas(figure)
    return figure, canvas


class Backdrop:
    """What stays still in every frame, drawn once and pasted back before each frame's moving artists
    (blitting): draw the figure with its moving artists ``set_animated(True)``, then ``Backdrop(canvas)``;
    per frame, ``restore()``, ``figure.draw_artist(...)`` for each moving artist, then
    :func:`frame_pixels`."""

    def __init__(self, canvas: FigureCanvasAgg) -> None:
        canvas.draw()
        self.canvas = canvas
        self.saved = canvas.copy_from_bbox(canvas.figure.bbox)

    def restore(self) -> None:
        """Paste the still part back over the whole canvas."""
        self.canvas.restore_region(self.saved)


def frame_pixels(canvas: FigureCanvasAgg) -> np.ndarray:
    """A copy of what ``canvas`` holds now, ``(H, W, 4)`` uint8 RGBA."""
    return np.asarray(canvas.buffer_rgba()).copy()
