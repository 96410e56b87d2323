"""`trajectories render` and `trajectories list` through click's runner, and the installed command."""

import os
import shutil
import subprocess
import sys
import textwrap

import imageio.v3 as iio
import pytest

SMALL = ["--size", "160x120", "--dpi", "40"]


def test_list_shows_every_builtin_scene_with_a_line(invoke):
    from trajectories.scene import builtin_scenes

    result = invoke("list")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.output.splitlines()]
    assert names == list(builtin_scenes())


def test_render_a_builtin_scene_into_a_folder(invoke, tmp_path):
    result = invoke("render", "rosenbrock", "--out-dir", str(tmp_path), "--frames", "12", *SMALL)
    assert result.exit_code == 0, result.output
    target = tmp_path / "rosenbrock.gif"
    assert result.output.startswith(f"{target}  12 frames")
    assert iio.improps(target, index=None).shape == (12, 120, 160, 3)


def test_render_an_ad_hoc_scene_with_options(invoke, tmp_path):
    target = tmp_path / "h.gif"
    result = invoke(
        "render", "--surface", "himmelblau", "--optimizer", "adam:lr=0.1", "--optimizer", "sgd:lr=0.01",
        "--start", "0,0", "--steps", "20", "--fps", "10", "--hold", "0", "--theme", "dark", "-o", str(target),
        "--paths", str(tmp_path / "h.json"), "--quiet", *SMALL,
    )
    assert result.exit_code == 0 and result.output == ""
    assert [iio.immeta(target, index=i)["duration"] for i in (0, 20)] == [100, 100]
    import json

    document = json.loads((tmp_path / "h.json").read_text())
    assert [t["label"] for t in document["trajectories"]] == ["adam:lr=0.1", "sgd:lr=0.01"]
    assert document["trajectories"][0]["start"] == [0.0, 0.0]


def test_render_scenes_from_a_file_and_a_png(invoke, tmp_path):
    scene_file = tmp_path / "mine.py"
    scene_file.write_text(textwrap.dedent("""
        from trajectories.scene import Scene
        a = Scene("first", "sphere", ["sgd:lr=0.1"], steps=5)
        b = Scene("second", "booth", ["adam:lr=0.5"], steps=5)
    """))
    result = invoke("render", f"{scene_file}:second", "--out-dir", str(tmp_path), "--format", "png", *SMALL)
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.py", "second.png"]
    result = invoke("render", str(scene_file), "--out-dir", str(tmp_path), *SMALL)
    assert {p.name for p in tmp_path.iterdir()} >= {"first.gif", "second.gif"}


def test_broken_scene_file_reports_file_and_line(invoke, tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("from trajectories.scene import Scene\n\nbad = Scene('b', 'sphere', ['adam:lr=-1'])\n")
    result = invoke("render", str(path), "--out-dir", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"trajectories: error: {path}:3: adam: lr must be a finite number >= 0, got -1.0"


def test_mp4_without_ffmpeg_is_a_clear_error(invoke, tmp_path, no_ffmpeg):
    result = invoke("render", "rosenbrock", "--format", "mp4", "--out-dir", str(tmp_path))
    assert result.exit_code == 2 and 'pip install ".[mp4]"' in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_installed_command_finds_builtin_scenes_from_any_folder(tmp_path):
    command = shutil.which("trajectories")
    if command is None:
        pytest.skip("the package is not installed as a command")
    out = subprocess.run([command, "list"], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert "rosenbrock" in out.stdout
    code = "import trajectories.scene as s; print(s.builtin_scene_folder())"
    where = subprocess.run(["python", "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert where.stdout.strip().endswith("scenes")


def test_scale_multiplies_size_and_dpi(invoke, tmp_path):
    result = invoke("render", "fig5_ewa", "--scale", "0.5", "--out-dir", str(tmp_path), "--format", "png")
    assert result.exit_code == 0
    assert iio.improps(tmp_path / "fig5_ewa.png").shape[:2] == (450, 600)  # half of 1200×900


def test_a_users_series_through_the_cli(invoke, tmp_path):
    csv = tmp_path / "p.csv"
    csv.write_text("Date,Close\n" + "".join(f"d{i},{100 + i % 7}\n" for i in range(30)))
    result = invoke("render", "fig5_ewa", "--series", str(csv), "--column", "Close", "-o", str(tmp_path / "s.png"),
                    "--scale", "0.4")
    assert result.exit_code == 0, result.stderr
    assert csv.read_text().startswith("Date,Close")  # an input, never overwritten
    for args, message in [
        (["fig5_ewa", "--series", str(csv)], "both --series FILE.csv and --column NAME"),
        (["fig5_ewa", "--series", str(csv), "--column", "Open"], "has no column 'Open'"),
        (["fig5_ewa", "--paths", str(tmp_path / "p.json")], "--paths writes optimizer paths; fig5_ewa has none"),
        (["fig4_minibatches", "--paths", str(tmp_path / "p.json")], "has no optimizer paths to write"),
        (["rosenbrock", "--column", "Close"], "reads a series for one series scene"),
        (["fig5_ewa", "--trail", "tail"], "--trail does not apply to fig5_ewa"),
    ]:
        bad = invoke("render", *args, "--out-dir", str(tmp_path))
        assert bad.exit_code == 2 and message in bad.stderr, (args, bad.stderr)


def test_a_bogus_mplbackend_changes_nothing(tmp_path):
    """We draw on Agg canvases of our own: the user's MPLBACKEND (here one matplotlib refuses on import) must
    not matter, neither for the command nor for the bytes."""
    args = ["render", "--surface", "sphere", "--optimizer", "adam", "--steps", "3", "--size", "64x64", "-q"]
    command = [sys.executable, "-c", "from trajectories.cli.main import main; main()", *args]
    outputs = []
    for backend in ("no_such_backend", "Agg"):
        target = tmp_path / f"{backend}.gif"
        done = subprocess.run([*command, "-o", str(target)], env={**os.environ, "MPLBACKEND": backend},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and done.stderr == "", done.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]


def test_a_render_failing_midway_leaves_no_output_folder(invoke, tmp_path, monkeypatch):
    from trajectories.errors import RenderError
    from trajectories.pipeline import stages as pipeline

    def fail(*args, **kwargs):
        raise RenderError("the contours failed")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pipeline, "render_checked", fail)  # the plan checked it
    result = invoke("render", "rosenbrock")
    assert result.exit_code == 2 and result.stderr == "trajectories: error: the contours failed\n"
    assert list(tmp_path.iterdir()) == []  # not even an empty output/
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "old.gif").write_bytes(b"kept")
    assert invoke("render", "rosenbrock").exit_code == 2
    assert [p.name for p in (tmp_path / "output").iterdir()] == ["old.gif"]  # an existing folder stays
