"""The contour view's side panels: where they go, and the learning-rate panel.

The learning-rate panel draws each racer's rate against the update, as far as the frame has come: its
schedule's (:mod:`trajectories.schedules`), or a flat line at its ``lr`` without one. The rates are a
property of the scene's specs, not of a computed path, so the panel reads them from the specs.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from matplotlib.collections import LineCollection

Box = tuple[float, float, float, float]


class PanelBoxes(NamedTuple):
    """Figure fractions (left, bottom, width, height) of the contour axes and of each side panel."""

    main: Box
    loss: Box | None
    lr: Box | None


def panel_boxes(wide: bool, loss: bool, lr: bool) -> PanelBoxes:
    """The contour axes and the side panels: beside the contours, or under them for a ``wide`` window;
    two panels share that place (loss first: above, or on the left)."""
    if not (loss or lr):
        return PanelBoxes((0.09, 0.1, 0.86, 0.78), None, None)
    if wide:
        main: Box = (0.09, 0.4, 0.86, 0.48)
        if loss and lr:
            return PanelBoxes(main, (0.09, 0.07, 0.4, 0.22), (0.57, 0.07, 0.38, 0.22))
        single: Box = (0.09, 0.07, 0.86, 0.22)
    else:
        main = (0.08, 0.1, 0.52, 0.78)
        if loss and lr:
            return PanelBoxes(main, (0.7, 0.55, 0.27, 0.33), (0.7, 0.1, 0.27, 0.33))
        single = (0.7, 0.1, 0.27, 0.78)
    return PanelBoxes(main, single if loss else None, single if lr else None)


class LearningRatePanel:
    """Each racer's learning rate per update, drawn up to the frame's step."""

    def __init__(self, axes: Any, scene: Any, colors: list[str], foreground: str, muted: str) -> None:
        self.rates = [
            np.array(racer.spec.learning_rates(steps) or [racer.spec.params["lr"]] * steps)
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
