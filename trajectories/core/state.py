r"""What an optimizer holds, step by step: recorded by the runner on request, and what overlays draw.

``run(..., record_state=True)`` keeps, for every update :math:`t` (from 0) and start point:

- ``gradient``: the gradient :math:`g_t` the update used (the noisy one in a stochastic run);
- ``step``: the update actually taken, :math:`\theta_{t+1} - \theta_t` (before the escape check);
- the rule's buffers after the update, by the names of :mod:`trajectories.core.transforms`' states:
  ``velocity`` (SGD's momentum buffer :math:`b_t`, the article's :math:`v_t`, RMSProp's momentum
  buffer), ``mu`` and ``nu`` (Adam's raw moments :math:`m_t`, :math:`v_t`), ``nu_max`` (AMSGrad),
  ``square_avg`` and ``grad_avg`` (RMSProp's :math:`s_t` and :math:`\bar g_t`, Adagrad's sum), ``u``
  (Adamax), ``delta_avg`` (Adadelta).

Each is an array ``(steps, ..., 2)``, NaN from the update that left the escape box on. From them,
:func:`velocity` picks the momentum buffer and :func:`effective_rates` computes the per-coordinate learning
rate :math:`\alpha_t / (\sqrt{\hat v_t} + \epsilon)` of the adaptive rules, each as its rule defines it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .portable import power
from .spec import OptimizerSpec

Array = np.ndarray
BUFFERS = ("velocity", "mu", "nu", "nu_max", "square_avg", "grad_avg", "u", "delta_avg")
"""The state fields recorded, by name (fields of other shapes, such as step counts, are not)."""


def state_arrays(state: Any, shape: tuple[int, ...]) -> dict[str, Array]:
    """The arrays of shape ``shape`` in an optimizer's (nested) state, by field name (the first of a name)."""
    found: dict[str, Array] = {}
    pending = [state]
    while pending:
        item = pending.pop(0)
        fields = getattr(item, "_fields", None)
        if fields is not None:
            for name in fields:
                value = getattr(item, name)
                if name in BUFFERS and isinstance(value, np.ndarray) and value.shape == shape:
                    found.setdefault(name, value)
                elif isinstance(value, tuple):
                    pending.append(value)
        elif isinstance(item, tuple):
            pending.extend(item)
    return found


class StateRecorder:
    """Collects the gradient, step and buffers of each update of a run (see the module docstring)."""

    def __init__(self, steps: int, shape: tuple[int, ...]) -> None:
        self.steps, self.shape = steps, shape
        self.arrays: dict[str, Array] = {}

    def add(self, t: int, gradient: Array, step: Array, state: Any) -> None:
        for name, value in {"gradient": gradient, "step": step, **state_arrays(state, self.shape)}.items():
            if name not in self.arrays:
                self.arrays[name] = np.full((self.steps, *self.shape), np.nan)
            self.arrays[name][t] = value

    def result(self, diverged_step: Array) -> dict[str, Array]:
        """The records, NaN from the update that led out of the escape box (``diverged_step - 1``) on."""
        updates = np.arange(self.steps).reshape(-1, *([1] * (len(self.shape) - 1)))
        gone = (diverged_step >= 0) & (updates >= diverged_step - 1)
        return {name: np.where(gone[..., None], np.nan, values) for name, values in self.arrays.items()}


def velocity(spec: OptimizerSpec, record: Mapping[str, Array]) -> Array | None:
    """The momentum buffer: ``velocity`` (SGD, the article's momentum, RMSProp with momentum) or Adam's
    first moment ``mu``; ``None`` for a rule without one (SGD and RMSProp with momentum 0 among them)."""
    if spec.params.get("momentum", None) == 0:
        return None
    for name in ("velocity", "mu"):
        if name in record:
            return record[name]
    return None


def effective_rates(spec: OptimizerSpec, record: Mapping[str, Array]) -> Array | None:
    r"""The per-coordinate learning rate of update ``t``, ``(steps, ..., 2)``, or ``None`` for a rule
    without one (Adamax, NAdam, RAdam, Adadelta and Lion here):

    - SGD and the article's momentum: :math:`\alpha_t` on both axes, the rate the adaptive rules rescale;
    - Adam, AdamW: :math:`\alpha_t / (\sqrt{\hat v_t} + \epsilon)` with
      :math:`\hat v_t = v_t / (1 - \beta_2^{t+1})` (AMSGrad: the running maximum; without bias correction:
      :math:`v_t`; with ``eps_hat``: :math:`\alpha_t \sqrt{1-\beta_2^{t+1}} / (\sqrt{v_t} + \epsilon)`);
    - RMSProp: :math:`\alpha_t / (\sqrt{s_t - \bar g_t^2} + \epsilon)` (ε inside the root with
      ``eps_inside_sqrt``; :math:`\bar g_t = 0` unless centred);
    - Adagrad: :math:`\alpha_t / (1 + t\eta) / (\sqrt{s_t} + \epsilon)`.
    """
    p = spec.params
    if "lr" not in p:  # an adapter's optimizer: what it holds is its own
        return None
    steps = len(record["step"])
    rates = spec.learning_rates(steps) or [p["lr"]] * steps
    lr = np.array(rates).reshape(-1, *([1] * (record["step"].ndim - 1)))
    count = np.arange(1, steps + 1).reshape(lr.shape)
    if spec.name in ("adam", "adamw"):
        second = record["nu_max"] if p.get("amsgrad") else record["nu"]
        if not p.get("bias_correction", True):
            return lr / (np.sqrt(second) + p["eps"])
        correction2 = np.array([1.0 - power(p["beta2"], float(t)) for t in range(1, steps + 1)]).reshape(lr.shape)
        if p.get("eps_hat"):
            return lr * np.sqrt(correction2) / (np.sqrt(second) + p["eps"])
        return lr / (np.sqrt(second / correction2) + p["eps"])
    if spec.name == "rmsprop":
        variance = record["square_avg"] - (record["grad_avg"] ** 2 if p["centered"] else 0.0)
        root = np.sqrt(variance + p["eps"]) if p["eps_inside_sqrt"] else np.sqrt(variance) + p["eps"]
        return lr / root
    if spec.name == "adagrad":
        return lr / (1.0 + (count - 1) * p["lr_decay"]) / (np.sqrt(record["square_avg"]) + p["eps"])
    if spec.name in ("sgd", "ema_momentum"):
        return np.broadcast_to(lr, record["step"].shape).copy()
    return None


def nice_scale(longest: float, room: float) -> float:
    """A round factor (1, 2 or 5 times a power of ten) that makes ``longest`` at most ``room`` long."""
    if not (math.isfinite(longest) and longest > 0):
        return 1.0
    raw = room / longest
    exponent = math.floor(math.log10(raw))
    for mantissa in (5.0, 2.0, 1.0):
        if mantissa * 10.0**exponent <= raw:
            return mantissa * 10.0**exponent
    return 10.0**exponent


SERIES = {
    "gradient": "|g|",
    "step": "|step|",
    "velocity": "|velocity|",
    "m_hat": "|m̂|",
    "v": "v",
    "v_hat": "v̂",
    "rate": "lr/(√v̂+ε)",
}
"""What a state panel can plot per axis, and how its axis is labelled."""


def _corrections(beta: float, steps: int, shape: tuple[int, ...]) -> Array:
    return np.array([1.0 - power(beta, float(t)) for t in range(1, steps + 1)]).reshape(shape)


def state_series(spec: OptimizerSpec, record: Mapping[str, Array], name: str) -> Array | None:
    r"""A quantity of :data:`SERIES` per update and axis, ``(steps, ..., 2)``, or ``None`` where the rule has none:

    - ``gradient``, ``step``, ``velocity`` (:func:`velocity`): as recorded;
    - ``m_hat``: Adam's :math:`\hat m_t = m_t / (1 - \beta_1^t)` (raw :math:`m_t` without bias correction);
    - ``v``: the raw second moment (Adam's :math:`v_t`; RMSProp's and Adagrad's :math:`s_t`);
    - ``v_hat``: what the rule divides by the root of: Adam's :math:`\hat v_t = v_t / (1 - \beta_2^t)` (AMSGrad's
      maximum; raw without bias correction), RMSProp's :math:`s_t - \bar g_t^2`, Adagrad's :math:`s_t`;
    - ``rate``: :func:`effective_rates`.
    """
    p = spec.params
    if name in ("gradient", "step"):
        return record[name]
    if name == "velocity":
        return velocity(spec, record)
    if name == "rate":
        return effective_rates(spec, record)
    steps = len(record["step"])
    shape = (-1, *([1] * (record["step"].ndim - 1)))
    adam = spec.name in ("adam", "adamw", "nadam", "radam", "adamax") and "mu" in record
    corrected = p.get("bias_correction", True)
    if name == "m_hat":
        if not adam:
            return None
        return record["mu"] / _corrections(p["beta1"], steps, shape) if corrected else record["mu"]
    if name == "v":
        return record.get("nu", record.get("square_avg"))
    if spec.name in ("adam", "adamw"):
        second = record["nu_max"] if p.get("amsgrad") else record["nu"]
        return second / _corrections(p["beta2"], steps, shape) if corrected else second
    if spec.name == "rmsprop":
        return record["square_avg"] - (record["grad_avg"] ** 2 if p["centered"] else 0.0)
    if spec.name == "adagrad":
        return record["square_avg"]
    return None
