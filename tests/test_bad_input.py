"""Every kind of bad input, through the command line: one line on stderr, exit status 2, nothing written."""

import pytest
from click.testing import CliRunner

from trajectories.cli import cli

CASES = [
    # unknown names
    ("unknown surface", ["run", "--surface", "rosenbrok", "--optimizer", "adam"], "did you mean 'rosenbrock'"),
    ("unknown optimizer", ["run", "--surface", "sphere", "--optimizer", "adamm"], "unknown optimizer 'adamm'"),
    ("unknown hyperparameter", ["run", "--surface", "sphere", "--optimizer", "adam:momentum=1"], "'momentum'"),
    ("unknown scene", ["render", "no_such_scene"], "unknown scene 'no_such_scene'"),
    ("unknown command", ["frobnicate"], "No such command"),
    ("unknown describe", ["describe", "nothing_here"], "no built-in scene 'nothing_here'"),
    # formulas that are not allowed
    ("hostile formula", ["run", "--surface", "__import__('os').getcwd()", "--optimizer", "adam"], "unknown function"),
    ("huge power", ["run", "--surface", "9**9**9", "--optimizer", "adam"], "exponent must be at most 100"),
    ("attribute", ["render", "--surface", "x.real", "--optimizer", "adam"], "attribute access not allowed"),
    ("formula with a warning", ["run", "--surface", "3if x", "--optimizer", "adam"], "invalid formula"),
    # malformed or non-finite numbers
    ("malformed lr", ["run", "--surface", "sphere", "--optimizer", "adam:lr=1e"], "lr must be a number"),
    ("nan lr", ["run", "--surface", "sphere", "--optimizer", "adam:lr=nan"], "must be a finite number"),
    ("malformed start", ["run", "--surface", "sphere", "--optimizer", "adam", "--start", "1;2"], "two numbers"),
    ("infinite start", ["run", "--surface", "sphere", "--optimizer", "adam", "--start", "inf,0"], "finite"),
    ("malformed window", ["run", "--surface", "x**2", "--optimizer", "adam", "--window", "1,2,3"], "four numbers"),
    ("empty window", ["run", "--surface", "x**2", "--optimizer", "adam", "--window", "1,1,0,1"], "X0 < X1"),
    ("nan window", ["render", "--surface", "x**2", "--optimizer", "adam", "--window", "0,nan,0,1"], "finite"),
    ("malformed size", ["render", "rosenbrock", "--size", "640by480"], "WIDTHxHEIGHT"),
    ("malformed tolerance", ["compare", "a.gif", "b.gif", "--tolerance", "lots"], "'--tolerance'"),
    # a start outside the window
    ("start outside", ["run", "--surface", "sphere", "--optimizer", "adam", "--start", "3,0"], "outside"),
    ("start outside formula", ["render", "--surface", "x**2+y**2", "--optimizer", "adam", "--start", "4,0"],
     "outside the window"),
    # zero or negative counts and sizes
    ("zero steps", ["run", "--surface", "sphere", "--optimizer", "adam", "--steps", "0"], "'--steps'"),
    ("negative steps", ["render", "--surface", "sphere", "--optimizer", "adam", "--steps", "-5"], "'--steps'"),
    ("zero fps", ["render", "rosenbrock", "--fps", "0"], "'--fps'"),
    ("zero frames", ["render", "rosenbrock", "--frames", "0"], "'--frames'"),
    ("zero size", ["render", "rosenbrock", "--size", "0x480"], "size must be"),
    ("negative dpi", ["render", "rosenbrock", "--dpi", "-3"], "'--dpi'"),
    ("negative batch", ["run", "--surface", "regression", "--optimizer", "sgd", "--batch-size", "-1"], "batch-size"),
    # output that cannot be written
    ("missing folder", ["run", "--surface", "sphere", "--optimizer", "adam", "-o", "nope/x.json"], "does not exist"),
    ("folder is a file", ["render", "rosenbrock", "-o", "a_file/x.gif"], "a_file is a file, not a folder"),
    ("missing out-dir", ["render", "rosenbrock", "--out-dir", "nope"], "does not exist"),
    ("output is a folder", ["render", "rosenbrock", "-o", "a_folder"], "is a directory"),
    # unknown formats and missing optional dependencies
    ("unknown format", ["render", "rosenbrock", "--format", "avi"], "'--format'"),
    ("unknown run format", ["run", "--surface", "sphere", "--optimizer", "adam", "--format", "xml"], "'--format'"),
    ("unknown arithmetic", ["run", "--surface", "sphere", "--optimizer", "adam", "--arithmetic", "exact"],
     "'--arithmetic'"),
    ("unknown render arithmetic", ["render", "rosenbrock", "--arithmetic", "float32"], "'--arithmetic'"),
    ("no ffmpeg", ["render", "rosenbrock", "--format", "mp4"], "pip install 'trajectories[mp4]'"),
    # corrupt scene files
    ("python syntax", ["render", "broken.py"], "broken.py:2: SyntaxError"),
    ("python error", ["render", "raises.py"], "raises.py:3: NameError"),
    ("bad scene value", ["render", "badvalue.py"], "badvalue.py:2: adam: lr must be a finite number >= 0"),
    ("toml syntax", ["render", "broken.toml"], "not valid TOML"),
    ("toml values", ["render", "badvalues.toml"], "2 problems: steps: must be a whole number"),
    ("not an image", ["compare", "broken.py", "broken.py"], "not an image"),
    ("missing image", ["compare", "none.gif", "none.gif"], "no such file"),
    ("existing starter", ["new", "broken", "--dir", "."], None),
]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file").write_text("")
    (tmp_path / "a_folder").mkdir()
    (tmp_path / "broken.py").write_text("from trajectories.scene import Scene\nx = (\n")
    (tmp_path / "raises.py").write_text("from trajectories.scene import Scene\n\nscene = Scene(undefined_name)\n")
    (tmp_path / "badvalue.py").write_text("from trajectories.scene import Scene\ns = Scene('s', 'sphere', "
                                          "['adam:lr=-1'])\n")
    (tmp_path / "broken.toml").write_text("surface = [unclosed\n")
    (tmp_path / "badvalues.toml").write_text('surface = "sphere"\nsteps = -1\n[[optimizers]]\nname = "adam"\n'
                                             '[view]\nfps = 0\n')
    return tmp_path


@pytest.mark.parametrize(("case", "args", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_exit_2_and_writes_nothing(workdir, request, case, args, message):
    if case == "no ffmpeg":
        request.getfixturevalue("no_ffmpeg")
    if case == "existing starter":
        (workdir / "broken.py").touch()
        message = "exists already"
    before = sorted(p.name for p in workdir.rglob("*"))
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stdout == ""
    assert result.stderr.startswith("trajectories: error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr, result.stderr
    assert sorted(p.name for p in workdir.rglob("*")) == before  # nothing written, not even output/
