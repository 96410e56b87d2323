"""The optax adapter against our own rules, to 1e-9 over 200 steps on Rosenbrock and Himmelblau, with the
conventions that differ between optax and torch (which ours follow) set to agree; see
:mod:`trajectories.adapters.optax_optim` for the list."""

import numpy as np
import pytest

from trajectories.compute.run import run
from trajectories.core.spec import SpecError, parse_optimizer
from trajectories.surfaces.catalogue import get_surface

from .adapter_support import require

STEPS = 200
STARTS = {"rosenbrock": [[-1.5, 2.0], [1.5, 2.5]], "himmelblau": [[-0.25, -0.85], [0.5, 0.5]]}
RULES = [
    # (ours, optax's, lr on Rosenbrock, lr on Himmelblau)
    ("adam:lr={lr},beta1=0.8,beta2=0.99", "optax:optax.adam:learning_rate={lr},b1=0.8,b2=0.99", 0.1, 0.05),
    # optax's momentum is torch's heavy ball, v <- βv + g, step -lr·v
    ("sgd:lr={lr},momentum=0.9", "optax:optax.sgd:learning_rate={lr},momentum=0.9", 1e-3, 1e-2),
    ("sgd:lr={lr},momentum=0.9,nesterov=true", "optax:optax.sgd:learning_rate={lr},momentum=0.9,nesterov=true",
     1e-4, 1e-2),
    # optax's RMSProp: decay (torch's alpha) 0.9 by default, and ε inside the square root unless eps_in_sqrt=false
    ("rmsprop:lr={lr},alpha=0.9,eps=1e-8",
     "optax:optax.rmsprop:learning_rate={lr},decay=0.9,eps=1e-8,eps_in_sqrt=false", 1e-3, 1e-2),
    # ε inside the square root is also one of ours: TensorFlow 1's convention
    ("rmsprop:lr={lr},alpha=0.9,eps=1e-6,eps_inside_sqrt=true",
     "optax:optax.rmsprop:learning_rate={lr},decay=0.9,eps=1e-6", 1e-3, 1e-2),
    # optax's AdaGrad starts its sum at 0.1 and divides by sqrt(G + ε) (torch: G from 0, sqrt(G) + ε): equal for
    # the same start value and ε = 0
    ("adagrad:lr={lr},initial_accumulator_value=0.1,eps=0",
     "optax:optax.adagrad:learning_rate={lr},initial_accumulator_value=0.1,eps=0", 0.5, 0.5),
]


@pytest.mark.parametrize("surface_name", list(STARTS))
@pytest.mark.parametrize(("ours", "theirs", "lr_rosenbrock", "lr_himmelblau"), RULES,
                         ids=[f"{i}-{rule[0].partition(':')[0]}" for i, rule in enumerate(RULES)])
def test_optax_through_the_adapter_follows_our_rules(surface_name, ours, theirs, lr_rosenbrock, lr_himmelblau):
    require("optax")
    lr = repr(lr_rosenbrock if surface_name == "rosenbrock" else lr_himmelblau)
    surface = get_surface(surface_name)
    expected = run(surface, parse_optimizer(ours.format(lr=lr)).build(), STARTS[surface_name], STEPS)
    adapted = run(surface, parse_optimizer(theirs.format(lr=lr)).build(), STARTS[surface_name], STEPS)
    assert not expected.diverged.any()
    assert np.abs(expected.positions[-1] - expected.positions[0]).max() > 0.05
    np.testing.assert_allclose(adapted.positions, expected.positions, rtol=1e-9, atol=0)


def test_the_conventions_differ_where_the_docs_say():
    """Left at optax's defaults, RMSProp's ε inside the root and AdaGrad's accumulator start give other
    first steps than ours: g/sqrt(0.1g² + ε) instead of g/(sqrt(0.1g²) + ε)."""
    require("optax")
    surface, start = get_surface("himmelblau"), np.array([0.5, 0.5])
    g = surface.grad(start)
    first = run(surface, parse_optimizer("optax:optax.rmsprop:learning_rate=0.01,eps=0.01").build(), start, 1)
    np.testing.assert_allclose(first.positions[1], start - 0.01 * g / np.sqrt(0.1 * g**2 + 0.01), rtol=1e-14)
    ada = run(surface, parse_optimizer("optax:optax.adagrad:learning_rate=0.1").build(), start, 1)
    np.testing.assert_allclose(ada.positions[1], start - 0.1 * g / np.sqrt(0.1 + g**2 + 1e-7), rtol=1e-14)


def test_a_transformation_that_is_not_element_wise_sees_one_start_at_a_time():
    """clip_by_global_norm(1) takes the norm over all leaves: under vmap, each start's own gradient norm."""
    require("optax")
    import optax

    from trajectories.core.spec import AdapterSpec

    def clipped_sgd(learning_rate: float = 0.1):
        return optax.chain(optax.clip_by_global_norm(1.0), optax.sgd(learning_rate))

    starts = np.array([[3.0, 4.0], [0.3, 0.4]])  # sphere gradients (6, 8) and (0.6, 0.8): norms 10 and 1
    path = run(get_surface("sphere"), AdapterSpec.of(clipped_sgd).build(), starts, 1)
    np.testing.assert_allclose(path.positions[1], [[3.0 - 0.06, 4.0 - 0.08], [0.3 - 0.06, 0.4 - 0.08]], rtol=1e-14)


def test_float64_throughout():
    """1 + 1e-12 is 1 in float32: a step of 1e-12 must still move the point."""
    require("optax")
    path = run(get_surface("sphere"), parse_optimizer("optax:optax.sgd:learning_rate=5e-13").build(), [1.0, 1.0], 1)
    np.testing.assert_allclose(path.positions[1], 1.0 - 1e-12, rtol=1e-15)


@pytest.mark.parametrize(("text", "message"), [
    ("optax:optax.adam:lr=0.1", "unexpected keyword argument 'lr'"),
    ("optax:optax.no_such", "optax has no attribute 'no_such'"),
    ("optax:no_such_module.adam", "module 'no_such_module' does not import"),
    ("optax:math.pi", "is not a function that returns an optax GradientTransformation"),
    ("optax:collections.OrderedDict", "not an optax GradientTransformation"),
])
def test_bad_optax_specs_are_one_line(text, message):
    require("optax")
    with pytest.raises(SpecError) as caught:
        parse_optimizer(text)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_without_jax_one_line_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "optax", None)
    with pytest.raises(SpecError, match=r"pip install 'trajectories\[jax\]'"):
        parse_optimizer("optax:optax.adam:learning_rate=0.1")
