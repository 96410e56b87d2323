r"""Any ``torch.optim.Optimizer`` subclass as an ``(init, update)`` pair, in float64.

``torch:torch.optim.SGD:lr=0.01,momentum=0.9`` or ``torch:pytorch_optimizer.AdaBelief:lr=0.1``. Each
update copies the run's points and gradients into float64 tensors, calls ``optimizer.step()`` and returns
the move, :math:`\Delta\theta = \theta_{t+1} - \theta_t`, which the runner adds back:

- **Vectorised** for torch's own element-wise rules (:data:`ELEMENTWISE`): one optimizer, one parameter
  tensor of shape ``(N, 2)`` holding all N starts. Every operation of these rules acts element by element,
  so each start moves exactly as it would alone.
- **One instance per start** for every other class (L-BFGS, Muon, Adafactor, and all third-party classes,
  which may take norms or factorisations over a tensor): N optimizers, each with a parameter of shape
  ``(2,)``. The cost is N ``step()`` calls per update, about 20--100 µs each, so 5 starts × 200 steps
  (plus the 4 shadow runs of the reproducibility horizons) take well under a second.

An optimizer whose ``step`` needs a closure (L-BFGS) gets one that evaluates the run's surface and
gradient source (:mod:`trajectories.adapters.objective`); its first evaluation at each step returns the
gradient the runner passed, so stochastic runs and horizon shadows stay exact.

Scalars that torch keeps in its default dtype (step counts, NAdam's ``mu_product``) are float64 too: the
default dtype is float64 while an adapter builds or steps an optimizer, and restored afterwards.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.transforms import GradientTransformation
from ..errors import RunError, SpecError
from .objective import current_objective, evaluating
from .step_budget import bounded_steps
from .targets import import_library, qualified_name

ELEMENTWISE = ("SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta", "RMSprop", "Rprop",
               "ASGD")
"""The classes of ``torch.optim`` (exactly these, not subclasses) that run vectorised over starts."""
MAX_EVALUATIONS_PER_STEP = 100
"""The most times one step may evaluate the objective (L-BFGS's closure: torch's default ``max_eval`` is 25),
as steps themselves are bounded: ``max_iter=1e9`` with zero tolerances ran for minutes before this bound."""


@contextmanager
def float64_default(torch: Any) -> Iterator[None]:
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


def check_class(where: str, cls: Any) -> None:
    """:class:`SpecError` unless ``cls`` is a subclass of ``torch.optim.Optimizer``."""
    torch = import_library("torch")
    if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)):
        raise SpecError(f"{where}: {qualified_name(cls) if callable(cls) else repr(cls)} is not a "
                        "torch.optim.Optimizer subclass")


def keyword_names(cls: Any) -> list[str]:
    """The keywords ``cls``'s constructor names (after ``params``), in order."""
    parameters = list(inspect.signature(cls).parameters.values())[1:]
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def check_keywords(where: str, cls: Any, keywords: dict[str, Any]) -> None:
    """:class:`SpecError` for a keyword the constructor does not name (even one a ``**kwargs`` would
    swallow: a misspelt keyword must not be ignored)."""
    known = keyword_names(cls)
    for key in keywords:
        if key not in known:
            raise SpecError(f"{where}: {cls.__name__}() takes no keyword {key!r} (it takes: {', '.join(known)})")


def is_elementwise(cls: Any) -> bool:
    torch = import_library("torch")
    return any(cls is getattr(torch.optim, name, None) for name in ELEMENTWISE)


def needs_closure(cls: Any) -> bool:
    """Whether ``cls.step`` has a ``closure`` argument without a default (L-BFGS)."""
    parameter = inspect.signature(cls.step).parameters.get("closure")
    return parameter is not None and parameter.default is inspect.Parameter.empty


@dataclass
class _Instances:
    """The live optimizers of one run and their parameter tensors (mutable: a run owns its state)."""

    optimizers: list[Any]
    tensors: list[Any]
    vectorised: bool
    count: int = 0


def _rows(values: Any) -> np.ndarray:
    """``values`` ``(..., P)`` as float64 rows ``(N, P)``: one row a start (a point, ``P = 2``, or a network's
    flat parameters)."""
    values = np.asarray(values, dtype=np.float64)
    return values.reshape(-1, values.shape[-1])


def torch_transformation(cls: Any, keywords: dict[str, Any]) -> GradientTransformation:
    """``cls(params, **keywords)`` as an ``(init, update)`` pair over points ``(..., P)``: one parameter
    tensor a start (a point, or a network's flat parameters), or one for all starts (:data:`ELEMENTWISE`)."""
    torch = import_library("torch")
    vectorised = is_elementwise(cls)
    closure_needed = needs_closure(cls)

    def init(params: np.ndarray) -> _Instances:
        flat = _rows(params)
        with float64_default(torch):
            rows = [flat] if vectorised else list(flat)
            tensors = [torch.tensor(row, dtype=torch.float64, requires_grad=True) for row in rows]
            optimizers = [cls([tensor], **keywords) for tensor in tensors]
        return _Instances(optimizers, tensors, vectorised)

    def update(grads: np.ndarray, state: _Instances, params: np.ndarray) -> tuple[np.ndarray, _Instances]:
        points, gradient = _rows(params), _rows(grads)
        rows = [slice(None)] if state.vectorised else range(points.shape[0])
        moved = np.empty_like(points)
        with float64_default(torch):
            for row, optimizer, tensor in zip(rows, state.optimizers, state.tensors, strict=True):
                with torch.no_grad():
                    tensor.copy_(torch.from_numpy(np.array(points[row])))
                tensor.grad = torch.from_numpy(np.array(gradient[row]))
                if closure_needed:
                    optimizer.step(_closure(torch, tensor, gradient[row], state.count, f"torch:{qualified_name(cls)}"))
                else:
                    optimizer.step()
                moved[row] = tensor.detach().numpy()
        state.count += 1
        return (moved - points).reshape(np.shape(params)), state

    return GradientTransformation(init, update)


def _closure(torch: Any, tensor: Any, first_gradient: np.ndarray, step: int, name: str = "the optimizer") -> Any:
    """A closure for ``step(closure)``: the loss at ``tensor`` with its gradient in ``tensor.grad``; the
    first call returns the runner's gradient, later calls evaluate the run's objective. At most
    :data:`MAX_EVALUATIONS_PER_STEP` calls a step (:class:`SpecError` past them), as
    steps are bounded: L-BFGS with ``max_iter=1e9`` and zero tolerances would run for minutes."""
    calls = [0]

    def closure() -> Any:
        if calls[0] >= MAX_EVALUATIONS_PER_STEP:
            raise SpecError(f"{name}: one step evaluated the objective more than {MAX_EVALUATIONS_PER_STEP} times; "
                            "at most that many are allowed: lower max_iter or max_eval")
        objective = current_objective()
        point = tensor.detach().numpy().copy()
        if calls[0] == 0:
            gradient = first_gradient
        elif objective is None:
            raise RunError("this optimizer evaluates the objective itself, outside a run")
        else:
            gradient = objective.gradient(point, step)
        calls[0] += 1
        tensor.grad = torch.tensor(np.array(gradient, dtype=np.float64), dtype=torch.float64)
        value = objective.value(point) if objective is not None else 0.0
        return torch.tensor(float(value), dtype=torch.float64)

    return closure


def check_first_step(where: str, transformation: GradientTransformation) -> None:
    """:class:`SpecError` when the optimizer raises on a first step, or moves to non-finite numbers,
    from two starts on the bowl ½‖θ‖²."""
    points = np.array([[0.5, -0.25], [-1.0, 2.0]])
    with evaluating(lambda p: 0.5 * np.sum(np.square(p), axis=-1), lambda p, step: np.array(p)):
        try:
            updates, _ = bounded_steps(where, lambda: transformation.update(points, transformation.init(points),
                                                                            points))
        except SpecError:
            raise
        except Exception as error:
            raise SpecError(f"{where}: the first step raised {type(error).__name__}: {_line(error)}") from None
    if not np.isfinite(updates).all():
        raise SpecError(f"{where}: the first step on ½‖θ‖² gave a non-finite point")


def construct(where: str, cls: Any, keywords: dict[str, Any]) -> None:
    """:class:`SpecError` when ``cls(params, **keywords)`` raises (a negative learning rate...)."""
    torch = import_library("torch")
    with float64_default(torch):
        try:
            cls([torch.zeros(2, dtype=torch.float64, requires_grad=True)], **keywords)
        except Exception as error:
            raise SpecError(f"{where}: {cls.__name__}(...) raised {type(error).__name__}: {_line(error)}") from None


def _line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
