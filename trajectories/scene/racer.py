"""A racer: one optimizer in a scene, with its label, colour and (optionally) its own batch size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.spec import AdapterSpec, OptimizerSpec, parse_optimizer
from ..errors import SceneError, SpecError
from ..style.colors import is_color
from ..style.text import text_problem
from .kind import check_positive_int

LEGEND_LENGTH = 100
"""The most characters of a legend entry made from spec text (the label itself, up to
:data:`~trajectories.style.text.MAX_LENGTH`, is never cut): a warm-up and a cosine decay take 88; wider
entries no longer fit a 640-pixel frame at the legend's smallest font."""
LEGEND_KEYS = {"momentum", "beta", "beta1", "beta2", "alpha", "rho", "weight_decay", "centered", "amsgrad"}


@dataclass(frozen=True)
class Racer:
    """One optimizer in a scene: its spec (text or :class:`OptimizerSpec`), the label in the legend, its
    colour (``None``: the theme's next one) and, optionally, its own mini-batch size (a loss over data:
    full-batch GD beside mini-batch GD). ``Racer("sgd:lr=0.1,momentum=0.9", "Momentum")``."""

    spec: OptimizerSpec | str
    label: str = ""
    color: str | None = None
    batch_size: int | None = None

    @classmethod
    def of(cls, value: Racer | OptimizerSpec | str) -> Racer:
        if isinstance(value, Racer):
            return value
        if isinstance(value, (str, OptimizerSpec)) or callable(value):  # callable: a torch class, an optax factory
            return cls(value)
        raise SceneError(f"an optimizer must be a spec string, an OptimizerSpec or a Racer, got {value!r}")

    def __post_init__(self) -> None:
        if isinstance(self.spec, str):
            try:
                object.__setattr__(self, "spec", parse_optimizer(self.spec))
            except SpecError as error:
                raise SceneError(str(error)) from None
        if not isinstance(self.spec, OptimizerSpec) and callable(self.spec):
            try:
                object.__setattr__(self, "spec", AdapterSpec.of(self.spec))
            except SpecError as error:
                raise SceneError(str(error)) from None
        if not isinstance(self.spec, OptimizerSpec):
            raise SceneError(f"a racer's spec must be a spec string or an OptimizerSpec, got {self.spec!r}")
        if not isinstance(self.label, str):
            raise SceneError(f"a racer's label must be text, got {self.label!r}")
        if not self.label:
            object.__setattr__(self, "label", self.spec.label)
        problem = text_problem(self.label)
        if problem is not None:
            raise SceneError(f"label {problem}")
        if self.color is not None:
            if not is_color(self.color):
                raise SceneError(f"{self.label}: {self.color!r} is not a colour")
        if self.batch_size is not None:
            check_positive_int(f"{self.label}: batch_size", self.batch_size)

    def legend_text(self) -> str:
        """The label, then the key hyperparameters: the learning rate and the non-default values that
        change behaviour at a glance (not ε or convention switches), unless the label is the spec text or
        already gives the rate (``lr=``, as a tuned scene's labels do); then the learning-rate schedule, unless
        the label already spells it. Spec text past ``LEGEND_LENGTH`` (100) characters is cut, with ``...`` (a
        long schedule's milestones took minutes to draw, and a legend entry wider than the frame is lost)."""
        if self.label == self.spec.label or "lr=" in self.label:
            text = self.label
        else:
            changed = self.spec.changed()
            lr = {"lr": self.spec.params["lr"]} if "lr" in self.spec.params else {}  # adapters may have none
            key = {**lr, **{k: v for k, v in changed.items() if k in LEGEND_KEYS}}
            text = f"{self.label} ({', '.join(f'{k}={_short(v)}' for k, v in key.items())})" if key else self.label
        schedule = self.spec.schedule
        if schedule is not None and schedule.to_text() not in text:
            text += f", {schedule.legend()}"
        if len(text) > LEGEND_LENGTH:  # spec text (plain) is cut, a label of the user's own never
            spec_text = self.label in (self.spec.label, self.spec.to_text())
            text = text[:LEGEND_LENGTH - 3 if spec_text else max(len(self.label), LEGEND_LENGTH - 3)] + "..."
        return text


def _short(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else f"{value:g}"

