"""HTML: one self-contained, offline page that plays the animation (:mod:`.player_page` is the page).

Frames are stored as GIF stores them, and streamed to the file as they come: the first frame whole,
each later one as the rectangle that changed, with unchanged pixels transparent, each a paletted PNG
(the animation's palette, cut down to the colours the rectangle uses) in a ``data:`` URI. A frame
identical to the previous one has no picture, but keeps its own entry, so that the scrubber has one
position per frame. Each entry is ``[delay, step, x, y, uri]``: the delay in hundredths of a second, as
the GIF's (the last frame's includes the hold), and the step it shows.

Measured on ``rosenbrock`` (301 frames of 640x480): 0.57 MB of PNG rectangles against the GIF's 0.43 MB;
whole frames would take 12.3 MB as PNG and 9.6 MB as lossless WebP, and one sprite sheet holding them
would pass the 16,383-pixel side WebP allows. The page is 4/3 of that (base64) plus 7 KB.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from typing import BinaryIO

import numpy as np
from PIL import Image

from .base import FrameWriter
from .player_page import CONTROLS, DOCUMENT_HEAD, DOCUMENT_TAIL, FRAGMENT_END, FRAGMENT_START, SCRIPT, STYLE
from .quantize import TRANSPARENT, PaletteMapper


class HtmlWriter(FrameWriter):
    """Streams the player page: the head, one JSON entry per frame as it is added, then the script."""

    def __init__(self, file: BinaryIO, size: tuple[int, int], mapper: PaletteMapper, steps: Sequence[int] = (),
                 title: str = "") -> None:
        self.file, self.mapper, self.steps = file, mapper, list(steps)
        width, height = size
        self.count = 0
        self._previous: np.ndarray | None = None
        head = DOCUMENT_HEAD.format(title=html.escape(title or "animation")) + FRAGMENT_START + (
            f'\n<div class="tj-player" tabindex="0" data-autoplay="true" style="max-width:{width}px">\n{STYLE}\n'
            f'<canvas width="{width}" height="{height}" style="aspect-ratio:{width}/{height}"'
            ' role="img" aria-label="animation"></canvas>\n'
            f'<script type="application/json" class="tj-data">{{"width":{width},"height":{height},"frames":['
        )
        self._write(head)

    def _write(self, text: str) -> None:
        self.file.write(text.encode("utf-8"))

    def add(self, frame: np.ndarray, delay: int) -> None:
        step = self.steps[self.count] if self.count < len(self.steps) else self.count
        if self._previous is None:
            x = y = 0
            uri: str | None = png_uri(self.mapper(frame), self.mapper.palette)
        else:
            changed = frame.view(np.uint32)[..., 0] != self._previous.view(np.uint32)[..., 0]
            rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            if rows.size == 0:
                x = y = 0
                uri = None
            else:
                top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
                indices = self.mapper(frame[top:bottom, left:right]).copy()
                indices[~changed[top:bottom, left:right]] = TRANSPARENT
                x, y, uri = left, top, png_uri(indices, self.mapper.palette)
        entry = json.dumps([int(delay), int(step), x, y, uri], separators=(",", ":"))
        self._write(("," if self.count else "") + "\n" + entry)
        self._previous = frame
        self.count += 1

    def finish(self) -> None:
        self._write("\n]}</script>\n" + CONTROLS.format(last=max(self.count - 1, 0)) + "\n" + SCRIPT
                    + "\n</div>\n" + FRAGMENT_END + DOCUMENT_TAIL)


def png_uri(indices: np.ndarray, palette: np.ndarray) -> str:
    """``indices`` (into ``palette``; :data:`TRANSPARENT` for "keep what is there") as a paletted PNG
    ``data:`` URI whose palette holds only the colours used, the transparent one first."""
    used = np.unique(indices)
    order = np.concatenate([used[used == TRANSPARENT], used[used != TRANSPARENT]])
    lookup = np.zeros(256, dtype=np.uint8)
    lookup[order] = np.arange(len(order), dtype=np.uint8)
    local = np.ascontiguousarray(lookup[indices])
    colors = np.zeros((len(order), 3), dtype=np.uint8)
    opaque = order != TRANSPARENT
    colors[opaque] = palette[order[opaque]]
    image = Image.frombytes("P", (local.shape[1], local.shape[0]), local.tobytes())
    image.putpalette(colors.reshape(-1).tobytes(), "RGB")
    buffer = io.BytesIO()
    options = {"transparency": 0} if order[0] == TRANSPARENT else {}
    image.save(buffer, format="PNG", **options)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def fragment(page: str) -> str:
    """The player alone, without the document around it (for notebooks)."""
    start, end = page.index(FRAGMENT_START), page.index(FRAGMENT_END) + len(FRAGMENT_END)
    return page[start:end]
