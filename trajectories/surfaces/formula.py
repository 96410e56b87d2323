"""A formula string -> a :class:`~trajectories.surfaces.analytic.Surface`, safely, with exact gradients.

The formula is data, never code. It is parsed with :mod:`ast` and checked against an allow-list before
anything is built from it: numbers, ``x``, ``y``, ``pi``, ``e``, ``+ - * / **`` (``^`` is read as
``**``), unary minus, parentheses, and calls of the functions in :data:`FUNCTIONS`. No attribute access,
no other names, no subscripts, lambdas, comprehensions or keywords; limits on length, nesting depth,
size, constant exponents and integers (``9**9**9`` is refused, not computed). Every part without ``x``
and ``y`` is then evaluated, innermost first, in Python's numbers (exact integers, floats, :mod:`cmath`),
and a part that is complex (``sqrt(-1)``), undefined (``log(0)``) or too large for a float is refused
where it stands. The sympy expression is built from the checked tree node by node (never ``sympify`` on
the text, which evaluates it), each node checked to stay real and finite (to sympy, ``sqrt(-x**2)`` is
``I*Abs(x)``), differentiated symbolically, and compiled to vectorised numpy with ``lambdify``. Values
and gradients are float64 arrays; where numpy's result is complex, NaN. Errors are one line and point
at the offending part, by the column of the text as written.

>>> surface = formula_surface("(1-x)**2 + 100*(y-x**2)**2")
>>> surface.grad(np.array([0.0, 0.0])).tolist()
[-2.0, 0.0]
>>> formula_surface("log(-1) + x^2")
Traceback (most recent call last):
    ...
trajectories.errors.FormulaError: complex value at column 1: 'log(-1)' (it is 0+3.14159j); a formula must be real
"""

from __future__ import annotations

import ast
import cmath
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import FormulaError
from .analytic import Array, Surface, choose_scale

#: characters in a formula (a reader's limit, not the machine's)
MAX_LENGTH = 500
#: levels of nesting; a chain of ``+`` and ``-`` (or of ``*`` and ``/``) is one level, however long
MAX_DEPTH = 100
#: parts (numbers, names, operators, calls): bounds the work of sympy and of numpy per point
MAX_NODES = 400
#: size of a constant exponent (``x**1000`` and ``2**1000`` are refused)
MAX_EXPONENT = 100.0
#: size of an integer constant: a float holds every integer up to 2**53, and numpy's functions take
#: none past 2**64 (``sin(10**100)``); write larger numbers as floats (``1e100``)
MAX_INTEGER = 2**53
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

_SHOWN = 40  # characters of an offending part quoted in an error


class _Source:
    """The formula as written (stripped), the text handed to :mod:`ast` (``^`` as ``**``), and the way
    back from :mod:`ast`'s columns (UTF-8 bytes of the rewritten text) to characters as written."""

    def __init__(self, text: str) -> None:
        self.text = text
        pieces: list[str] = []
        self._from_byte: list[int] = []
        self._from_character: list[int] = []
        for index, character in enumerate(text):
            piece = "**" if character == "^" else character
            pieces.append(piece)
            self._from_character += [index] * len(piece)
            self._from_byte += [index] * len(piece.encode("utf-8", "surrogatepass"))
        self._from_byte.append(len(text))
        self._from_character.append(len(text))
        self.parsed = "".join(pieces)

    def column(self, offset: int) -> int:
        """The 0-based column, as written, of the rewritten text's character ``offset``."""
        return self._from_character[min(max(offset, 0), len(self._from_character) - 1)]

    def span(self, node: ast.AST) -> tuple[int, int]:
        """Where ``node`` starts and ends (0-based, end excluded) in the text as written."""
        last = len(self._from_byte) - 1
        start_byte = getattr(node, "col_offset", 0)
        end_byte = getattr(node, "end_col_offset", None) or start_byte + 1
        start = self._from_byte[min(max(start_byte, 0), last)]
        return start, max(self._from_byte[min(max(end_byte, 0), last)], start + 1)

    def where(self, node: ast.AST) -> str:
        """``at column N: 'part'``: where ``node`` stands in the text as written, and what it says."""
        start, end = self.span(node)
        return f"at column {start + 1}: {_shown(self.text[start:end])!r}"


def _shown(part: str) -> str:
    return part if len(part) <= _SHOWN else part[: _SHOWN - 3] + "..."


def _operands(node: ast.AST) -> tuple[ast.AST, ...]:
    if isinstance(node, ast.BinOp):
        return (node.left, node.right)
    if isinstance(node, ast.UnaryOp):
        return (node.operand,)
    if isinstance(node, ast.Call):
        return tuple(node.args)
    return ()


def _innermost_first(root: ast.AST) -> list[ast.AST]:
    """``root`` and every node below it, each after its operands, left to right (a walk with a stack:
    no input can exhaust Python's recursion limit)."""
    order, stack = [], [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(_operands(node))
    order.reverse()
    return order


_CHAINS = ((ast.Add, ast.Sub), (ast.Mult, ast.Div))


def _same_chain(node: ast.BinOp, left: ast.AST) -> bool:
    """Whether ``left``, the left operand of ``node``, continues the same flat chain: ``a + b - c`` is
    ``(a + b) - c`` to :mod:`ast`, one level of nesting to a reader."""
    return isinstance(left, ast.BinOp) and any(
        isinstance(node.op, chain) and isinstance(left.op, chain) for chain in _CHAINS
    )


def _check(source: _Source, tree: ast.Expression) -> None:
    """Refuse anything outside the allow-list, first offending part first (a walk with a stack)."""
    nodes = 1
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise FormulaError(f"formula is too large (more than {MAX_NODES} parts)")
        if depth > MAX_DEPTH:
            raise FormulaError(f"formula is nested too deeply (more than {MAX_DEPTH} levels) {source.where(node)}")
        operands: list[tuple[ast.AST, int]] = []
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise FormulaError(f"only numbers are allowed as constants {source.where(node)}")
        elif isinstance(node, ast.Name):
            if node.id not in VARIABLES and node.id not in CONSTANTS:
                known = "x, y, pi, e" + (" (a function needs parentheses)" if node.id in FUNCTIONS else "")
                raise FormulaError(f"unknown name {node.id!r} {source.where(node)} (names: {known})")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operands = [(node.operand, depth + 1)]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow,
                                                                   ast.BitXor)):
            operands = [(node.left, depth + (0 if _same_chain(node, node.left) else 1)), (node.right, depth + 1)]
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in FUNCTIONS:
                start, end = source.span(node.func)
                shown = _shown(source.text[start:end])
                raise FormulaError(f"unknown function {shown!r} {source.where(node.func)} "
                                   f"(functions: {', '.join(sorted(FUNCTIONS))})")
            if node.keywords:
                raise FormulaError(f"keyword arguments are not allowed {source.where(node)}")
            wanted = 2 if name in TWO_ARGUMENTS else 1
            if len(node.args) != wanted or any(isinstance(a, ast.Starred) for a in node.args):
                raise FormulaError(f"{name} takes {wanted} argument{'s' if wanted > 1 else ''} {source.where(node)}")
            operands = [(argument, depth + 1) for argument in node.args]
        else:
            kind = {ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambdas",
                    ast.ListComp: "comprehensions", ast.GeneratorExp: "comprehensions", ast.Compare: "comparisons",
                    ast.BoolOp: "boolean operators", ast.IfExp: "conditionals", ast.BinOp: "this operator",
                    ast.UnaryOp: "this operator"}.get(type(node), type(node).__name__)
            raise FormulaError(f"{kind} not allowed {source.where(node)}")
        stack.extend(reversed(operands))


def _atan2(y: float, x: float) -> float:
    if x == 0 and y == 0:
        raise FormulaError("atan2(0, 0)")  # undefined, as to sympy
    return math.atan2(y, x)


# a function of numbers, in complex arithmetic so that leaving the reals shows (sympy names)
_FUNCTION_VALUES: dict[str, Callable[..., Any]] = {
    "sin": cmath.sin, "cos": cmath.cos, "tan": cmath.tan, "asin": cmath.asin, "acos": cmath.acos,
    "atan": cmath.atan, "sinh": cmath.sinh, "cosh": cmath.cosh, "tanh": cmath.tanh, "asinh": cmath.asinh,
    "acosh": cmath.acosh, "atanh": cmath.atanh, "exp": cmath.exp, "log": cmath.log, "sqrt": cmath.sqrt,
    "Abs": abs, "log10": cmath.log10, "log2": lambda z: cmath.log(z) / math.log(2), "atan2": _atan2,
    "hypot": math.hypot,
}  # fmt: skip
_OPERATIONS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a**b, ast.BitXor: lambda a, b: a**b,
}  # fmt: skip


def _check_constants(source: _Source, tree: ast.Expression) -> None:
    """Evaluate every part without ``x`` and ``y``, innermost first, in Python's numbers: exact integers
    (at most :data:`MAX_INTEGER` in size), floats, and :mod:`cmath` for functions. A part that is complex,
    undefined, infinite or too large is refused, by column, before sympy sees it (sympy keeps
    ``sin(10**100)`` exact for numpy to choke on, and turns ``log(-1)`` into ``I*pi``); so is a constant
    exponent larger than :data:`MAX_EXPONENT` in size, before it is used (``9**9**9``)."""
    values: dict[ast.AST, int | float | None] = {}  # None: depends on x or y
    for node in _innermost_first(tree.body):
        values[node] = _constant(source, node, values)


def _constant(source: _Source, node: ast.AST, values: dict[ast.AST, int | float | None]) -> int | float | None:
    if isinstance(node, ast.Constant):
        return _real(source, node, node.value)
    if isinstance(node, ast.Name):
        return CONSTANTS.get(node.id)
    if isinstance(node, ast.UnaryOp):
        operand = values[node.operand]
        return None if operand is None else -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        arguments = [values[node.left], values[node.right]]
        exponent = arguments[1]
        if isinstance(node.op, (ast.Pow, ast.BitXor)) and exponent is not None and abs(exponent) > MAX_EXPONENT:
            raise FormulaError(f"exponent must be at most {MAX_EXPONENT:g} in size {source.where(node.right)}")
        operation = _OPERATIONS[type(node.op)]
    else:  # a call, as _check allows
        arguments = [values[argument] for argument in node.args]  # type: ignore[attr-defined]
        operation = _FUNCTION_VALUES[FUNCTIONS[node.func.id]]  # type: ignore[attr-defined]
    if any(argument is None for argument in arguments):
        return None
    try:
        value = operation(*arguments)
    except ZeroDivisionError:
        raise FormulaError(f"division by zero {source.where(node)}") from None
    except OverflowError:
        raise FormulaError(f"value too large for a float {source.where(node)}") from None
    except ValueError:  # math domain error: log(0), atanh(1)
        raise FormulaError(f"undefined value {source.where(node)}") from None
    return _real(source, node, value)


def _real(source: _Source, node: ast.AST, value: Any) -> int | float:
    """``value``, a real number a float can hold (an integer at most :data:`MAX_INTEGER` in size)."""
    if isinstance(value, complex):
        if value.imag != 0:
            raise FormulaError(f"complex value {source.where(node)} (it is {value.real:.6g}{value.imag:+.6g}j); "
                               f"a formula must be real")
        value = value.real
    if isinstance(value, int):
        if abs(value) > MAX_INTEGER:
            try:
                hint = f"write it as a float, {float(value):.17g}"
            except OverflowError:
                hint = "it is too large for a float too"
            raise FormulaError(f"integer too large {source.where(node)} (at most 2**53 in size; {hint})")
        return value
    if math.isnan(value):
        raise FormulaError(f"undefined value {source.where(node)}")
    if math.isinf(value):
        raise FormulaError(f"{'number' if isinstance(node, ast.Constant) else 'value'} too large for a float "
                           f"{source.where(node)}")
    return value


def parse(text: str):
    """Check ``text`` and return the sympy expression and its symbols ``(expression, x, y)``."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("a formula needs an expression in x and y, e.g. '(1-x)**2 + 100*(y-x**2)**2'")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula is too long ({len(text)} characters; at most {MAX_LENGTH})")
    if "\n" in text or "\r" in text:
        raise FormulaError("a formula is one line")
    # "^" means power, with the precedence of "**" (as a Python operator it would bind looser than "-")
    source = _Source(text.strip())
    try:
        with warnings.catch_warnings():  # e.g. "3if x": a warning here is a malformed formula, not noise
            warnings.simplefilter("error")
            tree = ast.parse(source.parsed, mode="eval")
    except Warning:
        raise FormulaError(f"invalid formula: {_shown(source.text)!r}") from None
    except SyntaxError as error:
        column = source.column((error.offset or 1) - 1) + 1
        raise FormulaError(f"invalid formula at column {column}: {source.text[column - 1 :][:20]!r}") from None
    except (ValueError, RecursionError, MemoryError):  # e.g. a NUL or a lone surrogate
        raise FormulaError("invalid formula") from None
    _check(source, tree)
    _check_constants(source, tree)
    return _to_sympy(source, tree.body)


def _to_sympy(source: _Source, root: ast.AST):
    """The sympy expression of the checked tree, built innermost first; a part that sympy finds complex
    or undefined is refused where it stands."""
    import sympy

    x, y = sympy.symbols("x y", real=True)
    built: dict[ast.AST, Any] = {}
    for node in _innermost_first(root):
        try:
            part = _build(node, built, x, y)
            is_complex, is_undefined = part.has(sympy.I), part.has(sympy.zoo, sympy.oo, -sympy.oo, sympy.nan)
        except Exception as error:  # sympy's failures are many kinds; none should be a traceback
            raise FormulaError(f"sympy cannot build the part {source.where(node)} ({type(error).__name__})") from None
        if is_complex:
            raise FormulaError(f"complex value {source.where(node)} (to sympy it is {_shown(str(part))}); "
                               f"a formula must be real")
        if is_undefined:
            raise FormulaError(f"undefined or infinite value {source.where(node)} (a division by zero?)")
        built[node] = part
    return built[root], x, y


def _build(node: ast.AST, built: dict[ast.AST, Any], x: Any, y: Any) -> Any:
    import sympy

    if isinstance(node, ast.Constant):
        return sympy.Integer(node.value) if isinstance(node.value, int) else sympy.Float(node.value)
    if isinstance(node, ast.Name):
        return {"x": x, "y": y, "pi": sympy.pi, "e": sympy.E}[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = built[node.operand]
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        left, right = built[node.left], built[node.right]
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
        name = FUNCTIONS[node.func.id]  # type: ignore[attr-defined]
        args = [built[a] for a in node.args]
        if name == "log10":
            return sympy.log(args[0], 10)
        if name == "log2":
            return sympy.log(args[0], 2)
        if name == "hypot":
            return sympy.sqrt(args[0] ** 2 + args[1] ** 2)
        return getattr(sympy, name)(*args)
    raise FormulaError("unexpected formula part")  # unreachable after _check


def _check_numbers(text: str, expressions: dict[str, Any]) -> None:
    """Every expression real and defined, and every number in it (after sympy's simplifications and
    differentiation: ``(1e200*x)**2`` holds 1e400) one that a float can hold."""
    import sympy

    for what, expression in expressions.items():
        if expression.has(sympy.I, sympy.zoo, sympy.oo, -sympy.oo, sympy.nan):
            raise FormulaError(f"{what} is complex or undefined: {_shown(str(expression))!r}")
        for number in expression.atoms(sympy.Number):
            try:
                fits = math.isfinite(float(number))
            except (OverflowError, ValueError, TypeError):
                fits = False
            if not fits:
                raise FormulaError(f"{what} holds a number too large for a float "
                                   f"({sympy.Float(number, 3)}): {_shown(text)!r}")


def _printer() -> Any:
    """lambdify's numpy printer (same settings), except that integers past :data:`MAX_INTEGER` are
    written as the float numpy would make of them: numpy's functions take no Python integer past 2**64."""
    from sympy.printing.numpy import NumPyPrinter

    class Printer(NumPyPrinter):
        def _print_Integer(self, expr: Any) -> str:
            return repr(float(expr.p)) if abs(expr.p) > MAX_INTEGER else super()._print_Integer(expr)

    return Printer({"fully_qualified_modules": False, "inline": True, "allow_unknown_functions": True,
                    "user_functions": {}})


def _vectorised(function: Callable, x: Array, y: Array) -> Array:
    """``function(x, y)`` as float64 of the broadcast shape; a complex result (numpy's, where a formula
    leaves the reals) is NaN wherever its imaginary part is not zero."""
    with np.errstate(all="ignore"):
        value = np.asarray(function(x, y))
        if np.iscomplexobj(value):
            value = np.where(value.imag == 0, value.real, np.nan)
    return np.broadcast_to(np.asarray(value, dtype=np.float64), np.broadcast(x, y).shape)


def formula_surface(
    text: str, window: tuple[float, float, float, float] | None = None, start: tuple[float, float] | None = None
) -> Surface:
    r"""A :class:`Surface` for the formula ``text`` with exact symbolic gradients.

    ``window`` defaults to :math:`[-3, 3]^2`, ``start`` to a point three quarters of the way to the
    window's upper right corner; the contour scale (log or linear) is chosen from the values.
    Raises :class:`FormulaError` (one line) for a formula that is not allowed, not real, or has no
    finite value in the window.
    """
    import sympy

    expression, x, y = parse(text)
    try:
        gx, gy = sympy.diff(expression, x), sympy.diff(expression, y)
        _check_numbers(text.strip(), {"the formula": expression, "its derivative in x": gx, "its derivative in y": gy})
        printer = _printer()
        compiled = [sympy.lambdify((x, y), e, modules="numpy", printer=printer) for e in (expression, gx, gy)]
    except FormulaError:
        raise
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
    try:  # what fails for one point fails for all (a Python number numpy cannot take): find it now
        values = np.ma.masked_invalid(value(probe_x, probe_y))
        gradient(probe_x[::25, ::25], probe_y[::25, ::25])
    except Exception as error:
        raise FormulaError(f"cannot evaluate the formula: {type(error).__name__}: {_shown(str(error))}") from None
    if np.ma.count(values) == 0:
        raise FormulaError(f"the formula has no finite value in the window {x0:g},{x1:g},{y0:g},{y1:g}")
    return Surface(
        "formula", text.strip(), f"your formula: {text.strip()}", value, gradient,
        window=(x0, x1, y0, y1), start=start, scale=choose_scale(values),
    )
