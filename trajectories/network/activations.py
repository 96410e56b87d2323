r"""The hidden layers' activations, each with its derivative, as ``torch.nn`` defines them, computed with
:mod:`trajectories.network.arithmetic` (the same bits on every CPU).

==============  =====================================================  ==========================================
name            :math:`\phi(z)`                                        :math:`\phi'(z)`
==============  =====================================================  ==========================================
``identity``    :math:`z`                                              :math:`1`
``relu``        :math:`\max(z, 0)`                                     :math:`[z > 0]` (0 at 0, as torch)
``leaky_relu``  :math:`z` if :math:`z > 0` else :math:`0.01 z`         :math:`1` or :math:`0.01` (0.01 at 0)
``tanh``        :math:`\tanh z`                                        :math:`1 - \phi^2`
``sigmoid``     :math:`\sigma(z) = 1/(1 + e^{-z})`                     :math:`\phi (1 - \phi)`
``softplus``    :math:`\ln(1 + e^z)`, :math:`z` above 20 (torch)       :math:`\sigma(z)`, 1 above 20
==============  =====================================================  ==========================================

>>> ACTIVATIONS["relu"].forward(np.array([-1.0, 0.0, 2.0])).tolist()
[0.0, 0.0, 2.0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .arithmetic import exp, expm1, log1p

Array = np.ndarray

LEAKY_SLOPE = 0.01
"""``torch.nn.LeakyReLU``'s default ``negative_slope``."""
SOFTPLUS_THRESHOLD = 20.0
"""``torch.nn.Softplus``'s default ``threshold``: above it softplus is the identity."""


def tanh(z: Array) -> Array:
    r""":math:`\tanh z = \operatorname{sign}(z)\,\frac{-q}{2 + q}`, :math:`q = e^{-2|z|} - 1`
    (:func:`~trajectories.network.arithmetic.expm1`: no cancellation near 0, exactly ±1 far from it)."""
    q = expm1(-2.0 * np.abs(z))
    return np.copysign(-q / (2.0 + q), z)


def sigmoid(z: Array) -> Array:
    r""":math:`\sigma(z) = 1/(1 + e^{-z})` for :math:`z \ge 0`, :math:`e^{z}/(1 + e^{z})` below 0
    (:math:`e^{-|z|}` never overflows)."""
    e = exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(z: Array) -> Array:
    r""":math:`\ln(1 + e^z) = \max(z, 0) + \ln(1 + e^{-|z|})`, and :math:`z` itself above
    :data:`SOFTPLUS_THRESHOLD` (torch's ``Softplus``)."""
    smooth = np.maximum(z, 0.0) + log1p(exp(-np.abs(z)))
    return np.where(z > SOFTPLUS_THRESHOLD, z, smooth)


@dataclass(frozen=True)
class Activation:
    """``forward(z)`` and ``derivative(z, a)`` (:math:`\\phi'(z)`, given :math:`a = \\phi(z)` too, which
    most derivatives are cheaper from); ``torch_name`` is its ``torch.nn`` class."""

    name: str
    forward: Callable[[Array], Array]
    derivative: Callable[[Array, Array], Array]
    torch_name: str


ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation("identity", lambda z: z, lambda z, a: np.ones_like(z), "Identity"),
    "relu": Activation("relu", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(np.float64), "ReLU"),
    "leaky_relu": Activation(
        "leaky_relu", lambda z: np.where(z > 0, z, LEAKY_SLOPE * z), lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE),
        "LeakyReLU",
    ),
    "tanh": Activation("tanh", tanh, lambda z, a: 1.0 - a * a, "Tanh"),
    "sigmoid": Activation("sigmoid", sigmoid, lambda z, a: a * (1.0 - a), "Sigmoid"),
    "softplus": Activation(
        "softplus", softplus, lambda z, a: np.where(z > SOFTPLUS_THRESHOLD, 1.0, sigmoid(z)), "Softplus"
    ),
}
"""Every activation by the name a model spec gives it (``mlp:2-16-1:tanh``)."""
