"""CONTRIBUTING.md's "Extending" guide, followed to the letter: a toy view and a toy format, each added in
the places the guide names, then used from a scene, the library and the command line."""

from __future__ import annotations

import numpy as np
import pytest

from trajectories import writers
from trajectories.errors import SceneError
from trajectories.render.registry import race_view_names, register_view, unregister_view
from trajectories.scene import Scene

from .contracts import check_format_contract, check_view_contract

# --- a view: every racer's current point as a square of its colour on white (numpy only) --------------

DOT_COLORS = [(230, 0, 0), (0, 0, 230), (0, 150, 0)]


class DotsView:
    """Step 1 of the guide: a class that keeps the View promises, built from ``(scene, paths, text)``."""

    def __init__(self, scene, paths, text):
        self.panel = paths.panels[0]
        self.size = scene.look.size
        self.window = scene.plot_window
        self.steps_shown = list(self.panel.timeline.values)

    def pixel(self, x, y):
        (x0, x1, y0, y1), (width, height) = self.window, self.size
        column = round((x - x0) / (x1 - x0) * (width - 1))
        row = round((y1 - y) / (y1 - y0) * (height - 1))
        return min(max(row, 0), height - 1), min(max(column, 0), width - 1)

    def frame(self, index):
        width, height = self.size
        image = np.full((height, width, 4), 255, dtype=np.uint8)
        for racer, step in enumerate(self.panel.timeline.steps[index]):
            for x, y in self.panel.trajectories[racer].positions[step]:
                row, column = self.pixel(x, y)
                image[max(row - 2, 0):row + 3, max(column - 2, 0):column + 3, :3] = DOT_COLORS[racer % 3]
        return image

    def reserved_colors(self):
        return [(255, 255, 255), *DOT_COLORS]

    def close(self):
        pass


@pytest.fixture
def dots_view():
    register_view("dots", DotsView)  # step 2 of the guide: register it by name
    yield "dots"
    unregister_view("dots")


def dots_scene(**options):
    return Scene("toy", "sphere", ["sgd:lr=0.1", "adam:lr=0.5"], start=(1.0, 1.0), steps=5, view="dots",
                 size=(101, 81), window=(-2.0, 2.0, -2.0, 2.0), **options)


def test_a_scene_cannot_name_a_view_before_it_is_registered():
    assert "dots" not in race_view_names() and len(race_view_names()) >= 5
    with pytest.raises(SceneError, match=f"view must be one of {', '.join(race_view_names())}, got 'dots'"):
        dots_scene()


def test_a_registered_view_keeps_the_view_promises(dots_view):
    check_view_contract(dots_scene())


def test_a_registered_view_renders_a_scene_where_its_paths_go(dots_view, tmp_path):
    import imageio.v3 as iio

    result = dots_scene(fps=10, hold=0.1).render(tmp_path / "toy.gif", quiet=True)
    frames = iio.imread(result.path, index=None)
    assert len(frames) == 6  # steps + 1: no two frames alike
    last = frames[-1][..., :3]
    expected = 0.8**5  # sgd on x² + y² from (1, 1): x ← x − 0.1·2x
    column = round((expected + 2) / 4 * 100)
    row = round((2 - expected) / 4 * 80)
    assert tuple(last[row, column]) == DOT_COLORS[0]
    assert (np.all(last == DOT_COLORS[0], axis=-1)).sum() == 25  # one 5×5 dot, nowhere else


def test_a_registered_view_draws_from_the_command_line(dots_view, tmp_path, invoke):
    scene_file = tmp_path / "toy.py"
    scene_file.write_text(
        "from trajectories import Scene\n"
        "toy = Scene('toy', 'sphere', ['sgd:lr=0.1'], start=(1.0, 1.0), steps=5, view='dots', size=(80, 64))\n"
    )
    out = tmp_path / "toy.gif"
    result = invoke("render", f"{scene_file}:toy", "-o", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


# --- a format: netpbm, every frame one binary P6 image after the other ---------------------------------

class PpmWriter(writers.FrameWriter):
    """Step 1 of the guide: a FrameWriter. Frames arrive as opaque RGBA; P6 stores RGB."""

    def __init__(self, file):
        self.file = file

    def add(self, frame, delay):
        height, width = frame.shape[:2]
        self.file.write(f"P6 {width} {height} 255\n".encode("ascii"))
        self.file.write(np.ascontiguousarray(frame[..., :3]).tobytes())

    def finish(self):
        self.file.flush()


def read_ppm_frames(data: bytes) -> list[np.ndarray]:
    """Every P6 image in ``data`` (headers written as PpmWriter writes them)."""
    frames, at = [], 0
    while at < len(data):
        end = data.index(b"\n", at)
        magic, width, height, depth = data[at:end].split()
        assert magic == b"P6" and depth == b"255"
        width, height = int(width), int(height)
        size = width * height * 3
        frames.append(np.frombuffer(data[end + 1:end + 1 + size], dtype=np.uint8).reshape(height, width, 3))
        at = end + 1 + size
    return frames


@pytest.fixture
def ppm_format():
    fmt = writers.Format("ppm", ".ppm", lambda target: PpmWriter(target.file), paletted=False, suffixes=(".ppm",))
    writers.register_format(fmt)  # step 2 of the guide: register it
    yield fmt
    writers.unregister_format("ppm")


def test_a_registered_format_keeps_the_format_promises(ppm_format, tmp_path):
    scene = Scene("toy", "sphere", ["sgd:lr=0.1"], start=(1.0, 1.0), steps=4, size=(80, 64), dpi=20)
    written = check_format_contract("ppm", scene, tmp_path)
    frames = read_ppm_frames(written.read_bytes())
    assert len(frames) == scene.frame_count
    from .drawing import make_view

    view = make_view(scene)
    assert all(np.array_equal(frame, view.frame(i)[..., :3]) for i, frame in enumerate(frames))  # lossless
    view.close()


def test_a_registered_format_is_chosen_by_name_and_by_suffix_from_the_command_line(ppm_format, tmp_path, invoke):
    for args in (["-o", str(tmp_path / "a.ppm")], ["-o", str(tmp_path / "b.out"), "--format", "ppm"]):
        result = invoke("render", "--surface", "sphere", "--optimizer", "sgd:lr=0.1", "--steps", "3",
                        "--size", "80x64", "--quiet", *args)
        assert result.exit_code == 0, result.output
    for name in ("a.ppm", "b.out"):
        assert len(read_ppm_frames((tmp_path / name).read_bytes())) == 4


def test_a_format_name_is_taken_once():
    with pytest.raises(ValueError, match="already registered"):
        writers.register_format(writers.Format("gif", ".gif", lambda target: None))
