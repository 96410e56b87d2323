"""The objective a run is minimising, for the adapters whose optimizers evaluate it themselves.

``torch.optim.LBFGS`` (and other optimizers whose ``step`` needs a *closure*) evaluate the loss and the
gradient at points of their own choosing (a line search, several iterations per step). :func:`run` says
which surface and gradient source it runs on with :func:`evaluating`; the torch adapter's closure reads it
with :func:`current_objective`. Nothing else uses it: the update rules of :mod:`trajectories.core.optimizers`
only ever see the gradient they are given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Objective:
    """``value(points)`` and ``gradient(points, step)`` of the surface a run is on (points ``(..., 2)``)."""

    value: Callable[[np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray, int], np.ndarray]


_CURRENT: ContextVar[Objective | None] = ContextVar("trajectories_objective", default=None)


@contextmanager
def evaluating(value: Callable[[np.ndarray], Any], gradient: Callable[[np.ndarray, int], Any]) -> Iterator[None]:
    """Within this block, :func:`current_objective` is ``Objective(value, gradient)``."""
    token = _CURRENT.set(Objective(value, gradient))
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current_objective() -> Objective | None:
    """The objective of the innermost :func:`evaluating` block, or ``None`` outside one."""
    return _CURRENT.get()
