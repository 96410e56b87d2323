"""One loader for scene files: Python scripts (every module-level scene in them) and TOML files, and the
built-in scenes of the repository's ``scenes/`` folder (installed inside the package as
``trajectories/scenes``)."""

from __future__ import annotations

import ast
import dataclasses
import difflib
import importlib.util
import traceback
import types
from pathlib import Path
from typing import Any

from ..errors import SceneError
from ..scene_index import Entry, builtin_files, builtin_index, builtin_scene_folder, scene_assignments
from ..trust.inputs import read_input
from ..trust.names import as_code
from .kind import SceneKind
from .race import Scene
from .toml_file import load_toml_scene

__all__ = ["builtin_scene", "builtin_scene_folder", "builtin_scenes", "file_scenes", "find_scenes", "is_file_reference",
           "load_scene_file", "load_scenes", "named_scene", "plugin_scenes", "split_reference"]


def _user_frame_location(error: BaseException, path: Path) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename).resolve() == path.resolve()]
    if frames:
        return f"{path}:{frames[-1].lineno}"
    if isinstance(error, SyntaxError) and error.lineno:
        return f"{path}:{error.lineno}"
    return str(path)


def load_scene_file(path: str | Path) -> dict[str, Scene]:
    """Run a scene file and return its scenes by name, in the order they are defined."""
    path = Path(path)
    if path.suffix != ".py":
        raise SceneError(f"{path} is not a Python file")
    source = read_input(path, "scene file", error=SceneError)  # a regular file: a FIFO would hang the read
    try:
        with as_code():  # a Python scene file is code: it names what it likes, even from the command line
            module = _run(path, ast.parse(importlib.util.decode_source(source), filename=str(path)))
    except SceneError as error:
        raise SceneError(f"{_user_frame_location(error, path)}: {error}") from None
    except Exception as error:
        raise SceneError(f"{_user_frame_location(error, path)}: {type(error).__name__}: {error}") from None
    scenes: dict[str, Scene] = {}
    for value in vars(module).values():
        if isinstance(value, SceneKind) and value.name not in scenes:
            scenes[value.name] = dataclasses.replace(value, source=str(path))
    return scenes


def _run(path: Path, tree: ast.Module) -> types.ModuleType:
    """Run a scene file's (parsed) code as a module of its own, never imported by name and never cached as
    bytecode: rendering someone's scene file writes no ``__pycache__`` beside it."""
    module = types.ModuleType(f"_trajectories_scene_{abs(hash(str(path.resolve())))}")
    module.__file__ = str(path)
    exec(compile(tree, str(path), "exec"), module.__dict__)  # a scene file is code: the user chose to run it
    return module


def load_scenes(path: str | Path) -> dict[str, Any]:
    """The scenes of a ``.py`` scene script or a ``.toml`` scene file."""
    if str(path).endswith(".toml"):
        return load_toml_scene(path)
    return load_scene_file(path)


def builtin_scene(entry: Entry) -> Scene:
    """The built-in scene of ``entry`` (:mod:`trajectories.scene_index`), built alone: its file runs without
    the other scenes' assignments (imports, helpers and shared settings still run), so ``render NAME``
    builds one scene, not every scene of the file. If the file needs another scene to build this one, the
    whole file runs."""
    tree = ast.parse(entry.path.read_text(encoding="utf-8"), filename=str(entry.path))
    others = {id(statement) for statement, variable, _, _ in scene_assignments(tree) if variable != entry.variable}
    tree.body = [statement for statement in tree.body if id(statement) not in others]
    try:
        scene = vars(_run(entry.path, tree)).get(entry.variable)
    except Exception:
        scene = None
    if isinstance(scene, SceneKind) and scene.name == entry.name:
        return dataclasses.replace(scene, source=str(entry.path))
    return load_scene_file(entry.path)[entry.name]  # the file as a whole (and its errors, as they are)


def builtin_scenes() -> dict[str, Scene]:
    """Every built-in scene by name, file by file in alphabetical order."""
    scenes: dict[str, Scene] = {}
    for path in builtin_files():
        for name, scene in load_scene_file(path).items():
            if name in scenes:
                raise SceneError(f"scene {name!r} is defined in both {scenes[name].source} and {path}")
            scenes[name] = scene
    return scenes


def plugin_scenes(built_in: tuple[str, ...] = ()) -> dict[str, Any]:
    """The scenes of installed plugins (entry-point group ``trajectories.scenes``, see
    :mod:`trajectories.support.plugins`) by their own names; a name that two packages, or a package and
    ``built_in``, both claim is a :class:`~trajectories.support.plugins.PluginError` naming both."""
    import types

    from ..support.plugins import PluginError, claim, discover

    scenes: dict[str, Any] = {}
    owners: dict[str, Any] = {}
    for plugin in discover("scenes").values():
        found = plugin.load()
        if isinstance(found, types.ModuleType):
            values = [value for value in vars(found).values() if isinstance(value, SceneKind)]
        else:
            if callable(found) and not isinstance(found, SceneKind):
                found = found()
            many = isinstance(found, (list, tuple))
            values = [found] if isinstance(found, SceneKind) else list(found) if many else []
        if not values or not all(isinstance(value, SceneKind) for value in values):
            raise PluginError(f"scene plugin {plugin.name!r} of {plugin.distribution} gives no scenes (a module with "
                              "module-level scenes, a scene, or a function returning scenes)")
        for scene in values:
            claim("scenes", scene.name, plugin.distribution, owners, built_in)
            owners[scene.name], scenes[scene.name] = plugin, scene
    return scenes


def split_reference(reference: str) -> tuple[str, str]:
    """``(file, name)`` of a scene reference: ``path.py:NAME`` and ``path.toml:NAME`` split at the ``:`` after
    the suffix, anything else is ``(reference, "")`` (a colon elsewhere is part of the path or the name)."""
    for suffix in (".py:", ".toml:"):
        if suffix in reference:
            head, _, wanted = reference.partition(suffix)
            return head + suffix[:-1], wanted
    return reference, ""


def is_file_reference(reference: str) -> bool:
    """Whether ``reference`` names a scene file (``.py`` or ``.toml``, with or without ``:NAME``)."""
    return split_reference(reference)[0].endswith((".py", ".toml"))


def file_scenes(file_part: str | Path, wanted: str = "") -> list[Scene]:
    """The scenes of the scene file ``file_part`` (only ``wanted`` when given)."""
    scenes = load_scenes(file_part)
    if not scenes:
        raise SceneError(f"{file_part} defines no scenes (module-level Scene values)")
    if wanted:
        if wanted not in scenes:
            raise SceneError(f"{file_part} has no scene {wanted!r}{_did_you_mean(wanted, scenes)}"
                             f" (it has: {', '.join(scenes)})")
        return [scenes[wanted]]
    return list(scenes.values())


def named_scene(name: str) -> Any:
    """The built-in or plugin scene called ``name``; never a file."""
    index = builtin_index()  # the files' text: only the file that defines the scene runs
    if name in index:
        return builtin_scene(index[name])
    scenes = {**dict.fromkeys(index), **plugin_scenes(tuple(index))}
    if name not in scenes:
        raise SceneError(f"unknown scene {name!r}{_did_you_mean(name, scenes)} (see `trajectories list`)")
    return scenes[name]


def find_scenes(reference: str) -> list[Scene]:
    """``NAME`` (built-in), ``path/to/file.py`` or ``.toml`` (all its scenes), or ``path/to/file.py:NAME``."""
    file_part, wanted = split_reference(reference)
    if file_part.endswith((".py", ".toml")):
        return file_scenes(file_part, wanted)
    return [named_scene(reference)]


def _did_you_mean(name: str, known: Any) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``known`` names to ``name`` (as surfaces get), else ``""``.

    >>> _did_you_mean("rosenbrok", ["rosenbrock", "beale"])
    "; did you mean 'rosenbrock'?"
    """
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""

