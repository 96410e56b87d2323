"""The trust boundary (README, "Security"): code names anything; the command line names the allow-list and
what --allow-module opts into; data (TOML, a directive's TOML) names the allow-list only. Each test tries it
as a stranger would and checks that the side effect did not happen, with the file system or a spy, never
with the code's own word."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from click.testing import CliRunner

from trajectories.cli.main import cli

from .adapter_support import require
from .test_bad_input import assert_refused

SIGN = '''
import torch


class Sign(torch.optim.Optimizer):
    """Sign descent: theta <- theta - lr * sign(g)."""

    def __init__(self, params, lr=0.1):
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                p.add_(torch.sign(p.grad), alpha=-group["lr"])
'''


@pytest.fixture
def my_optimizers(tmp_path, monkeypatch):
    """A module ``my_optimizers`` on ``sys.path`` with a torch optimizer ``Sign``: code the user wrote."""
    require("torch")
    (tmp_path / "my_optimizers.py").write_text(SIGN)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    sys.modules.pop("my_optimizers", None)


def run_json(*args):
    result = CliRunner().invoke(cli, ["run", "--surface", "sphere", "--start", "1,-0.5", "--steps", "2", *args])
    return result


def test_the_command_line_names_a_module_only_with_allow_module(my_optimizers):
    refused = run_json("--optimizer", "torch:my_optimizers.Sign:lr=0.25")
    assert_refused(refused, "to import my_optimizers, add --allow-module my_optimizers")
    assert "my_optimizers" not in sys.modules  # refused before any import
    allowed = run_json("--allow-module", "my_optimizers", "--optimizer", "torch:my_optimizers.Sign:lr=0.25")
    assert allowed.exit_code == 0, allowed.stderr
    import json

    (path,) = json.loads(allowed.stdout)["trajectories"]
    # sign descent on x² + y² from (1, -0.5): each coordinate moves lr = 0.25 against its sign
    assert (path["x"], path["y"]) == ([1.0, 0.75, 0.5], [-0.5, -0.25, 0.0])
    again = run_json("--optimizer", "torch:my_optimizers.Sign")  # the opt-in was for that command only
    assert_refused(again, "add --allow-module my_optimizers")


def test_scene_files_are_data_and_the_opt_in_comes_from_the_command_line(my_optimizers):
    (my_optimizers / "sign.toml").write_text('surface = "sphere"\nsteps = 3\n[[optimizers]]\n'
                                             'name = "torch:my_optimizers.Sign"\n[view]\nsize = [64, 64]\n')
    refused = CliRunner().invoke(cli, ["render", "sign.toml", "-o", "sign.gif"])
    assert_refused(refused, "use a Python scene file, or pass --allow-module my_optimizers on the command line")
    assert not (my_optimizers / "sign.gif").exists() and "my_optimizers" not in sys.modules
    allowed = CliRunner().invoke(cli, ["render", "sign.toml", "-o", "sign.gif", "--allow-module", "my_optimizers",
                                       "-q"])
    assert allowed.exit_code == 0, allowed.stderr
    assert (my_optimizers / "sign.gif").read_bytes()[:6] == b"GIF89a"


def test_python_code_names_anything(my_optimizers):
    (my_optimizers / "scenes.py").write_text(
        "from trajectories.scene import Scene\n"
        "race = Scene('race', 'sphere', ['torch:my_optimizers.Sign:lr=0.25'], start=(1, -0.5), steps=2, "
        "size=(64, 64))\n")
    result = CliRunner().invoke(cli, ["render", "scenes.py", "-o", "race.gif", "-q"])
    assert result.exit_code == 0, result.stderr
    from my_optimizers import Sign

    from trajectories.compute.run import run
    from trajectories.core.spec import AdapterSpec
    from trajectories.surfaces.catalogue import get_surface

    path = run(get_surface("sphere"), AdapterSpec.of(Sign, lr=0.25).build(), np.array([1.0, -0.5]), 2)
    np.testing.assert_array_equal(path.positions, [[1.0, -0.5], [0.75, -0.25], [0.5, 0.0]])


def test_the_kind_is_checked_before_anything_is_built_or_called(workdir_spy, monkeypatch):
    torch = require("torch")
    optax = require("optax")
    built, called = [], []

    class NotAnOptimizer:
        def __init__(self, *args, **kwargs):
            built.append(args)

    def not_optax(**keywords):
        called.append(keywords)

    monkeypatch.setattr(torch.nn, "Spy", NotAnOptimizer, raising=False)
    monkeypatch.setattr(optax, "spy", not_optax, raising=False)
    for name, message in (("torch:torch.nn.Spy", "is not a torch.optim.Optimizer subclass"),
                          ("optax:optax.spy", "may name only functions defined in optax")):
        (workdir_spy / "spy.toml").write_text(f'surface = "sphere"\n[[optimizers]]\nname = "{name}"\n'
                                              "hyperparameters = { lr = 0.1 }\n")
        assert_refused(CliRunner().invoke(cli, ["list", "spy.toml"]), message)
        assert_refused(run_json("--optimizer", f"{name}:lr=0.1"), message)
    assert built == [] and called == []
    # what optax does name is a function defined in optax, partials of one included (optax.nadam)
    assert run_json("--optimizer", "optax:optax.nadam:learning_rate=0.1").exit_code == 0


@pytest.fixture
def workdir_spy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_plugins_packages_are_installed_code_that_data_may_name(tmp_path, monkeypatch):
    require("torch")
    from .test_plugins import fake_distribution

    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    fake_distribution(tmp_path, "fake_sign_pkg", """
        [trajectories.optimizers]
        signsgd = fake_sign_mod:signsgd
    """)
    (tmp_path / "fake_sign_mod.py").write_text(SIGN + "\n\ndef signsgd(lr=0.1):\n    raise NotImplementedError\n")
    (tmp_path / "plugin.toml").write_text('surface = "sphere"\nsteps = 2\n[[optimizers]]\n'
                                          'name = "torch:fake_sign_mod.Sign"\n[view]\nsize = [64, 64]\n')
    try:
        result = CliRunner().invoke(cli, ["render", "plugin.toml", "-o", "p.gif", "-q"])
        assert result.exit_code == 0, result.stderr
    finally:
        sys.modules.pop("fake_sign_mod", None)


def test_allow_module_is_never_read_from_a_scene_file(workdir_spy):
    (workdir_spy / "optin.toml").write_text('surface = "sphere"\nallow_module = ["os"]\nallow-module = "os"\n'
                                            '[[optimizers]]\nname = "optax:os.system"\n'
                                            'hyperparameters = { command = "touch ran.txt" }\n')
    result = CliRunner().invoke(cli, ["render", "optin.toml"])
    assert_refused(result, "allow_module: unknown key")
    assert not (workdir_spy / "ran.txt").exists()


def test_python_m_never_imports_a_module_beside_the_scene_or_in_the_current_folder(tmp_path):
    """``python -m`` puts the current folder first on ``sys.path``: a stranger's evil.py there (or beside
    the scene) must not be imported because the scene names it."""
    (tmp_path / "shared").mkdir()
    for folder in (tmp_path, tmp_path / "shared"):
        (folder / "evil.py").write_text("open('evil_ran.txt', 'w').write('ran')\nclass X: pass\n")
    (tmp_path / "shared" / "t.toml").write_text('surface = "sphere"\n[[optimizers]]\nname = "torch:evil.X"\n')
    for command in (["render", "shared/t.toml"], ["list", "shared/t.toml"]):
        result = subprocess.run([sys.executable, "-m", "trajectories", *command], cwd=tmp_path, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 2 and result.stdout == "", result
        assert result.stderr.count("\n") == 1 and "torch:evil.X: a TOML scene file may name only" in result.stderr
    assert sorted(path.name for path in tmp_path.rglob("*")) == ["evil.py", "evil.py", "shared", "t.toml"]


# --- the Sphinx directive ------------------------------------------------------------------------------------

def _build(source, out):
    from .test_sphinxext import build  # sphinx is in the test extra

    return build(source, out)


def test_a_directive_never_runs_what_its_toml_names(tmp_path):
    from .test_sphinxext import project

    page = textwrap.dedent("""\
        Page
        ====

        .. trajectories::
           :size: 64x64

           surface = "sphere"
           [[optimizers]]
           name = "optax:os.system"
           hyperparameters = { command = "touch ran.txt" }
        """)
    source = project(tmp_path / "docs", {"index.rst": page})
    os.chdir(tmp_path)
    app, warnings = _build(source, tmp_path / "build")
    assert app.statuscode == 0 and "optax:os.system: a directive's TOML may name only optax functions" in warnings
    assert not list(tmp_path.rglob("ran.txt"))


def test_a_directives_toml_is_held_to_the_render_time_of_scene_files(tmp_path):
    """Inline TOML is data like a .toml file (its scene keeps no file name): 23 hours of frames are refused."""
    from .test_sphinxext import project

    page = textwrap.dedent("""\
        Page
        ====

        .. trajectories::

           surface = "himmelblau"
           steps = 99999

           [[optimizers]]
           name = "adam"

           [view]
           size = [4096, 4096]
        """)
    source = project(tmp_path / "docs", {"index.rst": page})
    os.chdir(tmp_path)
    app, warnings = _build(source, tmp_path / "build")
    assert app.statuscode == 0  # a warning, and the build goes on without that animation
    assert "this render would take about 23.3 h (100000 frames of 4096x4096)" in warnings
    assert not list((tmp_path / "build").rglob("*.gif"))


def test_a_directive_reads_scene_files_only_inside_the_documentation(tmp_path):
    from .test_sphinxext import CONF, project

    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "s.py").write_text(
        "open('ran.txt', 'w').write('ran')\nfrom trajectories.scene import Scene\n"
        "s = Scene('s', 'sphere', ['adam'], steps=2, size=(64, 64))\n")
    page = "Page\n====\n\n.. trajectories:: ../elsewhere/s.py\n   :frames: 2\n"
    source = project(tmp_path / "docs", {"index.rst": page})
    os.chdir(tmp_path)
    _, warnings = _build(source, tmp_path / "build")
    assert "../elsewhere/s.py is outside the documentation's source folder" in warnings
    assert not (tmp_path / "ran.txt").exists()  # the script was never run
    (source / "conf.py").write_text(CONF + 'trajectories_scene_folders = ["../elsewhere"]\n')
    _, warnings = _build(source, tmp_path / "build2")
    assert warnings == "" and (tmp_path / "ran.txt").exists()  # conf.py (code) allowed it: the script ran


def test_a_colon_in_a_directive_reference_does_not_reach_a_file_outside_the_documentation(tmp_path):
    """``a:evil.py`` in sphinx-build's folder (and ``b:/evil.py`` through a link ``b:`` out of the source) is a
    file path like any other: resolved from the document and checked against the allowed folders."""
    from .test_sphinxext import project

    script = ("open('ran.txt', 'w').write('ran')\nfrom trajectories.scene import Scene\n"
              "s = Scene('s', 'sphere', ['adam'])\n")
    (tmp_path / "a:evil.py").write_text(script)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "evil.py").write_text(script)
    source = project(tmp_path / "docs", {"index.rst": "Page\n====\n\n.. trajectories:: a:evil.py\n\n"
                                                      ".. trajectories:: b:/evil.py\n\n.. trajectories:: x.pyz\n"})
    (source / "b:").symlink_to(tmp_path / "outside")
    os.chdir(tmp_path)
    _, warnings = _build(source, tmp_path / "build")
    assert "no scene file a:evil.py" in warnings
    assert "outside/evil.py is outside the documentation's source folder" in warnings
    assert "'x.pyz' is neither a scene name nor path.py[:NAME] or path.toml" in warnings
    assert not list(tmp_path.rglob("ran.txt"))  # neither script ran


def test_conf_py_may_opt_in_to_a_module(my_optimizers):
    from .test_sphinxext import CONF, project

    page = ("Page\n====\n\n.. trajectories::\n   :size: 64x64\n   :frames: 2\n\n   surface = \"sphere\"\n"
            "   steps = 2\n   [[optimizers]]\n   name = \"torch:my_optimizers.Sign\"\n")
    source = project(my_optimizers / "docs", {"index.rst": page})
    _, warnings = _build(source, my_optimizers / "build")
    assert "pass --allow-module my_optimizers" in warnings
    (source / "conf.py").write_text(CONF + 'trajectories_allow_modules = ["my_optimizers"]\n')
    _, warnings = _build(source, my_optimizers / "build2")
    assert warnings == ""
