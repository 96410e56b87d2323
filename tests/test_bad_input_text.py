"""Hostile text: titles, labels and column names matplotlib cannot draw are refused up front, in one line."""


import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from trajectories.cli import cli
from trajectories.errors import SceneError
from trajectories.render.text import MAX_DEPTH, MAX_LENGTH, is_math_line, text_problem
from trajectories.scene import BatchDiagram, Racer, Scene, SeriesScene

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
