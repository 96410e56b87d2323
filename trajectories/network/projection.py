r"""Planes through a network's parameter space, on which its loss surface and its racers' paths are drawn.

A plane is an origin :math:`o` and two directions :math:`d_1, d_2` in parameter space: the point at
:math:`(\alpha, \beta)` is :math:`o + \alpha d_1 + \beta d_2`. Three ways to choose one, by name:

``pca``
    The principal components of **all** racers' path points together (:mod:`~trajectories.network.principal`):
    one shared plane through their mean, with the fraction of the points' variance along each axis
    (:attr:`Plane.explained`). Orientation: each axis points the way the racers go on average (the sum over
    paths of :math:`(\theta_{end} - \theta_{start}) \cdot d_i` is positive); where that sum is exactly 0,
    the axis's largest component (the first of equals) is positive.
``random``
    Two seeded Gaussian directions, filter-normalised (Li, Xu, Taylor, Studer and Goldstein, "Visualizing
    the Loss Landscape of Neural Nets", NeurIPS 2018): for every unit of every layer, the direction's
    incoming weights are rescaled to the norm of the centre's, :math:`d_{l,j} \leftarrow d_{l,j}\,
    \lVert\theta_{l,j}\rVert / (\lVert d_{l,j}\rVert + 10^{-10})`; bias directions are 0 (their
    ``--xignore biasbn``; ``biases=centre`` takes the centre's own biases, their default). Around the
    ``center``: ``start`` (the shared initial point), ``end`` (a ``racer``'s last point) or ``mean``.
``plane``
    Through the initial point and the end points of two racers (``racers=[A,B]``, default ``[0,1]``):
    :math:`d_1` towards racer A's end (at :math:`(\lVert\cdot\rVert, 0)`), :math:`d_2` the part of the way
    to racer B's end orthogonal to it (so B's end lies above the first axis), both unit vectors.

Coordinates of a point are the least-squares :math:`(\alpha, \beta)` (the orthogonal projection onto the
plane: exact dot products for ``pca`` and ``plane``, whose directions are orthonormal), and
:meth:`Plane.explained_fraction` says how much of each path the plane shows: the share of its squared
movement from its start, :math:`\sum_t \lVert\Pi(\theta_t - \theta_0)\rVert^2 / \sum_t \lVert\theta_t -
\theta_0\rVert^2`. Every number is computed with :mod:`trajectories.network.arithmetic`, so a plane and its
coordinates are the same bits on every CPU, and so is the picture drawn from them.

**Spec.** ``pca``, ``random[:seed=N,center=start|end|mean,racer=I,biases=zero|centre]``,
``plane[:racers=[A,B]]``.

>>> spec = parse_projection("random:seed=3,center=end,racer=1")
>>> spec.kind, spec.params["seed"], spec.to_text()
('random', 3, 'random:seed=3,center=end,racer=1')
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from ..errors import NetworkError
from .arithmetic import matmul, pairwise_sum
from .models import Model
from .principal import principal_components
from .spec_text import keywords, split_spec

Array = np.ndarray
METHODS = ("pca", "random", "plane")
CENTERS = ("start", "end", "mean")
BIASES = ("zero", "centre")


@dataclass(frozen=True)
class Plane:
    """A plane in parameter space: ``origin`` ``(P,)``, ``axes`` ``(2, P)``, the ``method`` that chose it,
    the fraction of variance each axis explains (``pca`` only) and a one-line ``description``."""

    method: str
    origin: Array = field(repr=False)
    axes: Array = field(repr=False)
    explained: tuple[float, float] | None = None
    description: str = ""

    @property
    def gram(self) -> Array:
        """:math:`G_{ij} = d_i \\cdot d_j`, ``(2, 2)``."""
        return matmul(self.axes, self.axes.T)

    def _solve(self, products: Array) -> Array:
        """:math:`G^{-1} w` for ``products`` ``w`` ``(..., 2)``, by Cramer's rule."""
        (a, b), (_, d) = self.gram
        det = a * d - b * b
        first = (d * products[..., 0] - b * products[..., 1]) / det
        second = (a * products[..., 1] - b * products[..., 0]) / det
        return np.stack([first, second], axis=-1)

    def project(self, points: Array) -> Array:
        """Coordinates ``(..., 2)`` of ``points`` ``(..., P)`` (NaN stays NaN)."""
        offset = np.asarray(points, dtype=np.float64) - self.origin
        with np.errstate(invalid="ignore"):
            return self._solve(_along(offset, self.axes))

    def point(self, coordinates: Array) -> Array:
        """The parameters ``(..., P)`` at ``coordinates`` ``(..., 2)``: :math:`o + \\alpha d_1 + \\beta d_2`."""
        c = np.asarray(coordinates, dtype=np.float64)
        return self.origin + c[..., 0:1] * self.axes[0] + c[..., 1:2] * self.axes[1]

    def explained_fraction(self, path: Array) -> Array:
        """How much of each path ``(T + 1, ..., P)`` the plane shows: the in-plane share of the squared
        movement from its start, over its finite points; 1 for a path that does not move."""
        path = np.asarray(path, dtype=np.float64)
        movement = path - path[0]
        finite = np.isfinite(movement).all(axis=-1)
        movement = np.where(finite[..., None], movement, 0.0)
        products = _along(movement, self.axes)
        inside = pairwise_sum(self._solve(products) * products, -1)
        total = pairwise_sum(movement * movement, -1)
        inside_sum, total_sum = pairwise_sum(inside, 0), pairwise_sum(total, 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total_sum > 0, np.minimum(1.0, inside_sum / total_sum), 1.0)


@dataclass(frozen=True)
class ProjectionSpec:
    """A projection method by name with its keys checked (defaults filled in); :meth:`fit` makes the plane."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        defaults = {"pca": {}, "random": {"seed": 0, "center": "start", "racer": 0, "biases": "zero"},
                    "plane": {"racers": (0, 1)}}
        if self.kind not in defaults:
            raise NetworkError(f"unknown projection {self.kind!r} (projections: {', '.join(METHODS)})")
        known = defaults[self.kind]
        unknown = sorted(set(self.params) - set(known))
        if unknown:
            keys = ", ".join(known) or "none"
            raise NetworkError(f"{self.kind}: unknown key {unknown[0]!r} (keys: {keys})")
        checked = {key: _check(self.kind, key, self.params.get(key, default)) for key, default in known.items()}
        if self.kind == "plane" and checked["racers"][0] == checked["racers"][1]:
            raise NetworkError(f"plane: racers must be two different racers, got {list(checked['racers'])}")
        object.__setattr__(self, "params", MappingProxyType(checked))

    def to_text(self) -> str:
        defaults = ProjectionSpec(self.kind).params
        changed = {k: v for k, v in self.params.items() if v != defaults[k]}
        text = ",".join(f"{k}=[{v[0]},{v[1]}]" if k == "racers" else f"{k}={v}" for k, v in changed.items())
        return self.kind + (":" + text if text else "")

    def fit(self, model: Model, paths: Array) -> Plane:
        """The plane for ``paths`` ``(T + 1, O, S, P)`` of ``model`` (a
        :class:`~trajectories.network.training.NetworkPaths`' ``params``)."""
        paths = np.asarray(paths, dtype=np.float64)
        if paths.ndim != 4 or paths.shape[-1] != model.parameter_count:
            raise NetworkError(f"{self.kind}: paths must be (T + 1, racers, starts, {model.parameter_count}), "
                               f"got shape {paths.shape}")
        if self.kind == "pca":
            return pca_plane(paths)
        if self.kind == "plane":
            return plane_through(paths, *self.params["racers"])
        centre = _centre(paths, self.params["center"], self.params["racer"])
        return random_plane(model, centre, self.params["seed"], self.params["biases"])


def _check(kind: str, key: str, value: Any) -> Any:
    where = f"{kind}: {key}"
    if key in ("seed", "racer"):
        try:
            number = int(value.strip()) if isinstance(value, str) else value
        except ValueError:
            number = None
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number < 2**63:
            raise NetworkError(f"{where} must be a whole number >= 0, got {value!r}")
        return number
    if key == "racers":
        items = value
        if isinstance(value, str):
            text = value.strip()
            items = text[1:-1].split(",") if text.startswith("[") and text.endswith("]") else None
        try:
            pair = tuple(int(item.strip()) if isinstance(item, str) else item for item in items)
        except (TypeError, ValueError):
            pair = ()
        if len(pair) != 2 or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in pair):
            raise NetworkError(f"{where} must be two racer numbers such as [0,2], got {value!r}")
        return pair
    choices = CENTERS if key == "center" else BIASES
    if value not in choices:
        raise NetworkError(f"{where} must be one of {', '.join(choices)}, got {value!r}")
    return value


def parse_projection(text: str) -> ProjectionSpec:
    """A :class:`ProjectionSpec` from ``NAME[:key=value,...]``; one-line :class:`NetworkError`\\ s."""
    whole, kind, rest = split_spec(text, f"a projection ({', '.join(METHODS)})", "random:seed=1")
    return ProjectionSpec(kind, keywords(kind, rest, whole))


def _along(points: Array, axes: Array) -> Array:
    """:math:`x \\cdot d_i` for points ``(..., P)`` and directions ``(k, P)``: ``(..., k)``."""
    flat = points.reshape(-1, points.shape[-1])
    return matmul(flat, axes.T).reshape(*points.shape[:-1], len(axes))


def _finite_points(paths: Array) -> Array:
    flat = paths.reshape(-1, paths.shape[-1])
    return flat[np.isfinite(flat).all(axis=1)]


def _last_points(paths: Array) -> Array:
    """Each path's last finite point, ``(O, S, P)``."""
    finite = np.isfinite(paths).all(axis=-1)
    last = paths.shape[0] - 1 - np.argmax(finite[::-1], axis=0)
    return np.take_along_axis(paths, last[None, :, :, None], axis=0)[0]


def _orient(axis: Array, movement: Array) -> Array:
    """``axis`` or ``-axis``: the one the racers move along on average (the rule in the module docstring)."""
    along = float(pairwise_sum(_along(movement, axis[None])[:, 0], 0))
    if along == 0.0:
        along = float(axis[int(np.argmax(np.abs(axis)))])
    return -axis if along < 0 else axis


def pca_plane(paths: Array) -> Plane:
    """The ``pca`` plane of ``paths`` ``(T + 1, O, S, P)`` (see the module's docstring)."""
    points = _finite_points(paths)
    if len(points) < 3:
        raise NetworkError("pca: the paths have fewer than 3 finite points; train for more steps")
    found = principal_components(points, 2)
    if found.vectors.shape[0] < 2:
        raise NetworkError("pca: a plane needs a network with at least 2 parameters")
    movement = (_last_points(paths) - paths[0]).reshape(-1, paths.shape[-1])
    axes = np.stack([_orient(vector, movement) for vector in found.vectors])
    first, second = found.ratios
    return Plane("pca", found.mean, axes, (first, second),
                 f"PCA of all paths: {100 * first:.1f}% and {100 * second:.1f}% of the variance")


def plane_through(paths: Array, first: int, second: int) -> Plane:
    """The plane through the initial point and racers ``first``'s and ``second``'s end points."""
    racers = paths.shape[1]
    for racer in (first, second):
        if racer >= racers:
            raise NetworkError(f"plane: there is no racer {racer} (racers 0 to {racers - 1})")
    start = paths[0, 0, 0]
    ends = _last_points(paths)
    towards_first, towards_second = ends[first, 0] - start, ends[second, 0] - start
    first_length = math.sqrt(float(pairwise_sum(towards_first * towards_first, 0)))
    if first_length == 0.0:
        raise NetworkError(f"plane: racer {first} ends where it started; choose racers that moved")
    unit_first = towards_first / first_length
    across = towards_second - float(pairwise_sum(towards_second * unit_first, 0)) * unit_first
    across_length = math.sqrt(float(pairwise_sum(across * across, 0)))
    second_length = math.sqrt(float(pairwise_sum(towards_second * towards_second, 0)))
    if across_length <= 1e-9 * max(second_length, first_length):
        raise NetworkError(f"plane: the start and the ends of racers {first} and {second} lie on one line; "
                           "choose other racers or pca")
    return Plane("plane", start, np.stack([unit_first, across / across_length]), None,
                 f"the plane through the start and the ends of racers {first} and {second}")


def _centre(paths: Array, center: str, racer: int) -> Array:
    if center == "start":
        return paths[0, 0, 0]
    if center == "mean":
        points = _finite_points(paths)
        return pairwise_sum(points, 0) / len(points)
    if racer >= paths.shape[1]:
        raise NetworkError(f"random: there is no racer {racer} (racers 0 to {paths.shape[1] - 1})")
    return _last_points(paths)[racer, 0]


def random_plane(model: Model, centre: Array, seed: int, biases: str = "zero") -> Plane:
    """Two filter-normalised random directions around ``centre`` ``(P,)`` (see the module's docstring)."""
    directions = np.random.default_rng(seed).standard_normal((2, model.parameter_count))
    for layer in model.layout():
        weights = directions[:, layer.weights].reshape(2, *layer.shape)
        centre_weights = centre[layer.weights].reshape(layer.shape)
        norms = np.sqrt(pairwise_sum(weights * weights, -1))                  # (2, out)
        centre_norms = np.sqrt(pairwise_sum(centre_weights * centre_weights, -1))
        directions[:, layer.weights] = (weights * (centre_norms / (norms + 1e-10))[..., None]).reshape(2, -1)
        directions[:, layer.bias] = centre[layer.bias] if biases == "centre" else 0.0
    return Plane("random", np.array(centre, dtype=np.float64), directions, None,
                 f"filter-normalised random directions (seed {seed})")


def fit_window(coordinates: Array, margin: float = 0.15) -> tuple[float, float, float, float]:
    """``(a0, a1, b0, b1)`` around every finite point of ``coordinates`` ``(..., 2)``, widened by
    ``margin`` of its extent on each side (by 1 where the extent is 0)."""
    flat = np.asarray(coordinates, dtype=np.float64).reshape(-1, 2)
    flat = flat[np.isfinite(flat).all(axis=1)]
    if not len(flat):
        raise NetworkError("no finite point to frame")
    low, high = flat.min(axis=0), flat.max(axis=0)
    extent = high - low
    pad = np.where(extent > 0, margin * extent, 1.0)
    return float(low[0] - pad[0]), float(high[0] + pad[0]), float(low[1] - pad[1]), float(high[1] + pad[1])
