"""Comparing animations frame by frame, and the pytest plugin built on it.

Two files match when they have the same number of frames, the same frame size, the same frame durations,
and every frame's difference is within ``tolerance``: the root mean square of the per-channel
differences on a 0-255 scale (matplotlib's image-comparison measure). A moved path, a missing legend
or a wrong colour changes hundreds of pixels by a lot; a different palette (another Pillow's median
cut) shifts many pixels by a little. Text is the exception: another FreeType rasterises glyphs
differently, and text changes the palette, so snapshots leave text out (``render(..., text=False)``).
See README.md, "Snapshot tests", and ``DEFAULT_TOLERANCE`` for the measured margins.

The pytest plugin built on this lives in :mod:`trajectories.pytest_plugin`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import CompareError

# Measured on the built-in scenes rendered 200 px wide without text: a palette of 192 instead of 255
# colours (encoder drift) costs RMS up to 2.1 and font drift nothing, while a missing legend costs at
# least 3.8, swapped colours 7.4 and a path moved by 2.5 % of the window 10.7.
DEFAULT_TOLERANCE = 3.0
AMPLIFY = 10  # the diff image shows |difference| × 10




@dataclass(frozen=True)
class Animation:
    """Decoded frames ``(n, H, W, 3)`` uint8 and their durations in milliseconds (``None`` for stills)."""

    frames: np.ndarray
    durations: tuple[int | None, ...]

    @property
    def size(self) -> tuple[int, int]:
        return (self.frames.shape[2], self.frames.shape[1])


def read_animation(path: str | Path) -> Animation:
    """Every frame of a GIF, APNG, WebP or still image, composed as a viewer shows it, in RGB."""
    path = Path(path)
    if not path.is_file():
        raise CompareError(f"no such file: {path}")
    try:
        with Image.open(path) as image:
            frames, durations = [], []
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                image.load()  # WebP and APNG report a frame's duration once it is decoded
                frames.append(np.asarray(image.convert("RGB")))
                durations.append(image.info.get("duration") if getattr(image, "is_animated", False) else None)
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise CompareError(f"{path} is not an image or animation Pillow can read ({error})") from None
    return Animation(np.stack(frames), tuple(None if d is None else int(d) for d in durations))


def frame_rms(expected: np.ndarray, actual: np.ndarray) -> float:
    """Root mean square of the per-channel differences, on a 0-255 scale."""
    difference = expected.astype(np.float64) - actual.astype(np.float64)
    return float(math.sqrt(np.mean(difference * difference)))


@dataclass(frozen=True)
class Comparison:
    """The outcome: ``matches``, a one-line ``message``, the RMS of every frame compared, and the first
    differing frame (``None`` when the frames match or could not be compared)."""

    matches: bool
    message: str
    rms: tuple[float, ...] = ()
    first_bad: int | None = None


def compare(expected: Animation, actual: Animation, tolerance: float = DEFAULT_TOLERANCE) -> Comparison:
    """Compare two decoded animations (see the module docstring for the rules)."""
    if len(expected.frames) != len(actual.frames):
        return Comparison(False, f"frame counts differ: {len(expected.frames)} expected, {len(actual.frames)} actual")
    if expected.size != actual.size:
        return Comparison(False, f"frame sizes differ: {expected.size[0]}x{expected.size[1]} expected, "
                                 f"{actual.size[0]}x{actual.size[1]} actual")
    for index, (want, got) in enumerate(zip(expected.durations, actual.durations, strict=True)):
        if want != got:
            return Comparison(False, f"frame {index} lasts {got} ms, expected {want} ms", first_bad=index)
    rms = tuple(frame_rms(a, b) for a, b in zip(expected.frames, actual.frames, strict=True))
    bad = [i for i, value in enumerate(rms) if value > tolerance]
    if bad:
        first = bad[0]
        return Comparison(False, f"frame {first} differs: RMS {rms[first]:.2f} > tolerance {tolerance:g} "
                                 f"({len(bad)} of {len(rms)} frames differ)", rms, first)
    return Comparison(True, f"{len(rms)} frames match (largest RMS {max(rms):.2f} <= {tolerance:g})", rms)


def compare_files(expected: str | Path, actual: str | Path, tolerance: float = DEFAULT_TOLERANCE) -> Comparison:
    if not (math.isfinite(tolerance) and tolerance >= 0):
        raise CompareError(f"tolerance must be a finite number >= 0, got {tolerance!r}")
    return compare(read_animation(expected), read_animation(actual), tolerance)


def diff_image(expected: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Expected | actual | the difference amplified ×10 (black where equal), side by side."""
    difference = np.abs(expected.astype(np.int16) - actual.astype(np.int16)) * AMPLIFY
    amplified = np.clip(difference, 0, 255).astype(np.uint8)
    gap = np.full((expected.shape[0], 4, 3), 128, dtype=np.uint8)
    return np.concatenate([expected, gap, actual, gap, amplified], axis=1)


def write_diff(expected: str | Path, actual: str | Path, target: str | Path, frame: int | None = None) -> Path:
    """Save the diff image of ``frame`` (default: the frame with the largest difference) as PNG."""
    from .atomic import atomic_path

    want, got = read_animation(expected), read_animation(actual)
    count = min(len(want.frames), len(got.frames))
    if frame is None:
        if want.size == got.size:
            frame = max(range(count), key=lambda i: frame_rms(want.frames[i], got.frames[i]))
        else:
            frame = 0
    a, b = want.frames[frame], got.frames[frame]
    if a.shape != b.shape:  # different sizes: pad both to the larger one
        height, width = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
        a, b = (np.pad(x, ((0, height - x.shape[0]), (0, width - x.shape[1]), (0, 0))) for x in (a, b))
    target = Path(target)
    with atomic_path(target) as temporary:
        Image.fromarray(diff_image(a, b)).save(temporary, format="PNG")
    return target
