"""A dataset shuffled, split into mini-batches and consumed batch after batch (the article's figure 4)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import SceneError
from ..options import default
from ..surfaces.analytic import Array
from ..surfaces.gradients import MiniBatchGradient, make_regression
from .kind import SceneKind, check_name, check_options, check_positive_int, init_scene
from .values import Frames, Look, default_part


@dataclass(frozen=True, init=False)
class BatchDiagram(SceneKind):
    """A dataset of ``samples`` shuffled, split into batches of ``batch_size`` and consumed in order.

    Args:
        samples, batch_size, seed, drop_last: the batching (as
            :class:`~trajectories.surfaces.gradients.MiniBatchGradient`).
        columns: cells per row (default: the batch size, so each batch is one row; at most 100).
        frames_per_batch: frames each batch stays highlighted.
        size, dpi, fps, hold, theme, title, description: as for :class:`~trajectories.scene.Scene`.
    """

    name: str
    samples: int = 1800
    batch_size: int = 64
    seed: int = default("seed", "batches")
    drop_last: bool = False
    columns: int | None = None
    frames_per_batch: int = 3
    description: str = default("description", "batches")
    timing: Frames = field(default_factory=lambda: default_part("timing", "batches"))
    look: Look = field(default_factory=lambda: default_part("look", "batches"))
    source: str = field(default="", compare=False)
    kind: ClassVar[str] = "batches"
    view: ClassVar[str] = "batches"  # the view that draws it (:mod:`trajectories.render.views`)

    INTRO_FRAMES = 8  # the ordered dataset
    SHUFFLE_FRAMES = 12  # cells taking their shuffled places
    SPLIT_FRAMES = 8  # batches appearing

    def __init__(self, name: str, **options: Any) -> None:
        """The fields above by name; each option of a part (``fps=``, ``theme=``...) goes into that part."""
        init_scene(self, {"name": name, **options})
        self.__post_init__()

    def __post_init__(self) -> None:
        check_name(self.name)
        check_options(self, "batches")
        for key in ("samples", "batch_size", "frames_per_batch"):
            check_positive_int(key, getattr(self, key))
        if self.columns is not None:
            check_positive_int("columns", self.columns)
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
