r"""Train a race of optimizers on one network: every racer, from every start, as one batch of networks.

A race has ``O`` learners (an optimizer and a batch size each) and ``S`` starts (initial parameter vectors,
by default the model's one seeded vector): ``R = O·S`` networks. Each update :math:`t`:

1. every group of learners with the same batch size computes the loss and the gradient of its networks on
   the samples of update :math:`t` (:class:`~trajectories.surfaces.gradients.BatchOrder`, figure 3's mini-batches:
   an epoch is a permutation from ``default_rng([batch_seed, epoch])`` cut into consecutive batches, the
   last partial one used; full batch when the size is ``None``), all networks of the group in one
   vectorised pass (:mod:`trajectories.network.backprop`);
2. each learner's optimizer (a :class:`~trajectories.core.transforms.GradientTransformation`: our rules,
   schedules, clipping, ``torch:``/``optax:`` adapters) updates its ``(S, P)`` block;
3. a network whose new parameters are not finite, or larger than :data:`ESCAPE` in magnitude, has
   *diverged* at :math:`t + 1`: it stays at its last point and its path holds NaN from there, as
   :func:`trajectories.compute.run.run` does for 2-D paths.

Point :math:`t` of a path is the parameters before update :math:`t` (point 0 is the start). After the
loop, every point's loss over the whole training set (and the validation set, when there is one) is
evaluated in batches: the loss panel's *true* training loss, not the noisy batch loss.

Every operation is elementwise IEEE arithmetic or a fixed-order sum (:mod:`trajectories.network.arithmetic`),
and every optimizer of ours is elementwise too, so the paths are the same bits on every CPU.

>>> from trajectories.network.models import parse_model
>>> from trajectories.network.datasets import make_dataset
>>> paths = train(parse_model("logistic:2"), make_dataset("blobs:classes=2,n=40"), ["sgd:lr=0.5", "adam:lr=0.1"], 20)
>>> paths.params.shape, bool((paths.train_loss[-1] < paths.train_loss[0]).all())
((21, 2, 1, 3), True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..adapters.objective import evaluating
from ..core.spec import OptimizerSpec, parse_optimizer
from ..core.transforms import GradientTransformation
from ..errors import NetworkError
from ..surfaces.gradients import BatchOrder
from .arithmetic import pairwise_sum
from .backprop import loss_and_gradient
from .bounds import check_training
from .data import Data, DataSplit, default_loss
from .evaluation import evaluate
from .losses import LOSSES, Loss
from .models import Model

Array = np.ndarray
ESCAPE = 1e8
"""A parameter beyond this magnitude ends its network's path (its loss would soon overflow)."""


@dataclass(frozen=True)
class Learner:
    """One racer: an ``optimizer`` (spec text, an :class:`~trajectories.core.spec.OptimizerSpec`, or a
    transformation) and the ``batch_size`` of its updates (``None``: the whole training set)."""

    optimizer: str | OptimizerSpec | GradientTransformation
    batch_size: int | None = None
    label: str = ""

    def build(self) -> GradientTransformation:
        if isinstance(self.optimizer, GradientTransformation):
            return self.optimizer
        spec = parse_optimizer(self.optimizer) if isinstance(self.optimizer, str) else self.optimizer
        return spec.build()


@dataclass(frozen=True)
class NetworkPaths:
    """The result of :func:`train`, for ``O`` learners from ``S`` starts over ``T`` updates.

    Attributes:
        params: ``(T + 1, O, S, P)``; NaN from the step a network diverged at.
        train_loss: ``(T + 1, O, S)``, the loss over the whole training set at each point.
        validation_loss: the same over the validation samples, or ``None`` without a split.
        accuracy: ``(T + 1, O, S)``, the fraction of training samples classified right (``None`` for
            regression).
        batch_loss: ``(T, O, S)``, the loss of the samples each update used, before it.
        grad_norm: ``(T, O, S)``, the Euclidean norm of the gradient each update used.
        diverged_step: ``(O, S)``, the first point that is not finite, or -1.
        samples_read: ``(O, T + 1)``, the samples each learner has read before each point.
    """

    params: Array = field(repr=False)
    train_loss: Array = field(repr=False)
    validation_loss: Array | None = field(repr=False)
    accuracy: Array | None = field(repr=False)
    batch_loss: Array = field(repr=False)
    grad_norm: Array = field(repr=False)
    diverged_step: Array
    samples_read: Array = field(repr=False)

    @property
    def steps(self) -> int:
        return self.params.shape[0] - 1

    @property
    def start(self) -> Array:
        """The start of every path, ``(O, S, P)``."""
        return self.params[0]

    @property
    def final(self) -> Array:
        """The last finite point of each path, ``(O, S, P)``."""
        last = np.where(self.diverged_step >= 0, self.diverged_step - 1, self.steps)
        return np.take_along_axis(self.params, last[None, :, :, None], axis=0)[0]


ACCEPTS = {"bce": ("binary",), "cross_entropy": ("binary", "multiclass"), "mse": ("regression", "binary")}
"""The tasks each loss trains on: ``cross_entropy`` on a binary task uses two outputs, ``mse`` on one
regresses the labels 0 and 1 (as TensorFlow Playground does)."""


def resolve_loss(model: Model, data: Data) -> Loss:
    """The loss ``model`` trains with on ``data`` (its own, or the task's default), checked to fit: the
    inputs, the task and the outputs; one-line :class:`NetworkError` otherwise."""
    name = model.loss or default_loss(data.task)
    spec = model.to_text()
    if model.inputs != data.features:
        raise NetworkError(f"{spec} takes {model.inputs} inputs, the dataset {data.name!r} has {data.features}")
    if data.task not in ACCEPTS[name]:
        raise NetworkError(f"{spec}: loss {name} needs {LOSSES[name].targets}; {data.name!r} is a {data.task} task")
    outputs = {"bce": 1, "cross_entropy": data.classes}.get(name) or data.outputs
    if model.outputs != outputs:
        raise NetworkError(f"{spec} has {model.outputs} outputs; loss {name} on {data.name!r} needs {outputs}")
    return LOSSES[name]


def loss_targets(loss: Loss, data: Data) -> Array:
    """``data``'s targets as ``loss`` reads them: class indices for ``cross_entropy``, a column of 0./1. for
    ``mse`` on a binary task."""
    if loss.name == "cross_entropy":
        return data.targets.astype(np.int64)
    if loss.name == "mse" and data.task == "binary":
        return data.targets[:, None]
    return data.targets


def _learners(racers: Sequence[Learner | str]) -> list[Learner]:
    learners = [racer if isinstance(racer, Learner) else Learner(racer) for racer in racers]
    if not learners:
        raise NetworkError("a network race needs at least one optimizer")
    return learners


def _starts(model: Model, starts: Array | None) -> Array:
    points = model.initial()[None] if starts is None else np.array(starts, dtype=np.float64)
    if points.ndim == 1:
        points = points[None]
    if points.ndim != 2 or points.shape[1] != model.parameter_count:
        raise NetworkError(f"{model.to_text()}: starts must be (S, {model.parameter_count}) parameter vectors, "
                           f"got shape {np.shape(starts)}")
    if not np.isfinite(points).all():
        raise NetworkError(f"{model.to_text()}: start parameters must be finite")
    return points


@dataclass(frozen=True)
class Descent:
    """The raw result of :func:`descend`: the points ``(T + 1, O, S, P)`` (NaN after a divergence), each
    update's batch loss and gradient norm ``(T, O, S)``, the divergence steps ``(O, S)`` and each learner's
    batch order (``None``: full batch)."""

    params: Array
    batch_loss: Array
    grad_norm: Array
    diverged_step: Array
    orders: tuple[BatchOrder | None, ...]


def train(
    model: Model,
    data: DataSplit,
    racers: Sequence[Learner | str],
    steps: int,
    *,
    starts: Array | None = None,
    batch_seed: int = 0,
) -> NetworkPaths:
    """Train every learner of ``racers`` (``Learner``\\ s, or optimizer spec text for full-batch ones) on
    ``data.train`` for ``steps`` updates, from ``starts`` ``(S, P)`` (default: ``model.initial()``), and
    evaluate every point on the training (and validation) samples."""
    descent = descend(model, data.train, racers, steps, starts=starts, batch_seed=batch_seed)
    return _result(model, data, descent)


def descend(
    model: Model,
    train_data: Data,
    racers: Sequence[Learner | str],
    steps: int,
    *,
    starts: Array | None = None,
    batch_seed: int = 0,
    perturb: Callable[[Array, int], Array] | None = None,
) -> Descent:
    """The update loop of :func:`train`, without evaluating the points. ``perturb(grads, t)``, when given,
    replaces each update's gradients ``(O, S, P)`` (the reproducibility horizon's shadows jitter them,
    :mod:`trajectories.network.horizon`)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise NetworkError(f"steps must be a whole number >= 1, got {steps!r}")
    learners = _learners(racers)
    points = _starts(model, starts)
    loss = resolve_loss(model, train_data)
    targets = loss_targets(loss, train_data)
    orders = tuple(_order(learner, len(train_data), batch_seed) for learner in learners)
    check_training(model.parameter_count, len(learners) * len(points), steps,
                   max((learner.batch_size or len(train_data)) for learner in learners), model.widest,
                   len(model.widths) - 1)
    transforms = [learner.build() for learner in learners]

    shape = (len(learners), *points.shape)
    params = np.broadcast_to(points, shape).copy()
    path = np.full((steps + 1, *shape), np.nan)
    path[0] = params
    batch_loss = np.full((steps, *shape[:2]), np.nan)
    grad_norm = np.full((steps, *shape[:2]), np.nan)
    alive = np.ones(shape[:2], dtype=bool)
    diverged_step = np.full(shape[:2], -1, dtype=np.int64)
    groups = _groups(learners)
    with np.errstate(all="ignore"):
        states = [transform.init(params[o]) for o, transform in enumerate(transforms)]
        for t in range(steps):
            grads = np.empty(shape)
            batches = {}
            for size, members in groups.items():
                indices = orders[members[0]].batch(t) if size is not None else None
                batches[size] = indices
                inputs, wanted = _batch(train_data.inputs, targets, indices)
                value, gradient = loss_and_gradient(model, loss, params[members], inputs, wanted)
                grads[members], batch_loss[t, members] = gradient, value
            if perturb is not None:
                grads = perturb(grads, t)
            grad_norm[t] = np.sqrt(_sum_squares(grads))
            updates = np.empty(shape)
            for o, transform in enumerate(transforms):
                objective = _objective(model, loss, train_data.inputs, targets, batches[learners[o].batch_size])
                with evaluating(*objective):  # for optimizers that evaluate the loss themselves (L-BFGS)
                    updates[o], states[o] = transform.update(grads[o], states[o], params[o])
            params = _advance(params, updates, alive, diverged_step, t)
            if not alive.any():
                break
            path[t + 1] = np.where(alive[..., None], params, np.nan)
    updates_index = np.arange(steps)[:, None, None]
    gone = (diverged_step >= 0) & (updates_index >= diverged_step - 1)
    return Descent(path, np.where(gone, np.nan, batch_loss), np.where(gone, np.nan, grad_norm), diverged_step,
                   orders)


def _order(learner: Learner, samples: int, seed: int) -> BatchOrder | None:
    if learner.batch_size is None:
        return None
    size = learner.batch_size
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 1 <= size <= samples:
        raise NetworkError(f"{learner.label or 'a learner'}: batch size must be a whole number from 1 to the "
                           f"{samples} training samples, got {size!r}")
    return BatchOrder(samples, int(size), seed)


def _groups(learners: Sequence[Learner]) -> dict[int | None, list[int]]:
    """The learners by batch size (they read the same samples at every update)."""
    groups: dict[int | None, list[int]] = {}
    for o, learner in enumerate(learners):
        groups.setdefault(learner.batch_size, []).append(o)
    return groups


def _batch(inputs: Array, targets: Array, indices: Array | None) -> tuple[Array, Array]:
    return (inputs, targets) if indices is None else (inputs[indices], targets[indices])


def _sum_squares(values: Array) -> Array:
    return pairwise_sum(values * values, -1)


def _objective(model: Model, loss: Loss, inputs: Array, targets: Array, indices: Array | None) -> tuple:
    """``(value, gradient)`` of the loss on the samples of one update, for parameters ``(..., P)``."""
    batch_inputs, batch_targets = _batch(inputs, targets, indices)

    def value(points: Array) -> Array:
        return loss_and_gradient(model, loss, points, batch_inputs, batch_targets)[0]

    def gradient(points: Array, step: int) -> Array:
        return loss_and_gradient(model, loss, points, batch_inputs, batch_targets)[1]

    return value, gradient


def _advance(params: Array, updates: Array, alive: Array, diverged_step: Array, t: int) -> Array:
    """``params + updates`` where the network is alive and the result finite and within :data:`ESCAPE`;
    a network that fails that diverges at ``t + 1`` (``alive`` and ``diverged_step`` change in place)."""
    candidate = params + updates
    valid = np.isfinite(candidate).all(axis=-1) & (np.abs(candidate) <= ESCAPE).all(axis=-1)
    diverged_step[alive & ~valid] = t + 1
    alive &= valid
    return np.where(alive[..., None], candidate, params)


def _result(model: Model, data: DataSplit, descent: Descent) -> NetworkPaths:
    loss = resolve_loss(model, data.train)
    path = descent.params
    steps = path.shape[0] - 1
    train_loss, accuracy = evaluate(model, loss, path, data.train, loss_targets(loss, data.train))
    validation_loss = None
    if data.validation is not None:
        validation_loss = evaluate(model, loss, path, data.validation, loss_targets(loss, data.validation))[0]
    samples = len(data.train)
    read = np.array([[order.samples_processed(t) if order is not None else t * samples for t in range(steps + 1)]
                     for order in descent.orders], dtype=np.int64)
    return NetworkPaths(path, train_loss, validation_loss, accuracy, descent.batch_loss, descent.grad_norm,
                        descent.diverged_step, read)
