"""The 3-D view of a network race (``view = "network_surface"``): the plane's loss as a surface, each racer's
path and head at its true training loss, the projection and its explained variance on the axes."""

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.colors import to_rgb

from trajectories.cli.main import cli
from trajectories.compute.paths import compute_paths
from trajectories.errors import SceneError
from trajectories.network.evaluation import evaluate
from trajectories.network.training import loss_targets
from trajectories.scene import NetworkScene, Racer

SMALL = dict(network="mlp:2-4-1:tanh", dataset="moons:n=60,noise=0.2,seed=1", steps=20, loss_grid=9,
             boundaries=0, size=(900, 450), fps=5, view="network_surface")
RACERS = [Racer("sgd:lr=0.5", "GD"), Racer("adam:lr=0.05", "Adam")]


@pytest.fixture(scope="module")
def small():
    scene = NetworkScene("small_3d", optimizers=RACERS, **SMALL)
    return scene, compute_paths(scene)


@pytest.fixture(scope="module")
def view(small):
    from trajectories.render.network_surface import NetworkSurfaceView

    scene, computed = small
    built = NetworkSurfaceView(scene, computed)
    yield built
    built.close()


def test_heads_sit_at_each_racers_true_loss_not_the_planes(small, view):
    _, computed = small
    frame = view.frame(13)
    step = view.steps_shown[13]
    params = computed.paths.params[step, :, 0]  # (racers, P): the networks at the frame's step
    targets = loss_targets(computed.loss, computed.data.train)
    true, _ = evaluate(computed.model, computed.loss, params, computed.data.train, targets)
    plane, _ = evaluate(computed.model, computed.loss, computed.plane.point(computed.coordinates[step]),
                        computed.data.train, targets)
    for racer, color in enumerate(view.colors):
        x, y, z = (np.asarray(v, dtype=float) for v in view.heads[racer].get_data_3d())
        assert np.array_equal([x[0], y[0]], computed.coordinates[step, racer])
        assert z[0] == pytest.approx(true[racer], rel=1e-12)  # the network's loss, recomputed from its weights
        xs, _, zs = view.path_lines[racer].get_data_3d()
        assert np.array_equal(zs, computed.train_loss()[: step + 1, racer]) and len(xs) == step + 1
        (column, row), = np.rint(view.project(np.array([[x[0], y[0], z[0]]]))).astype(int)
        pixel = frame[frame.shape[0] - 1 - row, column, :3] / 255  # the head is drawn there, in its colour
        assert np.allclose(pixel, to_rgb(color), atol=0.06)
    assert np.max(np.abs(true - plane)) > 1e-3  # a path leaves the plane: the plane's loss is another height
    assert "true training loss" in view.caption.get_text() and "leaves the plane" in view.caption.get_text()
    assert np.array_equal(view.frame(13), frame)  # the same pixels whenever asked


def test_the_axes_carry_the_projection_and_each_axis_explained_variance(small, view):
    _, computed = small
    points = computed.paths.params[:, :, 0].reshape(-1, computed.model.parameter_count)
    singular = np.linalg.svd(points - points.mean(axis=0), compute_uv=False)
    shares = singular**2 / np.sum(singular**2)  # numpy's SVD, not the core's PCA
    assert view.landscape.get_xlabel() == f"PC1 ({100 * shares[0]:.1f} %)"
    assert view.landscape.get_ylabel() == f"PC2 ({100 * shares[1]:.1f} %)"
    assert view.landscape.get_title() == "the loss over the PCA plane of all paths (axes: % of variance)"
    assert view.landscape.get_zlabel() == "training loss"
    z0, z1 = view.landscape.get_zlim()
    heights = np.concatenate([computed.landscape.values.ravel(), computed.train_loss().ravel()])
    assert z0 < heights.min() and z1 >= heights.max()  # nothing clipped: a loss under the plane's stays in


def test_the_frame_checker_finds_nothing_in_a_3d_network_scene(small, frame_check):
    scene, _ = small
    frame_check(scene, frames=[0, 20])


def test_the_view_is_an_option_of_the_network_kind_checked_against_its_own_views(tmp_path):
    assert NetworkScene("n", optimizers=RACERS, **{**SMALL, "view": "network"}).view == "network"
    assert NetworkScene("n", optimizers=RACERS).view == "network"  # the default: the 2-D view
    with pytest.raises(SceneError, match="view must be one of network, network_surface, got 'surface'"):
        NetworkScene("n", optimizers=RACERS, **{**SMALL, "view": "surface"})
    result = CliRunner().invoke(cli, ["render", "himmelblau", "--view", "network_surface", "-o",
                                      str(tmp_path / "x.gif")])
    assert result.exit_code == 2 and "view must be one of contour" in result.output
    assert not (tmp_path / "x.gif").exists()


def test_a_toml_network_file_chooses_the_3d_view_and_is_refused_a_race_view(tmp_path):
    from trajectories.scene import load_scenes

    text = ('name = "toml_3d"\nsteps = 5\n[network]\nmodel = "mlp:2-3-1:tanh"\ndataset = "moons:n=30,seed=0"\n'
            '[[optimizers]]\nname = "adam"\n[view]\nview = "{}"\n')
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text(text.format("network_surface"))
    bad.write_text(text.format("surface"))
    assert load_scenes(good)["toml_3d"].view == "network_surface"
    with pytest.raises(SceneError, match=r"view\.view: must be one of network, network_surface, got 'surface'"):
        load_scenes(bad)
