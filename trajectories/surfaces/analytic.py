"""2-D cost surfaces: the :class:`Surface` value and the analytic surfaces of the catalogue.

Every surface is a pair of vectorised numpy functions of ``x`` and ``y`` (its value and its analytic
gradient) plus what a plot needs: a window, a default start, the known critical points and a contour
scale. Formulas, domains and minima follow ``SURFACES.md`` (the SFU Virtual Library of Simulation
Experiments for the classic test functions).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ..core import portable
from ..errors import RunError

Array = np.ndarray
ValueFn = Callable[[Array, Array], Array]
GradientFn = Callable[[Array, Array], tuple[Array, Array]]
Window = tuple[float, float, float, float]
PI = math.pi


@dataclass(frozen=True)
class Dataset:
    """Points ``(x_i, y_i)`` for a straight-line fit; ``name`` says where they came from."""

    x: Array = field(repr=False)
    y: Array = field(repr=False)
    name: str = "data"

    def __post_init__(self) -> None:
        if np.ndim(self.x) != 1 or np.shape(self.x) != np.shape(self.y) or len(self.x) == 0:
            raise RunError("a dataset needs two 1-D arrays of the same, non-zero length")

    def __len__(self) -> int:
        return len(self.x)

    def least_squares(self) -> tuple[float, float]:
        """The exact minimiser ``(slope, intercept)`` of the mean squared error."""
        design = np.stack([self.x, np.ones_like(self.x)], axis=1)
        (slope, intercept), *_ = np.linalg.lstsq(design, self.y, rcond=None)
        return float(slope), float(intercept)


@dataclass(frozen=True)
class CriticalPoint:
    """A known critical point: ``kind`` is ``"global"`` or ``"local"`` (minima) or ``"saddle"``."""

    x: float
    y: float
    value: float
    kind: Literal["global", "local", "saddle"] = "global"

    @property
    def point(self) -> tuple[float, float]:
        return (self.x, self.y)


@dataclass(frozen=True)
class Surface:
    """A 2-D cost surface, immutable.

    Args:
        name: identifier used on the command line.
        formula: the formula as text, for people.
        description: one line on what the surface teaches.
        value: ``f(x, y)``, vectorised.
        gradient: ``(df/dx, df/dy)``, vectorised and analytic.
        window: plotting window ``(x0, x1, y0, y1)``.
        start: a start point that shows something interesting.
        critical_points: known minima (and saddles), with their values.
        scale: ``"log"`` for steep or valley surfaces (contour levels log-spaced above the minimum),
            ``"linear"`` otherwise.
        dataset: for a loss over data, the data (mini-batch gradients need it); ``None`` otherwise.
    """

    name: str
    formula: str
    description: str
    value: ValueFn = field(repr=False, compare=False)
    gradient: GradientFn = field(repr=False, compare=False)
    window: Window
    start: tuple[float, float]
    critical_points: tuple[CriticalPoint, ...] = ()
    scale: Literal["log", "linear"] = "linear"
    dataset: Dataset | None = field(default=None, repr=False, compare=False)

    def f(self, points: Array) -> Array:
        """Value at ``points`` of shape ``(..., 2)``; returns shape ``(...)``."""
        points = np.asarray(points, dtype=np.float64)
        return np.asarray(self.value(points[..., 0], points[..., 1]), dtype=np.float64)

    def grad(self, points: Array) -> Array:
        """Analytic gradient at ``points`` of shape ``(..., 2)``; returns shape ``(..., 2)``, laid out in
        memory as ``points`` are when they are ``(N, 2)`` in Fortran order (x and y each contiguous: what
        the many-start loop keeps, :mod:`trajectories.compute.stepping`)."""
        points = np.asarray(points, dtype=np.float64)
        gx, gy = self.gradient(points[..., 0], points[..., 1])
        if points.ndim == 2 and points.flags.f_contiguous and not points.flags.c_contiguous:
            out = np.empty(points.shape, order="F")
            out[:, 0], out[:, 1] = gx, gy
            return out
        return np.stack(np.broadcast_arrays(gx, gy), axis=-1).astype(np.float64, copy=False)

    @property
    def minima(self) -> tuple[CriticalPoint, ...]:
        return tuple(p for p in self.critical_points if p.kind != "saddle")

    @property
    def global_minima(self) -> tuple[CriticalPoint, ...]:
        return tuple(p for p in self.critical_points if p.kind == "global")

    def contains(self, x: float, y: float) -> bool:
        """Whether ``(x, y)`` lies in the window (edges included)."""
        x0, x1, y0, y1 = self.window
        return x0 <= x <= x1 and y0 <= y <= y1

    @classmethod
    def from_torch(cls, fn: Callable, window: Window, **details: object) -> Surface:
        """A surface from ``fn(x, y)`` written with torch operations (float64 tensors, element by element),
        with autograd's gradient. ``window`` is required; ``name``, ``formula``, ``description``,
        ``start`` (default: three quarters of the way to the window's upper right corner) and ``minima``
        (points ``(x, y)``; the lowest is the global one) are optional. Needs the ``torch`` extra.

        >>> import torch  # doctest: +SKIP
        >>> bowl = Surface.from_torch(lambda x, y: x**2 + torch.sin(y), window=(-2, 2, -2, 2))  # doctest: +SKIP
        """
        from ..adapters.autodiff import torch_pair

        return _autodiff_surface("torch", torch_pair(fn), window, **details)

    @classmethod
    def from_jax(cls, fn: Callable, window: Window, **details: object) -> Surface:
        """:meth:`from_torch` for ``fn(x, y)`` written with ``jax.numpy`` (float64, gradient by
        ``jax.grad``). Needs the ``jax`` extra."""
        from ..adapters.autodiff import jax_pair

        return _autodiff_surface("jax", jax_pair(fn), window, **details)


def _autodiff_surface(library: str, pair: tuple[ValueFn, GradientFn], window: Window, name: str = "",
                      formula: str = "", description: str = "", start: tuple[float, float] | None = None,
                      minima: tuple[tuple[float, float], ...] | list = ()) -> Surface:
    """A :class:`Surface` from an autodiff ``(value, gradient)`` pair; :class:`FormulaError` (one line)
    for a window that is not four increasing numbers, or a function without a finite value in it."""
    from ..errors import FormulaError

    try:
        x0, x1, y0, y1 = (float(v) for v in window)
    except (TypeError, ValueError):
        raise FormulaError(f"Surface.from_{library}: window must be (x0, x1, y0, y1), got {window!r}") from None
    if not (x0 < x1 and y0 < y1 and all(math.isfinite(v) for v in (x0, x1, y0, y1))):
        raise FormulaError(f"Surface.from_{library}: window must have x0 < x1 and y0 < y1, got {window!r}")
    value, gradient = pair
    probe_x, probe_y = np.meshgrid(np.linspace(x0, x1, 101), np.linspace(y0, y1, 101))
    try:
        values = np.ma.masked_invalid(value(probe_x, probe_y))
        gradient(probe_x[::25, ::25], probe_y[::25, ::25])
    except Exception as error:
        text = str(error).strip().splitlines()
        raise FormulaError(f"Surface.from_{library}: the function raised {type(error).__name__}: "
                           f"{text[0] if text else ''}") from None
    if np.ma.count(values) == 0:
        raise FormulaError(f"Surface.from_{library}: the function has no finite value in the window")
    points = [(float(x), float(y)) for x, y in minima]
    heights = [float(value(np.array(x), np.array(y))) for x, y in points]
    lowest = min(heights, default=0.0)
    critical = tuple(CriticalPoint(x, y, h, "global" if h == lowest else "local")
                     for (x, y), h in zip(points, heights, strict=True))
    name = name or f"{library}_surface"
    return Surface(name, formula or name, description or f"a surface written for {library}", value, gradient,
                   window=(x0, x1, y0, y1),
                   start=tuple(start) if start is not None else (x0 + 0.75 * (x1 - x0), y0 + 0.75 * (y1 - y0)),
                   critical_points=critical, scale=choose_scale(values))


def choose_scale(values: Array) -> Literal["log", "linear"]:
    """``"log"`` when most of the range of ``values`` lies in a thin top layer (steep walls around flat
    valleys), so that log-spaced contour levels show the valley; ``"linear"`` otherwise."""
    finite = np.ma.compressed(np.ma.masked_invalid(values))
    if finite.size == 0:
        return "linear"
    low, median, high = np.min(finite), np.median(finite), np.percentile(finite, 99)
    return "log" if high - low > 50 * max(median - low, 1e-300) else "linear"


# --- classic test functions -----------------------------------------------------------------------


def sphere() -> Surface:
    r""":math:`f = x^2 + y^2`; :math:`\nabla f = (2x, 2y)`."""
    return Surface(
        "sphere", "x² + y²", "isotropic bowl, the sanity baseline",
        lambda x, y: x * x + y * y, lambda x, y: (2 * x, 2 * y),
        window=(-2, 2, -2, 2), start=(-1.5, 1.0), critical_points=(CriticalPoint(0, 0, 0),),
    )


def rosenbrock() -> Surface:
    r""":math:`f = (1-x)^2 + 100 (y - x^2)^2`.

    :math:`\partial_x f = -2(1-x) - 400 x (y - x^2)`, :math:`\partial_y f = 200 (y - x^2)`.
    """
    return Surface(
        "rosenbrock", "(1−x)² + 100(y−x²)²", "curved narrow valley; the minimum is easy to reach, hard to finish",
        lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
        lambda x, y: (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)),
        window=(-2, 2, -1, 3), start=(-1.5, 2.0), critical_points=(CriticalPoint(1, 1, 0),), scale="log",
    )


def _beale_terms(x: Array, y: Array) -> tuple[Array, Array, Array]:
    return 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3


def _beale_gradient(x: Array, y: Array) -> tuple[Array, Array]:
    t1, t2, t3 = _beale_terms(x, y)
    gx = 2 * t1 * (y - 1) + 2 * t2 * (y**2 - 1) + 2 * t3 * (y**3 - 1)
    gy = 2 * t1 * x + 4 * t2 * x * y + 6 * t3 * x * y**2
    return gx, gy


def beale() -> Surface:
    r""":math:`f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2`.

    With :math:`t_k = c_k - x + x y^k`: :math:`\partial_x f = \sum 2 t_k (y^k - 1)`,
    :math:`\partial_y f = \sum 2 t_k\, k x y^{k-1}`.
    """
    return Surface(
        "beale", "(1.5−x+xy)² + (2.25−x+xy²)² + (2.625−x+xy³)²", "flat plateaus and sharp ridges",
        lambda x, y: sum(t**2 for t in _beale_terms(x, y)), _beale_gradient,
        window=(-4.5, 4.5, -4.5, 4.5), start=(2.0, 1.7), critical_points=(CriticalPoint(3, 0.5, 0),), scale="log",
    )


def booth() -> Surface:
    r""":math:`f = (x + 2y - 7)^2 + (2x + y - 5)^2`; :math:`\nabla f = (2a + 4b, 4a + 2b)` with
    :math:`a = x + 2y - 7`, :math:`b = 2x + y - 5`."""

    def gradient(x: Array, y: Array) -> tuple[Array, Array]:
        a, b = x + 2 * y - 7, 2 * x + y - 5
        return 2 * a + 4 * b, 4 * a + 2 * b

    return Surface(
        "booth", "(x+2y−7)² + (2x+y−5)²", "convex quadratic, condition number 9",
        lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2, gradient,
        window=(-10, 10, -10, 10), start=(-7.0, -8.0), critical_points=(CriticalPoint(1, 3, 0),),
    )


def matyas() -> Surface:
    r""":math:`f = 0.26 (x^2 + y^2) - 0.48 xy`; :math:`\nabla f = (0.52x - 0.48y, 0.52y - 0.48x)`."""
    return Surface(
        "matyas", "0.26(x²+y²) − 0.48xy", "long diagonal valley, condition number 25",
        lambda x, y: 0.26 * (x * x + y * y) - 0.48 * x * y,
        lambda x, y: (0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x),
        window=(-10, 10, -10, 10), start=(-8.0, 2.0), critical_points=(CriticalPoint(0, 0, 0),),
    )


def himmelblau() -> Surface:
    r""":math:`f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2`.

    With :math:`a = x^2 + y - 11`, :math:`b = x + y^2 - 7`: :math:`\nabla f = (4xa + 2b, 2a + 4yb)`.
    """

    def gradient(x: Array, y: Array) -> tuple[Array, Array]:
        a, b = x * x + y - 11, x + y * y - 7
        return 4 * x * a + 2 * b, 2 * a + 4 * y * b

    minima = (
        CriticalPoint(3.0, 2.0, 0),
        CriticalPoint(-2.805118086952745, 3.131312518250573, 0),
        CriticalPoint(-3.779310253377747, -3.2831859912861696, 0),
        CriticalPoint(3.5844283403304917, -1.8481265269644036, 0),
    )
    return Surface(
        "himmelblau", "(x²+y−11)² + (x+y²−7)²", "four equal minima: which basin does each optimizer pick?",
        lambda x, y: (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2, gradient,
        window=(-5, 5, -5, 5), start=(-0.25, -0.85), critical_points=minima,
    )


def rastrigin() -> Surface:
    r""":math:`f = 20 + \sum_{v \in \{x, y\}} [v^2 - 10\cos(2\pi v)]`; :math:`\partial_v f = 2v + 20\pi\sin(2\pi v)`."""
    return Surface(
        "rastrigin", "20 + Σ [v² − 10 cos(2πv)]", "a grid of local minima",
        lambda x, y: 20 + x * x - 10 * np.cos(2 * PI * x) + y * y - 10 * np.cos(2 * PI * y),
        lambda x, y: (2 * x + 20 * PI * np.sin(2 * PI * x), 2 * y + 20 * PI * np.sin(2 * PI * y)),
        window=(-4.5, 4.5, -4.5, 4.5), start=(-2.0, 3.5), critical_points=(CriticalPoint(0, 0, 0),),
    )


def _ackley_gradient(x: Array, y: Array) -> tuple[Array, Array]:
    r = np.sqrt(0.5 * (x * x + y * y))
    safe_r = np.where(r > 0, r, 1.0)
    radial = np.where(r > 0, 2 * np.exp(-0.2 * r) / safe_r, 0.0)
    ripple = PI * np.exp(0.5 * (np.cos(2 * PI * x) + np.cos(2 * PI * y)))
    return radial * x + ripple * np.sin(2 * PI * x), radial * y + ripple * np.sin(2 * PI * y)


def ackley() -> Surface:
    r""":math:`f = -20 e^{-0.2 r} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20`, :math:`r = \sqrt{(x^2+y^2)/2}`.

    :math:`\partial_x f = 2x e^{-0.2 r}/r + \pi \sin(2\pi x)\, e^{(\cos 2\pi x + \cos 2\pi y)/2}`; the first
    term has no limit at the origin, where we return the subgradient 0.
    """
    return Surface(
        "ackley", "−20 exp(−0.2√(½(x²+y²))) − exp(½(cos 2πx + cos 2πy)) + e + 20",
        "nearly flat outside, deep centre; not differentiable at the origin",
        lambda x, y: -20 * np.exp(-0.2 * np.sqrt(0.5 * (x * x + y * y)))
        - np.exp(0.5 * (np.cos(2 * PI * x) + np.cos(2 * PI * y))) + math.e + 20,
        _ackley_gradient,
        window=(-5, 5, -5, 5), start=(-4.0, 3.5), critical_points=(CriticalPoint(0, 0, 0),),
    )


def _goldstein_price_parts(x: Array, y: Array) -> tuple[Array, Array, Array, Array]:
    s, d = x + y + 1, 2 * x - 3 * y
    p = 19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y
    q = 18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y
    return s, d, p, q


def _goldstein_price_value(x: Array, y: Array) -> Array:
    s, d, p, q = _goldstein_price_parts(x, y)
    return (1 + s * s * p) * (30 + d * d * q)


def _goldstein_price_gradient(x: Array, y: Array) -> tuple[Array, Array]:
    s, d, p, q = _goldstein_price_parts(x, y)
    a, b = 1 + s * s * p, 30 + d * d * q
    da = 2 * s * p + s * s * (-14 + 6 * x + 6 * y)  # the same for x and y
    db_dx = 4 * d * q + d * d * (-32 + 24 * x - 36 * y)
    db_dy = -6 * d * q + d * d * (48 - 36 * x + 54 * y)
    return da * b + a * db_dx, da * b + a * db_dy


def goldstein_price() -> Surface:
    r""":math:`f = [1 + (x+y+1)^2 P][30 + (2x-3y)^2 Q]` with
    :math:`P = 19 - 14x + 3x^2 - 14y + 6xy + 3y^2`, :math:`Q = 18 - 32x + 12x^2 + 48y - 36xy + 27y^2`;
    the gradient by the product rule (:math:`\partial_x P = \partial_y P = -14 + 6x + 6y`)."""
    minima = (
        CriticalPoint(0, -1, 3),
        CriticalPoint(-0.6, -0.4, 30, "local"),
        CriticalPoint(1.8, 0.2, 84, "local"),
        CriticalPoint(1.2, 0.8, 840, "local"),
    )
    return Surface(
        "goldstein_price", "[1+(x+y+1)²(19−14x+3x²−14y+6xy+3y²)]·[30+(2x−3y)²(18−32x+12x²+48y−36xy+27y²)]",
        "a range of 10⁶ with local minima 30, 84 and 840",
        _goldstein_price_value, _goldstein_price_gradient,
        window=(-2, 2, -2, 2), start=(-1.0, 1.0), critical_points=minima, scale="log",
    )


def styblinski_tang() -> Surface:
    r""":math:`f = \tfrac12 \sum_{v} (v^4 - 16v^2 + 5v)`; :math:`\partial_v f = \tfrac12 (4v^3 - 32v + 5)`."""
    v_star = -2.903534027771178
    per_dim = 0.5 * (v_star**4 - 16 * v_star**2 + 5 * v_star)
    return Surface(
        "styblinski_tang", "½ Σ (v⁴ − 16v² + 5v)", "four basins, one of them deepest",
        lambda x, y: 0.5 * (x**4 - 16 * x * x + 5 * x + y**4 - 16 * y * y + 5 * y),
        lambda x, y: (0.5 * (4 * x**3 - 32 * x + 5), 0.5 * (4 * y**3 - 32 * y + 5)),
        window=(-5, 5, -5, 5), start=(4.0, 4.5), critical_points=(CriticalPoint(v_star, v_star, 2 * per_dim),),
    )


def six_hump_camel() -> Surface:
    r""":math:`f = (4 - 2.1x^2 + x^4/3) x^2 + xy + (-4 + 4y^2) y^2`;
    :math:`\nabla f = (8x - 8.4x^3 + 2x^5 + y,\ x - 8y + 16y^3)`."""
    x_star, y_star, value = 0.08984201310031807, -0.7126564030207396, -1.0316284534898774
    return Surface(
        "six_hump_camel", "(4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²", "six local minima, two global",
        lambda x, y: (4 - 2.1 * x * x + x**4 / 3) * x * x + x * y + (-4 + 4 * y * y) * y * y,
        lambda x, y: (8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3),
        window=(-2, 2, -1, 1), start=(-1.5, 0.8),
        critical_points=(CriticalPoint(x_star, y_star, value), CriticalPoint(-x_star, -y_star, value)),
    )


def three_hump_camel() -> Surface:
    r""":math:`f = 2x^2 - 1.05x^4 + x^6/6 + xy + y^2`; :math:`\nabla f = (4x - 4.2x^3 + x^5 + y,\ x + 2y)`."""
    return Surface(
        "three_hump_camel", "2x² − 1.05x⁴ + x⁶/6 + xy + y²", "three local minima",
        lambda x, y: 2 * x * x - 1.05 * x**4 + x**6 / 6 + x * y + y * y,
        lambda x, y: (4 * x - 4.2 * x**3 + x**5 + y, x + 2 * y),
        window=(-2, 2, -2, 2), start=(-1.8, 1.8), critical_points=(CriticalPoint(0, 0, 0),),
    )


def _easom_gradient(x: Array, y: Array) -> tuple[Array, Array]:
    well = np.exp(-((x - PI) ** 2 + (y - PI) ** 2))
    gx = well * np.cos(y) * (np.sin(x) + 2 * (x - PI) * np.cos(x))
    gy = well * np.cos(x) * (np.sin(y) + 2 * (y - PI) * np.cos(y))
    return gx, gy


def easom() -> Surface:
    r""":math:`f = -\cos x \cos y\, e^{-((x-\pi)^2 + (y-\pi)^2)}`; with :math:`E` the exponential,
    :math:`\partial_x f = E \cos y\, (\sin x + 2(x-\pi)\cos x)` and symmetrically in :math:`y`."""
    return Surface(
        "easom", "−cos x · cos y · exp(−((x−π)² + (y−π)²))", "a huge plateau with a tiny well: vanishing gradients",
        lambda x, y: -np.cos(x) * np.cos(y) * np.exp(-((x - PI) ** 2 + (y - PI) ** 2)), _easom_gradient,
        window=(0, 6, 0, 6), start=(1.5, 1.5), critical_points=(CriticalPoint(PI, PI, -1),),
    )


def mccormick() -> Surface:
    r""":math:`f = \sin(x+y) + (x-y)^2 - 1.5x + 2.5y + 1`;
    :math:`\nabla f = (\cos(x+y) + 2(x-y) - 1.5,\ \cos(x+y) - 2(x-y) + 2.5)`."""
    x_star = -PI / 3 + 0.5
    return Surface(
        "mccormick", "sin(x+y) + (x−y)² − 1.5x + 2.5y + 1", "smooth and asymmetric",
        lambda x, y: np.sin(x + y) + (x - y) ** 2 - 1.5 * x + 2.5 * y + 1,
        lambda x, y: (np.cos(x + y) + 2 * (x - y) - 1.5, np.cos(x + y) - 2 * (x - y) + 2.5),
        window=(-1.5, 4, -3, 4), start=(3.0, 3.0),
        critical_points=(CriticalPoint(x_star, x_star - 1, -math.sqrt(3) / 2 - PI / 3),),
    )


def _levi_gradient(x: Array, y: Array) -> tuple[Array, Array]:
    gx = 3 * PI * np.sin(6 * PI * x) + 2 * (x - 1) * (1 + np.sin(3 * PI * y) ** 2)
    gy = (
        3 * PI * (x - 1) ** 2 * np.sin(6 * PI * y)
        + 2 * (y - 1) * (1 + np.sin(2 * PI * y) ** 2)
        + 2 * PI * (y - 1) ** 2 * np.sin(4 * PI * y)
    )
    return gx, gy


def levi_n13() -> Surface:
    r""":math:`f = \sin^2(3\pi x) + (x-1)^2 (1 + \sin^2(3\pi y)) + (y-1)^2 (1 + \sin^2(2\pi y))`;
    the gradient uses :math:`\tfrac{d}{du}\sin^2(ku) = k \sin(2ku)`."""
    return Surface(
        "levi_n13", "sin²(3πx) + (x−1)²(1+sin²(3πy)) + (y−1)²(1+sin²(2πy))", "ripples around a bowl",
        lambda x, y: np.sin(3 * PI * x) ** 2 + (x - 1) ** 2 * (1 + np.sin(3 * PI * y) ** 2)
        + (y - 1) ** 2 * (1 + np.sin(2 * PI * y) ** 2),
        _levi_gradient,
        window=(-5, 7, -5, 7), start=(-4.0, 5.0), critical_points=(CriticalPoint(1, 1, 0),),
    )


_BRANIN_B, _BRANIN_C, _BRANIN_T = 5.1 / (4 * PI * PI), 5 / PI, 1 / (8 * PI)


def branin() -> Surface:
    r""":math:`f = (y - b x^2 + c x - 6)^2 + 10 (1 - t) \cos x + 10` with :math:`b = 5.1/(4\pi^2)`,
    :math:`c = 5/\pi`, :math:`t = 1/(8\pi)`; with :math:`u` the bracket,
    :math:`\nabla f = (2u(c - 2bx) - 10(1-t)\sin x,\ 2u)`."""

    def value(x: Array, y: Array) -> Array:
        return (y - _BRANIN_B * x * x + _BRANIN_C * x - 6) ** 2 + 10 * (1 - _BRANIN_T) * np.cos(x) + 10

    def gradient(x: Array, y: Array) -> tuple[Array, Array]:
        u = y - _BRANIN_B * x * x + _BRANIN_C * x - 6
        return 2 * u * (_BRANIN_C - 2 * _BRANIN_B * x) - 10 * (1 - _BRANIN_T) * np.sin(x), 2 * u

    best = 10 * (1 - _BRANIN_T) * -1 + 10  # u = 0 and cos x = -1
    minima = (CriticalPoint(-PI, 12.275, best), CriticalPoint(PI, 2.275, best), CriticalPoint(3 * PI, 2.475, best))
    return Surface(
        "branin", "(y − 5.1x²/(4π²) + 5x/π − 6)² + 10(1 − 1/(8π)) cos x + 10", "three equal minima",
        value, gradient, window=(-5, 10, 0, 15), start=(1.0, 14.0), critical_points=minima,
    )


# --- lesson surfaces -------------------------------------------------------------------------------


def saddle() -> Surface:
    r""":math:`f = x^2 - y^2`; :math:`\nabla f = (2x, -2y)`. Unbounded below."""
    return Surface(
        "saddle", "x² − y²", "a saddle: a tiny offset in y must grow for an optimizer to escape",
        lambda x, y: x * x - y * y, lambda x, y: (2 * x, -2 * y),
        window=(-2, 2, -2, 2), start=(1.0, -0.001), critical_points=(CriticalPoint(0, 0, 0, "saddle"),),
    )


def monkey_saddle() -> Surface:
    r""":math:`f = x^3 - 3xy^2`; :math:`\nabla f = (3x^2 - 3y^2, -6xy)`. Unbounded below."""
    return Surface(
        "monkey_saddle", "x³ − 3xy²", "a degenerate saddle (zero gradient and Hessian): GD creeps",
        lambda x, y: x**3 - 3 * x * y * y, lambda x, y: (3 * x * x - 3 * y * y, -6 * x * y),
        window=(-1, 1, -1, 1), start=(1.0, 0.0), critical_points=(CriticalPoint(0, 0, 0, "saddle"),),
    )


def _peaks_value(x: Array, y: Array) -> Array:
    return (
        3 * (1 - x) ** 2 * np.exp(-(x**2) - (y + 1) ** 2)
        - 10 * (x / 5 - x**3 - y**5) * np.exp(-(x**2) - y**2)
        - np.exp(-((x + 1) ** 2) - y**2) / 3
    )


def _peaks_gradient(x: Array, y: Array) -> tuple[Array, Array]:
    e1 = np.exp(-(x**2) - (y + 1) ** 2)
    e2 = np.exp(-(x**2) - y**2)
    e3 = np.exp(-((x + 1) ** 2) - y**2)
    inner = x / 5 - x**3 - y**5
    gx = (
        3 * e1 * (-2 * (1 - x) - 2 * x * (1 - x) ** 2)
        - 10 * e2 * ((0.2 - 3 * x**2) - 2 * x * inner)
        + (2 / 3) * (x + 1) * e3
    )
    gy = -6 * (1 - x) ** 2 * (y + 1) * e1 - 10 * e2 * (-5 * y**4 - 2 * y * inner) + (2 / 3) * y * e3
    return gx, gy


def peaks() -> Surface:
    r"""MATLAB's ``peaks``: :math:`f = 3(1-x)^2 e^{-x^2-(y+1)^2} - 10(x/5 - x^3 - y^5) e^{-x^2-y^2}
    - \tfrac13 e^{-(x+1)^2-y^2}`, differentiated term by term."""
    points = (
        CriticalPoint(0.22827892055636909, -1.6255349574999967, -6.551133332835834),
        CriticalPoint(-1.3473962443682108, 0.20451886609700518, -3.04984940280026, "local"),
        CriticalPoint(0.2964455538468321, 0.3201962476668344, -0.06493586825552683, "local"),
    )
    return Surface(
        "peaks", "3(1−x)² e^(−x²−(y+1)²) − 10(x/5 − x³ − y⁵) e^(−x²−y²) − ⅓ e^(−(x+1)²−y²)",
        "MATLAB's demo surface: peaks, pits and a saddle (the article's figures 1 and 2)",
        _peaks_value, _peaks_gradient, window=(-4, 4, -4, 4), start=(-0.5, -1.0), critical_points=points,
    )


def ravine(kappa: float = 50.0, angle_degrees: float = 0.0, name: str = "ravine") -> Surface:
    r""":math:`f = \tfrac12 (u^2 + \kappa w^2)` in coordinates rotated by :math:`\varphi`:
    :math:`u = x\cos\varphi + y\sin\varphi`, :math:`w = -x\sin\varphi + y\cos\varphi`;
    :math:`\nabla f = (u\cos\varphi - \kappa w \sin\varphi,\ u \sin\varphi + \kappa w\cos\varphi)`.

    ``kappa`` is the condition number: plain GD is stable only for a learning rate below :math:`2/\kappa`.
    """
    c, s = portable.cos(math.radians(angle_degrees)), portable.sin(math.radians(angle_degrees))  # the same everywhere

    def value(x: Array, y: Array) -> Array:
        u, w = x * c + y * s, -x * s + y * c
        return 0.5 * (u * u + kappa * w * w)

    def gradient(x: Array, y: Array) -> tuple[Array, Array]:
        u, w = x * c + y * s, -x * s + y * c
        return u * c - kappa * w * s, u * s + kappa * w * c

    turned = f", turned {angle_degrees:g}°" if angle_degrees else ""
    formula = f"½(u² + {kappa:g}w²), (u, w) = (x, y) turned {angle_degrees:g}°" if angle_degrees else (
        f"½(x² + {kappa:g}y²)")
    return Surface(
        name, formula,
        f"an elongated valley (condition number {kappa:g}{turned}): GD zig-zags, momentum runs along it",
        value, gradient, window=(-8, 8, -4, 4), start=(6.0, 3.0), critical_points=(CriticalPoint(0, 0, 0),),
    )


def two_wells() -> Surface:
    r""":math:`f = x^2 + y^2 - 2 e^{-((x-1)^2 + y^2)/0.2} - 3 e^{-((x+1)^2 + y^2)/0.2}`;
    :math:`\partial_x f = 2x + 20(x-1) E_1 + 30(x+1) E_2`, :math:`\partial_y f = 2y + 20y E_1 + 30y E_2`."""

    def wells(x: Array, y: Array) -> tuple[Array, Array]:
        return np.exp(-((x - 1) ** 2 + y * y) / 0.2), np.exp(-((x + 1) ** 2 + y * y) / 0.2)

    def value(x: Array, y: Array) -> Array:
        e1, e2 = wells(x, y)
        return x * x + y * y - 2 * e1 - 3 * e2

    def gradient(x: Array, y: Array) -> tuple[Array, Array]:
        e1, e2 = wells(x, y)
        return 2 * x + 20 * (x - 1) * e1 + 30 * (x + 1) * e2, 2 * y + 20 * y * e1 + 30 * y * e2

    points = (
        CriticalPoint(-0.9363006340109187, 0.0, -2.0630902517681946),
        CriticalPoint(0.905317899160115, 0.0, -1.0927319992017408, "local"),
    )
    return Surface(
        "two_wells", "x² + y² − 2e^(−((x−1)²+y²)/0.2) − 3e^(−((x+1)²+y²)/0.2)",
        "two wells in a bowl: which one does each optimizer find?",
        value, gradient, window=(-2, 2, -2, 2), start=(0.2, 1.6), critical_points=points,
    )


def plateau() -> Surface:
    r""":math:`f = 1 - e^{-(x^2 + y^2)/2}`; :math:`\nabla f = (x, y)\, e^{-(x^2+y^2)/2}`.

    A bowl whose gradient vanishes exponentially away from the centre: plain GD crawls across the
    plateau, methods that normalise the step (Adam, RMSProp) or build up speed (momentum) cross it.
    """

    def gradient(x: Array, y: Array) -> tuple[Array, Array]:
        e = np.exp(-(x * x + y * y) / 2)
        return x * e, y * e

    return Surface(
        "plateau", "1 − exp(−(x² + y²)/2)", "a wide plateau with vanishing gradients around one bowl",
        lambda x, y: 1 - np.exp(-(x * x + y * y) / 2), gradient,
        window=(-4, 4, -4, 4), start=(-3.0, 2.5), critical_points=(CriticalPoint(0, 0, 0),),
    )


_CLIFF_BOWL, _CLIFF_WIDTH, _CLIFF_HEIGHT, _CLIFF_STEEPNESS, _CLIFF_EDGE = 2.0, 2.0, 10.0, 8.0, 2.5


def cliff() -> Surface:
    r"""A gentle bowl below a steep, smooth cliff (Goodfellow et al., *Deep Learning*, §10.11.1):

    .. math::

        f = a \log\left(1 + \frac{x^2 + y^2}{s^2}\right) + \frac{h}{2}\left(1 + \tanh k(x - c)\right),
        \qquad a = 2,\ s = 2,\ h = 10,\ k = 8,\ c = 2.5;

    with :math:`d = s^2 + x^2 + y^2` and :math:`t = \tanh k(x - c)`,
    :math:`\nabla f = \left(2ax/d + \tfrac{hk}{2}(1 - t^2),\ 2ay/d\right)`.

    Right of :math:`x = c` the ground is a plateau 10 higher; the cliff between is a quarter unit wide
    and its slope reaches :math:`hk/2 = 40`, forty times the bowl's steepest (:math:`a/s = 1`, at
    :math:`r = s`): a gradient step that lands on the cliff face can be forty times longer than any
    other, and the bowl's slope decays like :math:`2a/r` far away, so a catapulted point crawls back. The
    cliff's tail adds less than :math:`10^{-16}` at the origin: the minimum is (0, 0) to double
    precision.
    """
    a, s, h, k, c = _CLIFF_BOWL, _CLIFF_WIDTH, _CLIFF_HEIGHT, _CLIFF_STEEPNESS, _CLIFF_EDGE

    def value(x: Array, y: Array) -> Array:
        return a * np.log1p((x * x + y * y) / (s * s)) + 0.5 * h * (1 + np.tanh(k * (x - c)))

    def gradient(x: Array, y: Array) -> tuple[Array, Array]:
        t = np.tanh(k * (x - c))
        d = s * s + x * x + y * y
        return 2 * a * x / d + 0.5 * h * k * (1 - t * t), 2 * a * y / d

    return Surface(
        "cliff", "2 log(1 + (x² + y²)/4) + 5(1 + tanh 8(x − 2.5))",
        "a bowl below a steep cliff: a step on the cliff face catapults GD; clipping keeps it bounded",
        value, gradient, window=(-8, 8, -6, 6), start=(5.0, 3.0), critical_points=(CriticalPoint(0, 0, 0),),
    )
