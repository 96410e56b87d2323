"""Hostile text and stray output: titles, labels and column names matplotlib cannot draw are refused up front,
in one line; normal, diverging and singular runs leave stderr empty, and every bad input leaves one line;
Ctrl-C says "aborted" once and exits 130; ``compare --diff`` never overwrites what it compares."""


import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from trajectories.cli.main import cli
from trajectories.errors import SceneError
from trajectories.scene import BatchDiagram, Racer, Scene, SeriesScene
from trajectories.style.text import MAX_DEPTH, MAX_LENGTH, is_math_line, text_problem

ROOT = Path(__file__).resolve().parent.parent
BAD_MATHTEXT = [r"$\frac{$", "$x^$", r"$\undefinedcommand$", "$$", r"$\left(x$", "$x^2^3$", r"a $\alpha$ and $b_{$"]
GOOD_TEXT = ["cost in $", "$5 and $6", r"price \$ and $\alpha$", r"$\alpha = 0.9$", "β ≈ 10 days, lr × 2",
             "two\nlines $x^2$", "one $ here\nand $x$ there", ""]


def drawn_by_matplotlib(text: str) -> bool:
    """The reference: whether matplotlib itself draws ``text`` as a figure's text without raising."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1), dpi=50)
    canvas = FigureCanvasAgg(figure)
    figure.text(0.5, 0.5, text)
    try:
        canvas.draw()
    except ValueError:
        return False
    return True


# --- mathtext: refused where it is given, before anything is computed ----------------------------------

@pytest.mark.parametrize("text", BAD_MATHTEXT)
def test_text_matplotlib_cannot_draw_is_refused_by_scene_title_and_racer_label(text):
    assert not drawn_by_matplotlib(text)  # the fault is real: matplotlib raises while drawing it
    with pytest.raises(SceneError, match=r"^title is not valid mathtext: ") as error:
        Scene("s", "sphere", ["adam"], title=text)
    assert "\n" not in str(error.value)
    with pytest.raises(SceneError, match=r"^label is not valid mathtext: "):
        Scene("s", "sphere", [Racer("adam", text)])
    with pytest.raises(SceneError, match=r"^title is not valid mathtext: "):
        BatchDiagram("b", title=text)
    with pytest.raises(SceneError, match=r"^title is not valid mathtext: "):
        SeriesScene("e", title=text)


@pytest.mark.parametrize("text", GOOD_TEXT)
def test_plain_text_and_valid_mathtext_are_accepted(text):
    assert drawn_by_matplotlib(text)
    assert text_problem(text) is None
    Scene("s", "sphere", [Racer("adam", text or "adam")], title=text)


def test_the_message_says_where_and_what_in_one_line():
    message = text_problem(r"$\frac{$")
    assert message == (r"is not valid mathtext: '$\frac{$' (in '\frac{': expected \frac{num}{den}, found '{' "
                       r"at char 5); \$ is a literal dollar sign")
    assert "expected a symbol or a group, found end of text" in text_problem("$x^$")


@pytest.mark.parametrize("text", ["", "$", "a$b$c", r"\$x\$", r"\$x$y$", "$$$$", "x$y", r"$\$$", "$a$\n$b"])
def test_what_counts_as_mathtext_is_matplotlibs_own_rule(text):
    from matplotlib import cbook

    assert is_math_line(text) == cbook.is_math_text(text)


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([*"$\\{}^_ xa1()", r"\frac", r"\alpha", r"\sqrt", r"\left", r"\right", r"\$"]),
                max_size=14).map("".join))
def test_the_check_agrees_with_matplotlib_drawing_the_text(text):
    assert (text_problem(text) is None) == drawn_by_matplotlib(text), text


def test_characters_no_font_has_are_refused_rather_than_drawn_as_boxes():
    for text in ("race 🚀", "tab\there", "漢字"):
        assert text_problem(text).startswith("has characters the font cannot draw: ")
    assert "'🚀' (U+1F680)" in text_problem("$🚀$")
    with pytest.raises(SceneError, match="title has characters the font cannot draw"):
        Scene("s", "sphere", ["adam"], title="🚀")


def test_long_and_deeply_nested_text_is_refused_before_matplotlib_parses_it():
    assert text_problem("x" * MAX_LENGTH) is None
    assert text_problem("x" * (MAX_LENGTH + 1)) == f"is longer than {MAX_LENGTH} characters ({MAX_LENGTH + 1})"
    nested = "$" + r"\sqrt{" * MAX_DEPTH + "1" + "}" * MAX_DEPTH + "$"
    assert text_problem(nested) is None and drawn_by_matplotlib(nested)
    deeper = "$" + r"\sqrt{" * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1) + "$"
    assert f"nested more than {MAX_DEPTH} deep" in text_problem(deeper)
    assert "nested" in text_problem("$" + "{" * 90 + "x" + "}" * 90 + "$")  # matplotlib: RecursionError


def test_a_surface_whose_name_or_formula_cannot_be_drawn_is_refused():
    with pytest.raises(SceneError, match=r"the surface's formula has characters the font cannot draw"):
        Scene("s", "x**2 + y**2  # 🚀", ["adam"])
    Scene("s", "x**2 + y**2  # $x^$", ["adam"])  # the formula line is drawn as typed, not as mathtext


def test_a_csv_column_is_drawn_so_it_is_checked(tmp_path):
    data = tmp_path / "prices.csv"
    data.write_text("day,$x^$\n1,2\n2,3\n3,4\n")
    with pytest.raises(SceneError, match=r"column is not valid mathtext"):
        SeriesScene("e", data=str(data), column="$x^$")


# --- through scene files and the command line: one line, exit 2, nothing written --------------------------

TOML_TITLE = 'surface = "sphere"\nsteps = 3\n[view]\ntitle = \'$\\frac{$\'\n[[optimizers]]\nname = "adam"\n'
TOML_LABEL = 'surface = "sphere"\nsteps = 3\n[[optimizers]]\nname = "adam"\nlabel = "$x^$"\n'
PY_LABEL = ("from trajectories.scene import Racer, Scene\n"
            "s = Scene('s', 'sphere', [Racer('adam', r'$\\undefinedcommand$')], steps=3)\n")

TEXT_CASES = [
    ("toml title", "t.toml", TOML_TITLE, "t.toml: 1 problem: view.title: is not valid mathtext: '$\\frac{$'"),
    ("toml label", "l.toml", TOML_LABEL, "l.toml: 1 problem: optimizers[0].label: is not valid mathtext: '$x^$'"),
    ("python label", "p.py", PY_LABEL, "p.py:2: label is not valid mathtext: '$\\undefinedcommand$'"),
]


@pytest.mark.parametrize(("case", "name", "content", "message"), TEXT_CASES, ids=[c[0] for c in TEXT_CASES])
def test_bad_text_in_a_scene_file_is_one_line_exit_2_and_writes_nothing(tmp_path, monkeypatch, case, name,
                                                                         content, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(content)
    result = CliRunner().invoke(cli, ["render", name, "-o", "out.gif"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stdout == ""
    assert result.stderr.startswith("trajectories: error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_bad_column_on_the_command_line_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "prices.csv").write_text("day,$x^$\n1,2\n2,3\n3,4\n")
    result = CliRunner().invoke(cli, ["render", "fig5_ewa", "--series", "prices.csv", "--column", "$x^$",
                                      "-o", "out.gif"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "column is not valid mathtext" in result.stderr
    assert not (tmp_path / "out.gif").exists()


# --- stderr holds what we mean to say and nothing else --------------------------------------------------

RUNNER = r'''
import contextlib, io, json, os, sys, warnings
warnings.resetwarnings()
warnings.simplefilter("default")
warnings.filterwarnings("always", category=RuntimeWarning)  # numpy: overflow, divide by zero, invalid value
warnings.filterwarnings("always", category=UserWarning)  # matplotlib
from trajectories.cli.main import cli
reports = []
for name, args in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli.main(args=args, prog_name="trajectories")
            code = 0
        except SystemExit as stop:
            code = stop.code
    reports.append({"name": name, "code": code, "stderr": err.getvalue()})
print(json.dumps(reports))
'''

CLEAN = [
    ("render a figure", ["render", "fig1_local_minimum_2d", "-o", "x.gif"]),
    ("run", ["run", "--surface", "rosenbrock", "--optimizer", "adam", "--steps", "50"]),
    ("run diverging", ["run", "--surface", "rosenbrock", "--optimizer", "sgd:lr=1", "--steps", "200"]),
    ("render diverging", ["render", "--surface", "rosenbrock", "--optimizer", "sgd:lr=1", "--steps", "60",
                          "--loss-panel", "--trail", "fade", "-o", "d.gif"]),
    ("run from a pole", ["run", "--surface", "1/x + y**2", "--optimizer", "adam", "--start", "0,1", "--steps", "50"]),
    ("render a pole", ["render", "--surface", "1/x + y**2", "--optimizer", "adam", "--start", "0,1", "--steps", "30",
                       "--loss-panel", "-o", "p.gif"]),
    ("render poles in 3-D", ["render", "--surface", "1/x + 1/y", "--optimizer", "adam", "--steps", "5", "-o",
                             "p3.gif", "-j", "1"]),
    ("run log of negatives", ["run", "--surface", "log(x) + y**2", "--optimizer", "adam", "--start", "-1,0",
                              "--steps", "20"]),
    ("render 1/(x²+y²) from its pole", ["render", "--surface", "1/(x**2+y**2)", "--optimizer", "adam",
                                        "--start", "0,0", "--steps", "20", "-o", "q.gif"]),
]


def run_cli_cases(cases, folder):
    """Every case through the command line in one fresh Python (warnings as a user's Python shows them),
    each with its own stderr: ``[{"name", "code", "stderr"}]``."""
    import json

    result = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(cases)], cwd=folder, capture_output=True,
                            text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # nothing outside the cases either (imports, font cache...)
    return json.loads(result.stdout)


def test_normal_diverging_and_singular_runs_and_renders_leave_stderr_empty(tmp_path):
    for report in run_cli_cases(CLEAN, tmp_path):
        if report["name"] == "render diverging":  # a path gone at step 1 shows nothing: one line says so
            assert report["code"] == 0 and report["stderr"] == (
                "trajectories: warning: rosenbrock: the path of 'sgd:lr=1' leaves the window at step 1 of 60, and "
                "the animation shows nothing of it after; try a smaller lr or a larger window\n"), report
            continue
        assert (report["code"], report["stderr"]) == (0, ""), report


def test_every_bad_input_of_the_table_leaves_one_line_on_stderr(tmp_path):
    from tests.test_bad_input import CASES, SCENE_FILES, SETUPS  # the table's cases, with the files they name

    (tmp_path / "a_file").write_text("")
    (tmp_path / "a_folder").mkdir()
    for name, text in SCENE_FILES.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    for name in ("fifo.toml", "fifo.csv"):
        os.mkfifo(tmp_path / name)
    cases = [(name, [*args, "-o", "keep.json"] if args[0] == "run" and "-o" not in args else args)
             for name, args, _ in CASES if name != "no ffmpeg" and name not in SETUPS]  # mp4 may be installed here;
    # the rows that need a patched process (a full disk...) stay in the table's own test
    reports = run_cli_cases(cases, tmp_path)
    assert len(reports) >= 40
    for report in reports:
        assert report["code"] == 2, report
        assert report["stderr"].startswith("trajectories: error: ") and report["stderr"].count("\n") == 1, report


# --- Ctrl-C: one line, exit status 130 (128 + SIGINT, as SIGTERM's is 128 + 15) ------------------------

COMMAND = [sys.executable, "-c", "from trajectories.cli.main import main; main()"]


def test_a_scene_file_raising_keyboard_interrupt_says_aborted_once_and_exits_130(tmp_path):
    (tmp_path / "stop.py").write_text("raise KeyboardInterrupt\n")
    result = subprocess.run([*COMMAND, "render", "stop.py", "-o", "out.gif"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (result.returncode, result.stdout, result.stderr) == (130, "", "trajectories: aborted\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stop.py"]


THREE_D = ["render", "fig1_critical_points", "--jobs", "2", "-o", "out.gif"]  # one 3-D scene, frames drawn by workers
SCENES = ["render", "rosenbrock", "beale", "himmelblau", "rastrigin", "--out-dir", ".", "-j", "2"]  # scenes in workers


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and fork as on Linux")
@pytest.mark.parametrize(("args", "signum", "group", "status", "line"), [
    (THREE_D, "SIGINT", True, 130, "trajectories: aborted"),
    (SCENES, "SIGINT", True, 130, "trajectories: aborted"),
    (SCENES, "SIGINT", False, 130, "trajectories: aborted"),
    (SCENES, "SIGTERM", False, 143, "trajectories: stopped by SIGTERM"),
], ids=["Ctrl-C, 3-D frames in workers", "Ctrl-C, scenes in workers", "SIGINT to the parent, scenes in workers",
        "SIGTERM to the parent, scenes in workers"])
def test_a_stopped_parallel_render_says_so_once_and_leaves_no_temporary_file(tmp_path, args, signum, group, status,
                                                                             line):
    import signal
    import time

    process = subprocess.Popen([*COMMAND, *args], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 120
        while not any(p.name.endswith(".part.gif") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, "the render was still running"
        time.sleep(0.3)  # the workers are drawing
        if group:  # what a terminal does with Ctrl-C: the whole process group, workers included
            os.killpg(process.pid, getattr(signal, signum))
        else:
            process.send_signal(getattr(signal, signum))
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert (process.returncode, err) == (status, line + "\n")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary file is left"


def test_the_temporaries_of_a_target_are_the_ones_atomic_path_makes_since_a_time(tmp_path):
    import time

    from trajectories.support.atomic import atomic_path, temporaries

    target = tmp_path / "out.gif"
    old = tmp_path / ".out.old12345.part.gif"
    old.write_bytes(b"")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    (tmp_path / ".other.abc.part.gif").write_bytes(b"")
    (tmp_path / ".out.abc.part.png").write_bytes(b"")
    began = time.time()
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as temporary:
        assert temporaries(target, began) == [temporary]
        raise KeyboardInterrupt
    assert temporaries(target, began) == [] and temporaries(target, began - 7200) == [old]


@pytest.mark.parametrize(("signum", "status", "line"), [
    ("SIGINT", 130, "trajectories: aborted"), ("SIGTERM", 143, "trajectories: stopped by SIGTERM"),
])
def test_a_signal_that_code_turns_into_another_error_is_still_reported_as_the_signal(tmp_path, signum, status, line):
    # what matplotlib's C++ drawing code can do with a Ctrl-C: raise ValueError("Invalid bounding box") instead
    (tmp_path / "swallow.py").write_text(
        "import os, signal, time\n"
        "try:\n"
        f"    os.kill(os.getpid(), signal.{signum})\n"
        "    time.sleep(30)\n"
        "except BaseException:\n"
        "    raise ValueError('Invalid bounding box') from None\n")
    result = subprocess.run([*COMMAND, "render", "swallow.py", "-o", "out.gif"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert (result.returncode, result.stderr) == (status, line + "\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["swallow.py"]


# --- compare --diff never overwrites what it compares --------------------------------------------------

def _gif(path: Path, shade: int) -> bytes:
    from PIL import Image

    frames = [Image.new("RGB", (16, 12), (shade, 40 * k, 0)) for k in range(3)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    return path.read_bytes()


@pytest.mark.parametrize(("diff", "role"), [
    ("a.gif", "the expected file"), ("b.gif", "the actual file"), ("./a.gif", "the expected file"),
    ("sub/../b.gif", "the actual file"), ("ABSOLUTE/a.gif", "the expected file"),
    ("link.gif", "the expected file"), ("hard.gif", "the actual file"),
])
def test_compare_diff_never_overwrites_the_files_it_compares(tmp_path, monkeypatch, diff, role):
    monkeypatch.chdir(tmp_path)
    expected, actual = _gif(tmp_path / "a.gif", 0), _gif(tmp_path / "b.gif", 200)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.gif").symlink_to("a.gif")
    os.link(tmp_path / "b.gif", tmp_path / "hard.gif")
    before = sorted(p.name for p in tmp_path.iterdir())
    diff = diff.replace("ABSOLUTE", str(tmp_path))
    other_spelling = ("link.gif", "b.gif") if role == "the expected file" else ("a.gif", "hard.gif")
    for first, second in (("a.gif", "b.gif"), other_spelling):  # the inputs named directly, then through links
        result = CliRunner().invoke(cli, ["compare", first, second, "--diff", diff])
        assert result.exit_code == 2, (result.output, result.exception)
        assert result.stdout == "" and result.stderr.count("\n") == 1
        assert result.stderr == (f"trajectories: error: --diff {Path(diff)} is {role}: an output never overwrites "
                                 "an input\n")
    assert (tmp_path / "a.gif").read_bytes() == expected and (tmp_path / "b.gif").read_bytes() == actual
    assert (tmp_path / "link.gif").is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_compare_diff_elsewhere_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _gif(tmp_path / "a.gif", 0), _gif(tmp_path / "b.gif", 200)
    result = CliRunner().invoke(cli, ["compare", "a.gif", "b.gif", "--diff", "diff.png"])
    assert result.exit_code == 1 and result.stdout.startswith("differ: ")
    assert (tmp_path / "diff.png").read_bytes().startswith(b"\x89PNG")


def test_the_characters_checked_without_matplotlib_are_all_in_its_default_font():
    from trajectories.style.text import DRAWABLE, _missing_glyphs

    assert len(DRAWABLE) > 900 and {"²", "−", "∇", "α", "⅓", "ᵢ", "→"} <= DRAWABLE
    assert _missing_glyphs("".join(sorted(DRAWABLE))) == set()  # matplotlib's own font says so
    assert _missing_glyphs("\t🚀") == {"\t", "🚀"}  # and the check outside them still asks it
