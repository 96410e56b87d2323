"""Property tests of the trust boundary whose oracle is a test audit hook (tests/audit_oracle.py), not the
guard under test: a TOML scene document over the whole schema, a directive's inline TOML in a real Sphinx
build, and a file in the tune cache, each handled as a stranger's data, never run, write or import anything.

Every generated TOML document is listed, described and rendered tiny from a temporary folder: each command
exits 0 or 2, says what is wrong in one line with no traceback, and the oracle records no process, no write
or delete outside the folder, no network, no browser, and no import, asked for by trajectories, of a module
the document named outside the namespaces the issue allows (torch, pytorch_optimizer, torch_optimizer,
optax).

CI runs hypothesis derandomized (tests/conftest.py): 30 documents, 3 Sphinx builds of 3 directives each and
12 cache files, about 40 s of CPU in all.
"""

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from trajectories.cli.main import cli

from .audit_oracle import recording
from .toml_documents import documents, named_modules, to_toml

PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


@contextlib.contextmanager
def stranger_folder():
    """A fresh temporary folder as the current folder and as the temporary folder of the libraries, so that
    whatever they write goes inside it; yields its path."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "tmp").mkdir()
        (folder / "victim").mkdir()
        (folder / "victim" / "kept.txt").write_text("kept")
        (folder / "precious.txt").write_text("precious")
        before, cwd = tempfile.tempdir, os.getcwd()
        tempfile.tempdir = str(folder / "tmp")
        os.chdir(folder)
        try:
            yield folder
        finally:
            os.chdir(cwd)
            tempfile.tempdir = before


def refused_or_done(result) -> None:
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        assert result.stderr.startswith("trajectories: error: ") and result.stderr.count("\n") == 1, result.stderr


@PROPERTY
@given(documents)
def test_a_toml_document_is_listed_described_and_rendered_without_running_anything(document):
    text = to_toml(document)
    forbidden = named_modules(document)
    loaded = forbidden & set(sys.modules)
    with stranger_folder() as folder:
        (folder / "scene.toml").write_text(text, encoding="utf-8")
        with recording(folder, forbidden - loaded) as oracle:
            for command in (["list", "scene.toml"], ["describe", "scene.toml"], ["render", "scene.toml", "-j", "1",
                                                                                  "-q"]):
                result = CliRunner().invoke(cli, command)
                assert oracle.events == [], (oracle.events, text)
                refused_or_done(result)
                event(f"{command[0]}: exit {result.exit_code}")
        assert (folder / "precious.txt").read_text() == "precious"
        assert (folder / "victim" / "kept.txt").read_text() == "kept"
        assert not (folder / "ran.txt").exists()
    assert not (folder.parent / "escaped.gif").exists() and not (folder.parent / "outside.txt").exists()


# --- a directive's inline TOML, in a real Sphinx build -----------------------------------------------------



def _directive(document) -> str:
    body = "\n".join("   " + line for line in to_toml(document).splitlines())
    return f".. trajectories::\n   :size: 64x64\n   :frames: 2\n\n{body}\n"


SYSTEM = {"surface": "sphere",
          "optimizers": [{"name": "optax:os.system", "hyperparameters": {"command": "id > ran.txt"}}]}
"""The issue's directive: its inline TOML ran a command, and the build succeeded with a warning."""


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(documents, min_size=3, max_size=3))
@example([SYSTEM, {**SYSTEM, "optimizers": [{"name": "torch:this.x"}]}, {"surface": "sphere", "optimizers": [
    {"name": "optax:shutil.rmtree", "hyperparameters": {"path": "victim"}}]}])
def test_inline_toml_in_a_real_sphinx_build_never_runs_anything(bodies):
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    forbidden = set().union(*(named_modules(document) for document in bodies))
    loaded = forbidden & set(sys.modules)
    page = "Page\n====\n\n" + "\n".join(_directive(document) for document in bodies)
    with stranger_folder() as folder:
        source = folder / "docs"
        source.mkdir()
        (source / "conf.py").write_text('extensions = ["trajectories.sphinxext"]\n')
        (source / "index.rst").write_text(page, encoding="utf-8")
        with recording(folder, forbidden - loaded) as oracle, patch_docutils(source), docutils_namespace():
            app = Sphinx(str(source), str(source), str(folder / "html"), str(folder / "doctrees"), "html",
                         status=None, warning=None, freshenv=True)
            app.build()
            assert oracle.events == [], (oracle.events, page)
        assert app.statuscode == 0
        assert (folder / "html" / "index.html").is_file()  # the build went on, whatever the directives said
        assert (folder / "precious.txt").read_text() == "precious" and not (folder / "ran.txt").exists()


# --- files in the tune cache -------------------------------------------------------------------------------

JSON_VALUES = st.recursive(st.one_of(st.none(), st.booleans(), st.floats(), st.integers(), st.text(max_size=5)),
                           lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                   st.dictionaries(st.sampled_from(["lr", "key", "x"]), inner,
                                                                   max_size=3)), max_leaves=8)
CACHE_FILES = st.one_of(
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    st.lists(st.one_of(st.floats(), st.integers(), st.text(max_size=3)), max_size=3).map(
        lambda rates: json.dumps({"lr": rates}).encode()),
    st.sampled_from([b"", b"\xff\xfe", b"[" * 100_000, b'{"lr": [1e308, -1]}', b'{"lr": [NaN, Infinity]}',
                     b'{"lr": [0.01, 0.02]}' + b" " * 70_000, "fifo", "folder", "link"]),
)
TUNED = 'surface = "sphere"\nsteps = 4\n[[optimizers]]\nname = "sgd"\n[[optimizers]]\nname = "adam"\n' \
        '[view]\nsize = [64, 64]\nframes = 2\n'


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(CACHE_FILES)
@example(b"[" * 100_000)
def test_a_tune_cache_file_only_ever_gives_finite_rates(content):
    from trajectories.compute.tune import Budget, parse_metric, parse_param
    from trajectories.pipeline.tune_cache import DEFAULT_METRIC, DEFAULT_SPACE, DEFAULT_TRIALS, cache_key
    from trajectories.scene import load_toml_scene

    with stranger_folder() as folder:
        (folder / "tuned.toml").write_text(TUNED)
        (scene,) = load_toml_scene(folder / "tuned.toml").values()
        key = cache_key(scene, parse_param(DEFAULT_SPACE), Budget(DEFAULT_TRIALS), parse_metric(DEFAULT_METRIC))
        cache = folder / "cache"
        cache.mkdir()
        path = cache / f"{scene.name}-{key[:24]}.json"
        if content == "fifo":
            os.mkfifo(path)
        elif content == "folder":
            path.mkdir()
        elif content == "link":
            (folder / "elsewhere.json").write_text('{"lr": [0.5, 0.25]}')
            path.symlink_to(folder / "elsewhere.json")
        else:
            path.write_bytes(content)
        with recording(folder, ()) as oracle, _environment(TRAJECTORIES_CACHE=str(cache)):
            result = CliRunner().invoke(cli, ["render", "tuned.toml", "--tune", "-o", "out.gif", "-q"])
            assert oracle.events == [], oracle.events
        refused_or_done(result)
        assert result.exit_code == 0, result.stderr  # a bad cache file is recomputed, never an error
        if content == "link":
            assert (folder / "elsewhere.json").read_text() == '{"lr": [0.5, 0.25]}'  # never written through


@contextlib.contextmanager
def _environment(**values):
    before = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
