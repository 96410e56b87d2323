"""MP4 (H.264) through imageio-ffmpeg, the optional ``mp4`` extra."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ..errors import RenderError
from .base import FrameWriter

MP4_INSTALL = ('pip install ".[mp4]"', "pip install imageio-ffmpeg")
"""How to install the ``mp4`` extra, spelled as the documentation spells it (``docs/howto/slides.md``): from the
source folder, or the one package it holds (``tests/test_docs_promises.py`` checks that the page and setup.cfg
agree)."""
MP4_MISSING = (f"mp4 needs the optional imageio-ffmpeg package (the mp4 extra): {MP4_INSTALL[0]} in the "
               f"source folder, or {MP4_INSTALL[1]}")


def require_ffmpeg() -> None:
    """:class:`RenderError` with the line to install it, unless imageio-ffmpeg is importable."""
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        raise RenderError(MP4_MISSING) from None


class Mp4Writer(FrameWriter):
    """H.264 through imageio-ffmpeg (the optional ``mp4`` extra); holds are repeated frames."""

    def __init__(self, path: Path, fps: int) -> None:
        if Path(path).suffix.lower() != ".mp4":  # imageio's ffmpeg plugin refuses any other name, with a traceback
            raise RenderError(f"mp4 output needs a file name ending in .mp4, got {Path(path).suffix or 'none'}")
        try:
            import imageio.v2 as imageio
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            raise RenderError(MP4_MISSING) from None
        self.fps = fps
        self.started = False
        self.writer = imageio.get_writer(
            str(path), format="FFMPEG", fps=fps, codec="libx264", pixelformat="yuv420p", macro_block_size=2,
            ffmpeg_log_level="error",
            output_params=["-threads", "1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-f", "mp4"],
        )

    def add(self, frame: np.ndarray, delay: int) -> None:
        repeats = max(1, round(delay * self.fps / 100))
        if not self.started:  # ffmpeg starts with the first frame: JAX, once imported, warns of any fork, though
            with warnings.catch_warnings():  # ffmpeg's child runs ffmpeg at once
                warnings.filterwarnings("ignore", message=r"os\.fork\(\) was called", category=RuntimeWarning)
                self.writer.append_data(frame[..., :3])
            self.started, repeats = True, repeats - 1
        for _ in range(repeats):
            self.writer.append_data(frame[..., :3])

    def finish(self) -> None:
        self.writer.close()

    def abort(self) -> None:
        """After a failure: stop ffmpeg and wait for it, so that it does not write the file once removed."""
        self.writer.close()
