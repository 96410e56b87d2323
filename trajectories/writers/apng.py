"""APNG, written by us chunk by chunk: memory independent of the frame count.

An APNG is a PNG (signature, ``IHDR``, ``PLTE``, ``IDAT``, ``IEND``) whose ``acTL`` chunk says how many
frames it has, each frame an ``fcTL`` chunk (its rectangle, delay, disposal and blending) and its pixels:
the first frame in ``IDAT`` (what a viewer without APNG shows), the others in ``fdAT`` (``IDAT`` with a
sequence number). Ours is paletted, as the GIF is: the animation's palette (:mod:`.quantize`) in ``PLTE``,
its transparent index fully transparent in ``tRNS``. The first frame is whole; each later one is the
rectangle that changed (:mod:`.changes`), its unchanged pixels transparent and blended over the frame
before ("over"; disposal "none"), compressed with zlib at its strongest; a frame identical to the one
before lengthens that one's delay. ``acTL``'s frame count is known at the end: the writer goes back to it
(the file is a regular temporary file, :mod:`trajectories.pipeline.stages`).
"""

from __future__ import annotations

import struct
import zlib
from typing import BinaryIO

import numpy as np

from .changes import Change, ChangedFrames, ChangeTracker
from .quantize import TRANSPARENT, PaletteMapper

SIGNATURE = b"\x89PNG\r\n\x1a\n"
BLEND_SOURCE, BLEND_OVER = 0, 1
DISPOSE_NONE = 0


def chunk(kind: bytes, data: bytes) -> bytes:
    """A PNG chunk: length, type, data, CRC of type and data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def scanlines(indices: np.ndarray) -> bytes:
    """Paletted pixels as PNG image data before compression: each row after its filter byte (0, none:
    what suits palette indices)."""
    rows = np.zeros((indices.shape[0], indices.shape[1] + 1), dtype=np.uint8)
    rows[:, 1:] = indices
    return rows.tobytes()


class ApngWriter(ChangedFrames):
    """A streamed, paletted APNG that loops forever."""

    def __init__(self, file: BinaryIO, size: tuple[int, int], mapper: PaletteMapper) -> None:
        super().__init__(ChangeTracker(mapper))
        self.file = file
        width, height = size
        palette = np.zeros((256, 3), dtype=np.uint8)
        palette[: len(mapper.palette)] = mapper.palette
        alpha = np.full(256, 255, dtype=np.uint8)
        alpha[TRANSPARENT] = 0
        file.write(SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)))
        self._control_at = file.tell()
        file.write(chunk(b"acTL", struct.pack(">II", 0, 0)))  # frame count: written at the end
        file.write(chunk(b"PLTE", palette.tobytes()) + chunk(b"tRNS", alpha.tobytes()))
        self._sequence = 0
        self.frames_written = 0

    def write_change(self, change: Change, delay: int) -> None:
        pixels = change.indices
        blend = BLEND_SOURCE
        if change.unchanged is not None and change.unchanged.any():
            pixels = np.where(change.unchanged, np.uint8(TRANSPARENT), pixels)
            blend = BLEND_OVER
        height, width = pixels.shape
        x, y = change.offset
        control = struct.pack(">IIIIIHHBB", self._sequence, width, height, x, y, delay, 100,
                              DISPOSE_NONE, blend)
        self.file.write(chunk(b"fcTL", control))
        self._sequence += 1
        data = zlib.compress(scanlines(pixels), 9)
        if self.frames_written == 0:
            self.file.write(chunk(b"IDAT", data))
        else:
            self.file.write(chunk(b"fdAT", struct.pack(">I", self._sequence) + data))
            self._sequence += 1
        self.frames_written += 1

    def finish(self) -> None:
        self.flush()
        self.file.write(chunk(b"IEND", b""))
        end = self.file.tell()
        self.file.seek(self._control_at)
        self.file.write(chunk(b"acTL", struct.pack(">II", self.frames_written, 0)))
        self.file.seek(end)
