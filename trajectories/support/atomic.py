"""Atomic file writes: a temporary file beside the target, renamed over it only once complete.

A failed or interrupted write never leaves a partial file and never clobbers an existing one.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import OutputError


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
    _try_creating(target)
    return target


def cannot_write(folder: Path, error: OSError) -> str:
    """Why a file cannot be made in ``folder``, in words, from the error of trying."""
    reasons = {errno.EROFS: "a read-only file system", errno.ENOENT: "it takes no new files (a system folder)",
               errno.EACCES: "permission denied", errno.EPERM: "not permitted", errno.ENOSPC: "no space left",
               errno.EDQUOT: "the disk quota is used up"}
    return f"cannot write in folder {folder}: {reasons.get(error.errno, error.strerror or str(error))}"


def _try_creating(target: Path) -> None:
    """Make and remove a temporary beside ``target``: the only sure test that its folder takes new files (the
    permission bits do not say so for root, a read-only mount or ``/proc``), before any work is done."""
    prefix, suffix = _temporary_affixes(target)
    try:
        handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=target.parent)
    except OSError as error:
        raise OutputError(cannot_write(target.parent, error)) from None
    os.close(handle)
    os.unlink(temporary)


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
def atomic_path(path: str | os.PathLike[str], inside: Path | None = None) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path``, on any error it is removed.

    ``inside``: a folder the file must land in (a scene file's own output stays in the scene file's
    folder). The folder is then opened once and checked to lie inside ``inside`` (links resolved); the
    temporary is made in that open folder, checked again once written, and renamed through it, so that a
    folder on the way swapped for a link during the render cannot carry the file out
    (:class:`OutputError`, nothing written)."""
    target = check_writable(path)
    if inside is not None and os.rename in os.supports_dir_fd and os.open in os.supports_dir_fd:
        with _confined_path(target, Path(inside)) as temporary:
            yield temporary
        return
    prefix, suffix = _temporary_affixes(target)
    try:
        handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=target.parent)
    except OSError as error:  # a folder that looks writable and is not (/proc, a read-only mount...)
        raise OutputError(cannot_write(target.parent, error)) from None
    os.close(handle)
    try:
        with _full_disk_as_output_error(target):
            yield Path(temporary)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


WRITE_FAILURES = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO)
"""What can go wrong while a file is written (a full disk, a quota, a file too large for the file system):
an :class:`OutputError` naming the file, not a raw errno."""


@contextlib.contextmanager
def _full_disk_as_output_error(target: Path) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        if error.errno in WRITE_FAILURES:
            raise OutputError(f"cannot write {target}: {error.strerror}; nothing was written") from None
        raise


def _open_folder_inside(folder: Path, inside: Path, target: Path) -> int:
    """``folder`` opened (a descriptor), once known to be ``inside`` with every link resolved."""
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise OutputError(cannot_write(folder, error)) from None
    real = Path(os.path.realpath(folder))
    opened, named = os.fstat(handle), os.stat(real)
    if not real.is_relative_to(inside.resolve()) or (opened.st_dev, opened.st_ino) != (named.st_dev, named.st_ino):
        os.close(handle)
        raise OutputError(f"{target}: its folder leads out of {inside} (a link); nothing was written there")
    return handle


def _is(name: str, folder: int, info: os.stat_result) -> bool:
    """Whether ``name`` in the open ``folder`` is the file ``info`` describes."""
    try:
        found = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (info.st_dev, info.st_ino)


@contextlib.contextmanager
def _confined_path(target: Path, inside: Path) -> Iterator[Path]:
    folder = target.parent if str(target.parent) else Path(".")
    handle = _open_folder_inside(folder, inside, target)
    prefix, suffix = _temporary_affixes(target)
    try:
        handle_of_file, temporary = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
        temporary, name = Path(temporary), Path(temporary).name
        try:
            made = os.fstat(handle_of_file)
        finally:
            os.close(handle_of_file)
        try:
            if not _is(name, handle, made):  # made by name: it must be in the folder checked and held open
                raise OutputError(f"{target}: its folder changed before it was written (now "
                                  f"{os.path.realpath(folder)}); nothing was written there")
            with _full_disk_as_output_error(target):
                yield temporary
            try:
                written: os.stat_result | None = os.stat(temporary)
            except OSError:
                written = None
            if written is None or not _is(name, handle, written):  # the writers wrote by name too
                raise OutputError(f"{target}: its folder changed while it was written (now {os.path.realpath(folder)});"
                                  f" nothing was written")
            os.chmod(name, 0o666 & ~_umask(), dir_fd=handle)
            os.replace(name, target.name, src_dir_fd=handle, dst_dir_fd=handle)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=handle)
            with contextlib.suppress(OSError):  # what a writer made through the swapped folder: ours as well
                if os.path.lexists(temporary):
                    os.unlink(temporary)
            raise
    finally:
        os.close(handle)


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(data)
