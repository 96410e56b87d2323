"""Surfaces from autodiff functions (``Surface.from_torch``, ``Surface.from_jax``) against our analytic
surfaces, whose gradients tests/test_surfaces.py checks against central differences; and scenes that use
them, with pytorch-optimizer classes, rendered end to end."""

import json
import sys

import numpy as np
import pytest

from trajectories.errors import FormulaError
from trajectories.surfaces.analytic import Surface
from trajectories.surfaces.catalogue import get_surface

from .adapter_support import require

GRID = np.meshgrid(np.linspace(-4.5, 4.5, 13), np.linspace(-4.5, 4.5, 11))


def himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def check_against(surface, reference):
    points = np.stack(GRID, axis=-1)
    np.testing.assert_allclose(surface.f(points), reference.f(points), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(surface.grad(points), reference.grad(points), rtol=1e-12, atol=1e-12)


def test_from_torch_matches_the_analytic_surfaces():
    torch = require("torch")
    check_against(Surface.from_torch(himmelblau, window=(-5, 5, -5, 5)), get_surface("himmelblau"))
    peaks = Surface.from_torch(
        lambda x, y: 3 * (1 - x) ** 2 * torch.exp(-(x**2) - (y + 1) ** 2)
        - 10 * (x / 5 - x**3 - y**5) * torch.exp(-(x**2) - y**2) - torch.exp(-((x + 1) ** 2) - y**2) / 3,
        window=(-3, 3, -3, 3))
    check_against(peaks, get_surface("peaks"))


def test_from_jax_matches_the_analytic_surfaces():
    require("optax")
    import jax.numpy as jnp

    check_against(Surface.from_jax(himmelblau, window=(-5, 5, -5, 5)), get_surface("himmelblau"))
    rastrigin = Surface.from_jax(lambda x, y: 20 + x**2 - 10 * jnp.cos(2 * jnp.pi * x) + y**2
                                 - 10 * jnp.cos(2 * jnp.pi * y), window=(-5.12, 5.12, -5.12, 5.12))
    check_against(rastrigin, get_surface("rastrigin"))


def test_details_minima_and_defaults():
    require("torch")
    surface = Surface.from_torch(lambda x, y: (x**2 - 1) ** 2 + y**2 + 0.25 * x, window=(-2, 2, -1, 1),
                                 name="tilted_wells", minima=[(-1.0312, 0.0), (0.9661, 0.0)])
    assert surface.name == "tilted_wells" and surface.window == (-2.0, 2.0, -1.0, 1.0)
    assert surface.start == (1.0, 0.5)  # three quarters of the way to the upper right corner
    assert [p.kind for p in surface.critical_points] == ["global", "local"]  # the left well is lower (the tilt)
    assert surface.critical_points[0].value == pytest.approx(((-1.0312) ** 2 - 1) ** 2 - 0.25 * 1.0312)
    constant_in_y = Surface.from_torch(lambda x, y: x**2, window=(-1, 1, -1, 1))
    np.testing.assert_array_equal(constant_in_y.grad(np.array([0.5, 0.7])), [1.0, 0.0])
    assert Surface.from_torch(lambda x, y: x * 0 + 3.0, window=(-1, 1, -1, 1)).grad(np.zeros(2)).tolist() == [0, 0]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"window": (1, -1, 0, 1)}, "window must have x0 < x1"),
    ({"window": "big"}, "window must be (x0, x1, y0, y1)"),
])
def test_bad_windows_are_one_line(kwargs, message):
    require("torch")
    with pytest.raises(FormulaError) as caught:
        Surface.from_torch(himmelblau, **kwargs)
    assert message in str(caught.value)


def test_a_function_that_raises_or_has_no_finite_value():
    require("torch")
    with pytest.raises(FormulaError, match=r"the function raised AttributeError: 'Tensor' object has no attribute"):
        Surface.from_torch(lambda x, y: x.no_such_method(), window=(-1, 1, -1, 1))
    with pytest.raises(FormulaError, match="no finite value in the window"):
        Surface.from_torch(lambda x, y: x / 0.0 * 0.0, window=(-1, 1, -1, 1))


SCENE_FILE = '''
import torch
import pytorch_optimizer
from trajectories.scene import Racer, Scene
from trajectories.core.spec import AdapterSpec
from trajectories.surfaces.analytic import Surface

bowl = Surface.from_torch(lambda x, y: (x**2 + y - 11)**2 + (x + y**2 - 7)**2, window=(-5, 5, -5, 5),
                          name="himmelblau_torch", minima=[(3, 2)])
new_optimizers = Scene(
    "new_optimizers", bowl,
    ["torch:pytorch_optimizer.AdaBelief:lr=0.1", "torch:pytorch_optimizer.DiffGrad:lr=0.1",
     "torch:pytorch_optimizer.AdaBound:lr=0.1", Racer(AdapterSpec.of(pytorch_optimizer.AdEMAMix, lr=0.1), "AdEMAMix")],
    start=[(0.5, 0.5), (-0.25, -0.85)], steps=40)
'''


def test_pytorch_optimizer_classes_render_end_to_end(tmp_path, invoke):
    require("pytorch_optimizer")
    scene_file = tmp_path / "mine.py"
    scene_file.write_text(SCENE_FILE)
    gif, paths = tmp_path / "new.gif", tmp_path / "new.json"
    result = invoke("render", f"{scene_file}:new_optimizers", "-o", str(gif), "--paths", str(paths),
                    "--frames", "6", "--size", "240x180", "-q")
    assert result.exit_code == 0, result.output
    from PIL import Image

    with Image.open(gif) as image:
        assert image.n_frames == 6 and image.size == (240, 180)
    document = json.loads(paths.read_text())
    records = document["trajectories"]
    assert {record["optimizer"] for record in records} == {
        "torch:pytorch_optimizer.AdaBelief", "torch:pytorch_optimizer.DiffGrad", "torch:pytorch_optimizer.AdaBound",
        "torch:pytorch_optimizer.optimizer.ademamix.AdEMAMix"}
    assert len(records) == 8  # 4 optimizers x 2 starts
    for record in records:  # each one went downhill on Himmelblau, from 144 and 182
        assert record["loss"][-1] < 0.1 * record["loss"][0], record["optimizer"]


def test_scenes_that_run_jax_are_not_forked():
    require("optax")
    import jax.numpy as jnp

    from trajectories.scene import Scene
    from trajectories.support.processes import fork_is_safe

    plain = Scene("plain", "sphere", ["adam:lr=0.1"], start=(1.0, 1.0), steps=3)
    with_optax = Scene("optax", "sphere", ["adam", "optax:optax.adam:learning_rate=0.1"], start=(1.0, 1.0), steps=3)
    jax_surface = Surface.from_jax(lambda x, y: jnp.cos(x) + y**2, window=(-1, 1, -1, 1))
    on_jax = Scene("on_jax", jax_surface, ["adam:lr=0.1"], start=(0.5, 0.5), steps=3)
    assert "jax" in sys.modules and fork_is_safe(plain)  # JAX imported, but this scene never calls it
    assert not fork_is_safe(plain, with_optax) and not fork_is_safe(on_jax)


def test_autodiff_surfaces_have_no_portable_form_and_are_not_called_exact():
    """torch computes them, so neither portable arithmetic nor numpy's exactness check can vouch for them."""
    require("torch")
    from trajectories.compute.paths import compute_paths
    from trajectories.core.portable import PortableArithmeticError, exact_in_numpy
    from trajectories.scene import Scene

    bowl = Surface.from_torch(lambda x, y: x**2 + y**2, window=(-2, 2, -2, 2))
    assert not exact_in_numpy(bowl)  # the same formula from numpy is exact: the adapter cannot say so
    scene = Scene("p", bowl, ["adam:lr=0.1"], start=(1.0, 1.0), steps=3, arithmetic="portable")
    with pytest.raises(PortableArithmeticError, match="has no portable arithmetic"):
        compute_paths(scene)
