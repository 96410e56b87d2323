"""Comparing animations frame by frame, and the pytest plugin built on it.

Two files match when they have the same number of frames, the same frame size, the same frame durations,
and every frame's difference is within ``tolerance``: the root mean square of the per-channel
differences on a 0-255 scale (matplotlib's image-comparison measure). A moved path, a missing legend
or a wrong colour changes hundreds of pixels by a lot; a different palette (another Pillow's median
cut) shifts many pixels by a little. Text is the exception: another FreeType rasterises glyphs
differently, and text changes the palette, so snapshots leave text out (``render(..., text=False)``).
See ``docs/howto/snapshot-tests.md`` and ``DEFAULT_TOLERANCE`` for the measured margins.

The pytest plugin built on this lives in :mod:`trajectories.integrations.pytest_plugin`.
"""

from __future__ import annotations

import math
import re
import struct
import warnings
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from ..errors import CompareError
from ..pipeline.limits import MAX_FRAMES
from ..trust.inputs import check_input

# Measured on the built-in scenes rendered 200 px wide without text: a palette of 192 instead of 255
# colours (encoder drift) costs RMS up to 2.1 and font drift nothing, while a missing legend costs at
# least 3.8, swapped colours 7.4 and a path moved by 2.5 % of the window 10.7.
DEFAULT_TOLERANCE = 3.0
AMPLIFY = 10  # the diff image shows |difference| × 10

# Limits on what compare decodes, checked from the file's header before any frame is decoded. Compare holds
# two decoded frames at a time (plus Pillow's canvas for each file), whatever the number of frames, so the
# per-frame limits bound its memory and the total bounds its work.
# - MAX_SIDE, MAX_FRAME_PIXELS: 8192 px a side and 40 Mpx a frame hold an 8K UHD frame (7680×4320, 33 Mpx)
#   and anything this tool renders (its frames are at most a few Mpx); a 40 Mpx frame pair decoded and
#   compared costs about 0.7 GB at worst (Pillow's canvases, RGB arrays, one band of differences).
# - MAX_TOTAL_PIXELS: 5 Gpx per file, such as 2400 frames of 1920×1080 (five minutes at 8 fps) or 5000
#   frames of 1280×720; decoding and comparing runs at roughly 50-100 Mpx/s on one core, so the worst
#   accepted comparison takes a minute or two rather than hours.
# - MAX_FRAMES (trajectories.pipeline.limits, the most a render makes): a frame's decoding has a cost of its own
#   whatever its size, so a 23 MB GIF of a million 1×1 frames would take minutes.
# A header past these limits (a 46 KB GIF claiming an 8000×8000 screen and 2000 frames, a PNG claiming
# 60000×60000) is refused in one line before anything is decoded.
MAX_SIDE = 8192
MAX_FRAME_PIXELS = 40_000_000
MAX_TOTAL_PIXELS = 5_000_000_000
_RMS_BAND = 1 << 20  # pixels per band when summing squared differences (a few MB of int32 at a time)


@dataclass(frozen=True)
class Animation:
    """Decoded frames ``(n, H, W, 3)`` uint8 and their durations in milliseconds (``None`` for stills)."""

    frames: np.ndarray
    durations: tuple[int | None, ...]

    @property
    def size(self) -> tuple[int, int]:
        return (self.frames.shape[2], self.frames.shape[1])


def _pixels(count: float) -> str:
    """``count`` pixels in words: 64.0 Mpx, 128 Gpx."""
    for unit, scale in (("Gpx", 1e9), ("Mpx", 1e6)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count:.0f} px"


def _unreadable(path: Path, error: BaseException) -> CompareError:
    if isinstance(error, Image.DecompressionBombError):
        claimed = re.search(r"\((\d+) pixels\)", str(error))
        size = f"frames of {_pixels(int(claimed.group(1)))}" if claimed else "frames too large"
        return CompareError(f"{path}: {size} exceed the limit of {_pixels(MAX_FRAME_PIXELS)} "
                            f"({MAX_SIDE} px a side) a frame (a possible decompression bomb)")
    reason = " ".join(str(error).split()) or type(error).__name__
    return CompareError(f"{path} is not an image or animation Pillow can read ({reason})")


# what Pillow raises on files that are not images, or are truncated or corrupt
_DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, EOFError, ValueError, IndexError, KeyError,
                  TypeError, struct.error, zlib.error, Image.DecompressionBombError)


class AnimationReader:
    """One animation, opened and checked against the limits from its header, read one frame at a time.

    ``size`` (width, height) and ``count`` (frames) come from the header; iterating yields each frame,
    composed as a viewer shows it, as ``(H, W, 3)`` uint8 RGB, with its duration in milliseconds
    (``None`` for stills). Only the current frame is kept. Use as a context manager.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = check_input(path, "file", error=CompareError)  # not a FIFO (which would hang), a folder...
        try:
            with warnings.catch_warnings():  # our limits are stricter than Pillow's warning; no stray line
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                self.image = Image.open(self.path)
        except CompareError:
            raise
        except _DECODE_ERRORS as error:
            raise _unreadable(self.path, error) from None
        try:
            self.size: tuple[int, int] = self.image.size
            self._check_frame_size()
            self.count: int = int(getattr(self.image, "n_frames", 1))  # GIF: a scan without decoding
            self.animated = bool(getattr(self.image, "is_animated", False))
            self._check_total()
        except CompareError:
            self.image.close()
            raise
        except _DECODE_ERRORS as error:
            self.image.close()
            raise _unreadable(self.path, error) from None

    def _check_frame_size(self) -> None:
        width, height = self.size
        if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_FRAME_PIXELS:
            raise CompareError(f"{self.path}: frames of {width}x{height} ({_pixels(width * height)}) exceed the "
                               f"limit of {MAX_SIDE} px a side and {_pixels(MAX_FRAME_PIXELS)} a frame")

    def _check_total(self) -> None:
        if self.count > MAX_FRAMES:  # each frame costs its decoding whatever its size: a million 1x1 frames
            raise CompareError(f"{self.path}: {self.count} frames, more than the {MAX_FRAMES} an animation may "
                               "have to compare")
        total = self.size[0] * self.size[1] * self.count
        if total > MAX_TOTAL_PIXELS:
            raise CompareError(f"{self.path}: {self.count} frames of {self.size[0]}x{self.size[1]} are "
                               f"{_pixels(total)} in all, past the limit of {_pixels(MAX_TOTAL_PIXELS)} to compare")

    def __enter__(self) -> AnimationReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.image.close()

    def __iter__(self) -> Iterator[tuple[np.ndarray, int | None]]:
        image = self.image
        for index in range(self.count):
            try:
                image.seek(index)
                if image.size != self.size:  # a frame larger than the header said
                    self.size = image.size
                    self._check_frame_size()
                image.load()  # WebP and APNG report a frame's duration once it is decoded
                frame = np.asarray(image.convert("RGB"))
                duration = image.info.get("duration") if self.animated else None
            except CompareError:
                raise
            except _DECODE_ERRORS as error:
                raise _unreadable(self.path, error) from None
            yield frame, None if duration is None else int(duration)


def read_animation(path: str | Path) -> Animation:
    """Every frame of a GIF, APNG, WebP or still image, composed as a viewer shows it, in RGB, all in memory
    (within the limits above; :func:`compare_files` reads frame by frame instead)."""
    with AnimationReader(path) as reader:
        frames, durations = [], []
        for frame, duration in reader:
            frames.append(frame)
            durations.append(duration)
    return Animation(np.stack(frames), tuple(durations))


def frame_rms(expected: np.ndarray, actual: np.ndarray) -> float:
    """Root mean square of the per-channel differences, on a 0-255 scale.

    Summed exactly in integers, a band of rows at a time, so a large frame costs a few MB rather than
    three float64 copies of itself."""
    height = expected.shape[0]
    rows = max(1, _RMS_BAND // max(1, expected[:1].size))
    total = 0
    for top in range(0, height, rows):
        difference = expected[top:top + rows].astype(np.int32) - actual[top:top + rows].astype(np.int32)
        total += int(np.square(difference).sum(dtype=np.int64))
    return float(math.sqrt(total / expected.size)) if expected.size else 0.0


@dataclass(frozen=True)
class Comparison:
    """The outcome: ``matches``, a one-line ``message``, the RMS of every frame compared, and the first
    differing frame (``None`` when the frames match or could not be compared)."""

    matches: bool
    message: str
    rms: tuple[float, ...] = ()
    first_bad: int | None = None


Frames = Iterable[tuple[np.ndarray, "int | None"]]


def _compare_frames(counts: tuple[int, int], sizes: tuple[tuple[int, int], tuple[int, int]], expected: Frames,
                    actual: Frames, tolerance: float) -> Comparison:
    """The rules of the module docstring, applied to two streams of ``(frame, duration)`` pairs: two frames
    are held at a time, and the outcome is the one all frames decoded at once would give."""
    if counts[0] != counts[1]:
        return Comparison(False, f"frame counts differ: {counts[0]} expected, {counts[1]} actual")
    if sizes[0] != sizes[1]:
        return Comparison(False, f"frame sizes differ: {sizes[0][0]}x{sizes[0][1]} expected, "
                                 f"{sizes[1][0]}x{sizes[1][1]} actual")
    values: list[float] = []
    for index, ((want, want_ms), (got, got_ms)) in enumerate(zip(expected, actual, strict=True)):
        if want_ms != got_ms:  # durations are checked before pixels: this is the answer
            return Comparison(False, f"frame {index} lasts {got_ms} ms, expected {want_ms} ms", first_bad=index)
        if want.shape != got.shape:  # a frame that outgrew its header's screen
            return Comparison(False, f"frame sizes differ: {want.shape[1]}x{want.shape[0]} expected, "
                                     f"{got.shape[1]}x{got.shape[0]} actual (frame {index})", first_bad=index)
        values.append(frame_rms(want, got))
    rms = tuple(values)
    bad = [i for i, value in enumerate(rms) if value > tolerance]
    if bad:
        first = bad[0]
        return Comparison(False, f"frame {first} differs: RMS {rms[first]:.2f} > tolerance {tolerance:g} "
                                 f"({len(bad)} of {len(rms)} frames differ)", rms, first)
    return Comparison(True, f"{len(rms)} frames match (largest RMS {max(rms):.2f} <= {tolerance:g})", rms)


def compare(expected: Animation, actual: Animation, tolerance: float = DEFAULT_TOLERANCE) -> Comparison:
    """Compare two decoded animations (see the module docstring for the rules)."""
    return _compare_frames((len(expected.frames), len(actual.frames)), (expected.size, actual.size),
                           zip(expected.frames, expected.durations, strict=True),
                           zip(actual.frames, actual.durations, strict=True), tolerance)


def _check_tolerance(tolerance: float) -> None:
    if not (math.isfinite(tolerance) and tolerance >= 0):
        raise CompareError(f"tolerance must be a finite number >= 0, got {tolerance!r}")


def compare_files(expected: str | Path, actual: str | Path, tolerance: float = DEFAULT_TOLERANCE) -> Comparison:
    """Compare two files frame by frame, in memory that does not grow with the number of frames; files
    whose headers are past :data:`MAX_SIDE`, :data:`MAX_FRAME_PIXELS` or :data:`MAX_TOTAL_PIXELS`, or that
    are not readable, truncated or corrupt, raise :class:`CompareError`."""
    _check_tolerance(tolerance)
    with AnimationReader(expected) as want, AnimationReader(actual) as got:
        return _compare_frames((want.count, got.count), (want.size, got.size), want, got, tolerance)


def diff_image(expected: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Expected | actual | the difference amplified ×10 (black where equal), side by side."""
    difference = np.abs(expected.astype(np.int16) - actual.astype(np.int16)) * AMPLIFY
    amplified = np.clip(difference, 0, 255).astype(np.uint8)
    gap = np.full((expected.shape[0], 4, 3), 128, dtype=np.uint8)
    return np.concatenate([expected, gap, actual, gap, amplified], axis=1)


def write_diff(expected: str | Path, actual: str | Path, target: str | Path, frame: int | None = None) -> Path:
    """Save the diff image of ``frame`` (default: the frame with the largest difference) as PNG."""
    from ..support.atomic import atomic_path

    with AnimationReader(expected) as want, AnimationReader(actual) as got:
        a, b = _pick_pair(want, got, frame)
    if a.shape != b.shape:  # different sizes: pad both to the larger one
        height, width = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
        a, b = (np.pad(x, ((0, height - x.shape[0]), (0, width - x.shape[1]), (0, 0))) for x in (a, b))
    target = Path(target)
    with atomic_path(target) as temporary:
        Image.fromarray(diff_image(a, b)).save(temporary, format="PNG")
    return target


def _pick_pair(want: AnimationReader, got: AnimationReader, frame: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Frame ``frame`` of both files, or (``None``) the pair with the largest RMS when the sizes agree, else
    the first pair; read frame by frame, keeping the best pair so far."""
    pairs = ((a, b) for (a, _), (b, _) in zip(want, got, strict=False))
    if frame is None and want.size != got.size:
        frame = 0
    if frame is not None:
        for index, pair in enumerate(pairs):
            if index == frame:
                return pair
        raise CompareError(f"no frame {frame} in both {want.path} and {got.path}")
    best, best_rms = None, -1.0
    for a, b in pairs:
        value = frame_rms(a, b) if a.shape == b.shape else math.inf
        if value > best_rms:
            best, best_rms = (a, b), value
    if best is None:
        raise CompareError(f"no frame in both {want.path} and {got.path}")
    return best
