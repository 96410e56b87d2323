r"""Forward and backward passes of a batch of networks at once, in numpy, the same bits on every CPU.

``params`` is ``(R, P)``: ``R`` networks of one :class:`~trajectories.network.models.Model`, each row in
the model's flat layout. All of them see the same inputs ``X`` ``(N, d)``. With :math:`a_0 = X`:

.. math::

    z_l = a_{l-1} W_l^\top + b_l, \qquad a_l = \phi(z_l) \ (l < L), \qquad \ell = \operatorname{loss}(z_L, y),

and backwards, from :math:`\delta_L = \partial\ell/\partial z_L` (:mod:`trajectories.network.losses`):

.. math::

    \frac{\partial \ell}{\partial W_l} = \delta_l^\top a_{l-1}, \qquad
    \frac{\partial \ell}{\partial b_l} = \sum_n \delta_{l,n}, \qquad
    \delta_{l-1} = (\delta_l W_l) \odot \phi'(z_{l-1}).

Every product of matrices is a :func:`~trajectories.network.arithmetic.matmul` (BLAS made exact, so the
same bits whatever kernel a CPU runs), every sum over samples a fixed-order pairwise sum; activations and
losses use the exact-operation kernels of :mod:`trajectories.network.arithmetic`. The results agree with torch's
autograd to about 1e-15 relatively (``tests/test_network_backprop.py``).

>>> from trajectories.network.models import parse_model
>>> model = parse_model("logistic:1")
>>> params = np.array([[2.0, -1.0]])                        # w = 2, b = -1
>>> outputs(model, params, np.array([[0.5], [1.0]]))[..., 0].tolist()
[[0.0, 1.0]]
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..errors import NetworkError
from .activations import ACTIVATIONS
from .arithmetic import matmul, pairwise_sum
from .losses import Loss
from .models import Model

Array = np.ndarray


class ForwardPass(NamedTuple):
    """What the forward pass keeps for the backward one: each layer's pre-activations ``z`` and
    activations ``a`` (``a[0]`` is the input, ``(1, N, d)``), ``(R, N, width)`` each."""

    z: list[Array]
    a: list[Array]


def _as_batch(model: Model, params: Array) -> Array:
    params = np.asarray(params, dtype=np.float64)
    if params.shape[-1:] != (model.parameter_count,):
        raise NetworkError(f"{model.to_text()} has {model.parameter_count} parameters, got shape {params.shape}")
    return params.reshape(-1, model.parameter_count)


def forward(model: Model, params: Array, inputs: Array) -> ForwardPass:
    """Every layer of the networks ``params`` ``(R, P)`` on ``inputs`` ``(N, d)``."""
    phi = ACTIVATIONS[model.activation].forward
    layers = model.unpack(_as_batch(model, params))
    a = np.asarray(inputs, dtype=np.float64)[None]
    zs, activations = [], [a]
    with np.errstate(all="ignore"):
        for index, (weights, bias) in enumerate(layers):
            z = matmul(a, np.swapaxes(weights, -1, -2)) + bias[:, None, :]
            zs.append(z)
            a = phi(z) if index < len(layers) - 1 else z
            activations.append(a)
    return ForwardPass(zs, activations)


def outputs(model: Model, params: Array, inputs: Array) -> Array:
    """The networks' outputs (logits) ``(..., N, k)`` for parameters ``(..., P)`` and ``inputs`` ``(N, d)``."""
    params = np.asarray(params, dtype=np.float64)
    z = forward(model, params, inputs).z[-1]
    return z.reshape(*params.shape[:-1], *z.shape[1:])


def loss_and_gradient(model: Model, loss: Loss, params: Array, inputs: Array, targets: Array) -> tuple[Array, Array]:
    """The mean loss ``(...)`` of each network over ``(inputs, targets)`` and its gradient ``(..., P)``
    with respect to the parameters ``(..., P)``, laid out as the parameters are."""
    params = np.asarray(params, dtype=np.float64)
    lead = params.shape[:-1]
    layers = model.unpack(_as_batch(model, params))
    passed = forward(model, params, inputs)
    derivative = ACTIVATIONS[model.activation].derivative
    grads = np.empty((len(layers[0][0]), model.parameter_count))
    with np.errstate(all="ignore"):
        value, delta = loss.value_and_delta(passed.z[-1], targets)
        for index in reversed(range(len(layers))):
            below = passed.a[index]
            weights = layers[index][0]
            slices = model.layout()[index]
            grads[:, slices.weights] = matmul(np.swapaxes(delta, -1, -2), below).reshape(len(grads), -1)
            grads[:, slices.bias] = pairwise_sum(delta, 1)
            if index:
                back = matmul(delta, weights)
                delta = back * derivative(passed.z[index - 1], below)
    return value.reshape(lead), grads.reshape(*lead, model.parameter_count)


def losses(model: Model, loss: Loss, params: Array, inputs: Array, targets: Array) -> Array:
    """The mean loss ``(...)`` of each network ``(..., P)`` over ``(inputs, targets)``."""
    params = np.asarray(params, dtype=np.float64)
    with np.errstate(all="ignore"):
        return loss.value(forward(model, params, inputs).z[-1], targets).reshape(params.shape[:-1])
