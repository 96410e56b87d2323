"""Losses over data and stochastic gradients, all seeded.

A *gradient source* is any callable ``(params, step) -> grads`` over arrays of shape ``(..., 2)``; ``step``
is the 0-based update index. The sources here are pure functions of ``(params, step)``: the noise or the
batch used at step ``t`` depends only on the seed and ``t``, so every optimizer run against the same
source sees the same data stream, and re-running gives the same numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np

from ..errors import RunError
from .analytic import Array, CriticalPoint, Dataset, Surface


class GradientSource(Protocol):
    """What :func:`trajectories.compute.run.run` calls for the gradient at each step."""

    def __call__(self, params: Array, step: int) -> Array: ...

    def describe(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ExactGradient:
    """The surface's analytic gradient: :math:`g_t = \\nabla f(\\theta_t)`."""

    surface: Surface
    pointwise: ClassVar[bool] = True  # each point's gradient from that point alone (:mod:`.stepping`)

    def __call__(self, params: Array, step: int) -> Array:
        return self.surface.grad(params)

    def describe(self) -> dict[str, Any]:
        return {"kind": "exact"}


@dataclass(frozen=True)
class NoisyGradient:
    r"""Mini-batch noise on an analytic surface (the DeepOBS recipe).

    Each sample's loss is :math:`\ell_i(x, y) = f(x, y) + \sigma (x \xi_{i1} + y \xi_{i2})` with
    :math:`\xi_i \sim N(0, I)`, so the expected loss is still :math:`f` and a batch of size :math:`B` has
    gradient :math:`\nabla f + \sigma \bar\xi` with :math:`\bar\xi \sim N(0, I/B)`: noise of standard
    deviation :math:`\sigma/\sqrt{B}` per coordinate, independent per point and per step. The mean of
    :math:`B` standard normals is drawn directly as one normal of variance :math:`1/B` (the same law).
    """

    surface: Surface
    sigma: float = 1.0
    batch_size: int = 1
    seed: int = 0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.sigma) and self.sigma >= 0):
            raise RunError(f"noise sigma must be a finite number >= 0, got {self.sigma!r}")
        if self.batch_size < 1:
            raise RunError(f"batch size must be >= 1, got {self.batch_size!r}")

    def __call__(self, params: Array, step: int) -> Array:
        noise = np.random.default_rng([self.seed, step]).standard_normal(np.shape(params))
        return self.surface.grad(params) + (self.sigma / math.sqrt(self.batch_size)) * noise

    def for_rows(self, rows: Array, shape: tuple[int, ...]) -> RowsOf:
        """The gradients this source gives rows ``rows`` of a run from starts of ``shape`` (the noise drawn
        for the whole array, the rows read back), for points of those rows alone."""
        return RowsOf(self, rows, shape)

    def describe(self) -> dict[str, Any]:
        return {"kind": "noise", "sigma": self.sigma, "batch_size": self.batch_size, "seed": self.seed}


@dataclass(frozen=True)
class RowsOf:
    """A gradient source's gradients for rows ``rows`` of a run from starts of ``shape``, computed for those
    rows' points alone: the gradient (point by point) plus the noise the source draws for the whole array,
    its rows read back."""

    source: NoisyGradient
    rows: Array = field(repr=False)
    shape: tuple[int, ...]

    def __call__(self, params: Array, step: int) -> Array:
        noise = np.random.default_rng([self.source.seed, step]).standard_normal(self.shape).reshape(-1, 2)
        scale = self.source.sigma / math.sqrt(self.source.batch_size)
        return self.source.surface.grad(params) + scale * noise[self.rows]

    def describe(self) -> dict[str, Any]:
        return self.source.describe()


def make_regression(
    n: int = 1800,
    slope: float = 1.5,
    intercept: float = -0.5,
    noise: float = 0.5,
    x_range: tuple[float, float] = (-1.0, 3.0),
    seed: int = 0,
) -> Dataset:
    """A seeded synthetic line-fit dataset: ``y = slope·x + intercept + N(0, noise²)``, ``x`` uniform.

    The default has the 1,800 samples of the article's mini-batch experiment. Off-centre ``x`` makes the
    loss an elongated, tilted bowl, as real regression losses are.
    """
    if n < 1:
        raise RunError(f"a dataset needs at least one sample, got n={n}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(*x_range, size=n)
    y = slope * x + intercept + noise * rng.standard_normal(n)
    return Dataset(x, y, name=f"synthetic line, n={n}, seed={seed}")


def _moments(x: Array, y: Array) -> tuple[float, float, float, float]:
    return float(np.mean(x * x)), float(np.mean(x)), float(np.mean(x * y)), float(np.mean(y))


def _line_fit_gradient(params: Array, moments: tuple[float, float, float, float]) -> Array:
    mean_xx, mean_x, mean_xy, mean_y = moments
    w, b = params[..., 0], params[..., 1]
    return np.stack([w * mean_xx + b * mean_x - mean_xy, w * mean_x + b - mean_y], axis=-1)


def regression_surface(dataset: Dataset | None = None, name: str = "regression") -> Surface:
    r"""The mean squared error of a straight line :math:`\hat y = w x + b` over ``dataset``.

    .. math::

        L(w, b) = \frac{1}{2n} \sum_i (w x_i + b - y_i)^2, \qquad
        \nabla L = \big(\overline{r x},\ \overline{r}\big), \quad r_i = w x_i + b - y_i,

    evaluated through the data's moments (exactly the same quadratic, without an ``(..., n)`` array).
    """
    dataset = dataset if dataset is not None else make_regression()
    moments = _moments(dataset.x, dataset.y)
    mean_yy = float(np.mean(dataset.y * dataset.y))
    mean_xx, mean_x, mean_xy, mean_y = moments

    def value(w: Array, b: Array) -> Array:
        return 0.5 * (w * w * mean_xx + 2 * w * b * mean_x + b * b - 2 * w * mean_xy - 2 * b * mean_y + mean_yy)

    def gradient(w: Array, b: Array) -> tuple[Array, Array]:
        return w * mean_xx + b * mean_x - mean_xy, w * mean_x + b - mean_y

    w_star, b_star = dataset.least_squares()
    best = float(value(np.float64(w_star), np.float64(b_star)))
    window = (round(w_star) - 3.0, round(w_star) + 3.0, round(b_star) - 3.0, round(b_star) + 3.0)
    return Surface(
        name, "1/(2n) Σ (w·xᵢ + b − yᵢ)²",
        f"mean squared error of a line fit ({dataset.name}); x = slope, y = intercept",
        value, gradient, window=window, start=(window[0] + 0.5, window[3] - 0.5),
        critical_points=(CriticalPoint(w_star, b_star, best),), dataset=dataset,
    )


@dataclass
class BatchOrder:
    """Which samples each update reads: figure 3's mini-batches, for any loss over ``samples`` samples.

    Each epoch visits the samples in a fresh permutation drawn from ``default_rng([seed, epoch])``, cut
    into consecutive batches of ``batch_size``. The last, partial batch is used unless ``drop_last``.
    Step ``t`` uses batch ``t mod k`` of epoch ``t // k`` (``k`` batches per epoch), whatever was asked
    before: a pure function of ``t``.

    >>> order = BatchOrder(5, 2, seed=0)
    >>> order.batches_per_epoch, [len(order.batch(t)) for t in range(4)], order.samples_processed(4)
    (3, [2, 2, 1, 2], 7)
    """

    samples: int
    batch_size: int
    seed: int = 0
    drop_last: bool = False
    pointwise: ClassVar[bool] = True  # the batch depends on the step only (:mod:`.stepping`)
    _epoch_cache: tuple[int, Array] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= self.samples:
            raise RunError(
                f"batch size must be between 1 and the dataset's {self.samples} samples, got {self.batch_size}"
            )

    @property
    def batches_per_epoch(self) -> int:
        n = self.samples
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def permutation(self, epoch: int) -> Array:
        """The sample order of ``epoch``."""
        if self._epoch_cache is None or self._epoch_cache[0] != epoch:
            order = np.random.default_rng([self.seed, epoch]).permutation(self.samples)
            self._epoch_cache = (epoch, order)
        return self._epoch_cache[1]

    def batch(self, step: int) -> Array:
        """Indices of the samples used at update ``step``."""
        epoch, k = divmod(step, self.batches_per_epoch)
        return self.permutation(epoch)[k * self.batch_size : (k + 1) * self.batch_size]

    def samples_processed(self, steps: int) -> int:
        """How many samples the first ``steps`` updates have read."""
        per_epoch = self.batches_per_epoch * self.batch_size if self.drop_last else self.samples
        epochs, batches = divmod(steps, self.batches_per_epoch)
        return epochs * per_epoch + batches * self.batch_size  # only an epoch's last batch is partial


@dataclass
class MiniBatchGradient:
    """Exact mini-batch gradients of :func:`regression_surface` for ``dataset``, in the
    :class:`BatchOrder` of its samples for ``batch_size``, ``seed`` and ``drop_last``."""

    dataset: Dataset
    batch_size: int
    seed: int = 0
    drop_last: bool = False
    order: BatchOrder = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.order = BatchOrder(len(self.dataset), self.batch_size, self.seed, self.drop_last)

    @property
    def batches_per_epoch(self) -> int:
        return self.order.batches_per_epoch

    def permutation(self, epoch: int) -> Array:
        """The sample order of ``epoch``."""
        return self.order.permutation(epoch)

    def batch(self, step: int) -> Array:
        """Indices of the samples used at update ``step``."""
        return self.order.batch(step)

    def samples_processed(self, steps: int) -> int:
        """How many samples the first ``steps`` updates have read."""
        return self.order.samples_processed(steps)

    def __call__(self, params: Array, step: int) -> Array:
        indices = self.batch(step)
        moments = _moments(self.dataset.x[indices], self.dataset.y[indices])
        return _line_fit_gradient(np.asarray(params, dtype=np.float64), moments)

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "minibatch", "batch_size": self.batch_size, "seed": self.seed,
            "drop_last": self.drop_last, "dataset": self.dataset.name,
        }


def stochastic_gradient(
    surface: Surface, batch_size: int | None = None, sigma: float | None = None, seed: int = 0
) -> GradientSource:
    """The natural gradient source for ``surface``: exact when neither ``batch_size`` nor ``sigma`` is
    given; mini-batches of its data for a loss over data; :class:`NoisyGradient` (σ = 1 unless given)
    for an analytic surface."""
    if batch_size is None and sigma is None:
        return ExactGradient(surface)
    if surface.dataset is not None:
        if sigma is not None:
            raise RunError(f"{surface.name} is a loss over data: its noise comes from mini-batches, not sigma")
        return MiniBatchGradient(surface.dataset, batch_size if batch_size is not None else 1, seed)
    return NoisyGradient(surface, 1.0 if sigma is None else sigma, batch_size or 1, seed)
