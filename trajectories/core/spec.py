"""Optimizer specs: ``NAME[:key=value,...]`` text <-> a frozen, validated :class:`OptimizerSpec`.

>>> spec = parse_optimizer("rmsprop:lr=0.02,alpha=0.9,centered=true")
>>> spec.name, spec.params["lr"], spec.params["centered"]
('rmsprop', 0.02, True)
>>> parse_optimizer("sgd:lr=0.1,clip_norm=1").to_text()
'sgd:lr=0.1,clip_norm=1.0'
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..errors import SpecError
from . import optimizers
from .keywords import parse_keywords
from .schedules import ScheduleChain, scale_by_schedule, schedule_of, split_spec
from .transforms import GradientTransformation, chain


@dataclass(frozen=True)
class OptimizerSpec:
    """An optimizer by name with every hyperparameter (defaults filled in) and a label for legends.

    ``params`` holds every hyperparameter of the rule (:func:`trajectories.core.optimizers.hyperparameters`),
    then ``clip_norm`` and ``clip_value`` (:data:`trajectories.core.optimizers.CLIPPING`) only when given: every
    value is a number or a boolean. ``schedule`` (spec text, tables or a
    :class:`~trajectories.core.schedules.ScheduleChain`) makes the learning rate change per update, as torch's
    ``lr_scheduler`` does (:mod:`trajectories.core.schedules`).
    """

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""
    schedule: ScheduleChain | None = None

    def __post_init__(self) -> None:
        try:
            defaults = optimizers.hyperparameters(self.name)
        except KeyError as error:
            raise SpecError(error.args[0]) from None
        known = [*defaults, *optimizers.CLIPPING]
        unknown = sorted(set(self.params) - set(known))
        if unknown:
            raise SpecError(
                f"{self.name}: unknown hyperparameter {unknown[0]!r} (known: {', '.join(known)})"
            )
        merged = {
            key: _coerce(self.name, key, self.params.get(key, default), default) for key, default in defaults.items()
        }
        for key in optimizers.CLIPPING:  # kept only when given: None (off) is not a number for JSON exports
            if self.params.get(key) is not None:
                merged[key] = _as_float(self.name, key, self.params[key])  # with_clipping checks > 0
        try:
            optimizers.build(self.name, **merged)
        except ValueError as error:
            raise SpecError(f"{self.name}: {error}") from None
        object.__setattr__(self, "params", MappingProxyType(merged))
        object.__setattr__(self, "schedule", schedule_of(self.schedule))
        if not self.label:
            object.__setattr__(self, "label", self.name)

    def build(self) -> GradientTransformation:
        """The optimizer's ``(init, update)`` pair, behind its gradient clipping if any (with a schedule: the
        rule at lr 1, its step then scaled by the schedule's rate, as every rule's step is lr times a
        direction)."""
        if self.schedule is not None:
            unit = optimizers.build(self.name, **{**self.params, "lr": 1.0})
            return chain(unit, scale_by_schedule(self.schedule, self.params["lr"]))
        return optimizers.build(self.name, **self.params)

    def learning_rates(self, steps: int) -> list[float] | None:
        """The learning rate of each of ``steps`` updates under the schedule (``None`` without one)."""
        return None if self.schedule is None else self.schedule.rates(self.params["lr"], steps)

    def base_rate(self) -> float | None:
        """The learning rate without a schedule: ``lr``."""
        return float(self.params["lr"])

    def check_steps(self, steps: int) -> None:
        """Refuse a number of updates the schedule cannot give: one-cycle past its total steps, or a rate that
        overflows (``exponential:gamma=1e308`` gives ``inf`` at the second update)."""
        if self.schedule is not None:
            self.schedule.check_steps(steps)
            overflow = self.schedule.first_overflow(self.params["lr"], steps)
            if overflow is not None:
                raise SpecError(f"{self.to_text()}: the learning rate of update {overflow[0]} is {overflow[1]}, not "
                                "a finite number: use a smaller gamma or fewer steps")

    def changed(self) -> dict[str, Any]:
        """The hyperparameters that differ from the defaults (clipping keys, when present, always do)."""
        defaults = optimizers.hyperparameters(self.name)
        return {key: value for key, value in self.params.items() if key not in defaults or value != defaults[key]}

    def to_text(self) -> str:
        """Spec text that parses back to an equal spec (only the non-default values)."""
        changed = self.changed()
        text = self.name
        if changed:
            text += ":" + ",".join(f"{key}={_format(value)}" for key, value in changed.items())
        return text + ("@" + self.schedule.to_text() if self.schedule is not None else "")


@dataclass(frozen=True)
class AdapterSpec(OptimizerSpec):
    """An optimizer from another library: ``torch:MODULE.CLASS`` or ``optax:MODULE.FUNCTION`` with the
    keywords its constructor (or factory) takes, plus our clipping keys (see
    :mod:`trajectories.adapters`). ``params`` holds only the keywords given; ``source`` is the class or
    factory itself when a scene passed it directly (:meth:`of`)."""

    source: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        from ..adapters import dispatch

        if self.schedule is not None:
            raise SpecError(
                f"{self.name}: learning-rate schedules (@...) apply to our own optimizers; "
                "a torch: or optax: optimizer takes its rate as a keyword"
            )
        params = dict(self.params)
        clipping = {key: _as_float(self.name, key, params.pop(key)) for key in optimizers.CLIPPING if key in params}
        try:
            optimizers.with_clipping(optimizers.build("sgd"), **clipping)
        except ValueError as error:
            raise SpecError(f"{self.name}: {error}") from None
        checked, target = dispatch.normalise(self.name, params, self.source)
        object.__setattr__(self, "params", MappingProxyType({**checked, **clipping}))
        object.__setattr__(self, "source", target)  # resolved once, where the name was read: never again
        if not self.label:
            object.__setattr__(self, "label", self.to_text())

    @classmethod
    def of(cls, source: Any, label: str = "", **keywords: Any) -> AdapterSpec:
        """A spec for a ``torch.optim.Optimizer`` subclass or an optax factory passed directly:
        ``AdapterSpec.of(torch.optim.SGD, lr=0.1)``."""
        from ..adapters import dispatch

        return cls(dispatch.name_of(source), keywords, label=label, source=source)

    def build(self) -> GradientTransformation:
        from ..adapters import dispatch

        params = dict(self.params)
        clipping = {key: params.pop(key) for key in optimizers.CLIPPING if key in params}
        return optimizers.with_clipping(dispatch.transformation(self.name, params, self.source), **clipping)

    def changed(self) -> dict[str, Any]:
        return dict(self.params)

    def base_rate(self) -> float | None:
        """The rate given as ``lr`` (torch) or ``learning_rate`` (optax), else the constructor's default for it,
        when it is a number; ``None`` otherwise (a schedule function, or no such keyword)."""
        value = self.params.get("lr", self.params.get("learning_rate"))
        if value is None and self.source is not None:
            try:
                parameters = inspect.signature(self.source).parameters
            except (TypeError, ValueError):
                parameters = {}
            defaults = [parameters[key].default for key in ("lr", "learning_rate") if key in parameters]
            value = defaults[0] if defaults else None
        number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        return float(value) if number else None

    def to_text(self) -> str:
        from ..adapters.values import format_value

        if not self.params:
            return self.name
        return self.name + ":" + ",".join(f"{key}={format_value(value)}" for key, value in self.params.items())


def make_spec(name: str, params: Mapping[str, Any], label: str = "", schedule: Any = None) -> OptimizerSpec:
    """An :class:`OptimizerSpec`, or an :class:`AdapterSpec` for a ``torch:``/``optax:`` name (TOML)."""
    from ..adapters.values import adapter_kind

    if isinstance(name, str) and adapter_kind(name):
        return AdapterSpec(name.strip(), params, label, schedule=schedule)
    return OptimizerSpec(name, params, label, schedule=schedule)


def _format(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else repr(value)


def _coerce(name: str, key: str, value: Any, default: Any) -> Any:
    """``value`` as the type of ``default`` (bool or float), from text or a number."""
    where = f"{name}: {key}"
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise SpecError(f"{where} must be true or false, got {value!r}")
    number = _as_float(name, key, value)
    if not math.isfinite(number):
        raise SpecError(f"{where} must be a finite number, got {value!r}")
    return number


def _as_float(name: str, key: str, value: Any) -> float:
    """``value`` (text or a number, not a boolean) as a float, possibly infinite or NaN."""
    if isinstance(value, bool):
        raise SpecError(f"{name}: {key} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SpecError(f"{name}: {key} must be a number, got {value!r}") from None


def parse_optimizer(text: str) -> OptimizerSpec:
    """Parse ``NAME[:key=value,...]``; raises :class:`SpecError` with a one-line message."""
    if not isinstance(text, str) or not text.strip():
        raise SpecError("an optimizer spec needs a name, e.g. 'adam' or 'sgd:lr=0.1,momentum=0.9'")
    if not text.strip().isprintable():  # a line break or control character would split the error line too
        raise SpecError(f"an optimizer spec is one line of printable text, got {text.strip()!r}")
    optimizer_text, schedule = split_spec(text.strip())
    from ..adapters.values import adapter_kind, split_adapter_text

    if adapter_kind(optimizer_text):  # torch:MODULE.CLASS[:k=v,...] or optax:MODULE.FUNCTION[:k=v,...]
        kind, target, keywords = split_adapter_text(optimizer_text)
        return AdapterSpec(f"{kind}:{target}", keywords, label=optimizer_text.strip(), schedule=schedule)
    name, _, rest = optimizer_text.strip().partition(":")
    name = name.strip()
    params: dict[str, str] = {}
    if rest.strip():
        params = parse_keywords(name, rest, text.strip())
    elif _:
        raise SpecError(f"{name}: nothing after ':' in {text.strip()!r}")
    return OptimizerSpec(name, params, label=text.strip(), schedule=schedule)
