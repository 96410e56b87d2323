"""The swarm view: every start as a small dot, one panel per optimizer, all moving together.

Each optimizer has its own panel of the surface (contours and minima, titled with its legend text in its
colour), so that swarms that settle on the same traps never hide one another; the loss panel under them
shows, per optimizer, the median of f − f* (or f) over the swarm and the band between its 10th and 90th
percentiles (a faint fill between dashed edges), up to the frame's step. Background, titles and the loss
panel's axes are drawn once; each frame stamps its dots straight into the frame buffer with numpy (a small
disc of pixels per particle), so that 10,000 particles cost about as much as 100. With ``trail="tail"``
or ``"fade"`` each particle also leaves its last ``tail`` positions as single pixels, blended half way
(``tail``) or rising from faint to half (``fade``) into the frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgb

from ..errors import RenderError
from ..style.text import race_title
from ..style.theme import get_theme
from .canvas import Backdrop, new_figure
from .contour import NoCounter, StepCounter, draw_field, draw_stars, style_axes
from .geometry import (
    Area,
    Dots,
    FrameGeometry,
    TextBox,
    axes_text_boxes,
    figure_text_boxes,
    frame_box,
    frame_points,
    pixels_per_point,
)
from .moments import Moment, declared_moments
from .side_panels import TOP
from .sprites import pixel_box

if TYPE_CHECKING:
    from ..compute.paths import ComputedPaths
    from ..scene_protocol import Race

BAND = (10, 90)
"""The percentiles of the loss panel's band."""


def dot_offsets(count: int, later: int = 0) -> np.ndarray:
    """The pixel offsets ``(k, 2)`` (row, column) of one particle's disc: larger for few particles, and
    2 pixels wider for each racer drawn ``later`` over it (a basin map's dots)."""
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


def swarm_boxes(count: int, loss: bool, size: tuple[int, int], dpi: float, ratio: float) -> tuple[list, Any]:
    """Figure fractions (left, bottom, width, height) of ``count`` panels side by side (each ``ratio`` times
    as high as wide) and of the loss panel under them (``None`` without one), laid out from the font sizes."""
    width, height = size
    point = dpi / 72 / height
    gap_x = 0.03
    floor = 30 * point if loss else 0.06  # the loss panel's tick labels and x label
    under = 30 * point  # the panels' x tick labels, and air
    top = TOP - 16 * point  # the panels' titles
    room = top - floor - (under if loss else 0.0)
    share = 0.6 if loss else 1.0
    across = (0.9 - gap_x * (count - 1)) / count  # each panel's most width, in fractions of the width
    side = min(across * width, share * room * height / ratio) / width  # the panel's width, fraction of the width
    tall = side * width * ratio / height
    left = 0.05 + (0.9 - count * side - gap_x * (count - 1)) / 2
    bottom = top - tall
    panels = [(left + k * (side + gap_x), bottom, side, tall) for k in range(count)]
    if not loss:
        return panels, None
    return panels, (0.09, floor, 0.86, bottom - under - floor)


class SwarmView:
    """Frames of a scene's swarm view; ``frame(i)`` returns an ``(H, W, 4)`` uint8 array."""

    parallel = False

    def __init__(self, scene: Race, paths: ComputedPaths, text: bool = True) -> None:
        if len(paths.panels) != 1:
            raise RenderError(f"{scene.name}: swarm panels side by side are not supported; use one scene per panel")
        panel = paths.panels[0]
        self.scene, self.text = panel.scene, text
        self.theme = get_theme(self.scene.look.theme)
        self.trajectories = list(panel.trajectories)
        self.timeline = panel.timeline
        self.steps_shown = self.timeline.values
        self.colors = self.scene.racer_colors(self.theme)
        self.figure, self.canvas = new_figure(self.scene.look.size, self.scene.look.dpi, self.theme.background, text)
        self._build()
        self.backdrop = Backdrop(self.canvas)
        self.counter = (StepCounter(self.figure, self.canvas, self.counter_axes, self.timeline.total, self.theme,
                                    "upper right", self.timeline.label) if text else NoCounter())
        height = self.figure.bbox.height
        self.clips = []
        for axes in self.plots:
            box = axes.get_window_extent()
            self.clips.append((round(height - box.y1), round(height - box.y0), round(box.x0), round(box.x1)))
        self.offsets = dot_offsets(len(self.scene.starts))
        self._marks: np.ndarray | None = None  # one flag per pixel of a frame (:meth:`_distinct`)
        self.dot_colors = np.array([[round(255 * c) for c in to_rgb(color)] for color in self.colors], dtype=np.int64)

    # -- the static part ----------------------------------------------------------------------------------

    def _build(self) -> None:
        scene, theme, figure = self.scene, self.theme, self.figure
        x0, x1, y0, y1 = scene.plot_window
        boxes, loss = swarm_boxes(len(scene.optimizers), scene.loss_panel, scene.look.size, scene.look.dpi,
                                  (y1 - y0) / (x1 - x0))
        self.plots = []
        for k, (racer, color, box) in enumerate(zip(scene.optimizers, self.colors, boxes, strict=True)):
            axes = figure.add_axes(box)
            style_axes(axes, theme)
            draw_field(axes, scene, theme)
            draw_stars(axes, scene, theme)
            axes.set_title(racer.legend_text(), fontsize=8, color=color, pad=3)
            if k:
                axes.tick_params(labelleft=False)
            self.plots.append(axes)
        title = race_title(scene, scene.surface.name.replace("_", " "))
        figure.text(0.5, 0.955, title, ha="center", va="center", fontsize=scene.look.title_size or 13,
                    color=theme.foreground)
        figure.text(0.5, 0.915, scene.surface.formula, ha="center", va="center", fontsize=8, color=theme.muted,
                    parse_math=False)
        self.counter_axes = figure.add_axes((0.72, TOP, 0.27, 0.04))
        self.counter_axes.set_axis_off()
        self.loss_axes = None
        if loss is not None:
            self.loss_axes = figure.add_axes(loss)
            style_axes(self.loss_axes, theme)
            self._build_loss_panel()

    def _build_loss_panel(self) -> None:
        theme, axes, scene = self.theme, self.loss_axes, self.scene
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
            axes.set_ylabel("f − f*", color=theme.muted, fontsize=8)
        else:
            pad = 0.05 * (high - low or 1.0)
            axes.set_ylim(low - pad, high + pad)
            axes.set_ylabel("f", color=theme.muted, fontsize=8)
        axes.set_xlim(0, scene.steps)
        axes.set_xlabel("step  (median —, 10 % and 90 % - -)", color=theme.muted, fontsize=8)
        axes.grid(True, color=theme.muted, alpha=0.2, linewidth=0.5)
        self.band_collection = PolyCollection([], facecolors=self.colors, alpha=0.12, edgecolors="none")
        edges = [color for color in self.colors for _ in range(2)]
        self.edge_collection = LineCollection([], colors=edges, linewidths=0.8, linestyles=(0, (3.0, 2.0)))
        self.median_collection = LineCollection([], colors=self.colors, linewidths=1.5)
        for artist in (self.band_collection, self.edge_collection, self.median_collection):
            axes.add_collection(artist, autolim=False)
            artist.set_animated(True)

    # -- frames -----------------------------------------------------------------------------------------

    def _stamp(self, buffer: np.ndarray, clip: tuple, points: np.ndarray, offsets: np.ndarray, color: np.ndarray,
               alpha: int | None = None) -> None:
        """Write ``color`` at the pixels of ``points`` (display coordinates) plus ``offsets``, inside the
        panel ``clip`` (top, bottom, left, right); blend with ``alpha`` (out of 256) when given. Pixels are
        addressed as one flat array of 32-bit RGBA words: one fancy-indexed write per frame and racer, whatever
        the particles. Particles on one pixel are one disc: converged swarms stamp a few discs, not thousands."""
        top, bottom, left, right = clip
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
        if not whole.all():  # discs that cross the panel's edge: pixel by pixel
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
        if self.loss_axes is None:
            return []
        polygons, edges, medians = [], [], []
        for band, step in zip(self.bands, racer_steps, strict=True):
            steps = np.arange(step + 1, dtype=np.float64)
            keep = np.isfinite(band[:, : step + 1]).all(axis=0)
            low, mid, high = band[:, : step + 1][:, keep]
            xs = steps[keep]
            polygons.append(np.column_stack([np.concatenate([xs, xs[::-1]]), np.concatenate([low, high[::-1]])])
                            if xs.size else np.empty((0, 2)))
            edges += [np.column_stack([xs, low]), np.column_stack([xs, high])]
            medians.append(np.column_stack([xs, mid]))
        self.band_collection.set_verts(polygons)
        self.edge_collection.set_segments(edges)
        self.median_collection.set_segments(medians)
        return [self.band_collection, self.edge_collection, self.median_collection]

    def positions(self, racer: int, step: int) -> np.ndarray:
        """Every particle of ``racer`` at ``step``, ``(starts, 2)`` in data coordinates."""
        trajectory = self.trajectories[racer]
        return trajectory.positions.reshape(len(trajectory.positions), -1, 2)[step]

    def frame(self, index: int) -> np.ndarray:
        """Frame ``index`` as an ``(H, W, 4)`` uint8 RGBA array (opaque; a fresh copy)."""
        self.backdrop.restore()
        for artist in self.update(index):
            self.figure.draw_artist(artist)
        buffer = np.asarray(self.canvas.buffer_rgba())
        single = np.zeros((1, 2), dtype=np.int64)
        tail = self.scene.trail_spec.tail if self.scene.trail_spec.trail in ("tail", "fade") else 0
        steps = self.timeline.steps[index]
        for racer, (axes, clip, step) in enumerate(zip(self.plots, self.clips, steps, strict=True)):
            transform, color = axes.transData, self.dot_colors[racer]
            for back in range(min(tail, step), 0, -1):  # oldest first
                weight = 128 if self.scene.trail_spec.trail == "tail" else 128 * (tail + 1 - back) // (tail + 1)
                self._stamp(buffer, clip, transform.transform(self.positions(racer, step - back)), single, color,
                            weight)
            self._stamp(buffer, clip, transform.transform(self.positions(racer, step)), self.offsets,
                        color.astype(np.uint8))
        for sprite in self.counter.sprites(self.steps_shown[index]):
            sprite.paste(buffer)
        return buffer.copy()

    # -- for the frame checker ----------------------------------------------------------------------------

    def moments(self) -> list[Moment]:
        """The scene's ``pauses`` (a swarm's particles have no exit marks)."""
        return declared_moments(self.scene, self.timeline)

    def geometry(self, index: int) -> FrameGeometry:
        """Frame ``index`` as :mod:`~trajectories.render.geometry` values: the panels, every racer's dots and
        every text."""
        figure, renderer = self.figure, self.canvas.get_renderer()
        steps = self.timeline.steps[index]
        areas = [Area(f"panel of {racer.label}", frame_box(axes.get_window_extent(), figure))
                 for racer, axes in zip(self.scene.optimizers, self.plots, strict=True)]
        radius = (np.ptp(self.offsets[:, 1]) + 1) / 2
        dots = [Dots(f"dots of {racer.label}", frame_points(axes.transData.transform(self.positions(k, step)),
                                                            figure), float(radius), k)
                for k, (racer, axes, step) in enumerate(zip(self.scene.optimizers, self.plots, steps, strict=True))]
        if self.loss_axes is not None:
            areas.append(Area("loss panel", frame_box(self.loss_axes.get_window_extent(), figure), "panel"))
        if getattr(self, "_still_texts", None) is None:  # the background's text never moves: measured once
            self._still_texts = figure_text_boxes(figure, renderer)
            for racer, axes in zip(self.scene.optimizers, self.plots, strict=True):
                self._still_texts += axes_text_boxes(axes, renderer, figure, f"panel of {racer.label}")
            if self.loss_axes is not None:
                self._still_texts += axes_text_boxes(self.loss_axes, renderer, figure, "loss panel")
        texts = list(self._still_texts)
        counter = self.counter.sprites(self.steps_shown[index])
        if counter:
            texts.append(TextBox("step counter", counter[0].box, 8 * pixels_per_point(figure)))
        return FrameGeometry(index, tuple(self.scene.look.size), tuple(areas), texts=tuple(texts), dots=tuple(dots))

    def text_boxes(self, index: int) -> list[tuple[str, tuple[int, int, int, int]]]:
        """Every text block of frame ``index`` as ``(what, (left, top, right, bottom))`` pixels: the title,
        the formula, the panels' titles and the step counter (for tests that nothing overlaps)."""
        renderer = self.canvas.get_renderer()
        boxes = [(f"title {t.get_text()!r}", pixel_box(t.get_window_extent(renderer), self.figure))
                 for t in self.figure.texts if t.get_text()]
        boxes += [(f"panel title {axes.title.get_text()!r}", pixel_box(axes.title.get_window_extent(renderer),
                                                                        self.figure)) for axes in self.plots]
        counter = self.counter.sprites(self.steps_shown[index])
        if counter:
            boxes.append(("step counter", counter[0].box))
        return boxes

    def reserved_colors(self) -> list[tuple[int, int, int]]:
        """Colours that must come out exactly: the optimizers', the text's and the background's."""
        theme = self.theme
        colors = [*self.colors, theme.foreground, theme.background, theme.muted, theme.minimum_color]
        return [tuple(round(255 * c) for c in to_rgb(color)) for color in colors]

    def close(self) -> None:
        self.figure.clear()
