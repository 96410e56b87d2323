"""Scene kinds beyond optimizer paths, for the article's figures 4 and 5.

- :class:`SeriesScene`: exponentially weighted averages of a price series, each curve starting a little
  after the previous one (figure 5). A seeded synthetic series by default, or a column of a CSV file.
- :class:`BatchDiagram`: a dataset being shuffled, split into mini-batches and consumed batch after
  batch (figure 4), using the very batching that mini-batch gradients use
  (:class:`trajectories.data.MiniBatchGradient`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .data import MiniBatchGradient, make_regression
from .render.palette import OKABE_ITO_DARK
from .scene import SceneError, SceneKind, _positive_int, check_frame_options, check_name
from .series import SeriesError, ewa, load_series, synthetic_prices
from .surfaces import Array

ARTICLE_EWA_COLORS = ("#9E7CC1", "#9897CE", "#93B2DC", "#8ECDEA")


@dataclass(frozen=True)
class SeriesScene(SceneKind):
    """Exponentially weighted averages of a series for several ``betas`` (the article's figure 5).

    Args:
        name: identifier.
        betas: one average per β, drawn in ``colors`` (default: the ``palette``'s).
        palette: ``"default"`` (colours told apart by colour-blind viewers too) or ``"article"`` (the original
            figure's four shades of lilac and blue).
        stagger: frames between the starts of consecutive averages.
        data, column: a CSV file and the column to read; ``None``: a seeded synthetic series (labelled so).
        seed, days: the synthetic series' seed and length (253 trading days, as the original year).
        size, dpi, fps, hold, theme, title, line_width, description: as for :class:`~trajectories.scene.Scene`.
    """

    name: str
    betas: tuple[float, ...] = (0.80, 0.90, 0.95, 0.98)
    colors: tuple[str, ...] = ()
    palette: str = "default"
    price_color: str = "#FFFFFF"
    stagger: int = 20
    data: str | None = None
    column: str | None = None
    seed: int = 0
    days: int = 253
    size: tuple[int, int] = (800, 600)
    dpi: int = 50
    fps: int = 10
    hold: float = 2.0
    theme: str = "article"
    title: str | None = None
    line_width: float = 2.0
    description: str = ""
    source: str = field(default="", compare=False)

    @property
    def curve_colors(self) -> tuple[str, ...]:
        """The averages' colours: ``colors`` if given, else the palette's (never the price's white)."""
        if self.colors:
            return self.colors
        if self.palette == "article":
            return ARTICLE_EWA_COLORS
        return tuple(c for c in OKABE_ITO_DARK if c.upper() != self.price_color.upper())

    def __post_init__(self) -> None:
        check_name(self.name)
        object.__setattr__(self, "size", tuple(self.size))
        object.__setattr__(self, "betas", tuple(self.betas))
        object.__setattr__(self, "colors", tuple(self.colors))
        check_frame_options(self.fps, self.hold, self.size, self.dpi)
        if not self.betas or not all(isinstance(b, (int, float)) and 0 <= b < 1 for b in self.betas):
            raise SceneError(f"{self.name}: betas must be numbers in [0, 1), got {self.betas!r}")
        if self.palette not in ("default", "article"):
            raise SceneError(f"palette must be default or article, got {self.palette!r}")
        if len(self.curve_colors) < len(self.betas):
            raise SceneError(f"{self.name}: {len(self.betas)} betas need as many colours, got {len(self.colors)}")
        if isinstance(self.stagger, bool) or not isinstance(self.stagger, int) or self.stagger < 0:
            raise SceneError(f"stagger must be a whole number >= 0, got {self.stagger!r}")
        _positive_int("days", self.days)
        if self.days < 2:
            raise SceneError(f"days must be at least 2, got {self.days}")
        if (self.data is None) != (self.column is None):
            raise SceneError(f"{self.name}: a real series needs a CSV file and a column (--data FILE --column NAME)")
        if self.data is not None:
            try:
                load_series(self.data, self.column)
            except SeriesError as error:
                raise SceneError(str(error)) from None

    @property
    def synthetic(self) -> bool:
        return self.data is None

    def values(self) -> Array:
        """The series: the CSV column, or the seeded synthetic prices."""
        if self.data is not None:
            return load_series(self.data, self.column)
        return synthetic_prices(self.days, seed=self.seed)

    def averages(self) -> list[Array]:
        values = self.values()
        return [ewa(values, beta) for beta in self.betas]

    @property
    def frame_count(self) -> int:
        return len(self.values()) + self.stagger * (len(self.betas) - 1)

    def make_view(self) -> Any:
        from .render.series import SeriesAnimation

        return SeriesAnimation(self)


@dataclass(frozen=True)
class BatchDiagram(SceneKind):
    """A dataset of ``samples`` shuffled, split into batches of ``batch_size`` and consumed in order.

    Args:
        samples, batch_size, seed, drop_last: the batching (as :class:`~trajectories.data.MiniBatchGradient`).
        columns: cells per row (default: the batch size, so each batch is one row; at most 100).
        frames_per_batch: frames each batch stays highlighted.
        size, dpi, fps, hold, theme, title, description: as for :class:`~trajectories.scene.Scene`.
    """

    name: str
    samples: int = 1800
    batch_size: int = 64
    seed: int = 0
    drop_last: bool = False
    columns: int | None = None
    frames_per_batch: int = 3
    size: tuple[int, int] = (640, 480)
    dpi: int = 100
    fps: int = 10
    hold: float = 2.0
    theme: str = "dark"
    title: str | None = None
    description: str = ""
    source: str = field(default="", compare=False)

    INTRO_FRAMES = 8  # the ordered dataset
    SHUFFLE_FRAMES = 12  # cells taking their shuffled places
    SPLIT_FRAMES = 8  # batches appearing

    def __post_init__(self) -> None:
        check_name(self.name)
        object.__setattr__(self, "size", tuple(self.size))
        check_frame_options(self.fps, self.hold, self.size, self.dpi)
        for key in ("samples", "batch_size", "frames_per_batch"):
            _positive_int(key, getattr(self, key))
        if self.columns is not None:
            _positive_int("columns", self.columns)
        if self.batch_size > self.samples:
            raise SceneError(f"batch_size must be at most the {self.samples} samples, got {self.batch_size}")
        if self.samples > 20000:
            raise SceneError(f"samples must be at most 20000 to be drawn, got {self.samples}")

    def batching(self) -> MiniBatchGradient:
        return MiniBatchGradient(make_regression(n=self.samples), self.batch_size, self.seed, self.drop_last)

    def batches(self) -> list[Array]:
        """The sample indices of each batch of the first epoch, in order."""
        batching = self.batching()
        return [batching.batch(k) for k in range(batching.batches_per_epoch)]

    @property
    def row_length(self) -> int:
        return self.columns if self.columns is not None else min(self.batch_size, 100)

    @property
    def rows(self) -> int:
        return math.ceil(self.samples / self.row_length)

    @property
    def frame_count(self) -> int:
        return self.INTRO_FRAMES + self.SHUFFLE_FRAMES + self.SPLIT_FRAMES + len(self.batches()) * self.frames_per_batch

    def make_view(self) -> Any:
        from .render.diagram import DiagramAnimation

        return DiagramAnimation(self)


def shuffle_progress(frame: int, intro: int, frames: int) -> float:
    """0 before the shuffle, 1 after it, smoothly in between (for the diagram's cells)."""
    t = (frame - intro) / max(frames, 1)
    t = min(max(t, 0.0), 1.0)
    return t * t * (3 - 2 * t)


def positions_after_shuffle(order: Array) -> np.ndarray:
    """Where each sample sits once shuffled: ``slot[sample]``."""
    slots = np.empty_like(order)
    slots[order] = np.arange(len(order))
    return slots
