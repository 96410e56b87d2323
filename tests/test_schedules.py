"""Learning-rate schedules against torch's own schedulers (``fixtures/schedules_golden.json``, made by
``fixtures/make_schedule_golden.py`` with ``torch.optim.lr_scheduler``), closed forms, and bad input."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from trajectories.compute.paths import race_trajectories
from trajectories.compute.run import run
from trajectories.core.schedules import KINDS, parse_schedules, schedule_of
from trajectories.core.spec import OptimizerSpec, parse_optimizer
from trajectories.errors import SceneError, SpecError
from trajectories.surfaces.catalogue import get_surface

from .adapter_support import require

GOLDEN = json.loads((Path(__file__).parent / "fixtures" / "schedules_golden.json").read_text())
TOLERANCE = 1e-12


@pytest.mark.parametrize("case", GOLDEN["learning_rates"], ids=lambda case: case["spec"])
def test_learning_rates_match_torch(case):
    spec = parse_optimizer(case["spec"])
    ours = spec.learning_rates(len(case["lr"]))
    np.testing.assert_allclose(ours, case["lr"], rtol=TOLERANCE, atol=TOLERANCE * max(case["lr"]))


@pytest.mark.parametrize("case", GOLDEN["trajectories"], ids=lambda case: case["spec"])
def test_trajectories_match_torch(case):
    spec = parse_optimizer(case["spec"])
    path = run(get_surface(case["surface"]), spec.build(), case["start"], steps=len(case["lr"]))
    expected = np.array(case["positions"])
    np.testing.assert_allclose(path.positions, expected, rtol=TOLERANCE, atol=TOLERANCE * np.abs(expected).max())


def test_golden_fixture_covers_every_schedule():
    named = {parse_optimizer(case["spec"]).schedule.schedules[-1].name for case in GOLDEN["learning_rates"]}
    assert named == set(KINDS)
    chained = [case for case in GOLDEN["learning_rates"] if "@" in case["spec"].split("@", 1)[1]]
    assert len(chained) >= 3


def test_closed_forms():
    """The formulas of torch's documentation, typed in independently."""
    cosine = parse_schedules("cosine:T_max=10,eta_min=0.1")
    assert cosine.rate(1.0, 5) == pytest.approx(0.1 + 0.9 * (1 + math.cos(math.pi / 2)) / 2)
    assert cosine.rate(1.0, 10) == pytest.approx(0.1)
    warmup = parse_schedules("linear:start_factor=0.1,total_iters=10@cosine:T_max=90")
    assert warmup.rate(2.0, 0) == pytest.approx(0.2)
    assert warmup.rate(2.0, 5) == pytest.approx(2.0 * (0.1 + 0.9 * 5 / 10))
    assert warmup.rate(2.0, 10) == 2.0  # the cosine's own step 0
    assert warmup.rate(2.0, 55) == pytest.approx(1.0)  # half-way down the cosine
    restarts = parse_schedules("cosine_warm_restarts:T_0=4,T_mult=2")
    assert [restarts.rate(1.0, t) for t in (0, 4, 12)] == [1.0, 1.0, 1.0]  # restarts at 4 and 4 + 8
    assert parse_schedules("multistep:milestones=[2,2,5],gamma=0.5").rates(1.0, 6) == [1, 1, 0.25, 0.25, 0.25, 0.125]
    assert parse_schedules("polynomial:total_iters=4,power=2").rates(1.0, 6) == [1, 0.5625, 0.25, 0.0625, 0, 0]


def test_schedule_scales_every_step():
    """A schedule's run equals the same rule stepped by hand with lr set to each rate."""
    surface = get_surface("himmelblau")
    spec = parse_optimizer("sgd:lr=0.01,momentum=0.9@exponential:gamma=0.9")
    path = run(surface, spec.build(), (-0.25, -0.85), steps=8)
    x, buffer = np.array([-0.25, -0.85]), np.zeros(2)
    for t in range(8):
        g = surface.grad(x)
        buffer = g if t == 0 else 0.9 * buffer + g
        x = x - 0.01 * 0.9**t * buffer
    np.testing.assert_allclose(path.positions[-1], x, rtol=1e-13)


def test_same_in_text_tables_and_python():
    text = OptimizerSpec("adam", {"lr": 0.1}, schedule="linear:start_factor=0.1,total_iters=10@cosine:T_max=90")
    tables = OptimizerSpec("adam", {"lr": 0.1}, schedule=[{"name": "linear", "start_factor": 0.1, "total_iters": 10},
                                                          {"name": "cosine", "T_max": 90}])
    parsed = parse_optimizer("adam:lr=0.1@linear:start_factor=0.1,total_iters=10@cosine:T_max=90")
    assert text.schedule == tables.schedule == parsed.schedule
    assert parse_optimizer(parsed.to_text()) == OptimizerSpec("adam", {"lr": 0.1}, schedule=parsed.schedule,
                                                             label=parsed.to_text())
    assert schedule_of({"name": "multistep", "milestones": [3, 9]}) == parse_schedules("multistep:milestones=[3,9]")


def test_onecycle_steps_are_bounded_as_in_torch():
    spec = parse_optimizer("sgd@onecycle:max_lr=0.1,total_steps=50")
    spec.check_steps(50)
    with pytest.raises(SpecError, match="more than its 50 total steps"):
        spec.check_steps(51)


@pytest.mark.parametrize("text, message", [
    ("sgd@cosin:T_max=3", "unknown schedule 'cosin'"),
    ("sgd@cosine:T_max=3,gamma=0.5", "torch's CosineAnnealingLR has no parameter 'gamma'"),
    ("sgd@cosine", "T_max is required"),
    ("sgd@cosine:T_max=0", "T_max must be >= 1"),
    ("sgd@cosine:T_max=2.5", "T_max must be a whole number"),
    ("sgd@step:step_size=3@cosine:T_max=9", "step has no length of its own"),
    ("sgd@linear@onecycle:max_lr=1,total_steps=9", "onecycle sets the learning rate itself"),
    ("sgd@onecycle:max_lr=1", "give total_steps, or epochs and steps_per_epoch"),
    ("sgd@onecycle:max_lr=1,total_steps=9,cycle_momentum=true", "cycle_momentum must be false"),
    ("sgd@cyclic:base_lr=0.1,max_lr=1,base_momentum=0.8", "base_momentum is not supported"),
    ("sgd@cyclic:base_lr=0.1,max_lr=1,mode=sine", "mode must be one of triangular"),
    ("sgd@multistep:milestones=3", "must be a list of whole numbers"),
    ("sgd@exponential:gamma=nan", "gamma must be a finite number"),
    ("sgd@", "a schedule needs a name"),
    ("sgd@linear:", "nothing after ':'"),
    ("sgd@linear:total_iters", "expected key=value"),
])
def test_bad_schedules_are_one_line(text, message):
    with pytest.raises(SpecError, match=message) as error:
        parse_optimizer(text)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("params", [{"T_0": 1}, {"T_0": 3, "eta_min": 0.01}, {"T_0": 2, "T_mult": 3},
                                    {"T_0": 1, "T_mult": 2}])
def test_warm_restarts_over_many_cycles_match_torch(params):
    """Thousands of restarts (a cycle's place found by ``t mod T_0`` or by whole cycles, not by replaying every
    restart): the rates are torch's, stepped one update at a time, at every update."""
    require("torch")
    import torch
    from torch.optim import lr_scheduler

    steps = 3000
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    scheduler = lr_scheduler.CosineAnnealingWarmRestarts(optimizer, **params)
    expected = []
    for _ in range(steps):
        expected.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    text = "cosine_warm_restarts:" + ",".join(f"{key}={value}" for key, value in params.items())
    np.testing.assert_allclose(parse_schedules(text).rates(0.5, steps), expected, rtol=1e-12, atol=1e-13)


def test_names_and_defaults_are_torchs():
    """Every parameter is one of the torch class's, with torch's default (cycle_momentum aside: see the
    module's docstring); the refused ones are torch's too."""
    import inspect

    require("torch")
    from torch.optim import lr_scheduler

    for name, kind in KINDS.items():
        signature = inspect.signature(getattr(lr_scheduler, kind.torch_class)).parameters
        for key, parameter in kind.parameters.items():
            assert key in signature, (name, key)
            torch_default = signature[key].default
            if key == "cycle_momentum":
                assert torch_default is True and parameter.default is False
            elif torch_default is inspect.Parameter.empty:
                assert parameter.default is not None and parameter.default is not object and key in signature
            else:
                assert parameter.default == torch_default, (name, key)
        assert set(kind.refused) <= set(signature), name


def test_run_json_holds_the_learning_rate_of_every_update(tmp_path):
    from click.testing import CliRunner

    from trajectories.cli.main import cli

    out = tmp_path / "paths.json"
    result = CliRunner().invoke(cli, [
        "run", "--surface", "booth", "--optimizer", "sgd:lr=0.01@step:step_size=2,gamma=0.5",
        "--optimizer", "sgd:lr=0.01", "--start", "1,1", "--steps", "5", "-o", str(out)])
    assert result.exit_code == 0, result.output
    scheduled, plain = json.loads(out.read_text())["trajectories"]
    assert scheduled["schedule"] == "step:step_size=2,gamma=0.5"
    assert scheduled["lr"] == [0.01, 0.01, 0.005, 0.005, 0.0025]
    assert "lr" not in plain and "schedule" not in plain
    # the path moved with those rates: plain GD, x <- x - lr_t * grad(x)
    surface = get_surface("booth")
    x = np.array([1.0, 1.0])
    for rate in scheduled["lr"]:
        x = x - rate * surface.grad(x)
    assert [scheduled["x"][-1], scheduled["y"][-1]] == pytest.approx(x.tolist(), rel=1e-14)


def test_toml_and_python_scenes_carry_the_schedule_into_the_legend(tmp_path):
    from trajectories.scene import Racer, Scene
    from trajectories.scene.toml_file import load_toml_scene

    (tmp_path / "warm.toml").write_text(
        'name = "warm"\nsurface = "himmelblau"\nsteps = 30\n'
        '[[optimizers]]\nname = "sgd"\nlabel = "Momentum"\nhyperparameters = { lr = 0.01, momentum = 0.9 }\n'
        'schedule = "linear:start_factor=0.1,total_iters=10@cosine:T_max=20"\n'
    )
    from_toml = load_toml_scene(tmp_path / "warm.toml")["warm"]
    in_python = Scene("warm", "himmelblau", [Racer("sgd:lr=0.01,momentum=0.9@linear:start_factor=0.1,total_iters=10"
                                                   "@cosine:T_max=20", "Momentum")], steps=30)
    assert from_toml.optimizers[0].spec.schedule == in_python.optimizers[0].spec.schedule
    legend = from_toml.optimizers[0].legend_text()
    assert legend == "Momentum (lr=0.01, momentum=0.9), linear start_factor=0.1, total_iters=10 → cosine T_max=20"
    with pytest.raises(SceneError, match="s: onecycle: 21 steps are more than its 20 total steps"):
        Scene("s", "sphere", ["sgd@onecycle:max_lr=0.1,total_steps=20"], steps=21)


def test_schedule_decay_scene_is_fast_first_then_settled():
    """The built-in scene's story: at step 20 the large rate (with or without a schedule) is near a minimum
    (f* = 0) and the small one has barely left the hilltop (f = 181); over the last 20 steps the decayed
    rates sit at least 10 times lower than the constant large one, which keeps jumping."""
    from trajectories.scene import builtin_scenes

    scene = builtin_scenes()["schedule_decay"]
    large, small, stepped, cosine = (t.losses[:, 0] for t in race_trajectories(scene))
    hilltop = scene.surface.f(np.array(scene.starts[0]))
    assert max(large[20], stepped[20], cosine[20]) < 0.02 * hilltop < small[20]
    jumping = large[-20:].mean()
    assert stepped[-20:].mean() < jumping / 10 and cosine[-20:].mean() < jumping / 10
    rates = [racer.spec.learning_rates(scene.steps) for racer in scene.optimizers]
    assert rates[0] is None and rates[2][39:41] == [0.02, 0.02 * 0.2] and rates[3][-1] < 1e-5


def test_the_lr_panel_draws_each_racers_rates_up_to_the_frame():
    from trajectories.scene import Racer, Scene

    from .drawing import make_view

    scene = Scene("lr", "booth", [Racer("sgd:lr=0.01@step:step_size=3,gamma=0.5", "GD"), Racer("adam:lr=0.1")],
                  start=(1.0, 1.0), steps=8, lr_panel=True, size=(320, 240))
    view = make_view(scene)
    try:
        view.frame(5)  # step 5 drawn: the rates of updates 0..5, each level from t to t + 1
        stepped, flat = view.lr_panel.collection.get_segments()
        assert stepped[:, 0].tolist() == [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6]
        assert stepped[:, 1].tolist() == [0.01] * 6 + [0.005] * 6
        assert flat[:, 1].tolist() == [0.1] * 12
        assert view.lr_axes.get_ylim() == pytest.approx((0, 0.11))
        assert view.loss_axes is None
    finally:
        view.close()
