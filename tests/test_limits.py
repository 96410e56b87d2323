"""Requests too big to do, and numbers too wild to draw: refused before any work, in one line, exit status 2.

The memory estimates of :mod:`trajectories.pipeline.limits` are checked against independent counts (numpy's own
``nbytes`` of a real run, tracemalloc's peak, a child process's peak RSS), then the refusals through the
command line, the TOML files and Python scenes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from trajectories.cli.main import cli
from trajectories.compute.ewa import MAX_ROWS, load_series
from trajectories.compute.export import run_document, to_json
from trajectories.compute.paths import compute_paths, record_paths
from trajectories.core.spec import parse_optimizer
from trajectories.errors import RenderError, SceneError, SeriesError
from trajectories.options import NARROWEST, OPTIONS, window_problem
from trajectories.pipeline import limits
from trajectories.scene import BatchDiagram, Scene, SeriesScene, builtin_scenes, load_toml_scene
from trajectories.surfaces.catalogue import get_surface
from trajectories.writers import FORMATS, Format, get_format, register_format, unregister_format

from .drawing import make_view

ROOT = Path(__file__).resolve().parents[1]


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def refused(folder: Path, args: list[str], message: str) -> str:
    """Run the command in ``folder``: exit 2, one line on stderr holding ``message``, nothing written."""
    before = files_under(folder)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stdout == ""
    assert result.stderr.startswith("trajectories: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert message in result.stderr, result.stderr
    assert files_under(folder) == before  # no output, no output/ folder, no temporary file
    return result.stderr


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- the estimates, against independent counts ---------------------------------------------------------


def test_kept_path_bytes_cover_the_arrays_numpy_holds():
    scene = Scene("count", "rosenbrock", ["sgd:lr=0.001", "adam:lr=0.05", "rmsprop:lr=0.01"],
                  start=[(-1.5, 2.0), (1.0, 2.5), (0.5, -0.5), (-1.0, 0.0)], steps=500)
    computed = compute_paths(scene)
    held = sum(a.nbytes for t in computed.panels[0].trajectories for a in (t.positions, t.losses, t.grad_norms))
    points = limits.race_points(scene)
    assert points == [501 * 4] * 3
    # positions (2 floats), loss and gradient norm: 32 bytes a point, and the kept estimate covers them
    assert held == 32 * sum(points)
    assert held <= limits.PATH_BYTES_KEPT * sum(points) <= 1.5 * held


def test_run_estimate_covers_tracemalloc_peak_and_is_not_far_above():
    surface = get_surface("peaks")
    specs = [parse_optimizer("sgd:lr=0.01")]
    starts = [(-0.5 + 0.01 * i, -1.0) for i in range(20)]
    steps = 3000
    tracemalloc.start()
    try:
        records = record_paths(surface, specs, starts, steps)
        text = to_json(run_document(surface, records, steps, {"kind": "exact"}))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(text) > 0
    (need,) = limits.run_needs(steps, len(starts), len(specs))
    assert peak <= need.bytes <= 2.5 * peak, (peak, need.bytes)


@pytest.mark.parametrize("spec", ["sgd:lr=0.01", "adam:lr=0.1"])
def test_reduced_estimate_covers_tracemalloc_peak_and_is_not_far_above(spec):
    from trajectories.compute.basins import reduce_paths
    from trajectories.compute.starts import Random

    surface = get_surface("himmelblau")
    starts = Random(20_000, seed=1).points(surface.window)
    tracemalloc.start()
    try:
        reduce_paths(surface, parse_optimizer(spec).build(), starts, 100)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (need,) = limits.npz_needs(100, len(starts), 1, reduced=True)
    assert peak <= need.bytes <= 2.5 * peak, (peak, need.bytes)


def test_run_estimate_scales_with_steps_starts_and_optimizers():
    one = limits.run_needs(999, 1, 1)[0].bytes
    assert limits.run_needs(999, 3, 1)[0].bytes == pytest.approx(3 * one)
    # optimizers run one after another: the working memory of one, the kept points of all
    five = limits.run_needs(999, 1, 5)[0].bytes
    kept = limits.PATH_BYTES_KEPT + limits.TEXT_BYTES_PER_POINT
    assert five == 5 * 1000 * kept + 1000 * limits.PATH_BYTES_WORKING
    # the example: 10^9 steps; numpy's positions alone would be 14.9 GiB
    assert limits.gib(np.empty((1, 2)).nbytes * (10**9 + 1)) == "14.9 GiB"
    assert limits.run_needs(10**9, 1, 1)[0].bytes > (10**9 + 1) * 16


WRITER_PEAK = textwrap.dedent("""
    import sys
    import numpy as np
    from trajectories.writers import WriteTarget, get_format
    from trajectories.writers.quantize import PaletteMapper, build_palette
    fmt, path = sys.argv[1], sys.argv[2]
    width, height = 320, 240
    rng = np.random.default_rng(0)
    base = np.full((height, width, 4), 255, np.uint8)
    base[..., :3] = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    mapper = PaletteMapper(build_palette([base], [], 255))

    def peak():  # this program's own peak memory (ru_maxrss would start from the forking parent's)
        return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) * 1024

    for frames in (30, 130):
        with open(path, "wb") as file:
            writer = get_format(fmt).open(WriteTarget(file, __import__("pathlib").Path(path), (width, height), 20,
                                                      mapper))
            for index in range(frames):
                frame = base.copy()
                frame[index % height, :, :3] = 0
                writer.add(frame, 5)
            writer.finish()
        print(peak())
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # the peak starts again from here (Linux 4.0 and later)
""")


@pytest.mark.parametrize("fmt", ["gif", "apng", "webp", "html"])
def test_every_animated_format_streams_its_frames(tmp_path, fmt):
    """Peak RSS of a child process writing 30 and then 130 frames of 320x240: it does not grow with the
    frames (a writer that kept them would need at least one byte a pixel: 7.3 MiB more), and no built-in
    format declares frames kept for the memory budget."""
    if not Path("/proc/self/clear_refs").is_file():
        pytest.skip("needs Linux's /proc to read and reset a process's peak memory")
    script = tmp_path / "peak.py"
    script.write_text(WRITER_PEAK)
    out = subprocess.run([sys.executable, str(script), fmt, str(tmp_path / "x")], capture_output=True, text=True,
                         check=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    peaks = [int(line) for line in out.stdout.split()]
    assert peaks[1] - peaks[0] < 0.25 * 100 * 320 * 240, (peaks[1] - peaks[0]) / 2**20
    assert all(format.memory_per_pixel == 0 for format in FORMATS.values())


@pytest.fixture
def collecting_format():
    """A format whose writer would keep 2 bytes a pixel of every frame (as Pillow's APNG and WebP writers
    did): what the budget counts for such a format, through every entry point."""
    register_format(Format("collect", ".collect", lambda target: None, suffixes=(".collect",), memory_per_pixel=2.0))
    yield get_format("collect")
    unregister_format("collect")


def test_render_estimate_names_every_part(collecting_format):
    scene = Scene("parts", "sphere", ["sgd", "adam"], start=[(1.0, 1.0), (-1.0, 0.5)], steps=99, size=(320, 240),
                  view="surface", grid=10)
    needs = {need.what: need for need in limits.render_needs(scene, collecting_format, jobs=3, paths_json=True)}
    points = 2 * 2 * 100
    assert needs["the paths"].bytes == points * (limits.PATH_BYTES_KEPT + limits.VIEW_BYTES_PER_POINT) + 200 * 160
    assert needs["the --paths JSON"].bytes == points * limits.TEXT_BYTES_PER_POINT
    assert needs["drawing the frames"].bytes == 4 * 320 * 240 * limits.FRAME_BYTES_PER_PIXEL  # this one + 3 workers
    assert needs["collect output"].bytes == 2.0 * 320 * 240 * 100
    contour = {need.what for need in limits.render_needs(scene.with_options(view="contour"), get_format("gif"), 3)}
    assert contour == {"the paths", "drawing the frames"}  # 2-D frames are drawn here alone; GIF streams


# --- refusals: memory and frame counts -------------------------------------------------------------------


def test_run_with_a_billion_steps_is_refused(workdir):
    refused(workdir, ["run", "--surface", "sphere", "--optimizer", "sgd", "--steps", "1000000000", "-o", "p.json"],
            "must be a whole number from 1 to 1000000")  # the option's own bound, before the product's


def test_run_steps_times_starts_times_optimizers_is_refused_with_an_estimate(workdir):
    starts = [arg for i in range(40) for arg in ("--start", f"{-1 + i / 40},0.5")]
    line = refused(workdir, ["run", "--surface", "sphere", "--optimizer", "sgd", "--optimizer", "adam", "--steps",
                             "200000", *starts, "-o", "p.json"], "2 optimizers × 40 starts × 200001 points")
    (need,) = limits.run_needs(200000, 40, 2)
    assert f"the paths would need about {limits.gib(need.bytes)} of memory" in line
    points = 40 * 200001  # per optimizer; 40 B kept and 400 B of JSON each, 160 B working for one optimizer
    assert need.bytes == 2 * points * (40 + 400) + points * 160
    assert limits.gib(need.bytes) == "7.7 GiB" and "use fewer steps, starts or optimizers" in line


def test_run_within_the_budget_still_runs(workdir):
    result = CliRunner().invoke(cli, ["run", "--surface", "sphere", "--optimizer", "sgd", "--steps", "20000"])
    assert result.exit_code == 0 and len(json.loads(result.stdout)["trajectories"][0]["x"]) == 20001


def test_a_format_that_keeps_thousands_of_large_frames_is_refused_before_any_work(workdir, collecting_format):
    line = refused(workdir, ["render", "rosenbrock", "--format", "collect", "--frames", "3000", "--size", "1280x960"],
                   "collect output would need about")
    assert "(3000 frames of 1280x960)" in line and "use gif or mp4, or fewer --frames" in line
    scene = builtin_scenes()["rosenbrock"].with_options(frames=3000, size=(1280, 960))
    total = sum(need.bytes for need in limits.render_needs(scene, collecting_format, jobs=1))
    assert f"about {limits.gib(total)} of memory" in line
    assert total >= 2.0 * 1280 * 960 * 3000
    refused(workdir, ["render", "rosenbrock", "-o", "x.collect", "--frames", "3000", "--size", "1280x960"],
            "collect output would need about")
    with pytest.raises(RenderError, match=r"collect output would need about \d+\.\d GiB of memory \(3000 frames"):
        Scene("big", "sphere", ["sgd"], steps=2999, size=(1280, 960)).render(format="collect")
    assert files_under(workdir) == []  # the default output/ folder is not even made


@pytest.mark.parametrize("fmt", ["gif", "apng", "webp", "html"])
def test_streamed_formats_are_not_bounded_by_their_frames(workdir, fmt):
    scene = Scene("big", "sphere", ["sgd"], steps=2999, size=(1280, 960))
    needs = limits.render_needs(scene, get_format(fmt))
    assert {need.what for need in needs} == {"the paths", "drawing the frames"}
    limits.check_memory(needs, RenderError)  # no error


def test_too_many_processes_for_large_3d_frames(workdir, monkeypatch):
    from trajectories.pipeline import stages as pipeline

    monkeypatch.setattr(limits, "useful_workers", lambda: 8)  # a 2-core machine's cap, whatever this one has
    monkeypatch.setattr(pipeline, "useful_workers", lambda: 8)
    line = refused(workdir, ["render", "fig7_saddle_race", "-j", "1000", "--size", "4096x4096", "-o", "x.gif"],
                   "9 processes drawing 4096x4096 frames")
    assert "use a smaller --size, or fewer --jobs" in line
    # the workers are those the pipeline starts: at most jobs, one per 4 frames (41 frames: 11), its cap
    scene = builtin_scenes()["fig7_saddle_race"]
    assert limits.drawing_processes(scene, 41, jobs=1000) == 1 + 8
    assert limits.drawing_processes(scene, 41, jobs=3) == 1 + 3
    assert limits.drawing_processes(scene, 12, jobs=1000) == 1 + 3
    assert limits.drawing_processes(scene, 41, jobs=1000, sample=4) == 1  # samples are drawn here
    assert limits.drawing_processes(scene.with_options(view="contour"), 41, jobs=1000) == 1


def test_a_million_steps_make_too_many_frames_unless_frames_is_given(workdir):
    line = refused(workdir, ["render", "--surface", "sphere", "--optimizer", "sgd", "--steps", "1000000"],
                   "1000001 frames, more than the 100000")
    assert "--frames" in line


def test_paths_of_many_starts_are_refused_in_a_toml_scene(workdir):
    starts = ", ".join(f"[{-1 + i / 500}, 0.5]" for i in range(1000))
    (workdir / "many.toml").write_text(f'surface = "sphere"\nsteps = 100000\nstart = [{starts}]\n'
                                       '[[optimizers]]\nname = "sgd"\n[view]\nframes = 10\n')
    refused(workdir, ["render", "many.toml"], "the paths would need about")


def test_batch_diagram_frames_are_bounded():
    scene = BatchDiagram("b", samples=2000, batch_size=1, frames_per_batch=1000)
    with pytest.raises(RenderError, match="2000028 frames, more than the 100000"):
        scene.render()


def test_budget_is_one_constant(monkeypatch, tmp_path):
    scene = Scene("small", "sphere", ["sgd"], steps=20, size=(200, 150))
    monkeypatch.setattr(limits, "MEMORY_BUDGET", 2**20)
    with pytest.raises(RenderError, match=r"about 1\.4 MiB of memory .* more than the 1 MiB this tool may use"):
        scene.render(tmp_path / "x.gif")
    assert not (tmp_path / "x.gif").exists()


# --- the series figure: frames capped, rows bounded -------------------------------------------------------


def write_series(path: Path, rows: int, tail: str = "") -> Path:
    values = 100 + np.cumsum(np.random.default_rng(1).normal(size=rows))
    path.write_text("day,close\n" + "".join(f"{i},{v:.4f}\n" for i, v in enumerate(values)) + tail)
    return path


def test_builtin_series_figure_keeps_one_frame_a_value():
    scene = builtin_scenes()["fig5_ewa"]
    assert scene.frame_count == 313 and scene.frame_steps() == list(range(313))


def test_a_long_series_is_spread_evenly_over_the_most_frames(tmp_path):
    scene = SeriesScene("long", data=str(write_series(tmp_path / "s.csv", 5000)), column="close", stagger=20,
                        size=(200, 150))
    assert scene.natural_frames == 5000 + 60 and scene.frame_count == SeriesScene.MAX_FRAMES == 1000
    steps = scene.frame_steps()
    assert steps[0] == 0 and steps[-1] == 5059
    gaps = np.diff(steps)
    assert gaps.min() >= 5 and gaps.max() <= 6  # 5059 / 999 ≈ 5.06 values a frame
    view = make_view(scene, None, text=False)
    try:
        assert len(view.steps_shown) == 1000
        assert view.shown_points(999) == [5000] * 4 and view.shown_points(0) == [1, 0, 0, 0]
        assert view.shown_points(500) == [min(5000, steps[500] - 20 * k + 1) for k in range(4)]
    finally:
        view.close()
    result = scene.render(tmp_path / "long.gif", sample=3)
    assert result.frames == 3


def test_csv_rows_are_bounded_and_reading_stops_at_the_bound(tmp_path):
    path = write_series(tmp_path / "big.csv", MAX_ROWS, tail="oops,not a number\n")
    # the row past the bound is never read: the error is the bound, not row MAX_ROWS + 2's bad number
    with pytest.raises(SeriesError, match=f"more than {MAX_ROWS} rows") as error:
        load_series(path, "close")
    assert "not a number" not in str(error.value)
    exact = write_series(tmp_path / "exact.csv", MAX_ROWS)
    assert len(load_series(exact, "close")) == MAX_ROWS


def test_csv_past_the_bound_through_the_command_line(workdir):
    write_series(workdir / "big.csv", MAX_ROWS + 1)
    refused(workdir, ["render", "fig5_ewa", "--series", "big.csv", "--column", "close", "-o", "x.gif"],
            f"more than {MAX_ROWS} rows")


def test_synthetic_days_are_bounded_as_csv_rows():
    with pytest.raises(SceneError, match=f"days must be from 2 to {MAX_ROWS}"):
        SeriesScene("s", days=10**9)


# --- windows and numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("window", "problem"), [
    ((-1e308, 1e308, -1, 1), "X1 - X0 overflows"),
    ((-1, 1, -1.7e308, 1.7e308), "Y1 - Y0 overflows"),
    ((1e15, 1.0000000000000002e15, 0, 1), "too narrow"),
    ((0, 1e-9, 0, 1), "too narrow"),  # narrower than 1e-9 at all
    ((0, 1, 5e10, 5e10 + 50), "too narrow"),  # 50 is 1e-9 of 5e10
    ((0, float("nan"), 0, 1), "must be finite"),
    ((1, 1, 0, 1), "X0 < X1"),
])
def test_window_problems(window, problem):
    assert problem in window_problem(window)


@pytest.mark.parametrize("window", [(-8e307, 8e307, -1, 1), (0, 2e-9, 0, 1), (1e15, 1e15 + 2e6, 0, 1),
                                    (-3, 3, -3, 3)])
def test_windows_float64_can_hold(window):
    assert window_problem(window) is None
    # and the side is indeed resolvable: at least a million float64 values across it
    x0, x1 = window[:2]
    assert (x1 - x0) / np.spacing(max(abs(x0), abs(x1), NARROWEST)) > 1e6


WINDOWS = [("-1e308,1e308,-1e308,1e308", "overflows float64"), ("1e15,1.0000000000000002e15,0,1", "too narrow")]


@pytest.mark.parametrize(("window", "message"), WINDOWS)
@pytest.mark.parametrize("command", ["run", "render"])
def test_bad_windows_on_the_command_line(workdir, command, window, message):
    refused(workdir, [command, "--surface", "x**2+y**2", "--optimizer", "sgd", "--window", window], message)


@pytest.mark.parametrize(("window", "message"), WINDOWS)
def test_bad_windows_in_toml_and_python_scenes(workdir, window, message):
    (workdir / "w.toml").write_text(f'surface = "sphere"\nwindow = [{window}]\n[[optimizers]]\nname = "sgd"\n')
    with pytest.raises(SceneError, match=f"window: window {message}|window: .*{message}"):
        load_toml_scene(workdir / "w.toml")
    refused(workdir, ["render", "w.toml"], message)
    with pytest.raises(SceneError, match=f"window .*{message}"):
        Scene("w", "sphere", ["sgd"], window=tuple(float(v) for v in window.split(",")))


def test_scale_nan_and_a_scale_that_drops_dpi_below_text(workdir):
    refused(workdir, ["render", "rosenbrock", "--scale", "nan"], "--scale must be a number from 0.1 to 8, got nan")
    refused(workdir, ["render", "fig7_saddle_race", "--scale", "0.15"], "makes fig7_saddle_race's dpi 7")


@pytest.mark.parametrize("dpi", ["1", "5", "7"])
def test_dpi_too_small_for_text(workdir, dpi):
    refused(workdir, ["render", "rosenbrock", "--dpi", dpi], "'--dpi'")
    (workdir / "d.toml").write_text(f'surface = "sphere"\n[[optimizers]]\nname = "sgd"\n[view]\ndpi = {dpi}\n')
    refused(workdir, ["render", "d.toml"], f"view.dpi: must be a whole number from 8 to 1000, got {dpi}")
    with pytest.raises(SceneError, match="dpi must be a whole number from 8"):
        Scene("d", "sphere", ["sgd"], dpi=int(dpi))


def test_the_smallest_dpi_renders_the_smallest_frames_with_the_smallest_fonts(tmp_path):
    """dpi 8 is the lowest at which FreeType sets every font the views use (the legend shrinks to 5 points;
    a 5-point title): 5 × 8 / 72 ≥ half a pixel per em. Below it, matplotlib fails (dpi 7: the shrunk legend)."""
    low, title = OPTIONS["dpi"].low, OPTIONS["title_size"].low
    assert (low, title) == (8, 5)
    for view in ("contour", "wireframe"):
        scene = Scene("tiny", "sphere", ["sgd", "adam:lr=0.1", "rmsprop"], steps=3, size=(64, 64), dpi=low,
                      title_size=title, loss_panel=view == "contour", axis_labels=True, view=view, grid=5)
        assert scene.render(tmp_path / f"{view}.gif", sample=2).frames == 2
    series = SeriesScene("s", size=(64, 64), dpi=low, days=5, stagger=1)
    assert series.render(tmp_path / "s.gif", sample=2).frames == 2
    with pytest.raises(SceneError, match="title_size must be a number from 5"):
        Scene("t", "sphere", ["sgd"], title_size=1)


def test_values_too_large_to_contour_are_one_line(workdir):
    refused(workdir, ["render", "--surface", "x+y", "--optimizer", "sgd", "--window", "-1e306,1e306,-1e306,1e306",
                      "--start", "0,0", "--steps", "3", "-o", "x.gif"], "beyond the ±1e+200 contours can draw")
    refused(workdir, ["render", "--surface", "sphere", "--optimizer", "sgd", "--window", "-1e200,1e200,-1e200,1e200",
                      "--start", "0,0", "--steps", "3", "-o", "x.gif"], "has no finite value to draw")


def test_values_too_large_for_3d_are_one_line(tmp_path):
    scene = Scene("big3d", "x**2+y**2", ["sgd"], window=(-1e200, 1e200, -1e200, 1e200), start=(0, 0), steps=3,
                  view="surface", grid=5)
    with pytest.raises(RenderError, match=r"too large .* for a 3-D view"):
        scene.render(tmp_path / "x.gif", sample=2)
    assert list(tmp_path.iterdir()) == []


def test_a_flat_surface_at_a_large_value_still_renders(tmp_path):
    scene = Scene("flat", "x*1e-30 + y*1e-30 + 1e20", ["sgd"], steps=3)
    assert scene.render(tmp_path / "x.gif", sample=2).frames == 2
