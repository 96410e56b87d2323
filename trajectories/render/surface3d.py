"""The 3-D views: a surface (``plot_surface``) or a wireframe, one or more panels, a turning camera.

With the camera moving, every frame is a full redraw (there is no static background to blit), so frames
are independent of each other and :mod:`trajectories.pipeline.stages` can draw them in several processes.

Paths must stay visible: matplotlib sorts 3-D artists by depth and would hide a path lying on the
surface behind it. Each axes is made with ``computed_zorder=False``, so artists are drawn in ``zorder``
order: the surface first, the paths and markers over it. Paths are clipped to the axes box
(``axlim_clip``), so a path that leaves the box ends at its edge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from matplotlib.patheffects import Normal, Stroke
from mpl_toolkits.mplot3d import proj3d

from ..errors import RenderError
from ..style.theme import get_theme
from .canvas import frame_pixels, new_figure
from .contour import Marker, nested_radii
from .geometry import (
    Area,
    FrameGeometry,
    Mark,
    axes_text_boxes,
    figure_text_boxes,
    frame_box,
    frame_points,
    pixels_per_point,
)
from .geometry import Stroke as DrawnPath
from .moments import Moment, declared_moments, exit_moment
from .sprites import pixel_box

if TYPE_CHECKING:
    from ..compute.paths import ComputedPaths
    from ..scene import Scene

HEAD_SIZE = 7.0  # points; at least HEAD_PIXELS across whatever the dpi
HEAD_PIXELS = 8.0
EXIT_PIXELS = (14.0, 10.0)
"""Exit marks, in pixels across: the first racer's, the last's (they nest where paths leave together)."""
LEGEND_COLUMNS = 2


def z_range(panel: Scene, z: np.ndarray, trajectories) -> tuple[float, float]:
    """The z limits: the surface's range over the grid, widened to the paths' own values inside the window
    and to the known minima (a path that settles below the grid's lowest sample must not be clipped away),
    with 3% to spare below."""
    x0, x1, y0, y1 = panel.plot_window
    values = [float(np.nanmin(z)), float(np.nanmax(z))]
    for trajectory in trajectories:
        x, y = trajectory.positions[..., 0], trajectory.positions[..., 1]
        inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1) & np.isfinite(trajectory.losses)
        values += [float(v) for v in (trajectory.losses[inside].min(initial=np.inf),) if np.isfinite(v)]
    values += [p.value for p in panel.surface.minima if x0 <= p.x <= x1 and y0 <= p.y <= y1]
    low, high = min(values), max(values)
    limits = (low - 0.03 * (high - low or 1.0), high)
    if not np.isfinite(limits).all():
        window = ", ".join(f"{v:g}" for v in (x0, x1, y0, y1))
        raise RenderError(f"{panel.name}: {panel.surface.name} over the window {window} has values too large (or "
                          "not finite) for a 3-D view; choose a smaller window or a zlim")
    return limits


def box_exit(positions: np.ndarray, losses: np.ndarray, box: tuple) -> tuple[int, tuple] | None:
    """``(step, (x, y, z))``: the first step at which a path is outside the 3-D box (or not finite), with
    its last point inside; ``None`` for a path that stays in."""
    x0, x1, y0, y1, z0, z1 = box
    x, y = positions[:, 0], positions[:, 1]
    with np.errstate(invalid="ignore"):
        inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1) & (losses >= z0) & (losses <= z1)
    if inside.all() or not inside[0]:
        return None
    step = int(np.argmin(inside))
    return step, (float(x[step - 1]), float(y[step - 1]), float(losses[step - 1]))


def camera_center(projection: np.ndarray) -> np.ndarray:
    """The eye, in homogeneous data coordinates, of a 3-D axes' ``(4, 4)`` projection matrix: the point
    that rows x, y and w of the matrix send to zero (their generalised cross product, in plain floating
    point: no LAPACK, so the same on every CPU). A last coordinate of 0 means a camera at infinity."""
    rows = [[float(v) for v in projection[r]] for r in (0, 1, 3)]

    def det3(a, b, c):
        return (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
                + a[2] * (b[0] * c[1] - b[1] * c[0]))

    minors = [[[row[col] for col in range(4) if col != skip] for row in rows] for skip in range(4)]
    return np.array([(-1) ** skip * det3(*minors[skip]) for skip in range(4)])


def hidden_points(points: np.ndarray, eye: np.ndarray, f, box: tuple, samples: int = 48) -> np.ndarray:
    """Which of ``points`` ``(n, 3)`` (on the surface ``f``) the surface hides from ``eye``: a point is
    hidden when the surface rises more than 1% of the z-range above the segment from it towards the
    eye, sampled ``samples`` times from just off the point to where the segment leaves the box."""
    x0, x1, y0, y1, z0, z1 = box
    hidden = np.zeros(len(points), dtype=bool)
    if len(points) == 0 or eye[3] == 0 or not np.isfinite(eye).all():
        return hidden
    toward = eye[:3] / eye[3] - points  # (n, 3)
    with np.errstate(divide="ignore", invalid="ignore"):
        limits = [np.where(toward[:, a] > 0, (high - points[:, a]) / toward[:, a],
                           np.where(toward[:, a] < 0, (low - points[:, a]) / toward[:, a], np.inf))
                  for a, (low, high) in enumerate(((x0, x1), (y0, y1), (z0, z1)))]
    leave = np.clip(np.minimum.reduce(limits), 0.0, 1.0)  # (n,): the fraction of the way where it leaves
    t = leave[:, None] * np.linspace(0.02, 1.0, samples)[None, :]  # (n, samples)
    along = points[:, None, :] + t[..., None] * toward[:, None, :]
    with np.errstate(all="ignore"):
        rise = f(along[..., :2]) - along[..., 2]
    return np.nan_to_num(rise, nan=-np.inf).max(axis=1) > 0.01 * (z1 - z0)


class SurfaceView:
    """Frames of one or more 3-D panels side by side. ``frame(i)`` returns ``(H, W, 4)`` uint8 RGBA."""

    parallel = True  # frames are full redraws, independent of each other

    def __init__(self, scene: Scene, paths: ComputedPaths, text: bool = True) -> None:
        """Draw ``paths`` (one panel or several) at ``scene``'s size, dpi and theme."""
        self.text = text
        self.panels = [panel.scene for panel in paths.panels]
        self.theme = get_theme(scene.look.theme)
        self.timelines = [panel.timeline for panel in paths.panels]
        self.steps_shown = self.timelines[0].values
        self.trajectories = [list(panel.trajectories) for panel in paths.panels]
        size, dpi = scene.look.size, scene.look.dpi
        height = size[1]
        self.figure, self.canvas = new_figure(size, dpi, self.theme.background, text)
        self.colors: list[str] = []
        self.axes, self.moving, self.legends = [], [], []
        self.behind: dict[tuple[int, int], Line2D] = {}  # (panel, path) -> the hidden stretches' line
        # text at least 11 px high whatever the frame size, and a step counter in the top left corner
        self.font_size = max(11.0, 0.022 * height) * 72 / dpi
        self.head_size = max(HEAD_SIZE, HEAD_PIXELS * 72 / dpi)
        for k, panel in enumerate(self.panels):
            axes = self.figure.add_subplot(1, len(self.panels), k + 1, projection="3d", computed_zorder=False)
            self.axes.append(axes)
            self.moving.append(self._build_panel(axes, panel, self.trajectories[k]))
        # under the plots: each panel's legend, and a key to the stars
        line = 1.5 * self.font_size * dpi / 72 / height  # a line of text, as a fraction of the height
        rows = max([-(-len(p.optimizers) // LEGEND_COLUMNS) for p in self.panels if len(p.optimizers) > 1] or [0])
        stars = self._star_key()
        bottom = (rows * line + 0.02 if rows else 0.0) + (line + 0.01 if stars else 0.0)
        self.figure.subplots_adjust(left=0, right=1, bottom=bottom, top=0.92, wspace=0)
        self.counter = self.figure.text(
            0.012, 0.985, "", ha="left", va="top", fontsize=self.font_size, family="monospace",
            color=self.theme.foreground,
        )

    def _build_panel(self, axes, panel: Scene, trajectories) -> list:
        theme = self.theme
        axes.set_facecolor(theme.background)
        x0, x1, y0, y1 = panel.plot_window
        xs, ys = np.linspace(x0, x1, panel.camera.grid), np.linspace(y0, y1, panel.camera.grid)
        grid_x, grid_y = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            z = panel.surface.f(np.stack([grid_x, grid_y], axis=-1))
        if panel.view == "surface":
            axes.plot_surface(grid_x, grid_y, z, cmap=theme.cmap(), linewidth=0, antialiased=False, zorder=0)
        else:
            axes.plot_wireframe(grid_x, grid_y, z, color=theme.foreground, alpha=0.2, linewidth=0.6, zorder=0)
        z_low, z_high = panel.camera.zlim if panel.camera.zlim is not None else z_range(panel, z, trajectories)
        axes.set_xlim(x0, x1)
        axes.set_ylim(y0, y1)
        axes.set_zlim(z_low, z_high)
        for axis in (axes.xaxis, axes.yaxis, axes.zaxis):
            axis.set_pane_color((0, 0, 0, 0))
            axis.set_ticklabels([])  # labels turning with the camera are noise, and cost a third of a frame
            axis._axinfo["grid"].update(color=to_rgba(theme.muted, 0.35), linewidth=0.5)
            axis.line.set_color(theme.muted)
        if panel.look.axis_labels:
            for setter, text in ((axes.set_xlabel, "x"), (axes.set_ylabel, "y"), (axes.set_zlabel, "f(x, y)")):
                setter(text, color=theme.muted, fontsize=self.font_size * 0.8, labelpad=-8)
        title = panel.look.title if panel.look.title is not None else panel.surface.name.replace("_", " ")
        formula = panel.look.title is None and panel.surface.name == "formula"  # a formula's own text says more
        axes.set_title(panel.surface.formula if formula else title, color=theme.foreground, parse_math=not formula,
                       fontsize=panel.look.title_size or (12 if formula else 20))
        self._draw_minima(axes, panel, (z_low, z_high))
        width = panel.look.line_width or 3.0
        colors = panel.racer_colors(theme)
        box = (x0, x1, y0, y1, z_low, z_high)
        # a dark edge keeps every colour readable over every colour of the surface
        def outline(line: float) -> list | None:
            return [Stroke(linewidth=line + 1.6, foreground="#000000"), Normal()] if panel.view == "surface" else None

        moving = []
        widths = [width] * len(colors)
        for i, (color, trajectory) in enumerate(zip(colors, trajectories, strict=True)):
            self.colors.append(color)
            for j in range(len(panel.starts)):
                (path,) = axes.plot([], [], [], color=color, linewidth=widths[i], zorder=10, axlim_clip=True,
                                    path_effects=outline(widths[i]))
                (head,) = axes.plot(
                    [], [], [], marker="o", markersize=self.head_size, markerfacecolor=color, markeredgecolor="#000000",
                    markeredgewidth=0.6, linestyle="none", zorder=11 + i, axlim_clip=True,
                )
                exit_ = box_exit(trajectory.positions[:, j], trajectory.losses[:, j], box)
                mark = None
                if exit_ is not None:
                    big, small = EXIT_PIXELS
                    (mark,) = axes.plot(
                        *([value] for value in exit_[1]), marker="X",
                        markersize=(big - (big - small) * i / max(1, len(colors) - 1)) * 72 / self.figure.dpi,
                        markerfacecolor=color, markeredgecolor="#000000", markeredgewidth=0.6, linestyle="none",
                        zorder=20 + i, visible=False,
                    )
                moving.append((i, j, path, head, trajectory, exit_, mark))
                if panel.view == "surface":  # the stretches the surface hides, faint and dashed, under the path
                    (behind,) = axes.plot([], [], [], color=color, linewidth=max(1.0, widths[i] / 2), alpha=0.8,
                                          linestyle=(0, (2, 2)), zorder=9.5, axlim_clip=True)
                    self.behind[(len(self.axes) - 1, len(moving) - 1)] = behind
        if panel.look.show_start:
            for x, y in panel.starts:
                z_start = float(panel.path_surface.f(np.array([x, y])))
                # under the heads (zorder 11 and up): at step 0 the start must not hide them
                axes.plot([x], [y], [z_start], marker="o", markersize=6, color=theme.foreground, zorder=10.5,
                          linestyle="none")
        legend = None
        if len(panel.optimizers) > 1:
            handles = [
                Line2D([], [], color=color, linewidth=width, marker="o", markersize=self.head_size,
                       markeredgecolor="#000000")
                for color in colors
            ]
            # under the plot, where an exit mark or a head never goes
            legend = axes.legend(
                handles, [racer.label for racer in panel.optimizers], loc="upper center", bbox_to_anchor=(0.5, 0.0),
                ncols=LEGEND_COLUMNS, fontsize=self.font_size, facecolor=theme.legend_face, edgecolor=theme.muted,
                labelcolor=theme.foreground, framealpha=0.0, borderaxespad=0.2, columnspacing=1.2,
            )
        self.legends.append(legend)
        return moving

    def star_size(self, glob: bool) -> float:
        """A minimum's star, in points: 14 (global) or 10 (local), and at least 14 or 11 pixels."""
        return max(14.0, 14 * 72 / self.figure.dpi) if glob else max(10.0, 11 * 72 / self.figure.dpi)

    def _star_key(self) -> list:
        """A key under the plots to the stars drawn: filled for a global minimum, hollow for a local one."""
        kinds = set()
        for panel, axes in zip(self.panels, self.axes, strict=True):
            x0, x1, y0, y1 = panel.plot_window
            z0, z1 = axes.get_zlim()
            kinds |= {p.kind == "global" for p in panel.surface.minima
                      if x0 <= p.x <= x1 and y0 <= p.y <= y1 and z0 <= p.value <= z1}
        if not kinds:
            return []
        theme = self.theme
        shown = sorted(kinds, reverse=True)
        handles = [Line2D([], [], marker="*", markersize=self.star_size(glob), linestyle="none",
                          markerfacecolor=theme.foreground if glob else "none", markeredgecolor=theme.foreground)
                   for glob in shown]
        labels = ["global minimum" if glob else "local minimum" for glob in shown]
        key = self.figure.legend(handles, labels, loc="lower center", ncols=len(labels), fontsize=self.font_size,
                                 frameon=False, labelcolor=theme.foreground, borderaxespad=0.2, handletextpad=0.3)
        return [key]

    def _draw_minima(self, axes, panel: Scene, zlim: tuple[float, float]) -> None:
        """Known minima in the window as stars on the surface: filled for the global ones."""
        x0, x1, y0, y1 = panel.plot_window
        for point in panel.surface.minima:
            if x0 <= point.x <= x1 and y0 <= point.y <= y1 and zlim[0] <= point.value <= zlim[1]:
                glob = point.kind == "global"
                axes.plot([point.x], [point.y], [point.value], marker="*", markersize=self.star_size(glob),
                          markerfacecolor=self.theme.foreground if glob else "none",
                          markeredgecolor=self.theme.foreground, markeredgewidth=1.0, linestyle="none", zorder=9)

    def update(self, index: int) -> None:
        for k, (panel, axes, moving, timeline) in enumerate(
            zip(self.panels, self.axes, self.moving, self.timelines, strict=True)
        ):
            camera_step = timeline.values[index]
            axes.view_init(elev=panel.camera.elevation, azim=panel.camera.azimuth_at(camera_step))
            labels = [racer.label for racer in panel.optimizers]
            heads = []
            eye = camera_center(axes.get_proj())
            box = (*panel.plot_window, *axes.get_zlim())
            for n, (i, j, path, head, trajectory, exit_, mark) in enumerate(moving):
                step = timeline.steps[index][i]
                first = max(0, step - panel.trail_spec.tail) if panel.trail_spec.trail in ("tail", "fade") else 0
                points = trajectory.positions[first : step + 1, j]
                points = points[np.isfinite(points).all(axis=1)]
                heights = trajectory.losses[first : first + len(points), j]
                behind = self.behind.get((k, n))
                if behind is not None:
                    path_points = np.column_stack([points, heights])
                    covered = hidden_points(path_points, eye, panel.surface.f, box)
                    # a stretch is solid where both its ends are in sight; the faint line shows the rest
                    path_points[covered] = np.nan
                    behind.set_data_3d(points[:, 0], points[:, 1], heights)
                    path.set_data_3d(path_points[:, 0], path_points[:, 1], path_points[:, 2])
                    # a head behind the surface is a ring: drawn, but not as if in front
                    in_sight = len(covered) == 0 or not covered[-1]
                    head.set_markerfacecolor(path.get_color() if in_sight else "none")
                    head.set_markeredgecolor("#000000" if in_sight else path.get_color())
                    head.set_markeredgewidth(0.6 if in_sight else 2.5 * 72 / self.figure.dpi)
                else:
                    path.set_data_3d(points[:, 0], points[:, 1], heights)
                head.set_data_3d(points[-1:, 0], points[-1:, 1], heights[-1:])
                heads.append((*points[-1], heights[-1]) if len(points) else (np.nan,) * 3)
                gone = exit_ is not None and step >= exit_[0]
                if mark is not None:
                    mark.set_visible(gone)
                if gone and len(panel.starts) == 1:
                    labels[i] = f"{panel.optimizers[i].label}: left at {exit_[0]}"
            scale = self.figure.dpi / 72
            radii = nested_radii(self._project(axes, panel, np.array(heads)), self.head_size / 2 * scale, ring=2.0)
            for (_, _, _, head, *_), radius in zip(moving, radii, strict=True):
                head.set_markersize(2 * radius / scale)
            if self.legends[k] is not None:
                for text, label in zip(self.legends[k].get_texts(), labels, strict=True):
                    text.set_text(label)
        timeline = self.timelines[0]
        self.counter.set_text(f"{timeline.label} {timeline.values[index]:>{len(str(timeline.total))}}/{timeline.total}")

    def frame(self, index: int) -> np.ndarray:
        self.update(index)
        self.canvas.draw()
        return frame_pixels(self.canvas)

    @staticmethod
    def _project(axes, panel: Scene, points: np.ndarray) -> np.ndarray:
        """Pixels (display coordinates) of 3-D ``points`` ``(n, 3)`` as the camera now sees them; ``nan``
        for points outside the axes box (clipped, so never drawn)."""
        x0, x1, y0, y1 = panel.plot_window
        z0, z1 = axes.get_zlim()
        x, y, z = points.T
        with np.errstate(invalid="ignore"):
            inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1) & (z >= z0) & (z <= z1)
        px, py, _ = proj3d.proj_transform(np.nan_to_num(x), np.nan_to_num(y), np.nan_to_num(z), axes.get_proj())
        pixels = axes.transData.transform(np.column_stack([px, py]))
        pixels[~inside] = np.nan
        return pixels

    def markers(self) -> list[Marker]:
        """Where each racer is shown in the frame last drawn: its head, or its exit mark once it has left
        the box (in pixels of the frame; for tests that every racer stays visible)."""
        found, height = [], self.figure.bbox.height
        for k, (axes, moving) in enumerate(zip(self.axes, self.moving, strict=True)):
            for i, j, _, head, _, _, mark in moving:
                shown = mark if mark is not None and mark.get_visible() else head
                xs, ys, zs = (np.asarray(v, dtype=float) for v in shown.get_data_3d())
                x, y, _ = proj3d.proj_transform(xs, ys, zs, axes.get_proj())
                px, py = axes.transData.transform(np.column_stack([x, y]))[0]
                radius = shown.get_markersize() / 2 * self.figure.dpi / 72
                face = shown.get_markerfacecolor()
                color = to_rgba(shown.get_markeredgecolor() if face == "none" else face)
                found.append(Marker(k, i, j, shown is mark, (float(px), float(height - py)), radius, color))
        return found

    def racer_name(self, panel: int, racer: int, start: int) -> str:
        """How findings name a path: its racer's label, with its panel's title and start where several."""
        scene = self.panels[panel]
        name = scene.optimizers[racer].label
        if len(self.panels) > 1:
            name += f" ({scene.look.title if scene.look.title is not None else scene.name})"
        return name if len(scene.starts) == 1 else f"{name} (start {start + 1})"

    def moments(self) -> list[Moment]:
        """The frames the story is about: each path's exit from the box, and the panels' ``pauses``."""
        found: list[Moment | None] = []
        for k, (panel, moving, timeline) in enumerate(zip(self.panels, self.moving, self.timelines, strict=True)):
            found += [exit_moment(panel, timeline, i, exit_[0], self.racer_name(k, i, j))
                      for i, j, _, _, _, exit_, _ in moving if exit_ is not None]
            found += declared_moments(panel, timeline)
        return sorted({m for m in found if m is not None})

    def geometry(self, index: int) -> FrameGeometry:
        """Frame ``index`` as :mod:`~trajectories.render.geometry` values, without drawing it: each panel's
        box, heads (``ring``: one the surface hides), exit marks, paths as projected, text and camera."""
        self.update(index)
        figure, renderer = self.figure, self.canvas.get_renderer()
        scale = pixels_per_point(figure)
        areas, marks, strokes, texts, cameras = [], [], [], [], []
        counted = 0
        for k, (axes, panel, moving) in enumerate(zip(self.axes, self.panels, self.moving, strict=True)):
            axes.apply_aspect()
            areas.append(Area(f"panel {k + 1}", frame_box(axes.get_window_extent(), figure)))
            cameras.append((float(axes.elev), float(axes.azim)))
            for i, j, path, head, _, _, mark in moving:
                name = self.racer_name(k, i, j)
                if mark is not None and mark.get_visible():
                    (center,) = self._project(axes, panel, np.array([np.ravel(mark.get_data_3d())]))
                    if np.isfinite(center).all():
                        (point,) = frame_points(center, figure)
                        radius = mark.get_markersize() / 2 * scale
                        marks.append(Mark(f"exit mark of {name}", "exit", tuple(point), radius, k, counted + i))
                xs, ys, zs = (np.asarray(v, dtype=float) for v in head.get_data_3d())
                if len(xs):
                    (center,) = self._project(axes, panel, np.column_stack([xs, ys, zs]))
                    if np.isfinite(center).all():
                        ring = head.get_markerfacecolor() == "none"
                        (point,) = frame_points(center, figure)
                        marks.append(Mark(f"head of {name}", "ring" if ring else "head", tuple(point),
                                          head.get_markersize() / 2 * scale, k, counted + i))
                line = np.column_stack([np.asarray(v, dtype=float) for v in path.get_data_3d()])
                points = frame_points(self._project(axes, panel, line), figure) if len(line) else np.empty((0, 2))
                width = path.get_linewidth() * scale
                strokes.append(DrawnPath(f"path of {name}", points[np.isfinite(points).all(axis=1)], width, width, k,
                                      counted + i))
            counted += len(panel.optimizers)
            texts += axes_text_boxes(axes, renderer, figure, f"panel {k + 1}")
        texts += figure_text_boxes(figure, renderer)
        return FrameGeometry(index, tuple(figure.canvas.get_width_height()), tuple(areas), tuple(marks),
                             tuple(strokes), tuple(texts), cameras=tuple(cameras))

    def text_boxes(self, index: int) -> list[tuple[str, tuple[int, int, int, int]]]:
        """Every text block shown in frame ``index``, as ``(what, (left, top, right, bottom))`` pixels."""
        self.update(index)
        renderer = self.canvas.get_renderer()
        boxes = [("step counter", pixel_box(self.counter.get_window_extent(renderer), self.figure))]
        for axes, legend in zip(self.axes, self.legends, strict=True):
            if axes.get_title():
                boxes.append((f"title {axes.get_title()!r}", pixel_box(axes.title.get_window_extent(renderer),
                                                                       self.figure)))
            if legend is not None:
                boxes.append(("legend", pixel_box(legend.get_window_extent(renderer), self.figure)))
        return boxes

    def reserved_colors(self) -> list[tuple[int, int, int]]:
        colors = [*self.colors, self.theme.foreground, self.theme.background]
        return [tuple(round(255 * c) for c in to_rgba(color)[:3]) for color in colors]

    def close(self) -> None:
        self.figure.clear()
