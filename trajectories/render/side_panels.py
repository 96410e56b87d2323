"""The contour view's side panels: where they go, the learning-rate panel and the state panel.

The learning-rate panel draws each racer's rate against the update, as far as the frame has come: its
schedule's (:mod:`trajectories.core.schedules`), or a flat line at its ``lr`` without one. The rates are a
property of the scene's specs, not of a computed path, so the panel reads them from the specs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from matplotlib.collections import LineCollection

from ..core.state import SERIES, state_series

if TYPE_CHECKING:
    from ..scene_protocol import Race

Box = tuple[float, float, float, float]


class PanelBoxes(NamedTuple):
    """Figure fractions (left, bottom, width, height) of the contour axes and of each side panel."""

    main: Box
    loss: Box | None
    lr: Box | None
    state: Box | None = None


CAPTION = 0.035
"""The strip kept free at the bottom of the figure for a caption (the overlays' scales)."""
TOP = 0.88
"""The top of the plots, in figure fractions: the title and the formula are above it."""
PLOT_SHARE = 0.62
"""With the panels under the plot (a wide window), the plot's largest share of the height they share."""


def panel_boxes(wide: bool, loss: bool, lr: bool, state: bool = False, caption: bool = False, *,
                size: tuple[int, int] = (640, 480), dpi: float = 100.0, ratio: float | None = None,
                top: float = TOP) -> PanelBoxes:
    """The contour axes and the side panels, as figure fractions, laid out in pixels of ``size`` at ``dpi``
    from the font sizes alone (tick labels 7 points, axis labels 8: never from measured text, so the same
    on every machine): beside the contours, or under them for a ``wide`` window, where the plot (whose
    height is ``ratio`` times its width) takes at most :data:`PLOT_SHARE` of the height and the panels the
    rest. Several panels share their place in the order loss, learning rate, state (top to bottom, or
    left to right). Everything stays under ``top``; with a ``caption``, :data:`CAPTION` of the height is
    left free at the bottom."""
    width, height = size
    point = dpi / 72 / height  # one point, as a fraction of the height
    floor = (CAPTION if caption else 0.0)
    shown = [name for name, on in (("loss", loss), ("lr", lr), ("state", state)) if on]
    if not shown:
        bottom = floor + 0.1 * (1 - floor)
        return PanelBoxes((0.09, bottom, 0.86, top - bottom), None, None)
    boxes: dict[str, Box] = {}
    if wide:
        bottom = floor + 30 * point  # the panels' x tick labels and x labels
        gap = 30 * point  # the plot's x tick labels, and air between
        room = top - bottom - gap
        plot = PLOT_SHARE * room if ratio is None else min(0.86 * width * ratio / height, PLOT_SHARE * room)
        panel = room - plot
        main: Box = (0.09, bottom + panel + gap, 0.86, plot)
        if len(shown) == 1:
            boxes[shown[0]] = (0.09, bottom, 0.86, panel)
        elif len(shown) == 2:
            boxes.update(zip(shown, [(0.09, bottom, 0.4, panel), (0.57, bottom, 0.38, panel)], strict=True))
        else:
            boxes.update(zip(shown, [(0.09 + 0.3 * i, bottom, 0.23, panel) for i in range(3)], strict=True))
    else:
        bottom = floor + 0.1 * (1 - floor)
        main = (0.08, bottom, 0.5, top - bottom)
        room = top - bottom
        if len(shown) == 1:
            boxes[shown[0]] = (0.72, bottom, 0.25, room)
        else:
            gap = 36 * point  # the upper panel's x tick labels and x label
            each = (room - gap * (len(shown) - 1)) / len(shown)
            boxes.update(zip(shown, [(0.72, bottom + (len(shown) - 1 - i) * (each + gap), 0.25, each)
                                     for i in range(len(shown))], strict=True))
    return PanelBoxes(main, boxes.get("loss"), boxes.get("lr"), boxes.get("state"))


def contour_boxes(scene: Race, top: float = TOP) -> PanelBoxes:
    """The contour view's boxes for ``scene``: :func:`panel_boxes` with the scene's panels, size, dpi and window
    (panels below the plot for a window wider than 4:3 of the frame)."""
    x0, x1, y0, y1 = scene.plot_window
    ratio = (y1 - y0) / (x1 - x0)
    wide = ratio * scene.look.size[0] / scene.look.size[1] < 0.75
    return panel_boxes(wide, scene.loss_panel, scene.lr_panel, scene.state_panel is not None,
                       caption=bool(scene.overlays), size=scene.look.size, dpi=scene.look.dpi, ratio=ratio, top=top)


MIN_AXES_PIXELS = 8
"""The least width and height, in pixels, of the plot and of each side panel."""


def _fits(scene: Race) -> bool:
    width, height = scene.look.size
    return all(box[2] * width >= MIN_AXES_PIXELS and box[3] * height >= MIN_AXES_PIXELS
               for box in contour_boxes(scene) if box is not None)


def check_panel_room(scene: Race, error: type[Exception]) -> None:
    """Before any work: the contour view's plot and side panels each get at least :data:`MIN_AXES_PIXELS` a
    side, else ``error`` naming the smallest frame of the same shape (in steps of a quarter) that leaves room."""
    if not (scene.loss_panel or scene.lr_panel or scene.state_panel is not None) or _fits(scene):
        return
    width, height = scene.look.size
    for step in range(1, 40):
        larger = (round(width * 1.25**step), round(height * 1.25**step))
        if _fits(scene.with_options(size=larger)):
            break
    panels = [name for name, on in (("loss", scene.loss_panel), ("learning rate", scene.lr_panel),
                                    ("state", scene.state_panel is not None)) if on]
    raise error(f"{scene.name}: a {width}x{height} frame leaves the plot and its side panels ({', '.join(panels)}) "
                f"no room; use a size of at least {larger[0]}x{larger[1]}, or fewer panels")


class LearningRatePanel:
    """Each racer's learning rate per update, drawn up to the frame's step."""

    def __init__(self, axes: Any, scene: Race, colors: list[str], foreground: str, muted: str) -> None:
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
    """A quantity an optimizer holds (:func:`trajectories.core.state.state_series`), per axis (x solid, y dashed),
    for each racer's first start, drawn up to the frame's step on a log scale of its size."""

    def __init__(self, axes: Any, scene: Race, trajectories: list, colors: list[str], muted: str) -> None:
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
