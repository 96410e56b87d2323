"""Formulas that pass the allow-list and then fail (complex, undefined, huge): one line and exit 2 through the
command line, and a property over generated formulas: a float64 surface or a FormulaError, never anything else."""

import ast
import re
import warnings

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from trajectories.cli.main import cli
from trajectories.surfaces.formula import FUNCTIONS, TWO_ARGUMENTS, FormulaError, formula_surface

FOUR_HUNDRED_DIGITS = "7" * 400

# (case, formula, extra arguments, what the error line must say)
FORMULAS = [
    ("huge integer in a function", "x + sin(10**100)", [], "integer too large at column 9: '10**100'"),
    ("huge integer in exp", "exp(10**30) + x", [], "integer too large at column 5: '10**30'"),
    ("square root of -1", "sqrt(-1)*x + y**2", [], "complex value at column 1: 'sqrt(-1)'"),
    ("acosh outside its domain", "acosh(0)*x + y", [], "complex value at column 1: 'acosh(0)'"),
    ("400-digit literal", f"{FOUR_HUNDRED_DIGITS} + x", [], "integer too large at column 1: '777"),
    ("log of -1", "log(-1) + x**2", [], "complex value at column 1: 'log(-1)'"),
    ("integer past 2**53", "9007199254740993*x", [], "integer too large at column 1"),
    ("complex to sympy only", "sqrt(-x**2) + y", [], "complex value at column 1: 'sqrt(-x**2)'"),
    ("division by zero", "x + 1/(2-2)", [], "division by zero at column 5: '1/(2-2)'"),
    ("symbolic division by zero", "y + x/(x-x)", [], "undefined or infinite value at column 5: 'x/(x-x)'"),
    ("log of 0", "log(0) + x", [], "undefined value at column 1: 'log(0)'"),
    ("overflowing constant", "exp(1000) + x", [], "value too large for a float at column 1: 'exp(1000)'"),
    ("overflow after simplifying", "(1e200*x)**2 + y", [], "holds a number too large for a float"),
    ("pole of tan", "tan(pi/2)*x", [], "undefined or infinite value at column 1: 'tan(pi/2)'"),
    ("complex power", "(-8)^(1/3) + x", [], "complex value at column 1: '(-8)^(1/3)'"),
    ("non-ASCII column", "ｘ + foo(y)", [], "unknown function 'foo' at column 5: 'foo'"),
    ("column after ^", "x^2^2 + bar(y)", [], "unknown function 'bar' at column 9: 'bar'"),
    ("no finite value in the window", "sqrt(x) + y", ["--window", "-3,-1,-3,3"],
     "the formula has no finite value in the window -3,-1,-3,3"),
]  # fmt: skip


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _refused(result, message):
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stdout == ""
    assert result.stderr.startswith("trajectories: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr, result.stderr


@pytest.mark.parametrize("command", ["run", "render"])
@pytest.mark.parametrize(("case", "formula", "extra", "message"), FORMULAS, ids=[c[0] for c in FORMULAS])
def test_formulas_that_fail_after_the_allow_list_are_one_line_and_exit_2(workdir, command, case, formula, extra,
                                                                         message):
    output = workdir / ("a.json" if command == "run" else "a.gif")
    args = [command, "--surface", formula, *extra, "--optimizer", "adam", "--steps", "3", "-o", str(output)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = CliRunner().invoke(cli, args)
    _refused(result, message)
    assert list(workdir.iterdir()) == []  # no output, not even output/


def test_a_scene_file_with_a_complex_formula_is_one_line(workdir):
    (workdir / "scene.toml").write_text('surface = "log(-1) + x**2"\n[[optimizers]]\nname = "adam"\n')
    result = CliRunner().invoke(cli, ["render", "scene.toml", "-o", "a.gif"])
    _refused(result, "surface: complex value at column 1: 'log(-1)'")
    assert sorted(p.name for p in workdir.iterdir()) == ["scene.toml"]


def test_describe_of_a_complex_formula_is_one_line(workdir):
    _refused(CliRunner().invoke(cli, ["describe", "acosh(0) + x"]), "complex value at column 1: 'acosh(0)'")


# --- generated formulas ----------------------------------------------------------------------------------

NUMBERS = ["0", "1", "2", "3", "0.5", "10", "100", "1e10", "1e300", "2**53", "pi", "e", "-1", "9007199254740992"]
ONE_ARGUMENT = sorted(set(FUNCTIONS) - TWO_ARGUMENTS)
OPERATORS = ["+", "-", "*", "/", "**", "^"]


def _combine(children):
    def binary(parts):
        op, left, right, bracket = parts
        return f"({left}){op}({right})" if bracket else f"{left}{op}{right}"

    binaries = st.tuples(st.sampled_from(OPERATORS), children, children, st.booleans()).map(binary)
    return st.one_of(
        binaries, binaries,
        st.tuples(st.sampled_from(ONE_ARGUMENT), children).map(lambda p: f"{p[0]}({p[1]})"),
        st.tuples(st.sampled_from(sorted(TWO_ARGUMENTS)), children, children).map(lambda p: f"{p[0]}({p[1]}, {p[2]})"),
        children.map(lambda c: f"-({c})"),
    )  # fmt: skip


VARIABLES = st.sampled_from(["x", "y", "x", "y", "(x-y)", "x*y", "x**2"])
LEAVES = st.one_of(VARIABLES, VARIABLES, st.sampled_from(NUMBERS), st.integers(-(10**20), 10**20).map(str),
                   st.floats(allow_nan=False, allow_infinity=False).map(repr))
EXPRESSIONS = st.recursive(LEAVES, _combine, max_leaves=12)
# pieces that often join into formulas, and some that do not (non-ASCII letters shift ast's byte columns)
TOKENS = ["x", "y", "ｘ", "é", "pi", "e", "1", "2", "0", ".", "5", "1e", "9" * 17, "+", "-", "*", "/", "^", "**",
          "(", ")", ",", " ", "sin(", "sqrt(", "log(", "acosh(", "exp(", "foo(", "arctan2(", "x+", "^2", "*y", ")",
          "(-1)", "10**20", "-x"]
SHORT_STRINGS = st.lists(st.sampled_from(TOKENS), max_size=16).map("".join)
POINTS = np.array([[0.5, -0.5], [0.0, 0.0], [2.9, 1.3], [-3.0, 3.0], [-1.0, -2.0]])
WHERE = re.compile(r"at column (\d+): ('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")")


def _surface_or_formula_error(text):
    """``text``'s surface evaluated at POINTS, or its FormulaError; any warning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            surface = formula_surface(text)
        except FormulaError as error:
            return None, str(error)
        return (surface.f(POINTS), surface.grad(POINTS)), None


def _check_outcome(text, outcome, error):
    if error is not None:
        assert error and "\n" not in error
        for column, quoted in WHERE.findall(error):  # the quoted part stands at that column of the text as written
            part = ast.literal_eval(quoted)
            part = part[:-3] if part.endswith("...") else part
            assert text.strip()[int(column) - 1 :].startswith(part), (text, error)
        return
    value, gradient = outcome
    assert value.dtype == np.float64 and value.shape == (len(POINTS),)
    assert gradient.dtype == np.float64 and gradient.shape == (len(POINTS), 2)


@settings(derandomize=True, max_examples=250, deadline=None)
@given(EXPRESSIONS)
def test_generated_formulas_give_a_float64_surface_or_a_formula_error(text):
    _check_outcome(text, *_surface_or_formula_error(text))


@settings(derandomize=True, max_examples=250, deadline=None)
@given(SHORT_STRINGS)
def test_generated_strings_give_a_float64_surface_or_a_formula_error_at_the_right_column(text):
    _check_outcome(text, *_surface_or_formula_error(text))


def test_where_the_formula_leaves_the_reals_values_are_nan_not_the_real_part():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        surface = formula_surface("sqrt(x) + log(y)")
        value = surface.f(np.array([[-1.0, 1.0], [4.0, -1.0], [4.0, 1.0]]))
        gradient = surface.grad(np.array([-1.0, 1.0]))
    assert np.isnan(value[0]) and np.isnan(value[1]) and value[2] == 2.0
    assert np.isnan(gradient[0]) and gradient[1] == 1.0
