"""Every command that writes a file makes the folders it names, as it makes ``output/``, and a command that
fails leaves no new folder behind (issue 15: ``-o`` and ``--out-dir`` into a missing folder failed)."""

import json

import pytest
from PIL import Image

from trajectories.errors import OutputError
from trajectories.support.folders import check_creatable, folders_kept_only_if_used, missing_folders
from trajectories.writers import FrameWriter

from .contracts import fake_format

TINY = ["--surface", "sphere", "--optimizer", "adam:lr=0.1", "--steps", "4", "--size", "96x72", "--dpi", "30", "-q"]


def test_render_makes_the_folders_of_o_and_out_dir(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("render", *TINY, "-o", "new/deeper/race.gif", "--paths", "json/paths.json").exit_code == 0
    with Image.open(tmp_path / "new/deeper/race.gif") as image:
        assert image.format == "GIF" and image.size == (96, 72)
    assert json.loads((tmp_path / "json/paths.json").read_text())["steps"] == 4
    assert invoke("render", *TINY, "--out-dir", str(tmp_path / "slides" / "2026")).exit_code == 0
    assert [p.name for p in (tmp_path / "slides" / "2026").iterdir()] == ["sphere.gif"]
    assert not (tmp_path / "output").exists()  # the default folder only when it is used


def test_run_compare_and_new_make_their_folders(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "--surface", "sphere", "--optimizer", "adam", "--steps", "3", "-o", "a/b/paths.csv")
    assert result.exit_code == 0 and (tmp_path / "a/b/paths.csv").read_text().startswith("label,")
    assert invoke("render", *TINY, "-o", "x.gif").exit_code == 0
    assert invoke("compare", "x.gif", "x.gif", "--diff", "diffs/d.png").exit_code == 0
    with Image.open(tmp_path / "diffs/d.png") as image:
        assert image.size[1] == 72 and image.size[0] >= 3 * 96  # expected | actual | difference, with gaps
    assert invoke("new", "race", "--dir", "starters/mine").exit_code == 0
    assert (tmp_path / "starters/mine/race.py").is_file()


def test_a_render_failing_midway_leaves_no_new_folder(invoke, tmp_path, monkeypatch):
    from trajectories.errors import RenderError
    from trajectories.pipeline import stages as pipeline

    def fail(*args, **kwargs):
        raise RenderError("the contours failed")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(pipeline, "render_checked", fail)  # the plan checked it
    (tmp_path / "kept").mkdir()
    for where in (["-o", "new/deeper/x.gif"], ["--out-dir", "new/deeper"], ["-o", "kept/new/x.gif"],
                  ["-o", "x.gif", "--paths", "new/p.json"]):
        result = invoke("render", *TINY, *where)
        assert result.exit_code == 2 and result.stderr == "trajectories: error: the contours failed\n", where
        assert sorted(p.name for p in tmp_path.iterdir()) == ["kept"], where  # not even new/
        assert list((tmp_path / "kept").iterdir()) == []


def test_folders_are_removed_only_if_made_and_still_empty(tmp_path):
    (tmp_path / "old").mkdir()
    with pytest.raises(RuntimeError), folders_kept_only_if_used([tmp_path / "old", tmp_path / "a/b", None]):
        assert (tmp_path / "a/b").is_dir()
        raise RuntimeError
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old"]
    with pytest.raises(RuntimeError), folders_kept_only_if_used([tmp_path / "a/b"]):
        (tmp_path / "a/note.txt").write_text("someone else's")
        raise RuntimeError
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["note.txt"]  # a holds a file: kept


def test_missing_folders_and_what_cannot_be_made(tmp_path):
    assert missing_folders(tmp_path / "a" / "b") == [tmp_path / "a", tmp_path / "a" / "b"]
    assert missing_folders(tmp_path) == []
    (tmp_path / "f").write_text("")
    with pytest.raises(OutputError, match="f is a file, not a folder"):
        check_creatable(tmp_path / "f" / "g")
    with pytest.raises(OutputError, match="/proc/sys is not writable"):
        check_creatable("/proc/sys/nope")


def test_from_python_a_render_makes_its_folders_too_and_a_failed_one_removes_them(tmp_path):
    from trajectories.errors import RenderError
    from trajectories.scene import Scene

    race = Scene("race", "sphere", ["adam:lr=0.1"], steps=3, size=(96, 72), dpi=30)
    result = race.render(tmp_path / "new" / "deeper" / "race.gif", paths_json=tmp_path / "json" / "race.json")
    assert result.path.is_file() and (tmp_path / "json" / "race.json").is_file()

    class Broken(FrameWriter):
        def add(self, frame, delay):
            raise RenderError("the disk is full")

    with pytest.raises(RenderError, match="the disk is full"), fake_format(lambda target: Broken()) as name:
        race.render(tmp_path / "other" / "race.gif", format=name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["json", "new"]
