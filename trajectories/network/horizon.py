r"""Reproducibility horizons of network paths: the step from which a path depends on the last bits of
the arithmetic, as :mod:`trajectories.compute.horizon` measures them for 2-D paths.

The network core computes the same bits on every CPU (:mod:`trajectories.network.arithmetic`), so its
own paths need no horizon to be reproducible. A horizon says something else: how far a path can be
*compared* with one computed by other code, torch's above all, whose sums run in other orders. A path
that contracts last-bit differences agrees with torch's to about 1e-15 for all its steps; one that
amplifies them (a large learning rate, an edge of stability) agrees only up to a step, and that step
is the horizon.

As for 2-D paths: :data:`~trajectories.compute.horizon.SHADOWS` shadow trainings start a few ulps away (every
parameter moved :data:`~trajectories.compute.horizon.START_ULPS` representable numbers, in the 2-D horizon's four
sign patterns over the parameters' even and odd positions) and get a last-bit jitter on every gradient,
:math:`\tilde g = g(1 + \delta)`, :math:`|\delta| \le` :data:`~trajectories.compute.horizon.JITTER`, drawn from
``default_rng([JITTER_SEED, t])``. The horizon is the first point at which a shadow lies farther than
``tolerance`` from the path, measured as

.. math:: \frac{\max_i |\tilde\theta_i - \theta_i|}{\max(1, \max_i |\theta_i|)},

(or at which one of the two has diverged and the other has not); -1 when no shadow departs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..compute.horizon import JITTER, SHADOWS, START_ULPS
from ..errors import NetworkError
from .data import DataSplit
from .models import Model
from .training import Learner, NetworkPaths, descend

Array = np.ndarray

PARITY_TOLERANCE = 1e-9
"""The gap at which a network path counts as departed for comparisons with torch (the parity tests)."""
JITTER_SEED = 0x5EED
_SIGNS = ((1, 1), (-1, -1), (1, -1), (-1, 1))


def nudge(params: Array, shadow: int) -> Array:
    """``params`` ``(..., P)`` moved a few ulps: :data:`~trajectories.compute.horizon.START_ULPS` (more for shadows
    past the fourth) towards ``+inf`` or ``-inf`` by the shadow's sign pattern on even and odd positions."""
    moved = np.array(params, dtype=np.float64)
    even, odd = _SIGNS[shadow % 4]
    towards = np.where(np.arange(moved.shape[-1]) % 2 == 0, even, odd) * np.inf
    for _ in range(START_ULPS * (1 + shadow // 4)):
        moved = np.nextafter(moved, towards)
    return moved


def jitter(grads: Array, step: int) -> Array:
    r""":math:`g(1 + \delta)` with :math:`\delta` uniform in :math:`[-J, J]` per number, from
    ``default_rng([JITTER_SEED, step])``."""
    delta = np.random.default_rng([JITTER_SEED, step]).uniform(-JITTER, JITTER, grads.shape)
    return grads + grads * delta


def horizons(model: Model, data: DataSplit, racers: Sequence[Learner | str], paths: NetworkPaths, *,
             batch_seed: int = 0, tolerance: float = PARITY_TOLERANCE) -> Array:
    """The horizon ``(O, S)`` of each path of ``paths`` (as :func:`~trajectories.network.training.train`
    computed them for ``racers`` with ``batch_seed``); -1 where there is none. The shadows of every
    learner and start train together, as one batch."""
    if not (isinstance(tolerance, (float, int)) and tolerance > 0):
        raise NetworkError(f"tolerance must be a number > 0, got {tolerance!r}")
    starts = paths.start[0]  # every learner starts from the same vectors
    count = len(starts)
    shadow_starts = np.concatenate([nudge(starts, k) for k in range(SHADOWS)])
    shadows = descend(model, data.train, racers, paths.steps, starts=shadow_starts, batch_seed=batch_seed,
                      perturb=jitter).params
    shadows = shadows.reshape(*shadows.shape[:2], SHADOWS, count, shadows.shape[-1])
    path = paths.params[:, :, None]
    scale = np.maximum(1.0, np.max(np.nan_to_num(np.abs(path), nan=0.0), axis=-1))
    gap = np.max(np.nan_to_num(np.abs(shadows - path), nan=0.0), axis=-1) / scale
    lost = np.isnan(shadows).any(axis=-1) != np.isnan(path).any(axis=-1)
    departed = (lost | (gap > tolerance)).any(axis=2)
    first = np.argmax(departed, axis=0)
    return np.where(departed.any(axis=0), first, -1)
