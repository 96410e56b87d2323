"""Every code example of the documentation site runs as written (``tests/markdown_examples.py`` says how each
kind of block is run): each page's commands and snippets in order, in a folder of its own, with what a command
is shown printing checked against what it prints. The notebook is run by the site's build itself
(``tests/test_docs_site.py``)."""

import importlib.util
import sys
from pathlib import Path

import pytest

from .adapter_support import require
from .markdown_examples import commands, examples, expected_in, run_page

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [*sorted(path for path in DOCS.rglob("*.md") if "_build" not in path.parts and path.parent.name != "gallery"
                and not path.name.startswith("_")), DOCS / "_proposed_README.md"]
NEEDS = {"torch:": "torch", "import torch": "torch", "pytorch_optimizer": "pytorch_optimizer", "optax:": "optax",
         "--format mp4": "imageio_ffmpeg", "-o slides/rosenbrock.mp4": "imageio_ffmpeg"}
"""What a page's examples need beyond the test extra, by a phrase that shows it."""


def test_the_pages_are_found_and_hold_examples():
    names = {str(path.relative_to(DOCS)) for path in PAGES}
    assert {"getting-started.md", "howto/scenes.md", "howto/own-surface.md", "reference/cli.md"} <= names
    assert sum(block.kind in ("console", "python") for page in PAGES
               for block in examples(page.read_text(encoding="utf-8"))) >= 30


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_every_example_of_the_page_runs_as_written(page, tmp_path, monkeypatch):
    text = page.read_text(encoding="utf-8")
    for phrase, module in NEEDS.items():
        if phrase in text:
            if module == "imageio_ffmpeg":
                pytest.importorskip(module, reason='mp4 needs the mp4 extra: pip install ".[mp4]"')
            elif importlib.util.find_spec(module) is None:  # found without importing it: JAX here would make
                require(module)  # this worker's later forks unsafe (it skips, naming the extra)
    monkeypatch.setenv("TRAJECTORIES_CACHE", str(tmp_path / "cache"))  # render --tune's cache
    folder = tmp_path / "work"
    folder.mkdir()
    jax_before = "jax" in sys.modules
    assert run_page(page, folder) == []
    assert jax_before or "jax" not in sys.modules, "the page loaded JAX into this worker: its forks are unsafe now"


def test_the_tuned_scene_the_tuning_page_shows_is_what_tune_writes(tmp_path):
    """``docs/examples/tuned.toml`` is included in the page as the file ``tune`` writes: it must stay so."""
    (command, _), *_ = commands(next(block.body for block in examples((DOCS / "howto" / "tuning.md").read_text())
                                     if block.kind == "console"))
    from .markdown_examples import run_command

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
    assert "did not print 'something it never prints'" in problems[0]
    assert problems[1].startswith("page.md:23: ValueError: shown")
    assert "a bash block runs 'trajectories render rosenbrock'" in problems[2]


def test_expected_lines_match_whole_lines_with_dots_for_any_text():
    assert expected_in("a ... c", "x\na b c\n")
    assert not expected_in("a c", "a b c\n")
    assert expected_in("wrote x.py", "wrote x.py\n") and not expected_in("wrote", "wrote x.py\n")


def test_a_command_other_than_trajectories_runs_in_a_shell(tmp_path):
    from .markdown_examples import run_command

    status, output = run_command(f"{sys.executable} -c 'print(1 + 1)'", tmp_path)
    assert (status, output.strip()) == (0, "2")
