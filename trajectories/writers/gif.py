"""GIF, written by us frame by frame, so that memory does not grow with the frame count.

- **Only what changed is stored**: each frame after the first is the rectangle whose palette indices
  differ from the previous frame's (:mod:`.changes`; disposal "leave in place"), stored the smallest of the ways
  :mod:`.gif_frames` knows (transparency for unchanged pixels where it pays, small LZW codes). A frame
  identical to the previous one only lengthens the previous delay.
- **A global palette** (:mod:`.quantize`) for every frame, in the order that keeps codes small: the
  colours the most frames need first. That order is known once frames have been seen, so the first frames
  are held (as palette indices, at most :data:`HOLD_BYTES`: a whole 2-D animation, usually) before the file
  starts; the rest stream.
- The NETSCAPE2.0 block: the animation loops forever.
"""

from __future__ import annotations

import io
import struct
from typing import BinaryIO

import numpy as np

from .changes import Change, ChangedFrames, ChangeTracker
from .gif_frames import Way, frame_block, held, palette_order, ways
from .quantize import TRANSPARENT, PaletteMapper, build_palette

HOLD_BYTES = 16 * 2**20
"""The most bytes of frames (a byte per changed pixel, and its mask) held before the palette's order is
fixed from them and the file starts."""


class GifWriter(ChangedFrames):
    """A streamed GIF89a with a global palette, cropped frames and transparency; loops forever."""

    def __init__(self, file: BinaryIO, size: tuple[int, int], mapper: PaletteMapper) -> None:
        super().__init__(ChangeTracker(mapper))
        self.file, self.mapper, self.size = file, mapper, size
        self._held: list[tuple[Change, int]] = []
        self._held_bytes = 0
        self._needs = np.zeros(256, dtype=np.int64)  # per palette index, the frames that need it
        self._lookup: np.ndarray | None = None  # palette index -> index in the file
        self.frames_written = 0

    def write_change(self, change: Change, delay: int) -> None:
        if self._lookup is not None:
            self._write(change, delay)
            return
        self._held.append((change, delay))
        self._held_bytes += 2 * change.indices.size
        unchanged = change.unchanged
        self._needs += held(change.indices if unchanged is None else change.indices[~unchanged])  # others may hide
        if self._held_bytes >= HOLD_BYTES:
            self._start()

    def _start(self) -> None:
        """The palette's order from the frames held, the header, and those frames."""
        self._needs[TRANSPARENT] = -1  # not a colour: last
        self._lookup = palette_order(self._needs)
        table = np.zeros((256, 3), dtype=np.uint8)  # the palette in file order
        table[self._lookup[: len(self.mapper.palette)]] = self.mapper.palette
        width, height = self.size
        # header, logical screen (global table of 2^(7+1) colours), the table, and NETSCAPE2.0 loop = 0
        self.file.write(b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0) + table.tobytes())
        self.file.write(b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", 0) + b"\x00")
        for change, delay in self._held:
            self._write(change, delay)
        self._held = []

    def _write(self, change: Change, delay: int) -> None:
        indices, unchanged = change.indices, change.unchanged
        options = [Way(indices, held(indices))] if unchanged is None else ways(indices, unchanged)
        blocks = [frame_block(way, change.offset, delay, self._lookup) for way in options]
        self.file.write(min(blocks, key=len))
        self.frames_written += 1

    def finish(self) -> None:
        self.flush()
        if self._lookup is None:
            self._start()
        self.file.write(b";")


def encode_to_bytes(frames: list[np.ndarray], delays: list[int], reserved: list[tuple[int, int, int]]) -> bytes:
    """Encode ``frames`` as a GIF in memory (tests and tools)."""
    mapper = PaletteMapper(build_palette([frames[0], frames[-1]], reserved), exact=reserved)
    buffer = io.BytesIO()
    writer = GifWriter(buffer, (frames[0].shape[1], frames[0].shape[0]), mapper)
    for frame, delay in zip(frames, delays, strict=True):
        writer.add(frame, delay)
    writer.finish()
    return buffer.getvalue()
