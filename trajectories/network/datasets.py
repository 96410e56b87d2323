r"""Datasets for the network scenes: generated with numpy from a seed, or read from a CSV file, and split
into training and validation samples on request.

**Spec.** ``NAME[:key=value,...]``, e.g. ``moons:n=400,noise=0.2,seed=0``. Every generator takes ``n``
(samples, validation included), ``noise``, ``seed`` and ``validation`` (the fraction held out, default 0);
the table gives the rest and the defaults.

=============  ================================================================  ==========================
name           samples                                                           task
=============  ================================================================  ==========================
``moons``      two interleaving half circles (scikit-learn's ``make_moons``)     binary
``circles``    a circle inside another, radius ``factor`` (``make_circles``)     binary
``spirals``    ``classes`` arms of ``turns`` turns each, radius 0 to 1           binary or ``classes``
``xor``        uniform in the square, label: the signs of x and y differ         binary
``blobs``      ``classes`` Gaussian clusters of deviation ``spread`` on a circle  binary or ``classes``
``line``       ``y = slope·x + intercept`` plus noise, x uniform in [low, high]   regression
``csv``        a file: ``path``, ``target`` column, ``features`` (default: all)  inferred, or ``task``
=============  ================================================================  ==========================

``noise`` is the standard deviation of Gaussian noise added to every coordinate (to ``y`` for ``line``).
``line`` is :func:`trajectories.surfaces.gradients.make_regression`: ``line:n=1800`` is figure 3's dataset.
Angles use correctly rounded sines and cosines (:mod:`trajectories.core.portable`), so a dataset is the same
bits on every CPU; the noise is numpy's seeded ``default_rng(seed)``.

**Validation split.** ``validation=F`` holds out ``round(F·n)`` samples chosen by
``default_rng([seed, 1]).permutation(n)`` (its first ones); both parts keep the generator's order.

>>> split = make_dataset("moons:n=10,validation=0.2")
>>> split.train.inputs.shape, split.validation.inputs.shape, split.train.task
((8, 2), (2, 2), 'binary')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from ..core import portable
from ..errors import NetworkError
from ..surfaces.gradients import make_regression
from .bounds import MAX_CLASSES
from .csv_data import check_csv_keys, csv_text, read_csv
from .data import COMMON, Data, DataSplit, Parameter, check_value, split
from .spec_text import keywords, split_spec

Array = np.ndarray
def _cos_sin(angles: Array) -> tuple[Array, Array]:
    """Correctly rounded cosines and sines (the same bits on every CPU)."""
    wrapped = portable.wrap(angles)
    return portable.unwrap(np.cos(wrapped)), portable.unwrap(np.sin(wrapped))


def _noisy(points: Array, noise: float, seed: int) -> Array:
    """``points`` plus Gaussian noise of deviation ``noise``, from ``default_rng(seed)``."""
    return points + noise * np.random.default_rng(seed).standard_normal(points.shape)


def _labelled(parts: list[Array]) -> tuple[Array, Array]:
    return np.concatenate(parts), np.concatenate([np.full(len(part), k) for k, part in enumerate(parts)])


def moons(n: int, noise: float, seed: int) -> tuple[Array, Array]:
    r"""Upper half circle :math:`(\cos t, \sin t)` (class 0, :math:`\lfloor n/2 \rfloor` points) and the
    lower one :math:`(1 - \cos t, \tfrac12 - \sin t)` (class 1), :math:`t` evenly spaced in :math:`[0, \pi]`."""
    outer, inner = n // 2, n - n // 2
    cos_o, sin_o = _cos_sin(np.linspace(0.0, math.pi, outer))
    cos_i, sin_i = _cos_sin(np.linspace(0.0, math.pi, inner))
    points, labels = _labelled([np.stack([cos_o, sin_o], 1), np.stack([1.0 - cos_i, 0.5 - sin_i], 1)])
    return _noisy(points, noise, seed), labels


def circles(n: int, noise: float, seed: int, factor: float) -> tuple[Array, Array]:
    r"""The unit circle (class 0) and the circle of radius ``factor`` inside it (class 1), at angles
    :math:`2\pi i/m`."""
    outer, inner = n // 2, n - n // 2
    cos_o, sin_o = _cos_sin(2.0 * math.pi * np.arange(outer) / outer)
    cos_i, sin_i = _cos_sin(2.0 * math.pi * np.arange(inner) / inner)
    points, labels = _labelled([np.stack([cos_o, sin_o], 1), factor * np.stack([cos_i, sin_i], 1)])
    return _noisy(points, noise, seed), labels


def spirals(n: int, noise: float, seed: int, classes: int, turns: float) -> tuple[Array, Array]:
    r"""Arm :math:`c` of ``classes``: :math:`r (\cos\theta, \sin\theta)` with :math:`r = t` and
    :math:`\theta = 2\pi (\text{turns}\cdot t + c/\text{classes})`, :math:`t` evenly spaced in :math:`[0, 1]`."""
    arms = []
    for c, count in enumerate(_shares(n, classes)):
        t = np.linspace(0.0, 1.0, count)
        cos, sin = _cos_sin(2.0 * math.pi * (turns * t + c / classes))
        arms.append(np.stack([t * cos, t * sin], 1))
    points, labels = _labelled(arms)
    return _noisy(points, noise, seed), labels


def xor(n: int, noise: float, seed: int, margin: float) -> tuple[Array, Array]:
    """Points uniform in :math:`[-1, 1]^2` kept at least ``margin`` from both axes, class 1 where the
    signs of x and y differ; the noise moves points after they are labelled."""
    rng = np.random.default_rng(seed)
    u = rng.uniform(-1.0, 1.0, (n, 2))
    points = np.sign(u) * (margin + (1.0 - margin) * np.abs(u))
    labels = (points[:, 0] > 0) != (points[:, 1] > 0)
    return points + noise * rng.standard_normal(points.shape), labels.astype(np.int64)


def blobs(n: int, noise: float, seed: int, classes: int, spread: float) -> tuple[Array, Array]:
    r"""Cluster :math:`c` of ``classes``: Gaussian, deviation ``spread``, around
    :math:`1.5\,(\cos 2\pi c/K, \sin 2\pi c/K)`."""
    cos, sin = _cos_sin(2.0 * math.pi * np.arange(classes) / classes)
    centres = 1.5 * np.stack([cos, sin], 1)
    rng = np.random.default_rng(seed)
    parts = [centres[c] + spread * rng.standard_normal((count, 2)) for c, count in enumerate(_shares(n, classes))]
    points, labels = _labelled(parts)
    return points + noise * rng.standard_normal(points.shape), labels


def line(n: int, noise: float, seed: int, slope: float, intercept: float, low: float,
         high: float) -> tuple[Array, Array]:
    """:func:`trajectories.surfaces.gradients.make_regression`'s points as inputs ``(n, 1)`` and targets ``(n, 1)``."""
    made = make_regression(n, slope, intercept, noise, (low, high), seed)
    return made.x[:, None], made.y[:, None]


def _shares(n: int, parts: int) -> list[int]:
    """``n`` split into ``parts`` counts differing by at most one, the larger first."""
    return [n // parts + (k < n % parts) for k in range(parts)]


@dataclass(frozen=True)
class Maker:
    """A generated dataset: its function ``(n, noise, seed, **keys) -> (inputs, targets)`` (class labels
    ``0 .. classes - 1``, or regression targets when ``regression``) and its own keys with their bounds."""

    make: Callable[..., tuple[Array, Array]]
    parameters: Mapping[str, Parameter]
    regression: bool = False


_CLASSES = Parameter(int, 2, 2, MAX_CLASSES)
GENERATORS: dict[str, Maker] = {
    "moons": Maker(moons, {"noise": Parameter(float, 0.1, 0.0, 10.0)}),
    "circles": Maker(circles, {"noise": Parameter(float, 0.05, 0.0, 10.0),
                                   "factor": Parameter(float, 0.5, 0.01, 0.99)}),
    "spirals": Maker(spirals, {"noise": Parameter(float, 0.05, 0.0, 10.0), "classes": _CLASSES,
                                   "turns": Parameter(float, 1.0, 0.1, 5.0)}),
    "xor": Maker(xor, {"noise": Parameter(float, 0.05, 0.0, 10.0), "margin": Parameter(float, 0.1, 0.0, 0.9)}),
    "blobs": Maker(blobs, {"noise": Parameter(float, 0.0, 0.0, 10.0), "classes": Parameter(int, 3, 2, MAX_CLASSES),
                               "spread": Parameter(float, 0.4, 0.0, 10.0)}),
    "line": Maker(line, {"noise": Parameter(float, 0.5, 0.0, 100.0),
                                        "slope": Parameter(float, 1.5, -100.0, 100.0),
                                        "intercept": Parameter(float, -0.5, -100.0, 100.0),
                                        "low": Parameter(float, -1.0, -100.0, 100.0),
                                        "high": Parameter(float, 3.0, -100.0, 100.0)}, regression=True),
}
"""Every generated dataset by name."""

DATASETS = (*GENERATORS, "csv")


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset by name with every key's value (defaults filled in, checked): ``make()`` builds it."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind == "csv":
            checked = check_csv_keys(dict(self.params))
        elif self.kind in GENERATORS:
            checked = _checked(self.kind, {**COMMON, **GENERATORS[self.kind].parameters}, dict(self.params))
            if self.kind == "line" and not checked["low"] < checked["high"]:
                raise NetworkError(f"line: low must be less than high, got {checked['low']} and {checked['high']}")
        else:
            raise NetworkError(f"unknown dataset {self.kind!r} (datasets: {', '.join(DATASETS)})")
        _check_split(self.kind, checked["n"] if "n" in checked else None, checked.get("validation", 0.0))
        object.__setattr__(self, "params", MappingProxyType(checked))

    def make(self) -> DataSplit:
        """The dataset, split as asked."""
        if self.kind == "csv":
            data = read_csv(self.params, self.to_text())
        else:
            data = self._generate()
        return split(data, self.params.get("validation", 0.0), self.params.get("seed", 0))

    def _generate(self) -> Data:
        generator = GENERATORS[self.kind]
        p = dict(self.params)
        n, noise, seed = p.pop("n"), p.pop("noise"), p.pop("seed")
        p.pop("validation")
        points, labels = generator.make(n, noise, seed, **p)
        if generator.regression:
            return Data(points, labels, "regression", self.to_text())
        classes = p.get("classes", 2)
        task = "binary" if classes == 2 else "multiclass"
        targets = labels.astype(np.float64) if task == "binary" else labels.astype(np.int64)
        return Data(points, targets, task, self.to_text(), tuple(str(c) for c in range(classes)))

    def to_text(self) -> str:
        """Spec text that parses back to an equal spec (only the values that differ from the defaults)."""
        if self.kind == "csv":
            return csv_text(self.params)
        table = {**COMMON, **GENERATORS[self.kind].parameters}
        changed = {k: v for k, v in self.params.items() if v != table[k].default}
        return self.kind + (":" + ",".join(f"{k}={v!r}" for k, v in changed.items()) if changed else "")


def _checked(kind: str, table: Mapping[str, Parameter], values: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(values) - set(table))
    if unknown:
        raise NetworkError(f"{kind}: unknown key {unknown[0]!r} (keys: {', '.join(table)})")
    return {key: check_value(kind, key, parameter, values.get(key, parameter.default))
            for key, parameter in table.items()}


def _check_split(kind: str, n: int | None, validation: float) -> None:
    if n is not None and validation and not (1 <= round(validation * n) <= n - 2):
        raise NetworkError(f"{kind}: validation={validation} of {n} samples leaves no validation sample or fewer "
                           "than 2 training samples")


def parse_dataset(text: str) -> DatasetSpec:
    """A :class:`DatasetSpec` from ``NAME[:key=value,...]``; one-line :class:`NetworkError`\\ s."""
    whole, kind, rest = split_spec(text, "a dataset spec", "moons:n=400,noise=0.2,seed=0")
    if kind not in DATASETS:
        raise NetworkError(f"unknown dataset {kind!r} in {whole!r} (datasets: {', '.join(DATASETS)})")
    return DatasetSpec(kind, keywords(kind, rest, whole))


def make_dataset(text: str) -> DataSplit:
    """The dataset of spec ``text``: ``parse_dataset(text).make()``."""
    return parse_dataset(text).make()
