"""Plugins: fake distributions (a ``*.dist-info`` folder with ``entry_points.txt`` and a module beside
it, on ``sys.path``) whose optimizers, surfaces and scenes show in the listings and work in ``render``;
names claimed twice are errors that name both distributions."""

import sys
import textwrap

import numpy as np
import pytest

from trajectories.compute.run import run
from trajectories.core.spec import parse_optimizer
from trajectories.support.plugins import PluginError
from trajectories.surfaces.catalogue import get_surface, resolve_surface

PLUGIN_MODULE = '''
from trajectories.scene import Scene
from trajectories.surfaces.analytic import Surface
from trajectories.core.transforms import chain, scale_by_learning_rate, GradientTransformation, EmptyState
import numpy as np


def scale_by_sign():
    return GradientTransformation(lambda params: EmptyState(), lambda g, state, params: (np.sign(g), state))


def signsgd(lr: float = 0.01):
    """Sign descent: theta <- theta - lr * sign(g)."""
    return chain(scale_by_sign(), scale_by_learning_rate(lr))


def tilted_bowl():
    return Surface("tilted_bowl", "x^2 + 2y^2 + x", "a bowl whose minimum is off the origin",
                   lambda x, y: x**2 + 2 * y**2 + x, lambda x, y: (2 * x + 1, 4 * y),
                   (-2.0, 2.0, -2.0, 2.0), (1.5, 1.5))


sign_race = Scene("sign_race", "tilted_bowl", ["signsgd:lr=0.05", "adam:lr=0.1"], start=(1.5, 1.5), steps=20,
                  description="sign descent against Adam on a tilted bowl")
'''


def fake_distribution(folder, name, entry_points, module=None):
    """A distribution ``name`` 1.0 in ``folder`` as an installer leaves it: METADATA and entry_points.txt
    in ``name-1.0.dist-info``, and its module ``module`` beside it."""
    info = folder / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    if module:
        (folder / f"{module}.py").write_text(PLUGIN_MODULE)


@pytest.fixture
def plugin_path(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [name for name in sys.modules if name.startswith("fake_plugin")]:
        del sys.modules[name]


@pytest.fixture
def one_plugin(plugin_path):
    fake_distribution(plugin_path, "fake_plugin_pkg", """
        [trajectories.optimizers]
        signsgd = fake_plugin_mod:signsgd
        [trajectories.surfaces]
        tilted_bowl = fake_plugin_mod:tilted_bowl
        [trajectories.scenes]
        races = fake_plugin_mod
    """, module="fake_plugin_mod")
    return plugin_path


def test_a_plugin_optimizer_and_surface_work_as_built_in_ones(one_plugin):
    surface = resolve_surface("tilted_bowl")
    path = run(surface, parse_optimizer("signsgd:lr=0.25").build(), [1.0, -1.0], 2)
    # sign descent moves each coordinate by exactly lr against the sign of its gradient: (3, -4) then (2, -2)
    np.testing.assert_array_equal(path.positions, [[1.0, -1.0], [0.75, -0.75], [0.5, -0.5]])
    assert get_surface("tilted_bowl").f(np.array([-0.5, 0.0])) == -0.25


def test_plugins_show_in_the_listings(one_plugin, invoke):
    assert "signsgd: Sign descent" in invoke("optimizers").output
    assert "tilted_bowl" in invoke("surfaces").output
    listed = invoke("list").output
    assert "sign descent against Adam on a tilted bowl" in next(line for line in listed.splitlines()
                                                                if line.startswith("sign_race "))
    assert listed.index("sign_race") > listed.index("rosenbrock")  # after the built-in scenes


def test_a_plugin_scene_renders_by_its_name(one_plugin, invoke, tmp_path):
    out = tmp_path / "sign.gif"
    result = invoke("render", "sign_race", "-o", str(out), "--frames", "5", "--size", "160x120", "-q")
    assert result.exit_code == 0, result.output
    from PIL import Image

    with Image.open(out) as image:
        assert image.n_frames == 5 and image.size == (160, 120)


def test_an_adhoc_render_with_plugin_names(one_plugin, invoke, tmp_path):
    out = tmp_path / "adhoc.json"
    result = invoke("run", "--surface", "tilted_bowl", "--optimizer", "signsgd:lr=0.5", "--start", "1,1",
                    "--steps", "2", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert '"optimizer": "signsgd"' in out.read_text()


def test_two_plugins_claiming_one_name_name_both_distributions(one_plugin, invoke):
    fake_distribution(one_plugin, "other_plugin_pkg", """
        [trajectories.optimizers]
        signsgd = fake_plugin_mod:signsgd
    """)
    with pytest.raises(PluginError, match="two plugin packages declare the optimizer 'signsgd': "):
        parse_optimizer("signsgd")
    result = invoke("optimizers")
    assert result.exit_code == 2
    assert "fake_plugin_pkg 1.0" in result.output and "other_plugin_pkg 1.0" in result.output


def test_a_plugin_claiming_a_built_in_name_is_refused(plugin_path, invoke):
    fake_distribution(plugin_path, "fake_plugin_rival", """
        [trajectories.surfaces]
        rosenbrock = fake_plugin_mod:tilted_bowl
    """, module="fake_plugin_mod")
    result = invoke("surfaces")
    assert result.exit_code == 2
    assert "surface 'rosenbrock' of the plugin package fake_plugin_rival 1.0 clashes with the built-in" in result.output


def test_two_plugins_with_one_scene_name(one_plugin, invoke):
    fake_distribution(one_plugin, "fake_plugin_twin", """
        [trajectories.scenes]
        same = fake_plugin_mod:sign_race
    """)
    result = invoke("list")
    assert result.exit_code == 2
    assert "scene 'sign_race'" in result.output
    assert "fake_plugin_pkg 1.0" in result.output and "fake_plugin_twin 1.0" in result.output


def test_a_plugin_that_does_not_load_is_one_line(plugin_path, invoke):
    fake_distribution(plugin_path, "fake_plugin_broken", """
        [trajectories.optimizers]
        broken = fake_plugin_missing_module:rule
    """)
    result = invoke("run", "--surface", "sphere", "--optimizer", "broken", "--start", "1,1", "--steps", "2")
    assert result.exit_code == 2
    assert "optimizer plugin 'broken' of fake_plugin_broken 1.0 (fake_plugin_missing_module:rule) does not load" \
        in result.output
