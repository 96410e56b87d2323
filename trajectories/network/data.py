"""Samples for a network (:class:`Data`), their split into training and validation samples, and the
checked keys that every dataset spec shares.

>>> data = Data(np.zeros((4, 2)), np.array([0.0, 1.0, 1.0, 0.0]), "binary")
>>> parts = split(data, 0.25, seed=0)
>>> len(parts.train), len(parts.validation), parts.train.outputs
(3, 1, 1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import NetworkError
from .bounds import MAX_SAMPLES

Array = np.ndarray
TASKS = ("binary", "multiclass", "regression")
DEFAULT_LOSS = {"binary": "bce", "multiclass": "cross_entropy", "regression": "mse"}


@dataclass(frozen=True)
class Data:
    """Samples: ``inputs`` ``(N, d)`` and ``targets``: labels 0./1. ``(N,)`` for a binary task, class
    indices ``(N,)`` (int) for a multiclass one, values ``(N, k)`` for regression. ``labels`` names the
    classes (a CSV's own words or numbers; ``0, 1, ...`` for generated data)."""

    inputs: Array = field(repr=False)
    targets: Array = field(repr=False)
    task: str
    name: str = "data"
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise NetworkError(f"task must be one of {', '.join(TASKS)}, got {self.task!r}")
        if np.ndim(self.inputs) != 2 or len(self.inputs) != len(self.targets) or not len(self.inputs):
            raise NetworkError("data needs inputs (N, d) and N targets, N > 0")

    def __len__(self) -> int:
        return len(self.inputs)

    @property
    def features(self) -> int:
        return self.inputs.shape[1]

    @property
    def classes(self) -> int:
        """Classes of a classification task (2 for binary), 0 for regression."""
        return 0 if self.task == "regression" else max(2, len(self.labels))

    @property
    def outputs(self) -> int:
        """The outputs a network needs for it: 1 (binary), the classes, or the regression targets."""
        return {"binary": 1, "multiclass": self.classes}.get(self.task) or self.targets.shape[1]

    def subset(self, indices: Array, name: str) -> Data:
        return Data(self.inputs[indices], self.targets[indices], self.task, name, self.labels)


@dataclass(frozen=True)
class DataSplit:
    """The training samples and, when a split was asked for, the validation ones."""

    train: Data
    validation: Data | None = None


def default_loss(task: str) -> str:
    """The loss a model uses on a task unless it names one: ``bce``, ``cross_entropy`` or ``mse``."""
    return DEFAULT_LOSS[task]


@dataclass(frozen=True)
class Parameter:
    """One key of a dataset spec: ``int`` or ``float``, its default and its closed bounds."""

    kind: type
    default: Any
    low: float
    high: float


COMMON = {
    "n": Parameter(int, 200, 2, MAX_SAMPLES),
    "seed": Parameter(int, 0, 0, 2**63 - 1),
    "validation": Parameter(float, 0.0, 0.0, 0.9),
}
"""The keys every dataset spec takes."""


def check_value(kind: str, key: str, parameter: Parameter, value: Any) -> Any:
    """``value`` (text or a number) as ``parameter``'s kind, within its bounds; one-line
    :class:`NetworkError` naming ``kind`` and ``key`` otherwise."""
    where = f"{kind}: {key}"
    what = "a whole number" if parameter.kind is int else "a number"
    bounds = f"{what} from {_plain(parameter.low)} to {_plain(parameter.high)}"
    if isinstance(value, bool):
        raise NetworkError(f"{where} must be {bounds}, got {value!r}")
    try:
        number = parameter.kind(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        raise NetworkError(f"{where} must be {bounds}, got {value!r}") from None
    if parameter.kind is int and isinstance(value, float) and not value.is_integer():
        raise NetworkError(f"{where} must be {bounds}, got {value!r}")
    if not (math.isfinite(number) and parameter.low <= number <= parameter.high):
        raise NetworkError(f"{where} must be {bounds}, got {value!r}")
    return number


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def split(data: Data, validation: float, seed: int) -> DataSplit:
    """``data`` with ``round(validation · N)`` samples held out (``default_rng([seed, 1])``'s permutation,
    first ones), each part in the original order."""
    if not validation:
        return DataSplit(data)
    held = round(validation * len(data))
    if not 1 <= held <= len(data) - 2:
        raise NetworkError(f"{data.name}: validation={validation} of {len(data)} samples leaves no validation "
                           "sample or fewer than 2 training samples")
    order = np.random.default_rng([seed, 1]).permutation(len(data))
    chosen = np.zeros(len(data), dtype=bool)
    chosen[order[:held]] = True
    return DataSplit(data.subset(np.flatnonzero(~chosen), data.name),
                     data.subset(np.flatnonzero(chosen), data.name + " (validation)"))
