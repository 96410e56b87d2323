"""Formats Pillow writes whole: APNG and WebP animations (palette-mapped frames kept in memory, one byte a
pixel, and handed to Pillow at the end), and PNG, the final frame alone.

Pillow cannot write an animated PNG or WebP frame by frame: ``save(save_all=True)`` takes every frame at
once, as full images. So these formats hold the whole animation in memory, about
:data:`APNG_BYTES_PER_PIXEL` (APNG) and :data:`WEBP_BYTES_PER_PIXEL` (WebP) bytes per pixel of every frame
at the peak, and the pipeline refuses, before any work, a render that would need more than the memory budget
(:data:`trajectories.limits.MEMORY_BUDGET`, 4 GiB): for example more than about 1,400 frames of 640x480 as
APNG, or 2,500 as WebP. GIF and MP4 stream their frames and have no such limit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from .quantize import PaletteMapper

APNG_BYTES_PER_PIXEL = 9.5
"""Peak bytes per pixel per frame of an APNG render: the 1-byte palette frames, then every frame as an RGB
image (4 bytes a pixel in Pillow) and the encoder's own; measured 9.26-9.33 B at 320x240, 640x480 and
1280x960 (peak RSS growth from 50 to 250 frames)."""
WEBP_BYTES_PER_PIXEL = 5.5
"""The same for WebP: measured 5.25-5.31 B."""


class CollectingWriter:
    """Keeps palette-mapped frames (1 byte a pixel) and hands them to Pillow at the end (APNG, WebP): memory
    grows with the frame count, so renders are bounded (see the module's docstring)."""

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
