"""``svg`` and ``pdf``: the final frame as a vector drawing, for papers and slides.

A vector still is not made of the frame's pixels: the pipeline hands the writer a function that draws the
view's final frame with matplotlib's own SVG or PDF backend (:mod:`trajectories.render.vector`), and the
writer calls it once the frames are in; text stays text. The raster frame it is also given is not used.
"""

from __future__ import annotations

import numpy as np

from ..errors import RenderError
from .base import FrameWriter


class VectorWriter(FrameWriter):
    """Writes ``target.vector(file, name)`` at :meth:`finish` (one still, whatever the frames)."""

    def __init__(self, target, name: str) -> None:
        self.target, self.name = target, name
        self.frames_written = 0

    def add(self, frame: np.ndarray, delay: int) -> None:
        self.frames_written = 1

    def finish(self) -> None:
        if self.target.vector is None:
            raise RenderError(f"{self.name}: a vector still is drawn from the view, which this render has not given")
        self.target.vector(self.target.file, self.name)
