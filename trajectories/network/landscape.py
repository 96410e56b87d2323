r"""What the network views draw besides the paths: the loss surface on a grid of a plane, and each racer's
decision boundary on a grid of the input plane, both computed in batches of networks.

**Loss grid.** For a :class:`~trajectories.network.projection.Plane` and a window
:math:`[\alpha_0, \alpha_1] \times [\beta_0, \beta_1]`, the loss over the training samples of the network at
every grid point :math:`o + \alpha_i d_1 + \beta_j d_2`: one forward pass per point, batched
(:func:`~trajectories.network.evaluation.evaluate`).

**Decision grid.** For networks with 2 inputs and parameters ``(..., P)`` (each racer at each drawn step),
the prediction at every point of a grid over the input window: the probability of class 1 (``bce``:
:math:`\sigma(z)`), the probability of every class (``cross_entropy``: softmax, in a last axis), or the
output itself (``mse``). Grid points run along x first: value ``[..., j, i]`` is at ``(xs[i], ys[j])``.

>>> from trajectories.network.models import parse_model
>>> from trajectories.network.losses import LOSSES
>>> grid = decision_grid(parse_model("logistic:2"), LOSSES["bce"], np.array([1.0, 0.0, 0.0]), (-1, 1, 0, 1), (3, 2))
>>> grid.values.round(3).tolist()                        # sigma(x): 0.269 at x = -1, 0.5 at 0, 0.731 at 1
[[0.269, 0.5, 0.731], [0.269, 0.5, 0.731]]
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..errors import NetworkError
from .activations import sigmoid
from .arithmetic import exp, pairwise_sum
from .backprop import outputs
from .data import Data
from .evaluation import EVALUATION_BUDGET, evaluate, network_batches
from .losses import Loss
from .models import Model
from .projection import Plane

Array = np.ndarray
MAX_GRID = 400
"""The most grid points along either side of a loss or decision grid."""
Window = tuple[float, float, float, float]


class Grid(NamedTuple):
    """Values on a grid: ``xs`` ``(nx,)``, ``ys`` ``(ny,)`` and ``values`` ``(..., ny, nx[, k])``."""

    xs: Array
    ys: Array
    values: Array


def _axes(window: Window, resolution: tuple[int, int]) -> tuple[Array, Array]:
    x0, x1, y0, y1 = (float(v) for v in window)
    if not all(np.isfinite([x0, x1, y0, y1])) or not (x0 < x1 and y0 < y1):
        raise NetworkError(f"a grid window needs finite x0 < x1 and y0 < y1, got {window}")
    nx, ny = resolution
    for count in (nx, ny):
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not 2 <= count <= MAX_GRID:
            raise NetworkError(f"a grid needs 2 to {MAX_GRID} points a side, got {resolution}")
    return np.linspace(x0, x1, nx), np.linspace(y0, y1, ny)


def _points(xs: Array, ys: Array) -> Array:
    """``(ny·nx, 2)``, x varying fastest."""
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def loss_grid(model: Model, loss: Loss, data: Data, targets: Array, plane: Plane, window: Window,
              resolution: tuple[int, int] = (41, 41)) -> Grid:
    """The mean loss over ``data`` (``targets`` as ``loss`` reads them) at every point of a grid over
    ``window`` of ``plane``: ``values`` ``(ny, nx)``, NaN where a network's output overflowed."""
    xs, ys = _axes(window, resolution)
    params = plane.point(_points(xs, ys))
    values, _ = evaluate(model, loss, params, data, targets)
    return Grid(xs, ys, values.reshape(len(ys), len(xs)))


def _predict(loss: Loss, z: Array) -> Array:
    if loss.name == "bce":
        return sigmoid(z[..., 0])
    if loss.name == "cross_entropy":
        e = exp(z - np.max(z, axis=-1, keepdims=True))
        return e / pairwise_sum(e, -1)[..., None]
    return z[..., 0] if z.shape[-1] == 1 else z


def decision_grid(model: Model, loss: Loss, params: Array, window: Window, resolution: tuple[int, int] = (64, 64),
                  budget: int = EVALUATION_BUDGET) -> Grid:
    """The prediction of every network ``params`` ``(..., P)`` at every point of a grid over the input
    ``window``: ``values`` ``(..., ny, nx)``, or ``(..., ny, nx, classes)`` for ``cross_entropy``."""
    if model.inputs != 2:
        raise NetworkError(f"{model.to_text()}: a decision boundary is drawn for 2 inputs, the model has "
                           f"{model.inputs}")
    xs, ys = _axes(window, resolution)
    inputs = _points(xs, ys)
    params = np.asarray(params, dtype=np.float64)
    lead = params.shape[:-1]
    flat = params.reshape(-1, model.parameter_count)
    width = model.outputs if loss.name == "cross_entropy" or model.outputs > 1 else 1
    values = np.full((len(flat), len(inputs), width), np.nan)
    finite = np.flatnonzero(np.isfinite(flat).all(axis=-1))
    with np.errstate(all="ignore"):
        for part in network_batches(len(finite), len(inputs) * model.widest, budget):
            rows = finite[part]
            prediction = _predict(loss, outputs(model, flat[rows], inputs))
            values[rows] = prediction.reshape(len(rows), len(inputs), width)
    shaped = values.reshape(*lead, len(ys), len(xs), width)
    return Grid(xs, ys, shaped if width > 1 else shaped[..., 0])


def data_window(data: Data, margin: float = 0.1) -> Window:
    """The window around ``data``'s 2 inputs, widened by ``margin`` of its extent on each side."""
    if data.features != 2:
        raise NetworkError(f"{data.name}: a decision boundary is drawn for 2 inputs, the data has {data.features}")
    low, high = data.inputs.min(axis=0), data.inputs.max(axis=0)
    pad = np.where(high > low, margin * (high - low), 1.0)
    return float(low[0] - pad[0]), float(high[0] + pad[0]), float(low[1] - pad[1]), float(high[1] + pad[1])
