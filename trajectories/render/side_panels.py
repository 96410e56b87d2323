"""The contour view's side panels: where they go, the learning-rate panel and the state panel.

The learning-rate panel draws each racer's rate against the update, as far as the frame has come: its
schedule's (:mod:`trajectories.schedules`), or a flat line at its ``lr`` without one. The rates are a
property of the scene's specs, not of a computed path, so the panel reads them from the specs.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from matplotlib.collections import LineCollection

from ..state import SERIES, state_series

Box = tuple[float, float, float, float]


class PanelBoxes(NamedTuple):
    """Figure fractions (left, bottom, width, height) of the contour axes and of each side panel."""

    main: Box
    loss: Box | None
    lr: Box | None
    state: Box | None = None


CAPTION = 0.035
"""The strip kept free at the bottom of the figure for a caption (the overlays' scales)."""


def panel_boxes(wide: bool, loss: bool, lr: bool, state: bool = False, caption: bool = False) -> PanelBoxes:
    """The contour axes and the side panels: beside the contours, or under them for a ``wide`` window;
    several panels share that place, in the order loss, learning rate, state (top to bottom, or left to
    right). With a ``caption``, everything is raised and shortened to leave :data:`CAPTION` free below."""
    boxes = _panel_boxes(wide, loss, lr, state)
    if not caption:
        return boxes
    return PanelBoxes(*(None if box is None else (box[0], CAPTION + box[1] * (1 - CAPTION), box[2],
                                                  box[3] * (1 - CAPTION)) for box in boxes))


def _panel_boxes(wide: bool, loss: bool, lr: bool, state: bool) -> PanelBoxes:
    shown = [name for name, on in (("loss", loss), ("lr", lr), ("state", state)) if on]
    if not shown:
        return PanelBoxes((0.09, 0.1, 0.86, 0.78), None, None)
    boxes: dict[str, Box] = {}
    if wide:
        main: Box = (0.09, 0.4, 0.86, 0.48)
        if len(shown) == 1:
            boxes[shown[0]] = (0.09, 0.07, 0.86, 0.22)
        elif len(shown) == 2:
            boxes.update(zip(shown, [(0.09, 0.07, 0.4, 0.22), (0.57, 0.07, 0.38, 0.22)], strict=True))
        else:
            boxes.update(zip(shown, [(0.09 + 0.3 * i, 0.07, 0.23, 0.22) for i in range(3)], strict=True))
    else:
        main = (0.08, 0.1, 0.52, 0.78)
        if len(shown) == 1:
            boxes[shown[0]] = (0.7, 0.1, 0.27, 0.78)
        elif len(shown) == 2:
            boxes.update(zip(shown, [(0.7, 0.55, 0.27, 0.33), (0.7, 0.1, 0.27, 0.33)], strict=True))
        else:
            boxes.update(zip(shown, [(0.7, 0.1 + 0.28 * (2 - i), 0.27, 0.2) for i in range(3)], strict=True))
    return PanelBoxes(main, boxes.get("loss"), boxes.get("lr"), boxes.get("state"))


class LearningRatePanel:
    """Each racer's learning rate per update, drawn up to the frame's step."""

    def __init__(self, axes: Any, scene: Any, colors: list[str], foreground: str, muted: str) -> None:
        self.rates = [
            np.array(racer.spec.learning_rates(steps) or [racer.spec.base_rate()] * steps)
            for racer, steps in zip(scene.optimizers, scene.racer_steps(), strict=True)
        ]
        top = max(float(rates.max()) for rates in self.rates)
        axes.set_xlim(0, max(len(rates) for rates in self.rates))
        axes.set_ylim(0, top * 1.1 if top > 0 else 1.0)
        axes.set_xlabel("update", color=muted, fontsize=8)
        axes.set_ylabel("learning rate", color=muted, fontsize=8)
        axes.grid(True, color=muted, alpha=0.2, linewidth=0.5)
        axes.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
        axes.yaxis.get_offset_text().set_fontsize(7)
        axes.yaxis.get_offset_text().set_color(muted)
        self.collection = LineCollection([], colors=colors, linewidths=1.5)
        axes.add_collection(self.collection, autolim=False)
        self.collection.set_animated(True)

    def update(self, racer_steps: list[int]) -> LineCollection:
        """The curves up to each racer's step, the rate of its next update included: update ``t``'s rate
        is level from ``t`` to ``t + 1``, so a drop is a vertical edge where it happens."""
        curves = []
        for rates, step in zip(self.rates, racer_steps, strict=True):
            last = min(step, len(rates) - 1)
            xs = np.repeat(np.arange(last + 2), 2)[1:-1]
            curves.append(np.column_stack([xs, np.repeat(rates[: last + 1], 2)]))
        self.collection.set_segments(curves)
        return self.collection


class StatePanel:
    """A quantity an optimizer holds (:func:`trajectories.state.state_series`), per axis (x solid, y dashed),
    for each racer's first start, drawn up to the frame's step on a log scale of its size."""

    def __init__(self, axes: Any, scene: Any, trajectories: list, colors: list[str], muted: str) -> None:
        name = scene.state_panel
        self.series = []
        for racer, trajectory in zip(scene.optimizers, trajectories, strict=True):
            values = state_series(racer.spec, trajectory.state, name)
            self.series.append(None if values is None else np.abs(values[:, 0]))
        shown = [s[np.isfinite(s) & (s > 0)] for s in self.series if s is not None]
        sizes = np.concatenate(shown) if shown else np.empty(0)
        low, high = (float(sizes.min()), float(sizes.max())) if sizes.size else (0.1, 10.0)
        axes.set_yscale("log")
        axes.set_ylim(low / 2, high * 2 if high > low else low * 10)
        axes.set_xlim(0, max(t.steps for t in trajectories))
        axes.set_xlabel("update", color=muted, fontsize=8)
        axes.set_ylabel(f"{SERIES[name]}  (x —, y - -)", color=muted, fontsize=8)
        axes.grid(True, color=muted, alpha=0.2, linewidth=0.5)
        self.colors = colors
        self.collection = LineCollection([], linewidths=1.3)
        axes.add_collection(self.collection, autolim=False)
        self.collection.set_animated(True)

    def update(self, racer_steps: list[int]) -> LineCollection:
        """Each racer's two curves up to the update its head is about to take."""
        curves, colors, styles = [], [], []
        for i, (values, step) in enumerate(zip(self.series, racer_steps, strict=True)):
            if values is None:
                continue
            last = min(step, len(values) - 1)
            for axis, style in ((0, "solid"), (1, (0, (3.0, 1.5)))):
                curves.append(np.column_stack([np.arange(last + 1), values[: last + 1, axis]]))
                colors.append(self.colors[i])
                styles.append(style)
        self.collection.set_segments(curves)
        self.collection.set_color(colors or ["none"])
        self.collection.set_linestyles(styles or ["solid"])
        return self.collection
