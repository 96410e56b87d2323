"""Every code example of README.md and of the documentation site runs as written (``tests/markdown_examples.py``
says how each kind of block is run): each page's commands and snippets in order, in a folder of its own, with
what a command is shown printing checked against all it prints. Beyond running them: every ``trajectories``
command the pages show is a valid command line (none uses an unknown or deprecated option), the JSON and npz
that the output reference shows are what ``run`` writes, and the numbers the pages state about the suite are
the suite's. Neither README nor the site can drift from the code. The notebook is run by the site's build itself
(``tests/test_docs_site.py``)."""

import importlib.util
import json
import re
import shlex
import sys
from pathlib import Path

import click
import numpy as np
import pytest

from .adapter_support import require
from .markdown_examples import command_lines, commands, examples, run_command, run_page, shows

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(path for path in DOCS.rglob("*.md") if "_build" not in path.parts
                                     and path.parent.name != "gallery" and not path.name.startswith("_"))]
NAMES = [str(page.relative_to(ROOT)) for page in PAGES]
NEEDS = {"torch:": "torch", "import torch": "torch", "pytorch_optimizer": "pytorch_optimizer", "optax:": "optax",
         "--format mp4": "imageio_ffmpeg", "-o slides/rosenbrock.mp4": "imageio_ffmpeg"}
"""What a page's examples need beyond the test extra, by a phrase that shows it."""
OUTPUT_PAGE = DOCS / "reference" / "run-output.md"


def test_the_pages_are_found_and_hold_examples():
    assert {"README.md", "docs/getting-started.md", "docs/howto/scenes.md", "docs/howto/own-surface.md",
            "docs/reference/cli.md", "docs/reference/run-output.md"} <= set(NAMES)
    assert sum(block.kind in ("console", "python") for page in PAGES
               for block in examples(page.read_text(encoding="utf-8"))) >= 30


@pytest.mark.parametrize("page", PAGES, ids=NAMES)
def test_every_example_of_the_page_runs_as_written(page, tmp_path, monkeypatch):
    text = page.read_text(encoding="utf-8")
    included = [(page.parent / block.argument.strip()).read_text(encoding="utf-8")
                for block in examples(text) if block.kind == "file" and not block.body.strip()]
    text = "\n".join([text, *included])  # a literalinclude'd scene needs what it imports, too
    for phrase, module in NEEDS.items():
        if phrase in text and importlib.util.find_spec(module) is None:  # found without importing it: JAX here
            require(module)  # would make this worker's later forks unsafe (it skips, naming the extra)
    monkeypatch.setenv("TRAJECTORIES_CACHE", str(tmp_path / "cache"))  # render --tune's cache
    folder = tmp_path / "work"
    folder.mkdir()
    jax_before = "jax" in sys.modules
    assert run_page(page, folder) == []
    assert jax_before or "jax" not in sys.modules, "the page loaded JAX into this worker: its forks are unsafe now"


def test_every_command_the_pages_show_is_a_valid_command_line():
    """Run or not (a bash block's ``render --all``, a Dask command), each parses: a command that exists, options
    it takes, and none of its deprecated (hidden) ones, such as ``--data`` for ``--paths``."""
    from trajectories.cli.main import cli

    shown = [(name, line, args) for page, name in zip(PAGES, NAMES, strict=True)
             for line, args in command_lines(page.read_text(encoding="utf-8"))]
    assert len(shown) >= 60 and sum(name == "README.md" for name, _, _ in shown) >= 15
    for name, line, args in shown:
        where = f"{name}:{line}: trajectories {shlex.join(args)}"
        if args[0].startswith("-"):  # the group's own options (--version)
            assert args == ["--version"], where
            continue
        assert args[0] in cli.commands, where
        assert not deprecated_options(cli.commands[args[0]], args[1:]), f"{where} uses a deprecated option"


def deprecated_options(command: click.Command, args: list[str]) -> list[str]:
    """The hidden (deprecated) options that ``args`` give ``command``, read by click's own parser (an unknown
    option is its error, an argument too many ours); values are not converted, so a refused value shown as an
    example of one still parses, and a ``torch:`` spec imports no torch."""
    given, rest, _ = command.make_parser(click.Context(command, info_name=command.name)).parse_args(list(args))
    assert rest == [], f"arguments {command.name} does not take: {rest}"
    return [p.opts[0] for p in command.params if getattr(p, "hidden", False) and p.name in given]


def test_a_deprecated_or_unknown_option_is_caught():
    """The check above can fail: ``--data`` is ``render``'s deprecated name of ``--paths``."""
    from trajectories.cli.main import cli

    render = cli.commands["render"]
    assert deprecated_options(render, ["rosenbrock", "--data", "p.json"]) == ["--data"]
    assert deprecated_options(render, ["rosenbrock", "--paths", "p.json"]) == []
    with pytest.raises(click.NoSuchOption):
        deprecated_options(render, ["rosenbrock", "--dat", "p.json"])
    with pytest.raises(AssertionError, match="does not take"):
        deprecated_options(cli.commands["describe"], ["peaks", "rosenbrock"])
    page = "```console\n$ trajectories render rosenbrock --paths p.json   # a comment\n```\n"
    assert command_lines(page) == [(1, ["render", "rosenbrock", "--paths", "p.json"])]


# --- what `run` writes, as docs/reference/run-output.md shows it ---------------------------------------------


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


def test_the_json_the_output_page_shows_is_what_run_writes(tmp_path, monkeypatch):
    """The page's JSON is written by its ``run-json`` directive from a real run: every key, and each list's
    first numbers exactly as ``run`` wrote them, for the very command the page names."""
    monkeypatch.syspath_prepend(str(DOCS / "_ext"))
    from trajectories_docs.tables import shown_json

    page = OUTPUT_PAGE.read_text(encoding="utf-8")
    (args,) = re.findall(r"^```\{run-json\} (.+)$", page, flags=re.M)
    assert f"`trajectories {args}` writes" in " ".join(page.split())
    status, output = run_command(f"trajectories {args} -o run.json", tmp_path)
    assert status == 0, output
    written = (tmp_path / "run.json").read_text(encoding="utf-8")
    shown, actual = json.loads(shown_json(written)), json.loads(written)
    assert shown["trajectories"][0]["x"][-1] == "..." and len(shown_json(written)) < 3000  # a page, not a dump
    same_as_shown(shown, actual)
    assert {"converged_to", "converged_step", "horizon", "diverged_step"} <= set(shown["trajectories"][0])


def test_the_npz_arrays_the_output_page_lists_are_what_run_writes_with_their_shapes(tmp_path):
    """The ``npz-keys`` table names every array of a full and of a ``--reduce``d run, each with its shape in
    the page's letters (O optimizers, S starts, T steps, K targets), counted here from the command itself."""
    from trajectories.surfaces.catalogue import get_surface

    page = OUTPUT_PAGE.read_text(encoding="utf-8")
    args, body = re.search(r"^```\{npz-keys\} (.+?)\n(.*?)^```", page, flags=re.M | re.S).groups()
    listed = dict(line.split(": ", 1) for line in body.splitlines() if line.strip())
    shapes = {key: re.match(r"\(([^)]*)\): ", meaning).group(1) for key, meaning in listed.items()}
    words = shlex.split(args)
    grid = re.search(r"grid:(\d+)x(\d+)", args)
    sizes = {"O": words.count("--optimizer"), "S": int(grid[1]) * int(grid[2]) + words.count("--start"),
             "T + 1": int(words[words.index("--steps") + 1]) + 1, "1": 1, "2": 2,
             "K": len(get_surface(words[words.index("--surface") + 1]).minima)}
    found = set()
    for reduced in ([], ["--reduce"]):
        status, output = run_command(shlex.join(["trajectories", *words, *reduced, "-o", "run.npz"]), tmp_path)
        assert status == 0, output
        with np.load(tmp_path / "run.npz", allow_pickle=False) as arrays:
            for key in arrays.files:
                wanted = tuple(sizes[part.strip()] for part in shapes[key].split(",") if part.strip())
                assert arrays[key].shape == wanted, (key, shapes[key], arrays[key].shape, reduced)
            assert json.loads(arrays["meta"].item())["format"] == "trajectories.run.npz"
            found |= set(arrays.files)
    assert found == set(shapes)


def test_the_numbers_the_docs_state_about_the_suite_are_the_suites():
    baselines = sorted((ROOT / "tests" / "snapshots" / "test_snapshots").glob("*"))
    kilobytes = sum(path.stat().st_size for path in baselines) / 1024
    page = (DOCS / "howto" / "snapshot-tests.md").read_text(encoding="utf-8")
    stated = re.search(r"\(`tests/test_snapshots.py`, (\d+) baselines, (\d+) KB\)", page)
    assert stated and int(stated.group(1)) == len(baselines) and abs(int(stated.group(2)) - kilobytes) < 1


def test_the_tuned_scene_the_tuning_page_shows_is_what_tune_writes(tmp_path):
    """``docs/examples/tuned.toml`` is included in the page as the file ``tune`` writes: it must stay so."""
    (command, _), *_ = commands(next(block.body for block in examples((DOCS / "howto" / "tuning.md").read_text())
                                     if block.kind == "console"))
    status, output = run_command(command, tmp_path)
    assert status == 0, output
    assert (tmp_path / "tuned.toml").read_bytes() == (DOCS / "examples" / "tuned.toml").read_bytes()


# --- the runner itself ---------------------------------------------------------------------------------------

PAGE = '''\
Some text.

```{literalinclude} ../nowhere.py
:caption: scene.py

from trajectories.scene import Scene
s = Scene("s", "sphere", ["adam:lr=0.1"], steps=3)
```

```console
$ trajectories list scene.py
s ...
$ trajectories render nope
trajectories: error: unknown scene 'nope' ...
$ trajectories list scene.py   # a comment
something it never prints
```

```python
answer = 6 * 7
```

```python
assert answer == 42
raise ValueError("shown")
```

```bash
python -m pip install ".[docs]"
trajectories render rosenbrock
```
'''


def test_the_runner_runs_files_commands_and_snippets_and_reports_what_differs(tmp_path):
    page = tmp_path / "docs" / "page.md"
    page.parent.mkdir()
    page.write_text(PAGE)
    (tmp_path / "work").mkdir()
    problems = run_page(page, tmp_path / "work")
    assert (tmp_path / "work" / "scene.py").is_file()  # the included file, as the page shows it
    assert len(problems) == 3, problems
    assert "printed 's" in problems[0] and "not what the page shows: 'something it never prints'" in problems[0]
    assert problems[1].startswith("page.md:23: ValueError: shown")
    assert "a bash block runs 'trajectories render rosenbrock'" in problems[2]


def test_shown_output_is_all_of_it_line_for_line_with_dots_for_any_text():
    assert shows(["a ... c"], "a b c\n") and shows(["a ... c", "d"], "a b c\n\n  d  \n")
    assert not shows(["a c"], "a b c\n") and not shows(["wrote"], "wrote x.py\n")
    assert not shows(["x"], "x\ny\n"), "a line printed that the page does not show"
    assert not shows(["y", "x"], "x\ny\n"), "in order"
    assert shows(["x", "...", "z"], "x\ny1\ny2\nz\n") and shows(["x", "...", "z"], "x\nz\n")
    assert not shows(["a ... c"], "a b\nc\n"), "dots in a line stay in the line"


def test_a_command_other_than_trajectories_runs_in_a_shell(tmp_path):
    status, output = run_command(f"{sys.executable} -c 'print(1 + 1)'", tmp_path)
    assert (status, output.strip()) == (0, "2")
