"""Animated WebP, written by us frame by frame: memory independent of the frame count.

Pillow writes an animated WebP only whole (``save_all``, every frame at once, and its libwebp animation
encoder keeps every encoded frame until the end), so the container is written here and Pillow encodes
each frame as a lossless still. An animated WebP is a RIFF file: ``VP8X`` (canvas size, "animation" and
"alpha" flags), ``ANIM`` (background, loop count), then per frame an ``ANMF`` chunk (its rectangle, its
duration in milliseconds, blending and disposal) holding the frame's ``VP8L`` bitstream. Frames are the
animation's palette colours, as GIF's are (:mod:`.quantize`): the first frame whole, each later one the
rectangle that changed (:mod:`.changes`, starting at even coordinates: WebP stores offsets halved), its
unchanged pixels transparent and alpha-blended over the frame before; a frame identical to the one before
lengthens that one's duration. The RIFF size is known at the end: the writer goes back to it.
"""

from __future__ import annotations

import io
import struct
from typing import BinaryIO

import numpy as np
from PIL import Image

from ..errors import RenderError
from .changes import Change, ChangedFrames, ChangeTracker
from .quantize import PaletteMapper

ANIMATION, ALPHA = 0x02, 0x10  # VP8X flags
NO_BLEND = 0x02  # ANMF flags: draw the frame as it is (the first); 0 alpha-blends it over the canvas


def riff_chunk(kind: bytes, data: bytes) -> bytes:
    """A RIFF chunk: type, little-endian size, data, and a pad byte to an even length."""
    return kind + struct.pack("<I", len(data)) + data + b"\0" * (len(data) % 2)


def lossless_bitstream(pixels: np.ndarray, method: int = 4) -> bytes:
    """The ``VP8L`` chunk of ``pixels`` (``(h, w, 3 or 4)`` uint8) encoded losslessly by Pillow's libwebp."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buffer, format="WEBP", lossless=True, method=method)
    data = buffer.getvalue()
    position = 12  # after "RIFF", the size and "WEBP"
    while position < len(data):
        kind, size = data[position:position + 4], struct.unpack("<I", data[position + 4:position + 8])[0]
        if kind == b"VP8L":
            return data[position:position + 8 + size + size % 2]
        position += 8 + size + size % 2
    raise RenderError("libwebp wrote no lossless bitstream")


class WebpWriter(ChangedFrames):
    """A streamed, lossless animated WebP that loops forever."""

    def __init__(self, file: BinaryIO, size: tuple[int, int], mapper: PaletteMapper, method: int = 4) -> None:
        super().__init__(ChangeTracker(mapper, even=True))
        self.file, self.mapper, self.method = file, mapper, method
        self._start = file.tell()
        width, height = size
        canvas = struct.pack("<I", width - 1)[:3] + struct.pack("<I", height - 1)[:3]
        file.write(b"RIFF" + struct.pack("<I", 0) + b"WEBP")  # the size: written at the end
        file.write(riff_chunk(b"VP8X", bytes([ANIMATION | ALPHA, 0, 0, 0]) + canvas))
        file.write(riff_chunk(b"ANIM", struct.pack("<IH", 0, 0)))  # background transparent black, loop forever
        self.frames_written = 0

    def write_change(self, change: Change, delay: int) -> None:
        rgb = self.mapper.to_rgb(change.indices)
        flags = NO_BLEND
        if change.unchanged is not None and change.unchanged.any():
            rgb = np.concatenate([rgb, np.where(change.unchanged, 0, 255).astype(np.uint8)[..., None]], axis=-1)
            flags = 0
        height, width = change.indices.shape
        x, y = change.offset
        header = b"".join(struct.pack("<I", value)[:3] for value in (x // 2, y // 2, width - 1, height - 1,
                                                                       10 * delay))
        self.file.write(riff_chunk(b"ANMF", header + bytes([flags]) + lossless_bitstream(rgb, self.method)))
        self.frames_written += 1

    def finish(self) -> None:
        self.flush()
        end = self.file.tell()
        self.file.seek(self._start + 4)
        self.file.write(struct.pack("<I", end - self._start - 8))
        self.file.seek(end)
