"""TOML scenes (every problem with its key path), `describe` and `new`."""

import textwrap

import pytest
from click.testing import CliRunner

from trajectories.cli.describe import starter
from trajectories.cli.main import cli
from trajectories.scene import SceneError, find_scenes, load_scenes, load_toml_scene

GOOD = """
name = "race"
description = "momentum vs Adam"
surface = "rosenbrock"
window = [-2, 2, -1, 3]
start = [[-1.5, 2.0], [1.5, 2.5]]
steps = 40

[[optimizers]]
name = "sgd"
label = "Momentum"
hyperparameters = { lr = 0.001, momentum = 0.9 }

[[optimizers]]
name = "adam"
color = "#D55E00"
hyperparameters = { lr = 0.1, amsgrad = true }

[view]
theme = "dark"
fps = 25
size = [320, 240]
dpi = 50
loss_panel = true

[output]
path = "out/race.webp"
"""


def write(tmp_path, text, name="scene.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_a_toml_scene_builds_the_same_scene_as_python(tmp_path):
    (scene,) = load_toml_scene(write(tmp_path, GOOD)).values()
    assert scene.name == "race" and scene.surface.name == "rosenbrock" and scene.steps == 40
    assert scene.starts == ((-1.5, 2.0), (1.5, 2.5)) and scene.window == (-2, 2, -1, 3)
    assert [r.label for r in scene.optimizers] == ["Momentum", "adam:lr=0.1,amsgrad=true"]
    assert scene.optimizers[1].spec.params["amsgrad"] is True and scene.optimizers[1].color == "#D55E00"
    look = scene.look
    assert (look.theme, scene.timing.fps, look.size, look.dpi, scene.loss_panel) == ("dark", 25, (320, 240), 50, True)
    assert scene.output == "out/race.webp"


def test_a_formula_surface_in_toml(tmp_path):
    path = write(tmp_path, 'surface = "x**2 + 10*y**2"\nwindow = [-2, 2, -2, 2]\nstart = [1.5, 1]\n'
                           '[[optimizers]]\nname = "adam"\n')
    (scene,) = load_toml_scene(path).values()
    assert scene.name == "scene" and scene.surface.formula == "x**2 + 10*y**2"


def test_every_problem_is_reported_at_once_with_its_key_path(tmp_path):
    bad = """
    surface = "rosenbrok"
    start = [5, "a"]
    steps = 0
    colour = "red"

    [[optimizers]]
    name = "adam"
    hyperparameters = { lr = -1 }

    [[optimizers]]
    name = "sgdd"

    [[optimizers]]
    label = "nameless"

    [view]
    fps = 60
    size = [10, 10]
    theme = "neon"
    sparkle = true

    [output]
    format = "avi"
    """
    with pytest.raises(SceneError) as error:
        load_toml_scene(write(tmp_path, bad))
    message = str(error.value)
    assert "\n" not in message and "12 problems" in message
    for expected in [
        "surface: unknown surface 'rosenbrok'; did you mean 'rosenbrock'?",
        "start: must be a finite point (x, y) or a list of them, got [5, 'a']",
        "steps: must be a whole number from 1 to 1000000, got 0",
        "colour: unknown key",
        "optimizers[0].hyperparameters.lr: adam: lr must be a finite number >= 0",
        "optimizers[1].name: unknown optimizer 'sgdd'",
        "optimizers[2].name: missing",
        "view.fps: must be a whole number from 1 to 50, got 60",
        "view.size: must be (width, height) in pixels, from 64 to 4096 each, got 10x10",
        "view.theme: must be one of light, dark, article, got 'neon'",
        "view.sparkle: unknown key",
        "output.format: must be one of",
    ]:
        assert expected in message, expected


def test_a_start_outside_the_window_and_broken_toml(tmp_path):
    path = write(tmp_path, 'surface = "sphere"\nstart = [9, 0]\n[[optimizers]]\nname = "adam"\n')
    with pytest.raises(SceneError, match=r"start: \(9, 0\) is outside the window"):
        load_toml_scene(path)
    with pytest.raises(SceneError, match="not valid TOML"):
        load_toml_scene(write(tmp_path, "surface = [unclosed", "broken.toml"))


def test_cli_renders_a_toml_scene_to_its_own_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    write(tmp_path, GOOD, "race.toml")
    result = CliRunner().invoke(cli, ["render", "race.toml", "--frames", "5"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "race.webp").is_file()
    listed = CliRunner().invoke(cli, ["list", "race.toml"])
    assert listed.output.startswith("race  momentum vs Adam")


@pytest.mark.parametrize("toml", [False, True])
def test_new_writes_a_starter_that_loads_and_renders(tmp_path, toml):
    runner = CliRunner()
    result = runner.invoke(cli, ["new", "my_race", "--dir", str(tmp_path), *(["--toml"] if toml else [])])
    assert result.exit_code == 0
    path = tmp_path / ("my_race.toml" if toml else "my_race.py")
    assert path.is_file() and "#" in path.read_text()  # commented
    (scene,) = load_scenes(path).values()
    assert scene.name == "my_race" and len(scene.optimizers) == 2
    rendered = scene.with_options(steps=5, size=(160, 120), dpi=30).render(tmp_path / "x.gif")
    assert rendered.frames == 6
    again = runner.invoke(cli, ["new", "my_race", "--dir", str(tmp_path), *(["--toml"] if toml else [])])
    assert again.exit_code == 2 and "exists already" in again.stderr


def test_new_refuses_bad_names(tmp_path):
    with pytest.raises(SceneError, match="letters, digits"):
        starter("../evil", False)
    result = CliRunner().invoke(cli, ["new", "1abc", "--dir", str(tmp_path)])
    assert result.exit_code == 2 and list(tmp_path.iterdir()) == []


def test_describe_surfaces_formulas_and_scenes(tmp_path):
    runner = CliRunner()
    peaks = runner.invoke(cli, ["describe", "peaks"]).output
    assert "global minimum  f = -6.551133333 at (0.2282789206, -1.625534957)" in peaks
    assert "local minimum" in peaks and "window  x in [-4, 4], y in [-4, 4]" in peaks
    formula = runner.invoke(cli, ["describe", "x**2 + y"]).output
    assert "f(x, y) = x**2 + y" in formula and "minima  none known" in formula
    both = runner.invoke(cli, ["describe", "rosenbrock"]).output
    assert "surface rosenbrock" in both and "scene rosenbrock (Scene)" in both and "optimizer 5: Adam" in both
    assert "adam: lr=0.1, beta1=0.9, beta2=0.999" in both
    path = write(tmp_path, GOOD, "race.toml")
    described = runner.invoke(cli, ["describe", str(path)]).output
    assert "scene race (Scene): momentum vs Adam" in described and "theme          dark" in described
    side = runner.invoke(cli, ["describe", "fig1_critical_points"]).output
    assert "scene fig1_local_minimum (Scene)" in side and "scene fig1_saddle_point (Scene)" in side
    assert find_scenes(f"{path}:race")[0].name == "race"


def test_toml_scenes_choose_their_arithmetic(tmp_path):
    from trajectories.scene import load_toml_scene

    body = 'surface = "peaks"\nsteps = 20\n[[optimizers]]\nname = "sgd"\n'
    good = tmp_path / "good.toml"
    good.write_text('arithmetic = "portable"\n' + body)
    (scene,) = load_toml_scene(good).values()
    assert scene.arithmetic == "portable" and scene.path_surface is not scene.surface
    bad = tmp_path / "bad.toml"
    bad.write_text('arithmetic = "exact"\n' + body)
    with pytest.raises(SceneError, match="arithmetic: must be one of numpy, portable, got 'exact'"):
        load_toml_scene(bad)
