"""Which scenes run JAX code: their paths or frames cannot be computed in forked workers.

A forked child inherits none of JAX's threads but may inherit their locks, held: a child that calls JAX
can hang for ever (JAX warns of it when ``os.fork`` is called). Scenes that never call JAX fork safely
even once JAX is imported, so the check is per scene.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

MARK = "runs_jax"
"""The attribute :func:`mark` sets on the functions of a ``Surface.from_jax`` surface."""


def mark(*functions: Any) -> None:
    """Mark ``functions`` (a surface's value and gradient) as calling JAX."""
    for function in functions:
        setattr(function, MARK, True)


def runs_jax(optimizer_names: Iterable[str], functions: Iterable[Any]) -> bool:
    """Whether a race of these optimizers (by spec name) on a surface of these functions (its value and
    gradient) runs JAX: an optax optimizer, or a ``Surface.from_jax`` surface."""
    if "jax" not in sys.modules:
        return False
    return (any(name.startswith("optax:") for name in optimizer_names)
            or any(getattr(function, MARK, False) for function in functions))
