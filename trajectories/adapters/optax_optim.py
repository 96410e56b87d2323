r"""Any optax ``GradientTransformation`` factory as an ``(init, update)`` pair, in float64.

``optax:optax.adam:learning_rate=0.1`` calls ``optax.adam(learning_rate=0.1)`` and runs its pure
``init``/``update`` under ``jax.vmap`` over the starts: each start is its own parameter of shape ``(2,)``,
so every transformation (element-wise or not: global norms, LAMB's trust ratio) sees one start at a time,
and all starts move in one call. The pair is compiled once per spec (``jax.jit``).

JAX computes in float32 unless ``jax_enable_x64`` is set; the adapter sets it when it first builds a
transformation, for the whole process (JAX has no scoped switch), so arrays made afterwards default to
float64 too.

Conventions that differ from ours (and from ``torch.optim``), checked in ``tests/test_adapters_optax.py``:

- ``optax.rmsprop`` defaults to ``decay=0.9`` (torch's ``alpha`` is 0.99) and puts ε inside the square
  root (``eps_in_sqrt=True``); ``eps_in_sqrt=false`` gives torch's :math:`g/(\sqrt{v}+\epsilon)`.
- ``optax.adagrad`` starts its accumulator at 0.1 (torch: 0) and divides by :math:`\sqrt{G+\epsilon}`
  with ε = 1e-7 (torch: :math:`\sqrt{G}+\epsilon` with 1e-10): the same rule only with ε = 0 in both.
- ``optax.sgd``'s momentum is torch's (:math:`v \leftarrow \beta v + g`, no dampening) and ``optax.adam``
  is torch's Adam; hyperparameters are named ``learning_rate``, ``b1``, ``b2``, ``decay``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import numpy as np

from ..core.transforms import GradientTransformation
from ..errors import SpecError
from .step_budget import bounded_steps
from .targets import import_library, qualified_name


def check_factory(where: str, factory: Any, keywords: dict[str, Any]) -> Any:
    """``factory(**keywords)``, checked to be an optax transformation; :class:`SpecError` otherwise."""
    import_library("optax")
    if not callable(factory):
        raise SpecError(f"{where}: {factory!r} is not a function that returns an optax GradientTransformation")
    try:
        transformation = factory(**keywords)
    except TypeError as error:
        raise SpecError(f"{where}: {_line(error)}") from None
    except Exception as error:
        called = f"{qualified_name(factory)}(...)"
        raise SpecError(f"{where}: {called} raised {type(error).__name__}: {_line(error)}") from None
    if not (callable(getattr(transformation, "init", None)) and callable(getattr(transformation, "update", None))):
        raise SpecError(f"{where}: {qualified_name(factory)} returned {type(transformation).__name__}, not an optax "
                        "GradientTransformation")
    return transformation


@lru_cache(maxsize=64)
def _compiled(factory: Any, frozen: tuple[tuple[str, Any], ...]) -> tuple[Any, Any]:
    """``jit(vmap(init))`` and ``jit(vmap(update))`` of ``factory(**dict(frozen))``."""
    import_library("optax")
    import jax

    jax.config.update("jax_enable_x64", True)
    transformation = factory(**dict(frozen))
    return jax.jit(jax.vmap(transformation.init)), jax.jit(jax.vmap(transformation.update))


def _rows(values: Any) -> np.ndarray:
    """``values`` ``(..., P)`` as float64 rows ``(N, P)``: one row a start (a point, or a network's parameters)."""
    values = np.asarray(values, dtype=np.float64)
    return values.reshape(-1, values.shape[-1])


@contextlib.contextmanager
def _library_failures(factory: Any) -> Iterator[None]:
    """jax's runtime errors (``JaxRuntimeError``: out of memory for ``scale_by_lbfgs(memory_size=2000000)``
    over 900 starts) and ``MemoryError`` as one line, :class:`SpecError`, instead of a traceback."""
    try:
        yield
    except (MemoryError, RuntimeError) as error:
        raise SpecError(f"optax:{qualified_name(factory)}: {type(error).__name__}: {_line(error)} (fewer starts, or "
                        "smaller keywords, ask for less memory)") from None


def optax_transformation(factory: Any, keywords: dict[str, Any]) -> GradientTransformation:
    """``factory(**keywords)`` as an ``(init, update)`` pair over points ``(..., P)``, vectorised over starts
    (one row of ``P`` parameters each: a point, or a network's flat parameters)."""
    try:
        init_all, update_all = _compiled(factory, tuple(sorted(keywords.items())))
    except TypeError:  # an unhashable keyword value: compile without the cache
        init_all, update_all = _compiled.__wrapped__(factory, tuple(sorted(keywords.items())))
    import jax.numpy as jnp

    def init(params: np.ndarray) -> Any:
        with _library_failures(factory):
            return init_all(jnp.asarray(_rows(params)))

    def update(grads: np.ndarray, state: Any, params: np.ndarray) -> tuple[np.ndarray, Any]:
        points, gradient = jnp.asarray(_rows(params)), jnp.asarray(_rows(grads))
        with _library_failures(factory):  # jax dispatches asynchronously: its error may come with the values
            updates, state = update_all(gradient, state, points)
            return np.asarray(updates, dtype=np.float64).reshape(np.shape(params)), state

    return GradientTransformation(init, update)


def check_first_step(where: str, transformation: GradientTransformation) -> None:
    """:class:`SpecError` when the transformation raises on a first step from two starts on ½‖θ‖²."""
    points = np.array([[0.5, -0.25], [-1.0, 2.0]])
    try:
        updates, _ = bounded_steps(where, lambda: transformation.update(points, transformation.init(points), points))
    except SpecError:
        raise
    except Exception as error:
        raise SpecError(f"{where}: the first step raised {type(error).__name__}: {_line(error)}") from None
    if not np.isfinite(updates).all():
        raise SpecError(f"{where}: the first step on ½‖θ‖² gave a non-finite point")


def _line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
