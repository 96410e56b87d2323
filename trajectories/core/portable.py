r"""Portable arithmetic: the same bits on every CPU, numpy SIMD level and platform.

numpy computes ``exp``, ``log``, ``sin``, ``cos``, ``power``... with code chosen at run time for the CPU
(AVX-512, AVX2 or baseline loops, or the platform's libm), and those return different last bits. A
chaotic path (see :mod:`trajectories.compute.horizon`) amplifies such a difference into a different picture.
Portable arithmetic removes the dependence where it arises:

- IEEE 754 defines ``+ − × ÷`` and ``√`` as correctly rounded, so numpy's loops for them give the
  same bits on every CPU; they are used as they are (:data:`EXACT`).
- Every transcendental function (:data:`CORRECTLY_ROUNDED`) is computed in pure-integer arithmetic by
  ``mpmath`` at :data:`PRECISION` bits and rounded once to the nearest double, so the result is the
  correctly rounded value :math:`\operatorname{RN}(f(x))`. Correct rounding is a specification, not an
  algorithm: the same double on every machine (and what MPFR or CORE-MATH return).
- Anything else raises :class:`PortableArithmeticError` instead of silently falling back to numpy.

The mechanism is :class:`PortableArray`, an ``ndarray`` whose ufuncs are routed as above, so the code
of a surface (``np.exp(-x**2)``) runs unchanged; :func:`portable_surface` wraps a surface's functions.
It costs about 6 µs per transcendental call instead of a few nanoseconds: it is meant for the few paths
that need it, not for contour grids.

>>> import numpy as np
>>> float(exp(1.0)) == 2.718281828459045
True
>>> float(np.exp(wrap(np.array(0.5)))) == float(exp(0.5))
True
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import numpy as np

from ..errors import PortableArithmeticError

Array = np.ndarray

#: The arithmetics a path can be computed in: numpy's own (fast), or portable (the same everywhere).
ARITHMETICS = ("numpy", "portable")

#: Working precision in bits. Every double input to exp, log, sin and cos whose correct rounding is hard
#: needs fewer than 130 bits (Lefèvre and Muller's worst cases), so one rounding from 192 bits is correct.
PRECISION = 192
_NEAREST = "n"  # mpmath's round_nearest
_SMALLEST_EXPONENT = -1074  # 2**-1074 is the smallest positive (subnormal) double

#: ufuncs whose numpy loops are exact or correctly rounded by IEEE 754, hence CPU-independent.
EXACT = frozenset({
    "add", "subtract", "multiply", "divide", "true_divide", "negative", "positive", "absolute", "fabs",
    "sqrt", "square", "reciprocal", "sign", "maximum", "minimum", "fmax", "fmin", "floor", "ceil", "trunc",
    "rint", "copysign", "heaviside", "conjugate", "fmod", "remainder", "floor_divide", "ldexp",
    "isfinite", "isnan", "isinf", "signbit", "greater", "greater_equal", "less", "less_equal", "equal",
    "not_equal", "logical_and", "logical_or", "logical_not", "logical_xor", "clip",
})  # fmt: skip


def _mp() -> Any:
    """``mpmath.libmp``, imported when portable arithmetic first runs (importing this module never does)."""
    from mpmath import libmp

    return libmp


def _to_double(value: tuple) -> float:
    """The double nearest to the mpf ``value`` (ties to even), subnormals and overflow included."""
    libmp = _mp()
    sign, mantissa, exponent, bits = value
    if not mantissa:
        return libmp.to_float(value)  # zero, infinities, NaN
    top = exponent + bits  # |value| < 2**top
    keep = min(53, top - _SMALLEST_EXPONENT)
    if keep <= 0:
        # below the smallest subnormal: 2**-1074 when more than half of it, else zero (ties to even: 0)
        half = (keep == 0) and (mantissa != 1 << (bits - 1))
        return math.copysign(math.ldexp(1.0, _SMALLEST_EXPONENT) if half else 0.0, -1.0 if sign else 1.0)
    sign, mantissa, exponent, bits = libmp.normalize1(sign, mantissa, exponent, bits, keep, _NEAREST)
    try:
        result = math.ldexp(mantissa, exponent)
    except OverflowError:
        result = math.inf
    return -result if sign else result


def _unary(function: Callable[..., tuple] | str) -> Callable[[float], float]:
    """``function`` (or mpmath's ``libmp.<function>``, named) of a double, correctly rounded."""
    def evaluate(x: float) -> float:
        libmp = _mp()
        mpf = getattr(libmp, function) if isinstance(function, str) else function
        try:
            return _to_double(mpf(libmp.from_float(x), PRECISION, _NEAREST))
        except (libmp.ComplexResult, ValueError, ZeroDivisionError):
            return math.nan  # outside the real domain, as numpy answers

    return evaluate


def _log_base(base: float) -> Callable[[tuple, int, str], tuple]:
    def log(x: tuple, prec: int, rnd: str) -> tuple:
        libmp = _mp()
        extra = prec + 20
        return libmp.mpf_div(libmp.mpf_log(x, extra), libmp.mpf_log(libmp.from_float(base), extra), prec, rnd)

    return log


def _expm1(x: tuple, prec: int, rnd: str) -> tuple:
    # exp(x) - 1 loses the bits of a small x: work with enough extra bits to keep ``prec`` of them
    libmp = _mp()
    extra = prec + max(0, -(x[2] + x[3])) + 10
    return libmp.mpf_sub(libmp.mpf_exp(x, extra), libmp.fone, prec, rnd)


def _log1p(x: tuple, prec: int, rnd: str) -> tuple:
    libmp = _mp()
    return libmp.mpf_log(libmp.mpf_add(x, libmp.fone, None), prec, rnd)  # 1 + x exactly (prec None)


def _exp2(x: tuple, prec: int, rnd: str) -> tuple:
    libmp = _mp()
    return libmp.mpf_pow(libmp.from_int(2), x, prec, rnd)


def _cbrt(x: tuple, prec: int, rnd: str) -> tuple:
    libmp = _mp()
    return libmp.mpf_neg(libmp.mpf_cbrt(libmp.mpf_neg(x), prec, rnd)) if x[0] else libmp.mpf_cbrt(x, prec, rnd)


# mpmath's own functions by name (``libmp.mpf_exp``...), looked up when first evaluated
_UNARY_FUNCTIONS: dict[str, Callable[[tuple, int, str], tuple] | str] = {
    "exp": "mpf_exp", "expm1": _expm1, "exp2": _exp2,
    "log": "mpf_log", "log2": _log_base(2.0), "log10": _log_base(10.0), "log1p": _log1p,
    "sin": "mpf_sin", "cos": "mpf_cos", "tan": "mpf_tan",
    "arcsin": "mpf_asin", "arccos": "mpf_acos", "arctan": "mpf_atan",
    "sinh": "mpf_sinh", "cosh": "mpf_cosh", "tanh": "mpf_tanh",
    "arcsinh": "mpf_asinh", "arccosh": "mpf_acosh", "arctanh": "mpf_atanh",
    "cbrt": _cbrt,
}  # fmt: skip
_SCALAR_UNARY = {name: _unary(function) for name, function in _UNARY_FUNCTIONS.items()}


def _power_scalar(x: float, y: float) -> float:
    """:math:`\\operatorname{RN}(x^y)` for finite, non-zero ``x`` and finite ``y``."""
    if y == 2.0:
        return x * x  # one IEEE multiplication is already correctly rounded
    libmp = _mp()
    base = libmp.from_float(x)
    if y.is_integer():
        return _to_double(libmp.mpf_pow_int(base, int(y), PRECISION, _NEAREST))
    if x < 0:
        return math.nan  # a negative base with a non-integer exponent, as numpy answers
    return _to_double(libmp.mpf_pow(base, libmp.from_float(y), PRECISION, _NEAREST))


def _arctan2_scalar(y: float, x: float) -> float:
    libmp = _mp()
    return _to_double(libmp.mpf_atan2(libmp.from_float(y), libmp.from_float(x), PRECISION, _NEAREST))


def _hypot_scalar(x: float, y: float) -> float:
    libmp = _mp()
    return _to_double(libmp.mpf_hypot(libmp.from_float(x), libmp.from_float(y), PRECISION, _NEAREST))


_SCALAR_BINARY: dict[str, Callable[[float, float], float]] = {
    "power": _power_scalar, "float_power": _power_scalar, "arctan2": _arctan2_scalar, "hypot": _hypot_scalar,
}

#: ufuncs computed correctly rounded, element by element, in pure-integer arithmetic.
CORRECTLY_ROUNDED = frozenset(_SCALAR_UNARY) | frozenset(_SCALAR_BINARY)


def _elementwise(function: Callable[..., float], ufunc: np.ufunc, *arrays: Any) -> Array:
    """``function`` on every element whose inputs are finite and non-zero; IEEE's exactly specified
    answers for infinities, NaN and zeros (signed) come from numpy's ``ufunc``."""
    inputs = np.broadcast_arrays(*(np.asarray(a, dtype=np.float64) for a in arrays))
    shape = inputs[0].shape
    flat = [a.reshape(-1) for a in inputs]
    with np.errstate(all="ignore"):
        result = np.array(ufunc(*flat), dtype=np.float64)
    regular = np.logical_and.reduce([np.isfinite(a) for a in flat])
    if ufunc.__name__ in ("arctan2", "hypot"):
        regular &= (flat[0] != 0) & (flat[1] != 0)
    else:
        regular &= flat[0] != 0  # f(±0) and 0**y are exact constants or ±0, whose sign mpmath would lose
    for i in np.flatnonzero(regular):
        result[i] = function(*(float(a[i]) for a in flat))
    return result.reshape(shape)


class PortableArray(np.ndarray):
    """A float array whose ufuncs are CPU-independent: exact ones from numpy, transcendental ones
    correctly rounded (see the module's docstring); any other ufunc raises
    :class:`PortableArithmeticError`. Results of ufuncs stay :class:`PortableArray`."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        name = ufunc.__name__
        if kwargs.get("out") is not None or kwargs.get("where", True) is not True:
            raise PortableArithmeticError(f"portable arithmetic does not support out= or where= (in {name})")
        kwargs.pop("out", None), kwargs.pop("where", None)
        arrays = [np.asarray(value) if isinstance(value, PortableArray) else value for value in inputs]
        if name in EXACT:
            if method == "reduce" and name in ("add", "multiply"):
                result = _sequential_reduce(ufunc, arrays[0], **kwargs)
            elif method in ("__call__", "reduce", "accumulate", "outer"):
                result = getattr(ufunc, method)(*arrays, **kwargs)
            else:
                raise PortableArithmeticError(f"portable arithmetic does not support numpy.{name}.{method}")
        elif name in CORRECTLY_ROUNDED and method == "__call__" and not kwargs:
            if name == "power" and np.ndim(arrays[1]) == 0 and float(arrays[1]) == 2.0:
                result = np.multiply(arrays[0], arrays[0])  # x**2, the commonest power, exact already
            else:
                function = _SCALAR_UNARY.get(name) or _SCALAR_BINARY[name]
                result = _elementwise(function, ufunc, *arrays)
        else:
            raise PortableArithmeticError(
                f"numpy.{name} has no portable form (portable arithmetic allows IEEE-exact operations and "
                f"{', '.join(sorted(CORRECTLY_ROUNDED))})"
            )
        return _wrap_result(result, type(self))

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        # selections and reshapes (np.where, np.stack...) keep the arithmetic of what they select from
        return _wrap_result(super().__array_function__(func, types, args, kwargs), type(self))


def _sequential_reduce(ufunc: np.ufunc, array: Array, axis: Any = 0, dtype: Any = None, keepdims: bool = False,
                       initial: Any = np._NoValue) -> Array:
    """``ufunc.reduce`` in a fixed left-to-right order (numpy's pairwise sums may be ordered differently
    by different SIMD loops)."""
    array = np.asarray(array, dtype=dtype)
    if axis is None:
        array, axis = array.reshape(-1), 0
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(sorted((a % array.ndim for a in axes), reverse=True))
    for a in axes:
        moved = np.moveaxis(array, a, 0)
        total = moved[0] if initial is np._NoValue else ufunc(initial, moved[0])
        if initial is np._NoValue and len(moved) == 0:
            raise PortableArithmeticError(f"numpy.{ufunc.__name__}.reduce of an empty axis needs initial=")
        for item in moved[1:]:
            total = ufunc(total, item)
        array = np.expand_dims(total, a) if keepdims else np.asarray(total)
    return array


def _wrap_result(result: Any, kind: type) -> Any:
    if isinstance(result, (tuple, list)):
        return type(result)(_wrap_result(r, kind) for r in result)
    if isinstance(result, (np.ndarray, np.generic)) and np.asarray(result).dtype.kind in "fc":
        return np.asarray(result).view(kind)
    return result


def wrap(values: Any) -> PortableArray:
    """``values`` as a float64 :class:`PortableArray` (no copy when it already is one)."""
    return np.asarray(values, dtype=np.float64).view(PortableArray)


def unwrap(values: Any) -> Array:
    """A plain float64 ``ndarray`` with the same values."""
    return np.asarray(values, dtype=np.float64).view(np.ndarray)


class Evaluable(Protocol):
    """What portable arithmetic reads of a surface (:class:`trajectories.surfaces.analytic.Surface` has it; declared
    here, below the surfaces, so that this module never imports them)."""

    value: Callable[..., Any]
    gradient: Callable[..., Any]
    window: tuple[float, float, float, float]
    start: tuple[float, float]


EvaluableT = TypeVar("EvaluableT", bound=Evaluable)


def portable_surface(surface: EvaluableT) -> EvaluableT:
    """``surface`` with its value and gradient evaluated in portable arithmetic.

    The surface's own code runs on :class:`PortableArray` inputs; the results are plain arrays.
    Raises :class:`PortableArithmeticError` (at the first evaluation) for code that uses an operation
    without a portable form.
    """
    if getattr(surface.value, "portable", False):
        return surface

    def value(x: Array, y: Array) -> Array:
        return unwrap(surface.value(wrap(x), wrap(y)))

    def gradient(x: Array, y: Array) -> tuple[Array, Array]:
        gx, gy = surface.gradient(wrap(x), wrap(y))
        return unwrap(gx), unwrap(gy)

    value.portable = gradient.portable = True  # type: ignore[attr-defined]
    return dataclasses.replace(surface, value=value, gradient=gradient)  # type: ignore[type-var]


class _NotExact(Exception):
    pass


class _ExactOnly(PortableArray):
    """Raises :class:`_NotExact` at the first ufunc that is not IEEE-exact in numpy."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        squares = ufunc.__name__ == "power" and np.ndim(inputs[1]) == 0 and float(np.asarray(inputs[1])) == 2.0
        if ufunc.__name__ not in EXACT and not squares:
            raise _NotExact(ufunc.__name__)
        return super().__array_ufunc__(ufunc, method, *inputs, **kwargs)


def exact_in_numpy(surface: Evaluable) -> bool:
    """Whether numpy evaluates ``surface`` with IEEE-exact operations only (``+ − × ÷ √``, ``x**2``...),
    so that its paths are the same on every CPU without portable arithmetic (Rosenbrock's are; a surface
    with ``exp`` or ``x**3`` is not). Checked by evaluating it at its start point and window corners."""
    if is_portable(surface):
        return True
    x0, x1, y0, y1 = surface.window
    xs = np.array([surface.start[0], x0, x1, x0, x1]).view(_ExactOnly)
    ys = np.array([surface.start[1], y0, y0, y1, y1]).view(_ExactOnly)
    try:
        with np.errstate(all="ignore"):
            surface.value(xs, ys)
            surface.gradient(xs, ys)
    except _NotExact:
        return False
    except PortableArithmeticError:
        return False
    return True


def is_portable(surface: Evaluable) -> bool:
    """Whether ``surface`` evaluates in portable arithmetic (made by :func:`portable_surface`)."""
    return bool(getattr(surface.value, "portable", False))


# --- scalars -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def power(x: float, y: float) -> float:
    r""":math:`\operatorname{RN}(x^y)`, the correctly rounded power of two floats (cached): what the
    optimizers use for bias corrections such as :math:`1 - \beta^t`, so that they too are the same
    everywhere (C libraries' ``pow`` differ in the last bit between platforms)."""
    x, y = float(x), float(y)
    if x == 0.0 or not (math.isfinite(x) and math.isfinite(y)):
        with np.errstate(all="ignore"):
            return float(np.power(x, y))
    return _power_scalar(x, y)


def _scalar(name: str, x: float) -> float:
    x = float(x)
    if math.isfinite(x):
        return _SCALAR_UNARY[name](x)
    with np.errstate(all="ignore"):
        return float(getattr(np, name)(x))  # IEEE specifies these exactly


def cos(x: float) -> float:
    """:math:`\\operatorname{RN}(\\cos x)` of a float."""
    return _scalar("cos", x)


def sin(x: float) -> float:
    """:math:`\\operatorname{RN}(\\sin x)` of a float."""
    return _scalar("sin", x)


def exp(x: float) -> float:
    """:math:`\\operatorname{RN}(e^x)` of a float."""
    return _scalar("exp", x)
