"""Output folders made on demand, and kept only when used.

Every command that writes a file (``render -o`` and ``--out-dir``, ``--paths``, ``run -o``, ``compare
--diff``, ``new --dir``) and every render from Python makes the folders it names, as ``output/`` is made:
checked before any work (the nearest existing folder must be a writable folder), made just before writing,
and removed again, if they are new and still empty, when the command fails: a failed command leaves
nothing behind, not even a folder."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import OutputError
from .atomic import check_file_name, check_writable

if TYPE_CHECKING:
    from ..scene_protocol import SceneValue


def missing_folders(folder: str | os.PathLike[str]) -> list[Path]:
    """The folders of the path ``folder`` that do not exist yet, outermost first (``[]`` if it exists).

    >>> missing_folders(".")
    []
    """
    missing = []
    current = Path(folder)
    while str(current) not in ("", ".") and not current.exists() and not current.is_symlink():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    return missing[::-1]


def check_creatable(folder: str | os.PathLike[str], what: str = "output") -> None:
    """``folder`` is a writable folder, or can be made: its nearest existing ancestor is a writable folder.
    :class:`OutputError` saying which ancestor is a file or not writable, otherwise."""
    missing = missing_folders(folder)
    existing = missing[0].parent if missing else Path(folder)
    existing = existing if str(existing) else Path(".")
    if existing.exists() and not existing.is_dir():
        raise OutputError(f"{what}: {existing} is a file, not a folder")
    if missing and not os.access(existing, os.W_OK):
        raise OutputError(f"{what}: folder {existing} is not writable, so {missing[-1]} cannot be made in it")


def check_output_file(path: str | os.PathLike[str], what: str = "output") -> Path:
    """``path`` as a :class:`Path` that can be written: :func:`~trajectories.support.atomic.check_writable` where its
    folder exists, else its name is valid and its folder can be made (:func:`check_creatable`)."""
    target = check_file_name(path, what)
    if missing_folders(target.parent):
        check_creatable(target.parent, what)
        return target
    return check_writable(target, what)


@contextlib.contextmanager
def folders_kept_only_if_used(folders: Iterable[str | os.PathLike[str] | None]) -> Iterator[None]:
    """Make the missing ``folders`` (and their missing parents) for the block; if the block fails, remove
    those it made that are still empty, deepest first. Folders that existed are never touched."""
    made: list[Path] = []
    try:
        for folder in folders:
            if folder is None:
                continue
            for missing in missing_folders(folder):
                try:
                    missing.mkdir()
                except FileExistsError:  # made meanwhile (another process): not ours to remove
                    continue
                except OSError as error:
                    raise OutputError(f"cannot make folder {missing}: {error.strerror}") from None
                made.append(missing)
        yield
    except BaseException:
        for folder in reversed(made):
            with contextlib.suppress(OSError):  # not empty (someone wrote there) or gone: leave it
                folder.rmdir()
        raise


def confining_folder(scene: SceneValue, path: str | os.PathLike[str]) -> Path | None:
    """The folder ``path`` must stay in when it is a scene file's own output (``[output] path``: inside the
    scene file's folder, :func:`trajectories.pipeline.plan.own_output`), else ``None`` (``-o`` goes anywhere)."""
    own, source = scene.output, scene.source
    if own is None or not source:
        return None
    base = Path(source).resolve().parent
    return base if os.path.abspath(path) == os.path.abspath(base / own) else None
