"""Overlays of what each optimizer holds, drawn at its moving head (the contour view).

At the head of a path at step ``s``, each overlay shows something of the update ``s`` that moves it next
(:mod:`trajectories.core.state` records them):

- ``gradient``: the negative gradient :math:`-g_s`, dashed;
- ``step``: the update taken, :math:`\\theta_{s+1} - \\theta_s`, solid;
- ``velocity``: the negative momentum buffer (SGD's :math:`b_s`, Adam's :math:`m_s`), dotted;
- ``adaptive``: the per-coordinate learning rate :math:`\\alpha_s / (\\sqrt{\\hat v_s} + \\epsilon)` as an
  axis-aligned ellipse whose half-axes are the rates along x and y.

Each kind has one scale for the whole animation and every racer, a round number chosen so that a typical
arrow (or half-axis: the 75th percentile of their lengths over every racer and step) is at most 10 % of
the window's shorter side; longer ones run on and are clipped by the plot. A line under the plot gives
each scale.
Nothing is drawn at the last step (no update follows), for a racer without the quantity (no momentum
buffer, no adaptive rate), or once a path has left the window.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.collections import EllipseCollection, LineCollection

from ..core.state import effective_rates, nice_scale, velocity

if TYPE_CHECKING:
    from ..scene_protocol import Race

ROOM = 0.1
TYPICAL = 75
"""A typical arrow of each kind (this percentile of the lengths) is at most ROOM of the window's shorter side."""

STYLES = {"gradient": ((0, (3.0, 1.5)), 1.3), "step": ("solid", 2.0), "velocity": ((0, (1.0, 1.2)), 2.0)}
SYMBOLS = {"gradient": "- - −∇f", "step": "— step", "velocity": "··· −velocity", "adaptive": "◯ lr/(√v̂+ε)"}


def _format(scale: float) -> str:
    return f"{scale:g}"


class OverlayLayer:
    """The overlays of a scene's racers: arrows in one collection, ellipses in another."""

    def __init__(self, axes: Any, figure: Any, scene: Race, trajectories: list, colors: list[str], muted: str,
                 last_shown: np.ndarray) -> None:
        self.scene, self.trajectories, self.last_shown = scene, trajectories, last_shown
        self.vectors: dict[str, list[np.ndarray | None]] = {}
        for kind in scene.overlays:
            found = []
            for racer, trajectory in zip(scene.optimizers, trajectories, strict=True):
                record = trajectory.state
                if kind == "gradient":
                    found.append(-record["gradient"])
                elif kind == "step":
                    found.append(record["step"])
                elif kind == "velocity":
                    buffer = velocity(racer.spec, record)
                    found.append(None if buffer is None else -buffer)
                else:
                    found.append(effective_rates(racer.spec, record))
            self.vectors[kind] = found
        x0, x1, y0, y1 = scene.plot_window
        room = ROOM * min(x1 - x0, y1 - y0)
        self.barb = 0.03 * min(x1 - x0, y1 - y0)
        self.scales = {kind: nice_scale(self._typical(kind), room) for kind in self.vectors}
        self.colors = colors
        self.arrows = LineCollection([], zorder=7, capstyle="round")
        axes.add_collection(self.arrows, autolim=False)
        self.arrows.set_animated(True)
        self.ellipses = None
        if "adaptive" in self.vectors:
            self.ellipses = EllipseCollection([], [], [], units="xy", offsets=np.empty((0, 2)),
                                              offset_transform=axes.transData, facecolors="none", linewidths=1.2,
                                              zorder=7)
            axes.add_collection(self.ellipses, autolim=False)
            self.ellipses.set_animated(True)
        self.caption = "at each head, scaled: " + "   ".join(
            f"{SYMBOLS[kind]} ×{_format(self.scales[kind])}" for kind in self.vectors
        )
        figure.text(0.5, 0.008, self.caption, ha="center", va="bottom", fontsize=7, color=muted)

    def _typical(self, kind: str) -> float:
        """The :data:`TYPICAL` percentile of the non-zero lengths (half-axes) of ``kind``, 0 without any."""
        values = [v for v in self.vectors[kind] if v is not None]
        if kind == "adaptive":
            sizes = [np.abs(v).ravel() for v in values]
        else:
            sizes = [np.sqrt(v[..., 0] ** 2 + v[..., 1] ** 2).ravel() for v in values]  # sqrt: the same everywhere
        lengths = np.concatenate(sizes) if sizes else np.empty(0)
        lengths = lengths[np.isfinite(lengths) & (lengths > 0)]
        return float(np.percentile(lengths, TYPICAL)) if lengths.size else 0.0

    def update(self, racer_steps: list[int]) -> list:
        """The overlays at each racer's head for the frame's steps; returns the artists to draw."""
        segments, colors, styles, widths = [], [], [], []
        centres, half_axes, ellipse_colors = [], [], []
        for i, trajectory in enumerate(self.trajectories):
            step = racer_steps[i]
            for j in range(trajectory.positions.shape[1]):
                if step >= trajectory.steps or step > int(self.last_shown[i, j]):
                    continue
                head = trajectory.positions[step, j]
                for kind, found in self.vectors.items():
                    values = found[i]
                    if values is None or not np.isfinite(values[step, j]).all() or not np.isfinite(head).all():
                        continue
                    vector = values[step, j] * self.scales[kind]
                    if kind == "adaptive":
                        centres.append(head)
                        half_axes.append(vector)
                        ellipse_colors.append(self.colors[i])
                        continue
                    style, width = STYLES[kind]
                    for segment, solid in _arrow(head, vector, self.barb):
                        segments.append(segment)
                        colors.append(self.colors[i])
                        styles.append("solid" if solid else style)
                        widths.append(width)
        self.arrows.set_segments(segments)
        self.arrows.set_color(colors or ["none"])
        self.arrows.set_linestyles(styles or ["solid"])
        self.arrows.set_linewidths(widths or [1.0])
        drawn = [self.arrows]
        if self.ellipses is not None:
            sizes = np.array(half_axes).reshape(-1, 2) * 2
            self.ellipses.set_offsets(np.array(centres).reshape(-1, 2))
            self.ellipses.set_widths(sizes[:, 0])
            self.ellipses.set_heights(sizes[:, 1])
            self.ellipses.set_angles(np.zeros(len(sizes)))
            self.ellipses.set_edgecolor(ellipse_colors or ["none"])
            drawn.append(self.ellipses)
        return drawn


def _arrow(head: np.ndarray, vector: np.ndarray, barb: float) -> list[tuple[np.ndarray, bool]]:
    """The shaft from ``head`` along ``vector`` (styled), and two solid barbs at its tip, at most ``barb``
    long (``math``'s cosine: the same on every CPU)."""
    length = math.hypot(float(vector[0]), float(vector[1]))
    if length == 0:
        return []
    tip = head + vector
    parts = [(np.array([head, tip]), False)]
    back = -vector / length * min(0.35 * length, barb)
    for angle in (0.45, -0.45):
        c, s = math.cos(angle), math.sin(angle)
        turned = np.array([c * back[0] - s * back[1], s * back[0] + c * back[1]])
        parts.append((np.array([tip, tip + turned]), True))
    return parts
