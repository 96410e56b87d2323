r"""The training losses, each with its gradient with respect to the network's outputs (the logits), in
the numerically stable forms torch uses, and mean-reduced as torch's defaults are.

For outputs :math:`z_n` of :math:`N` samples (a batch of networks at once: ``(R, N, k)``):

- ``bce``: :math:`\ell = \frac1N \sum_n \max(z_n, 0) - z_n y_n + \ln(1 + e^{-|z_n|})`,
  :math:`\partial\ell/\partial z_n = (\sigma(z_n) - y_n)/N`;
- ``cross_entropy``: :math:`\ell = \frac1N \sum_n \operatorname{lse}(z_n) - z_{n,y_n}`,
  :math:`\partial\ell/\partial z_n = (\operatorname{softmax}(z_n) - e_{y_n})/N`;
- ``mse``: :math:`\ell = \frac{1}{Nk} \sum_{n,j} (z_{nj} - y_{nj})^2`,
  :math:`\partial\ell/\partial z_n = 2 (z_n - y_n)/(Nk)`.

``bce`` is ``torch.nn.BCEWithLogitsLoss`` (binary labels 0/1, one output), ``cross_entropy`` is
``torch.nn.CrossEntropyLoss`` (class indices, one output per class, :math:`\operatorname{lse}(z) = m +
\ln \sum_j e^{z_j - m}` with :math:`m = \max_j z_j`), ``mse`` is ``torch.nn.MSELoss``. Sums are
:func:`~trajectories.network.arithmetic.pairwise_sum`\ s, so the same bits on every CPU.

>>> z = np.array([[[0.0], [0.0]]])                      # one network, two samples, logit 0
>>> LOSSES["bce"].value(z, np.array([0.0, 1.0])).tolist()  # ln 2 each
[0.6931471805599453]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import sigmoid
from .arithmetic import exp, log, log1p, pairwise_sum

Array = np.ndarray


def _mean(per_sample: Array) -> Array:
    """The mean over the last axis, ``(R, N) -> (R,)``: a pairwise sum divided by ``N``."""
    return pairwise_sum(per_sample, -1) / per_sample.shape[-1]


def _bce(z: Array, y: Array) -> tuple[Array, Array]:
    logits = z[..., 0]
    per_sample = np.maximum(logits, 0.0) - logits * y + log1p(exp(-np.abs(logits)))
    delta = (sigmoid(logits) - y) / logits.shape[-1]
    return _mean(per_sample), delta[..., None]


def _cross_entropy(z: Array, y: Array) -> tuple[Array, Array]:
    top = np.max(z, axis=-1, keepdims=True)  # exact
    e = exp(z - top)
    total = pairwise_sum(e, -1)[..., None]
    chosen = np.take_along_axis(z, np.broadcast_to(y[:, None], (*z.shape[:-1], 1)).astype(np.intp), axis=-1)
    per_sample = (top + log(total) - chosen)[..., 0]
    onehot = np.arange(z.shape[-1]) == y[:, None]
    delta = (e / total - onehot) / z.shape[-2]
    return _mean(per_sample), delta


def _mse(z: Array, y: Array) -> tuple[Array, Array]:
    residual = z - y
    count = residual.shape[-2] * residual.shape[-1]
    squares = (residual * residual).reshape(*residual.shape[:-2], count)
    return _mean(squares), (2.0 / count) * residual


@dataclass(frozen=True)
class Loss:
    """A loss by name: ``value_and_delta(z, y)`` gives the mean loss of each network ``(R,)`` and its
    gradient with respect to the outputs ``z`` ``(R, N, k)``; ``targets`` says what ``y`` holds."""

    name: str
    value_and_delta: Callable[[Array, Array], tuple[Array, Array]]
    targets: str
    torch_name: str

    def value(self, z: Array, y: Array) -> Array:
        """The mean loss of each network, ``(R,)``."""
        return self.value_and_delta(z, y)[0]


LOSSES: dict[str, Loss] = {
    "bce": Loss("bce", _bce, "binary labels 0 or 1, one output", "BCEWithLogitsLoss"),
    "cross_entropy": Loss("cross_entropy", _cross_entropy, "class indices, one output per class", "CrossEntropyLoss"),
    "mse": Loss("mse", _mse, "real targets, one output per target", "MSELoss"),
}
"""Every loss by the name a model spec gives it (``mlp:2-16-3:relu:loss=cross_entropy``)."""
