"""Progress of long work on stderr: frames drawn, starts reduced, optimizers tuned.

On a terminal it is a bar redrawn in place, shown once the work has taken a second (a quick command prints
nothing); anywhere else (a log file, CI, a pipe) it is one line every few seconds, flushed at once, so that
a long run redirected to a file is never silent. ``-q`` turns it off.

>>> import io
>>> log, now = io.StringIO(), iter([0.0, 6.0, 7.0, 12.5]).__next__
>>> report = Progress("run --reduce", 4, "starts", stream=log, clock=now)
>>> report.advance(1); report.advance(1); report.advance(2)
>>> log.getvalue()
'trajectories: run --reduce: 1/4 starts (25 %), 6 s\\ntrajectories: run --reduce: 4/4 starts (100 %), 12 s\\n'
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

BAR = 30
"""Characters in the terminal's bar."""


class Progress:
    """``report(done)`` (or ``report.advance(n)``) as ``total`` units of work get done.

    Args:
        label: what is being done (a scene's name, ``run --reduce``...).
        total: units in all; ``unit`` names them (``frames``, ``starts``).
        enabled: ``False`` (``-q``) prints nothing.
        stream: where to write (stderr); a terminal gets the bar, anything else the lines.
        delay: seconds before the bar first shows on a terminal.
        every: seconds between lines elsewhere (the first after as long).
        clock: the time in seconds (tests pass their own).
    """

    def __init__(self, label: str, total: int, unit: str = "frames", *, enabled: bool = True,
                 stream: TextIO | None = None, delay: float = 1.0, every: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.label, self.total, self.unit = label, max(1, int(total)), unit
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.terminal = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self.delay, self.every, self.clock = delay, every, clock
        self.started = clock() if enabled else 0.0
        self.done = 0
        self.shown = False
        self.next_line = self.started + every

    def advance(self, count: int = 1) -> None:
        """``count`` more units are done."""
        self(self.done + count)

    def __call__(self, done: int) -> None:
        self.done = min(int(done), self.total)
        if not self.enabled:
            return
        now = self.clock()
        if self.terminal:
            if self.shown or now - self.started >= self.delay:
                self._bar()
        elif now >= self.next_line or (self.shown and self.done == self.total):
            self._line(now)

    def _bar(self) -> None:
        filled = BAR * self.done // self.total
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (BAR - filled)}] {self.done}/{self.total} "
                          f"{self.unit}")
        if self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()
        self.shown = True

    def _line(self, now: float) -> None:
        percent = 100 * self.done // self.total
        self.stream.write(f"trajectories: {self.label}: {self.done}/{self.total} {self.unit} ({percent} %), "
                          f"{now - self.started:.0f} s\n")
        self.stream.flush()
        self.shown = True
        self.next_line = now + self.every

    def close(self) -> None:
        """End a bar left part-way (work stopped early) with its line break."""
        if self.terminal and self.shown and self.done < self.total:
            self.stream.write("\n")
            self.stream.flush()
