"""A formula string -> a :class:`~trajectories.surfaces.Surface`, safely, with exact gradients.

The formula is data, never code. It is parsed with :mod:`ast` and checked against an allow-list before
anything is built from it: numbers, ``x``, ``y``, ``pi``, ``e``, ``+ - * / **`` (``^`` is read as
``**``), unary minus, parentheses, and calls of the functions in :data:`FUNCTIONS`. No attribute access,
no other names, no subscripts, lambdas, comprehensions or keywords; limits on length, nesting depth,
size and constant exponents (``9**9**9`` is refused, not computed). The sympy expression is built from
the checked tree node by node (never ``sympify`` on the text, which evaluates it), differentiated
symbolically, and compiled to vectorised numpy with ``lambdify``.

>>> surface = formula_surface("(1-x)**2 + 100*(y-x**2)**2")
>>> surface.grad(np.array([0.0, 0.0])).tolist()
[-2.0, 0.0]
"""

from __future__ import annotations

import ast
import math
import warnings
from collections.abc import Callable

import numpy as np

from .errors import FormulaError
from .surfaces import Array, Surface, choose_scale

MAX_LENGTH = 500
MAX_DEPTH = 100
MAX_NODES = 400
MAX_EXPONENT = 100.0
DEFAULT_WINDOW = (-3.0, 3.0, -3.0, 3.0)

# name in formulas -> sympy function name
FUNCTIONS: dict[str, str] = {
    "sin": "sin", "cos": "cos", "tan": "tan",
    "arcsin": "asin", "arccos": "acos", "arctan": "atan", "asin": "asin", "acos": "acos", "atan": "atan",
    "sinh": "sinh", "cosh": "cosh", "tanh": "tanh",
    "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "asinh": "asinh", "acosh": "acosh",
    "atanh": "atanh",
    "exp": "exp", "log": "log", "sqrt": "sqrt", "abs": "Abs",
    "log10": "log10", "log2": "log2",
    "arctan2": "atan2", "atan2": "atan2", "hypot": "hypot",
}  # fmt: skip
TWO_ARGUMENTS = {"arctan2", "atan2", "hypot"}
CONSTANTS = {"pi": math.pi, "e": math.e}
VARIABLES = ("x", "y")




def _where(text: str, node: ast.AST) -> str:
    start = getattr(node, "col_offset", 0)
    end = getattr(node, "end_col_offset", start + 1) or start + 1
    return f"at column {start + 1}: {text[start:end]!r}"


def _check(text: str, tree: ast.Expression) -> None:
    """Refuse anything outside the allow-list, with the offending part."""
    nodes = 0

    def visit(node: ast.AST, depth: int) -> None:
        nonlocal nodes
        nodes += 1
        if nodes > MAX_NODES:
            raise FormulaError(f"formula is too large (more than {MAX_NODES} parts)")
        if depth > MAX_DEPTH:
            raise FormulaError(f"formula is nested too deeply (more than {MAX_DEPTH} levels) {_where(text, node)}")
        if isinstance(node, ast.Expression):
            visit(node.body, depth + 1)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise FormulaError(f"only numbers are allowed as constants {_where(text, node)}")
            if not math.isfinite(float(node.value)):
                raise FormulaError(f"number too large {_where(text, node)}")
        elif isinstance(node, ast.Name):
            if node.id not in VARIABLES and node.id not in CONSTANTS:
                known = "x, y, pi, e" + (" (a function needs parentheses)" if node.id in FUNCTIONS else "")
                raise FormulaError(f"unknown name {node.id!r} {_where(text, node)} (names: {known})")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            visit(node.operand, depth + 1)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow,
                                                                   ast.BitXor)):
            if isinstance(node.op, (ast.Pow, ast.BitXor)) and not _has_variable(node.right):
                exponent = _constant_value(text, node.right)
                if not math.isfinite(exponent) or abs(exponent) > MAX_EXPONENT:
                    raise FormulaError(f"exponent must be at most {MAX_EXPONENT:g} in size {_where(text, node.right)}")
                if not _has_variable(node.left) and not math.isfinite(_constant_value(text, node)):
                    raise FormulaError(f"constant too large {_where(text, node)}")
            visit(node.left, depth + 1)
            visit(node.right, depth + 1)
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in FUNCTIONS:
                shown = text[node.func.col_offset : node.func.end_col_offset]
                raise FormulaError(f"unknown function {shown!r} {_where(text, node.func)} "
                                   f"(functions: {', '.join(sorted(FUNCTIONS))})")
            if node.keywords:
                raise FormulaError(f"keyword arguments are not allowed {_where(text, node)}")
            wanted = 2 if name in TWO_ARGUMENTS else 1
            if len(node.args) != wanted or any(isinstance(a, ast.Starred) for a in node.args):
                raise FormulaError(f"{name} takes {wanted} argument{'s' if wanted > 1 else ''} {_where(text, node)}")
            for argument in node.args:
                visit(argument, depth + 1)
        else:
            kind = {ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambdas",
                    ast.ListComp: "comprehensions", ast.GeneratorExp: "comprehensions", ast.Compare: "comparisons",
                    ast.BoolOp: "boolean operators", ast.IfExp: "conditionals", ast.BinOp: "this operator",
                    ast.UnaryOp: "this operator"}.get(type(node), type(node).__name__)
            raise FormulaError(f"{kind} not allowed {_where(text, node)}")

    visit(tree, 0)


def _has_variable(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id in VARIABLES for n in ast.walk(node))


def _constant_value(text: str, node: ast.AST) -> float:
    """A variable-free sub-expression's value in floats (so ``9**9**9`` is never computed exactly)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.Name) and node.id in CONSTANTS:
        return CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _constant_value(text, node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow,
                                                             ast.BitXor)):
        left, right = _constant_value(text, node.left), _constant_value(text, node.right)
        try:
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if isinstance(node.op, ast.Div):
                return left / right
            if abs(right) > MAX_EXPONENT:
                raise FormulaError(f"exponent must be at most {MAX_EXPONENT:g} in size {_where(text, node.right)}")
            return math.pow(left, right)
        except (OverflowError, ZeroDivisionError, ValueError):
            return math.inf
    return math.inf  # a function of constants in an exponent: refused as unbounded


def parse(text: str):
    """Check ``text`` and return the sympy expression and its symbols ``(expression, x, y)``."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("a formula needs an expression in x and y, e.g. '(1-x)**2 + 100*(y-x**2)**2'")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula is too long ({len(text)} characters; at most {MAX_LENGTH})")
    if "\n" in text or "\r" in text:
        raise FormulaError("a formula is one line")
    # "^" means power, with the precedence of "**" (as a Python operator it would bind looser than "-")
    text = text.replace("^", "**")
    try:
        with warnings.catch_warnings():  # e.g. "3if x": a warning here is a malformed formula, not noise
            warnings.simplefilter("error", SyntaxWarning)
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxWarning:
        raise FormulaError(f"invalid formula: {text.strip()[:40]!r}") from None
    except SyntaxError as error:
        column = error.offset or 1
        raise FormulaError(f"invalid formula at column {column}: {text.strip()[max(0, column - 1):][:20]!r}") from None
    except (ValueError, RecursionError, MemoryError):
        raise FormulaError("invalid formula") from None
    text = text.strip()
    _check(text, tree)
    return _to_sympy(tree.body)


def _to_sympy(node: ast.AST):
    import sympy

    x, y = sympy.symbols("x y", real=True)

    def build(node: ast.AST):
        if isinstance(node, ast.Constant):
            return sympy.Integer(node.value) if isinstance(node.value, int) else sympy.Float(node.value)
        if isinstance(node, ast.Name):
            return {"x": x, "y": y, "pi": sympy.pi, "e": sympy.E}[node.id]
        if isinstance(node, ast.UnaryOp):
            operand = build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            left, right = build(node.left), build(node.right)
            op = node.op
            if isinstance(op, ast.Add):
                return left + right
            if isinstance(op, ast.Sub):
                return left - right
            if isinstance(op, ast.Mult):
                return left * right
            if isinstance(op, ast.Div):
                return left / right
            return left**right  # Pow and ^
        if isinstance(node, ast.Call):
            name = FUNCTIONS[node.func.id]
            args = [build(a) for a in node.args]
            if name == "log10":
                return sympy.log(args[0], 10)
            if name == "log2":
                return sympy.log(args[0], 2)
            if name == "hypot":
                return sympy.sqrt(args[0] ** 2 + args[1] ** 2)
            return getattr(sympy, name)(*args)
        raise FormulaError("unexpected formula part")  # unreachable after _check

    return build(node), x, y


def _vectorised(function: Callable, x: Array, y: Array) -> Array:
    with np.errstate(all="ignore"):
        value = function(x, y)
    return np.broadcast_to(np.asarray(value, dtype=np.float64), np.broadcast(x, y).shape)


def formula_surface(
    text: str, window: tuple[float, float, float, float] | None = None, start: tuple[float, float] | None = None
) -> Surface:
    r"""A :class:`Surface` for the formula ``text`` with exact symbolic gradients.

    ``window`` defaults to :math:`[-3, 3]^2`, ``start`` to a point three quarters of the way to the
    window's upper right corner; the contour scale (log or linear) is chosen from the values.
    """
    import sympy

    expression, x, y = parse(text)
    if expression.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
        raise FormulaError(f"the formula is undefined or infinite everywhere (a division by zero?): {text.strip()!r}")
    try:
        gx, gy = sympy.diff(expression, x), sympy.diff(expression, y)
        compiled = [sympy.lambdify((x, y), e, modules="numpy") for e in (expression, gx, gy)]
    except Exception as error:  # sympy's failures are many kinds; the message says what it could not do
        raise FormulaError(f"cannot differentiate the formula: {type(error).__name__}") from None
    x0, x1, y0, y1 = window if window is not None else DEFAULT_WINDOW
    if start is None:
        start = (x0 + 0.75 * (x1 - x0), y0 + 0.75 * (y1 - y0))

    def value(px: Array, py: Array) -> Array:
        return _vectorised(compiled[0], px, py)

    def gradient(px: Array, py: Array) -> tuple[Array, Array]:
        return _vectorised(compiled[1], px, py), _vectorised(compiled[2], px, py)

    probe_x, probe_y = np.meshgrid(np.linspace(x0, x1, 101), np.linspace(y0, y1, 101))
    values = np.ma.masked_invalid(value(probe_x, probe_y))
    if np.ma.count(values) == 0:
        raise FormulaError(f"the formula has no finite value in the window {x0:g},{x1:g},{y0:g},{y1:g}")
    return Surface(
        "formula", text.strip(), f"your formula: {text.strip()}", value, gradient,
        window=(x0, x1, y0, y1), start=start, scale=choose_scale(values),
    )
