"""Atomic file writes: a temporary file beside the target, renamed over it only once complete.

A failed or interrupted write never leaves a partial file and never clobbers an existing one.
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError


def check_file_name(path: str | os.PathLike[str], what: str = "output") -> Path:
    """``path`` as a :class:`Path` if it can name a file at all: not empty, no NUL character, and no part
    longer than the file system allows; :class:`OutputError` saying which, otherwise."""
    text = os.fspath(path)
    if not str(text).strip():
        raise OutputError(f"{what}: the file name is empty")
    if "\0" in str(text):
        raise OutputError(f"{what}: a file name cannot hold a NUL character")
    target = Path(text)
    limit = _name_limit(target.parent)
    for part in target.parts:
        size = len(os.fsencode(part))
        if size > limit:
            raise OutputError(f"{what}: a file name part is {size} bytes long; the file system allows {limit}")
    return target


def _name_limit(folder: Path) -> int:
    """The longest file name (in bytes) ``folder``'s file system takes (255 where it cannot be asked)."""
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    try:
        return os.pathconf(folder if str(folder) else ".", "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def check_writable(path: str | os.PathLike[str], what: str = "output") -> Path:
    """``path`` as a :class:`Path` that names a file (see :func:`check_file_name`) in a folder that exists
    and is writable, and is not itself a folder; :class:`OutputError` otherwise."""
    target = check_file_name(path, what)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(f"{target} is a folder, not a file")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is a file, not a folder")
    if not folder.is_dir():
        raise OutputError(f"folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"folder {folder} is not writable")
    return target


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _temporary_affixes(target: Path) -> tuple[str, str]:
    """Hidden, beside the target, with the target's suffix (some writers pick the format by it)."""
    return f".{target.stem[:100]}.", f".part{target.suffix[:20]}"


def temporaries(path: str | os.PathLike[str], since: float) -> list[Path]:
    """The temporary files :func:`atomic_path` made for ``path`` at ``since`` (a ``time.time()``) or later and
    left behind: a process killed while writing (a worker stopped by SIGTERM) cannot remove its own."""
    target = Path(path)
    prefix, suffix = _temporary_affixes(target)
    found = []
    for candidate in target.parent.glob(glob.escape(prefix) + "*" + glob.escape(suffix)):
        with contextlib.suppress(OSError):
            if candidate.stat().st_mtime >= since - 1:  # file times can lag the clock by a tick
                found.append(candidate)
    return found


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``, on any error it is removed."""
    target = check_writable(path)
    prefix, suffix = _temporary_affixes(target)
    try:
        handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=target.parent)
    except OSError as error:  # a folder that looks writable and is not (/proc, a read-only mount...)
        raise OutputError(f"cannot write in folder {target.parent}: {error.strerror}") from None
    os.close(handle)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)
