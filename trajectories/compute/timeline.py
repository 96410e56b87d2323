"""The frame clock of an animation: which value of its counter (a step, or samples read) each frame shows.

A race's :meth:`~trajectories.scene.Scene.timeline` makes a :class:`Timeline` from its options; the compute
stage (:mod:`trajectories.compute.paths`) keeps it with the paths and the views read it. It sits below both, so
that neither imports the other for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


def spread(total: int, frames: int, fixed: Sequence[int] = ()) -> list[int]:
    """``frames`` values from 0 to ``total``, evenly spread, the last one ``total``; each of ``fixed`` (up to
    ``total``) replaces the value nearest to it that neither another fixed value nor the ends took (so
    that a pause shows its exact step), the values staying in order.

    >>> spread(10, 4), spread(10, 4, [4]), spread(10, 4, [9])
    ([0, 3, 7, 10], [0, 4, 7, 10], [0, 3, 9, 10])
    """
    if frames == 1:
        return [total]
    values = [round(i * total / (frames - 1)) for i in range(frames)]
    taken = {0, frames - 1}
    for value in sorted({v for v in fixed if 0 <= v <= total}):
        if value in values:
            taken.add(values.index(value))
            continue
        free = [i for i in range(frames) if i not in taken]
        if not free:
            break
        nearest = min(free, key=lambda i: (abs(values[i] - value), i))
        values[nearest] = value
        taken.add(nearest)
    return sorted(values)


@dataclass(frozen=True)
class Timeline:
    """Per frame: the counter's value (``label`` ``value``/``total``) and each racer's step. With a clock
    in samples, ``epochs[i][t]`` is how many passes over the data racer ``i`` has made after ``t`` steps."""

    label: str
    total: int
    values: list[int]
    steps: list[list[int]]
    epochs: list[Array] | None = None
