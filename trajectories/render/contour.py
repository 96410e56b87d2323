"""The 2-D contour view: a static background drawn once, and only the moving artists drawn per frame.

The figure is built with matplotlib's object API (``Figure`` + Agg canvas, no pyplot). Every artist that
changes between frames is *animated*: it is left out of the background and drawn on top of a copy of it
for each frame (blitting). The frame size is fixed by ``size`` and ``dpi``: no tight bounding boxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from ..style.palette import readable
from ..style.text import race_title
from ..style.theme import Theme, get_theme
from ..surfaces.analytic import Array
from .canvas import Backdrop, new_figure
from .geometry import (
    Area,
    FrameGeometry,
    Mark,
    Stroke,
    TextBox,
    axes_text_boxes,
    figure_text_boxes,
    frame_box,
    frame_points,
    pixels_per_point,
)
from .legend import LegendLayout, legend_artists
from .levels import contour_field
from .moments import Moment, declared_moments, exit_moment
from .overlays import OverlayLayer
from .side_panels import TOP, LearningRatePanel, PanelBoxes, StatePanel, contour_boxes
from .sprites import Sprite, capture, pixel_box
from .stripes import stacked_widths, widths_by_frame

if TYPE_CHECKING:
    from ..compute.paths import PanelPaths

# corners of the axes, in axes fractions: (x, y, horizontal alignment, vertical alignment, legend loc)
CORNERS = {
    "upper right": (0.985, 0.985, "right", "top"),
    "upper left": (0.015, 0.985, "left", "top"),
    "lower left": (0.015, 0.015, "left", "bottom"),
    "lower right": (0.985, 0.015, "right", "bottom"),
}

CORNER_CHUNK = 65_536
"""Path points counted at once for the corners (their temporary arrays stay in a core's cache)."""


@dataclass(frozen=True)
class Exit:
    """Where a path leaves the window for good: the step, and the point on the window's edge; or, for a
    path that went non-finite inside the window (``diverged``), its last point."""

    step: int
    point: tuple[float, float]
    diverged: bool


def find_exit(positions: Array, window: tuple[float, float, float, float], diverged_step: int) -> Exit | None:
    """The exit of one path ``(steps + 1, 2)``, if its last valid point is outside the window or it diverged."""
    x0, x1, y0, y1 = window
    valid = np.isfinite(positions).all(axis=1)
    x, y = positions[:, 0], positions[:, 1]
    inside = valid & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    last_valid = int(np.flatnonzero(valid)[-1])
    if inside[last_valid] and diverged_step < 0:
        return None
    last_inside = int(np.flatnonzero(inside[: last_valid + 1])[-1]) if inside[: last_valid + 1].any() else 0
    step = last_inside + 1
    a = positions[last_inside]
    if step > last_valid:  # no finite point after the window: it diverged from inside, mark where it was
        return Exit(step, (float(a[0]), float(a[1])), True)
    b = positions[step]
    # the largest t in [0, 1] keeping a + t (b - a) inside the window, and the edge it meets there
    t, edge = 1.0, None
    for axis, (low, high) in enumerate(((x0, x1), (y0, y1))):
        delta = b[axis] - a[axis]
        bound = high if delta > 0 and b[axis] > high else low if delta < 0 and b[axis] < low else None
        if bound is not None and (bound - a[axis]) / delta < t:
            t, edge = (bound - a[axis]) / delta, (axis, bound)
    point = a + max(t, 0.0) * (b - a)
    if edge is not None:  # exactly on the edge: the last bits of the path never decide how its end is clipped
        point[edge[0]] = edge[1]
    return Exit(step, (float(point[0]), float(point[1])), False)


def nested_radii(centers: Array, base: float, ring: float = 2.5, uncovered: float = 1.0) -> Array:
    """Radii (pixels) for round heads centred at ``centers`` ``(n, 2)`` pixels, drawn in that order, so that
    none hides another: a head whose centre a later head covers (or comes within ``uncovered`` pixels
    of) grows to enclose that head with a ``ring`` of its own colour to spare. Heads at one place (a
    shared start) nest as rings of every colour; heads apart keep ``base``."""
    centers = np.asarray(centers, dtype=float)
    radii = np.full(len(centers), float(base))
    with np.errstate(invalid="ignore"):
        gaps = np.hypot(*(centers[:, None, :] - centers[None, :, :]).transpose(2, 0, 1))
    for k in range(len(centers) - 2, -1, -1):
        for j in range(k + 1, len(centers)):
            if gaps[k, j] < radii[j] + uncovered:  # nan (a path gone) never covers
                radii[k] = max(radii[k], gaps[k, j] + radii[j] + ring)
    return radii


def style_axes(axes, theme: Theme) -> None:
    """A plot or panel in the theme's colours: background, muted ticks (labels 7 points) and thin spines."""
    axes.set_facecolor(theme.background)
    axes.tick_params(colors=theme.muted, labelsize=7, length=3)
    for spine in axes.spines.values():
        spine.set_color(theme.muted)
        spine.set_linewidth(0.6)


def draw_field(axes, scene, theme: Theme) -> None:
    """The surface over ``scene``'s window in ``axes``: filled contours, lines over the upper levels, equal
    aspect."""
    window = scene.plot_window
    field = contour_field(scene.surface, window)
    axes.contourf(field.xs, field.ys, field.values, levels=field.levels, cmap=theme.cmap(), extend="both")
    # lines in the lowest third of log levels would trace valleys a few pixels wide: fills only there
    lines = field.levels[len(field.levels) // 3 :: 2] if field.scale == "log" else field.levels[::2]
    axes.contour(
        field.xs, field.ys, field.values, levels=lines, colors=theme.contour_line,
        linewidths=0.5, alpha=theme.contour_line_alpha, negative_linestyles="solid",
    )
    axes.set_xlim(window[0], window[1])
    axes.set_ylim(window[2], window[3])
    axes.set_aspect("equal", adjustable="box", anchor="C")


def draw_stars(axes, scene, theme: Theme) -> None:
    """The surface's known minima in the window as stars: filled for the global ones, hollow for the rest."""
    window = scene.plot_window
    for point in scene.surface.minima:
        if window[0] <= point.x <= window[1] and window[2] <= point.y <= window[3]:
            glob = point.kind == "global"
            axes.plot(point.x, point.y, marker="*", markersize=13 if glob else 9, linestyle="none", zorder=4,
                      markerfacecolor=theme.minimum_color if glob else "none", markeredgecolor=theme.minimum_color,
                      markeredgewidth=0.8)


class Marker(NamedTuple):
    """Where a racer shows in a frame: its head, or its exit mark once it has left (``exited``)."""

    panel: int
    racer: int
    start: int
    exited: bool
    center: tuple[float, float]  # (column, row) in pixels of the frame
    radius: float  # pixels
    color: tuple[float, float, float, float]


class ContourView:
    """Frames of a scene's contour view. ``frame(i)`` returns an ``(H, W, 4)`` uint8 array."""

    parallel = False  # blitted frames cost ~2 ms: a worker would spend longer rebuilding the figure

    def __init__(self, paths: PanelPaths, text: bool = True) -> None:
        scene = self.scene = paths.scene
        self.text = text
        self.theme: Theme = get_theme(scene.look.theme)
        self.trajectories = list(paths.trajectories)
        self.timeline = paths.timeline
        self.steps_shown = self.timeline.values  # one entry per frame
        self.colors = scene.racer_colors(self.theme)
        self.line_width = scene.look.line_width or self.theme.line_width
        self.figure, self.canvas = new_figure(scene.look.size, scene.look.dpi, self.theme.background, text)
        self._build()
        self.backdrop = Backdrop(self.canvas)
        self._capture_sprites()

    # -- the static part --------------------------------------------------------------------------------

    def _build(self) -> None:
        scene, theme = self.scene, self.theme

        def layout(top: float = TOP) -> PanelBoxes:
            return contour_boxes(scene, top)

        self.layout = layout
        boxes = layout()
        self.axes = self.figure.add_axes(boxes.main)
        self.loss_axes = self.figure.add_axes(boxes.loss) if boxes.loss is not None else None
        self.lr_axes = self.figure.add_axes(boxes.lr) if boxes.lr is not None else None
        self.state_axes = self.figure.add_axes(boxes.state) if boxes.state is not None else None
        self.lr_panel: LearningRatePanel | None = None
        self.state_panel: StatePanel | None = None
        self._style_axes(self.axes)
        self._place_legend()
        self._draw_surface()
        self._draw_markers()
        title = race_title(scene, scene.surface.name.replace("_", " "))
        self.figure.text(
            0.5, 0.955, title, ha="center", va="center", fontsize=scene.look.title_size or 13, color=theme.foreground
        )
        self.figure.text(0.5, 0.915, scene.surface.formula, ha="center", va="center", fontsize=8, color=theme.muted,
                         parse_math=False)  # a formula is drawn as typed: a `$` in it is not mathtext
        self._build_moving_artists()
        if self.loss_axes is not None:
            self._build_loss_panel()
        self.overlays = None
        if scene.overlays:
            self.overlays = OverlayLayer(self.axes, self.figure, scene, self.trajectories, self.colors, theme.muted,
                                         self.last_shown)
        if self.lr_axes is not None:
            self._style_axes(self.lr_axes)
            self.lr_panel = LearningRatePanel(self.lr_axes, scene, self.colors, theme.foreground, theme.muted)
        if self.state_axes is not None:
            self._style_axes(self.state_axes)
            self.state_panel = StatePanel(self.state_axes, scene, self.trajectories, self.colors, theme.muted)

    def _place_legend(self) -> None:
        """Inside the plot (a sprite in the quietest corner) when the legend is small next to it; else in
        a strip under the title, outside the plot, where it cannot hide a path (part of the background).
        Every size comes from :class:`~trajectories.render.legend.LegendLayout`, never from rasterised
        text, so the layout is the same on every machine."""
        labels = tuple(racer.legend_text() for racer in self.scene.optimizers)
        single = LegendLayout(labels, tuple(self.colors), 7.5, self.scene.look.dpi)
        _, _, box_w, box_h = self._axes_box()
        self.legend_inside = single.width <= 0.5 * box_w and single.height <= 0.4 * box_h
        self.legend_outside: list = []
        self.legend_layout = single.fitted(0.96 * box_w)
        if self.legend_inside:
            return
        fig_w, fig_h = self.figure.bbox.width, self.figure.bbox.height
        columns = min(len(labels), 3)
        strip = LegendLayout(labels, tuple(self.colors), 7.5, self.scene.look.dpi, columns).fitted(0.96 * fig_w)
        self.legend_layout = strip
        self.legend_outside = self._legend(strip, (fig_w - strip.width) / 2, 0.895 * fig_h, framed=False)
        for artist in self.legend_outside:
            self.figure.add_artist(artist)
        lowered = strip.height / fig_h + 0.01
        for axes, box in zip((self.axes, self.loss_axes, self.lr_axes, self.state_axes), self.layout(TOP - lowered),
                             strict=True):
            if axes is not None:
                axes.set_position(box)

    def _legend(self, layout: LegendLayout, left: float, top: float, framed: bool) -> list:
        theme = self.theme
        return legend_artists(
            layout, left, top, line_width=self.line_width, face=theme.legend_face if framed else None,
            edge=theme.muted, text_color=theme.foreground,
        )

    def make_inside_legend(self) -> list:
        """The inside legend's artists, added to the figure at its corner (captured as a sprite)."""
        layout, box = self.legend_layout, self.axes.get_window_extent()
        pad = 0.5 * layout.unit
        left = box.x1 - pad - layout.width if "right" in self.legend_corner else box.x0 + pad
        top = box.y1 - pad if "upper" in self.legend_corner else box.y0 + pad + layout.height
        artists = self._legend(layout, left, top, framed=True)
        for artist in artists:
            self.figure.add_artist(artist)
            artist.set_animated(True)
        return artists

    def _axes_box(self) -> tuple[float, float, float, float]:
        """The contour axes in pixels once its equal aspect applies, from the window alone (no text)."""
        _, _, width, height = self.axes.get_position().bounds
        fig_w, fig_h = self.figure.bbox.width, self.figure.bbox.height
        box_w, box_h = width * fig_w, height * fig_h
        x0, x1, y0, y1 = self.scene.plot_window
        ratio = (y1 - y0) / (x1 - x0)
        if box_h / box_w > ratio:
            box_h = box_w * ratio
        else:
            box_w = box_h / ratio
        return (0.0, 0.0, box_w, box_h)

    def _style_axes(self, axes) -> None:
        style_axes(axes, self.theme)

    def _draw_surface(self) -> None:
        draw_field(self.axes, self.scene, self.theme)

    def _draw_markers(self) -> None:
        theme, axes = self.theme, self.axes
        draw_stars(axes, self.scene, theme)
        for x, y in self.scene.starts if self.scene.look.show_start else ():
            axes.plot(
                x, y, marker="o", markersize=6, linestyle="none", zorder=4,
                markerfacecolor=theme.foreground, markeredgecolor=theme.background, markeredgewidth=1.0,
            )

    # -- what moves -------------------------------------------------------------------------------------

    def _build_moving_artists(self) -> None:
        """All paths in one collection and all heads in another: two draws a frame, however many racers."""
        scene, theme, axes = self.scene, self.theme, self.axes
        starts = len(scene.starts)
        self.path_colors = [color for color in self.colors for _ in range(starts)]  # racer-major, then start
        found = [
            [find_exit(trajectory.positions[:, j], scene.plot_window, int(trajectory.diverged_step[j]))
             for j in range(starts)]
            for trajectory in self.trajectories
        ]
        # exit marks shrink in the order of their steps, so that marks at one place nest instead of hiding
        order = sorted((e.step, i, j) for i, row in enumerate(found) for j, e in enumerate(row) if e is not None)
        sizes = {(i, j): 11.0 - 4.0 * k / max(1, len(order) - 1) for k, (_, i, j) in enumerate(order)}
        self.exit_order = [(i, j) for _, i, j in order]
        self.exits: list[list[tuple[Exit | None, list]]] = [
            [(e, [] if e is None else [self._exit_marker(e, self.colors[i], sizes[i, j])]) for j, e in enumerate(row)]
            for i, row in enumerate(found)
        ]
        # the last valid index of each path, (racers, starts)
        self.last_valid = np.array([
            [int(np.flatnonzero(np.isfinite(t.positions[:, j]).all(axis=1))[-1]) for j in range(starts)]
            for t in self.trajectories
        ])
        # the last point drawn of each path: the last inside the window before its exit, else its last valid one
        self.last_shown = np.array([
            [exit_.step - 1 if exit_ is not None else int(self.last_valid[i, j]) for j, (exit_, _) in enumerate(row)]
            for i, row in enumerate(self.exits)
        ])
        # widths in each frame from the paths as drawn so far (a tail's are made again each frame)
        whole = [self._drawn_polyline(i, j, 0, self.trajectories[i].steps)
                 for i in range(len(self.trajectories)) for j in range(starts)]
        steps = np.repeat(np.array(self.timeline.steps, dtype=np.int64).reshape(len(self.timeline.steps), -1),
                          starts, axis=1)
        self.width_table = (widths_by_frame(whole, steps, self.line_width, scene.plot_window, scene.look.dpi,
                                            self._axes_box()[2:]) if scene.trail_spec.trail == "full" else None)
        self.path_widths = (self.width_table[-1] if self.width_table is not None
                            else np.full(len(whole), self.line_width))
        self.path_collection = LineCollection(
            [], colors=self.path_colors, linewidths=self.path_widths, zorder=5, capstyle="round", joinstyle="round"
        )
        axes.add_collection(self.path_collection, autolim=False)
        # heads shrink from the first racer to the last, drawn in that order: where paths meet (a shared
        # start), every racer's head still shows, as a ring around the next one
        self.head_collection = axes.scatter(
            np.zeros(len(self.path_colors)), np.zeros(len(self.path_colors)),
            s=theme.marker_size**2, zorder=6,
            c=self.path_colors, edgecolors=theme.background, linewidths=0.6, clip_on=False,
        )
        for artist in (self.path_collection, self.head_collection):
            artist.set_animated(True)

    def _widths(self, polylines: list[Array]) -> Array:
        scene = self.scene
        return stacked_widths(polylines, self.line_width, scene.plot_window, scene.look.dpi, self._axes_box()[2:])

    def _drawn_polyline(self, racer: int, start: int, first: int, step: int) -> Array:
        """The points of path ``start`` of ``racer`` drawn when it is at ``step`` (from ``first``): up to its
        head, or, once it has left the window, up to the point where it left (a path that diverged inside
        the window ends at its last finite point)."""
        positions = self.trajectories[racer].positions[:, start]
        exit_ = self.exits[racer][start][0]
        if exit_ is not None and step >= exit_.step:
            shown = positions[first : exit_.step]
            if exit_.diverged or not len(shown):
                return shown
            return np.concatenate([shown, np.array([exit_.point], dtype=float)])
        last = min(step, int(self.last_valid[racer, start]))
        return positions[min(first, last) : last + 1]

    def _quiet_corners(self) -> list[str]:
        """The axes' corners ordered by how few path points fall near them (legend first, counter next)."""
        x0, x1, y0, y1 = self.scene.plot_window
        crowd = dict.fromkeys(CORNERS, 0)
        for trajectory in self.trajectories:  # a diverged path's NaN points are near no corner
            points = trajectory.positions.reshape(-1, 2)
            for begin in range(0, len(points), CORNER_CHUNK):  # a swarm's millions of points, a cache's worth at a time
                u = points[begin:begin + CORNER_CHUNK, 0] - x0
                u /= x1 - x0
                v = points[begin:begin + CORNER_CHUNK, 1] - y0
                v /= y1 - y0
                with np.errstate(invalid="ignore"):
                    sides = {"right": u >= 0.5, "left": u <= 0.5, "top": v >= 0.7, "bottom": v <= 0.3}
                for name, (cx, cy, _, _) in CORNERS.items():
                    near = sides["right" if cx > 0.5 else "left"] & sides["top" if cy > 0.5 else "bottom"]
                    crowd[name] += int(np.count_nonzero(near))
        return sorted(CORNERS, key=lambda name: (crowd[name], list(CORNERS).index(name)))

    def _capture_sprites(self) -> None:
        """Legend, counter and exit labels, drawn once (see :mod:`trajectories.render.sprites`)."""
        theme, axes = self.theme, self.axes
        corners = self._quiet_corners()
        self.legend_corner = corners[0] if self.legend_inside else None
        # the counter goes to the quietest corner on the other edge (top or bottom) from an inside legend
        counter_corner = corners[0]
        if self.legend_inside:
            counter_corner = next(c for c in corners if c.split()[0] != self.legend_corner.split()[0])
            artists = self.make_inside_legend()
            self.legend_sprites = [capture(self.figure, self.canvas, artists)] if artists else []
            for artist in artists:
                artist.remove()
        else:
            self.legend_sprites = []  # drawn with the background
        self.counter = (
            StepCounter(self.figure, self.canvas, axes, self.timeline.total, theme, counter_corner, self.timeline.label)
            if self.text else NoCounter()
        )
        self._add_exit_labels(counter_corner)
        self.exit_sprites: list[list[tuple[Exit, list[Sprite]] | None]] = [
            [None if exit_ is None else (exit_, [capture(self.figure, self.canvas, a) for a in artists])
             for exit_, artists in row]
            for row in self.exits
        ]
        for row in self.exits:
            for _, artists in row:
                for artist in artists:
                    artist.remove()

    def _exit_marker(self, exit_: Exit, color: str, size: float):
        x, y = exit_.point
        marker = self.axes.plot(
            x, y, marker="X", markersize=size, linestyle="none", zorder=6, markerfacecolor=color,
            markeredgecolor=self.theme.background, markeredgewidth=0.8, clip_on=False,
        )[0]
        marker.set_animated(True)
        return marker

    def _add_exit_labels(self, corner: str) -> None:
        """"<racer> left at step N" for each exit, one line each in a column beside the step counter (in the
        order of the steps), each in its racer's colour on a box: never over one another, never far from
        the counter that says when, and readable where a path crosses them."""
        if not self.text or not self.exit_order:
            return
        x, y, ha, va = CORNERS[corner]
        box = self.axes.get_window_extent()
        line = 1.75 * 7 * self.scene.look.dpi / 72 / box.height  # one 7-point line and its box, in axes fractions
        below = va == "top"
        y = y - (1.9 if below else -1.9) * line * 8 / 7  # past the counter's own line (8 points)
        many = len(self.scene.optimizers) > 1
        for k, (i, j) in enumerate(self.exit_order):
            exit_, artists = self.exits[i][j]
            word = "diverged" if exit_.diverged else "left"
            name = f"{self.scene.optimizers[i].label} " if many else ""
            label = self.axes.text(
                x, y - k * line if below else y + k * line, f"{name}{word} at step {exit_.step}",
                transform=self.axes.transAxes, ha=ha, va=va, fontsize=7, zorder=7,
                color=readable(to_hex(self.colors[i]), self.theme.legend_face, self.theme.foreground),
                bbox={"facecolor": self.theme.legend_face, "edgecolor": "none", "alpha": 0.75, "pad": 1.5},
            )
            label.set_animated(True)
            artists.append(label)

    def markers(self) -> list[Marker]:
        """Where each racer is shown in the frame last drawn: its head, or its exit mark once it has left
        the window (in pixels of the frame; for tests that every racer stays visible)."""
        height, scale = self.figure.bbox.height, self.figure.dpi / 72
        starts = len(self.scene.starts)
        centers = self.axes.transData.transform(self.head_collection.get_offsets())
        radii = np.sqrt(self.head_collection.get_sizes()) / 2 * scale
        found = []
        for k, (x, y) in enumerate(centers):
            i, j = divmod(k, starts)
            exit_, artists = self.exits[i][j]
            if exit_ is not None and self._steps[i] >= exit_.step:
                mark = artists[0]
                (x, y), = self.axes.transData.transform([exit_.point])
                found.append(Marker(0, i, j, True, (float(x), float(height - y)), mark.get_markersize() / 2 * scale,
                                    to_rgba(mark.get_markerfacecolor())))
            else:
                found.append(Marker(0, i, j, False, (float(x), float(height - y)), float(radii[k]),
                                    to_rgba(self.path_colors[k])))
        return found

    def text_boxes(self, index: int) -> list[tuple[str, tuple[int, int, int, int]]]:
        """Every text block shown in frame ``index`` as ``(what, (left, top, right, bottom))`` in pixels of
        the frame: titles, legend, step counter and exit labels (for tests that nothing overlaps)."""
        renderer = self.canvas.get_renderer()
        boxes = [(f"title {t.get_text()!r}", pixel_box(t.get_window_extent(renderer), self.figure))
                 for t in self.figure.texts if t.get_text()]
        if self.legend_inside:
            boxes += [("legend", sprite.box) for sprite in self.legend_sprites]
        elif self.legend_outside:
            extents = [a.get_window_extent(renderer) for a in self.legend_outside]
            boxes.append(("legend", pixel_box(Bbox.union(extents), self.figure)))
        counter = self.counter.sprites(0)
        if counter:
            boxes.append(("step counter", counter[0].box))
        racer_steps = self.timeline.steps[index]
        for i, row in enumerate(self.exit_sprites):
            for item in row:
                if item is not None and racer_steps[i] >= item[0].step and len(item[1]) > 1:
                    boxes.append((f"exit label of {self.scene.optimizers[i].label}", item[1][1].box))
        return boxes

    def racer_name(self, racer: int, start: int) -> str:
        """How findings name path ``start`` of racer ``racer``: its label, and the start with several."""
        label = self.scene.optimizers[racer].label
        return label if len(self.scene.starts) == 1 else f"{label} (start {start + 1})"

    def moments(self) -> list[Moment]:
        """The frames the story is about: each exit from the window, and the scene's ``pauses``."""
        found = [exit_moment(self.scene, self.timeline, i, self.exits[i][j][0].step, self.racer_name(i, j))
                 for i, j in self.exit_order]
        return [m for m in found if m is not None] + declared_moments(self.scene, self.timeline)

    def geometry(self, index: int) -> FrameGeometry:
        """Frame ``index`` as :mod:`~trajectories.render.geometry` values: the plot and its panels, the
        heads and exit marks shown, the paths as drawn and every text (for the frame checker)."""
        self.update(index)
        figure, renderer = self.figure, self.canvas.get_renderer()
        scale = pixels_per_point(figure)
        areas = [Area("plot", frame_box(self.axes.get_window_extent(), figure))]
        for name, axes in (("loss panel", self.loss_axes), ("learning-rate panel", self.lr_axes),
                           ("state panel", self.state_axes)):
            if axes is not None:
                areas.append(Area(name, frame_box(axes.get_window_extent(), figure), "panel"))
        return FrameGeometry(index, tuple(self.scene.look.size), tuple(areas), tuple(self._marks(index)),
                             tuple(self._strokes()), tuple(self._texts(index, renderer, scale)))

    def _marks(self, index: int) -> list[Mark]:
        figure, starts, scale = self.figure, len(self.scene.starts), pixels_per_point(self.figure)
        offsets = np.asarray(self.head_collection.get_offsets(), dtype=float)
        radii = np.sqrt(np.asarray(self.head_collection.get_sizes(), dtype=float)) / 2 * scale
        centers = frame_points(self.axes.transData.transform(offsets), figure)
        found = []
        for k, (center, radius) in enumerate(zip(centers, np.broadcast_to(radii, len(centers)), strict=True)):
            if np.isfinite(center).all():
                i, j = divmod(k, starts)
                found.append(Mark(f"head of {self.racer_name(i, j)}", "head", (float(center[0]), float(center[1])),
                                  float(radius), 0, i))
        racer_steps = self.timeline.steps[index]
        for i, j in self.exit_order:
            exit_, artists = self.exits[i][j]
            if racer_steps[i] >= exit_.step:
                (center,) = frame_points(self.axes.transData.transform([exit_.point]), figure)
                found.append(Mark(f"exit mark of {self.racer_name(i, j)}", "exit", (float(center[0]), float(center[1])),
                                  artists[0].get_markersize() / 2 * scale, 0, i))
        return found

    def _strokes(self) -> list[Stroke]:
        scale, starts = pixels_per_point(self.figure), len(self.scene.starts)
        found = []
        for k, (polyline, width) in enumerate(zip(self._drawn, self.path_widths, strict=True)):
            i, j = divmod(k, starts)
            points = frame_points(self.axes.transData.transform(polyline), self.figure) if len(polyline) else \
                np.empty((0, 2))
            found.append(Stroke(f"path of {self.racer_name(i, j)}", points, float(width) * scale,
                                self.line_width * scale, 0, i))
        return found

    def _texts(self, index: int, renderer, scale: float) -> list[TextBox]:
        figure = self.figure
        if getattr(self, "_still_texts", None) is None:  # the background's text never moves: measured once
            self._still_texts = figure_text_boxes(figure, renderer)
            for name, axes in (("plot", self.axes), ("loss panel", self.loss_axes),
                               ("learning-rate panel", self.lr_axes), ("state panel", self.state_axes)):
                if axes is not None:
                    self._still_texts += axes_text_boxes(axes, renderer, figure, name)
        found = list(self._still_texts)
        if self.legend_inside:
            found += [TextBox("legend", sprite.box, self.legend_layout.size * scale) for sprite in self.legend_sprites]
        counter = self.counter.sprites(0)
        if counter:
            found.append(TextBox("step counter", counter[0].box, 8 * scale))
        racer_steps = self.timeline.steps[index]
        for i, row in enumerate(self.exit_sprites):
            for j, item in enumerate(row):
                if item is not None and racer_steps[i] >= item[0].step and len(item[1]) > 1:
                    found.append(TextBox(f"exit label of {self.racer_name(i, j)}", item[1][1].box, 7 * scale))
        return found

    def _build_loss_panel(self) -> None:
        theme, axes, scene = self.theme, self.loss_axes, self.scene
        self._style_axes(axes)
        known = [p.value for p in scene.surface.global_minima]
        # a path's loss curve ends where the path leaves the window, as the path itself does
        self.loss_last = self.last_shown
        shown = [t.losses[: self.loss_last[i, j] + 1, j] for i, t in enumerate(self.trajectories)
                 for j in range(len(scene.starts))]
        losses = np.concatenate(shown)
        finite = losses[np.isfinite(losses)]
        self.loss_offset = min(known) if known and scene.loss_scale != "linear" else None
        if self.loss_offset is not None and finite.size:
            gaps = finite - self.loss_offset
            positive = gaps[gaps > 0]
            floor = max(float(positive.min()), float(positive.max()) * 1e-12) if positive.size else 1e-12
            self.loss_floor = floor
            axes.set_yscale("log")
            axes.set_ylim(floor * 0.5, max(float(gaps.max()), floor * 10) * 2)
            axes.set_ylabel("f − f*", color=theme.muted, fontsize=8)
        else:
            self.loss_floor = None
            low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            pad = 0.05 * (high - low or 1.0)
            axes.set_ylim(low - pad, high + pad)
            axes.set_ylabel("f", color=theme.muted, fontsize=8)
        if self.timeline.epochs is not None:
            axes.set_xlim(0, scene.epochs)
            axes.set_xlabel("epochs (passes over the data)", color=theme.muted, fontsize=8)
        else:
            axes.set_xlim(0, scene.steps)
            axes.set_xlabel("step", color=theme.muted, fontsize=8)
        axes.grid(True, color=theme.muted, alpha=0.2, linewidth=0.5)
        self.loss_collection = LineCollection([], colors=self.path_colors, linewidths=1.5)
        axes.add_collection(self.loss_collection, autolim=False)
        self.loss_collection.set_animated(True)

    # -- frames -----------------------------------------------------------------------------------------

    def drawn_path(self, racer: int, start: int = 0) -> Array:
        """The points of one path as drawn by the last :meth:`update` (for tests and tools)."""
        return self._drawn[racer * len(self.scene.starts) + start]

    def update(self, index: int) -> list:
        """Set every moving artist for frame ``index``; returns the artists to draw, bottom to top."""
        scene, racer_steps = self.scene, self.timeline.steps[index]
        self._steps = racer_steps
        polylines, heads = [], []
        x0, x1, y0, y1 = scene.plot_window
        for i, trajectory in enumerate(self.trajectories):
            step = racer_steps[i]
            first = max(0, step - scene.trail_spec.tail) if scene.trail_spec.trail in ("tail", "fade") else 0
            for j in range(len(scene.starts)):
                polylines.append(self._drawn_polyline(i, j, first, step))
                exit_ = self.exits[i][j][0]
                x, y = trajectory.positions[min(step, int(self.last_valid[i, j])), j]
                # gone, or out of the window for a while (it comes back; the path is clipped): no head
                shown = (exit_ is None or step < exit_.step) and x0 <= x <= x1 and y0 <= y <= y1
                heads.append((x, y) if shown else (np.nan, np.nan))
        # which paths run together changes as they are drawn
        self.path_widths = self._widths(polylines) if self.width_table is None else self.width_table[index]
        self.path_collection.set_linewidths(self.path_widths)
        self._drawn = polylines
        if scene.trail_spec.trail == "fade":
            self._set_fading(polylines)
        else:
            self.path_collection.set_segments(polylines)
        self.head_collection.set_offsets(np.array(heads, dtype=float).reshape(-1, 2))
        scale = scene.look.dpi / 72  # pixels per point
        centers = self.axes.transData.transform(np.array(heads, dtype=float).reshape(-1, 2))
        radii = nested_radii(centers, self.theme.marker_size / 2 * scale)
        self.head_collection.set_sizes((2 * radii / scale) ** 2)
        drawn = [self.path_collection, self.head_collection]
        if self.loss_axes is not None:
            drawn.append(self._update_losses(racer_steps))
        if self.lr_panel is not None:
            drawn.append(self.lr_panel.update(racer_steps))
        if self.state_panel is not None:
            drawn.append(self.state_panel.update(racer_steps))
        if self.overlays is not None:
            drawn.extend(self.overlays.update(racer_steps))
        return drawn

    def _set_fading(self, polylines: list[Array]) -> None:
        """Each path as separate segments whose opacity rises from the oldest to the newest."""
        segments, colors, widths = [], [], []
        for polyline, color, width in zip(polylines, self.path_colors, self.path_widths, strict=True):
            if len(polyline) < 2:
                continue
            segments.extend(np.stack([polyline[:-1], polyline[1:]], axis=1))
            widths.extend([width] * (len(polyline) - 1))
            rgba = np.tile(to_rgba(color), (len(polyline) - 1, 1))
            tail = self.scene.trail_spec.tail
            rgba[:, 3] = np.linspace(1.0 / tail, 1.0, tail)[-(len(polyline) - 1) :]
            colors.append(rgba)
        self.path_collection.set_segments(segments)
        self.path_collection.set_color(np.concatenate(colors) if colors else np.empty((0, 4)))
        self.path_collection.set_linewidths(widths or [self.line_width])

    def sprites(self, index: int) -> list[Sprite]:
        """The sprites pasted over frame ``index``, bottom to top: exit marks, then the text."""
        return [*self.mark_sprites(index), *self.text_sprites(index)]

    def mark_sprites(self, index: int) -> list[Sprite]:
        """The exit marks shown in frame ``index`` (pasted under the heads)."""
        return self._exit_sprites(index, 0)

    def text_sprites(self, index: int) -> list[Sprite]:
        """Exit labels, legend and step counter for frame ``index`` (pasted over everything)."""
        return [*self._exit_sprites(index, 1), *self.legend_sprites,
                *self.counter.sprites(self.timeline.values[index])]

    def _exit_sprites(self, index: int, part: int) -> list[Sprite]:
        racer_steps = self.timeline.steps[index]
        shown = [(i, self.exit_sprites[i][j]) for i, j in self.exit_order]  # the first out, the largest mark
        return [item[1][part] for i, item in shown
                if item is not None and racer_steps[i] >= item[0].step and len(item[1]) > part]

    def _update_losses(self, racer_steps: list[int]) -> LineCollection:
        curves = []
        for i, trajectory in enumerate(self.trajectories):
            step = racer_steps[i]
            steps = self.timeline.epochs[i] if self.timeline.epochs is not None else np.arange(trajectory.steps + 1)
            for j in range(len(self.scene.starts)):
                last = min(step, int(self.loss_last[i, j]))
                values = trajectory.losses[: last + 1, j]
                if self.loss_offset is not None:
                    values = np.maximum(values - self.loss_offset, self.loss_floor)
                curves.append(np.column_stack([steps[: last + 1], values]))
        self.loss_collection.set_segments(curves)
        return self.loss_collection

    def frame(self, index: int) -> np.ndarray:
        """Frame ``index`` as an ``(H, W, 4)`` uint8 RGBA array (opaque; a fresh copy)."""
        self.backdrop.restore()
        paths, *over = self.update(index)
        self.figure.draw_artist(paths)
        buffer = np.asarray(self.canvas.buffer_rgba())  # the canvas's own memory: pastes and draws interleave
        for sprite in self.mark_sprites(index):
            sprite.paste(buffer)
        for artist in over:  # heads over exit marks: a racer passing another's exit stays visible
            self.figure.draw_artist(artist)
        for sprite in self.text_sprites(index):
            sprite.paste(buffer)
        return buffer.copy()

    def reserved_colors(self) -> list[tuple[int, int, int]]:
        """Colours that must come out exactly: the optimizers', the text's and the background's."""
        theme = self.theme
        colors = [*self.colors, theme.foreground, theme.background, theme.muted, theme.minimum_color]
        return [tuple(round(255 * c) for c in to_rgba(color)[:3]) for color in colors]

    def close(self) -> None:
        self.figure.clear()


class StepCounter:
    """"step  37/200" (or "samples  5400/18000") in a box, as sprites: the box with the label and the
    total once, and each digit 0-9 at each place, so a frame pastes a few small arrays instead of laying
    out text."""

    def __init__(
        self, figure: Figure, canvas: FigureCanvasAgg, axes, total: int, theme: Theme, corner: str, label: str = "step"
    ) -> None:
        self.axes, self.theme, self.corner = axes, theme, corner
        self.places = len(str(total))
        self.prefix = f"{label} "
        template = f"{self.prefix}{' ' * self.places}/{total}"
        text = self.make_text(template)
        self.frame = capture(figure, canvas, text)
        text.set_bbox(None)
        self.glyphs = []
        for place in range(self.places):
            row = []
            for digit in "0123456789":
                position = len(self.prefix) + place
                text.set_text(" " * position + digit + " " * (len(template) - position - 1))
                row.append(capture(figure, canvas, text, margin=0))
            self.glyphs.append(row)
        text.remove()

    def make_text(self, content: str):
        """The counter as a matplotlib text artist (animated: never part of the background)."""
        x, y, ha, va = CORNERS[self.corner]
        text = self.axes.text(
            x, y, content, transform=self.axes.transAxes, ha=ha, va=va, fontsize=8, color=self.theme.foreground,
            family="monospace", zorder=7,
            bbox={"facecolor": self.theme.legend_face, "edgecolor": "none", "alpha": 0.75, "pad": 2},
        )
        text.set_animated(True)
        return text

    def sprites(self, step: int) -> list[Sprite]:
        digits = str(step).rjust(self.places)
        return [self.frame] + [self.glyphs[k][int(c)] for k, c in enumerate(digits) if c != " "]


class NoCounter:
    """The step counter when text is left out (snapshot renders)."""

    def sprites(self, step: int) -> list[Sprite]:
        return []
