"""A surface's value and gradient from a function written for PyTorch or JAX, differentiated by autograd.

``fn(x, y)`` takes two arrays (tensors of float64 for torch, float64 ``jax.numpy`` arrays for JAX) of one
shape and returns the value at each point, element by element, as numpy functions do. The gradient is
autograd's, of the sum of the values: each point's value depends on its own ``x`` and ``y`` only, so the
gradient of the sum at a point is that point's gradient. :meth:`trajectories.surfaces.analytic.Surface.from_torch`
and :meth:`~trajectories.surfaces.analytic.Surface.from_jax` build a
:class:`~trajectories.surfaces.analytic.Surface` from
these pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.portable import PortableArray
from ..errors import NotPortable
from .jax_use import mark
from .targets import import_library


def refuse_portable(library: str, *arrays: object) -> None:
    if any(isinstance(array, PortableArray) for array in arrays):
        raise NotPortable(f"a surface from Surface.from_{library} has no portable arithmetic: its values come from "
                          f"{library}; use arithmetic=\"numpy\"")

Pair = tuple[Callable[[np.ndarray, np.ndarray], np.ndarray],
             Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]]


def torch_pair(fn: Callable[[Any, Any], Any]) -> Pair:
    """``(value, gradient)`` numpy functions of ``fn`` on torch tensors."""
    torch = import_library("torch")

    def tensors(x: np.ndarray, y: np.ndarray, grad: bool) -> tuple[Any, Any]:
        refuse_portable("torch", x, y)
        px, py = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        return (torch.tensor(np.array(px), dtype=torch.float64, requires_grad=grad),
                torch.tensor(np.array(py), dtype=torch.float64, requires_grad=grad))

    def value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        tx, ty = tensors(x, y, False)
        with torch.no_grad():
            out = torch.as_tensor(fn(tx, ty), dtype=torch.float64)
        return torch.broadcast_to(out, tx.shape).numpy().copy()

    def gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tx, ty = tensors(x, y, True)
        with torch.enable_grad():
            out = torch.as_tensor(fn(tx, ty), dtype=torch.float64)
            if not out.requires_grad:  # a constant
                return np.zeros(tx.shape), np.zeros(ty.shape)
            gx, gy = torch.autograd.grad(out.sum(), (tx, ty), allow_unused=True)
        return tuple(np.zeros(tx.shape) if g is None else g.numpy().copy() for g in (gx, gy))  # type: ignore[return-value]

    return value, gradient


def jax_pair(fn: Callable[[Any, Any], Any]) -> Pair:
    """``(value, gradient)`` numpy functions of ``fn`` on float64 ``jax.numpy`` arrays (jit-compiled)."""
    import_library("optax")
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)  # process-wide: JAX has no scoped switch
    compiled_value = jax.jit(lambda x, y: jnp.broadcast_to(fn(x, y), jnp.broadcast_shapes(x.shape, y.shape)))
    compiled_gradient = jax.jit(jax.grad(lambda x, y: jnp.sum(fn(x, y)), argnums=(0, 1)))

    def arrays(x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
        refuse_portable("jax", x, y)
        px, py = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        return jnp.asarray(px, dtype=jnp.float64), jnp.asarray(py, dtype=jnp.float64)

    def value(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.array(compiled_value(*arrays(x, y)), dtype=np.float64)

    def gradient(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        gx, gy = compiled_gradient(*arrays(x, y))
        return np.array(gx, dtype=np.float64), np.array(gy, dtype=np.float64)

    mark(value, gradient)  # no forked workers for scenes on this surface
    return value, gradient
