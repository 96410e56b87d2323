"""PNG, the final frame alone (``--format png``, for papers), as Pillow writes it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from .base import FrameWriter


class StillWriter(FrameWriter):
    """The last frame given, as an optimised PNG (``png``: a still of the final frame)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.last: np.ndarray | None = None

    def add(self, frame: np.ndarray, delay: int) -> None:
        self.last = frame

    def finish(self) -> None:
        if self.last is not None:
            Image.fromarray(np.ascontiguousarray(self.last[..., :3])).save(self.path, format="PNG", optimize=True)
