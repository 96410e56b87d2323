r"""Fair tuning: the learning rate of each optimizer, searched on the same budget.

A search tries ``trials`` learning rates from a range (an even log grid by default, or seeded log-uniform
draws), runs them **as one vectorised batch** (every trial and start moves together, one array
``(trials, starts, 2)``), scores each by a metric, then spends ``refine`` more trials (a quarter of
``trials`` unless told) on an even log grid strictly between the best rate's two neighbours, again as one
batch. The best of all trials wins (ties: the smaller rate), so a grid search is never worse than the best
point of its grid; the refinement finds the better rates between grid points, where a metric is rugged
(near the edge of divergence, the best rates often are). Every optimizer of a tuning gets the same budget and, with the
same seed, the same first-stage rates.

Metrics (lower is better): ``final`` (the loss after the last step), ``mean_last:K`` (the mean loss over
the last ``K`` points), ``steps_to:TOL`` (the first step with :math:`f - f^* \le` TOL, :math:`f^*` the
surface's global minimum or 0 where none is known; ties by the final loss). A trial whose path leaves the
escape box from any start scores :math:`+\infty`: divergence always loses.

Random rates are :math:`\ell \cdot (h/\ell)^u` with :math:`u` from numpy's seeded ``default_rng`` and a
correctly rounded power (:mod:`trajectories.core.portable`), so the same seed gives the same rates, and the
same file, on every machine.

>>> space = parse_param("lr=1e-3..1,log")
>>> [f"{lr:.3g}" for lr in first_stage(space, Budget(4))]
['0.001', '0.01', '0.1', '1']
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..core import optimizers
from ..core.portable import power
from ..core.spec import OptimizerSpec
from ..core.transforms import GradientTransformation
from ..errors import TuneError
from ..surfaces.analytic import Array, Surface
from ..surfaces.gradients import ExactGradient
from .run import run

MAX_TRIALS = 10_000


@dataclass(frozen=True)
class SearchSpace:
    """The range searched, ``low .. high``, on a log scale or a linear one, as the user wrote it (``text``)."""

    key: str
    low: float
    high: float
    log: bool = True
    text: str = ""

    def point(self, u: float) -> float:
        """The rate at fraction ``u`` of the range (log or linear)."""
        if self.log:
            return self.low * power(self.high / self.low, u)
        return self.low + (self.high - self.low) * u


def parse_param(text: str) -> SearchSpace:
    """``lr=LOW..HIGH[,log|,linear]`` (log by default); only the learning rate can be tuned."""
    key, equals, rest = text.partition("=")
    key = key.strip()
    if not equals or ".." not in rest:
        raise TuneError(f"--param: expected KEY=LOW..HIGH[,log|,linear], e.g. lr=1e-5..1,log, got {text!r}")
    if key != "lr":
        raise TuneError(f"--param: only lr can be tuned (every rule's step is lr times its direction), got {key!r}")
    bounds, _, scale = rest.partition(",")
    scale = scale.strip() or "log"
    if scale not in ("log", "linear"):
        raise TuneError(f"--param: the scale is log or linear, got {scale!r}")
    low_text, _, high_text = bounds.partition("..")
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise TuneError(f"--param: LOW and HIGH must be numbers, got {bounds!r}") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise TuneError(f"--param: LOW and HIGH must be finite, got {bounds!r}")
    if low >= high:
        raise TuneError(f"--param: the range must go up, LOW < HIGH, got {low_text.strip()}..{high_text.strip()}")
    if scale == "log" and low <= 0:
        raise TuneError(f"--param: a log range must be positive, got {low_text.strip()}..{high_text.strip()}")
    if low < 0:
        raise TuneError(f"--param: a learning rate is >= 0, got {low_text.strip()}..{high_text.strip()}")
    return SearchSpace(key, low, high, scale == "log", f"{low_text.strip()}..{high_text.strip()}")


@dataclass(frozen=True)
class Budget:
    """How many trials, from which seed (random search), by which search; then ``refine`` more (default
    ``trials // 4``) around the best."""

    trials: int
    seed: int = 0
    search: str = "grid"
    refine: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.trials, bool) or not isinstance(self.trials, int) or not 1 <= self.trials <= MAX_TRIALS:
            raise TuneError(f"--trials must be a whole number from 1 to {MAX_TRIALS}, got {self.trials!r}")
        if self.search not in ("random", "grid"):
            raise TuneError(f"--search must be random or grid, got {self.search!r}")
        if self.refine is None:
            object.__setattr__(self, "refine", self.trials // 4)
        if isinstance(self.refine, bool) or not isinstance(self.refine, int) or not 0 <= self.refine <= MAX_TRIALS:
            raise TuneError(f"--refine must be a whole number from 0 to {MAX_TRIALS}, got {self.refine!r}")

    @property
    def first(self) -> int:
        """Trials of the first stage."""
        return self.trials

    def text(self) -> str:
        """``40+10 trials, grid`` or ``40+10 trials, seed 0``: for legends."""
        count = f"{self.trials}+{self.refine}" if self.refine else f"{self.trials}"
        return f"{count} trials, " + ("grid" if self.search == "grid" else f"seed {self.seed}")


@dataclass(frozen=True)
class Metric:
    """What a trial is scored by (see the module docstring); ``text`` as given."""

    kind: str
    value: float = 0.0
    text: str = "final"

    def scores(self, losses: Array, f_star: float) -> tuple[Array, Array]:
        """``(primary, tie-break)`` per trial from losses ``(steps + 1, trials, starts)``, lower is better,
        averaged over starts; a trial with a NaN (a path gone) scores ``inf``."""
        gone = np.isnan(losses).any(axis=(0, 2))
        final = losses[-1].mean(axis=-1)
        if self.kind == "final":
            primary = final
        elif self.kind == "mean_last":
            primary = losses[-int(self.value):].mean(axis=(0, 2))
        else:
            reached = (losses - f_star) <= self.value
            first = np.where(reached.any(axis=0), reached.argmax(axis=0), losses.shape[0]).astype(float)
            primary = first.mean(axis=-1)
        return np.where(gone, np.inf, primary), np.where(gone, np.inf, final)


def parse_metric(text: str) -> Metric:
    """``final``, ``mean_last:K`` or ``steps_to:TOL``."""
    name, colon, value = text.strip().partition(":")
    if name == "final" and not colon:
        return Metric("final", text="final")
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if name == "mean_last" and number.is_integer() and number >= 1:
        return Metric("mean_last", number, f"mean_last:{int(number)}")
    if name == "steps_to" and math.isfinite(number) and number >= 0:
        return Metric("steps_to", number, f"steps_to:{value.strip()}")
    raise TuneError(f"--metric must be final, mean_last:K (K >= 1) or steps_to:TOL (TOL >= 0), got {text!r}")


def first_stage(space: SearchSpace, budget: Budget) -> list[float]:
    """The first stage's rates: an even grid over the range, or seeded uniform fractions of it."""
    count = budget.first
    if budget.search == "grid":
        fractions = [0.5] if count == 1 else [i / (count - 1) for i in range(count)]
    else:
        fractions = [float(u) for u in np.random.default_rng(budget.seed).random(count)]
    return [space.point(u) for u in fractions]


def refinement(space: SearchSpace, tried: Sequence[float], scores: Sequence[float], count: int) -> list[float]:
    """``count`` rates evenly (log or linear) strictly between the best rate's neighbours among ``tried``."""
    finite = [(score, lr) for score, lr in zip(scores, tried, strict=True) if math.isfinite(score)]
    if not finite or count == 0:
        return []
    best = min(finite)[1]
    ordered = sorted(set(tried))
    index = ordered.index(best)
    below = ordered[index - 1] if index > 0 else space.low
    above = ordered[index + 1] if index + 1 < len(ordered) else space.high
    inner = SearchSpace(space.key, below, above, space.log and below > 0)
    return [inner.point((i + 1) / (count + 1)) for i in range(count)]


def trial_rates(spec: OptimizerSpec, rates: Array) -> GradientTransformation:
    r"""The rule at lr 1, its step scaled per trial by :math:`\alpha_{k,t}` (``rates`` ``(trials,)``: each
    trial's ``lr``, through the spec's schedule if it has one)."""
    unit = optimizers.build(spec.name, **{**spec.params, "lr": 1.0})

    def init(params: Array) -> tuple:
        return (unit.init(params), 0)

    def update(grads: Array, state: tuple, params: Array) -> tuple[Array, tuple]:
        inner, t = state
        direction, inner = unit.update(grads, inner, params)
        if spec.schedule is None:
            scale = rates
        else:
            scale = np.array([spec.schedule.rate(float(rate), t) for rate in rates])
        return direction * scale.reshape(-1, *([1] * (direction.ndim - 1))), (inner, t + 1)

    return GradientTransformation(init, update)


@dataclass(frozen=True)
class Tuned:
    """One optimizer's tuning: the winner, and every trial in the order run."""

    spec: OptimizerSpec
    lr: float
    score: float
    rates: tuple[float, ...] = field(repr=False)
    scores: tuple[float, ...] = field(repr=False)

    @property
    def trials(self) -> int:
        return len(self.rates)


def evaluate(surface: Surface, spec: OptimizerSpec, rates: Sequence[float], starts: Array, steps: int,
             metric: Metric) -> tuple[Array, Array]:
    """Scores of ``rates`` (one batch: every trial and start at once), as :meth:`Metric.scores`."""
    points = np.broadcast_to(np.asarray(starts, dtype=np.float64), (len(rates), *np.shape(starts))).copy()
    path = run(surface, trial_rates(spec, np.asarray(rates, dtype=np.float64)), points, steps,
               gradient=ExactGradient(surface))
    minima = [p.value for p in surface.global_minima]
    return metric.scores(path.losses, min(minima) if minima else 0.0)


def tune(surface: Surface, spec: OptimizerSpec, starts: Array, steps: int, space: SearchSpace, budget: Budget,
         metric: Metric) -> Tuned:
    """Tune ``spec``'s learning rate on ``surface`` from ``starts`` (see the module docstring)."""
    if "lr" in spec.changed():
        raise TuneError(f"{spec.name}: lr is what tune searches (--param); leave it out of the optimizer spec")
    spec.check_steps(steps)
    rates = first_stage(space, budget)
    primary, tie = evaluate(surface, spec, rates, starts, steps, metric)
    extra = refinement(space, rates, list(primary), budget.refine or 0)
    if extra:
        more, more_tie = evaluate(surface, spec, extra, starts, steps, metric)
        rates, primary, tie = rates + extra, np.concatenate([primary, more]), np.concatenate([tie, more_tie])
    order = sorted(range(len(rates)), key=lambda k: (primary[k], tie[k], rates[k]))
    best = order[0]
    return Tuned(spec, float(rates[best]), float(primary[best]), tuple(rates), tuple(float(s) for s in primary))


def tuned_label(label: str, lr: float, space: SearchSpace, budget: Budget) -> str:
    """``adam lr=0.031 (tuned: 1e-5..1, 40+10 trials, grid)``: the legend's mark of a tuned value."""
    return f"{label} lr={lr:.2g} (tuned: {space.text}, {budget.text()})"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(float(value))


def scene_toml(name: str, surface: str, window: Sequence[float] | None, starts: Sequence[Sequence[float]],
               steps: int, results: Sequence[tuple[Tuned, str]], comment: str) -> str:
    """A TOML scene (:mod:`trajectories.scene.toml_file`) racing the tuned optimizers."""
    lines = [f"# {comment}", f"name = {_toml(name)}", f"surface = {_toml(surface)}"]
    if window is not None:
        lines.append(f"window = {_toml(list(window))}")
    lines += [f"start = {_toml([list(point) for point in starts])}", f"steps = {steps}", ""]
    for result, label in results:
        spec = replace(result.spec, params={**result.spec.params, "lr": result.lr}, label="")
        changed = spec.changed()
        table = ", ".join(f"{key} = {_toml(value)}" for key, value in changed.items())
        lines += ["[[optimizers]]", f"name = {_toml(spec.name)}", f"label = {_toml(label)}",
                  f"hyperparameters = {{ {table} }}"]
        if spec.schedule is not None:
            lines.append(f"schedule = {_toml(spec.schedule.to_text())}")
        lines.append("")
    return "\n".join(lines)
