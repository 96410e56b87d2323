"""Ending well: termination signals unwind like Ctrl-C (so temporary files go), and worker processes die
with the process that started them, even when it is killed with SIGKILL.

A render writes to a hidden temporary file and renames it into place (:mod:`trajectories.support.atomic`); the
temporary is removed while an exception unwinds. Python turns only SIGINT into an exception, so a
``timeout``, a closed terminal or a CI job being cancelled (SIGTERM, SIGHUP) would leave it behind.
:func:`signals_unwind` turns those into :class:`Stopped` for the duration of a command.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..scene_protocol import SceneValue

CATCHABLE = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGQUIT") if hasattr(signal, name))


class Stopped(BaseException):
    """The process was asked to stop by a signal; unwinds like :class:`KeyboardInterrupt` (not caught by
    ``except Exception``), so every ``finally`` and atomic write cleans up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_status(self) -> int:
        """128 + the signal's number, as a shell reports a process ended by it."""
        return 128 + self.signum

    def __str__(self) -> str:
        return f"stopped by {signal.Signals(self.signum).name}"


@contextlib.contextmanager
def signals_unwind() -> Iterator[list[int]]:
    """Within the block, SIGTERM, SIGHUP and SIGQUIT raise :class:`Stopped` in the main thread, and SIGINT
    :class:`KeyboardInterrupt` as usual; the previous handlers come back afterwards. The block gets the
    signals received so far: one that lands inside C code (a matplotlib draw) can come out as that code's
    own error instead, and the list still says it was a signal. Does nothing outside the main thread."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        raise Stopped(signum)

    def interrupt(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, stop) for signum in CATCHABLE}
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, interrupt)
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and the stopping signals wait (blocked, not lost) while worker processes are forked: a worker
    is born with them blocked, and :func:`die_with_parent` sets its own dispositions before it takes them. A
    signal that landed between the fork and that would run the parent's handler in the worker, which then
    unwound through the command and said ``trajectories: aborted`` a second time."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, *CATCHABLE})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def die_with_parent() -> None:
    """Call first thing in a worker process: it ends when the process that started it ends, however that
    ends (``kill -9`` included). On Linux the kernel sends SIGKILL (``prctl(PR_SET_PDEATHSIG)``); elsewhere
    a daemon thread watches the parent's pid. Ctrl-C is left to the parent."""
    parent = os.getppid()
    for signum in CATCHABLE:  # a worker is stopped by its parent, not by its own handlers
        signal.signal(signum, signal.SIG_DFL)
    # Ctrl-C in a terminal interrupts the whole process group: the parent unwinds, stops its workers and says
    # so once; a worker's own KeyboardInterrupt would only print multiprocessing's traceback. Not a Python
    # handler: one that lands just before a worker blocks on the pool's queue never runs, and the worker waits
    # for ever (signals here are the kernel's to act on, at once)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # forked under signals_held: what waited is taken now, as set above
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, *CATCHABLE})
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes  # here: the command line's start never pays for it

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0:  # 1 = PR_SET_PDEATHSIG
                if os.getppid() != parent:  # the parent died before the request took hold
                    os._exit(1)
                return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="watch-parent").start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def fork_is_safe(*scenes: SceneValue) -> bool:
    """Whether workers may be forked to render ``scenes``: the platform forks, and no scene runs JAX (an
    optax optimizer, a ``Surface.from_jax``): JAX's own threads make a forked child that calls JAX
    deadlock, so such scenes render in one process."""
    import multiprocessing

    from ..adapters.jax_use import runs_jax

    races = [race for scene in scenes for race in scene.races()]
    return "fork" in multiprocessing.get_all_start_methods() and not any(
        runs_jax([racer.spec.name for racer in race.optimizers], [race.surface.value]) for race in races)
