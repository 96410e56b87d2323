"""The scene kind ``network`` (issue 29, phase B): what it computes, what its frames show, and the same scene
from Python, TOML and the command line. The numbers themselves (training, PCA, grids) are phase A's, tested
against torch and numpy in tests/test_network_*.py; here they are checked to reach the frame unchanged."""

import numpy as np
import pytest
from click.testing import CliRunner

from trajectories.cli.main import cli
from trajectories.compute.paths import compute_paths
from trajectories.errors import SceneError
from trajectories.network.training import Learner, train
from trajectories.pipeline.limits import render_seconds
from trajectories.scene import NetworkScene, Racer, load_scenes
from trajectories.trust.names import is_data

SMALL = dict(network="mlp:2-4-1:tanh", dataset="moons:n=60,noise=0.2,seed=1,validation=0.25", steps=20,
             loss_grid=9, decision_grid=12, boundaries=3, size=(900, 450), fps=5)
RACERS = [Racer("sgd:lr=0.5", "GD"), Racer("adam:lr=0.05", "Adam", batch_size=15)]


@pytest.fixture(scope="module")
def small():
    scene = NetworkScene("small", optimizers=RACERS, **SMALL)
    return scene, compute_paths(scene)


@pytest.fixture(scope="module")
def view(small):
    from trajectories.render.network_view import NetworkView

    scene, computed = small
    built = NetworkView(scene, computed)
    yield built
    built.close()


def test_compute_is_the_cores_training_projected_once(small):
    scene, computed = small
    paths = train(scene.model, scene.data, [Learner("sgd:lr=0.5"), Learner("adam:lr=0.05", 15)], 20)
    assert np.array_equal(computed.paths.params, paths.params)  # the same bits: one training, the core's
    assert np.array_equal(computed.coordinates, computed.plane.project(paths.params[:, :, 0]))
    assert computed.boundary_steps == (0, 10, 20) and computed.boundaries.values.shape == (3, 2, 12, 12)
    assert computed.landscape.values.shape == (9, 9) and np.isfinite(computed.landscape.values).all()
    assert scene.shows_samples  # the batch sizes differ: figure 3's clock
    assert np.array_equal(computed.paths.samples_read[:, -1], [20 * 45, 20 * 15])


def test_the_frame_names_the_projection_and_the_variance_of_each_axis(small, view):
    scene, computed = small
    points = computed.paths.params[:, :, 0].reshape(-1, computed.model.parameter_count)
    singular = np.linalg.svd(points - points.mean(axis=0), compute_uv=False)
    shares = singular**2 / np.sum(singular**2)  # numpy's SVD, not the core's PCA
    assert view.landscape.get_xlabel() == f"PC1 ({100 * shares[0]:.1f} % of variance)"
    assert view.landscape.get_ylabel() == f"PC2 ({100 * shares[1]:.1f} % of variance)"
    assert "PCA plane" in view.landscape.get_title()
    caption = view.caption.get_text()
    for racer, share in zip(scene.optimizers, computed.fractions, strict=True):
        assert f"{racer.label} {100 * share:.0f} %" in caption
    assert [text.get_text() for text in view.legend.get_texts()][-1] == "validation loss"


def test_each_frame_draws_its_step(small, view):
    scene, computed = small
    assert view.steps_shown == scene.frame_steps() and len(view.steps_shown) == 21
    frame = view.frame(7)
    assert frame.shape == (450, 900, 4)
    step = view.steps_shown[7]
    for racer in range(2):
        x, y = view.path_lines[racer].get_data()
        assert np.array_equal(np.column_stack([x, y]), computed.coordinates[: step + 1, racer])
        assert np.array_equal(view.loss_lines[racer].get_data()[1], computed.train_loss()[: step + 1, racer])
        assert np.array_equal(view.validation_lines[racer].get_data()[1],
                              computed.validation_loss()[: step + 1, racer])
        assert np.array_equal(view.loss_lines[racer].get_data()[0], computed.paths.samples_read[racer, : step + 1])
        assert np.array_equal(view.images[racer].get_array(), view.class_images[0][racer])  # step 7: grid of 0
    view.frame(12)
    assert np.array_equal(view.images[1].get_array(), view.class_images[1][1])  # the grid of step 10
    assert view.counter.get_text() == "update 12 of 20 · samples read: 540, 180"
    assert np.array_equal(view.frame(7), frame)  # the same pixels whenever asked


def test_decision_images_blend_the_class_colours_by_probability():
    from matplotlib.colors import to_rgb

    from trajectories.render.network_view import CLASS_COLORS, class_image

    image = class_image(np.array([[0.0, 0.5, 1.0, np.nan]]), "bce")
    pale = np.array([0.96, 0.96, 0.96])
    assert np.allclose(image[0, 0], pale + 0.55 * (np.array(to_rgb(CLASS_COLORS[0])) - pale))
    assert np.allclose(image[0, 1], pale) and np.allclose(image[0, 3], 0.6)
    assert np.allclose(image[0, 2], pale + 0.55 * (np.array(to_rgb(CLASS_COLORS[1])) - pale))


def test_the_frame_checker_finds_nothing_in_a_network_scene(small, frame_check):
    scene, _ = small
    frame_check(scene, frames=[0, 10, 20])
    frame_check(scene.with_options(optimizers=[*RACERS, Racer("rmsprop:lr=0.01", "RMSProp"),
                                               Racer("sgd:lr=0.3,momentum=0.9", "Momentum")],
                                   projection="plane:racers=[0,3]", boundaries=2), frames=[20])


def test_a_toml_file_makes_the_same_scene_with_its_csv_beside_it(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    points = rng.normal(size=(40, 2))
    rows = [f"{a:.6f},{b:.6f},{'in' if a * b > 0 else 'out'}" for a, b in points]
    folder = tmp_path / "scenes"
    folder.mkdir()
    (folder / "points.csv").write_text("a,b,kind\n" + "\n".join(rows) + "\n")
    (folder / "net.toml").write_text(
        'name = "net"\nsteps = 5\n[network]\nmodel = "mlp:2-4-1"\nprojection = "random:seed=2"\nboundaries = 2\n'
        'dataset = { kind = "csv", path = "points.csv", target = "kind" }\n'
        '[[optimizers]]\nname = "adam"\nlabel = "Adam"\nbatch_size = 8\nhyperparameters = { lr = 0.05 }\n')
    monkeypatch.chdir(tmp_path)  # the csv is found beside the scene file, not in the current folder
    scene = load_scenes(folder / "net.toml")["net"]
    assert is_data(scene) and scene.optimizers[0].batch_size == 8
    python = NetworkScene("net", network="mlp:2-4-1", projection="random:seed=2", boundaries=2, steps=5,
                          dataset=f"csv:path={folder / 'points.csv'},target=kind",
                          optimizers=[Racer("adam:lr=0.05", "Adam", batch_size=8)])
    assert scene.optimizers[0].spec.params == python.optimizers[0].spec.params
    assert scene.with_options(optimizers=python.optimizers) == python
    assert np.array_equal(compute_paths(scene).paths.params, compute_paths(python).paths.params)


def test_the_command_line_renders_a_network_race(tmp_path):
    result = CliRunner().invoke(cli, [
        "render", "--network", "mlp:2-4-1:tanh", "--dataset", "moons:n=40,noise=0.2,seed=0", "--optimizer",
        "sgd:lr=0.5", "--optimizer", "sgd:lr=0.5,momentum=0.9", "--optimizer", "adam:lr=0.03", "--steps", "6",
        "--projection", "plane:racers=[0,2]", "--size", "640x360", "-o", str(tmp_path / "race.gif"), "-q"])
    assert result.exit_code == 0, result.output
    from PIL import Image

    with Image.open(tmp_path / "race.gif") as image:
        assert image.size == (640, 360) and image.n_frames == 7


def test_time_and_memory_are_estimated_before_any_work():
    scene = NetworkScene("t", optimizers=["adam"], network="mlp:2-16-16-1", dataset="moons:n=400", steps=300)
    units = 16 + 16 + 1
    training = 300 * 1 * 400 * units * 2.5e-7  # updates × racers × samples × units, at the measured cost
    assert scene.compute_seconds() == pytest.approx(training + (41**2 * 400 + 12 * 48**2) * units * 8e-8)
    assert render_seconds(scene, 1) > scene.compute_seconds()
    with pytest.raises(SceneError, match="the network paths would need about"):
        NetworkScene("t", optimizers=["adam"] * 4, network="mlp:2-128-128-128-1", steps=10**5)


def test_describe_lists_the_racers_and_the_size_of_the_network(small):
    from trajectories.cli.describe import describe_scene

    scene, _ = small
    lines = describe_scene(scene)
    assert "  optimizer 2: Adam (batch_size 15)" in lines
    parameters = (2 * 4 + 4) + (4 * 1 + 1)  # mlp:2-4-1: weights and biases of two layers
    assert any(line.startswith(f"  {parameters} parameters; 45 training samples, 15 validation (binary)")
               for line in lines)
