"""Formats Pillow writes whole: APNG and WebP animations (palette-mapped frames kept in memory, one byte a
pixel, and handed to Pillow at the end), and PNG, the final frame alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from .quantize import PaletteMapper


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


class StillWriter:
    """The last frame given, as an optimised PNG (``png``: a still of the final frame)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.last: np.ndarray | None = None

    def add(self, frame: np.ndarray, delay: int) -> None:
        self.last = frame

    def finish(self) -> None:
        if self.last is not None:
            Image.fromarray(np.ascontiguousarray(self.last[..., :3])).save(self.path, format="PNG", optimize=True)
