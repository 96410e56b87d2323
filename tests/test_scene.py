"""Scenes as values, scene files, built-ins, and the numeric core's independence from matplotlib."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from trajectories.compute.paths import race_trajectories
from trajectories.core.spec import parse_optimizer
from trajectories.render.registry import race_view_names
from trajectories.scene import Racer, Scene, SceneError, builtin_scenes, find_scenes, load_scene_file


def test_a_scene_is_a_frozen_value_and_options_make_new_ones():
    scene = Scene("s", "sphere", ["sgd:lr=0.1", Racer("adam:lr=0.05", "Adam", "#123456")], steps=10)
    dark = scene.with_options(theme="dark", steps=20)
    assert scene.look.theme == "light" and scene.steps == 10
    assert dark.look.theme == "dark" and dark.steps == 20 and dark.optimizers == scene.optimizers
    with pytest.raises(AttributeError):
        scene.steps = 3
    assert scene.optimizers[0].label == "sgd:lr=0.1" and scene.optimizers[1].color == "#123456"
    assert scene.starts == ((-1.5, 1.0),)  # the surface's start
    assert scene.frame_count == 11
    assert Scene("s", "sphere", "adam") == Scene("s", "sphere", ["adam"])


def test_compute_runs_every_optimizer_from_every_start():
    scene = Scene("s", "himmelblau", ["sgd:lr=0.01", "adam:lr=0.1"], start=[(0, 0), (1, -1)], steps=30)
    first, second = race_trajectories(scene)
    assert first.positions.shape == (31, 2, 2)
    from trajectories.compute.run import run

    alone = run(scene.surface, parse_optimizer("adam:lr=0.1").build(), (1, -1), 30)
    assert np.array_equal(second.positions[:, 1], alone.positions)


def test_legend_text_shows_key_hyperparameters():
    assert Racer("sgd:lr=0.01,momentum=0.9", "Momentum").legend_text() == "Momentum (lr=0.01, momentum=0.9)"
    assert Racer("adam", "Adam").legend_text() == "Adam (lr=0.001)"
    assert Racer("adam:lr=0.1").legend_text() == "adam:lr=0.1"


@pytest.mark.parametrize(("changes", "message"), [
    ({"surface": "nope"}, "unknown surface 'nope'"),
    ({"optimizers": []}, "at least one optimizer"),
    ({"optimizers": ["adamm"]}, "unknown optimizer 'adamm'"),
    ({"steps": 0}, "steps must be a whole number from 1 to 1000000, got 0"),
    ({"steps": 2.5}, "steps must be a whole number"),
    ({"fps": 0}, "fps must be"),
    ({"fps": 60}, "fps must be a whole number from 1 to 50, got 60"),
    ({"frames": 0}, "frames must be"),
    ({"size": (0, 100)}, "size must be"),
    ({"size": (10000, 100)}, "size must be \\(width, height\\) in pixels, from 64 to 4096 each, got 10000x100"),
    ({"hold": -1}, "hold must be a number from 0 to 60, got -1"),
    ({"hold": float("nan")}, "hold must be"),
    ({"trail": "sparkle"}, "trail must be one of"),
    ({"theme": "neon"}, "theme must be one of light, dark, article, got 'neon'"),
    ({"view": "hologram"}, f"view must be one of {', '.join(race_view_names())}, got 'hologram'"),
    ({"arithmetic": "exact"}, "arithmetic must be one of numpy, portable, got 'exact'"),
    ({"epochs": 3}, "epochs .a clock in samples. needs a loss over data"),
    ({"rotation": float("nan")}, "rotation must be a number from -360 to 360, got nan"),
    ({"window": (1, 0, 0, 1)}, "window must be"),
    ({"start": (float("inf"), 0)}, "finite"),
    ({"start": "here"}, "start must be"),
    ({"start": (3.0, 0.0)}, r"start \(3, 0\) is outside the window \[-2, 2\]×\[-2, 2\]"),
    ({"name": "a/b"}, "scene name"),
    ({"noise": 1.0, "surface": "regression"}, "not sigma"),
])  # fmt: skip
def test_invalid_scenes_are_refused_with_one_line(changes, message):
    base = {"name": "s", "surface": "sphere", "optimizers": ["adam"]}
    with pytest.raises(SceneError, match=message) as error:
        Scene(**{**base, **changes})
    assert "\n" not in str(error.value)


def test_racer_colours_are_checked():
    with pytest.raises(SceneError, match="'not-a-colour' is not a colour"):
        Racer("adam", color="not-a-colour")


def test_unknown_option_is_refused():
    with pytest.raises(SceneError, match="unknown scene option 'colour'"):
        Scene("s", "sphere", ["adam"]).with_options(colour="red")


def write(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def test_scene_files_give_their_scenes_by_name_in_order(tmp_path):
    path = write(tmp_path, "mine.py", """
        from trajectories.scene import Scene
        second = Scene("zeta", "sphere", ["adam"], description="the first defined")
        first = Scene("alpha", "booth", ["sgd:lr=0.01"])
        not_a_scene = 3
    """)
    scenes = load_scene_file(path)
    assert list(scenes) == ["zeta", "alpha"]
    assert scenes["zeta"].source == str(path)
    assert [s.name for s in find_scenes(f"{path}:alpha")] == ["alpha"]
    assert [s.name for s in find_scenes(str(path))] == ["zeta", "alpha"]
    with pytest.raises(SceneError, match=r"has no scene 'beta'.*zeta, alpha"):
        find_scenes(f"{path}:beta")


def test_errors_inside_a_scene_file_name_the_file_and_line(tmp_path):
    path = write(tmp_path, "broken.py", """
        from trajectories.scene import Scene

        ok = Scene("ok", "sphere", ["adam"])
        bad = Scene("bad", "sphere", ["adam:lr=-1"])
    """)
    with pytest.raises(SceneError, match=rf"^{path}:5: adam: lr must be a finite number >= 0"):
        load_scene_file(path)
    crashing = write(tmp_path, "crash.py", "x = 1\ny = 1 / 0\n")
    with pytest.raises(SceneError, match=rf"^{crashing}:2: ZeroDivisionError: division by zero$"):
        load_scene_file(crashing)
    syntax = write(tmp_path, "syntax.py", "x = (\n")
    with pytest.raises(SceneError, match=rf"^{syntax}:1: SyntaxError"):
        load_scene_file(syntax)
    with pytest.raises(SceneError, match="no scene file"):
        load_scene_file(tmp_path / "missing.py")


def test_builtin_scenes_are_found_and_well_formed():
    scenes = builtin_scenes()
    assert "rosenbrock" in scenes
    for name, scene in scenes.items():
        assert scene.name == name and (scene.description or scene.surface.description)
    with pytest.raises(SceneError, match="unknown scene 'nope'"):
        find_scenes("nope")


def test_numeric_core_never_imports_matplotlib():
    code = (
        "import sys; import trajectories.compute.run, trajectories.core.optimizers, trajectories.surfaces.catalogue, "
        "trajectories.surfaces.gradients, "
        "trajectories.compute.export, trajectories.scene, trajectories.cli.main; "
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_scene_kind_says_which_races_it_computes():
    from trajectories.scene import BatchDiagram, SeriesScene, SideBySide

    race = Scene("r", "sphere", ["adam"], steps=4)
    other = race.with_options(name="o")
    panels = SideBySide("p", [race, other])
    assert race.races() == (race,) and race.races()[0] is race
    assert panels.races() == (race, other) and all(a is b for a, b in zip(panels.races(), panels.panels, strict=True))
    assert SeriesScene("e").races() == () and BatchDiagram("b").races() == ()
