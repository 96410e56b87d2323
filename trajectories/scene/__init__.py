"""Scenes: frozen, declarative descriptions of an animation, and the files that declare them.

A scene is as short as a figure caption::

    from trajectories.scene import Scene

    race = Scene(
        "rosenbrock_race", surface="rosenbrock", start=(-1.5, 2.0), steps=200,
        optimizers=["sgd:lr=0.001,momentum=0.9", "adam:lr=0.1"],
        description="momentum vs Adam down Rosenbrock's valley",
    )
    race.render("race.gif")

Options give a new value (``race.with_options(theme="dark")``); the same value always renders the same
bytes. A scene file is a plain Python script: every module-level :class:`Scene` in it is a scene, by its
``name``. The built-in scenes are the files of the repository's ``scenes/`` folder (installed inside the
package as ``trajectories/scenes``).

The package holds one small module a job: :mod:`.kind` (what every scene shares), :mod:`.racer`,
:mod:`.race` (optimizers on a surface), :mod:`.side_by_side` (panels), :mod:`.series_scene` and
:mod:`.batch_diagram` (the article's figures 5 and 4),
:mod:`.network_scene` (a small network's race), :mod:`.values` (a race's timing, look, camera and
trail), and :mod:`.loader` (Python and TOML scene files).
"""

from ..compute.paths import ChaoticPath
from ..compute.starts import describe_starts
from ..compute.timeline import Timeline, spread
from ..errors import SceneError
from ..network.computed import NetworkComputed
from .batch_diagram import BatchDiagram
from .kind import ReproducibilityWarning, SceneKind, check_name, check_options, check_positive_int
from .loader import (
    builtin_scene,
    builtin_scene_folder,
    builtin_scenes,
    find_scenes,
    load_scene_file,
    load_scenes,
    plugin_scenes,
)
from .network_scene import NetworkScene
from .race import Point, Scene
from .racer import Racer
from .series_scene import SeriesScene
from .side_by_side import SideBySide
from .toml_file import load_toml_scene
from .values import Camera, Frames, Look, Trail

__all__ = [
    "BatchDiagram", "Camera", "ChaoticPath", "Frames", "Look", "NetworkComputed", "NetworkScene",
    "Point", "Racer", "ReproducibilityWarning", "Scene",
    "SceneError", "SceneKind", "SeriesScene", "SideBySide", "Timeline", "Trail", "builtin_scene",
    "builtin_scene_folder", "builtin_scenes", "check_name", "check_options", "check_positive_int", "describe_starts",
    "find_scenes",
    "load_scene_file", "load_scenes", "load_toml_scene", "plugin_scenes", "spread",
]
