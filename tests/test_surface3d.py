"""The 3-D views: paths drawn over the surface, the camera's turn, and parallel frames giving the same
bytes as serial ones."""

import numpy as np
import pytest

from trajectories.render.surface3d import SurfaceAnimation
from trajectories.scene import Racer, Scene, SceneError, SideBySide

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
    view = SurfaceAnimation(scene.panels, scene.size, scene.dpi, scene.theme, scene.frame_count)
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
    view = SurfaceAnimation(scene.panels, scene.size, scene.dpi, scene.theme, scene.frame_count)
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
    view = SurfaceAnimation([scene], scene.size, scene.dpi, scene.theme, scene.frame_count)
    assert [t.get_text() for t in view.axes[0].get_legend().get_texts()] == ["GD", "Adam"]
    assert scene.render(tmp_path / "w.gif").frames == 41


def test_side_by_side_panels_must_agree():
    a = Scene("a", "peaks", ["sgd"], steps=10, view="surface")
    with pytest.raises(SceneError, match="share their number of steps"):
        SideBySide("p", [a, a.with_options(steps=20)])
    with pytest.raises(SceneError, match="panels must be one or more Scene"):
        SideBySide("p", [])
    assert two_panels().with_options(theme="dark", trail="tail").panels[0].trail == "tail"
