"""Bounds on one step of a third-party optimizer, whose work its keywords can set (``k=100000000`` in a loop
of ``pytorch_optimizer.Aida``): the first step runs under a wall-clock alarm, and the next one is timed.

A step that does not return within :data:`FIRST_STEP_SECONDS` (a compiled optax step included) is stopped
by ``SIGALRM`` (``signal.setitimer``; in the main thread only, where Python delivers signals; elsewhere the
step is only timed) and refused in one line; a second step slower than :data:`STEP_SECONDS` is refused too.
The second step's time is kept (:func:`measured_step_seconds`) for the run-time estimate of
:mod:`trajectories.pipeline.limits`.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import StepTooLong

FIRST_STEP_SECONDS = 2.0
"""The longest a first step may take, compilation included (optax's jit: 0.1-0.5 s on 2 busy cores)."""
STEP_SECONDS = 0.05
"""The longest any later step from two starts may take (torch's element-wise classes: about 0.1 ms, one
instance a start 0.2 ms, L-BFGS with its defaults 1 ms: a margin of 50× over the slowest)."""

_MEASURED: dict[str, float] = {}


@contextlib.contextmanager
def alarm(seconds: float, message: str) -> Iterator[None]:
    """Raise :class:`StepTooLong` with ``message`` if the block runs longer than ``seconds`` of wall time (main
    thread only: elsewhere the block runs unbounded); the previous handler and timer are restored."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise StepTooLong(message)

    previous = signal.signal(signal.SIGALRM, expired)
    outer = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer[0] > 0:  # a timer of the caller's: set again (less the time spent here, roughly)
            signal.setitimer(signal.ITIMER_REAL, max(outer[0] - seconds, 1e-3), outer[1])


def bounded_steps(where: str, step: Callable[[], Any]) -> Any:
    """``step()`` twice: the first within :data:`FIRST_STEP_SECONDS`, the second within :data:`STEP_SECONDS`
    (its time kept for ``where``); the first step's result. :class:`StepTooLong` otherwise."""
    with alarm(FIRST_STEP_SECONDS, f"{where}: one step took more than {FIRST_STEP_SECONDS:g} s (its keywords ask "
                                   "for too much work); use smaller values"):
        result = step()
    began = time.perf_counter()
    with alarm(FIRST_STEP_SECONDS, f"{where}: one step took more than {FIRST_STEP_SECONDS:g} s (its keywords ask "
                                   "for too much work); use smaller values"):
        step()
    seconds = time.perf_counter() - began
    if seconds > STEP_SECONDS:
        raise StepTooLong(f"{where}: one step from two starts took {seconds * 1000:.0f} ms, more than the "
                          f"{STEP_SECONDS * 1000:.0f} ms an optimizer's step may take; use smaller values")
    _MEASURED[where] = max(seconds, _MEASURED.get(where, 0.0))
    return result


def measured_step_seconds(name: str) -> float | None:
    """The slowest second step measured for the adapter spec ``name`` in this process, or ``None``."""
    return _MEASURED.get(name)
