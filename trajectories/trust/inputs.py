"""Opening a file someone handed us: a regular file, readable, and bounded, or one line saying which not.

``path.is_file()`` says "no such file" for a FIFO, a device, a file in a folder one may not read, and a
file that is there; and reading a FIFO blocks until someone writes to it. :func:`open_input` opens without
blocking, then asks the open file (not the name, which could change meanwhile) what it is::

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     os.mkfifo(os.path.join(folder, "pipe.toml"))
    ...     try:
    ...         read_input(os.path.join(folder, "pipe.toml"), "scene file")
    ...     except InputError as error:
    ...         print(str(error).replace(folder, "FOLDER"))
    scene file FOLDER/pipe.toml is not a regular file (a FIFO)
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError, TrajectoriesError

KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
         (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _size(count: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} bytes"


def open_input(path: str | os.PathLike[str], what: str = "file", limit: int | None = None,
               error: type[TrajectoriesError] = InputError) -> BinaryIO:
    """``path`` open for reading in binary, known to be a regular file of at most ``limit`` bytes; ``error``
    (one line naming ``what``) for a missing file, a folder, a FIFO or device, a file or folder one may not
    read, or a larger file. A missing scene file is "no scene file PATH", any other "no such file: PATH"."""
    name = os.fspath(path)
    try:
        handle = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise error(f"no {what} {name}" if what == "scene file" else f"no such file: {name}") from None
    except ValueError:  # os.open refuses a NUL
        raise error(f"no {what} {name!r}: a file name cannot hold a NUL character") from None
    except PermissionError:
        raise error(f"cannot read {what} {name}: permission denied (the file, or a folder on its way, may "
                    "not be read)") from None
    except OSError as failure:
        if failure.errno == errno.ENOTDIR:
            raise error(f"no {what} {name}: a part of the path is a file, not a folder") from None
        raise error(f"cannot read {what} {name}: {failure.strerror}") from None
    try:
        info = os.fstat(handle)
        for test, kind in KINDS:
            if test(info.st_mode):
                raise error(f"{what} {name} is not a regular file ({kind})")
        if limit is not None and info.st_size > limit:
            raise error(f"{what} {name} is {_size(info.st_size)}, more than the {_size(limit)} a {what} may have")
        os.set_blocking(handle, True)
        return os.fdopen(handle, "rb")
    except BaseException:
        os.close(handle)
        raise


def read_input(path: str | os.PathLike[str], what: str = "file", limit: int | None = None,
               error: type[TrajectoriesError] = InputError) -> bytes:
    """The bytes of the regular file ``path`` (see :func:`open_input`), at most ``limit`` of them even if it
    grows while read."""
    with open_input(path, what, limit, error) as file:
        data = file.read() if limit is None else file.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise error(f"{what} {os.fspath(path)} is more than the {_size(limit)} a {what} may have")
    return data


def check_input(path: str | os.PathLike[str], what: str = "file", limit: int | None = None,
                error: type[TrajectoriesError] = InputError) -> Path:
    """``path`` as a :class:`Path` once :func:`open_input` could open it (for readers that take a name)."""
    open_input(path, what, limit, error).close()
    return Path(path)
