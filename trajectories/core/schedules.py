r"""Learning-rate schedules with ``torch.optim.lr_scheduler``'s names, parameters and values.

A schedule attaches to an optimizer spec after ``@``, and schedules chain::

    sgd:lr=0.1,momentum=0.9@cosine:T_max=200
    adam:lr=0.01@linear:start_factor=0.1,total_iters=10@cosine:T_max=190
    sgd:lr=0.1@multistep:milestones=[30,80],gamma=0.5

Each schedule gives the learning rate :math:`\alpha_t` of update :math:`t = 0, 1, \dots` from the
optimizer's own ``lr`` (:math:`\alpha`, torch's ``base_lr``), exactly as torch's scheduler does when it is
stepped once after every ``optimizer.step()``:

========================  ===============================  ====================================================
name                      torch                            :math:`\alpha_t`
========================  ===============================  ====================================================
``constant``              ``ConstantLR``                   :math:`\alpha f` for :math:`t < n`, then :math:`\alpha`
``linear``                ``LinearLR``                     :math:`\alpha\,(s + (e - s)\min(t, n)/n)`
``step``                  ``StepLR``                       :math:`\alpha\,\gamma^{\lfloor t / k \rfloor}` (k: step_size)
``multistep``             ``MultiStepLR``                  :math:`\alpha\,\gamma^{m(t)}`, m(t) milestones :math:`\le t`
``exponential``           ``ExponentialLR``                :math:`\alpha\,\gamma^t`
``cosine``                ``CosineAnnealingLR``            :math:`\eta + (\alpha - \eta)(1 + \cos(\pi t / T_{max}))/2`
``cosine_warm_restarts``  ``CosineAnnealingWarmRestarts``  the same within each cycle, :math:`T_i = T_0 T_{mult}^i`
``polynomial``            ``PolynomialLR``                 :math:`\alpha\,(1 - \min(t, n)/n)^p`
``onecycle``              ``OneCycleLR``                   up from ``max_lr/div_factor`` to ``max_lr``, then down
``cyclic``                ``CyclicLR``                     triangles between ``base_lr`` and ``max_lr``
========================  ===============================  ====================================================

**A chain runs its schedules one after the other**, as ``torch.optim.lr_scheduler.SequentialLR`` does:
each schedule but the last runs for its own length (``total_iters`` of ``constant``, ``linear`` and
``polynomial``, ``T_max`` of ``cosine``) and the next starts where it stops, from its own step 0 and the
optimizer's ``lr``; the last runs to the end. So ``linear:start_factor=0.1,total_iters=10@cosine:T_max=190``
is a 10-step warm-up followed by 190 steps of cosine decay: torch's
``SequentialLR(opt, [LinearLR(...), CosineAnnealingLR(...)], milestones=[10])``. A schedule without a
length of its own (step, multistep, exponential, warm restarts) can only come last, and ``onecycle`` and
``cyclic``, which set absolute rates, stand alone.

``onecycle`` and ``cyclic`` set the rate themselves (torch overwrites the optimizer's ``lr``); torch's
default ``cycle_momentum=True`` also cycles the momentum, which the rules here do not: here it is false,
and ``cycle_momentum=true`` is refused rather than ignored.

Powers and cosines are correctly rounded (:mod:`trajectories.core.portable`), so a schedule gives the same
rates on every machine. The values agree with torch's to 1e-12 (``tests/test_schedules.py``).

>>> chain = parse_schedules("linear:start_factor=0.5,total_iters=2@step:step_size=2,gamma=0.5")
>>> [chain.rate(1.0, t) for t in range(6)]
[0.5, 0.75, 1.0, 1.0, 0.5, 0.5]
>>> chain.to_text()
'linear:start_factor=0.5,total_iters=2@step:step_size=2,gamma=0.5'
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from ..errors import SpecError
from . import portable
from .keywords import parse_keywords
from .transforms import GradientTransformation, in_place

Params = Mapping[str, Any]
REQUIRED = object()  # the default of a parameter torch requires


@dataclass(frozen=True)
class Parameter:
    """One schedule parameter, named as torch names it: its kind (``int``, ``float``, ``bool``, ``choice``
    or ``ints``), default (:data:`REQUIRED` when torch has none), and the check of its value."""

    kind: str
    default: Any = REQUIRED
    check: Callable[[Any], bool] = lambda value: True
    needs: str = ""
    choices: tuple[str, ...] = ()


def _positive(value: float) -> bool:
    return value > 0


def _nonnegative(value: float) -> bool:
    return value >= 0


def _finite(value: float) -> bool:
    return math.isfinite(value)


@dataclass(frozen=True)
class Kind:
    """A schedule kind: torch's class, its parameters, and its rate (and length, when it has one)."""

    torch_class: str
    parameters: Mapping[str, Parameter]
    rate: Callable[[Params, float, int], float]
    length: Callable[[Params], int] | None = None
    absolute: bool = False  # sets the rate itself, ignoring the optimizer's lr
    refused: Mapping[str, str] = field(default_factory=dict)


def _cosine_factor(t: float, period: float) -> float:
    return (1.0 + portable.cos(math.pi * t / period)) / 2.0


def _constant(p: Params, base: float, t: int) -> float:
    return base * p["factor"] if t < p["total_iters"] else base


def _linear(p: Params, base: float, t: int) -> float:
    start, end, n = p["start_factor"], p["end_factor"], p["total_iters"]
    return base * (start + (end - start) * min(n, t) / n)


def _step(p: Params, base: float, t: int) -> float:
    return base * portable.power(p["gamma"], float(t // p["step_size"]))


def _multistep(p: Params, base: float, t: int) -> float:
    return base * portable.power(p["gamma"], float(bisect.bisect_right(sorted(p["milestones"]), t)))


def _exponential(p: Params, base: float, t: int) -> float:
    return base * portable.power(p["gamma"], float(t))


def _cosine(p: Params, base: float, t: int) -> float:
    eta = p["eta_min"]
    return eta + (base - eta) * _cosine_factor(t, p["T_max"])


def _warm_restarts(p: Params, base: float, t: int) -> float:
    r"""Update ``t``'s place in its cycle, as torch's ``T_cur`` and ``T_i`` stepped one update at a time reach it:
    with ``T_mult == 1`` every cycle is ``T_0`` long (``T_cur = t mod T_0``); otherwise cycle ``i`` starts at
    :math:`T_0 (T_{mult}^i - 1) / (T_{mult} - 1)`, so the cycles passed number at most :math:`\log_2 t`, counted in
    whole numbers (no rounding of a logarithm at a restart)."""
    period, current = p["T_0"], t
    if p["T_mult"] == 1:
        current = t % period
    while current >= period:  # T_mult >= 2: at most log2(t) cycles
        current -= period
        period *= p["T_mult"]
    eta = p["eta_min"]
    return eta + (base - eta) * _cosine_factor(current, period)


def _polynomial(p: Params, base: float, t: int) -> float:
    n = p["total_iters"]
    return base * portable.power(1.0 - min(t, n) / n, p["power"])


def _onecycle_steps(p: Params) -> int:
    if p["total_steps"] is not None:
        return p["total_steps"]
    return p["epochs"] * p["steps_per_epoch"]


def _onecycle(p: Params, base: float, t: int) -> float:
    total = _onecycle_steps(p)
    top = p["max_lr"]
    start = top / p["div_factor"]
    low = start / p["final_div_factor"]
    rise = float(p["pct_start"] * total) - 1
    if p["three_phase"]:
        phases = [(rise, start, top), (float(2 * p["pct_start"] * total) - 2, top, start), (total - 1, start, low)]
    else:
        phases = [(rise, start, top), (total - 1, top, low)]
    begin = 0.0
    for i, (end, high, finish) in enumerate(phases):
        if t <= end or i == len(phases) - 1:
            pct = (t - begin) / (end - begin)
            if p["anneal_strategy"] == "cos":
                return finish + (high - finish) / 2.0 * (portable.cos(math.pi * pct) + 1)
            return (finish - high) * pct + high
        begin = end
    raise AssertionError("unreachable: the last phase always answers")


def _cyclic(p: Params, base: float, t: int) -> float:
    up = float(p["step_size_up"])
    down = float(p["step_size_down"]) if p["step_size_down"] is not None else up
    total = up + down
    ratio = up / total
    cycle = math.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    scale = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    height = (p["max_lr"] - p["base_lr"]) * scale
    if p["mode"] == "triangular":
        return p["base_lr"] + height
    if p["mode"] == "triangular2":
        return p["base_lr"] + height * (1 / portable.power(2.0, float(cycle - 1)))
    return p["base_lr"] + height * portable.power(p["gamma"], float(t))  # exp_range: per iteration


_NO_MOMENTUM = "the momentum is not cycled here (cycle_momentum is false)"
_CYCLE_MOMENTUM = Parameter("bool", False, lambda value: not value, "false: the rules here cannot cycle the momentum")

KINDS: dict[str, Kind] = {
    "constant": Kind("ConstantLR", {
        "factor": Parameter("float", 1.0 / 3, lambda v: 0 < v <= 1, "in (0, 1]"),
        "total_iters": Parameter("int", 5, _nonnegative, ">= 0"),
    }, _constant, lambda p: p["total_iters"]),
    "linear": Kind("LinearLR", {
        "start_factor": Parameter("float", 1.0 / 3, lambda v: 0 < v <= 1, "in (0, 1]"),
        "end_factor": Parameter("float", 1.0, lambda v: 0 <= v <= 1, "in [0, 1]"),
        "total_iters": Parameter("int", 5, _positive, ">= 1"),
    }, _linear, lambda p: p["total_iters"]),
    "step": Kind("StepLR", {
        "step_size": Parameter("int", REQUIRED, _positive, ">= 1"),
        "gamma": Parameter("float", 0.1, _nonnegative, ">= 0"),
    }, _step),
    "multistep": Kind("MultiStepLR", {
        "milestones": Parameter("ints", REQUIRED, lambda v: all(m >= 0 for m in v), "whole numbers >= 0"),
        "gamma": Parameter("float", 0.1, _nonnegative, ">= 0"),
    }, _multistep),
    "exponential": Kind("ExponentialLR", {
        "gamma": Parameter("float", REQUIRED, _nonnegative, ">= 0"),
    }, _exponential),
    "cosine": Kind("CosineAnnealingLR", {
        "T_max": Parameter("int", REQUIRED, _positive, ">= 1"),
        "eta_min": Parameter("float", 0.0, _nonnegative, ">= 0"),
    }, _cosine, lambda p: p["T_max"]),
    "cosine_warm_restarts": Kind("CosineAnnealingWarmRestarts", {
        "T_0": Parameter("int", REQUIRED, _positive, ">= 1"),
        "T_mult": Parameter("int", 1, _positive, ">= 1"),
        "eta_min": Parameter("float", 0.0, _nonnegative, ">= 0"),
    }, _warm_restarts),
    "polynomial": Kind("PolynomialLR", {
        "total_iters": Parameter("int", 5, _positive, ">= 1"),
        "power": Parameter("float", 1.0, _nonnegative, ">= 0"),
    }, _polynomial, lambda p: p["total_iters"]),
    "onecycle": Kind("OneCycleLR", {
        "max_lr": Parameter("float", REQUIRED, _nonnegative, ">= 0"),
        "total_steps": Parameter("int", None, _positive, ">= 1"),
        "epochs": Parameter("int", None, _positive, ">= 1"),
        "steps_per_epoch": Parameter("int", None, _positive, ">= 1"),
        "pct_start": Parameter("float", 0.3, lambda v: 0 <= v <= 1, "in [0, 1]"),
        "anneal_strategy": Parameter("choice", "cos", choices=("cos", "linear")),
        "cycle_momentum": _CYCLE_MOMENTUM,
        "div_factor": Parameter("float", 25.0, _positive, "> 0"),
        "final_div_factor": Parameter("float", 1e4, _positive, "> 0"),
        "three_phase": Parameter("bool", False),
    }, _onecycle, _onecycle_steps, absolute=True,
        refused={"base_momentum": _NO_MOMENTUM, "max_momentum": _NO_MOMENTUM}),
    "cyclic": Kind("CyclicLR", {
        "base_lr": Parameter("float", REQUIRED, _nonnegative, ">= 0"),
        "max_lr": Parameter("float", REQUIRED, _nonnegative, ">= 0"),
        "step_size_up": Parameter("int", 2000, _positive, ">= 1"),
        "step_size_down": Parameter("int", None, _positive, ">= 1"),
        "mode": Parameter("choice", "triangular", choices=("triangular", "triangular2", "exp_range")),
        "gamma": Parameter("float", 1.0, _nonnegative, ">= 0"),
        "cycle_momentum": _CYCLE_MOMENTUM,
    }, _cyclic, absolute=True, refused={
        "base_momentum": _NO_MOMENTUM, "max_momentum": _NO_MOMENTUM,
        "scale_fn": "a Python function cannot be given in a spec: use mode",
        "scale_mode": "it goes with scale_fn: use mode",
    }),
}


def _value(name: str, key: str, parameter: Parameter, value: Any) -> Any:
    """``value`` (text from a spec, or a TOML/Python value) as the parameter's kind, checked."""
    where = f"{name}: {key}"
    if value is None and parameter.default is None:
        return None
    if parameter.kind == "bool":
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            value = value.strip().lower() == "true"
        if not isinstance(value, bool):
            raise SpecError(f"{where} must be true or false, got {value!r}")
    elif parameter.kind == "choice":
        if value not in parameter.choices:
            raise SpecError(f"{where} must be one of {', '.join(parameter.choices)}, got {value!r}")
    elif parameter.kind == "ints":
        if isinstance(value, str):
            text = value.strip()
            if not (text.startswith("[") and text.endswith("]")):
                raise SpecError(f"{where} must be a list of whole numbers such as [30,80], got {_cut(value)}")
            value = [item for item in text[1:-1].split(",") if item.strip()]
        if not isinstance(value, (list, tuple)) or not value:
            raise SpecError(f"{where} must be a list of whole numbers such as [30,80], got {_cut(value)}")
        if len(value) > MAX_MILESTONES:
            raise SpecError(f"{where} has {len(value)} values; at most {MAX_MILESTONES}")
        value = tuple(_whole(where, item) for item in value)
    elif parameter.kind == "int":
        value = _whole(where, value)
    else:
        value = _number(where, value)
    if parameter.kind != "choice" and not parameter.check(value):
        raise SpecError(f"{where} must be {parameter.needs}, got {_format(value)}")
    return value


MAX_MILESTONES = 100
"""The most values of a list parameter (``multistep``'s milestones): each is a line in the legend's text,
and 200,000 of them took minutes to draw."""
MAX_CHAIN = 20
"""The most schedules in one chain: each is a part of the legend's text (5,000 took seconds to check and draw)."""


def _cut(value: Any, limit: int = 60) -> str:
    """``repr(value)``, at most ``limit`` characters (an error message stays one short line)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _whole(where: str, value: Any) -> int:
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise SpecError(f"{where} must be a whole number, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise SpecError(f"{where} must be a whole number, got {value!r}")
    return value


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool):
        raise SpecError(f"{where} must be a number, got {value!r}")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise SpecError(f"{where} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise SpecError(f"{where} must be a finite number, got {value!r}")
    return number


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ",".join(str(v) for v in value) + "]"
    return repr(value) if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class Schedule:
    """One schedule: its name (a key of :data:`KINDS`) and every parameter, defaults filled in."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        kind = KINDS.get(self.name)
        if kind is None:
            raise SpecError(f"unknown schedule {self.name!r} (schedules: {', '.join(KINDS)})")
        for key in self.params:
            if key in kind.refused:
                raise SpecError(f"{self.name}: {key} is not supported: {kind.refused[key]}")
            if key not in kind.parameters:
                raise SpecError(
                    f"{self.name}: torch's {kind.torch_class} has no parameter {key!r} "
                    f"(parameters: {', '.join(kind.parameters)})"
                )
        merged = {}
        for key, parameter in kind.parameters.items():
            if key in self.params:
                merged[key] = _value(self.name, key, parameter, self.params[key])
            elif parameter.default is REQUIRED:
                raise SpecError(f"{self.name}: {key} is required, e.g. {self.name}:{key}=...")
            else:
                merged[key] = parameter.default
        if self.name == "onecycle" and merged["total_steps"] is None and (
            merged["epochs"] is None or merged["steps_per_epoch"] is None
        ):
            raise SpecError("onecycle: give total_steps, or epochs and steps_per_epoch")
        object.__setattr__(self, "params", MappingProxyType(merged))

    @property
    def kind(self) -> Kind:
        return KINDS[self.name]

    @property
    def length(self) -> int | None:
        """Updates this schedule runs for before the next one of a chain starts (``None``: no end)."""
        return self.kind.length(self.params) if self.kind.length is not None else None

    def rate(self, base: float, t: int) -> float:
        """The learning rate of this schedule's update ``t`` (from 0) for an optimizer ``lr`` of ``base``."""
        return self.kind.rate(self.params, base, t)

    def to_text(self) -> str:
        """``NAME[:key=value,...]`` with the parameters that differ from the defaults, required ones first."""
        given = [f"{key}={_format(value)}" for key, value in self.params.items()
                 if self.kind.parameters[key].default is REQUIRED or value != self.kind.parameters[key].default]
        return self.name + (":" + ",".join(given) if given else "")


@dataclass(frozen=True)
class ScheduleChain:
    """Schedules run one after the other (torch's ``SequentialLR``); see the module's docstring."""

    schedules: tuple[Schedule, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedules", tuple(self.schedules))
        if not self.schedules:
            raise SpecError("a schedule chain needs at least one schedule")
        if len(self.schedules) > MAX_CHAIN:
            raise SpecError(f"a schedule chain holds at most {MAX_CHAIN} schedules, got {len(self.schedules)}")
        for schedule in self.schedules[:-1]:
            if schedule.kind.absolute:
                raise SpecError(f"{schedule.name} sets the learning rate itself and cannot be chained")
            if schedule.length is None:
                raise SpecError(
                    f"{schedule.name} has no length of its own, so nothing can follow it in a chain: put it last"
                )
        if len(self.schedules) > 1 and self.schedules[-1].kind.absolute:
            raise SpecError(f"{self.schedules[-1].name} sets the learning rate itself and cannot be chained")

    def milestones(self) -> list[int]:
        """The updates at which each schedule after the first starts (``SequentialLR``'s milestones)."""
        marks, total = [], 0
        for schedule in self.schedules[:-1]:
            total += schedule.length or 0
            marks.append(total)
        return marks

    def rate(self, base: float, t: int) -> float:
        """The learning rate of update ``t`` (from 0) for an optimizer ``lr`` of ``base``."""
        marks = self.milestones()
        index = bisect.bisect_right(marks, t)
        begin = marks[index - 1] if index else 0
        return self.schedules[index].rate(base, t - begin)

    def rates(self, base: float, steps: int) -> list[float]:
        """The learning rates of updates ``0 .. steps - 1``."""
        return [self.rate(base, t) for t in range(steps)]

    def check_steps(self, steps: int) -> None:
        """Refuse more updates than the schedule allows (torch raises for one-cycle past ``total_steps``)."""
        last = self.schedules[-1]
        if last.name == "onecycle" and steps > last.length:
            raise SpecError(
                f"onecycle: {steps} steps are more than its {last.length} total steps "
                "(torch refuses to step past them): give total_steps >= steps"
            )

    def first_overflow(self, base: float, steps: int) -> tuple[int, float] | None:
        """The first of ``steps`` updates whose rate is not a finite number, with that rate, or ``None``.
        Only a schedule that grows (a ``gamma`` above 1) can overflow; the others stay within the
        optimizer's ``lr`` and their own finite rates, so their rates are not computed."""
        if not any(schedule.params.get("gamma", 0.0) > 1 for schedule in self.schedules):
            return None
        for t in range(steps):
            rate = self.rate(base, t)
            if not math.isfinite(rate):
                return t, rate
        return None

    def to_text(self) -> str:
        return "@".join(schedule.to_text() for schedule in self.schedules)

    def legend(self) -> str:
        """How a legend names the chain: ``warm-up 10 → cosine T_max=190`` style, from the spec text."""
        return " → ".join(schedule.to_text().replace(":", " ").replace(",", ", ") for schedule in self.schedules)


def make_chain(schedules: Sequence[Schedule]) -> ScheduleChain:
    """A checked chain of ``schedules``."""
    return ScheduleChain(tuple(schedules))


def parse_schedule(text: str) -> Schedule:
    """One ``NAME[:key=value,...]`` schedule."""
    name, colon, rest = text.strip().partition(":")
    name = name.strip()
    if not name:
        raise SpecError(f"a schedule needs a name after '@' (schedules: {', '.join(KINDS)})")
    params: dict[str, str] = {}
    if rest.strip():
        params = parse_keywords(name, rest, text.strip())
    elif colon:
        raise SpecError(f"{name}: nothing after ':' in {text.strip()!r}")
    return Schedule(name, params)


def parse_schedules(text: str) -> ScheduleChain:
    """``SCHEDULE[@SCHEDULE...]`` as a checked chain."""
    return make_chain([parse_schedule(part) for part in text.split("@")])


def split_spec(text: str) -> tuple[str, ScheduleChain | None]:
    """An optimizer spec's text without its schedules, and the schedules after its first ``@`` (or None)."""
    spec, at, rest = text.partition("@")
    if not at:
        return text, None
    return spec, parse_schedules(rest)


def schedule_of(value: Any) -> ScheduleChain | None:
    """A chain from spec text (``"linear:total_iters=10@cosine:T_max=90"``), a list of TOML/Python tables
    (``[{"name": "cosine", "T_max": 90}]``), a :class:`Schedule`, a chain, or ``None``."""
    if value is None or isinstance(value, ScheduleChain):
        return value
    if isinstance(value, Schedule):
        return make_chain([value])
    if isinstance(value, str):
        return parse_schedules(value)
    if isinstance(value, Mapping):
        value = [value]
    if isinstance(value, (list, tuple)) and value:
        schedules = []
        for table in value:
            if isinstance(table, Schedule):
                schedules.append(table)
                continue
            if not isinstance(table, Mapping) or not isinstance(table.get("name"), str):
                raise SpecError(f"a schedule is a table with a name (schedules: {', '.join(KINDS)}), got {table!r}")
            schedules.append(Schedule(table["name"], {k: v for k, v in table.items() if k != "name"}))
        return make_chain(schedules)
    raise SpecError(f"a schedule is spec text such as 'cosine:T_max=100' or a list of tables, got {value!r}")


class ScheduleState(NamedTuple):
    count: int


def scale_by_schedule(chain: ScheduleChain, base: float) -> GradientTransformation:
    r"""Multiply the incoming step by :math:`\alpha_t` of ``chain`` (the rule before it has ``lr = 1``)."""

    def init(params: Any) -> ScheduleState:
        return ScheduleState(0)

    def step(grads: Any, state: ScheduleState, params: Any) -> tuple[Any, ScheduleState]:
        out = grads if grads.flags.writeable else None  # a state array passed on: a new array
        return np.multiply(grads, chain.rate(base, state.count), out=out), ScheduleState(state.count + 1)

    return in_place(init, step)
