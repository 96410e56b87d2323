"""What changed from one frame to the next, in palette indices: the rectangle each streamed format stores.

The first frame is whole. Each later one is the smallest rectangle whose palette indices differ from the
frame before (colours that map to the same index are no change), with a mask of the pixels inside it that
did not change: a writer stores those as transparent, or as their own colour, whichever is smaller. A
frame identical to the one before is ``None`` (a writer shows the previous frame longer), and a frame that
differs only in colours mapped to the same indices is one unchanged pixel (a frame of its own, so that the
frame count stays the view's).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import FrameWriter
from .quantize import PaletteMapper


@dataclass(frozen=True)
class Change:
    """A rectangle of palette ``indices`` at ``offset`` (x, y); ``unchanged`` marks the pixels that show the
    previous frame already (``None`` for the first frame: all of it is new)."""

    indices: np.ndarray
    unchanged: np.ndarray | None
    offset: tuple[int, int]


class ChangedFrames(FrameWriter):
    """What the writers of changed rectangles share: each frame's :class:`Change` is held until a frame
    that differs comes (an identical frame only lengthens the held one's delay, in hundredths of a
    second), then handed to :meth:`write_change` with its whole delay; :meth:`flush` hands over the last."""

    def __init__(self, tracker: ChangeTracker) -> None:
        self._changes = tracker
        self._pending: Change | None = None
        self._pending_delay = 0

    def add(self, frame: np.ndarray, delay: int) -> None:
        change = self._changes(frame)
        if change is None:
            self._pending_delay += delay  # identical frame: show the previous one longer
            return
        self.flush()
        self._pending, self._pending_delay = change, delay

    def flush(self) -> None:
        if self._pending is not None:
            change, self._pending = self._pending, None
            self.write_change(change, self._pending_delay)

    def write_change(self, change: Change, delay: int) -> None:
        raise NotImplementedError


class ChangeTracker:
    """Frames in, :class:`Change` rectangles out. With ``even``, rectangles start at even coordinates
    (WebP stores frame offsets halved)."""

    def __init__(self, mapper: PaletteMapper, even: bool = False) -> None:
        self.mapper, self.even = mapper, even
        self._previous: np.ndarray | None = None  # the last frame given (RGBA)
        self._shown: np.ndarray | None = None  # its palette indices

    def __call__(self, frame: np.ndarray) -> Change | None:
        if self._previous is None:
            self._previous = frame
            self._shown = np.array(self.mapper(frame))  # ours to update (the mapper's may be read-only)
            return Change(self._shown.copy(), None, (0, 0))
        changed = frame.view(np.uint32)[..., 0] != self._previous.view(np.uint32)[..., 0]
        box = bounds(changed)
        if box is None:
            return None
        top, bottom, left, right = box
        indices = self.mapper(frame[top:bottom, left:right])
        differs = indices != self._shown[top:bottom, left:right]
        self._shown[top:bottom, left:right] = indices
        self._previous = frame
        inner = bounds(differs)
        if inner is None:
            return Change(self._shown[:1, :1].copy(), np.ones((1, 1), dtype=bool), (0, 0))
        y0, y1, x0, x1 = inner[0] + top, inner[1] + top, inner[2] + left, inner[3] + left
        if self.even:
            y0, x0 = y0 - y0 % 2, x0 - x0 % 2
        window = (slice(y0, y1), slice(x0, x1))
        unchanged = np.ones((y1 - y0, x1 - x0), dtype=bool)
        dy, dx = inner[0] + top - y0, inner[2] + left - x0  # where the pixels that differ start, inside
        unchanged[dy:dy + inner[1] - inner[0], dx:dx + inner[3] - inner[2]] = ~differs[inner[0]:inner[1],
                                                                                      inner[2]:inner[3]]
        return Change(self._shown[window].copy(), unchanged, (int(x0), int(y0)))


def bounds(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """``(top, bottom, left, right)`` of the smallest rectangle holding every true pixel of ``mask``, or
    ``None`` when there is none."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
