"""The network view: one synchronised frame of a network race (:mod:`trajectories.scene.network_scene`).

- left, the loss landscape on the plane (filled contours of the loss grid, quantile levels) with each
  racer's projected path, head and start; the axes say the projection and, for ``pca``, each axis's share
  of the variance ("PC1 (55.0 % of variance)"); the caption under it says how much of each path the plane
  shows;
- top right, each racer's true training loss over all samples (validation dashed when the dataset is
  split), against updates or samples read, on a log scale;
- bottom right, for 2-input networks, one decision panel per racer: the predicted class (two colours
  blended by the predicted probability, or the most likely class's colour) over the input plane, the
  0.5 boundary and the training points, at the last decision step at or before the frame's step.

The still parts are drawn once (blitting); a frame draws the paths, heads, curves, decision images and the
step counter. Everything drawn comes from :class:`~trajectories.scene.network_scene.NetworkComputed`: the
view never trains or evaluates. Contour levels are quantiles of the grid and images are blended linearly,
so no pixel depends on numpy's SIMD ``exp``/``log``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgb, to_rgba
from matplotlib.lines import Line2D

from ..style.theme import get_theme
from .canvas import Backdrop, frame_pixels, new_figure
from .geometry import (
    Area,
    FrameGeometry,
    Mark,
    Stroke,
    axes_text_boxes,
    figure_text_boxes,
    frame_box,
    frame_points,
    pixels_per_point,
    text_box,
)

if TYPE_CHECKING:
    from ..network.computed import NetworkComputed
    from ..scene.network_scene import NetworkScene

MAX_PANELS = 6
"""The most decision panels (one per racer, the first ones), and no more than fit at :data:`PANEL_SIDE`."""
PANEL_SIDE = 100
"""The smallest side of a decision panel in pixels (the frame checker's smallest area)."""
LEVELS = 14
"""Filled contour bands of the loss landscape (quantiles of the grid's finite values)."""
CLASS_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
"""The classes' colours in the decision panels (Okabe–Ito: told apart by colour-blind viewers too)."""


def network_view(scene: NetworkScene, paths: NetworkComputed, text: bool) -> NetworkView:
    """The view registered as ``network``: draws what the compute stage computed (it never trains)."""
    return NetworkView(scene, paths, text)


def quantile_levels(values: np.ndarray, count: int = LEVELS) -> np.ndarray:
    """``count + 1`` increasing levels at evenly spaced quantiles of the finite ``values`` (sorting and
    linear interpolation only: the same on every CPU); repeated quantiles are dropped."""
    finite = np.sort(values[np.isfinite(values)])
    if finite.size == 0:
        return np.array([0.0, 1.0])
    levels = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, count + 1)))
    return levels if levels.size > 1 else np.array([levels[0], levels[0] + 1.0])


def boundary_lines(xs: np.ndarray, ys: np.ndarray, values: np.ndarray, level: float = 0.5) -> list[np.ndarray]:
    """The polylines where ``values`` ``(ny, nx)`` crosses ``level`` (marching squares, contourpy)."""
    from contourpy import contour_generator

    if not np.isfinite(values).all():
        values = np.ma.masked_invalid(values)
    return [line for line in contour_generator(xs, ys, values).lines(level) if len(line) > 1]


def class_image(values: np.ndarray, loss: str) -> np.ndarray:
    """An RGB image ``(ny, nx, 3)`` of a decision grid: a binary probability blends the two classes'
    colours (pale at 0.5), class probabilities colour the most likely class, paler the less sure; a
    regression output is grey. NaN (a diverged network) is the muted grey."""
    pale = np.array([0.96, 0.96, 0.96])
    colors = np.array([to_rgb(c) for c in CLASS_COLORS])
    if values.ndim == 3:  # class probabilities
        winner = np.argmax(np.nan_to_num(values, nan=0.0), axis=-1)
        sure = np.nan_to_num(np.max(values, axis=-1), nan=0.0)
        k = values.shape[-1]
        weight = np.clip((sure - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)[..., None]
        image = pale + 0.55 * weight * (colors[winner % len(colors)] - pale)
    elif loss == "bce" or loss == "mse":
        p = np.clip(values, 0.0, 1.0)
        side = np.where(p >= 0.5, 1, 0)
        weight = (np.abs(p - 0.5) * 2.0)[..., None]
        image = pale + 0.55 * weight * (colors[side] - pale)
    else:
        image = np.broadcast_to(pale, (*values.shape, 3)).copy()
    image[~np.isfinite(values if values.ndim == 2 else values[..., 0])] = (0.6, 0.6, 0.6)
    return image


def _short(label: str, most: int = 16) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"


class NetworkView:
    parallel = False

    def __init__(self, scene: NetworkScene, computed: NetworkComputed, text: bool = True) -> None:
        self._begin(scene, computed, text)
        racers = len(scene.optimizers)
        width, height = scene.look.size
        room = int(0.41 * width + 8) // (PANEL_SIDE + 8)  # panels of at least PANEL_SIDE pixels that fit
        self.panels = min(racers, MAX_PANELS, room) if computed.boundaries is not None else 0
        self.side = min(0.41 * width / max(self.panels, 1) - 8, 0.27 * height)  # square decision panels (px)
        bottom = 0.07 + self.side / height + 0.17 if self.panels else 0.12
        self.landscape = self.figure.add_axes((0.07, 0.19, 0.39, 0.69))
        self.loss_axes = self.figure.add_axes((0.56, bottom, 0.41, 0.88 - bottom))
        self._draw_landscape()
        self._draw_loss_panel()
        self.decision_axes = self._draw_decision_panels() if self.panels else []
        self._finish(0.56)

    def _begin(self, scene: NetworkScene, computed: NetworkComputed, text: bool) -> None:
        """What every network view holds first: the scene, its computed value, theme, colours, the steps its
        frames show and the figure."""
        self.scene, self.computed = scene, computed
        self.theme = theme = get_theme(scene.look.theme)
        self.colors = scene.racer_colors(theme)
        self.steps_shown = scene.frame_steps()
        self.figure, self.canvas = new_figure(scene.look.size, scene.look.dpi, theme.background, text)

    def _finish(self, counter_left: float) -> None:
        """The title (the scene's, else the network and the dataset), the step counter at ``counter_left`` and
        the still backdrop, drawn last."""
        scene, theme = self.scene, self.theme
        spec = scene.dataset_spec
        data_name = Path(spec.params["path"]).name if spec.kind == "csv" else spec.to_text()
        title = scene.look.title if scene.look.title is not None else f"{self.computed.model.to_text()} on {data_name}"
        self.figure.suptitle(title, color=theme.foreground, fontsize=13, y=0.985)
        self.counter = self.figure.text(counter_left, 0.905, "", color=theme.foreground,
                                        fontsize=10, ha="left", va="bottom", animated=True)
        self.backdrop = Backdrop(self.canvas)

    # --- still parts ----------------------------------------------------------------------------------

    def _style(self, axes: Any) -> None:
        axes.set_facecolor(self.theme.background)
        axes.tick_params(colors=self.theme.muted, labelsize=8, labelcolor=self.theme.foreground)
        for spine in axes.spines.values():
            spine.set_color(self.theme.muted)

    def _axis_names(self) -> tuple[str, str, str]:
        """The landscape's title and its two axes' names: the method and, for pca, the explained variance."""
        plane, scene = self.computed.plane, self.scene
        if plane.method == "pca":
            first, second = self.computed.explained
            return ("loss on the PCA plane of all paths", f"PC1 ({100 * first:.1f} % of variance)",
                    f"PC2 ({100 * second:.1f} % of variance)")
        if plane.method == "plane":
            a, b = scene.projection_spec.params["racers"]
            return ("loss on the plane through the start and two ends",
                    f"toward {_short(scene.optimizers[a].label)}'s end",
                    f"toward {_short(scene.optimizers[b].label)}'s end")
        return ("loss on filter-normalised random directions", "direction 1", "direction 2")

    def _draw_landscape(self) -> None:
        axes, theme, computed = self.landscape, self.theme, self.computed
        self._style(axes)
        grid = computed.landscape
        levels = quantile_levels(grid.values)
        cmap = theme.cmap()
        colors = cmap(np.linspace(0.0, 1.0, len(levels) - 1))
        filled = np.ma.masked_invalid(grid.values)
        axes.contourf(grid.xs, grid.ys, filled, levels=levels, cmap=ListedColormap(colors),
                      norm=BoundaryNorm(levels, len(levels) - 1), extend="neither")
        axes.contour(grid.xs, grid.ys, filled, levels=levels, colors=theme.contour_line,
                     alpha=theme.contour_line_alpha, linewidths=0.6)
        x0, x1, y0, y1 = computed.window
        axes.set_xlim(x0, x1)
        axes.set_ylim(y0, y1)
        title, first, second = self._axis_names()
        axes.set_title(title, color=theme.foreground, fontsize=11)
        axes.set_xlabel(first, color=theme.foreground, fontsize=10)
        axes.set_ylabel(second, color=theme.foreground, fontsize=10)
        start = computed.coordinates[0, 0]
        axes.plot([start[0]], [start[1]], marker="o", markersize=7, markerfacecolor="none",
                  markeredgecolor=theme.foreground, linestyle="none")
        width = theme.line_width
        self.path_lines = [axes.add_line(Line2D([], [], color=color, linewidth=width, animated=True))
                           for color in self.colors]
        self.heads = [axes.add_line(Line2D([], [], color=color, marker="o", markersize=theme.marker_size,
                                           markeredgecolor=theme.background, linestyle="none", animated=True))
                      for color in self.colors]
        shares = " · ".join(f"{_short(racer.label, 20)} {100 * share:.0f} %"
                            for racer, share in zip(self.scene.optimizers, computed.fractions, strict=True))
        self.caption = self.figure.text(0.26, 0.012, f"the plane shows this share of each path's movement:\n{shares}",
                                        color=theme.foreground, fontsize=8, ha="center", va="bottom",
                                        linespacing=1.3)

    def _clock(self) -> np.ndarray:
        """``(O, T + 1)``: the loss panel's x value of each racer's points (updates, or samples read)."""
        paths = self.computed.paths
        if self.scene.shows_samples:
            return paths.samples_read.astype(float)
        return np.broadcast_to(np.arange(paths.steps + 1, dtype=float), paths.samples_read.shape)

    def _draw_loss_panel(self) -> None:
        axes, theme, computed = self.loss_axes, self.theme, self.computed
        self._style(axes)
        train, validation = computed.train_loss(), computed.validation_loss()
        clock = self._clock()
        values = np.concatenate([train.ravel(), validation.ravel() if validation is not None else []])
        values = values[np.isfinite(values) & (values > 0)]
        low, high = (float(values.min()), float(values.max())) if values.size else (1e-3, 1.0)
        axes.set_yscale("log")
        axes.set_ylim(low / 1.5, high * 1.5)
        if self.scene.shows_samples:  # batch sizes differ a hundredfold: a log clock past the smallest batch
            smallest = min(racer.batch_size or len(computed.data.train) for racer in self.scene.optimizers)
            axes.set_xscale("symlog", linthresh=smallest, linscale=0.25)
        axes.set_xlim(0, float(np.nanmax(clock)) or 1.0)
        axes.set_xlabel("samples read" if self.scene.shows_samples else "update", color=theme.foreground,
                        fontsize=9)
        axes.set_ylabel("training loss (all samples)", color=theme.foreground, fontsize=9)
        axes.grid(True, which="major", color=theme.muted, alpha=0.25, linewidth=0.5)
        width = theme.line_width * 0.8
        self.loss_lines = [axes.add_line(Line2D([], [], color=color, linewidth=width, animated=True))
                           for color in self.colors]
        self.validation_lines = [axes.add_line(Line2D([], [], color=color, linewidth=width * 0.8, linestyle="--",
                                                      animated=True)) for color in self.colors] \
            if validation is not None else []
        handles = [Line2D([], [], color=color, linewidth=width) for color in self.colors]
        labels = [racer.legend_text() for racer in self.scene.optimizers]
        if validation is not None:
            handles.append(Line2D([], [], color=theme.muted, linewidth=width * 0.8, linestyle="--"))
            labels.append("validation loss")
        self.legend = axes.legend(handles, labels, loc="upper right", fontsize=7, framealpha=0.85,
                                  facecolor=theme.legend_face, edgecolor=theme.muted, labelcolor=theme.foreground)

    def _draw_decision_panels(self) -> list[Any]:
        theme, computed = self.theme, self.computed
        grids, data = computed.boundaries, computed.data.train
        x0, x1, y0, y1 = computed.input_window
        count = self.panels
        width, height = self.scene.look.size
        side = self.side
        gap = min(16.0, (0.41 * width - count * side) / max(count - 1, 1)) if count > 1 else 0.0
        loss = computed.loss.name
        self.images, self.boundary_collections, self.points = [], [], []
        self.class_images = [[class_image(grids.values[k, o], loss) for o in range(count)]
                             for k in range(len(computed.boundary_steps))]
        self.class_lines = [[boundary_lines(grids.xs, grids.ys, grids.values[k, o])
                             if grids.values.ndim == 4 and loss in ("bce", "mse") else []
                             for o in range(count)] for k in range(len(computed.boundary_steps))]
        targets = data.targets if data.task != "regression" else np.zeros(len(data))
        point_colors = [to_rgba(CLASS_COLORS[int(t) % len(CLASS_COLORS)]) for t in targets]
        panels = []
        for o in range(count):
            left = 0.56 * width + o * (side + gap)
            axes = self.figure.add_axes((left / width, 0.07, side / width, side / height))
            self._style(axes)
            axes.set_xticks([])
            axes.set_yticks([])
            for spine in axes.spines.values():
                spine.set_color(self.colors[o])
                spine.set_linewidth(2.0)
            axes.set_title(_short(self.scene.optimizers[o].label, 18), color=theme.foreground, fontsize=8, pad=3)
            image = axes.imshow(self.class_images[0][o], origin="lower", extent=(x0, x1, y0, y1), aspect="auto",
                                interpolation="nearest", animated=True)
            lines = LineCollection([], colors=[theme.foreground], linewidths=1.2, animated=True)
            axes.add_collection(lines, autolim=False)
            points = axes.scatter(data.inputs[:, 0], data.inputs[:, 1], s=4, c=point_colors, linewidths=0.3,
                                  edgecolors=theme.background, animated=True)
            axes.set_xlim(x0, x1)
            axes.set_ylim(y0, y1)
            self.images.append(image)
            self.boundary_collections.append(lines)
            self.points.append(points)
            panels.append(axes)
        shown = "" if count == len(self.scene.optimizers) else f" of the first {count} racers"
        self.figure.text(0.56, 0.07 + side / height + 0.04, f"decision boundaries{shown} (training points)",
                         color=theme.foreground, fontsize=9, ha="left", va="bottom")
        return panels

    # --- frames ---------------------------------------------------------------------------------------

    def _boundary_index(self, step: int) -> int:
        """The last decision step at or before ``step``."""
        steps = self.computed.boundary_steps
        return max(i for i, s in enumerate(steps) if s <= step) if steps else 0

    def _shown(self, racer: int, step: int) -> np.ndarray:
        """Racer ``racer``'s projected path up to ``step`` (its finite points)."""
        points = self.computed.coordinates[: step + 1, racer]
        return points[np.isfinite(points).all(axis=1)]

    def frame(self, index: int) -> np.ndarray:
        self.backdrop.restore()
        step = self.steps_shown[index]
        figure = self.figure
        for racer, (line, head) in enumerate(zip(self.path_lines, self.heads, strict=True)):
            points = self._shown(racer, step)
            line.set_data(points[:, 0], points[:, 1])
            head.set_data(points[-1:, 0], points[-1:, 1])
            figure.draw_artist(line)
        self._draw_loss_curves(step)
        for head in self.heads:  # over every path
            figure.draw_artist(head)
        if self.panels:
            k = self._boundary_index(step)
            for o in range(self.panels):
                self.images[o].set_data(self.class_images[k][o])
                self.boundary_collections[o].set_segments(self.class_lines[k][o])
                figure.draw_artist(self.images[o])
                figure.draw_artist(self.boundary_collections[o])
                figure.draw_artist(self.points[o])
        self.counter.set_text(self.counter_text(step))
        figure.draw_artist(self.counter)
        return frame_pixels(self.canvas)

    def _draw_loss_curves(self, step: int) -> None:
        """The loss panel's curves (training, and validation dashed) up to ``step``."""
        computed, figure = self.computed, self.figure
        clock, train, validation = self._clock(), computed.train_loss(), computed.validation_loss()
        for racer, line in enumerate(self.loss_lines):
            line.set_data(clock[racer, : step + 1], train[: step + 1, racer])
            figure.draw_artist(line)
        for racer, line in enumerate(self.validation_lines):
            line.set_data(clock[racer, : step + 1], validation[: step + 1, racer])
            figure.draw_artist(line)

    def counter_text(self, step: int) -> str:
        """``"update 40 of 150"``, and each racer's samples read when the clock is samples."""
        paths = self.computed.paths
        text = f"update {step} of {paths.steps}"
        if self.scene.shows_samples:
            text += " · samples read: " + ", ".join(str(int(n)) for n in paths.samples_read[:, step])
        return text

    def geometry(self, index: int) -> FrameGeometry:
        """Frame ``index`` as :mod:`~trajectories.render.geometry` values: the landscape (paths and heads), the
        loss panel, the decision panels and every text."""
        figure, renderer = self.figure, self.canvas.get_renderer()
        step = self.steps_shown[index]
        areas = [Area("landscape", frame_box(self.landscape.get_window_extent(), figure)),
                 Area("loss panel", frame_box(self.loss_axes.get_window_extent(), figure), "panel")]
        areas += [Area(f"decision panel {o}", frame_box(axes.get_window_extent(), figure), "panel")
                  for o, axes in enumerate(self.decision_axes)]
        width = self.theme.line_width * pixels_per_point(figure)
        strokes, marks = [], []
        radius = self.theme.marker_size * pixels_per_point(figure) / 2
        for racer, label in enumerate(r.label for r in self.scene.optimizers):
            display = self._displayed(racer, step)
            strokes.append(Stroke(f"path of {label}", display, width, width, 0, racer))
            if len(display):
                marks.append(Mark(f"head of {label}", "head", tuple(display[-1]), radius, 0, racer))
        if getattr(self, "_still_texts", None) is None:  # the still parts' text never moves: measured once
            self.counter.set_text("")
            texts = figure_text_boxes(figure, renderer)
            for name, axes in (("landscape", self.landscape), ("loss panel", self.loss_axes),
                               *((f"decision panel {o}", a) for o, a in enumerate(self.decision_axes))):
                texts += axes_text_boxes(axes, renderer, figure, name)
            self._still_texts = tuple(t for t in texts if t is not None)
        self.counter.set_text(self.counter_text(step))  # as this frame draws it
        counter = text_box(self.counter, renderer, figure, "step counter")
        texts = self._still_texts + ((counter,) if counter is not None else ())
        return FrameGeometry(index, tuple(self.scene.look.size), tuple(areas), marks=tuple(marks),
                             strokes=tuple(strokes), texts=texts, cameras=self._cameras())

    def _displayed(self, racer: int, step: int) -> np.ndarray:
        """Racer ``racer``'s path up to ``step`` as drawn, in pixels of the frame."""
        points = self._shown(racer, step)
        return frame_points(self.landscape.transData.transform(points), self.figure) if len(points) else points

    def _cameras(self) -> tuple:
        """The 3-D cameras of the frame: none in 2-D."""
        return ()

    def reserved_colors(self) -> list[tuple[int, int, int]]:
        colors = [*self.colors, self.theme.foreground, self.theme.background]
        return [tuple(round(255 * c) for c in to_rgba(color)[:3]) for color in colors]

    def close(self) -> None:
        self.figure.clear()
