"""The contour view and rendered files: drawn data equals the trajectories, files decode as promised,
renders are deterministic and atomic."""

import json
import math
import subprocess
import sys

import imageio.v3 as iio
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from PIL import Image

from trajectories.compute.paths import race_trajectories
from trajectories.render.contour import find_exit
from trajectories.scene import Racer, Scene, spread
from trajectories.writers import FrameWriter

from .contracts import fake_format
from .drawing import make_view

SMALL = {"size": (200, 150), "dpi": 40}


def small_scene(**changes):
    base = dict(name="small", surface="rosenbrock", optimizers=["sgd:lr=0.001,momentum=0.9", "adam:lr=0.1"],
                steps=30, hold=0.2, **SMALL)
    return Scene(**{**base, **changes})


def rms(a, b):
    return float(np.sqrt(np.mean((a[..., :3].astype(float) - b[..., :3].astype(float)) ** 2)))


def test_frames_spread_evenly_over_the_steps_and_end_on_the_last():
    assert spread(10, 11) == list(range(11))
    assert spread(100, 5) == [0, 25, 50, 75, 100]
    assert spread(7, 1) == [7]


def test_drawn_paths_and_heads_equal_the_trajectory():
    scene = small_scene()
    view = make_view(scene)
    trajectories = race_trajectories(scene)
    for index in (0, 7, 30):
        view.frame(index)
        drawn = view.path_collection.get_segments()
        heads = view.head_collection.get_offsets()
        for i, trajectory in enumerate(trajectories):
            assert np.array_equal(drawn[i], trajectory.positions[: index + 1, 0])
            assert np.array_equal(view.drawn_path(i), trajectory.positions[: index + 1, 0])
            assert heads[i].tolist() == trajectory.positions[index, 0].tolist()
        colours = view.path_collection.get_colors()
        assert [tuple(c) for c in colours] == [to_rgba(c) for c in view.colors]


def test_tail_and_fade_show_only_the_last_steps():
    scene = small_scene(trail="tail", tail=10)
    view = make_view(scene)
    view.frame(25)
    assert np.array_equal(view.drawn_path(1), race_trajectories(scene)[1].positions[15:26, 0])
    fade = make_view(small_scene(trail="fade", tail=10))
    fade.frame(25)
    segments = fade.path_collection.get_segments()
    alphas = fade.path_collection.get_colors()[:, 3]
    assert len(segments) == 20  # two racers, ten segments each, oldest faintest
    assert np.all(np.diff(alphas[:10]) > 0) and alphas[9] == 1.0 and alphas[0] == pytest.approx(0.1)
    fade.frame(3)  # early on, the trail is shorter than the tail and starts faint, not at full opacity
    assert fade.path_collection.get_colors()[0, 3] == pytest.approx(0.8)


def test_frames_have_a_fixed_size_and_are_deterministic():
    view = make_view(small_scene(size=(321, 203)))
    first, again = view.frame(12), view.frame(12)
    assert first.shape == (203, 321, 4) and first.dtype == np.uint8
    assert np.array_equal(first, again)
    assert not np.array_equal(view.frame(13), first)


def test_sprites_look_like_matplotlib_drawing_them():
    """The legend and counter pasted as sprites match matplotlib drawing the same artists itself."""
    scene = small_scene(optimizers=[Racer("adam:lr=0.1", "Adam"), Racer("sgd:lr=0.001", "GD")], size=(400, 300), dpi=80)
    view = make_view(scene)
    ours = view.frame(17)
    view.backdrop.restore()
    for artist in view.update(17):
        view.figure.draw_artist(artist)
    assert view.legend_inside
    for artist in view.make_inside_legend():
        view.figure.draw_artist(artist)
    text = view.counter.make_text(f"step {17:>2}/{scene.steps}")
    view.figure.draw_artist(text)
    reference = np.asarray(view.canvas.buffer_rgba()).copy()
    assert rms(ours, reference) < 1.0
    assert np.count_nonzero(np.abs(ours[..., :3].astype(int) - reference[..., :3]) > 24) < 20


def test_legend_goes_to_the_corner_the_paths_avoid():
    # on the saddle from (1, -0.001), paths run down and right-to-left: the top stays empty
    scene = Scene("s", "saddle", ["sgd:lr=0.05"], start=(1.5, -0.5), steps=40, window=(-2, 2, -2, 2), **SMALL)
    view = make_view(scene)
    assert view.legend_corner.startswith("upper")


def test_exit_point_is_where_the_path_crosses_the_edge():
    window = (-1.0, 1.0, -1.0, 1.0)
    path = np.array([[0.0, 0.0], [0.5, 0.25], [1.5, 0.75], [2.5, 1.25]])
    exit_ = find_exit(path, window, diverged_step=-1)
    assert exit_.step == 2 and not exit_.diverged
    assert exit_.point == pytest.approx((1.0, 0.5))
    assert find_exit(path[:2], window, -1) is None
    diverged = np.array([[0.0, 0.0], [0.5, 0.5], [np.nan, np.nan]])
    exit_ = find_exit(diverged, window, diverged_step=2)
    assert exit_.step == 2 and exit_.diverged and exit_.point == (0.5, 0.5)


def test_paths_that_leave_the_window_are_marked_from_the_step_they_left():
    scene = Scene("s", "saddle", [Racer("sgd:lr=0.2", "GD", "#D55E00")], start=(1.0, -0.01), steps=30, **SMALL)
    trajectory = race_trajectories(scene)[0]
    outside = np.abs(trajectory.positions[:, 0, 1]) > 2
    left_at = int(np.argmax(outside))
    view = make_view(scene)
    assert len(view.sprites(left_at - 1)) == len(view.sprites(left_at)) - 2  # the X and its label appear
    frame = view.frame(30)
    assert frame.shape == (150, 200, 4)


def test_diverging_paths_render_without_warnings(tmp_path):
    scene = Scene("s", "sphere", ["sgd:lr=2.0", "sgd:lr=0.1"], start=(1.0, 0.5), steps=20, **SMALL)
    with np.errstate(all="raise"):
        result = scene.render(tmp_path / "d.gif")
    assert result.frames == 21


def test_a_path_that_leaves_the_window_early_is_warned_of_only_if_it_never_comes_back():
    """GD on x² + y² is x_t = x_0 (1 − 2 lr)^t: from x_0 = 1.5 in the window [−1, 2], lr 0.9 jumps to −1.2
    (out) and back to 0.96 (in), drawn again from there; lr 1.1 jumps to −1.8 and 2.16 and never returns."""
    from trajectories.compute.paths import compute_paths
    from trajectories.pipeline.stages import early_exit_warnings

    def x(lr, t):
        return 1.5 * (1 - 2 * lr) ** t

    assert x(0.9, 1) < -1 and -1 < x(0.9, 2) < 2 and all(abs(x(1.1, t)) > 1.5 for t in range(1, 41))
    racers = ["sgd:lr=0.9", "sgd:lr=1.1", "sgd:lr=0.1"]
    scene = Scene("bowl", "x**2 + y**2", racers, start=(1.5, 0.0), window=(-1, 2, -1, 1), steps=40, **SMALL)
    notes = early_exit_warnings(compute_paths(scene))
    assert notes == ("bowl: the path of 'sgd:lr=1.1' leaves the window at step 1 of 40, and the animation shows "
                     "nothing of it after; try a smaller lr or a larger window",)


def test_gif_file_decodes_with_the_promised_frames_timing_and_loop(tmp_path):
    scene = small_scene(fps=25, hold=1.0)
    result = scene.render(tmp_path / "x.gif")
    assert result.path == tmp_path / "x.gif" and result.frames == 31
    assert result.bytes == (tmp_path / "x.gif").stat().st_size
    props = iio.improps(result.path, index=None)
    assert props.shape == (31, 150, 200, 3)
    durations = [iio.immeta(result.path, index=i)["duration"] for i in range(31)]
    assert durations == [40] * 30 + [1040]
    assert iio.immeta(result.path, index=0)["loop"] == 0
    # the decoded last frame is the rendered one, up to the palette
    last = iio.imread(result.path, index=30)
    assert rms(last, make_view(scene).frame(30)) < 3.0


def test_optimizer_colours_survive_the_palette_exactly(tmp_path):
    colour = (0xD5, 0x5E, 0x00)
    scene = small_scene(optimizers=[Racer("adam:lr=0.1", "Adam", "#D55E00")], size=(400, 300), dpi=80)
    scene.render(tmp_path / "c.gif")
    frames = iio.imread(tmp_path / "c.gif", index=None)
    view = make_view(scene)
    for index in (5, 20, 30):
        x, y = view.trajectories[0].positions[index, 0]
        px, py = view.axes.transData.transform((x, y))
        row, col = 300 - round(float(py)), round(float(px))
        patch = frames[index][row - 2 : row + 3, col - 2 : col + 3].reshape(-1, 3)
        assert list(colour) in patch.tolist(), f"head colour lost in frame {index}"


def test_png_is_the_final_frame(tmp_path):
    scene = small_scene()
    result = scene.render(tmp_path / "last.png")
    assert result.format == "png" and result.frames == 1
    image = np.asarray(Image.open(result.path).convert("RGB"))
    assert rms(image, make_view(scene).frame(30)) == 0


@pytest.mark.parametrize("fmt", ["apng", "webp"])
def test_apng_and_webp_hold_every_frame_and_timing(tmp_path, fmt):
    scene = small_scene(steps=8, hold=0.5)
    result = scene.render(tmp_path / f"x.{fmt}", format=fmt)
    with Image.open(result.path) as image:
        assert image.n_frames == 9 and image.size == (200, 150)
        durations = []
        for index in range(image.n_frames):
            image.seek(index)
            image.load()  # WebP reports a frame's duration once it is decoded
            durations.append(image.info["duration"])
    assert durations == [50] * 8 + [550]


def test_mp4_when_ffmpeg_is_there(tmp_path):
    import imageio.v2 as imageio  # and imageio-ffmpeg, of the test extra

    result = small_scene(steps=9, hold=0.5, size=(160, 120)).render(tmp_path / "x.mp4")
    reader = imageio.get_reader(result.path)
    assert reader.get_meta_data()["fps"] == 20 and reader.get_meta_data()["size"] == (160, 120)
    assert sum(1 for _ in reader) == 10 + 10  # 10 frames, and the hold as 10 repeats


def test_data_file_uses_the_run_schema(tmp_path):
    scene = small_scene(optimizers=[Racer("adam:lr=0.1", "Adam")])
    scene.render(tmp_path / "x.gif", paths_json=tmp_path / "x.json")
    document = json.loads((tmp_path / "x.json").read_text())
    assert document["format"] == "trajectories.run" and document["steps"] == 30
    (path,) = document["trajectories"]
    assert path["label"] == "Adam" and path["optimizer"] == "adam"
    assert path["x"] == race_trajectories(scene)[0].positions[:, 0, 0].tolist()


def test_a_failed_render_leaves_no_file_and_keeps_the_old_one(tmp_path):
    target = tmp_path / "x.gif"
    target.write_bytes(b"old")

    class Exploding(FrameWriter):
        def __init__(self, file):
            self.file, self.count, self.aborted = file, 0, False

        def add(self, frame, delay):
            self.file.write(b"partial")
            self.count += 1
            if self.count == 5:
                raise KeyboardInterrupt

        def abort(self):
            self.aborted = True

    opened = []

    def open_exploding(target):
        opened.append(Exploding(target.file))
        return opened[-1]

    with pytest.raises(KeyboardInterrupt), fake_format(open_exploding) as name:
        small_scene().render(target, format=name)
    assert opened[0].aborted and opened[0].count == 5
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.gif"]


def test_same_scene_gives_the_same_bytes_in_two_processes(tmp_path):
    code = (
        "import sys; from trajectories.scene import Scene; "
        "Scene('d', 'himmelblau', ['adam:lr=0.1', 'sgd:lr=0.01,momentum=0.9'], steps=25, size=(200, 150), dpi=40,"
        " batch_size=4, seed=3, loss_panel=True).render(sys.argv[1])"
    )
    for name in ("a.gif", "b.gif"):
        subprocess.run([sys.executable, "-c", code, str(tmp_path / name)], check=True)
    assert (tmp_path / "a.gif").read_bytes() == (tmp_path / "b.gif").read_bytes()


def test_jupyter_shows_scenes_and_results_as_animations(tmp_path):
    scene = small_scene(steps=5)
    html = scene._repr_html_()
    assert html.startswith('<img width="200" src="data:image/gif;base64,R0lGODlh')  # "GIF89a"
    result = scene.render(tmp_path / "x.gif")
    assert result._repr_html_() == html


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_themes_change_the_background(theme):
    frame = make_view(small_scene(theme=theme)).frame(0)
    corner = frame[2, 2, :3]
    assert (corner.mean() > 200) == (theme == "light")


def fig7_like(**changes):
    racers = [
        Racer("sgd:lr=0.02", "Gradient descent"),
        Racer("sgd:lr=0.02,momentum=0.9", "Momentum"),
        Racer("rmsprop:lr=0.02,alpha=0.9,eps=1e-10,initial_accumulator_value=1,eps_inside_sqrt=true", "RMSProp"),
        Racer("adam:lr=0.02,eps_hat=true", "Adam"),
    ]
    base = dict(name="f7", surface="saddle", optimizers=racers, start=(1.0, -0.001), steps=180,
                window=(-1, 1, -1, 1), size=(400, 300), dpi=64)
    return Scene(**{**base, **changes})


def test_exit_labels_do_not_overlap_and_the_legend_fits():
    view = make_view(fig7_like())
    renderer = view.canvas.get_renderer()
    labels = [sprites[1] for row in view.exit_sprites for item in row if item is not None for sprites in [item[1]]]
    assert len(labels) == 4
    # GD on x² − y²: y_t = −0.001·(1 + 2·0.02)^t first leaves [−1, 1] at t = ⌈ln 1000 / ln 1.04⌉
    assert view.exits[0][0][0].step == math.ceil(math.log(1000) / math.log(1.04)) == 177
    # the labels' pixel boxes (less the 2-pixel capture margin) do not overlap
    boxes = [(s.top + 2, s.left + 2, s.top + s.keep.shape[0] - 2, s.left + s.keep.shape[1] - 2) for s in labels]
    for i, (t1, l1, b1, r1) in enumerate(boxes):
        for t2, l2, b2, r2 in boxes[i + 1 :]:
            assert t1 >= b2 or t2 >= b1 or l1 >= r2 or l2 >= r1
    axes = view.axes.get_window_extent(renderer)
    layout = view.legend_layout
    if view.legend_inside:
        assert layout.width <= 0.96 * axes.width  # shrunk to the axes
    else:  # a strip under the title, above the plot and within the frame
        assert layout.width <= view.figure.bbox.width
        assert view.axes.get_position().y1 * view.figure.bbox.height + layout.height <= 0.9 * view.figure.bbox.height
    assert fig7_like().optimizers[2].legend_text() == "RMSProp (lr=0.02, alpha=0.9)"


def test_loss_curves_end_where_their_paths_leave_the_window():
    view = make_view(fig7_like(loss_panel=True))
    view.frame(180)
    curves = view.loss_collection.get_segments()
    exits = [row[0][0] for row in view.exits]
    for curve, exit_ in zip(curves, exits, strict=True):
        expected = 181 if exit_ is None else exit_.step
        assert len(curve) == expected


def test_a_big_legend_moves_out_of_the_plot_and_a_small_one_stays_in():
    big = make_view(fig7_like(size=(320, 240), dpi=64))
    assert not big.legend_inside and big.legend_layout.columns == 3 and big.legend_sprites == []
    small = make_view(small_scene(optimizers=["adam:lr=0.1"], size=(640, 480), dpi=100))
    assert small.legend_inside and small.legend_layout.columns == 1 and len(small.legend_sprites) == 1
