"""The frame checker: every frame of a scene, as its view draws it, against what a clean frame is.

It reads the view's own geometry frame by frame (``view.geometry(i)``, :mod:`trajectories.render.geometry`:
display extents of heads, paths, exit marks and every text, line widths, 3-D cameras), without drawing or
encoding a frame, and the animation's timing as the pipeline writes it. A clean animation has:

- ``outside``: every head (and ring) inside its plot, every exit mark on its edge, every dot inside;
- ``after-exit``: no path drawn past the point where it leaves its plot (a path ends inside it);
- ``width``: strokes at most :data:`STROKE_CAP` times a lone path's width, and wider than a lone path only
  where later paths truly run along it (cover :data:`COVER` of its length), by at most
  :data:`RING_ALLOWANCE` pixels for each;
- ``text-cut``, ``text-overlap``, ``text-over-mark``, ``text-size``: every text (titles, legends, counters,
  exit labels, captions, axis and tick labels) inside the frame, overlapping no other text and no head or
  exit mark, at least :data:`MIN_TEXT` pixels high (its font size at the frame's own size);
- ``mark-size``: heads and exit marks at least :data:`MIN_MARK` pixels across;
- ``cramped``: every plot and panel at least :data:`MIN_AREA` pixels high and wide;
- ``hidden-head``: in 3-D, each racer's head seen (not a ring behind the surface) in :data:`MOST` of the
  frames it is in, unless the scene says why (``waivers``);
- ``pace``: a turning 3-D camera turns at most :data:`MAX_TURN` degrees a frame;
- ``moment``: each moment of the story (an exit, a pause: :mod:`trajectories.render.moments`) on screen at
  least :data:`MOMENT` seconds; ``too-quick``: the animation plays :data:`MIN_PLAY` seconds before its
  last frame.

:func:`check_scene` returns the findings; ``trajectories check SCENE...`` prints one line each and exits 1
(0 when clean); the pytest fixture ``frame_check`` fails a test with them.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..options import FRAME_CHECKS

if TYPE_CHECKING:
    from ..scene_protocol import SceneValue

SLACK = 1.0
"""Pixels a mark's centre or a path's end may stray past its plot's edge (antialiasing, rounding)."""
MIN_TEXT = 8.0
MIN_MARK = 8.0
MIN_AREA = 100.0
STROKE_CAP = 3.0
COVER = 0.5
RING_ALLOWANCE = 3.0
MOST = 0.75
MAX_TURN = 3.0
MOMENT = 1.0
MIN_PLAY = 3.0

CHECKS = FRAME_CHECKS
"""Every check's name, as findings and ``waivers`` name them."""


@dataclass(frozen=True)
class Finding:
    """What check ``check`` found in scene ``scene``: ``message``, in ``frames`` (empty: the whole
    animation)."""

    scene: str
    check: str
    message: str
    frames: tuple[int, ...] = ()

    def line(self) -> str:
        """``"scene: frames 43-54, 70-81: head of GD is outside the plot ... [outside]"``."""
        where = f" {frame_ranges(self.frames)}:" if self.frames else ""
        return f"{self.scene}:{where} {self.message} [{self.check}]"


def frame_ranges(frames: Sequence[int]) -> str:
    """``"frame 3"`` or ``"frames 43-54, 70-81"``.

    >>> frame_ranges([43, 44, 45, 70]), frame_ranges([3])
    ('frames 43-45, 70', 'frame 3')
    """
    runs: list[list[int]] = []
    for frame in sorted(frames):
        if runs and frame == runs[-1][1] + 1:
            runs[-1][1] = frame
        else:
            runs.append([frame, frame])
    parts = [f"{a}" if a == b else f"{a}-{b}" for a, b in runs]
    return f"frame{'s' if len(frames) > 1 else ''} {', '.join(parts)}"


class Findings:
    """Problems gathered frame by frame, one finding per (check, subject) with every frame it is in."""

    def __init__(self, scene: str) -> None:
        self.scene = scene
        self.found: dict[tuple[str, str], tuple[str, list[int]]] = {}

    def add(self, check: str, subject: str, message: str, frame: int | None = None) -> None:
        _, frames = self.found.setdefault((check, subject), (message, []))
        if frame is not None:
            frames.append(frame)

    def result(self, waived: Iterable[str] = ()) -> list[Finding]:
        skip = set(waived)
        return [Finding(self.scene, check, message, tuple(frames))
                for (check, _), (message, frames) in self.found.items() if check not in skip]


# -- geometry -------------------------------------------------------------------------------------------

def _inside(point: Sequence[float], box: Sequence[float], slack: float = SLACK) -> bool:
    x, y = point
    left, top, right, bottom = box
    return left - slack <= x <= right + slack and top - slack <= y <= bottom + slack


def _rounded(box: Sequence[float]) -> str:
    return "({:.0f}, {:.0f}, {:.0f}, {:.0f})".format(*box)


def resample(points: np.ndarray, spacing: float = 1.0) -> np.ndarray:
    """Points every ``spacing`` pixels along the polyline ``points`` ``(n, 2)`` (its vertices included)."""
    points = points[np.isfinite(points).all(axis=1)]
    if len(points) < 2:
        return points
    found = [points[:1]]
    for a, b in itertools.pairwise(points):
        length = float(np.hypot(*(b - a)))
        count = max(1, int(np.ceil(length / spacing)))
        t = np.arange(1, count + 1)[:, None] / count
        found.append(a + t * (b - a))
    return np.concatenate(found)


def distances_to(points: np.ndarray, polyline: np.ndarray) -> np.ndarray:
    """Each of ``points`` ``(m, 2)``'s distance to the polyline ``(n, 2)`` (infinite without one)."""
    line = polyline[np.isfinite(polyline).all(axis=1)]
    if len(points) == 0:
        return np.empty(0)
    if len(line) == 0:
        return np.full(len(points), np.inf)
    if len(line) == 1:
        return np.hypot(*(points - line[0]).T)
    a, b = line[:-1][None, :, :], line[1:][None, :, :]
    p = points[:, None, :]
    ab = b - a
    length2 = (ab**2).sum(axis=-1)
    t = np.clip(((p - a) * ab).sum(axis=-1) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
    nearest = a + t[..., None] * ab
    return np.sqrt(((p - nearest) ** 2).sum(axis=-1)).min(axis=1)


def covered_share(stroke: Any, other: Any) -> float:
    """The share of ``stroke``'s drawn length that ``other`` (drawn over it) covers."""
    samples = resample(stroke.points)
    if len(samples) < 2:
        return 0.0
    return float(np.mean(distances_to(samples, other.points) <= other.width / 2 + 0.5))


def _overlap(a: Sequence[float], b: Sequence[float]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return min(width, height) if width > 0 and height > 0 else 0.0


def _disc_in_box(center: Sequence[float], radius: float, box: Sequence[float]) -> bool:
    x = min(max(center[0], box[0]), box[2])
    y = min(max(center[1], box[1]), box[3])
    return float(np.hypot(center[0] - x, center[1] - y)) < radius - 0.5


def check_frame(geometry: Any, findings: Findings) -> None:
    """The checks of one frame's geometry (:class:`~trajectories.render.geometry.FrameGeometry`)."""
    index, (width, height) = geometry.index, geometry.size
    areas = geometry.areas
    for area in areas:
        left, top, right, bottom = area.box
        if min(right - left, bottom - top) < MIN_AREA:
            findings.add("cramped", area.name, f"the {area.name} is {right - left:.0f}×{bottom - top:.0f} px, under "
                         f"{MIN_AREA:.0f} px a side", index)
    for mark in geometry.marks:
        box = areas[mark.area].box
        if not _inside(mark.center, box):
            where = "on the edge of" if mark.kind == "exit" else "inside"
            findings.add("outside", mark.what, f"{mark.what} at ({mark.center[0]:.0f}, {mark.center[1]:.0f}) is not "
                         f"{where} its plot {_rounded(box)}", index)
        if 2 * mark.radius < MIN_MARK - 1e-9:
            findings.add("mark-size", mark.what, f"{mark.what} is {2 * mark.radius:.1f} px across, under "
                         f"{MIN_MARK:.0f}", index)
    for dots in geometry.dots:
        left, top, right, bottom = areas[dots.area].box
        x, y = dots.centers[:, 0], dots.centers[:, 1]
        with np.errstate(invalid="ignore"):
            out = np.isfinite(x) & ~((x >= left - SLACK) & (x <= right + SLACK) & (y >= top - SLACK)
                                     & (y <= bottom + SLACK))
        if out.any():
            findings.add("outside", dots.what, f"{int(out.sum())} {dots.what} outside their plot", index)
    for stroke in geometry.strokes:
        points = stroke.points[np.isfinite(stroke.points).all(axis=1)]
        box = areas[stroke.area].box
        if len(points) and not _inside(points[-1], box):
            findings.add("after-exit", stroke.what, f"{stroke.what} is drawn on past its plot's edge, to "
                         f"({points[-1][0]:.0f}, {points[-1][1]:.0f}); plot {_rounded(box)}", index)
        if stroke.width > STROKE_CAP * stroke.base + 1e-6:
            findings.add("width", stroke.what, f"{stroke.what} is {stroke.width:.1f} px wide, over {STROKE_CAP:g} × "
                         f"{stroke.base:.1f} px", index)
    texts = geometry.texts
    for text in texts:
        left, top, right, bottom = text.box
        if left < -0.5 or top < -0.5 or right > width + 0.5 or bottom > height + 0.5:
            findings.add("text-cut", text.what, f"{text.what} {_rounded(text.box)} is cut off by the frame "
                         f"({width}×{height})", index)
        if text.size < MIN_TEXT - 1e-9:
            findings.add("text-size", text.what, f"{text.what} is {text.size:.1f} px high, under {MIN_TEXT:.0f}",
                         index)
    boxes = np.array([t.box for t in texts], dtype=float).reshape(-1, 4)
    if len(boxes) > 1:
        w = np.minimum(boxes[:, None, 2], boxes[None, :, 2]) - np.maximum(boxes[:, None, 0], boxes[None, :, 0])
        h = np.minimum(boxes[:, None, 3], boxes[None, :, 3]) - np.maximum(boxes[:, None, 1], boxes[None, :, 1])
        clash = np.triu((w > 0.5) & (h > 0.5), k=1)
        for a, b in zip(*np.nonzero(clash), strict=True):
            first, second = texts[a], texts[b]
            findings.add("text-overlap", f"{first.what} | {second.what}", f"{first.what} {_rounded(first.box)} "
                         f"overlaps {second.what} {_rounded(second.box)}", index)
    for mark in geometry.marks:
        for text in texts:
            if _disc_in_box(mark.center, mark.radius, text.box):
                findings.add("text-over-mark", f"{text.what} | {mark.what}", f"{text.what} {_rounded(text.box)} "
                             f"covers the {mark.what}", index)


def check_widths(geometry: Any, findings: Findings) -> None:
    """Strokes wider than a lone path must be run along by later paths, :data:`RING_ALLOWANCE` a path."""
    strokes = geometry.strokes
    for k, stroke in enumerate(strokes):
        if stroke.width <= stroke.base + 0.5:
            continue
        along = [other.what for other in strokes[k + 1:]
                 if other.area == stroke.area and covered_share(stroke, other) >= COVER]
        allowed = stroke.base + RING_ALLOWANCE * len(along)
        if stroke.width > allowed + 0.5:
            who = f"only {', '.join(along)} run{'s' if len(along) == 1 else ''} along it" if along else \
                "no later path runs along it"
            findings.add("width", stroke.what + " (along)", f"{stroke.what} is {stroke.width:.1f} px wide where a lone "
                         f"path is {stroke.base:.1f} px, but {who} (allowed {allowed:.1f} px)", geometry.index)


# -- the animation ----------------------------------------------------------------------------------------

def check_heads_seen(seen: dict[tuple[int, str], list[bool]], findings: Findings) -> None:
    """3-D: each racer's head seen (not a ring) in :data:`MOST` of the frames it shows in."""
    for (_, what), flags in seen.items():
        count = sum(flags)
        if flags and count < MOST * len(flags):
            findings.add("hidden-head", what, f"the {what} is seen in {count} of its {len(flags)} frames, a ring "
                         f"behind the surface in the rest (at least {MOST:.0%} wanted)")


def check_timing(delays: Sequence[int], moments: Sequence[Any], cameras: list[tuple], hold: float,
                 findings: Findings) -> None:
    """Moments held, the animation long enough, the 3-D camera slow enough."""
    exits: dict[int, list[str]] = {}
    for moment in moments:
        if moment.kind == "exit":
            exits.setdefault(moment.frame, []).append(moment.what.split(" leaves at ")[0])
    for frame, who in exits.items():
        if len(set(who)) > 1:
            findings.add("moment", f"together {frame}", f"{' and '.join(sorted(set(who)))} leave in the same frame: "
                         "which left first shows only in text", frame)
    for moment in moments:
        if delays[moment.frame] < 100 * MOMENT:
            hint = "add 'exits' to the scene's pauses" if moment.kind == "exit" else "a longer pause"
            shown = delays[moment.frame] / 100
            findings.add("moment", moment.what, f"the moment '{moment.what}' is on screen {shown:g} s, under "
                         f"{MOMENT:g} s ({hint})", moment.frame)
    played = (sum(delays) - round(100 * hold)) / 100
    if len(delays) > 1 and played < MIN_PLAY:
        findings.add("too-quick", "", f"the animation plays {played:g} s before its last frame, under {MIN_PLAY:g} s")
    turns: dict[int, list[tuple[int, float]]] = {}
    for index in range(1, len(cameras)):
        for panel, (before, now) in enumerate(zip(cameras[index - 1], cameras[index], strict=True)):
            turn = abs(now[1] - before[1]) + abs(now[0] - before[0])
            if turn > MAX_TURN + 1e-9:
                turns.setdefault(panel, []).append((index, turn))
    for panel, found in turns.items():
        largest = max(turn for _, turn in found)
        for index, _ in found:
            findings.add("pace", f"camera {panel}", f"the 3-D camera of panel {panel + 1} turns up to {largest:g}° a "
                         f"frame, over {MAX_TURN:g}°", index)


def waivers_of(scene: SceneValue) -> dict[str, str]:
    """The checks ``scene`` (or any of its panels) is exempt from, with its reasons."""
    found: dict[str, str] = {}
    for item in [scene, *scene.races()]:
        found.update(dict(item.waivers or {}))
    return found


def check_view(scene: SceneValue, view: Any, frames: Iterable[int] | None = None) -> list[Finding]:
    """Check ``view`` (drawing ``scene``) in ``frames`` (default: every frame) and its timing."""
    from .stages import animation_delays, view_moments

    findings = Findings(scene.name)
    describe = getattr(view, "geometry", None)
    count = len(view.steps_shown)
    if describe is None:
        findings.add("geometry", "", f"its view ({type(view).__name__}) does not describe its frames (geometry)")
        return findings.result()
    chosen = range(count) if frames is None else sorted(set(frames))
    widths_at = {count - 1, *(k * (count - 1) // 4 for k in range(1, 4))}  # quarters, and the whole paths
    seen: dict[tuple[int, str], list[bool]] = {}
    cameras = []
    for index in chosen:
        geometry = describe(index)
        check_frame(geometry, findings)
        if index in widths_at:
            check_widths(geometry, findings)
        for mark in geometry.marks:
            if mark.kind in ("head", "ring") and geometry.cameras:
                seen.setdefault((mark.racer, mark.what), []).append(mark.kind == "head")
        cameras.append(geometry.cameras)
    check_heads_seen(seen, findings)
    check_timing(animation_delays(scene, view), view_moments(view), cameras if frames is None else [],
                 scene.timing.hold, findings)
    return findings.result(waivers_of(scene))


def check_scene(scene: SceneValue, frames: Iterable[int] | None = None) -> list[Finding]:
    """Every finding of the frame checker in ``scene`` (see the module's documentation): its view built
    at its own size, with text, and every frame (or ``frames``) described, none drawn."""
    from ..compute.paths import compute_paths
    from ..render.registry import make_view

    view = make_view(scene, compute_paths(scene))
    try:
        return check_view(scene, view, frames)
    finally:
        view.close()
