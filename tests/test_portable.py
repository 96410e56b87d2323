"""Portable arithmetic: correctly rounded functions, the PortableArray's allow-list, every surface."""

import decimal
import math

import mpmath
import numpy as np
import pytest

from trajectories.core import portable
from trajectories.core.portable import (
    CORRECTLY_ROUNDED,
    PortableArithmeticError,
    PortableArray,
    exact_in_numpy,
    is_portable,
    portable_surface,
    wrap,
)
from trajectories.surfaces.catalogue import SURFACE_NAMES, get_surface
from trajectories.surfaces.formula import FUNCTIONS, formula_surface

RNG = np.random.default_rng(20261201)


def _decimal_reference(function: str, x: float) -> float:
    """The correctly rounded double of exp(x) or ln(x), from Python's decimal module at 60 digits (an
    independent implementation; ``float(Decimal)`` rounds correctly)."""
    with decimal.localcontext(decimal.Context(prec=60)):
        return float(getattr(decimal.Decimal(x), function)())


@pytest.mark.parametrize("function, name, low, high", [("exp", "exp", -700, 700), ("ln", "log", 1e-300, 1e300)])
def test_exp_and_log_are_correctly_rounded(function, name, low, high):
    xs = RNG.uniform(low, high, 600) if name == "exp" else np.exp(RNG.uniform(math.log(low), math.log(high), 600))
    xs = np.concatenate([xs, RNG.uniform(-1, 1, 600) if name == "exp" else RNG.uniform(0.5, 2, 600)])
    ours = np.asarray(getattr(np, name)(wrap(xs)))
    expected = np.array([_decimal_reference(function, float(x)) for x in xs])
    assert np.array_equal(ours, expected)


def test_power_is_correctly_rounded():
    bases, exponents = RNG.uniform(0.01, 10, 500), RNG.uniform(-20, 20, 500)
    ours = np.asarray(np.power(wrap(bases), exponents))
    with decimal.localcontext(decimal.Context(prec=60)):
        expected = [float(decimal.Decimal(b) ** decimal.Decimal(e)) for b, e in zip(bases, exponents, strict=True)]
    assert np.array_equal(ours, expected)
    # integer exponents, negative bases, the optimizers' scalar powers (bias corrections)
    assert float(np.power(wrap(-2.0), 3)) == -8.0 and float(np.power(wrap(-1.5), 2)) == 2.25
    for beta, t in ((0.9, 10), (0.999, 1000)):  # the exact binary value of beta, to an integer power
        assert portable.power(beta, t) == float(decimal.Decimal(beta) ** t)


MPMATH_FUNCTIONS = {
    "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh", "arccosh": "acosh",
    "arctanh": "atanh", "log2": lambda x: mpmath.log(x, 2), "log1p": lambda x: mpmath.log(1 + x),
    "exp2": lambda x: mpmath.power(2, x), "cbrt": lambda x: mpmath.sign(x) * mpmath.cbrt(abs(x)),
}


@pytest.mark.parametrize("name", sorted(CORRECTLY_ROUNDED - {"power", "float_power", "arctan2", "hypot"}))
def test_every_function_is_correctly_rounded(name):
    """Against mpmath at 200 bits (an independent implementation; sympy's own dependency), not against numpy:
    numpy's SIMD functions are up to a few ulps off, and differently on each CPU (cbrt: 2 ulps with AVX2)."""
    domain = {"arccosh": (1, 50), "arctanh": (-0.99, 0.99), "arcsin": (-1, 1), "arccos": (-1, 1),
              "log": (1e-3, 1e3), "log2": (1e-3, 1e3), "log10": (1e-3, 1e3), "log1p": (-0.9, 100)}
    low, high = domain.get(name, (-20, 20))
    xs = RNG.uniform(low, high, 400)
    ours = np.asarray(getattr(np, name)(wrap(xs)))
    function = MPMATH_FUNCTIONS.get(name, name)
    function = getattr(mpmath, function) if isinstance(function, str) else function
    with mpmath.workprec(200):
        expected = np.array([float(function(mpmath.mpf(float(x)))) for x in xs])
    assert np.array_equal(ours, expected)
    libm = getattr(np, name)(xs)  # and numpy's own stay within a few ulps of them
    assert (np.abs(libm - expected) / np.spacing(np.abs(expected))).max() <= 4


def test_special_values_follow_ieee_as_numpy_does():
    with np.errstate(all="ignore"):
        cases = [
            (np.exp, [np.inf, -np.inf, np.nan, 710.0, -746.0, -745.0]),
            (np.log, [0.0, -1.0, np.inf, np.nan, 5e-324]),
            (np.sin, [np.inf, 0.0, -0.0]),
            (np.tanh, [-0.0, 0.0]),
            (np.cbrt, [-8.0, -0.0]),
            (np.arctanh, [1.0, -1.0, 2.0]),
            (np.arccosh, [0.5]),
        ]
        for ufunc, values in cases:
            xs = np.array(values)
            np.testing.assert_array_equal(np.asarray(ufunc(wrap(xs))), ufunc(xs))
        for base, exponent in [(0.0, -1.0), (0.0, 2.5), (-8.0, 1 / 3), (np.inf, -1.0), (2.0, np.nan), (-0.0, 3.0)]:
            ours = float(np.power(wrap(base), exponent))
            np.testing.assert_equal(ours, np.power(base, exponent))
        assert float(np.arctan2(wrap(0.0), -0.0)) == math.pi
        assert math.copysign(1, float(np.arctan2(wrap(-0.0), 1.0))) < 0
    assert float(np.exp(wrap(-745.0))) == 5e-324  # rounded into the subnormals correctly


def test_results_stay_portable_and_unsupported_operations_raise():
    x = wrap([0.5, 1.5])
    y = np.exp(-x * x) + np.sin(2 * math.pi * x) / 3
    assert isinstance(y, PortableArray) and isinstance(np.where(y > 0, y, -y), PortableArray)
    assert isinstance(np.stack([x, y], axis=-1), PortableArray) and np.where(y > 0, 1, 0).dtype.kind == "i"
    with pytest.raises(PortableArithmeticError, match=r"numpy\.spacing has no portable form"):
        np.spacing(x)
    with pytest.raises(PortableArithmeticError, match=r"numpy\.matmul"):
        np.matmul(x, x)
    with pytest.raises(PortableArithmeticError, match="out="):
        np.add(x, x, out=np.empty(2))


def test_sums_run_left_to_right():
    values = wrap([1e16, 1.0, -1e16, 1.0])
    assert float(np.add.reduce(values)) == 1.0  # ((1e16 + 1) - 1e16) + 1 with 1e16 + 1 rounding to 1e16
    data = RNG.normal(size=(3, 5, 4))
    for axis in (0, 1, -1, None, (0, 2)):
        ours = np.sum(wrap(data), axis=axis, keepdims=axis is not None)
        np.testing.assert_allclose(np.asarray(ours), np.sum(data, axis=axis, keepdims=axis is not None), rtol=1e-14)


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_every_catalogue_surface_has_a_portable_form_that_agrees_with_numpy(name):
    surface = get_surface(name)
    fast = portable_surface(surface)
    assert is_portable(fast) and not is_portable(surface) and portable_surface(fast) is fast
    x0, x1, y0, y1 = surface.window
    points = np.stack([RNG.uniform(x0, x1, 100), RNG.uniform(y0, y1, 100)], axis=-1)
    value, gradient = fast.f(points), fast.grad(points)
    assert type(value) is np.ndarray and type(gradient) is np.ndarray
    scale = np.abs(surface.grad(points)).max() + 1e-300
    np.testing.assert_allclose(gradient, surface.grad(points), rtol=1e-12, atol=1e-13 * scale)
    np.testing.assert_allclose(value, surface.f(points), rtol=1e-12, atol=1e-13 * np.abs(surface.f(points)).max())


def test_every_formula_function_has_a_portable_form():
    calls = {name: f"{name}(x/4 + 0.3*y)" for name in FUNCTIONS if name not in ("arctan2", "atan2", "hypot")}
    calls.update(arccosh="arccosh(2 + x*x)", acosh="acosh(2 + y*y)", log="log(2 + x)", log10="log10(2 + x)",
                 log2="log2(2 + x)", sqrt="sqrt(2 + x)", arctanh="arctanh(x/5)", atanh="atanh(y/5)",
                 arctan2="arctan2(x, 2 + y)", atan2="atan2(y, 2 + x)", hypot="hypot(x, y + 3)")
    points = np.stack([RNG.uniform(-1, 1, 50), RNG.uniform(-1, 1, 50)], axis=-1)
    for name, text in calls.items():
        surface = formula_surface(f"{text} + x**3 - y**2.5 * 0 + e**(x/3)")
        fast = portable_surface(surface)
        np.testing.assert_allclose(fast.grad(points), surface.grad(points), rtol=1e-12, atol=1e-14, err_msg=name)
        np.testing.assert_allclose(fast.f(points), surface.f(points), rtol=1e-12, atol=1e-14, err_msg=name)


def test_which_surfaces_numpy_computes_exactly():
    assert exact_in_numpy(get_surface("rosenbrock")) and exact_in_numpy(get_surface("regression"))
    assert not exact_in_numpy(get_surface("peaks")) and not exact_in_numpy(get_surface("beale"))  # exp; y**3
    assert exact_in_numpy(formula_surface("x**2 + 3*y*y")) and not exact_in_numpy(formula_surface("x**3 + y**2"))
    assert exact_in_numpy(portable_surface(get_surface("peaks")))
