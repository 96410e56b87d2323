"""The basins view: every start of a grid coloured by the minimum its path reaches, one panel per optimizer.

Each panel is the window with the surface's contour lines and minima over a map of the grid's cells (for
starts that are not one grid, a dot at each start): a cell takes its target's colour from the step its
path arrived (:mod:`trajectories.compute.basins`), the diverged colour from the step it left the escape box, and,
on the last frame, the not-converged colour if neither happened. The map fills in as the steps pass; the
last frame (``--format png``) is the map.

Drawn once: the figure, the panels' frames, titles and legend (the background), and each panel's contour
lines and minimum stars (a sprite, captured over black and over white). Per frame the cells are written
straight into the frame buffer with numpy (a precomputed cell index per pixel), then the lines and the
step counter are pasted over them: no matplotlib draw at all.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.transforms import Bbox

from ..compute.starts import Grid
from ..errors import RenderError
from ..style.text import race_title
from ..style.theme import get_theme
from .canvas import Backdrop, new_figure
from .contour import NoCounter, StepCounter
from .geometry import Area, FrameGeometry, TextBox, axes_text_boxes, figure_text_boxes, frame_box, pixels_per_point
from .legend import LegendLayout, legend_artists
from .levels import contour_field
from .moments import Moment, declared_moments
from .sprites import Sprite, capture, pixel_box
from .swarm import dot_offsets

if TYPE_CHECKING:
    from ..compute.paths import ComputedPaths
    from ..scene_protocol import Race

TARGET_COLORS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#F0E442", "#D55E00", "#999933",
                 "#882255", "#44AA99")
"""Colours of the targets, in order (Okabe–Ito first, then Tol's muted), cycled past ten."""


def the_grid(scene: Race) -> Grid | None:
    """The scene's starts as one :class:`~trajectories.compute.starts.Grid`, or ``None`` when they are not."""
    sets = scene.start_sets or ()
    return sets[0] if not scene.start and len(sets) == 1 and isinstance(sets[0], Grid) else None


def _short(value: float) -> str:
    return "0" if abs(value) < 1e-9 else f"{value:.3g}"


def target_label(target: Any) -> str:
    """``"global (3, 2)"``, ``"local (-1.35, 0.205)"`` or, for a cluster of end points, ``"(1, 0)"``."""
    where = f"({_short(target.x)}, {_short(target.y)})"
    return where if target.kind == "cluster" else f"{target.kind} {where}"


def capture_within(figure: Any, canvas: Any, artists: list, box: Any) -> Sprite:
    """:func:`~trajectories.render.sprites.capture` of ``artists`` clipped to the display box ``box`` (a
    contour set's own extent is unbounded)."""
    proxy = _Boxed(box)
    sprite = capture(figure, canvas, [proxy], margin=0)
    buffer = np.asarray(canvas.buffer_rgba())
    h, w = sprite.keep.shape[:2]
    region = buffer[sprite.top:sprite.top + h, sprite.left:sprite.left + w, :3]
    saved = region.copy()
    layers = []
    for fill in (0, 255):
        region[...] = fill
        for artist in artists:
            figure.draw_artist(artist)
        layers.append(region.astype(np.float32))
    region[...] = saved
    keep = np.clip((layers[1] - layers[0]) / 255.0, 0.0, 1.0)
    return Sprite(sprite.top, sprite.left, layers[0], keep, 0)


class _Boxed:
    """An artist-like placeholder with a fixed extent, drawing nothing (to size a capture)."""

    def __init__(self, box: Any) -> None:
        self.box = box

    def get_window_extent(self, renderer: Any = None) -> Any:
        return self.box

    def draw(self, renderer: Any) -> None:
        return None

    def get_animated(self) -> bool:
        return True


class BasinsView:
    """Frames of a scene's basins view; ``frame(i)`` returns an ``(H, W, 4)`` uint8 array."""

    parallel = False

    def __init__(self, scene: Race, paths: ComputedPaths, text: bool = True) -> None:
        if len(paths.panels) != 1:
            raise RenderError(f"{scene.name}: basins panels side by side are not supported: the basins view "
                              "already draws one panel per optimizer")
        panel = paths.panels[0]
        self.scene, self.text = panel.scene, text
        self.grid = the_grid(self.scene)
        self.reductions = panel.reductions
        self.timeline = panel.timeline
        self.steps_shown = self.timeline.values
        self.theme = get_theme(self.scene.look.theme)
        targets = self.reductions[0].targets if self.reductions else ()
        self.labels = [target_label(t) for t in targets] + ["diverged", "not converged"]
        self.colors = [TARGET_COLORS[k % len(TARGET_COLORS)] for k in range(len(targets))]
        self.colors += [self.theme.foreground, self.theme.muted]
        palette = np.array([[round(255 * c) for c in to_rgb(color)] for color in self.colors], dtype=np.uint8)
        self.palette = palette
        self.figure, self.canvas = new_figure(self.scene.look.size, self.scene.look.dpi, self.theme.background, text)
        self._build()
        self.backdrop = Backdrop(self.canvas)
        self._capture()
        self.shading = self.shades()

    # -- the static part --------------------------------------------------------------------------------

    def _build(self) -> None:
        scene, theme, figure = self.scene, self.theme, self.figure
        count = len(scene.optimizers)
        width, height = scene.look.size
        dpi = scene.look.dpi
        legend = LegendLayout(tuple(self.labels), tuple(self.colors), 7.5, dpi, len(self.labels)).fitted(0.96 * width)
        legend_rows = legend.height / height
        point = dpi / 72  # pixels
        ticks = 18 * point  # tick labels under the panels and left of the first one (7 points, and their pads)
        top, bottom = 0.84, 0.06 + legend_rows + 0.02 + ticks / height
        gap, left = 0.02, 0.02 + 1.4 * ticks / width
        panel_width = (0.98 - left - gap * (count - 1)) / count
        field = contour_field(scene.surface, scene.plot_window)
        x0, x1, y0, y1 = scene.plot_window
        self.axes, self.overlays = [], []
        for i, racer in enumerate(scene.optimizers):
            axes = figure.add_axes((left + i * (panel_width + gap), bottom, panel_width, top - bottom))
            axes.set_facecolor(theme.background)
            axes.tick_params(colors=theme.muted, labelsize=7, length=3, labelleft=i == 0)
            axes.locator_params(nbins=5)
            for spine in axes.spines.values():
                spine.set_color(theme.muted)
                spine.set_linewidth(0.6)
            lines = field.levels[len(field.levels) // 3:: 2] if field.scale == "log" else field.levels[::2]
            contours = axes.contour(field.xs, field.ys, field.values, levels=lines, colors=theme.contour_line,
                                    linewidths=0.5, alpha=max(0.5, theme.contour_line_alpha),
                                    negative_linestyles="solid")
            stars = [axes.plot(p.x, p.y, marker="*", markersize=11 if p.kind == "global" else 8, linestyle="none",
                               markerfacecolor=theme.minimum_color if p.kind == "global" else "none",
                               markeredgecolor=theme.minimum_color, markeredgewidth=0.8)[0]
                     for p in scene.surface.minima if x0 <= p.x <= x1 and y0 <= p.y <= y1]
            axes.set_xlim(x0, x1)
            axes.set_ylim(y0, y1)
            axes.set_aspect("equal", adjustable="box", anchor="N")
            for artist in [contours, *stars]:
                artist.set_animated(True)
            self.axes.append(axes)
            self.overlays.append([contours, *stars])
            axes.set_title(racer.legend_text(), fontsize=8.5, color=theme.foreground, pad=3)
        title = race_title(scene, f"{scene.surface.name.replace('_', ' ')}: basins")
        figure.text(0.5, 0.955, title, ha="center", va="center", fontsize=scene.look.title_size or 12,
                    color=theme.foreground)
        self.legend = legend_artists(legend, (width - legend.width) / 2, 0.05 * height + legend.height,
                                     line_width=6, face=None, edge=theme.muted, text_color=theme.foreground)
        for artist in self.legend:
            figure.add_artist(artist)
        self.counter_axes = figure.add_axes((0.7, 0.88, 0.28, 0.05))
        self.counter_axes.set_axis_off()

    def _capture(self) -> None:
        """The contour lines and stars of each panel as sprites; each panel's pixels and cell index."""
        self.overlay_sprites = [capture_within(self.figure, self.canvas, artists, axes.get_window_extent())
                                for artists, axes in zip(self.overlays, self.axes, strict=True)]
        for artists in self.overlays:
            for artist in artists:
                artist.remove()
        self.counter = (StepCounter(self.figure, self.canvas, self.counter_axes, self.timeline.total, self.theme,
                                    "upper right", self.timeline.label) if self.text else NoCounter())
        height = self.figure.bbox.height
        self.cells = []
        for axes in self.axes:
            box = axes.get_window_extent()
            left, right = round(box.x0) + 1, round(box.x1)  # inside the spines
            top, bottom = round(height - box.y1) + 1, round(height - box.y0)
            if self.grid is None:  # a dot per start: the pixels of each start's disc, and which start it is
                offsets = dot_offsets(len(self.scene.starts))
                centres = axes.transData.transform(np.asarray(self.scene.starts, dtype=np.float64).reshape(-1, 2))
                rr = (np.floor(height - centres[:, 1]).astype(np.int64)[:, None] + offsets[None, :, 0]).ravel()
                cc = (np.floor(centres[:, 0]).astype(np.int64)[:, None] + offsets[None, :, 1]).ravel()
                which = np.repeat(np.arange(len(centres)), len(offsets))
                inside = (rr >= top) & (rr < bottom) & (cc >= left) & (cc < right)
                self.cells.append((rr[inside], cc[inside], which[inside]))
                continue
            nx, ny = self.grid.nx, self.grid.ny
            columns = np.minimum(((np.arange(left, right) + 0.5 - box.x0) * nx // box.width).astype(np.int64), nx - 1)
            rows = np.minimum(((box.y1 - height + np.arange(top, bottom) + 0.5) * ny // box.height).astype(np.int64),
                              ny - 1)
            index = (ny - 1 - rows)[:, None] * nx + columns[None, :]  # grid rows count from the bottom
            self.cells.append((top, bottom, left, right, index))

    # -- frames -----------------------------------------------------------------------------------------

    def shades(self) -> list[np.ndarray | None]:
        """Per panel, each start's brightness out of 256 with ``basin_shading`` (``None`` without): 256 for
        a start converged at step 0, down to 96 for one that arrived at the last step, linear in
        ``log(1 + step)``. From a table of Python's ``math.log1p`` per step, never numpy's SIMD ``log``."""
        if not self.scene.look.basin_shading:
            return [None] * len(self.reductions)
        found = []
        for reduction in self.reductions:
            top = math.log1p(max(reduction.steps, 1))
            table = np.array([round(256 - 160 * math.log1p(s) / top) for s in range(reduction.steps + 1)],
                             dtype=np.int64)
            found.append(table[np.clip(reduction.converged_step, 0, reduction.steps)])
        return found

    def cell_states(self, index: int) -> list[np.ndarray]:
        """Per panel, each start's colour index in frame ``index`` (-1: not yet shown)."""
        steps = self.timeline.steps[index]
        last = index == len(self.steps_shown) - 1
        states = []
        targets = len(self.colors) - 2
        for reduction, step in zip(self.reductions, steps, strict=True):
            state = np.full(len(reduction.converged_to), -1, dtype=np.int64)
            arrived = (reduction.converged_to >= 0) & (reduction.converged_step <= step)
            state[arrived] = reduction.converged_to[arrived]
            gone = (reduction.diverged_step >= 0) & (reduction.diverged_step <= step)
            state[gone] = targets
            if last and step >= reduction.steps:
                state[state < 0] = targets + 1
            states.append(state)
        return states

    def frame(self, index: int) -> np.ndarray:
        """Frame ``index`` as an ``(H, W, 4)`` uint8 RGBA array (opaque; a fresh copy)."""
        self.backdrop.restore()
        buffer = np.asarray(self.canvas.buffer_rgba())
        targets = len(self.colors) - 2
        for cells, state, shade, overlay in zip(self.cells, self.cell_states(index), self.shading,
                                                self.overlay_sprites, strict=True):
            if len(cells) == 3:  # dots: (rows, columns, start of each pixel)
                rows, columns, which = cells
                where = (rows, columns)
            else:  # the cells of a grid
                top, bottom, left, right, which = cells
                where = (slice(top, bottom), slice(left, right))
            shown = state[which]
            mask = shown >= 0
            colours = self.palette[shown[mask]]
            if shade is not None:  # converged starts: darker the later they arrived (integer arithmetic)
                factor = np.where(shown[mask] < targets, shade[which][mask], 256)
                colours = ((colours.astype(np.int64) * factor[:, None]) >> 8).astype(np.uint8)
            region = buffer[where[0], where[1], :3]
            region[mask] = colours
            if len(cells) == 3:
                buffer[rows, columns, :3] = region
            overlay.paste(buffer)
        for sprite in self.counter.sprites(self.steps_shown[index]):
            sprite.paste(buffer)
        return buffer.copy()

    def text_boxes(self, index: int) -> list[tuple[str, tuple[int, int, int, int]]]:
        """Every text block of frame ``index`` as ``(what, (left, top, right, bottom))`` pixels: the title,
        the panels' titles, the legend and the step counter (for tests that nothing overlaps)."""
        renderer = self.canvas.get_renderer()
        boxes = [(f"title {t.get_text()!r}", pixel_box(t.get_window_extent(renderer), self.figure))
                 for t in self.figure.texts if t.get_text()]
        boxes += [(f"panel title {axes.title.get_text()!r}", pixel_box(axes.title.get_window_extent(renderer),
                                                                        self.figure)) for axes in self.axes]
        boxes.append(("legend", pixel_box(Bbox.union([a.get_window_extent(renderer) for a in self.legend]),
                                          self.figure)))
        counter = self.counter.sprites(0)
        if counter:
            boxes.append(("step counter", counter[0].box))
        return boxes

    def geometry(self, index: int) -> FrameGeometry:
        """Frame ``index`` as :mod:`~trajectories.render.geometry` values: the panels and every text."""
        figure, renderer = self.figure, self.canvas.get_renderer()
        areas = [Area(f"panel of {racer.label}", frame_box(axes.get_window_extent(), figure))
                 for racer, axes in zip(self.scene.optimizers, self.axes, strict=True)]
        if getattr(self, "_still_texts", None) is None:  # the background's text never moves: measured once
            self._still_texts = figure_text_boxes(figure, renderer)
            for racer, axes in zip(self.scene.optimizers, self.axes, strict=True):
                self._still_texts += axes_text_boxes(axes, renderer, figure, f"panel of {racer.label}")
        texts = list(self._still_texts)
        counter = self.counter.sprites(self.steps_shown[index])
        if counter:
            texts.append(TextBox("step counter", counter[0].box, 8 * pixels_per_point(figure)))
        return FrameGeometry(index, tuple(self.scene.look.size), tuple(areas), texts=tuple(texts))

    def moments(self) -> list[Moment]:
        """The scene's ``pauses`` (a basin map has no exits)."""
        return declared_moments(self.scene, self.timeline)

    def reserved_colors(self) -> list[tuple[int, int, int]]:
        """The targets', diverged and not-converged colours, and the text's and background's."""
        theme = self.theme
        extra = [theme.foreground, theme.background, theme.muted, theme.minimum_color]
        return [tuple(int(v) for v in row) for row in self.palette] + [
            tuple(round(255 * c) for c in to_rgb(color)) for color in extra]

    def close(self) -> None:
        self.figure.clear()
