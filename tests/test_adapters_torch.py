"""The torch adapter against our own rules: each of the 11 rules, run through a torch class by the
adapter, follows the same path to 1e-12 relative on Rosenbrock and Himmelblau over 200 steps (our rules
are checked against torch itself in test_optimizers.py; here the adapter is what is tested)."""

import numpy as np
import pytest

from trajectories.compute.run import run
from trajectories.core.spec import AdapterSpec, OptimizerSpec, SpecError, parse_optimizer
from trajectories.surfaces.catalogue import get_surface

from .adapter_support import require

STEPS = 200
# two starts each, so that the vectorised adapter moves several starts at once
STARTS = {"rosenbrock": [[-1.5, 2.0], [1.5, 2.5]], "himmelblau": [[-0.25, -0.85], [0.5, 0.5]]}
# (our spec, the torch spec it must equal, lr on Rosenbrock, lr on Himmelblau): rates at which every path
# moves and none diverges. Paths that amplify last-bit differences are avoided: the two sides round in
# another order, and e.g. centred RMSProp with momentum on Rosenbrock at lr 1e-3 departs by 1e-8 after
# 200 steps (as our own reproducibility horizons would report).
RULES = [
    ("sgd:lr={lr}", "torch:torch.optim.SGD:lr={lr}", 1e-3, 1e-2),
    ("sgd:lr={lr},momentum=0.9,nesterov=true", "torch:torch.optim.SGD:lr={lr},momentum=0.9,nesterov=true",
     1e-4, 1e-2),
    # the article's momentum v <- 0.9v + 0.1g, step lr*v, is torch's SGD with lr 0.1*lr (see its docstring)
    ("ema_momentum:lr={lr},beta=0.9", "torch:torch.optim.SGD:lr={lr_tenth},momentum=0.9", 1e-3, 1e-2),
    ("adagrad:lr={lr},initial_accumulator_value=0.1", "torch:torch.optim.Adagrad:lr={lr},initial_accumulator_value=0.1",
     0.5, 0.5),
    ("adadelta:lr={lr},rho=0.8", "torch:torch.optim.Adadelta:lr={lr},rho=0.8", 0.5, 0.1),
    ("rmsprop:lr={lr},alpha=0.9,momentum=0.5,centered=true",
     "torch:torch.optim.RMSprop:lr={lr},alpha=0.9,momentum=0.5,centered=true", 1e-4, 1e-2),
    ("adam:lr={lr},beta2=0.99,amsgrad=true", "torch:torch.optim.Adam:lr={lr},betas=(0.9,0.99),amsgrad=true", 0.1, 0.05),
    ("adamw:lr={lr},weight_decay=0.1", "torch:torch.optim.AdamW:lr={lr},weight_decay=0.1", 1e-2, 0.1),
    ("adamax:lr={lr}", "torch:torch.optim.Adamax:lr={lr}", 0.5, 0.1),
    ("nadam:lr={lr},momentum_decay=0.01", "torch:torch.optim.NAdam:lr={lr},momentum_decay=0.01", 0.1, 1e-2),
    ("radam:lr={lr}", "torch:torch.optim.RAdam:lr={lr}", 1e-3, 0.05),
    # torch has no Lion: pytorch-optimizer's (a torch.optim.Optimizer, run one instance per start), with the
    # decoupled weight decay of Chen et al.'s Algorithm 2, which ours follows
    ("lion:lr={lr},beta1=0.9,beta2=0.99,weight_decay=0.1",
     "torch:pytorch_optimizer.Lion:lr={lr},betas=(0.9,0.99),weight_decay=0.1,weight_decouple=true", 0.05, 0.05),
]


def test_the_table_covers_all_eleven_rules():
    from trajectories.core import optimizers

    assert {rule[0].partition(":")[0] for rule in RULES} == set(optimizers.OPTIMIZERS)
    assert len(optimizers.OPTIMIZERS) == 11


@pytest.mark.parametrize("surface_name", list(STARTS))
@pytest.mark.parametrize(("ours", "theirs", "lr_rosenbrock", "lr_himmelblau"), RULES,
                         ids=[f"{i}-{rule[0].partition(':')[0]}" for i, rule in enumerate(RULES)])
def test_torch_classes_through_the_adapter_follow_our_rules(surface_name, ours, theirs, lr_rosenbrock, lr_himmelblau):
    require("torch")
    if "pytorch_optimizer" in theirs:
        require("pytorch_optimizer")
    lr = lr_rosenbrock if surface_name == "rosenbrock" else lr_himmelblau
    values = {"lr": repr(lr), "lr_tenth": repr(lr * (1 - 0.9))}
    surface = get_surface(surface_name)
    expected = run(surface, parse_optimizer(ours.format(**values)).build(), STARTS[surface_name], STEPS)
    adapted = run(surface, parse_optimizer(theirs.format(**values)).build(), STARTS[surface_name], STEPS)
    assert not expected.diverged.any()
    assert np.abs(expected.positions[-1] - expected.positions[0]).max() > 0.05  # the race went somewhere
    np.testing.assert_allclose(adapted.positions, expected.positions, rtol=1e-12, atol=0)


def test_vectorised_only_for_torchs_element_wise_classes():
    require("torch")
    import torch

    from trajectories.adapters.torch_optim import is_elementwise, needs_closure

    assert is_elementwise(torch.optim.Adam) and is_elementwise(torch.optim.SGD)
    assert not is_elementwise(torch.optim.LBFGS) and not is_elementwise(torch.optim.Adafactor)
    assert not is_elementwise(type("MyAdam", (torch.optim.Adam,), {}))  # a subclass may change the rule
    assert needs_closure(torch.optim.LBFGS) and not needs_closure(torch.optim.Adam)


def test_lbfgs_runs_one_instance_per_start_with_closures():
    """L-BFGS on the quadratic ½(x² + 10y²) with exact line search is Newton-like: it reaches the minimum in
    a few steps from each start, and each start's path is the one it takes alone."""
    require("torch")
    from trajectories.surfaces.formula import formula_surface

    surface = formula_surface("0.5*(x**2 + 10*y**2)", (-3, 3, -3, 3))
    spec = parse_optimizer("torch:torch.optim.LBFGS:lr=1,max_iter=5,line_search_fn=strong_wolfe")
    together = run(surface, spec.build(), [[2.0, 1.0], [-1.0, -2.5]], 4)
    alone = run(surface, spec.build(), [[-1.0, -2.5]], 4)
    np.testing.assert_array_equal(together.positions[:, 1], alone.positions[:, 0])
    np.testing.assert_allclose(together.positions[-1], 0.0, atol=1e-5)  # its tolerance_grad stops it at 1e-7
    assert np.abs(together.positions[1] - together.positions[0]).min() > 0.1  # it moved at step 1


def test_lbfgs_in_a_basin_map_reaches_the_ends_of_its_full_paths():
    """The streaming reduction (basin maps, ``run --reduce``) gives L-BFGS its closure as the full runner
    does: the same end points, step for step the same arithmetic."""
    require("torch")
    from trajectories.compute.basins import reduce_paths

    surface = get_surface("himmelblau")
    spec = parse_optimizer("torch:torch.optim.LBFGS:lr=0.5,max_iter=3")
    starts = np.array([[0.5, 0.5], [-1.0, 2.0], [2.0, -2.5]])
    reduced = reduce_paths(surface, spec.build(), starts, 6)
    full = run(surface, spec.build(), starts, 6)
    np.testing.assert_array_equal(reduced.final, full.positions[-1])


def test_lbfgs_one_iteration_matches_its_two_loop_recursion():
    """With max_iter=1 and no line search, L-BFGS takes one gradient per step: the first step is
    -lr·min(1, 1/‖g‖₁)·g, later ones the two-loop recursion (checked here on its first step)."""
    require("torch")
    surface = get_surface("himmelblau")
    start = np.array([0.5, 0.5])
    path = run(surface, parse_optimizer("torch:torch.optim.LBFGS:lr=0.5,max_iter=1").build(), start, 1)
    g = surface.grad(start)
    np.testing.assert_allclose(path.positions[1], start - 0.5 * min(1.0, 1.0 / np.abs(g).sum()) * g, rtol=1e-14)


def test_spec_text_round_trips_and_ints_become_floats_where_torch_defaults_are_floats():
    require("torch")
    spec = parse_optimizer("torch:torch.optim.Adam:lr=1,betas=(0.9,0.99),amsgrad=true")
    assert dict(spec.params) == {"lr": 1.0, "betas": (0.9, 0.99), "amsgrad": True}
    assert isinstance(spec.params["lr"], float)
    again = parse_optimizer(spec.to_text())
    assert (again.name, again.params) == (spec.name, spec.params)
    assert again.to_text() == "torch:torch.optim.Adam:lr=1.0,betas=(0.9,0.99),amsgrad=true"


def test_a_class_passed_directly_and_clipping_keys():
    require("torch")
    import torch

    direct = AdapterSpec.of(torch.optim.SGD, lr=0.1, clip_norm=1.0)
    assert direct.name == "torch:torch.optim.sgd.SGD" and dict(direct.params) == {"lr": 0.1, "clip_norm": 1.0}
    path = run(get_surface("sphere"), direct.build(), [3.0, 4.0], 1)  # g = (6, 8), clipped to norm 1
    np.testing.assert_allclose(path.positions[1], [3.0 - 0.1 * 0.6, 4.0 - 0.1 * 0.8], rtol=1e-15)


def test_a_scene_racer_takes_the_class_itself():
    torch = require("torch")
    from trajectories.scene import Racer, Scene

    racer = Racer(torch.optim.Adagrad, "AdaGrad")
    assert racer.spec.name == "torch:torch.optim.adagrad.Adagrad" and racer.legend_text() == "AdaGrad"
    scene = Scene("s", "sphere", [torch.optim.SGD], start=(1.0, 1.0), steps=2)
    assert scene.optimizers[0].spec.name == "torch:torch.optim.sgd.SGD"


def test_toml_lists_are_tuples():
    require("torch")
    from trajectories.core.spec import make_spec

    spec = make_spec("torch:torch.optim.Adam", {"lr": 0.1, "betas": [0.8, 0.9]})
    assert spec.params["betas"] == (0.8, 0.9)
    assert isinstance(make_spec("adam", {"lr": 0.1}), OptimizerSpec)


@pytest.mark.parametrize(("text", "message"), [
    ("torch:no_such_module.Opt", "module 'no_such_module' does not import"),
    ("torch:torch.optim.NoSuch", "torch.optim has no attribute 'NoSuch'"),
    ("torch:torch.nn.Linear", "is not a torch.optim.Optimizer subclass"),
    ("torch:torch.optim.SGD:lr=0.1,mometum=0.9", "SGD() takes no keyword 'mometum'"),
    ("torch:pytorch_optimizer.Lion:lrr=0.1", "Lion() takes no keyword 'lrr'"),  # its **kwargs would swallow it
    ("torch:torch.optim.SGD:lr=-1", "SGD(...) raised ValueError: Invalid learning rate"),
    ("torch:torch.optim.SparseAdam", "the first step raised RuntimeError"),  # dense gradients
    ("torch:torch.optim.SGD:lr=(0.1", "unclosed parenthesis"),
    ("torch:", "needs a dotted name"),
])
def test_bad_torch_specs_are_one_line(text, message):
    require("torch")
    require("pytorch_optimizer")
    with pytest.raises(SpecError, match=None) as caught:
        parse_optimizer(text)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_without_torch_one_line_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails, as without the extra
    with pytest.raises(SpecError, match=r"pip install 'trajectories\[torch\]'"):
        parse_optimizer("torch:torch.optim.SGD:lr=0.1")


def test_toml_scene_files_take_adapter_names(tmp_path):
    require("torch")
    from trajectories.errors import SceneError
    from trajectories.scene import load_toml_scene

    text = '''name = "race"
surface = "himmelblau"
start = [0.5, 0.5]
steps = 20

[[optimizers]]
name = "torch:torch.optim.Adam"
hyperparameters = { lr = 0.1, betas = [0.9, 0.99] }
'''
    (tmp_path / "race.toml").write_text(text)
    scene = load_toml_scene(tmp_path / "race.toml")["race"]
    assert scene.optimizers[0].spec.params == {"lr": 0.1, "betas": (0.9, 0.99)}
    (tmp_path / "bad.toml").write_text(text.replace("lr = 0.1", "lrr = 0.1"))
    with pytest.raises(SceneError, match=r"optimizers\[0\]\.hyperparameters\.lrr: .*Adam\(\) takes no keyword 'lrr'"):
        load_toml_scene(tmp_path / "bad.toml")
