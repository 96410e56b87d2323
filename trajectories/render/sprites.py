"""Sprites: artists drawn once and then pasted per frame with numpy, instead of being drawn again.

Drawing text with matplotlib costs milliseconds per string (a legend ~20 ms), which would dominate a
blitted frame. An artist that does not change (the legend, the frame of the step counter) or that takes
only a few forms (a digit in a given place) is captured once by drawing it over black and over white:
with Agg's source-over blending, ``over_black = premultiplied colour`` and
``over_white - over_black = 255 · (1 - alpha)``, so pasting ``out = over_black + keep · background`` with
``keep = (over_white - over_black) / 255`` reproduces the drawing over any background, per channel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox


@dataclass(frozen=True)
class Sprite:
    """A captured drawing at rows ``top:top+h`` and columns ``left:left+w`` of the frame."""

    top: int
    left: int
    colour: np.ndarray  # (h, w, 3) float32, premultiplied
    keep: np.ndarray  # (h, w, 3) float32, how much of the background shows through
    margin: int = 0  # blank pixels captured around the drawing on each side

    @property
    def box(self) -> tuple[int, int, int, int]:
        """The drawing's ``(left, top, right, bottom)`` in pixels of the frame (the margin left out)."""
        h, w = self.keep.shape[:2]
        m = self.margin
        return (self.left + m, self.top + m, self.left + w - m, self.top + h - m)

    def paste(self, buffer: np.ndarray) -> None:
        """Composite onto ``buffer`` ``(H, W, 4)`` uint8 in place."""
        h, w = self.keep.shape[:2]
        region = buffer[self.top : self.top + h, self.left : self.left + w, :3]
        region[...] = np.rint(self.colour + self.keep * region).astype(np.uint8)


def pixel_box(box: Bbox, figure: Figure) -> tuple[int, int, int, int]:
    """A display box (origin bottom left) as ``(left, top, right, bottom)`` pixels of the frame."""
    height = figure.bbox.height
    return (math.floor(box.x0), math.floor(height - box.y1), math.ceil(box.x1), math.ceil(height - box.y0))


def capture(figure: Figure, canvas: FigureCanvasAgg, artist: Artist | list[Artist], margin: int = 2) -> Sprite:
    """Capture ``artist`` (or several, drawn in order) as drawn now into a :class:`Sprite`."""
    renderer = canvas.get_renderer()
    artists = artist if isinstance(artist, list) else [artist]
    box = Bbox.union([a.get_window_extent(renderer) for a in artists])
    buffer = np.asarray(canvas.buffer_rgba())
    height, width = buffer.shape[:2]
    left = max(0, math.floor(box.x0) - margin)
    right = min(width, math.ceil(box.x1) + margin)
    top = max(0, height - math.ceil(box.y1) - margin)
    bottom = min(height, height - math.floor(box.y0) + margin)
    region = buffer[top:bottom, left:right, :3]
    saved = region.copy()
    region[...] = 0
    for item in artists:
        figure.draw_artist(item)
    over_black = region.astype(np.float32)
    region[...] = 255
    for item in artists:
        figure.draw_artist(item)
    over_white = region.astype(np.float32)
    region[...] = saved
    keep = np.clip((over_white - over_black) / 255.0, 0.0, 1.0)
    return Sprite(top, left, over_black, keep, margin)
