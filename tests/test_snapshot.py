"""Snapshot comparison: the tolerance absorbs font and encoder drift, yet catches a moved path, a missing
legend and a wrong colour; the pytest plugin and `trajectories compare` behave as documented."""

import matplotlib
import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from trajectories.cli.main import cli
from trajectories.integrations.snapshot import DEFAULT_TOLERANCE, CompareError, compare_files, read_animation
from trajectories.scene import Racer, builtin_scenes
from trajectories.writers.gif import encode_to_bytes

from .snapshot_helpers import render_small

SCENE = builtin_scenes()["rosenbrock"]  # five racers, a loss panel and a legend strip


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    return render_small(SCENE, tmp_path_factory.mktemp("baseline") / "base.gif").path


@pytest.mark.parametrize("hinting", ["no_hinting", "force_autohint"])
def test_font_rendering_drift_is_absorbed(baseline, tmp_path, hinting):
    # another FreeType hinting mode stands in for another machine's fonts; with text the frames differ...
    with matplotlib.rc_context({"text.hinting": hinting}):
        with_text = SCENE.render(tmp_path / "text.gif", sample=4)
        drifted = render_small(SCENE, tmp_path / "drift.gif")
    plain = SCENE.render(tmp_path / "plain.gif", sample=4)
    assert not compare_files(plain.path, with_text.path).matches
    # ...and a snapshot without text does not see it
    assert compare_files(baseline, drifted.path).matches


@pytest.mark.parametrize("name", ["rosenbrock", "fig6_momentum", "fig1_critical_points"])
def test_encoder_drift_is_absorbed(tmp_path, name):
    # the same frames quantised to a palette of 192 colours instead of 255 (another median cut)
    from trajectories.pipeline.stages import render_scene

    from .snapshot_helpers import small

    scene = small(builtin_scenes()[name])
    full = render_scene(scene, tmp_path / "full.gif", text=False, sample=4)
    fewer = render_scene(scene, tmp_path / "fewer.gif", text=False, sample=4, colors=192)
    result = compare_files(full.path, fewer.path)
    assert result.matches and max(result.rms) > 0.5


def test_a_moved_path_is_caught(baseline, tmp_path):
    x, y = SCENE.starts[0]
    moved = render_small(SCENE.with_options(start=(x + 0.1, y)), tmp_path / "moved.gif")
    result = compare_files(baseline, moved.path)
    assert not result.matches and result.first_bad is not None and result.rms[result.first_bad] > DEFAULT_TOLERANCE


@pytest.mark.parametrize("name", ["rosenbrock", "fig6_momentum"])  # fig6: the smallest legend, 2 racers
def test_a_missing_legend_is_caught(tmp_path, monkeypatch, name):
    scene = builtin_scenes()[name]
    baseline = render_small(scene, tmp_path / "base.gif").path
    monkeypatch.setattr("trajectories.render.contour.legend_artists", lambda *args, **kwargs: [])
    missing = render_small(scene, tmp_path / "no-legend.gif")
    assert not compare_files(baseline, missing.path).matches


def test_a_wrong_colour_is_caught(baseline, tmp_path):
    racers = list(SCENE.optimizers)
    swapped = [Racer(r.spec, r.label, c) for r, c in zip(racers, ["#0072B2", "#E69F00", "#009E73", "#D55E00",
                                                                    "#CC79A7"], strict=True)]
    result = compare_files(baseline, render_small(SCENE.with_options(optimizers=swapped), tmp_path / "c.gif").path)
    assert not result.matches


def test_frame_count_size_and_durations_must_match(tmp_path):
    frames = [np.full((20, 30, 4), 255, np.uint8) for _ in range(3)]
    frames[1][5:10, 5:10, :3] = 0
    a, b, c, d = (tmp_path / n for n in ("a.gif", "b.gif", "c.gif", "d.gif"))
    a.write_bytes(encode_to_bytes(frames, [5, 5, 5], []))
    b.write_bytes(encode_to_bytes(frames[:2], [5, 5], []))
    c.write_bytes(encode_to_bytes(frames, [5, 7, 5], []))
    d.write_bytes(encode_to_bytes([f[:, :20] for f in frames], [5, 5, 5], []))
    assert compare_files(a, a).matches
    assert compare_files(a, b).message == "frame counts differ: 3 expected, 2 actual"
    assert compare_files(a, c).message == "frame 1 lasts 70 ms, expected 50 ms"
    assert compare_files(a, d).message == "frame sizes differ: 30x20 expected, 20x20 actual"


def test_rms_is_on_a_0_255_scale(tmp_path):
    black, grey = np.zeros((10, 10, 3), np.uint8), np.full((10, 10, 3), 10, np.uint8)
    Image.fromarray(black).save(tmp_path / "black.png")
    Image.fromarray(grey).save(tmp_path / "grey.png")
    result = compare_files(tmp_path / "black.png", tmp_path / "grey.png", tolerance=9.9)
    assert result.rms == (10.0,) and result.message.startswith("frame 0 differs: RMS 10.00 > tolerance 9.9")
    assert compare_files(tmp_path / "black.png", tmp_path / "grey.png", tolerance=10).matches


def test_unreadable_input(tmp_path):
    (tmp_path / "x.gif").write_text("not a gif")
    with pytest.raises(CompareError, match="not an image"):
        read_animation(tmp_path / "x.gif")
    with pytest.raises(CompareError, match="no such file"):
        read_animation(tmp_path / "missing.gif")


def test_compare_command_exit_statuses_and_diff(baseline, tmp_path):
    runner = CliRunner()
    moved = render_small(SCENE.with_options(start=(SCENE.starts[0][0] + 0.1, SCENE.starts[0][1])),
                         tmp_path / "moved.gif").path
    same = runner.invoke(cli, ["compare", str(baseline), str(baseline)])
    assert same.exit_code == 0 and same.output.startswith("match: 4 frames match")
    differ = runner.invoke(cli, ["compare", str(baseline), str(moved), "--diff", str(tmp_path / "d.png")])
    assert differ.exit_code == 1 and differ.output.count("\n") == 1
    assert differ.output.startswith("differ: frame ") and "RMS" in differ.output
    diff = np.asarray(Image.open(tmp_path / "d.png").convert("RGB"))
    width = read_animation(baseline).size[0]
    assert diff.shape[1] == 3 * width + 8 and diff[:, 2 * width + 8 :].max() > 0
    assert runner.invoke(cli, ["compare", str(baseline), str(moved), "--tolerance", "1000"]).exit_code == 0
    for args in (["compare", str(baseline), str(tmp_path / "nope.gif")], ["compare", str(baseline)],
                 ["compare", str(baseline), str(baseline), "--tolerance", "-1"]):
        bad = runner.invoke(cli, args)
        assert bad.exit_code == 2 and bad.stderr.startswith("trajectories: error: ")


TEST_FILE = """
from trajectories.scene import Racer, Scene

def test_race(animation_snapshot, tmp_path):
    scene = Scene("s", "sphere", [Racer("sgd:lr=0.2", "GD", "COLOUR")], steps=6, size=(120, 90), dpi=30)
    animation_snapshot(scene.render(tmp_path / "race.gif").path)
"""


def test_the_pytest_plugin_end_to_end(pytester):
    pytester.makepyfile(test_race=TEST_FILE.replace("COLOUR", "#E69F00"))
    missing = pytester.runpytest()
    missing.assert_outcomes(failed=1)
    missing.stdout.fnmatch_lines(["*no snapshot baseline*run pytest --update-snapshots*"])
    pytester.runpytest("--update-snapshots").assert_outcomes(passed=1)
    assert (pytester.path / "snapshots" / "test_race" / "test_race.gif").is_file()
    pytester.runpytest().assert_outcomes(passed=1)
    pytester.makepyfile(test_race=TEST_FILE.replace("COLOUR", "#0072B2"))
    changed = pytester.runpytest()
    changed.assert_outcomes(failed=1)
    changed.stdout.fnmatch_lines(["*test_race.gif: frame * differs: RMS *; actual: *actual.gif, diff: *diff.png*"])
    kept = pytester.path / "snapshot-failures" / "test_race"
    assert (kept / "actual.gif").is_file() and (kept / "diff.png").is_file()


CHAOTIC_TEST_FILE = """
from trajectories.scene import Racer, Scene

def test_chaos(animation_snapshot, tmp_path):
    scene = Scene("chaos", "peaks", [Racer("sgd:lr=0.15", "GD")], start=(-0.5, START), steps=120, frames=4,
                  size=(160, 120), dpi=20)
    animation_snapshot(scene.render(tmp_path / "chaos.gif"))
"""


def test_a_failing_snapshot_of_a_chaotic_scene_names_the_cause_and_the_remedy(pytester):
    pytester.makepyfile(test_chaos=CHAOTIC_TEST_FILE.replace("START", "-1.0"))
    pytester.runpytest("--update-snapshots").assert_outcomes(passed=1)
    pytester.makepyfile(test_chaos=CHAOTIC_TEST_FILE.replace("START", "-1.05"))
    changed = pytester.runpytest()
    changed.assert_outcomes(failed=1)
    changed.stdout.fnmatch_lines([
        "*test_chaos.gif: frame * differs: RMS *; likely cause: chaos: the path of 'GD' from (-0.5, -1.05) is "
        "chaotic from step * --arithmetic portable*"
    ])


# --- hostile inputs: refused from the header in one line, or compared in bounded memory ----------------

def _one_pixel_gif(path, side, frames):
    """A tiny GIF of ``frames`` 1-px frames whose logical screen claims ``side``×``side``."""
    import struct

    images = [Image.new("P", (1, 1), i % 2) for i in range(frames)]
    for image in images:
        image.putpalette([0, 0, 0, 255, 255, 255])
    images[0].save(path, save_all=True, append_images=images[1:], duration=50, loop=0, optimize=False, disposal=1)
    data = bytearray(path.read_bytes())
    data[6:10] = struct.pack("<HH", side, side)
    path.write_bytes(bytes(data))
    return path


def _png_claiming(path, width, height):
    import struct
    import zlib

    Image.new("RGB", (1, 1)).save(path)
    data = bytearray(path.read_bytes())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    path.write_bytes(bytes(data))
    return path


def _run_compare(*args):
    import subprocess
    import sys

    command = [sys.executable, "-c", "from trajectories.cli.main import main; main()", "compare", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_hostile_files_are_refused_in_one_line(tmp_path):
    big = _one_pixel_gif(tmp_path / "big.gif", 8000, 2000)  # 8000x8000 x 2000 frames in ~74 KB
    many = _one_pixel_gif(tmp_path / "many.gif", 4000, 2000)  # within the frame limit, 32 Gpx in all
    bomb = _png_claiming(tmp_path / "bomb.png", 60000, 60000)
    fine = _one_pixel_gif(tmp_path / "fine.gif", 300, 50)
    truncated = tmp_path / "truncated.gif"
    truncated.write_bytes(fine.read_bytes()[: fine.stat().st_size // 2])
    cases = [(big, "8000x8000"), (many, "past the limit of 5 Gpx"), (bomb, "3.6 Gpx exceed the limit of 40 Mpx"),
             (truncated, "not an image or animation")]
    for path, words in cases:
        for args in ((path, fine), (fine, path)):
            done = _run_compare(*args)
            assert done.returncode == 2, done.stderr
            assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr and words in done.stderr
            assert done.stderr.startswith("trajectories: error: ")


def test_compare_memory_does_not_grow_with_the_frame_count(tmp_path):
    import tracemalloc

    side, frames = 256, 2000
    path = _one_pixel_gif(tmp_path / "long.gif", side, frames)
    frame_bytes = side * side * 3
    tracemalloc.start()
    try:
        result = compare_files(path, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.matches and len(result.rms) == frames
    # a few frames and int32 bands of differences; keeping the frames would cost 2 x 2000 frames
    assert peak < 20 * frame_bytes, f"peak {peak} bytes: frames are being kept (one frame is {frame_bytes})"
