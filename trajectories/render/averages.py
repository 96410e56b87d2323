"""The exponentially-weighted-average view (figure 5): the series drawn once, the averages growing one
point per frame, each starting ``stagger`` frames after the previous one (blitted, one collection); a series
longer than the scene's most frames grows several points a frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D

from ..style.theme import get_theme
from .canvas import Backdrop, frame_pixels, new_figure
from .geometry import (
    Area,
    FrameGeometry,
    Stroke,
    axes_text_boxes,
    figure_text_boxes,
    frame_box,
    frame_points,
    pixels_per_point,
)

if TYPE_CHECKING:
    from ..scene import SeriesScene


class AveragesView:
    parallel = False

    def __init__(self, scene: SeriesScene, text: bool = True) -> None:
        self.scene = scene
        self.theme = theme = get_theme(scene.look.theme)
        self.values = scene.values()
        self.averages = scene.averages()
        count = len(self.values)
        self.steps_shown = scene.frame_steps()  # one value a frame, or spread over the most frames
        self.figure, self.canvas = new_figure(scene.look.size, scene.look.dpi, theme.background, text)
        axes = self.axes = self.figure.add_axes((0.07, 0.08, 0.9, 0.82))
        axes.set_facecolor(theme.background)
        days = np.arange(count)
        axes.plot(days, self.values, color=scene.price_color, linewidth=scene.look.line_width)
        low, high = float(self.values.min()), float(self.values.max())
        pad = 0.05 * (high - low or 1.0)
        axes.set_xlim(0, count - 1)
        axes.set_ylim(low - pad, high + pad)
        axes.set_xticks([])
        axes.set_yticks([])
        for spine in axes.spines.values():
            spine.set_color(theme.muted)
        axes.set_xlabel("date", color=theme.foreground, fontsize=14)
        axes.set_ylabel("stock close value", color=theme.foreground, fontsize=14)
        source = "synthetic prices (seeded random walk, not market data)" if scene.synthetic else scene.column
        title = scene.look.title if scene.look.title is not None else "Exponentially weighted averages"
        axes.set_title(f"{title}\n{source}", color=theme.foreground, fontsize=16)
        labels = ["close" if scene.synthetic else scene.column] + [
            f"β = {b:.2f}  (≈ {1 / (1 - b):.0f} days)" for b in scene.betas
        ]
        colors = scene.curve_colors[: len(scene.betas)]
        handles = [Line2D([], [], color=c, linewidth=scene.look.line_width) for c in (scene.price_color, *colors)]
        axes.legend(handles, labels, loc="lower right", framealpha=0.0, labelcolor=theme.foreground, fontsize=13)
        self.curves = LineCollection([], colors=[to_rgba(c) for c in colors[: len(scene.betas)]],
                                     linewidths=scene.look.line_width)
        axes.add_collection(self.curves, autolim=False)
        self.curves.set_animated(True)
        self.backdrop = Backdrop(self.canvas)

    def shown_points(self, index: int) -> list[int]:
        """How many points of each average frame ``index`` shows."""
        count, step = len(self.values), self.steps_shown[index]
        return [min(count, max(0, step - k * self.scene.stagger + 1)) for k in range(len(self.averages))]

    def frame(self, index: int) -> np.ndarray:
        self.backdrop.restore()
        segments = []
        for average, shown in zip(self.averages, self.shown_points(index), strict=True):
            segments.append(np.column_stack([np.arange(shown), average[:shown]]))
        self.curves.set_segments(segments)
        self.figure.draw_artist(self.curves)
        return frame_pixels(self.canvas)

    def geometry(self, index: int) -> FrameGeometry:
        """Frame ``index`` as :mod:`~trajectories.render.geometry` values: the plot, the averages drawn so
        far and every text."""
        figure, renderer = self.figure, self.canvas.get_renderer()
        width = self.scene.look.line_width * pixels_per_point(figure)
        strokes = [Stroke(f"average β = {beta:.2f}", frame_points(self.axes.transData.transform(
                       np.column_stack([np.arange(shown), average[:shown]])), figure), width, width, 0, k)
                   for k, (beta, average, shown) in enumerate(zip(self.scene.betas, self.averages,
                                                                  self.shown_points(index), strict=True))]
        if getattr(self, "_still_texts", None) is None:  # the background's text never moves: measured once
            self._still_texts = tuple(figure_text_boxes(figure, renderer)
                                      + axes_text_boxes(self.axes, renderer, figure, "plot"))
        return FrameGeometry(index, tuple(self.scene.look.size), (Area("plot", frame_box(self.axes.get_window_extent(),
                                                                                      figure)),),
                             strokes=tuple(strokes), texts=self._still_texts)

    def reserved_colors(self) -> list[tuple[int, int, int]]:
        colors = [self.scene.price_color, *self.scene.curve_colors[: len(self.scene.betas)], self.theme.foreground,
                  self.theme.background]
        return [tuple(round(255 * c) for c in to_rgba(color)[:3]) for color in colors]

    def close(self) -> None:
        self.figure.clear()
