"""The built-in scenes by name, read from the text of the scene files without running them.

``trajectories list`` needs each built-in scene's name and one line about it, and ``render NAME`` needs the
file that defines NAME; running every scene file (and importing numpy to build every scene) for that made
the command line slow to answer. A built-in scene file declares each scene as a module-level assignment::

    rosenbrock = Scene("rosenbrock", ..., description="Rosenbrock's curved valley: ...")

so the name (the first argument) and the description (a literal keyword) are in the file's syntax tree. A
scene declared any other way, or a description that is not a literal, is found by running the file
(:func:`trajectories.scene.builtin_scenes`); ``tests/test_cli_startup.py`` checks that this index and
running every file agree, name for name, in the same order.

>>> [entry.name for entry in read_entries(builtin_scene_folder() / "schedules.py")]
['schedule_decay']
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

SCENE_CLASSES = frozenset({"Scene", "SideBySide", "SeriesScene", "BatchDiagram", "NetworkScene"})
"""The scene kinds a built-in file calls by name (``from trajectories.scene import ...``)."""


@dataclass(frozen=True)
class Entry:
    """One built-in scene as its file declares it: its ``name``, its ``description`` (``None`` when the file
    gives none as a literal: running the file tells), the file, and the module-level ``variable`` it is
    assigned to."""

    name: str
    description: str | None
    path: Path
    variable: str


def builtin_scene_folder() -> Path:
    """The built-in scenes: ``trajectories/scenes`` when installed, ``scenes/`` in a source checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "scenes"
    return installed if installed.is_dir() else package.parent / "scenes"


def builtin_files() -> list[Path]:
    """The built-in scene files, in alphabetical order (files whose name starts with ``_`` are not scenes)."""
    return [path for path in sorted(builtin_scene_folder().glob("*.py")) if not path.name.startswith("_")]


def scene_call(node: ast.AST) -> tuple[str, str | None] | None:
    """``(name, description)`` when ``node`` is ``Scene("name", ..., description="...")`` (or another kind of
    :data:`SCENE_CLASSES`) with a literal name; else ``None``."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SCENE_CLASSES):
        return None
    if not node.args or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
        return None
    description = next((keyword.value for keyword in node.keywords if keyword.arg == "description"), None)
    text = description.value if isinstance(description, ast.Constant) else None
    return node.args[0].value, text if isinstance(text, str) else None


def scene_assignments(tree: ast.Module) -> list[tuple[ast.stmt, str, str, str | None]]:
    """The module-level statements of ``tree`` that assign one scene call to one name:
    ``(statement, variable, scene name, description)``."""
    found = []
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(
                statement.targets[0], ast.Name):
            call = scene_call(statement.value)
            if call is not None:
                found.append((statement, statement.targets[0].id, *call))
    return found


def read_entries(path: Path) -> list[Entry]:
    """The scenes ``path`` declares as module-level assignments, in the file's order (a scene name that
    comes twice keeps its first, as running the file does)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    entries: dict[str, Entry] = {}
    for _, variable, name, description in scene_assignments(tree):
        entries.setdefault(name, Entry(name, description, path, variable))
    return list(entries.values())


def builtin_index() -> dict[str, Entry]:
    """Every built-in scene found in the files' text, by name, file by file in alphabetical order (the
    order of :func:`trajectories.scene.builtin_scenes`); a name in two files keeps the first (running
    every file reports it)."""
    index: dict[str, Entry] = {}
    for path in builtin_files():
        for entry in read_entries(path):
            index.setdefault(entry.name, entry)
    return index
