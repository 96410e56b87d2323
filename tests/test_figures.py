"""The article's figures: their numbers against ARTICLE.md and against references computed independently
(closed forms, matrix powers, finite-difference loops over formulas typed in here)."""

import math

import numpy as np
import pytest

from trajectories.compute.ewa import SeriesError, ewa, load_series, synthetic_prices
from trajectories.compute.paths import race_trajectories
from trajectories.scene import BatchDiagram, SceneError, SeriesScene, builtin_scenes
from trajectories.style.theme import get_theme
from trajectories.surfaces.gradients import make_regression

from .references import gradient_descent, peaks, tf1_reference

SCENES = builtin_scenes()


def test_every_figure_of_the_article_is_a_builtin_scene():
    for name in ("fig1_critical_points", "fig2_learning_rates", "fig3_minibatch", "fig4_minibatches", "fig5_ewa",
                 "fig6_momentum", "fig7_saddle_race", "fig1_local_minimum_2d", "fig1_saddle_point_2d",
                 "fig2_learning_rates_2d", "fig7_saddle_race_2d"):
        assert name in SCENES, name


def test_figure_1_gradient_descent_on_peaks_and_the_monkey_saddle():
    local, saddle = SCENES["fig1_critical_points"].panels
    assert local.surface.name == "peaks" and saddle.surface.name == "monkey_saddle"
    # the local-minimum panel shows [−2, 2]² so that the global minimum (the pit at (0.23, −1.63)) is in view
    assert local.plot_window == (-2, 2, -2, 2) and saddle.plot_window == (-1, 1, -1, 1)
    low, high = local.plot_window[:2]
    (pit,) = local.surface.global_minima
    assert low < pit.x < high and low < pit.y < high
    for panel in (local, saddle):
        assert panel.starts == ((1.0, 0.0),) and panel.steps == 180
        assert panel.optimizers[0].spec.params["lr"] == 0.005 and panel.view == "surface"
        # the original camera (elevation 30, azimuth 45, 2° a frame) turns as fast, for 50 of the 180 steps, from
        # 40° up (from 30° the surface hides the ball in the local minimum, for a sixth of a turn)
        camera = panel.camera
        assert (camera.elevation, camera.azimuth, camera.rotation, camera.rotation_steps) == (40, 45, -2.0, (60, 110))
    assert SCENES["fig1_critical_points"].frame_count == 181  # a frame a step, as the original
    path = race_trajectories(local)[0].positions[:, 0]
    expected = gradient_descent(peaks, (1.0, 0.0), 0.005, 180)
    np.testing.assert_allclose(path[[1, 60, 180]], expected[[1, 60, 180]], rtol=1e-6)
    # it ends in the local minimum near (0.296, 0.320), not the global one at (0.228, -1.626)
    assert np.linalg.norm(path[-1] - [0.2964, 0.3202]) < 0.01
    # on x³ − 3xy² from (1, 0), y stays 0 and x follows x ← x − 0.015 x²
    creep = race_trajectories(saddle)[0].positions[:, 0]
    x = 1.0
    for _ in range(180):
        x -= 0.005 * 3 * x * x
    assert creep[-1].tolist() == pytest.approx([x, 0.0], rel=1e-12)


def test_figure_2_big_and_small_learning_rates():
    big, small = SCENES["fig2_learning_rates"].panels
    assert [p.optimizers[0].spec.params["lr"] for p in (big, small)] == [0.15, 0.01]
    for panel in (big, small):
        assert panel.starts == ((-0.5, -1.0),) and panel.steps == 180 and panel.plot_window == (-4, 4, -4, 4)
        assert panel.trail_spec.trail == "tail" and panel.trail_spec.tail == 10 and not panel.look.show_start
        # the original camera (elevation 30, azimuth 225 + 2° a frame) never sees the pit's floor: 65° up, turning
        # 2° a frame from 210° to 310° only, it does (tests/test_frame_check.py: the heads are in sight)
        camera = panel.camera
        assert (camera.elevation, camera.azimuth, camera.rotation, camera.rotation_steps) == (65, 210, 2.0, (60, 110))
    small_path = race_trajectories(small)[0].positions[:, 0]
    np.testing.assert_allclose(small_path[[10, 180]], gradient_descent(peaks, (-0.5, -1), 0.01, 180)[[10, 180]],
                               rtol=1e-6)
    assert np.linalg.norm(small_path[-1] - [0.2283, -1.6255]) < 1e-3  # the small rate settles in the minimum
    big_path = race_trajectories(big)[0].positions[:, 0]
    np.testing.assert_allclose(big_path[:6], gradient_descent(peaks, (-0.5, -1), 0.15, 5), rtol=1e-6)
    assert np.ptp(big_path[-10:], axis=0).max() > 0.5  # the big one keeps bouncing across the valley


def test_figure_3_compares_at_equal_samples_read():
    scene = SCENES["fig3_minibatch"]
    data = make_regression()
    # 10 epochs of 1,800 samples: 10 full-batch steps, and 10 × 29 mini-batch steps (28 of 64, one of 8)
    assert scene.racer_steps() == [10, 290]
    timeline = scene.timeline()
    assert timeline.label == "samples" and timeline.total == 18000 and timeline.steps[-1] == [10, 290]
    for value, (gd_step, mb_step) in zip(timeline.values, timeline.steps, strict=True):
        assert gd_step == value // 1800
        assert mb_step == (value // 1800) * 29 + min((value % 1800) // 64, 28)
    gd, minibatch = race_trajectories(scene)
    # full-batch GD on the quadratic loss: θ_t − θ* = (I − αH)^t (θ_0 − θ*), H from the raw data
    hessian = np.array([[np.mean(data.x**2), np.mean(data.x)], [np.mean(data.x), 1.0]])
    best = np.linalg.solve(hessian, [np.mean(data.x * data.y), np.mean(data.y)])
    start = np.array(scene.starts[0])
    expected = best + np.linalg.matrix_power(np.eye(2) - 0.3 * hessian, 10) @ (start - best)
    np.testing.assert_allclose(gd.positions[-1, 0], expected, rtol=1e-12)
    # per sample read, the mini-batch path gets further (over 3× closer here) but noisier: its loss goes up
    # on a good share of its steps, which full-batch GD on a convex quadratic never does
    assert np.linalg.norm(minibatch.positions[-1, 0] - best) < np.linalg.norm(gd.positions[-1, 0] - best) / 3
    assert np.all(np.diff(gd.losses[:, 0]) < 0)
    assert np.mean(np.diff(minibatch.losses[:, 0]) > 0) > 0.2


def test_figure_4_splits_one_epoch_like_the_minibatch_gradients():
    scene = SCENES["fig4_minibatches"]
    batches = scene.batches()
    assert [len(b) for b in batches] == [64] * 28 + [8]
    assert sorted(np.concatenate(batches).tolist()) == list(range(1800))
    order = np.random.default_rng([0, 0]).permutation(1800)  # MiniBatchGradient's epoch-0 order, seed 0
    assert np.array_equal(np.concatenate(batches), order)
    dropped = BatchDiagram("d", samples=100, batch_size=32, drop_last=True).batches()
    assert [len(b) for b in dropped] == [32, 32, 32]


def test_figure_4_phases():
    from trajectories.render.diagram import BatchDiagramView

    scene = BatchDiagram("d", samples=200, batch_size=64, size=(320, 240), dpi=50)
    view = BatchDiagramView(scene)
    intro = scene.INTRO_FRAMES + scene.SHUFFLE_FRAMES + scene.SPLIT_FRAMES
    assert view.phase(0)[1:] == (0.0, 0.0, -1)
    assert view.phase(intro - 1)[1:3] == (1.0, 1.0)
    assert view.phase(intro)[3] == 0 and view.phase(scene.frame_count - 1)[3] == 3
    assert view.phase(scene.frame_count - 1)[0] == "batch 4/4: 8 samples → one gradient step"
    assert view.frame(0).shape == (240, 320, 4)


def test_ewa_equals_its_closed_form():
    values = synthetic_prices(60, seed=4)
    for beta in (0.8, 0.9, 0.95, 0.98):
        t = np.arange(len(values))
        # v_t = β^t x_0 + (1 − β) Σ_{1 ≤ i ≤ t} β^{t−i} x_i
        weights = (1 - beta) * beta ** (t[:, None] - t[None, :]) * (t[None, :] <= t[:, None]) * (t[None, :] >= 1)
        closed = beta**t * values[0] + weights @ values
        np.testing.assert_allclose(ewa(values, beta), closed, rtol=1e-12)
    with pytest.raises(ValueError, match="beta must be in"):
        ewa(values, 1.0)


def test_figure_5_follows_the_original_layout():
    scene = SCENES["fig5_ewa"]
    assert scene.betas == (0.80, 0.90, 0.95, 0.98) and scene.stagger == 20
    assert scene.price_color == "#FFFFFF" and scene.look.palette == "default"
    assert scene.with_options(palette="article").curve_colors == ("#9E7CC1", "#9897CE", "#93B2DC", "#8ECDEA")
    shown = scene.curve_colors[:4]
    assert len(set(shown)) == 4 and scene.price_color not in shown
    assert scene.synthetic and len(scene.values()) == 253 and scene.frame_count == 253 + 3 * 20
    prices = scene.values()
    assert prices[0] == pytest.approx(169.04) and np.array_equal(prices, synthetic_prices(253, seed=0))
    from trajectories.render.averages import AveragesView

    view = AveragesView(scene.with_options(size=(320, 240), dpi=20))
    assert view.shown_points(0) == [1, 0, 0, 0] and view.shown_points(40) == [41, 21, 1, 0]
    assert view.shown_points(312) == [253] * 4


def test_a_users_series_from_csv(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("Date,Close,Note\n2024-01-02,10,a\n2024-01-03,12.5,b\n2024-01-04,11,c\n")
    assert load_series(path, "Close").tolist() == [10, 12.5, 11]
    scene = SeriesScene("mine", data=str(path), column="Close", size=(320, 240), dpi=20, stagger=1)
    assert not scene.synthetic and scene.frame_count == 3 + 3
    result = scene.render(tmp_path / "mine.gif")
    assert result.bytes > 0


@pytest.mark.parametrize(("content", "column", "message"), [
    (None, "Close", "no such file"),
    ("Date,Open\n1,2\n", "Close", "has no column 'Close' (columns: Date, Open)"),
    ("Date,Close\n1,2\n2,abc\n", "Close", ":3: Close is not a number: 'abc'"),
    ("Date,Close\n1,2\n2,inf\n", "Close", ":3: Close is not finite"),
    ("Date,Close\n1,2\n", "Close", "needs at least 2 values, got 1"),
    ("", "Close", "is empty"),
])  # fmt: skip
def test_bad_series_files_give_one_line_errors(tmp_path, content, column, message):
    path = tmp_path / "series.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SeriesError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_series(path, column)
    with pytest.raises(SceneError):
        SeriesScene("s", data=str(path), column=column)


def test_figure_6_gd_zigzags_and_momentum_follows_its_recurrence():
    scene = SCENES["fig6_momentum"]
    assert scene.surface.name == "ravine" and scene.starts == ((6.0, 3.0),)
    gd, momentum = race_trajectories(scene)
    alpha, beta, t = 0.0395, 0.9, np.arange(scene.steps + 1)
    # GD on ½(x² + 50y²): x_t = 6(1 − α)^t, y_t = 3(1 − 50α)^t (a sign flip every step: the zig-zag)
    np.testing.assert_allclose(gd.positions[:, 0, 0], 6 * (1 - alpha) ** t, rtol=1e-10)
    np.testing.assert_allclose(gd.positions[:, 0, 1], 3 * (1 - 50 * alpha) ** t, rtol=1e-10, atol=1e-300)
    # EMA momentum per coordinate (curvature λ): (θ, v) ← M (θ, v), M = [[1 − α(1−β)λ, −αβ], [(1−β)λ, β]]
    for axis, (start, curvature) in enumerate(((6.0, 1.0), (3.0, 50.0))):
        m = np.array([[1 - alpha * (1 - beta) * curvature, -alpha * beta], [(1 - beta) * curvature, beta]])
        expected = [(np.linalg.matrix_power(m, k) @ [start, 0.0])[0] for k in (10, 60, 120)]
        np.testing.assert_allclose(momentum.positions[[10, 60, 120], 0, axis], expected, rtol=1e-9, atol=1e-12)
    # momentum damps the oscillation across the valley: far fewer sign changes in y
    flips = lambda y: int(np.sum(np.diff(np.sign(y)) != 0))  # noqa: E731
    assert flips(momentum.positions[:, 0, 1]) * 5 < flips(gd.positions[:, 0, 1])


@pytest.mark.parametrize("name", ["fig7_saddle_race", "fig7_saddle_race_2d"])
def test_figure_7_reproduces_tensorflow_1(name):
    scene = SCENES[name]
    assert [r.label for r in scene.optimizers] == ["Gradient Descent", "Momentum", "Nesterov", "RMSProp", "Adam"]
    assert [r.color for r in scene.optimizers] == [None] * 5  # the theme's colour-blind-safe colours
    original = scene.with_options(palette="article")
    assert original.racer_colors(get_theme("article")) == ["#F2112D", "#F06E1E", "#EED82A", "#A5EC37", "#54EA43"]
    assert scene.starts == ((1.0, -0.001),) and scene.steps == 180 and scene.plot_window == (-1, 1, -1, 1)
    rules = ["gd", "momentum", "nesterov", "rmsprop", "adam"]
    for trajectory, rule in zip(race_trajectories(scene), rules, strict=True):
        reference = tf1_reference(rule)
        finite = np.isfinite(trajectory.positions[:, 0]).all(axis=1)
        np.testing.assert_allclose(trajectory.positions[finite, 0], reference[finite], rtol=1e-10, atol=1e-300)
    if name == "fig7_saddle_race":
        camera = (scene.view, scene.camera.elevation, scene.camera.azimuth, scene.camera.zlim, scene.camera.grid)
        assert camera == ("wireframe", 45, 180, (-1, 1), 50)


def test_figure_7_paths_leave_the_box_at_different_steps():
    from trajectories.render.contour import find_exit

    scene = SCENES["fig7_saddle_race_2d"]
    steps = []
    for trajectory in race_trajectories(scene):
        exit_ = find_exit(trajectory.positions[:, 0], scene.plot_window, int(trajectory.diverged_step[0]))
        steps.append(exit_.step)
    assert steps[0] == math.ceil(math.log(1000) / math.log(1.04))  # GD: |y| = 0.001·1.04^t > 1
    assert len(set(steps)) == 5
