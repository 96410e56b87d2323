"""Atomic file writes: a temporary file beside the target, renamed over it only once complete.

A failed or interrupted write never leaves a partial file and never clobbers an existing one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import OutputError


def check_writable(path: str | os.PathLike[str]) -> Path:
    """``path`` as a :class:`Path` whose folder exists and is writable; :class:`ValueError` otherwise."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise OutputError(f"{target} is a folder, not a file")
    if not folder.is_dir():
        raise OutputError(f"folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"folder {folder} is not writable")
    return target


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``, on any error it is removed."""
    target = check_writable(path)
    # hidden, beside the target, with the target's suffix (some writers pick the format by it)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}", dir=target.parent)
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
