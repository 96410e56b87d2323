"""README's examples, run: every console command is a valid command line (no unknown or deprecated option),
every console example that shows what it prints prints that, the JSON and npz examples are what the
commands write, and the numbers README states about the suite are the suite's. README cannot drift."""

import json
import re
import shlex
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

from trajectories.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def console_blocks() -> list[list[str]]:
    """Each ```console block as its lines, continuation lines (a trailing backslash) joined."""
    blocks = []
    for body in re.findall(r"```console\n(.*?)```", README, flags=re.S):
        lines: list[str] = []
        for line in body.splitlines():
            if lines and lines[-1].endswith("\\"):
                lines[-1] = lines[-1][:-1] + " " + line.strip()
            else:
                lines.append(line)
        blocks.append(lines)
    return blocks


def commands() -> list[list[str]]:
    """Every ``$ trajectories ...`` line of README's console blocks, as arguments (comments left out)."""
    found = []
    for block in console_blocks():
        for line in block:
            if line.startswith("$ trajectories "):
                found.append(shlex.split(line[2:], comments=True)[1:])
    return found


def example_outputs() -> list[tuple[list[str], str]]:
    """The console examples that show what they print: (arguments, the lines after the command)."""
    found = []
    for block in console_blocks():
        for index, line in enumerate(block):
            if line.startswith("$ trajectories ") and index + 1 < len(block) and not block[index + 1].startswith("$"):
                shown = []
                for after in block[index + 1:]:
                    if after.startswith("$"):
                        break
                    shown.append(after)
                found.append((shlex.split(line[2:], comments=True)[1:], "\n".join(shown)))
    return found


def test_readme_has_console_examples_and_every_one_is_a_valid_command_line():
    lines = commands()
    assert len(lines) >= 30
    for args in lines:
        if args[0].startswith("-"):  # the group's own options (--version)
            continue
        context = cli.make_context("trajectories", list(args), resilient_parsing=True)
        name, command, rest = cli.resolve_command(context, list(args))
        try:
            sub = command.make_context(name, rest)
        except click.BadParameter:  # an example of a refused value: its options are still the command's
            continue
        hidden = [p.opts[0] for p in command.params if getattr(p, "hidden", False) and sub.params.get(p.name)]
        assert not hidden, f"README uses a deprecated option {hidden}: {shlex.join(args)}"


@pytest.mark.parametrize("args,shown", example_outputs(), ids=lambda v: v[0] if isinstance(v, list) else None)
def test_each_console_example_prints_what_readme_shows(args, shown, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if args[:2] == ["render", "broken.toml"]:
        (tmp_path / "broken.toml").write_text(
            'surface = "rosenbrok"\n[[optimizers]]\nname = "adam"\nhyperparameters = { lr = -1.0 }\n[view]\nfps = 60\n')
    result = CliRunner().invoke(cli, args)
    pattern = ".*".join(re.escape(part) for part in shown.strip().split("..."))  # README elides with "..."
    assert re.fullmatch(pattern, (result.stdout + result.stderr).strip(), flags=re.S), (result.stdout + result.stderr)


def readme_json() -> dict:
    text = re.search(r"```json\n(.*?)```", README, flags=re.S).group(1)
    return json.loads(text)


def same_as_shown(shown, actual, where="") -> None:
    """``actual`` has every value ``shown`` has; a list ending in ``"..."`` shows only its first items."""
    if isinstance(shown, dict):
        assert set(shown) == set(actual), where
        for key in shown:
            same_as_shown(shown[key], actual[key], f"{where}.{key}")
    elif isinstance(shown, list) and shown and shown[-1] == "...":
        assert actual[: len(shown) - 1] == shown[:-1], where
    elif isinstance(shown, list):
        assert len(shown) == len(actual), where
        for k, (a, b) in enumerate(zip(shown, actual, strict=True)):
            same_as_shown(a, b, f"{where}[{k}]")
    else:
        assert shown == actual, where


def test_the_json_example_is_what_the_command_above_it_writes():
    shown = readme_json()
    run = next(args for args in commands() if args[:1] == ["run"] and "rosenbrock" in args and "-o" in args)
    run = run[: run.index("-o")]
    actual = json.loads(CliRunner().invoke(cli, run).stdout)
    shown_path = shown.pop("trajectories")[0]
    actual_path = actual.pop("trajectories")[0]
    same_as_shown(shown, actual)
    same_as_shown(shown_path, actual_path)


def test_the_npz_table_names_every_key_with_its_shape(tmp_path):
    table = README.split("**npz** (`--format npz`", 1)[1].split("With `--reduce`", 1)[0]
    rows = dict(re.findall(r"^\| (`[^|]+`) \| ([^|]+) \|", table, flags=re.M))
    shapes = {}
    for keys, shape in rows.items():
        if keys == "`meta`":
            shapes["meta"] = shape.strip()
            continue
        names = re.findall(r"`(\w+)`", keys)
        groups = re.findall(r"\(([^)]*)\)", shape)  # "(O, S, 2), (O, S)" or one shape for every key
        for name, group in zip(names, groups if len(groups) == len(names) else groups[:1] * len(names), strict=True):
            shapes[name] = f"({group})"
    out = tmp_path / "p.npz"
    CliRunner().invoke(cli, ["run", "--surface", "himmelblau", "--optimizer", "adam:lr=0.1", "--optimizer", "sgd",
                             "--start", "0,0", "--starts", "grid:2x2", "--steps", "7", "-o", str(out)])
    data = np.load(out)
    assert set(shapes) == set(data.files)
    sizes = {"O": 2, "S": 5, "T + 1": 8, "K": 4, "2": 2}
    for name, shape in shapes.items():
        if shape == "(1,) text":
            assert data[name].shape == (1,) and json.loads(data[name].item())["format"] == "trajectories.run.npz"
            continue
        wanted = tuple(sizes[part.strip()] for part in shape.strip("()").split(","))
        assert data[name].shape == wanted, (name, shape, data[name].shape)


def test_the_numbers_readme_states_about_the_suite_are_the_suites():
    baselines = sorted((ROOT / "tests" / "snapshots" / "test_snapshots").glob("*"))
    kilobytes = sum(path.stat().st_size for path in baselines) / 1024
    stated = re.search(r"\(`tests/test_snapshots.py`, (\d+) baselines, (\d+) KB\)", README)
    assert stated and int(stated.group(1)) == len(baselines) and abs(int(stated.group(2)) - kilobytes) < 1


def test_every_command_readme_runs_exists():
    names = {args[0] for args in commands() if not args[0].startswith("-")}
    assert names <= set(cli.commands) and isinstance(cli, click.Group)
