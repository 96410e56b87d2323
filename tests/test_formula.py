"""Formulas are data: an allow-list of syntax, exact symbolic gradients, clear one-line errors."""

import ast
import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trajectories.surfaces.catalogue import get_surface, resolve_surface
from trajectories.surfaces.formula import FormulaError, _check_constants, _Source, _vectorised, formula_surface, parse


@pytest.mark.parametrize(("text", "name"), [
    ("(1-x)**2 + 100*(y-x**2)**2", "rosenbrock"),
    ("(x**2+y-11)**2 + (x+y**2-7)**2", "himmelblau"),
    ("x**3 - 3*x*y**2", "monkey_saddle"),
    ("x^2 - y^2", "saddle"),
    ("20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)", "rastrigin"),
    ("-cos(x)*cos(y)*exp(-((x-pi)**2 + (y-pi)**2))", "easom"),
])  # fmt: skip
def test_formulas_equal_the_catalogue_values_and_gradients(text, name):
    reference = get_surface(name)
    surface = formula_surface(text, reference.window)
    x0, x1, y0, y1 = reference.window
    points = np.random.default_rng(1).uniform([x0, y0], [x1, y1], size=(200, 2))
    np.testing.assert_allclose(surface.f(points), reference.f(points), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(surface.grad(points), reference.grad(points), rtol=1e-10, atol=1e-9)


@pytest.mark.parametrize("text", ["sqrt(x**2 + y**2 + 1)", "tanh(x)*sinh(y/3) + log(2 + cosh(x))",
                                  "arctan2(y, x + 5) + hypot(x, y) + abs(x - 0.3)", "log10(x**2+1) + log2(y**2+1)",
                                  "exp(-x**2) * arcsin(y/4) + arccos(x/4)", "2**x + x**y"])
def test_gradients_match_finite_differences(text):
    surface = formula_surface(text, (0.5, 2.0, 0.5, 2.0))
    points = np.random.default_rng(2).uniform(0.6, 1.9, size=(100, 2))
    h = 1e-6
    numeric = np.stack([(surface.f(points + h * e) - surface.f(points - h * e)) / (2 * h) for e in np.eye(2)], -1)
    np.testing.assert_allclose(surface.grad(points), numeric, rtol=1e-5, atol=1e-6)


def test_constant_formulas_are_vectorised():
    surface = formula_surface("3")
    assert surface.f(np.zeros((4, 5, 2))).shape == (4, 5)
    assert np.array_equal(surface.grad(np.zeros((2, 2))), np.zeros((2, 2)))


def test_defaults_window_start_and_scale():
    surface = formula_surface("x**2 + y**2")
    assert surface.window == (-3, 3, -3, 3) and surface.start == (1.5, 1.5) and surface.scale == "linear"
    assert formula_surface("(1-x)**2 + 100*(y-x**2)**2", (-2, 2, -1, 3)).scale in ("log", "linear")
    assert resolve_surface("rosenbrock", (-3, 3, -3, 3)).window == (-3, 3, -3, 3)


HOSTILE = [
    ('__import__("os").system("echo hacked")', "unknown function"),
    ("().__class__.__bases__[0].__subclasses__()", "unknown function"),
    ("(1).__class__", "attribute access not allowed"),
    ("x.real", "attribute access not allowed"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("lambda: 1", "lambdas not allowed"),
    ("[x for x in range(10)]", "not allowed"),
    ("x[0]", "subscripts not allowed"),
    ("9**9**9", "exponent must be at most 100"),
    ("2**1000", "exponent must be at most 100"),
    ("((10**100)**100)**100", "integer too large at column 3: '10**100'"),
    ("((1e100)**100)**100", "value too large for a float at column 2: '(1e100)**100'"),
    ("x**(10**3)", "exponent must be at most 100"),
    ("exp(1e400)", "number too large"),
    ("sin(x, y)", "sin takes 1 argument"),
    ("sin(x=1)", "keyword arguments"),
    ("sin", "a function needs parentheses"),
    ("z + 1", "unknown name 'z'"),
    ("'x'", "only numbers"),
    ("True", "only numbers"),
    ("1j", "only numbers"),
    ("x if y else 1", "conditionals not allowed"),
    ("x < y", "comparisons not allowed"),
    ("x and y", "boolean operators not allowed"),
    ("x // y", "this operator not allowed"),
    ("x % y", "this operator not allowed"),
    ("~x", "this operator not allowed"),
    ("x +* y", "invalid formula at column 4"),
    ("x = 1", "invalid formula"),
    ("x;y", "invalid formula"),
    ("x\ny", "one line"),
    ("", "needs an expression"),
    ("x" + "+x" * 300, "formula is too long"),
    ("-" * 200 + "x", "nested too deeply"),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE, ids=[t[:25] for t, _ in HOSTILE])
def test_hostile_and_malformed_formulas_are_refused_before_evaluation(text, message, capfd):
    with pytest.raises(FormulaError, match=re.escape(message)) as error:
        formula_surface(text)
    assert "\n" not in str(error.value)
    assert "hacked" not in capfd.readouterr().out


def test_errors_point_at_the_offending_part():
    with pytest.raises(FormulaError, match=r"unknown function 'foo' at column 5: 'foo'"):
        parse("x + foo(y)")
    with pytest.raises(FormulaError, match=r"attribute access not allowed at column 6: 'x.imag'"):
        parse("1 + (x.imag)")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60) | st.text(alphabet=st.sampled_from("xy+-*/()^.0123456789 sincoexpltanhqr_,e"),
                                      max_size=60))
def test_arbitrary_strings_never_raise_anything_but_formula_error(text):
    try:
        surface = formula_surface(text)
    except FormulaError as error:
        assert "\n" not in str(error)
    else:
        surface.f(np.array([0.5, -0.5]))


@pytest.mark.parametrize(("text", "message"), [
    ("ｘ + foo(y)", "unknown function 'foo' at column 5: 'foo'"),  # ｘ is three bytes to ast
    ("x^2 + foo(y)", "unknown function 'foo' at column 7: 'foo'"),  # "^" is two characters to ast
    ("ｓｉｎ(ｘ)^2 + log(-2)", "complex value at column 12: 'log(-2)'"),
    ("é^2^2 +* y", "invalid formula at column 8: '* y'"),
    ("x^2 + " + "1" * 60, "integer too large at column 7: '" + "1" * 37 + "...'"),
])  # fmt: skip
def test_columns_count_characters_as_written(text, message):
    with pytest.raises(FormulaError) as error:
        parse(text)
    assert message in str(error.value)


def test_a_long_sum_is_one_level_of_nesting_and_the_walks_need_no_recursion():
    # 199 terms: 200 names and 199 operators, with the whole the 400 parts of MAX_NODES
    surface = formula_surface("+".join(["x"] * 150 + ["y"] * 48 + ["x-y"]))
    assert surface.f(np.array([2.0, 3.0])) == 150 * 2.0 + 48 * 3.0 + 2.0 - 3.0
    with pytest.raises(FormulaError, match="too large"):
        parse("+".join(["x"] * 201))
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse("x" + "**x" * 101)
    deep = ast.Constant(10**20)  # deeper than Python's recursion limit: the walks use a stack
    for _ in range(20000):
        deep = ast.UnaryOp(ast.USub(), deep)
    with pytest.raises(FormulaError, match="integer too large"):
        _check_constants(_Source("1"), ast.Expression(deep))


def test_numbers_that_sympy_makes_large_are_floats_for_numpy():
    # sympy folds (2x)**100 / x**100 into the integer 2**100, which numpy's sin cannot take as a Python int
    surface = formula_surface("sin((2*x)**100/x**100) + (2*x)**100")
    assert surface.f(np.array([0.5, 0.0])) == math.sin(2.0**100) + 1.0
    assert surface.grad(np.array([0.5, 0.0])).tolist() == [100 * 2.0**100 * 0.5**99, 0.0]
    assert formula_surface("x**sin(1)").f(np.array([2.0, 0.0])) == pytest.approx(2.0 ** math.sin(1), rel=1e-15)
    with pytest.raises(FormulaError, match="its derivative in y is complex or undefined"):
        formula_surface("0**y + x")


def test_complex_results_are_nan_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = _vectorised(lambda x, y: np.sqrt(x + 0j) * y, np.array([-1.0, 4.0, 9.0]), np.array(2.0))
    assert value.dtype == np.float64 and np.isnan(value[0]) and value[1:].tolist() == [4.0, 6.0]


def test_resolve_surface_raises_formula_errors():
    with pytest.raises(FormulaError, match="no finite value in the window -3,-1,-3,3"):
        resolve_surface("sqrt(x) + y", (-3, -1, -3, 3))
    with pytest.raises(FormulaError, match="did you mean 'rosenbrock'"):
        resolve_surface("rosenbrok")
