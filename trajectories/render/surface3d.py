"""The 3-D views: a surface (``plot_surface``) or a wireframe, one or more panels, a turning camera.

With the camera moving, every frame is a full redraw (there is no static background to blit), so frames
are independent of each other and :mod:`trajectories.encode` can draw them in several processes.

Paths must stay visible: matplotlib sorts 3-D artists by depth and would hide a path lying on the
surface behind it. Each axes is made with ``computed_zorder=False``, so artists are drawn in ``zorder``
order: the surface first, the paths and markers over it. Paths are clipped to the axes box
(``axlim_clip``), so a path that leaves the box ends at its edge.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..scene import Scene
from .theme import get_theme


class SurfaceAnimation:
    """Frames of one or more 3-D panels side by side. ``frame(i)`` returns ``(H, W, 4)`` uint8 RGBA."""

    parallel = True  # frames are full redraws, independent of each other

    def __init__(
        self, panels: Sequence[Scene], size: tuple[int, int], dpi: int, theme: str, frames: int
    ) -> None:
        self.panels = [panel.with_options(frames=frames) for panel in panels]
        self.theme = get_theme(theme)
        self.timelines = [panel.timeline() for panel in self.panels]
        self.steps_shown = self.timelines[0].values
        self.trajectories = [panel.compute() for panel in self.panels]
        width, height = size
        self.figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        self.figure.patch.set_facecolor(self.theme.background)
        self.canvas = FigureCanvasAgg(self.figure)
        self.colors: list[str] = []
        self.axes, self.moving = [], []
        for k, panel in enumerate(self.panels):
            axes = self.figure.add_subplot(1, len(self.panels), k + 1, projection="3d", computed_zorder=False)
            self.axes.append(axes)
            self.moving.append(self._build_panel(axes, panel, self.trajectories[k]))
        self.figure.subplots_adjust(left=0, right=1, bottom=0, top=0.92, wspace=0)

    def computed(self) -> list[tuple[Scene, list]]:
        """Each panel, with the trajectories drawn for it."""
        return list(zip(self.panels, self.trajectories, strict=True))

    def _build_panel(self, axes, panel: Scene, trajectories) -> list:
        theme = self.theme
        axes.set_facecolor(theme.background)
        x0, x1, y0, y1 = panel.plot_window
        xs, ys = np.linspace(x0, x1, panel.grid), np.linspace(y0, y1, panel.grid)
        grid_x, grid_y = np.meshgrid(xs, ys)
        with np.errstate(all="ignore"):
            z = panel.surface.f(np.stack([grid_x, grid_y], axis=-1))
        if panel.view == "surface":
            axes.plot_surface(grid_x, grid_y, z, cmap=theme.cmap(), linewidth=0, antialiased=False, zorder=0)
        else:
            axes.plot_wireframe(grid_x, grid_y, z, color=theme.foreground, alpha=0.2, linewidth=0.6, zorder=0)
        z_low, z_high = panel.zlim if panel.zlim is not None else (float(np.nanmin(z)), float(np.nanmax(z)))
        axes.set_xlim(x0, x1)
        axes.set_ylim(y0, y1)
        axes.set_zlim(z_low, z_high)
        for axis in (axes.xaxis, axes.yaxis, axes.zaxis):
            axis.set_pane_color((0, 0, 0, 0))
            axis.set_ticklabels([])  # labels turning with the camera are noise, and cost a third of a frame
            axis._axinfo["grid"].update(color=to_rgba(theme.muted, 0.35), linewidth=0.5)
            axis.line.set_color(theme.muted)
        title = panel.title if panel.title is not None else panel.surface.name.replace("_", " ")
        axes.set_title(title, fontsize=panel.title_size or 20, color=theme.foreground)
        width = panel.line_width or 3.0
        moving = []
        for i, (racer, trajectory) in enumerate(zip(panel.optimizers, trajectories, strict=True)):
            color = racer.color or theme.color(i)
            self.colors.append(color)
            for j in range(len(panel.starts)):
                (path,) = axes.plot([], [], [], color=color, linewidth=width, zorder=10, axlim_clip=True)
                (head,) = axes.plot(
                    [], [], [], marker="o", markersize=7, markerfacecolor=color, markeredgecolor="#000000",
                    linestyle="none", zorder=11, axlim_clip=True,
                )
                moving.append((i, j, path, head, trajectory))
        if panel.show_start:
            for x, y in panel.starts:
                z_start = float(panel.path_surface.f(np.array([x, y])))
                axes.plot([x], [y], [z_start], marker="o", markersize=6, color=theme.color(0), zorder=12,
                          linestyle="none")
        if len(panel.optimizers) > 1:
            handles = [
                Line2D([], [], color=racer.color or theme.color(i), linewidth=width, marker="o", markersize=6,
                       markeredgecolor="#000000")
                for i, racer in enumerate(panel.optimizers)
            ]
            axes.legend(
                handles, [racer.label for racer in panel.optimizers], loc="lower right", fontsize=11,
                facecolor=theme.legend_face, edgecolor=theme.muted, labelcolor=theme.foreground, framealpha=0.0,
            )
        return moving

    def update(self, index: int) -> None:
        for panel, axes, moving, timeline in zip(self.panels, self.axes, self.moving, self.timelines, strict=True):
            for i, j, path, head, trajectory in moving:
                step = timeline.steps[index][i]
                first = max(0, step - panel.tail) if panel.trail in ("tail", "fade") else 0
                points = trajectory.positions[first : step + 1, j]
                points = points[np.isfinite(points).all(axis=1)]
                heights = trajectory.losses[first : first + len(points), j]
                path.set_data_3d(points[:, 0], points[:, 1], heights)
                head.set_data_3d(points[-1:, 0], points[-1:, 1], heights[-1:])
            camera_step = timeline.values[index]
            axes.view_init(elev=panel.elevation, azim=panel.azimuth + panel.rotation * camera_step)

    def frame(self, index: int) -> np.ndarray:
        self.update(index)
        self.canvas.draw()
        return np.asarray(self.canvas.buffer_rgba()).copy()

    def reserved_colors(self) -> list[tuple[int, int, int]]:
        colors = [*self.colors, self.theme.foreground, self.theme.background]
        return [tuple(round(255 * c) for c in to_rgba(color)[:3]) for color in colors]

    def close(self) -> None:
        self.figure.clear()
