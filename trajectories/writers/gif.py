"""GIF, written by us frame by frame, so that memory does not grow with the frame count.

The container is a few fixed byte layouts; Pillow's public ``GifImagePlugin.getdata`` does each frame's
LZW data.

- **Only what changed is stored**: each frame after the first is cropped to the rectangle that differs
  from the previous frame, and unchanged pixels inside it become the transparent index (disposal "leave
  in place"). A frame identical to the previous one only lengthens the previous delay.
- **A global palette** (:mod:`.quantize`) for every frame, and the NETSCAPE2.0 block: it loops forever.
"""

from __future__ import annotations

import io
import struct
from typing import Any, BinaryIO

import numpy as np
from PIL import GifImagePlugin, Image

from .quantize import TRANSPARENT, PaletteMapper, build_palette


class GifWriter:
    """A streamed GIF89a with a global palette, cropped frames and transparency; loops forever."""

    def __init__(self, file: BinaryIO, size: tuple[int, int], mapper: PaletteMapper) -> None:
        self.file, self.mapper = file, mapper
        width, height = size
        table = np.zeros((256, 3), dtype=np.uint8)
        table[: len(mapper.palette)] = mapper.palette
        # header, logical screen (global table of 2^(7+1) colours), the table, and NETSCAPE2.0 loop = 0
        file.write(b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0) + table.tobytes())
        file.write(b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", 0) + b"\x00")
        self._previous: np.ndarray | None = None
        self._pending: tuple[Image.Image, tuple[int, int], bool] | None = None
        self._pending_delay = 0
        self.frames_written = 0

    def add(self, frame: np.ndarray, delay: int) -> None:
        if self._previous is None:
            image = Image.fromarray(self.mapper(frame), mode="P")
            self._queue(image, (0, 0), False, delay)
        else:
            changed = frame.view(np.uint32)[..., 0] != self._previous.view(np.uint32)[..., 0]
            rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            if rows.size == 0:
                self._pending_delay += delay  # identical frame: show the previous one longer
                return
            top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
            indices = self.mapper(frame[top:bottom, left:right]).copy()
            indices[~changed[top:bottom, left:right]] = TRANSPARENT
            self._queue(Image.fromarray(indices, mode="P"), (int(left), int(top)), True, delay)
        self._previous = frame

    def _queue(self, image: Image.Image, offset: tuple[int, int], transparent: bool, delay: int) -> None:
        self._flush()
        self._pending, self._pending_delay = (image, offset, transparent), delay

    def _flush(self) -> None:
        if self._pending is None:
            return
        image, offset, transparent = self._pending
        params: dict[str, Any] = {"duration": 10 * self._pending_delay, "disposal": 1}
        if transparent:
            params["transparency"] = TRANSPARENT
        for chunk in GifImagePlugin.getdata(image, offset=offset, **params):
            self.file.write(chunk)
        self._pending = None
        self.frames_written += 1

    def finish(self) -> None:
        self._flush()
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
