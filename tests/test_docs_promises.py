"""What README and the documentation site promise about using the package, checked: the Python snippet of
"From Python" runs, ``python -m trajectories`` is the command, the mp4 install hint is spelled as the docs spell
it, and ``trajectories surfaces`` fits the terminal (issue 15's "small things people tripped over")."""

import configparser
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from trajectories.cli.main import cli
from trajectories.surfaces.catalogue import SURFACE_NAMES, get_surface
from trajectories.writers.mp4 import MP4_INSTALL, MP4_MISSING

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FROM_PYTHON = (ROOT / "docs" / "howto" / "python.md").read_text(encoding="utf-8").split("\n## ", 1)[0]
FORMATS_PAGE = (ROOT / "docs" / "howto" / "slides.md").read_text(encoding="utf-8")


def test_the_python_snippet_runs_with_import_trajectories_as_tj(tmp_path, monkeypatch):
    (code,) = re.findall(r"```python\n(.*?)```", FROM_PYTHON, re.S)
    assert code.startswith("import trajectories as tj\n")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "docs/howto/python.md", "exec"), namespace)  # our own documentation
    assert namespace["path"].positions.shape == (301, 2, 2)  # as the snippet's comment says
    assert len(namespace["tj"].horizons(namespace["surface"], namespace["tj"].optimizers.adam(lr=0.1),
                                        namespace["path"].positions)) == 2
    result = namespace["result"]
    with Image.open(tmp_path / "race.gif") as image:
        assert result.path.name == "race.gif" and image.format == "GIF" and image.n_frames == result.frames > 1


def test_every_name_the_docs_say_tj_has_is_there():
    import trajectories as tj

    said = set(re.findall(r"`tj\.(\w+)", FROM_PYTHON))
    assert {"Scene", "Racer", "run", "get_surface", "horizons", "portable_surface"} <= said
    assert said <= set(tj.__all__) and all(hasattr(tj, name) for name in said)


def test_python_dash_m_trajectories_is_the_command_with_its_exit_statuses(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "trajectories", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)

    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("trajectories ")
    refused = run("render", "rosenbrok")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == ("trajectories: error: unknown scene 'rosenbrok'; did you mean 'rosenbrock'? "
                              "(see `trajectories list`)\n")
    listed = run("list")
    assert listed.returncode == 0 and listed.stdout.split()[0] in listed.stdout


def test_the_mp4_hint_is_spelled_as_the_docs_spell_it_and_installs_the_extra():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    extra = config["options.extras_require"]["mp4"].split()
    assert [re.split(r"[<>=]", requirement)[0] for requirement in extra] == [MP4_INSTALL[1].split()[-1]]
    assert MP4_INSTALL[0] == 'pip install ".[mp4]"'
    for command in MP4_INSTALL:
        assert command in MP4_MISSING and command in FORMATS_PAGE, command
    assert "trajectories[mp4]" not in README + FORMATS_PAGE + MP4_MISSING  # not on PyPI under that name


@pytest.mark.parametrize("columns", [80, 40])
def test_surfaces_fit_the_terminal_and_say_everything(columns):
    result = CliRunner().invoke(cli, ["surfaces"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    words = result.stdout.split()
    for name in SURFACE_NAMES:
        assert name in words
        for word in get_surface(name).description.split():
            assert word in words


@pytest.mark.parametrize("columns", ["400", None])
def test_surfaces_on_a_wide_terminal_or_into_a_pipe_are_one_row_each(columns, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)  # None: no COLUMNS, and CliRunner's output is no terminal
    result = CliRunner().invoke(cli, ["surfaces"], env={"COLUMNS": columns} if columns else {})
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "window", "global", "minimum", "description"]
    assert [line.split()[0] for line in lines[1:]] == list(SURFACE_NAMES)
    assert "0 at (3, 2), (-2.80512, 3.13131)" in lines[1 + SURFACE_NAMES.index("himmelblau")]  # grep finds it all


def test_readme_speed_figure_says_how_it_was_measured():
    intro = README.split("\n## ", 1)[0]
    command = re.search(r"`python (bench/\S+\.py) (--\w+)`", intro)
    assert command, "the speed figure names the command that measures it"
    script, flag = command.groups()
    assert f'"{flag}"' in (ROOT / script).read_text(encoding="utf-8")
    assert "1.5 s" not in intro  # the stale figure of issue 15


def test_the_counts_readme_states_are_the_registries():
    from trajectories.core.optimizers import OPTIMIZERS
    from trajectories.scene import builtin_scenes

    intro = " ".join(README.split("\n## ", 1)[0].split())
    optimizers, surfaces = map(int, re.search(r"(\d+) optimizers, (\d+) cost surfaces", intro).groups())
    assert (optimizers, surfaces) == (len(OPTIMIZERS), len(SURFACE_NAMES))
    scenes = {int(n) for n in re.findall(r"(\d+) are built in|all (\d+) built-in scenes", README) for n in n if n}
    assert scenes == {len(builtin_scenes())}


def test_the_docs_say_which_format_to_pick_for_each_registered_format():
    from trajectories.writers import format_names

    section = FORMATS_PAGE.split("## Which format for which use\n", 1)[1].split("\n## ", 1)[0]
    assert "python bench/bench_formats.py" in section
    header = re.search(r"^\| scene \|(.*)\|$", section, re.M).group(1)
    measured = {cell.split()[0].lower() for cell in header.split("|")}
    advice = {word.lower() for word in re.findall(r"^- \*\*(\w+)\*\*", section, re.M)}
    for name in format_names():
        assert name in advice, f"say when to pick {name}"
        assert name in measured, f"measure {name} (python bench/bench_formats.py)"
