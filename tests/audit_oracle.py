"""A test audit hook that records what data must never cause, independently of ``trajectories.trust.guard``: the
oracle of the trust-boundary tests must not be the code under test.

While :func:`recording` is active (on the thread that entered it), the hook writes down, and refuses:

- any process (``os.system``, ``os.exec*``, ``os.spawn*``, ``os.posix_spawn``, ``subprocess.Popen``) but
  an ffmpeg (the mp4 writer's), a web browser, the network, a forked pseudo-terminal;
- any write, delete, rename, truncation, folder made or removed outside ``folder`` (the test's
  temporary folder), ``/dev/null``, ``__pycache__`` files and matplotlib's own folders;
- the import, asked for by trajectories' own code, of a module whose top-level name is in
  ``forbidden_modules`` (the modules a generated document named, other than the adapter namespaces the
  issue allows).

It refuses by raising :class:`Refused`, a ``BaseException`` that ``except Exception`` does not swallow, so
that a test of broken code records the event and does no harm; the records are what tests assert on.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


class Refused(BaseException):
    """What the oracle raises to stop an event it recorded."""


@dataclass
class Recording:
    folder: str
    forbidden_modules: frozenset[str]
    events: list[tuple[str, str]] = field(default_factory=list)

    def note(self, event: str, detail: object) -> None:
        self.events.append((event, repr(detail)[:200]))
        raise Refused(f"{event}: {detail!r}"[:300])


_STATE = threading.local()
_INSTALLED: list[bool] = []
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
ALWAYS = ("os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.forkpty", "pty.spawn", "webbrowser.open",
          "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request", "http.client.connect")
PATH_EVENTS = {"os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.rename": (0, 1), "shutil.rmtree": (0,),
               "os.truncate": (0,), "os.chmod": (0,), "os.link": (1,), "os.symlink": (1,), "shutil.copyfile": (1,),
               "shutil.move": (1,)}
MATPLOTLIB_FOLDERS = tuple(str(Path(base).expanduser() / "matplotlib") for base in (
    os.environ.get("XDG_CONFIG_HOME") or "~/.config", os.environ.get("XDG_CACHE_HOME") or "~/.cache"))


def _current() -> Recording | None:
    return getattr(_STATE, "recording", None)


def _outside(recording: Recording, path: object, dir_fd: object = None) -> bool:
    if isinstance(path, int):
        return False
    text = os.fsdecode(path)
    if isinstance(dir_fd, int) and dir_fd >= 0 and not os.path.isabs(text):
        try:
            text = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), text)
        except OSError:
            return True
    absolute = os.path.realpath(os.path.abspath(text))
    if absolute == os.devnull or "__pycache__" in absolute.split(os.sep):
        return False
    allowed = (os.path.realpath(recording.folder), *MATPLOTLIB_FOLDERS,
               os.environ.get("MPLCONFIGDIR") or "/nonexistent")
    return not any(absolute == place or absolute.startswith(place + os.sep) for place in allowed)


PACKAGE = str(Path(__file__).resolve().parent.parent / "trajectories") + os.sep


def _asked_by_trajectories() -> bool:
    """Whether the code that asked for the import (the first frame outside the import system) is trajectories'
    own: a module a document named, imported because it named it. A library importing a standard module
    for itself (numpy's f2py imports fileinput the first time sympy asks numpy for its names) is not."""
    frame = sys._getframe(2)
    while frame is not None and (frame.f_code.co_filename.startswith("<frozen importlib")
                                 or "importlib" in frame.f_code.co_filename.split(os.sep)):
        frame = frame.f_back
    return frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(PACKAGE)


def _hook(event: str, args: tuple) -> None:
    recording = _current()
    if recording is None:
        return
    if event in ALWAYS:
        recording.note(event, args[:2])
    elif event == "subprocess.Popen":
        program = os.path.basename(os.fsdecode(args[0] or (args[1][0] if args[1] else "")))
        if not program.startswith("ffmpeg"):
            recording.note(event, args[:2])
    elif event == "open":
        path, mode, flags = args
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            mode is None and isinstance(flags, int) and flags & WRITE_FLAGS)
        if writing and path is not None and _outside(recording, path):
            recording.note("write", path)
    elif event in PATH_EVENTS:
        fd_positions = {"os.remove": 1, "os.rmdir": 1, "os.mkdir": 2, "os.chmod": 2, "shutil.rmtree": 1}
        for index in PATH_EVENTS[event]:
            dir_fd = args[fd_positions[event]] if event in fd_positions and len(args) > fd_positions[event] else None
            if event == "os.rename":
                dir_fd = args[2 + index]
            if _outside(recording, args[index], dir_fd):
                recording.note(event, args[index])
    elif event == "import" and args[0].split(".")[0] in recording.forbidden_modules and _asked_by_trajectories():
        recording.note(event, args[0])


@contextlib.contextmanager
def recording(folder: str | os.PathLike[str], forbidden_modules: Iterable[str] = ()) -> Iterator[Recording]:
    """Record (and refuse) forbidden events on this thread in the block; see the module's docstring."""
    if not _INSTALLED:
        sys.addaudithook(_hook)
        _INSTALLED.append(True)
    previous = _current()
    current = Recording(os.fspath(folder), frozenset(forbidden_modules))
    _STATE.recording = current
    try:
        yield current
    finally:
        _STATE.recording = previous
