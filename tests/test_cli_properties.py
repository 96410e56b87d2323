"""Property tests: any command line built from good and hostile pieces either works or is refused in one
line, with exit status 0 or 2, no traceback, no stray warning, and no file written outside the one asked for.

Hypothesis draws the flags and their values from the lists below (run derandomized in CI: see conftest).
"""

import contextlib
import json
import os
import tempfile
import warnings
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from trajectories.cli.main import cli

GOOD = {
    "--surface": ["sphere", "rosenbrock", "himmelblau", "regression", "x**2 + 3*y**2", "1/x + y**2",
                  "(1-x)**2 + 100*(y-x**2)**2", "abs(x) + abs(y)", "x^2 + y^2", "sin(x)*cos(y)", "log(x) + y"],
    "--optimizer": ["adam", "sgd:lr=0.1", "sgd:lr=1", "adagrad:lr=0.5", "sgd:momentum=0.9,nesterov=true",
                    "adam:betas=(0.9,0.99)", "adamw:weight_decay=0.1", "sgd:lr=0.01,clip_norm=1", "rmsprop"],
    "--start": ["0,0", "1,1", "-1.5,2", "0.5,-0.5", "1e-320,0", "-0,0"],
    "--window": ["-1,1,-1,1", "-2,2,-1,3", "-5,5,-5,5", "0,1,0,1"],
    "--steps": ["1", "3", "20"], "--seed": ["0", "3", "9223372036854775807"], "--noise": ["0", "0.5", "1"],
    "--batch-size": ["1", "3", "20"], "--arithmetic": ["numpy", "portable"], "--format": ["json", "csv"],
}
HOSTILE = {
    "--surface": ["sqrt(x) + y**2", "x.real", "", "nope", "exp(10**30) + x", "log(-1) + x**2", "9**9**9",
                  "x + y +", "__import__('os')", "x" * 600],
    "--optimizer": ["adam:lr=-1", "rmsprop:alpha=2", "", ":", "adam:lr=1e400", "sgd:lr=nan", "nope", "sgd:lr=1e300"],
    "--start": ["1e308,0", "nan,0", "a,b", "", "3", "9,9"],
    "--window": ["0,0,0,0", "-1e308,1e308,-1,1", "1,2,3", "inf,1,0,1", "1e15,1.0000000000000002e15,0,1"],
    "--steps": ["0", "-1", "2.5", "abc", "", "1e9", "nan", "1000001"],
    "--seed": ["-1", "abc", "1e400"], "--noise": ["-1", "nan", "inf", "1e7"], "--batch-size": ["0", "-1", "1e9", "x"],
    "--arithmetic": ["exact", ""], "--format": ["xml", ""],
}
OTHER_FLAGS = sorted(set(GOOD) - {"--surface", "--optimizer"})


def values(flag: str) -> st.SearchStrategy[str]:
    """Mostly good values of ``flag`` (so that many command lines run), sometimes hostile ones."""
    good = st.sampled_from(GOOD[flag])
    return st.one_of(good, good, good, good, good, st.sampled_from(HOSTILE[flag]))


command_lines = st.tuples(
    values("--surface"), st.lists(values("--optimizer"), min_size=1, max_size=2),
    st.lists(st.sampled_from(OTHER_FLAGS).flatmap(lambda flag: st.tuples(st.just(flag), values(flag))), max_size=4),
).map(lambda drawn: ["--surface", drawn[0], *(part for spec in drawn[1] for part in ("--optimizer", spec)),
                     *(part for pair in drawn[2] for part in pair)])


def _refused_or_done(result, target: Path | None) -> None:
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    if result.exit_code == 2:
        assert len(lines) == 1 and lines[0].startswith("trajectories: error: "), result.stderr
        assert result.stdout == ""
    else:
        assert all(line.startswith("trajectories: warning: ") for line in lines), result.stderr
        if target is None:
            document = result.stdout
            assert (document.startswith("{") and json.loads(document)) or document.startswith("label,optimizer,")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=command_lines, to_file=st.booleans())
def test_any_run_command_line_works_or_is_refused_in_one_line(line, to_file):
    args = ["run", *line, *([] if "--steps" in line else ["--steps", "20"])]
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("error")  # a stray numpy or sympy warning fails the example
        target = Path(folder) / "out.json" if to_file else None
        before = os.listdir(folder)
        result = CliRunner().invoke(cli, [*args, *(["-o", str(target)] if target else [])])
        event(f"exit status {result.exit_code}")
        _refused_or_done(result, target)
        written = sorted(set(os.listdir(folder)) - set(before))
        assert written == (["out.json"] if target and result.exit_code == 0 else [])


TOML_TOP = {
    "surface": ['"sphere"', '"rosenbrock"', '"x**2 + y**2"', '"nope"', '"exp(10**30) + x"', "3", '""', "[1, 2]"],
    "steps": ["5", "1", "0", "-3", "2.5", '"ten"', "1000001", "true"],
    "start": ["[0.5, 0.5]", "[[0.5, 0.5], [-0.5, 0.2]]", "[9, 9]", "[nan, 0]", "[]", '"a"', "[1]"],
    "window": ["[-1, 1, -1, 1]", "[1, 1, 0, 1]", "[-1e308, 1e308, -1, 1]", "[inf, 1, 0, 1]", "[0, 1]"],
    "seed": ["0", "-1", "1.5"],
    "arithmetic": ['"numpy"', '"portable"', '"exact"'],
    "no_such_key": ["1"],
}
TOML_VIEW = {
    "fps": ["10", "0", "51", "20.5"], "theme": ['"dark"', '"neon"', "1"], "size": ["[64, 64]", "[10, 10]", "[64]"],
    "dpi": ["40", "0", "100000"], "trail": ['"fade"', '"sparkle"'], "tail": ["3", "0"], "frames": ["2", "0", "1e9"],
    "hold": ["0", "-1", "nan"], "loss_panel": ["true", "1"], "title": ['"t"', '"$x^2$"', "5"],
    "view": ['"contour"', '"surface"', '"cube"'], "grid": ["10", "1", "100000"],
}
TOML_OPTIMIZER = ['name = "adam"', 'name = "sgd"\nhyperparameters = { lr = 0.1 }', 'name = "nope"',
                  'name = "adam"\nhyperparameters = { lr = -1 }', 'name = "adam"\ncolor = "#123456"',
                  'name = "adam"\ncolor = "not a colour"', 'label = "no name"', 'name = "adam"\nlabel = 3']
TOML_OUTPUT = ['path = "out.png"', 'path = "../out.png"', 'path = "/tmp/out.png"', 'path = ""', 'path = "sub/x.png"',
               'format = "png"', 'format = "avi"']


def _entries(table: dict) -> st.SearchStrategy[dict]:
    """Up to four keys of ``table``, each with one of its values."""
    return st.lists(st.sampled_from(sorted(table)), unique=True, max_size=4).flatmap(
        lambda keys: st.tuples(*(st.sampled_from(table[key]) for key in keys)).map(
            lambda picked, keys=keys: dict(zip(keys, picked, strict=True))))


def _toml(top: dict, view: dict, optimizers: list, output: list) -> str:
    lines = [f"{key} = {value}" for key, value in {"surface": '"sphere"', "steps": "5", **top}.items()]
    lines += [f"[[optimizers]]\n{body}" for body in optimizers or ['name = "adam"']]
    lines += ["[view]", *(f"{key} = {value}" for key, value in view.items())] if view else []
    lines += ["[output]", output[0]] if output else []
    return "\n".join(lines) + "\n"


toml_files = st.builds(_toml, _entries(TOML_TOP), _entries(TOML_VIEW),
                       st.lists(st.sampled_from(TOML_OPTIMIZER), max_size=2),
                       st.lists(st.sampled_from(TOML_OUTPUT), max_size=1))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=toml_files)
def test_any_toml_scene_renders_or_is_refused_in_one_line_and_writes_only_its_output(text):
    with tempfile.TemporaryDirectory() as root, contextlib.chdir(root):
        folder = Path(root) / "scenes"
        folder.mkdir()
        (folder / "scene.toml").write_text(text)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = CliRunner().invoke(cli, ["render", "scenes/scene.toml", "--format", "png", "--size", "64x64",
                                              "--dpi", "20", "-q"])
        event(f"exit status {result.exit_code}")
        _refused_or_done(result, Path("unused"))
        written = sorted(str(path.relative_to(root)) for path in Path(root).rglob("*") if path.is_file())
        if result.exit_code == 2:
            assert written == ["scenes/scene.toml"]
        else:  # the one output: [output] path inside the scene's folder, else output/scene.png
            assert len(written) == 2 and (written[0] == "output/scene.png" or written[1].startswith("scenes/")), written
