"""The guard: defence in depth behind :mod:`trajectories.trust.names`. While data (a TOML scene, a directive's
inline TOML) is loaded, checked, listed, described and rendered, Python's audit hooks (PEP 578,
:func:`sys.addaudithook`) turn forbidden side effects into a one-line error, whoever asks for them: our
code, a library, or whatever a data file managed to name.

Refused while a guard is active:

- **processes**: ``os.system``, ``os.exec*``, ``os.spawn*``, ``os.posix_spawn*``, ``os.forkpty``,
  ``pty.spawn`` and ``subprocess.Popen``, except ffmpeg started by the mp4 writer (forking our own worker
  processes is allowed);
- **writes and deletes** outside the declared outputs: opening for writing, ``os.remove``, ``os.rmdir``,
  ``shutil.rmtree``, renames, ``os.truncate``, ``os.mkdir``, ``chmod``, links, copies. Allowed: the
  outputs, their atomic temporaries (:mod:`trajectories.support.atomic`), the folders made for them, the places
  a guard names (the tune cache), matplotlib's config and cache folders, ``__pycache__`` files, and in
  the temporary folder what is made while the guard is active (a file already there is never
  overwritten or deleted);
- **imports** outside the allow-list: the standard library (but not ``this``, ``antigravity``,
  ``idlelib``, ``turtledemo``, ``turtle``, ``tkinter`` or a ``__main__``), the distributions trajectories
  requires with its extras and what they require, the adapter namespaces, plugins' packages, modules
  allowed with ``--allow-module``, and packages already imported. A refused import raises a
  :class:`ModuleNotFoundError` as well, so a library probing for an optional module carries on as if it
  were missing; a module found nowhere is left to fail as it always does;
- **the network** (``socket.connect``, name lookups, ``urllib``, ``http.client``...), **a web browser**
  (``webbrowser.open``) and **native libraries** (``ctypes.dlopen``) from outside the installation's
  folders.

The hook is added once per process (an audit hook cannot be removed) and costs one context-variable read
per audited event while no guard is active (``bench/bench_guard.py`` measures a render with and without).
The guard lives in a context variable: it covers the thread that entered it and the processes it forks.

>>> import os, tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     with guarded("s.toml", outputs=[os.path.join(folder, "out.gif")]):
...         open(os.path.join(folder, "out.gif"), "wb").close()   # a declared output: allowed
...         try:
...             os.system("echo this never runs")
...         except TrustError as error:
...             print(str(error).replace("; ", ";\\n"))
s.toml: refused running a command ('echo this never runs') while data is read or rendered;
data may only name allow-listed things (README, "Security")
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ForbiddenImport, TrustError
from ..support.atomic import _temporary_affixes
from .names import ADAPTER_NAMESPACES, allowed_modules

DENIED_MODULES = frozenset({"this", "antigravity", "idlelib", "turtledemo", "turtle", "tkinter", "__hello__",
                            "__phello__"})
"""Standard modules that act when imported (print, open a browser or a window): never imported while a
guard is active."""

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
NETWORK_EVENTS = ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo", "socket.gethostbyname",
                  "socket.gethostbyaddr", "urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect",
                  "poplib.connect", "imaplib.open", "nntplib.connect", "telnetlib.Telnet.open")
PROCESS_EVENTS = ("os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.forkpty", "pty.spawn", "os.startfile")


@dataclass(frozen=True)
class Policy:
    """What a guard allows: ``where`` names the data in messages; ``files`` are the outputs (absolute);
    ``folders`` the folders made for them; ``places`` folders written freely; ``scratch`` folders (the
    temporary folder) where only what did not exist may be made, and then written and removed
    (``created``, shared by nested guards): a file already in ``/tmp`` is never overwritten or deleted."""

    where: str
    files: frozenset[str]
    folders: frozenset[str]
    places: tuple[str, ...]
    scratch: tuple[str, ...] = ()
    created: set[str] = field(default_factory=set, compare=False)
    output_folders: set[tuple[int, int]] = field(default_factory=set, compare=False)


_POLICY: ContextVar[Policy | None] = ContextVar("trajectories_guard", default=None)
_INSTALLED: list[bool] = []


def active() -> Policy | None:
    """The guard in force here, or ``None``."""
    return _POLICY.get()


def _absolute(path: Any) -> str:
    return os.path.abspath(os.fsdecode(path))


def _ancestors(path: str) -> set[str]:
    found, folder = set(), os.path.dirname(path)
    while folder and folder != os.path.dirname(folder):
        found.add(folder)
        folder = os.path.dirname(folder)
    return found


def _usual_places() -> tuple[str, ...]:
    """Matplotlib's config and cache folders (where matplotlib would put them)."""
    places = []
    home = os.path.expanduser("~")
    if os.environ.get("MPLCONFIGDIR"):
        places.append(os.environ["MPLCONFIGDIR"])
    places.append(os.path.join(os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"), "matplotlib"))
    places.append(os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache"), "matplotlib"))
    return tuple(_absolute(place) for place in places)


@contextlib.contextmanager
def guarded(where: str, outputs: Iterable[Any] = (), places: Iterable[Any] = ()) -> Iterator[Policy]:
    """Refuse forbidden side effects in the block (see the module's docstring): ``where`` names the data
    in the one-line error; ``outputs`` may be written (with their temporaries and folders); ``places``
    are folders that may be written freely. Nested guards add their outputs and places to the outer's."""
    if not _INSTALLED:
        sys.addaudithook(_audit)
        _INSTALLED.append(True)
    outer = _POLICY.get()
    files = {_absolute(path) for path in outputs if path is not None}
    folders = set().union(*(_ancestors(path) for path in files)) if files else set()
    policy = Policy(where, frozenset(files | set(outer.files if outer else ())),
                    frozenset(folders | set(outer.folders if outer else ())),
                    tuple(dict.fromkeys([*(outer.places if outer else _usual_places()),
                                         *(_absolute(place) for place in places)])),
                    outer.scratch if outer else (_absolute(tempfile.gettempdir()),),
                    outer.created if outer else set(), outer.output_folders if outer else set())
    token = _POLICY.set(policy)
    try:
        yield policy
    finally:
        _POLICY.reset(token)


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """No guard in the block (for the guard's own look-ups, which read metadata and import)."""
    token = _POLICY.set(None)
    try:
        yield
    finally:
        _POLICY.reset(token)


def _refuse(policy: Policy, what: str, error: type[TrustError] = TrustError) -> None:
    raise error(f"{policy.where}: refused {what} while data is read or rendered; data may only name allow-listed "
                'things (README, "Security")')


def _shown(value: Any) -> str:
    text = repr(os.fsdecode(value) if isinstance(value, (bytes, os.PathLike)) else value)
    return text if len(text) <= 100 else text[:97] + "..."


# --- writes ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InFolder:
    """A name relative to an open folder (``dir_fd``): what ``os.replace(..., src_dir_fd=...)`` acts on."""

    folder: int
    name: str


def _relative_to_descriptor(path: Any, dir_fd: Any) -> Any:
    """``path``, or :class:`InFolder` when it is relative to an open folder ``dir_fd``."""
    if isinstance(dir_fd, int) and dir_fd >= 0 and not os.path.isabs(os.fsdecode(path)):
        return InFolder(dir_fd, os.fsdecode(path))
    return path


def _output_name(policy: Policy, name: str) -> bool:
    """Whether ``name`` is an output's name or one of its temporaries' (:mod:`trajectories.support.atomic`)."""
    for output in policy.files:
        prefix, suffix = _temporary_affixes(Path(output))
        if name == os.path.basename(output) or (name.startswith(prefix) and name.endswith(suffix)):
            return True
    return False


def writable(policy: Policy, path: Any, folder: bool = False) -> bool:
    """Whether ``path`` may be written (``folder``: made or removed as a folder) under ``policy``."""
    if isinstance(path, int):
        return True  # a descriptor already open
    if isinstance(path, InFolder):
        with contextlib.suppress(OSError):  # an output's folder, held open, even if moved meanwhile
            info = os.fstat(path.folder)
            if (info.st_dev, info.st_ino) in policy.output_folders and _output_name(policy, path.name):
                return True
        try:
            path = os.path.join(os.readlink(f"/proc/self/fd/{path.folder}"), path.name)
        except OSError:
            return False
    absolute = _absolute(path)
    parent, name = os.path.split(absolute)
    beside_an_output = any(os.path.dirname(output) == parent for output in policy.files)
    if absolute in policy.files or (beside_an_output and _output_name(policy, name)):
        with contextlib.suppress(OSError):  # the output's folder as the system knows it, should it be moved
            info = os.stat(parent)
            policy.output_folders.add((info.st_dev, info.st_ino))
        return True
    if absolute == os.devnull or (folder and absolute in policy.folders):
        return True
    if any(absolute == place or absolute.startswith(place + os.sep) for place in policy.places):
        return True
    if any(absolute.startswith(place + os.sep) for place in policy.scratch) and _new_in_scratch(policy, absolute):
        return True
    return "__pycache__" in absolute.split(os.sep) and (folder or ".pyc" in name)  # compiled modules' cache


def _new_in_scratch(policy: Policy, absolute: str) -> bool:
    """In the temporary folder: whether ``absolute`` is made now, or was made (or is inside a folder made)
    while a guard was active; then it is remembered as made."""
    made = absolute in policy.created or any(absolute.startswith(folder + os.sep) for folder in policy.created)
    if made or not os.path.lexists(absolute):
        policy.created.add(absolute)
        return True
    return False


def _check_open(policy: Policy, args: tuple) -> None:
    path, mode, flags = args
    writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
        mode is None and isinstance(flags, int) and flags & WRITE_FLAGS)
    if writing and path is not None and not writable(policy, path):
        _refuse(policy, f"writing {_shown(path)} (not an output of this command)")


def _there(path: Any) -> bool:
    """Whether ``path`` (a name, or :class:`InFolder`) exists, links included."""
    try:
        if isinstance(path, InFolder):
            os.stat(path.name, dir_fd=path.folder, follow_symlinks=False)
            return True
        return not isinstance(path, int) and os.path.lexists(os.fsdecode(path))
    except (OSError, ValueError):
        return False


def _checker(what: str, places: Callable[[tuple], list[tuple[Any, bool]]],
             making: bool = False) -> Callable[[Policy, tuple], None]:
    def check(policy: Policy, args: tuple) -> None:
        for path, folder in places(args):
            if making and _there(path):
                continue  # making what exists fails anyway (makedirs(exist_ok=True) asks first)
            if path is not None and not writable(policy, path, folder):
                _refuse(policy, f"{what} {_shown(path)} (not an output of this command)")

    return check


def _at(index: int, fd_index: int | None = None, folder: bool = False) -> Callable[[tuple], list[tuple[Any, bool]]]:
    def places(args: tuple) -> list[tuple[Any, bool]]:
        path = args[index]
        if fd_index is not None and len(args) > fd_index:
            path = _relative_to_descriptor(path, args[fd_index])
        return [(path, folder)]

    return places


def _rename(args: tuple) -> list[tuple[Any, bool]]:
    source, target = args[0], args[1]
    return [(_relative_to_descriptor(source, args[2]), False), (_relative_to_descriptor(target, args[3]), False)]


# --- imports ----------------------------------------------------------------------------------------------

_REQUIREMENT = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[([^\]]*)\])?")
_EXTRA = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _top_level_names(distribution: Any) -> set[str]:
    """The top-level modules a distribution installs (``top_level.txt``, else its file list)."""
    text = distribution.read_text("top_level.txt")
    if text:
        return {line.strip() for line in text.splitlines() if line.strip()}
    names = set()
    for file in distribution.files or ():
        first = file.parts[0] if file.parts else ""
        if first.endswith((".dist-info", ".egg-info", ".data", ".pth")) or first in ("..", "__pycache__"):
            continue
        names.add(first.split(".")[0] if first.endswith((".py", ".so", ".pyd")) else first)
    name = distribution.metadata["Name"] or ""
    return names | {_normal(name).replace("-", "_")}


@lru_cache(maxsize=1)
def dependency_modules() -> frozenset[str]:
    """The top-level modules of trajectories' distribution with all its extras but ``test``, of the adapter
    namespaces' distributions, of plugins' distributions, and of everything they require (markers of extras followed,
    others included): installed code the user chose by installing trajectories."""
    from importlib import metadata

    from ..support.plugins import GROUPS

    ours = metadata.metadata("trajectories").get_all("Provides-Extra") or []
    wanted: list[tuple[str, tuple[str, ...]]] = [("trajectories", tuple(e for e in ours if e != "test"))]
    wanted += [(name, ()) for names in ADAPTER_NAMESPACES.values() for name in names]
    for group in GROUPS.values():
        for entry_point in metadata.entry_points(group=group):
            dist = getattr(entry_point, "dist", None)
            if dist is not None:
                wanted.append((dist.metadata["Name"], ()))
    modules: set[str] = set()
    seen: set[tuple[str, tuple[str, ...]]] = set()
    while wanted:
        name, extras = wanted.pop()
        if (_normal(name), extras) in seen:
            continue
        seen.add((_normal(name), extras))
        try:
            distribution = metadata.distribution(name)
        except (metadata.PackageNotFoundError, ValueError):
            continue
        modules |= _top_level_names(distribution)
        for requirement in distribution.requires or ():
            match = _REQUIREMENT.match(requirement)
            if match is None:
                continue
            marker = requirement.partition(";")[2]
            extra = _EXTRA.search(marker)
            if extra is not None and _normal(extra.group(1)) not in map(_normal, extras):
                continue
            asked = tuple(part.strip() for part in (match.group(3) or "").split(",") if part.strip())
            wanted.append((match.group(1), asked))
    return frozenset(modules)


CORE_MODULES = frozenset({"trajectories", "numpy", "matplotlib", "mpl_toolkits", "PIL", "imageio",
                          "imageio_ffmpeg", "click", "sympy", "mpmath", "contourpy", "cycler", "fontTools",
                          "kiwisolver", "packaging", "pyparsing", "dateutil", "six"})
"""What rendering imports in every process: checked without reading any metadata."""


def importable(name: str) -> bool:
    """Whether module ``name`` may be imported while a guard is active (see the module's docstring)."""
    parts = name.split(".")
    top = parts[0]
    if top in DENIED_MODULES or "__main__" in parts:
        return False
    if top in sys.stdlib_module_names or top in CORE_MODULES or top in sys.modules:
        return True
    if top.startswith("_sysconfigdata") or (top.startswith("_") and top.lstrip("_") in sys.stdlib_module_names):
        return True  # the C halves of standard modules (_json, _socket...), the platform's build settings
    if any(name == module or name.startswith(module + ".") for module in allowed_modules()):
        return True
    with suspended():
        from ..support.plugins import plugin_packages

        return top in dependency_modules() or top in plugin_packages()


def _check_import(policy: Policy, args: tuple) -> None:
    name = args[0]
    if not importable(name) and _exists(name.split(".")[0]):  # a missing module fails as it always does
        _refuse(policy, f"importing {name}", ForbiddenImport)


def _exists(top: str) -> bool:
    """Whether top-level module ``top`` could be found (looked up on ``sys.path``; nothing is run)."""
    import importlib.util

    with suspended():
        try:
            return importlib.util.find_spec(top) is not None
        except (ImportError, ValueError):
            return False


# --- processes, the network, browsers, libraries ------------------------------------------------------------

def _allowed_programs() -> set[str]:
    """The mp4 writer's ffmpeg, once imageio-ffmpeg is imported."""
    module = sys.modules.get("imageio_ffmpeg")
    if module is None:
        return set()
    with suspended(), contextlib.suppress(Exception):
        return {module.get_ffmpeg_exe()}
    return set()


def _check_popen(policy: Policy, args: tuple) -> None:
    executable, arguments = args[0], args[1]
    program = executable if executable is not None else (
        arguments[0] if isinstance(arguments, (list, tuple)) and arguments else arguments)
    if program is None or os.fsdecode(program) not in _allowed_programs():
        _refuse(policy, f"starting the program {_shown(program)}")


@lru_cache(maxsize=1)
def installation_folders() -> tuple[str, ...]:
    """Where installed code lives: Python's prefixes, its library folders, ``site-packages`` folders on
    ``sys.path`` and the system's library folders."""
    import sysconfig

    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    folders |= {path for key, path in sysconfig.get_paths().items() if key in ("stdlib", "platstdlib", "purelib",
                                                                               "platlib")}
    folders |= {path for path in sys.path if path.rstrip(os.sep).endswith(("site-packages", "dist-packages"))}
    folders |= {"/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/System/Library", "/usr/lib32"}
    return tuple(sorted(_absolute(folder) for folder in folders if folder))


def _check_library(policy: Policy, args: tuple) -> None:
    name = args[0]
    if name is None or os.sep not in os.fsdecode(name):
        return  # a library found by the system's loader (libc.so.6) or the process itself
    absolute = os.path.realpath(os.fsdecode(name))
    if not any(absolute.startswith(folder + os.sep) for folder in installation_folders()):
        _refuse(policy, f"loading the library {_shown(name)}")


def _refusing(what: str, shown: Callable[[tuple], Any] = lambda args: args[0] if args else "") -> Callable:
    def check(policy: Policy, args: tuple) -> None:
        _refuse(policy, f"{what} ({_shown(shown(args))})")

    return check


def _network_subject(event: str) -> Callable[[tuple], Any]:
    """Where an event of the network goes: a socket's address, else its first argument (a host, a URL)."""
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        return lambda args: args[1] if len(args) > 1 else ""
    return lambda args: args[0] if args else ""


_CHECKS: dict[str, Callable[[Policy, tuple], None]] = {
    "open": _check_open,
    "import": _check_import,
    "os.remove": _checker("deleting", _at(0, 1)),
    "os.rmdir": _checker("removing the folder", _at(0, 1, folder=True)),
    "os.mkdir": _checker("making the folder", _at(0, 2, folder=True), making=True),
    "shutil.rmtree": _checker("removing the tree", _at(0, 1, folder=True)),
    "os.rename": _checker("renaming", _rename),
    "os.link": _checker("linking", lambda args: [(_relative_to_descriptor(args[1], args[3]), False)]),
    "os.symlink": _checker("linking", lambda args: [(_relative_to_descriptor(args[1], args[2]), False)]),
    "os.truncate": _checker("truncating", _at(0)),
    "os.chmod": _checker("changing the mode of", _at(0, 2)),
    "os.chown": _checker("changing the owner of", _at(0, 3)),
    "shutil.copyfile": _checker("copying to", _at(1)),
    "shutil.copytree": _checker("copying to", _at(1, folder=True)),
    "shutil.move": _checker("moving to", _at(1)),
    "shutil.unpack_archive": _checker("unpacking into", _at(1, folder=True)),
    "shutil.make_archive": _checker("making the archive", _at(0)),
    "subprocess.Popen": _check_popen,
    "webbrowser.open": _refusing("opening a web browser"),
    "ctypes.dlopen": _check_library,
    **{event: _refusing("running a command" if event == "os.system" else f"starting a process ({event})",
                        (lambda args: args[0]) if event == "os.system" else (lambda args: args[1] if len(args) > 1
                                                                             else "")) for event in PROCESS_EVENTS},
    **{event: _refusing(f"using the network ({event})", _network_subject(event))
       for event in NETWORK_EVENTS},
}


def _audit(event: str, args: tuple) -> None:
    policy = _POLICY.get()
    if policy is None:
        return
    check = _CHECKS.get(event)
    if check is not None:
        check(policy, args)
