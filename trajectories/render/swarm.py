"""The swarm view: every start as a small dot, one colour per optimizer, all moving together.

It is the contour view (:mod:`.contour`: background, legend, step counter and loss panel drawn the same
way) with its moving part replaced: instead of matplotlib paths and markers, each frame stamps its dots
straight into the frame buffer with numpy (a small disc of pixels per particle, the racers in order, the
last on top), so that 10,000 particles cost about as much as 100. With ``trail="tail"`` or ``"fade"``
each particle also leaves its last ``tail`` positions as single pixels, blended half way (``tail``) or
rising from faint to half (``fade``) into the frame.

The loss panel shows, per optimizer, the median of f − f* (or f) over the swarm and the band between its
10th and 90th percentiles, up to the frame's step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgb

from ..errors import RenderError
from .contour import ContourView

if TYPE_CHECKING:
    from ..paths import ComputedPaths

BAND = (10, 90)
"""The percentiles of the loss panel's band."""


def dot_offsets(count: int, later: int = 0) -> np.ndarray:
    """The pixel offsets ``(k, 2)`` (row, column) of one particle's disc: larger for few particles, and
    2 pixels wider for each racer drawn ``later`` over it, so that particles of several racers at one
    place show as rings of every colour."""
    diameter = (5 if count <= 300 else 4 if count <= 3000 else 3) + 2 * later
    centre = (diameter - 1) / 2
    rows, columns = np.mgrid[0:diameter, 0:diameter]
    inside = (rows - centre) ** 2 + (columns - centre) ** 2 <= (diameter / 2) ** 2 - 0.25 * (diameter > 3)
    return np.stack([rows[inside], columns[inside]], axis=-1) - int(centre)


def percentiles(losses: np.ndarray, offset: float | None, floor: float | None) -> np.ndarray:
    """``(3, steps + 1)``: the low percentile, the median and the high percentile over the swarm at each
    step (of ``losses - offset`` clipped at ``floor`` when given); NaN where every path has diverged."""
    values = losses if offset is None else np.maximum(losses - offset, floor)
    finite = np.isfinite(values)
    result = np.full((3, values.shape[0]), np.nan)
    for t in range(values.shape[0]):
        row = np.sort(values[t][finite[t]])
        if row.size:  # percentiles by the nearest rank: sorting and indexing only, the same on every CPU
            picks = [max(0, -(-q * row.size // 100) - 1) for q in (BAND[0], 50, BAND[1])]
            result[:, t] = row[picks]
    return result


class SwarmView(ContourView):
    """Frames of a scene's swarm view; ``frame(i)`` returns an ``(H, W, 4)`` uint8 array."""

    def __init__(self, scene: Any, paths: ComputedPaths, text: bool = True) -> None:
        if len(paths.panels) != 1:
            raise RenderError(f"{scene.name}: swarm panels side by side are not supported; use one scene per panel")
        super().__init__(paths.panels[0], text)
        height = self.figure.bbox.height
        box = self.axes.get_window_extent()
        self.clip = (round(height - box.y1), round(height - box.y0), round(box.x0), round(box.x1))
        racers = len(self.trajectories)
        self.offsets = [dot_offsets(len(self.scene.starts), racers - 1 - i) for i in range(racers)]
        self._marks: np.ndarray | None = None  # one flag per pixel of a frame (:meth:`_distinct`)
        self.dot_colors = np.array([[round(255 * c) for c in to_rgb(color)] for color in self.colors], dtype=np.int64)

    # -- the static part: the contour view's, without start markers or paths ------------------------------

    def _draw_markers(self) -> None:
        theme, axes, window = self.theme, self.axes, self.scene.plot_window
        for point in self.scene.surface.minima:
            if window[0] <= point.x <= window[1] and window[2] <= point.y <= window[3]:
                glob = point.kind == "global"
                axes.plot(point.x, point.y, marker="*", markersize=13 if glob else 9, linestyle="none", zorder=4,
                          markerfacecolor=theme.minimum_color if glob else "none",
                          markeredgecolor=theme.minimum_color, markeredgewidth=0.8)

    def _build_moving_artists(self) -> None:
        self.path_colors = list(self.colors)
        self.exits = [[] for _ in self.trajectories]
        self.exit_order = []

    def _build_loss_panel(self) -> None:
        theme, axes, scene = self.theme, self.loss_axes, self.scene
        self._style_axes(axes)
        known = [p.value for p in scene.surface.global_minima]
        offset = min(known) if known and scene.loss_scale != "linear" else None
        finite = np.concatenate([t.losses[np.isfinite(t.losses)] for t in self.trajectories])
        floor = None
        if offset is not None and finite.size:
            gaps = finite - offset
            positive = gaps[gaps > 0]
            floor = max(float(positive.min()), float(positive.max()) * 1e-12) if positive.size else 1e-12
        self.bands = [percentiles(t.losses.reshape(len(t.losses), -1), offset, floor) for t in self.trajectories]
        shown = np.concatenate([b[np.isfinite(b)] for b in self.bands]) if self.bands else np.empty(0)
        low, high = (float(shown.min()), float(shown.max())) if shown.size else (1.0, 2.0)
        if offset is not None:
            axes.set_yscale("log")
            axes.set_ylim(low * 0.5, max(high, low * 10) * 2)
            axes.set_ylabel("f − f*  (median, 10–90 %)", color=theme.muted, fontsize=8)
        else:
            pad = 0.05 * (high - low or 1.0)
            axes.set_ylim(low - pad, high + pad)
            axes.set_ylabel("f  (median, 10–90 %)", color=theme.muted, fontsize=8)
        axes.set_xlim(0, scene.steps)
        axes.set_xlabel("step", color=theme.muted, fontsize=8)
        axes.grid(True, color=theme.muted, alpha=0.2, linewidth=0.5)
        self.band_collection = PolyCollection([], facecolors=self.colors, alpha=0.25, edgecolors="none")
        self.median_collection = LineCollection([], colors=self.colors, linewidths=1.5)
        for artist in (self.band_collection, self.median_collection):
            axes.add_collection(artist, autolim=False)
            artist.set_animated(True)

    # -- frames -----------------------------------------------------------------------------------------

    def _stamp(self, buffer: np.ndarray, points: np.ndarray, offsets: np.ndarray, color: np.ndarray,
               alpha: int | None = None) -> None:
        """Write ``color`` at the pixels of ``points`` (display coordinates) plus ``offsets``, inside the
        axes; blend with ``alpha`` (out of 256) when given. Pixels are addressed as one flat array of
        32-bit RGBA words: one fancy-indexed write per frame and racer, whatever the particles. Particles
        on one pixel are one disc: converged swarms stamp a few discs, not thousands."""
        top, bottom, left, right = self.clip
        height, width = buffer.shape[:2]
        finite = np.isfinite(points[:, 0]) & np.isfinite(points[:, 1])
        columns = np.floor(points[finite, 0]).astype(np.int64)
        rows = np.floor(height - points[finite, 1]).astype(np.int64)
        low, high = offsets.min(axis=0), offsets.max(axis=0)
        whole = (rows + low[0] >= top) & (rows + high[0] < bottom) & (columns + low[1] >= left) & (
            columns + high[1] < right)
        flat_offsets = offsets[:, 0] * width + offsets[:, 1]
        index = (self._distinct(rows[whole] * width + columns[whole], height * width)[:, None]
                 + flat_offsets[None, :]).ravel()
        if not whole.all():  # discs that cross the axes' edge: pixel by pixel
            rr = (rows[~whole][:, None] + offsets[None, :, 0]).ravel()
            cc = (columns[~whole][:, None] + offsets[None, :, 1]).ravel()
            inside = (rr >= top) & (rr < bottom) & (cc >= left) & (cc < right)
            index = np.concatenate([index, rr[inside] * width + cc[inside]])
        words = buffer.reshape(-1).view(np.uint32)
        if alpha is None:
            words[index] = np.frombuffer(bytes([*color.tolist(), 255]), dtype=np.uint32)[0]
            return
        pixels = buffer.reshape(-1, 4)
        old = pixels[index, :3].astype(np.int64)
        pixels[index, :3] = ((old * (256 - alpha) + color * alpha) >> 8).astype(np.uint8)

    def _distinct(self, pixels: np.ndarray, size: int) -> np.ndarray:
        """The distinct values of ``pixels`` (flat indices below ``size``), in increasing order: marked in
        an image of flags, read back, the flags cleared."""
        if len(pixels) < 64:
            return pixels
        if self._marks is None or self._marks.size != size:
            self._marks = np.zeros(size, dtype=bool)
        self._marks[pixels] = True
        distinct = np.flatnonzero(self._marks)
        self._marks[distinct] = False
        return distinct

    def update(self, index: int) -> list:
        """The loss panel's artists for frame ``index`` (the dots are stamped by :meth:`frame`)."""
        racer_steps = self.timeline.steps[index]
        self._steps = racer_steps
        if self.loss_axes is None:
            return []
        polygons, medians = [], []
        for band, step in zip(self.bands, racer_steps, strict=True):
            steps = np.arange(step + 1, dtype=np.float64)
            keep = np.isfinite(band[:, : step + 1]).all(axis=0)
            low, mid, high = band[:, : step + 1][:, keep]
            xs = steps[keep]
            polygons.append(np.column_stack([np.concatenate([xs, xs[::-1]]), np.concatenate([low, high[::-1]])])
                            if xs.size else np.empty((0, 2)))
            medians.append(np.column_stack([xs, mid]))
        self.band_collection.set_verts(polygons)
        self.median_collection.set_segments(medians)
        return [self.band_collection, self.median_collection]

    def frame(self, index: int) -> np.ndarray:
        """Frame ``index`` as an ``(H, W, 4)`` uint8 RGBA array (opaque; a fresh copy)."""
        self.backdrop.restore()
        for artist in self.update(index):
            self.figure.draw_artist(artist)
        buffer = np.asarray(self.canvas.buffer_rgba())
        transform = self.axes.transData
        single = np.zeros((1, 2), dtype=np.int64)
        tail = self.scene.tail if self.scene.trail in ("tail", "fade") else 0
        for racer, (trajectory, step) in enumerate(zip(self.trajectories, self._steps, strict=True)):
            positions = trajectory.positions.reshape(len(trajectory.positions), -1, 2)
            color = self.dot_colors[racer]
            for back in range(min(tail, step), 0, -1):  # oldest first
                weight = 128 if self.scene.trail == "tail" else 128 * (tail + 1 - back) // (tail + 1)
                self._stamp(buffer, transform.transform(positions[step - back]), single, color, weight)
            self._stamp(buffer, transform.transform(positions[step]), self.offsets[racer], color.astype(np.uint8))
        for sprite in self.text_sprites(index):
            sprite.paste(buffer)
        return buffer.copy()
