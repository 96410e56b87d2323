"""Planes through parameter space and what is computed on them: PCA against numpy's SVD, the sign
convention, filter-normalised random directions (Li et al. 2018), the plane through two racers' ends, the
share of each path a plane shows, and the loss and decision grids."""

import numpy as np
import pytest

from trajectories.errors import NetworkError
from trajectories.network import principal
from trajectories.network.data import Data
from trajectories.network.datasets import make_dataset
from trajectories.network.evaluation import evaluate
from trajectories.network.landscape import data_window, decision_grid, loss_grid
from trajectories.network.losses import LOSSES
from trajectories.network.models import parse_model
from trajectories.network.projection import fit_window, parse_projection, plane_through
from trajectories.network.training import train

RNG = np.random.default_rng(11)


def _known_paths(steps=30, racers=3, size=9):
    """Paths (T + 1, O, 1, P) from a common start along curves in a known 3-D subspace, plus small noise."""
    basis = np.linalg.qr(RNG.standard_normal((size, 3)))[0].T
    t = np.linspace(0, 1, steps + 1)[:, None]
    curves = [np.hstack([4 * t, (r - 1) * np.sin(3 * t), 0.3 * t**2]) for r in range(racers)]
    paths = np.stack([c @ basis for c in curves], axis=1)[:, :, None, :] + 1e-3 * RNG.standard_normal(
        (steps + 1, racers, 1, size))
    paths[0] = paths[0, 0]  # one start
    return paths + 2.0


def test_pca_matches_numpy_svd_and_points_the_way_the_racers_go():
    model = parse_model("mlp:2-2-1:tanh")  # 9 parameters
    paths = _known_paths()
    plane = parse_projection("pca").fit(model, paths)
    points = paths.reshape(-1, 9)
    centred = points - points.mean(0)
    _, singular, rows = np.linalg.svd(centred, full_matrices=False)
    np.testing.assert_allclose(plane.explained, (singular[:2] ** 2) / np.sum(singular**2), rtol=1e-12)
    np.testing.assert_allclose(np.abs(plane.axes), np.abs(rows[:2]), atol=1e-10)
    np.testing.assert_allclose(plane.axes @ plane.axes.T, np.eye(2), atol=1e-14)
    np.testing.assert_allclose(plane.origin, points.mean(0), rtol=1e-14)
    movement = (paths[-1] - paths[0]).reshape(-1, 9)
    assert (np.sum(movement @ plane.axes.T, axis=0) > 0).all()  # the sign convention
    assert "%" in plane.description and plane.explained[0] > plane.explained[1] > 0


def test_the_plane_does_not_depend_on_where_the_iteration_starts(monkeypatch):
    model = parse_model("mlp:2-2-1:tanh")
    paths = _known_paths()
    first = parse_projection("pca").fit(model, paths)
    monkeypatch.setattr(principal, "START_SEED", 12345)
    second = parse_projection("pca").fit(model, paths)
    np.testing.assert_allclose(second.axes, first.axes, atol=1e-10)  # the same signs, not only up to sign


def test_coordinates_are_the_orthogonal_projection():
    model = parse_model("mlp:2-2-1:tanh")
    paths = _known_paths()
    for spec in ("pca", "plane:racers=[0,2]", "random:seed=4,center=mean"):
        plane = parse_projection(spec).fit(model, paths)
        coordinates = RNG.standard_normal((5, 2))
        np.testing.assert_allclose(plane.project(plane.point(coordinates)), coordinates, atol=1e-12)
        away = RNG.standard_normal(9)  # a move orthogonal to the plane does not change the coordinates
        away -= plane.axes.T @ np.linalg.solve(plane.axes @ plane.axes.T, plane.axes @ away)
        np.testing.assert_allclose(plane.project(plane.point(coordinates) + away), coordinates, atol=1e-12)


def test_the_plane_through_the_start_and_two_ends():
    paths = _known_paths()
    plane = plane_through(paths, 0, 2)
    start, end_a, end_b = plane.project(np.stack([paths[0, 0, 0], paths[-1, 0, 0], paths[-1, 2, 0]]))
    np.testing.assert_allclose(start, [0, 0], atol=1e-14)
    assert end_a[0] == pytest.approx(np.linalg.norm(paths[-1, 0, 0] - paths[0, 0, 0]), rel=1e-13)
    assert abs(end_a[1]) < 1e-13 and end_b[1] > 0
    assert plane.explained is None
    t = np.linspace(0, 1, 31)[:, None]
    straight = np.broadcast_to(paths[0, 0, 0], (31, 3, 1, 9)).copy()  # racer 0 stays at the start
    straight[:, 1, 0] += t  # racers 1 and 2 move along one line
    straight[:, 2, 0] += 2 * t
    with pytest.raises(NetworkError, match="ends where it started"):
        plane_through(straight, 0, 1)
    with pytest.raises(NetworkError, match="lie on one line"):
        plane_through(straight, 1, 2)
    with pytest.raises(NetworkError, match="there is no racer 5"):
        plane_through(paths, 0, 5)


def test_random_directions_are_filter_normalised():
    model = parse_model("mlp:3-5-2:relu")
    centre = 3 * model.initial(2)
    for biases in ("zero", "centre"):
        plane = parse_projection(f"random:seed=9,biases={biases}").fit(
            model, np.broadcast_to(centre, (2, 1, 1, model.parameter_count)))
        np.testing.assert_array_equal(plane.origin, centre)
        raw = np.random.default_rng(9).standard_normal((2, model.parameter_count))
        for direction, drawn in zip(plane.axes, raw, strict=True):
            layers = zip(model.unpack(direction), model.unpack(drawn), model.unpack(centre), strict=True)
            for (w, b), (dw, _), (cw, cb) in layers:  # each unit's weights: d * |θ_unit| / (|d_unit| + 1e-10)
                scale = np.linalg.norm(cw, axis=1) / (np.linalg.norm(dw, axis=1) + 1e-10)
                np.testing.assert_allclose(w, dw * scale[:, None], rtol=1e-13)
                np.testing.assert_array_equal(b, cb if biases == "centre" else 0.0)
    paths = np.broadcast_to(centre, (2, 1, 1, model.parameter_count))
    first, again, other = (parse_projection(f"random:seed={seed}").fit(model, paths) for seed in (9, 9, 8))
    assert again.axes.tobytes() == first.axes.tobytes() != other.axes.tobytes()


def test_the_share_of_a_path_a_plane_shows():
    model = parse_model("mlp:1-1:identity")  # 2 parameters, a 2-D plane: every path lies in it
    paths = RNG.standard_normal((6, 2, 1, 2)).cumsum(0)
    plane = parse_projection("pca").fit(model, paths)
    np.testing.assert_allclose(plane.explained_fraction(paths[:, :, 0]), 1.0, rtol=1e-14)
    three = parse_model("mlp:1-1-1:identity")  # 4 parameters
    start = np.zeros(4)
    steps = np.array([[1, 0, 0, 0], [0, 0, 2, 0], [0, 1, 0, 0]], dtype=float)
    path = np.vstack([start, np.cumsum(steps, axis=0)])  # (0,0,0,0) (1,0,0,0) (1,0,2,0) (1,1,2,0)
    paths = np.stack([path, path * [1, 1, 0, 0]], axis=1)[:, :, None, :]
    plane = parse_projection("plane:racers=[1,0]").fit(three, paths)  # span{(1,1,0,0), (0,0,1,0)}
    # by hand, squares of the movement in the plane over all of it: racer 0 (0 + 0.5 + 4.5 + 6) / (0 + 1 + 5 + 6),
    # racer 1 (0 + 0.5 + 0.5 + 2) / (0 + 1 + 1 + 2)
    np.testing.assert_allclose(plane.explained_fraction(paths[:, :, 0]), [11 / 12, 3 / 4], rtol=1e-14)
    assert plane.explained_fraction(np.repeat(path[:1], 3, axis=0)) == 1.0  # a path that does not move


def test_the_loss_grid_is_each_points_loss():
    model, data = parse_model("mlp:2-4-1:tanh"), make_dataset("moons:n=40")
    paths = train(model, data, ["sgd:lr=0.5", "adam:lr=0.05"], 12)
    plane = parse_projection("pca").fit(model, paths.params)
    window = fit_window(plane.project(paths.params))
    grid = loss_grid(model, LOSSES["bce"], data.train, data.train.targets, plane, window, (5, 4))
    assert grid.values.shape == (4, 5) and grid.xs[0] == window[0] and grid.ys[-1] == window[3]
    j, i = 3, 1
    point = plane.point(np.array([grid.xs[i], grid.ys[j]]))
    alone, _ = evaluate(model, LOSSES["bce"], point, data.train, data.train.targets)
    assert alone.tobytes() == grid.values[j, i].tobytes()
    coordinates = plane.project(paths.params)
    assert (coordinates[..., 0] >= window[0]).all() and (coordinates[..., 1] <= window[3]).all()


def test_decision_grids_by_hand():
    model = parse_model("logistic:2")
    params = np.array([[2.0, -1.0, 0.5], [np.nan, 0.0, 0.0]])
    grid = decision_grid(model, LOSSES["bce"], params, (-1, 1, -2, 2), (3, 5))
    gx, gy = np.meshgrid(grid.xs, grid.ys)
    np.testing.assert_allclose(grid.values[0], 1 / (1 + np.exp(-(2 * gx - gy + 0.5))), rtol=1e-14)
    assert np.isnan(grid.values[1]).all()
    softmax = parse_model("mlp:2-3")
    probabilities = decision_grid(softmax, LOSSES["cross_entropy"], softmax.initial(), (0, 1, 0, 1), (4, 4)).values
    assert probabilities.shape == (4, 4, 3)
    np.testing.assert_allclose(probabilities.sum(-1), 1.0, rtol=1e-14)
    with pytest.raises(NetworkError, match="drawn for 2 inputs"):
        decision_grid(parse_model("logistic:3"), LOSSES["bce"], np.zeros(4), (0, 1, 0, 1))
    with pytest.raises(NetworkError, match="2 to 400 points a side"):
        decision_grid(model, LOSSES["bce"], params[0], (0, 1, 0, 1), (1, 5))
    with pytest.raises(NetworkError, match="x0 < x1"):
        decision_grid(model, LOSSES["bce"], params[0], (1, 0, 0, 1))
    data = Data(np.array([[0.0, 1.0], [2.0, 5.0]]), np.array([0.0, 1.0]), "binary")
    assert data_window(data, 0.5) == (-1.0, 3.0, -1.0, 7.0)


def test_projection_specs_parse_and_round_trip():
    assert parse_projection("pca").to_text() == "pca"
    spec = parse_projection("random:seed=2,center=mean,biases=centre")
    assert dict(spec.params) == {"seed": 2, "center": "mean", "racer": 0, "biases": "centre"}
    assert parse_projection(spec.to_text()) == spec
    assert parse_projection("plane:racers=[2,0]").params["racers"] == (2, 0)
    assert parse_projection("plane").to_text() == "plane"


BAD_PROJECTIONS = [
    ("tsne", "unknown projection 'tsne'"),
    ("pca:seed=1", "pca: unknown key 'seed' (keys: none)"),
    ("random:center=middle", "center must be one of start, end, mean"),
    ("random:seed=-3", "seed must be a whole number >= 0"),
    ("random:biases=keep", "biases must be one of zero, centre"),
    ("plane:racers=[1,1]", "two different racers"),
    ("plane:racers=[0,1,2]", "two racer numbers"),
    ("plane:racers=0", "two racer numbers"),
]


@pytest.mark.parametrize(("text", "message"), BAD_PROJECTIONS, ids=[row[0] for row in BAD_PROJECTIONS])
def test_bad_projections_get_one_line(text, message):
    with pytest.raises(NetworkError) as caught:
        parse_projection(text)
    assert message in str(caught.value) and "\n" not in str(caught.value)
