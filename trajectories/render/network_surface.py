"""The network race in 3-D, like the article's figures (``view = "network_surface"``): one frame of a network
race (:mod:`trajectories.scene.network_scene`) with

- left, the loss over the projection plane drawn as a surface (``plot_surface``, the theme's colour map, as
  :mod:`trajectories.render.surface3d` draws a 2-D surface) from a fixed camera; each racer's path is drawn
  over the plane's coordinates of its points, lifted to the racer's *true* training loss at each point (the
  loss of the whole network, not of the plane's point: a path leaves the plane, so it may float above or
  sink below the surface; the caption says so, and how much of each path the plane shows); its head is the
  frame's step. The axes name the projection and, for ``pca``, each axis's share of the variance;
- right, each racer's true training loss over the steps (as in the 2-D view, :mod:`~.network_view`).

Heights are the computed losses, so a head at step ``s`` sits at ``(a, b, L(θ_s))`` with ``(a, b)`` the
projection of ``θ_s``. The camera is fixed (elevation :data:`ELEVATION`, azimuth :data:`AZIMUTH`): the surface and
the axes are drawn once (blitting) and a frame draws the paths, heads, loss curves and the counter. The
surface's colours are a linear map of the computed grid, so no pixel depends on numpy's SIMD ``exp``/``log``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.patheffects import Normal
from matplotlib.patheffects import Stroke as Outline
from mpl_toolkits.mplot3d import proj3d

from .canvas import frame_pixels
from .geometry import frame_points
from .network_view import NetworkView, _short

if TYPE_CHECKING:
    from ..network.computed import NetworkComputed
    from ..scene.network_scene import NetworkScene

ELEVATION = 32.0
"""The camera's elevation in degrees (the article's figures look down on the bowl at about this angle)."""
AZIMUTH = -60.0
"""The camera's azimuth in degrees (matplotlib's default: the first axis runs to the front right)."""


def height_limits(surface: np.ndarray, losses: np.ndarray) -> tuple[float, float]:
    """The z limits: from the lowest of the surface and the racers' true losses to the highest, 3 % to spare
    below (a path whose loss is under the plane's must not be clipped away); NaN ignored."""
    values = np.concatenate([surface[np.isfinite(surface)], losses[np.isfinite(losses)]])
    if values.size == 0:
        return 0.0, 1.0
    low, high = float(values.min()), float(values.max())
    spread = high - low or max(abs(high), 1.0)
    return low - 0.03 * spread, high + (0.0 if high > low else spread)


class NetworkSurfaceView(NetworkView):
    """Frames of a network race in 3-D. ``frame(i)`` returns ``(H, W, 4)`` uint8 RGBA."""

    parallel = False

    def __init__(self, scene: NetworkScene, computed: NetworkComputed, text: bool = True) -> None:
        self._begin(scene, computed, text)
        self.panels, self.decision_axes = 0, []
        self.landscape = self.figure.add_axes((0.0, 0.18, 0.52, 0.72), projection="3d", computed_zorder=False)
        self.loss_axes = self.figure.add_axes((0.60, 0.16, 0.37, 0.72))
        self._draw_surface()
        self._draw_loss_panel()
        self._finish(0.60)

    def _draw_surface(self) -> None:
        axes, theme, computed = self.landscape, self.theme, self.computed
        grid = computed.landscape
        gx, gy = np.meshgrid(grid.xs, grid.ys)
        z0, z1 = self.zlim = height_limits(grid.values, computed.train_loss())
        axes.set_facecolor(theme.background)
        surface = np.ma.masked_invalid(grid.values)
        axes.plot_surface(gx, gy, surface, cmap=theme.cmap(), vmin=z0, vmax=z1, linewidth=0, antialiased=False,
                          rcount=len(grid.ys), ccount=len(grid.xs), zorder=0)
        x0, x1, y0, y1 = computed.window
        axes.set_xlim(x0, x1)
        axes.set_ylim(y0, y1)
        axes.set_zlim(z0, z1)
        axes.view_init(elev=ELEVATION, azim=AZIMUTH)
        for axis in (axes.xaxis, axes.yaxis, axes.zaxis):
            axis.set_pane_color((0, 0, 0, 0))
            axis._axinfo["grid"].update(color=to_rgba(theme.muted, 0.35), linewidth=0.5)
            axis.line.set_color(theme.muted)
        axes.tick_params(colors=theme.muted, labelsize=7, labelcolor=theme.foreground, pad=0)
        axes.xaxis.set_ticklabels([])
        axes.yaxis.set_ticklabels([])
        title, first, second = self._axis_names()
        if computed.plane.method == "pca":  # short labels: a turned label's box must not cover the heads
            title += " (axes: % of variance)"
            first, second = (name.replace(" of variance", "") for name in (first, second))
        axes.set_title(title.replace("loss on", "the loss over"), color=theme.foreground, fontsize=11, pad=-4)
        axes.set_xlabel(first, color=theme.foreground, fontsize=9, labelpad=2)
        axes.set_ylabel(second, color=theme.foreground, fontsize=9, labelpad=2)
        axes.set_zlabel("training loss", color=theme.foreground, fontsize=9, labelpad=2)
        start = computed.coordinates[0, 0]
        axes.plot([start[0]], [start[1]], [computed.train_loss()[0, 0]], marker="o", markersize=7,
                  markerfacecolor="none", markeredgecolor=theme.foreground, linestyle="none", zorder=5)
        width = theme.line_width
        outline = [Outline(linewidth=width + 1.6, foreground="#000000"), Normal()]
        self.path_lines = [axes.plot([], [], [], color=color, linewidth=width, zorder=10, animated=True,
                                     path_effects=outline)[0] for color in self.colors]
        self.heads = [axes.plot([], [], [], color=color, marker="o", markersize=theme.marker_size,
                                markeredgecolor="#000000", markeredgewidth=0.6, linestyle="none", zorder=11 + racer,
                                animated=True)[0] for racer, color in enumerate(self.colors)]
        shares = " · ".join(f"{_short(racer.label)} {100 * share:.0f} %"
                            for racer, share in zip(self.scene.optimizers, computed.fractions, strict=True))
        self.caption = self.figure.text(
            0.27, 0.012, "paths are drawn at each racer's true training loss (a path leaves the plane);\n"
            f"the plane shows this share of each path's movement:\n{shares}",
            color=theme.foreground, fontsize=8, ha="center", va="bottom", linespacing=1.3, wrap=False)

    # --- frames ---------------------------------------------------------------------------------------

    def lifted(self, racer: int, step: int) -> np.ndarray:
        """``(n, 3)``: racer ``racer``'s path up to ``step``, each point at its plane coordinates and its true
        training loss (its finite points)."""
        points = np.column_stack([self.computed.coordinates[: step + 1, racer],
                                  self.computed.train_loss()[: step + 1, racer]])
        return points[np.isfinite(points).all(axis=1)]

    def frame(self, index: int) -> np.ndarray:
        self.backdrop.restore()
        step = self.steps_shown[index]
        figure = self.figure
        for racer, (line, head) in enumerate(zip(self.path_lines, self.heads, strict=True)):
            points = self.lifted(racer, step)
            line.set_data_3d(points[:, 0], points[:, 1], points[:, 2])
            head.set_data_3d(points[-1:, 0], points[-1:, 1], points[-1:, 2])
            figure.draw_artist(line)
        for head in self.heads:  # over every path
            figure.draw_artist(head)
        self._draw_loss_curves(step)
        self.counter.set_text(self.counter_text(step))
        figure.draw_artist(self.counter)
        return frame_pixels(self.canvas)

    def project(self, points: np.ndarray) -> np.ndarray:
        """Display pixels of 3-D ``points`` ``(n, 3)`` as the fixed camera sees them."""
        axes = self.landscape
        if len(points) == 0:
            return np.empty((0, 2))
        x, y, _ = proj3d.proj_transform(points[:, 0], points[:, 1], points[:, 2], axes.get_proj())
        return axes.transData.transform(np.column_stack([x, y]))

    def moments(self) -> list:
        return []

    def _displayed(self, racer: int, step: int) -> np.ndarray:
        """Racer ``racer``'s lifted path up to ``step`` as the fixed camera shows it, in pixels of the frame."""
        return frame_points(self.project(self.lifted(racer, step)), self.figure)

    def _cameras(self) -> tuple:
        return ((float(self.landscape.elev), float(self.landscape.azim)),)
