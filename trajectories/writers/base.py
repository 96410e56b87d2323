"""What every writer is: opened for one file (by its format's ``open``), given each frame with its delay,
then finished, or aborted when the render fails; a context manager that finishes or aborts on leaving.

::

    with get_format("gif").open(target) as writer:   # target: the file, its size, fps and palette
        for frame, delay in frames:                   # (H, W, 4) uint8 RGBA, hundredths of a second
            writer.add(frame, delay)
    # finished here; had the block raised, aborted instead (and the error goes on)
"""

from __future__ import annotations

import contextlib
from types import TracebackType

import numpy as np


class FrameWriter:
    """The base of every writer. Subclasses define :meth:`add` and, when the file needs an ending,
    :meth:`finish`; a writer that holds something outside the process (a helper process writing the file,
    such as ffmpeg) also :meth:`abort`, called instead of :meth:`finish` when the render fails, before the
    temporary file is removed. ``frames_written`` is how many frames the file holds (``None``: one per
    :meth:`add`; GIF merges identical consecutive frames)."""

    frames_written: int | None = None

    def add(self, frame: np.ndarray, delay: int) -> None:
        """Write ``frame`` (``(H, W, 4)`` uint8 RGBA, opaque), shown for ``delay`` hundredths of a second."""
        raise NotImplementedError

    def finish(self) -> None:
        """End the file once every frame is added."""

    def abort(self) -> None:
        """Let go of what the writer holds after a failure; the file is removed afterwards."""

    def __enter__(self) -> FrameWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if error is None:
            self.finish()
            return
        with contextlib.suppress(Exception):  # the render's own error is the one to report
            self.abort()
