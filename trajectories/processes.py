"""Ending well: termination signals unwind like Ctrl-C (so temporary files go), and worker processes die
with the process that started them, even when it is killed with SIGKILL.

A render writes to a hidden temporary file and renames it into place (:mod:`trajectories.atomic`); the
temporary is removed while an exception unwinds. Python turns only SIGINT into an exception, so a
``timeout``, a closed terminal or a CI job being cancelled (SIGTERM, SIGHUP) would leave it behind.
:func:`signals_unwind` turns those into :class:`Stopped` for the duration of a command.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from types import FrameType

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


def _raise_stopped(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def signals_unwind() -> Iterator[None]:
    """Within the block, SIGTERM, SIGHUP and SIGQUIT raise :class:`Stopped` in the main thread; the
    previous handlers come back afterwards. Does nothing outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _raise_stopped) for signum in CATCHABLE}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def die_with_parent() -> None:
    """Call first thing in a worker process: it ends when the process that started it ends, however that
    ends (``kill -9`` included). On Linux the kernel sends SIGKILL (``prctl(PR_SET_PDEATHSIG)``); elsewhere
    a daemon thread watches the parent's pid."""
    parent = os.getppid()
    for signum in CATCHABLE:  # a worker is stopped by its parent, not by its own handlers
        signal.signal(signum, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
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
