"""The 3-D views: paths drawn over the surface, the camera's turn, and parallel frames giving the same
bytes as serial ones."""

import numpy as np
import pytest

from trajectories.scene import Racer, Scene, SceneError, SideBySide

from .drawing import make_view

PANEL = dict(steps=12, window=(-1, 1, -1, 1), start=(1.0, 0.0), view="surface", rotation=2.0, grid=30,
             theme="article")


def two_panels(**changes):
    return SideBySide(
        "pair",
        [Scene("a", "peaks", [Racer("sgd:lr=0.005", "GD")], title="Local minimum", **PANEL),
         Scene("b", "monkey_saddle", [Racer("sgd:lr=0.05", "GD")], title="Saddle point", **PANEL)],
        **{"size": (240, 120), "dpi": 20, **changes},
    )


def test_paths_lie_on_the_surface_and_are_drawn_over_it():
    scene = two_panels()
    view = make_view(scene)
    view.update(7)
    for axes, moving, trajectories in zip(view.axes, view.moving, view.trajectories, strict=True):
        assert axes.computed_zorder is False
        surface_z = max(c.get_zorder() for c in axes.collections)
        _, _, path, head, *_ = moving[0]
        assert path.get_zorder() > surface_z and head.get_zorder() > surface_z
        xs, ys, zs = path.get_data_3d()
        positions = trajectories[0].positions[:8, 0]
        np.testing.assert_array_equal(np.column_stack([xs, ys]), positions)
        np.testing.assert_allclose(zs, trajectories[0].losses[:8, 0])
        assert axes.azim == pytest.approx(45 + 2.0 * 7) and axes.elev == pytest.approx(30)


def test_frames_are_full_size_and_deterministic():
    scene = two_panels()
    view = make_view(scene)
    frame = view.frame(5)
    assert frame.shape == (120, 240, 4)
    view.frame(11)
    assert np.array_equal(view.frame(5), frame)  # no state carried over from other frames


def test_parallel_rendering_gives_the_same_bytes(tmp_path):
    scene = two_panels()
    serial = scene.render(tmp_path / "one.gif", jobs=1)
    parallel = scene.render(tmp_path / "two.gif", jobs=2)
    assert serial.frames == parallel.frames == 13
    assert (tmp_path / "one.gif").read_bytes() == (tmp_path / "two.gif").read_bytes()


def test_wireframe_with_a_legend(tmp_path):
    scene = Scene(
        "w", "saddle", [Racer("sgd:lr=0.1", "GD"), Racer("adam:lr=0.1", "Adam")], start=(1.0, -0.01), steps=40,
        window=(-1, 1, -1, 1), zlim=(-1, 1), view="wireframe", grid=20, rotation=2, size=(160, 160), dpi=20,
        theme="article",
    )
    view = make_view(scene)
    assert [t.get_text() for t in view.axes[0].get_legend().get_texts()] == ["GD", "Adam"]
    assert scene.render(tmp_path / "w.gif").frames == 41


def test_side_by_side_panels_must_agree():
    a = Scene("a", "peaks", ["sgd"], steps=10, view="surface")
    with pytest.raises(SceneError, match="share their number of steps"):
        SideBySide("p", [a, a.with_options(steps=20)])
    with pytest.raises(SceneError, match="panels must be one or more Scene"):
        SideBySide("p", [])
    assert two_panels().with_options(theme="dark", trail="tail").panels[0].trail_spec.trail == "tail"


def test_camera_center_is_where_every_line_of_sight_meets():
    from matplotlib.figure import Figure
    from mpl_toolkits.mplot3d import proj3d

    from trajectories.render.surface3d import camera_center

    axes = Figure().add_subplot(projection="3d")
    axes.set_xlim(-2, 2), axes.set_ylim(-1, 3), axes.set_zlim(-5, 5)
    for elevation, azimuth in ((30, 45), (45, 180), (10, 300)):
        axes.view_init(elev=elevation, azim=azimuth)
        matrix = axes.get_proj()
        center = camera_center(matrix)
        eye = center[:3] / center[3]
        for point in ([0.3, 0.4, -1.0], [-1.5, 2.5, 4.0]):
            along = [np.array(point) + t * (eye - point) for t in (0.0, 0.4, 0.9)]
            seen = [np.ravel(proj3d.proj_transform(*([v] for v in q), matrix)[:2]) for q in along]
            np.testing.assert_allclose(seen[1:], [seen[0]] * 2, atol=1e-9)
        # the eye looks down from the side the azimuth names
        direction = eye - [0, 1, 0]
        assert np.sign(direction[2]) == 1
        assert np.dot(direction[:2], [np.cos(np.radians(azimuth)), np.sin(np.radians(azimuth))]) > 0


def test_a_ridge_hides_what_lies_behind_it():
    from trajectories.render.surface3d import hidden_points

    def ridge(xy):
        return 4 * np.exp(-xy[..., 0] ** 2 / 0.02)

    box = (-1, 1, -1, 1, 0, 5)
    eye = np.array([10.0, 0.0, 1.0, 1.0])  # on the +x side, just above the plane
    points = np.array([[-0.5, 0.0, 0.0], [0.5, 0.0, 0.0], [-0.5, 0.5, 0.0], [0.0, 0.0, 4.0]])
    assert hidden_points(points, eye, ridge, box).tolist() == [True, False, True, False]
    high = np.array([0.0, 0.0, 100.0, 1.0])  # from high above, nothing hides the plane
    assert not hidden_points(points, high, ridge, box).any()
    assert not hidden_points(points, np.array([1.0, 0.0, 0.0, 0.0]), ridge, box).any()  # at infinity: not judged
