"""The click side of :data:`trajectories.options.OPTIONS`: parameter types, and the options of ``run`` and
``render`` made from the table.

A scene option with a ``flag`` becomes a click option of each command in its ``commands``; its value is
parsed here and then checked by the table's own :meth:`~trajectories.options.Option.problem`, so the command
line, TOML files and ``Scene(...)`` accept the same values and refuse the rest with the same words::

    $ trajectories render fig1_gradient_descent --fps 60
    trajectories: error: Invalid value for '--fps': must be a whole number from 1 to 50, got 60

``run`` and ``render`` share the bundle of race options (``--surface``, ``--optimizer``, ``--start``,
``--window``, ``--steps``, ``--arithmetic``): in ``run`` they are the computation, in ``render`` an ad hoc
scene.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from ..errors import RegistryError, SpecError, StartSetError, TrustError
from ..options import OPTIONS_LIST, Option, as_window, window_problem
from ..trust.names import allowing, check_module_names, named_in

F = TypeVar("F", bound=Callable[..., Any])

METAVARS = {"int": "N", "number": "NUMBER", "text": "TEXT"}
"""How a value of each option kind is written in ``--help`` (unless the option names its own)."""


def _numbers(text: str, count: int, what: str) -> tuple[float, ...] | str:
    """``count`` comma-separated floats of ``text``, or the problem."""
    parts = str(text).split(",")
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        values = ()
    if len(values) != count:
        return f"expected {what}, got {text!r}"
    return values


class PointType(click.ParamType):
    """``X,Y`` with two finite numbers."""

    name = "X,Y"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[float, float]:
        if isinstance(value, tuple):
            return value
        parsed = _numbers(value, 2, "two numbers as X,Y")
        if isinstance(parsed, str):
            self.fail(parsed, param, ctx)
        if not all(map(math.isfinite, parsed)):
            self.fail(f"coordinates must be finite, got {value!r}", param, ctx)
        return (parsed[0], parsed[1])


class WindowType(click.ParamType):
    """``X0,X1,Y0,Y1``: the window check of :func:`trajectories.options.window_problem`."""

    name = "X0,X1,Y0,Y1"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple:
        if isinstance(value, tuple):
            return value
        parsed = _numbers(value, 4, "four numbers X0,X1,Y0,Y1")
        if isinstance(parsed, str):
            self.fail(parsed, param, ctx)
        problem = window_problem(parsed)  # the one window check
        if problem is not None:
            self.fail(f"the window {problem}, got {value!r}", param, ctx)
        return as_window(parsed)


class OptimizerSpecType(click.ParamType):
    """``NAME[:key=value,...]``, parsed and validated."""

    name = "SPEC"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from ..core.spec import OptimizerSpec, parse_optimizer

        if isinstance(value, OptimizerSpec):
            return value
        try:
            with named_in("command line", "the command line"):  # adapter names: the allow-list, or --allow-module
                return parse_optimizer(value)
        except (SpecError, TrustError) as error:
            self.fail(str(error), param, ctx)


class StartSetType(click.ParamType):
    """A start set, ``grid:NXxNY``, ``random:N[:seed=S]`` or ``disk:N:center=X,Y,radius=R`` (see
    :mod:`trajectories.compute.starts`)."""

    name = "SET"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from ..compute.starts import START_SETS, parse_start_set

        if isinstance(value, START_SETS):
            return value
        try:
            return parse_start_set(value)
        except StartSetError as error:
            self.fail(str(error), param, ctx)


class SurfaceType(click.ParamType):
    """A surface of the catalogue by name, or a formula in x and y (checked now, built with --window)."""

    name = "NAME|FORMULA"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from ..surfaces.catalogue import resolve_surface

        try:
            resolve_surface(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)
        return value


class FilePath(click.Path):
    """click's path, refusing a NUL in the name as a usage error (``os.stat`` raises ``ValueError`` on it)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "\0" in value:
            self.fail("a file name cannot hold a NUL character", param, ctx)
        return super().convert(value, param, ctx)


class RegistryChoice(click.Choice):
    """A choice among names read each time the option is parsed or shown, so that names registered after
    this module was imported (a plugin's format or view) count."""

    def __init__(self, names: Callable[[], Sequence[str]] | Sequence[str]) -> None:
        self.names = names if callable(names) else (lambda: tuple(names))
        super().__init__(())  # read when parsed or shown: a registry may import what the command's help never needs

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(self.names())

    @choices.setter
    def choices(self, value: Sequence[str]) -> None:  # click.Choice.__init__ sets it; names() wins
        pass


class TableChoice(RegistryChoice):
    """A ``choice`` option of the table: click's completion and ``[a|b|c]`` metavar, the table's message."""

    def __init__(self, option: Option) -> None:
        self.option = option
        super().__init__(option.any_choice_names)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if all(self.option.problem(value, kind) is not None for kind in self.option.kinds):
            self.fail(self.option.problem(value), param, ctx)  # allowed for no kind: as a race's value is told
        return value


class TableNumber(click.ParamType):
    """An ``int``, ``number`` or ``size`` option of the table: parsed here, checked by the table."""

    def __init__(self, option: Option) -> None:
        self.option = option
        self.name = option.metavar or METAVARS.get(option.kind, "WxH")

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):  # a default, or a value given from Python
            return value
        parsed: Any
        try:
            if self.option.kind == "int":
                parsed = int(value) if value.strip().lstrip("+-").isdigit() else float(value)
            elif self.option.kind == "number":
                parsed = float(value)
            else:
                parsed = tuple(int(part) for part in value.lower().split("x"))
        except ValueError:
            if self.option.kind == "size":
                self.fail(f"expected WIDTHxHEIGHT in pixels, e.g. 640x480, got {value!r}", param, ctx)
            parsed = value
        problem = self.option.problem(parsed)
        if problem is not None:
            self.fail(problem, param, ctx)
        return self.option.normalise(parsed)


class TableNames(click.ParamType):
    """A ``choices`` (or ``pauses``) option of the table: items separated by commas, checked by the table."""

    def __init__(self, option: Option) -> None:
        self.option = option
        self.name = option.metavar or "NAME,..."

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        problem = self.option.problem(value)
        if problem is not None:
            self.fail(problem, param, ctx)
        return self.option.normalise(value)


def param_type(option: Option) -> click.ParamType | None:
    """The click type of ``option`` (``None`` for a flag)."""
    if option.kind == "bool":
        return None
    if option.kind == "choice":
        return TableChoice(option)
    if option.kind in ("int", "number", "size"):
        return TableNumber(option)
    if option.kind in ("choices", "pauses"):
        return TableNames(option)
    return {"surface": SurfaceType, "optimizers": OptimizerSpecType, "points": PointType,
            "window": WindowType, "starts": StartSetType}.get(option.kind, lambda: click.STRING)()


def _help(option: Option, command: str, with_default: bool) -> str:
    text = option.help.replace("`", "")
    text = text[0].upper() + text[1:] + "."
    if command == "render" and option.adhoc:
        text = "Ad hoc scene: " + option.help.replace("`", "") + "."
    if with_default or option.default is None or option.kind == "bool":
        return text
    return text + (f" [default: {option.default}]" if option.adhoc else " [default: the scene's]")


def click_option(option: Option, command: str, *, with_default: bool, required: bool = False) -> Callable[[F], F]:
    """``option`` as a click option of ``command``. ``with_default``: the table's default when the option is
    not given (``run``); otherwise ``None``, which leaves the scene's own value (``render``)."""
    param = option.param or option.name
    multiple = option.kind in ("points", "optimizers", "starts")
    keywords: dict[str, Any] = {"help": _help(option, command, with_default), "required": required}
    if option.kind == "bool":
        return click.option(option.flag, param, default=None, **keywords)
    if with_default and option.default is not None and not multiple:
        keywords.update(default=option.default, show_default=True)
    if option.metavar and option.kind not in ("choice", "choices", "int", "number", "size"):
        keywords["metavar"] = option.metavar
    return click.option(option.flag, param, type=param_type(option), multiple=multiple, **keywords)


def command_options(command: str, *, with_defaults: bool, required: Sequence[str] = ()) -> Callable[[F], F]:
    """Every table option of ``command`` (see :func:`click_option`), in the table's order; ``required``:
    the names the command cannot go without."""
    chosen = [option for option in OPTIONS_LIST if option.flag and command in option.commands]
    unknown = set(required) - {option.name for option in chosen}
    if unknown:
        raise RegistryError(f"no {command} options {sorted(unknown)}")

    def decorate(function: F) -> F:
        for option in reversed(chosen):
            function = click_option(option, command, with_default=with_defaults,
                                    required=option.name in required)(function)
        return function

    return decorate


def _allow_modules(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    if value:
        try:
            names = check_module_names(value, "--allow-module")
        except TrustError as error:
            raise click.BadParameter(str(error).partition(": ")[2], ctx, param) from None
        ctx.with_resource(allowing(names))  # for this command only: reset when it ends
    return value


def allow_module_option(function: F) -> F:
    """``--allow-module NAME`` (repeatable): the command line's opt-in to adapter names inside module
    ``NAME`` (:mod:`trajectories.trust.names`), for specs typed here and for the scene files this command reads.
    Eager, so that it holds before ``--optimizer`` is parsed; data files can never set it."""
    return click.option("--allow-module", "allow_modules", multiple=True, metavar="MODULE", is_eager=True,
                        expose_value=False, callback=_allow_modules,
                        help="Let torch:/optax: names inside MODULE import it (repeatable); without it, only "
                        "torch, pytorch_optimizer, torch_optimizer, optax and plugins' packages.")(function)
