"""Update rules against independent references: torch.optim itself (a stored fixture), closed-form first
steps, published recurrences written out by hand, and equivalences between rules."""

import inspect
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from trajectories.compute.run import run
from trajectories.core import optimizers
from trajectories.core.spec import OptimizerSpec, SpecError, parse_optimizer
from trajectories.surfaces.catalogue import get_surface

from .references import tf1_reference

GOLDEN = json.loads((Path(__file__).parent / "fixtures" / "golden.json").read_text())


def case_id(case):
    return f"{case['surface']}-{case['optimizer']}-" + ",".join(f"{k}={v}" for k, v in case["hyperparameters"].items())


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=case_id)
def test_matches_torch_step_for_step(case):
    expected = np.array(case["positions"])
    optimizer = OptimizerSpec(case["optimizer"], case["hyperparameters"]).build()
    path = run(get_surface(case["surface"]), optimizer, expected[0], GOLDEN["steps"])
    np.testing.assert_allclose(path.positions, expected, rtol=1e-12, atol=0)


def test_golden_fixture_covers_every_torch_optimizer():
    covered = {case["optimizer"] for case in GOLDEN["cases"]}
    assert covered == set(optimizers.OPTIMIZERS) - {"lion", "ema_momentum"}


# --- closed-form first steps on the sphere f = x² + y², where g = 2θ -------------------------------

EPS = 1e-8


def _nadam_first(theta, g, lr=0.1, beta1=0.9, psi=4e-3):
    mu1 = beta1 * (1 - 0.5 * 0.96**psi)
    mu2 = beta1 * (1 - 0.5 * 0.96 ** (2 * psi))
    return theta - lr * g / (np.abs(g) + EPS) * (1 + mu2 * (1 - beta1) / (1 - mu1 * mu2))


FIRST_STEPS = [
    ("sgd", {"lr": 0.1}, lambda t, g: t - 0.1 * g),
    ("sgd", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}, lambda t, g: t - 0.1 * g),
    ("sgd", {"lr": 0.1, "momentum": 0.9, "nesterov": True}, lambda t, g: t - 0.1 * 1.9 * g),
    ("sgd", {"lr": 0.1, "weight_decay": 0.5}, lambda t, g: t - 0.1 * (g + 0.5 * t)),
    ("ema_momentum", {"lr": 0.1, "beta": 0.9}, lambda t, g: t - 0.1 * 0.1 * g),
    ("adagrad", {"lr": 0.1}, lambda t, g: t - 0.1 * g / (np.abs(g) + 1e-10)),
    (
        "adagrad", {"lr": 0.1, "initial_accumulator_value": 2.0},
        lambda t, g: t - 0.1 * g / (np.sqrt(2.0 + g * g) + 1e-10),
    ),
    ("adadelta", {"rho": 0.9}, lambda t, g: t - np.sqrt(1e-6) / np.sqrt(0.1 * g * g + 1e-6) * g),
    ("rmsprop", {"lr": 0.1, "alpha": 0.9}, lambda t, g: t - 0.1 * g / (np.sqrt(0.1) * np.abs(g) + EPS)),
    (
        "rmsprop", {"lr": 0.1, "alpha": 0.9, "centered": True},
        lambda t, g: t - 0.1 * g / (np.sqrt(0.1 * g * g - 0.01 * g * g) + EPS),
    ),
    (
        "rmsprop", {"lr": 0.1, "alpha": 0.9, "eps": 1e-10, "initial_accumulator_value": 1, "eps_inside_sqrt": True},
        lambda t, g: t - 0.1 * g / np.sqrt(0.9 + 0.1 * g * g + 1e-10),
    ),
    ("adam", {"lr": 0.1}, lambda t, g: t - 0.1 * g / (np.abs(g) + EPS)),
    ("adam", {"lr": 0.1, "amsgrad": True}, lambda t, g: t - 0.1 * g / (np.abs(g) + EPS)),
    ("adam", {"lr": 0.1, "eps_hat": True}, lambda t, g: t - 0.1 * g / (np.abs(g) + EPS / np.sqrt(0.001))),
    # raw moments m1 = (1 − β1) g, v1 = (1 − β2) g²: a first step of 0.1/√0.001 ≈ 3.16 lr
    (
        "adam", {"lr": 0.1, "bias_correction": False},
        lambda t, g: t - 0.1 * (0.1 * g) / (np.sqrt(0.001 * g * g) + EPS),
    ),
    (
        "adamw", {"lr": 0.1, "weight_decay": 0.5, "bias_correction": False},
        lambda t, g: t - 0.1 * ((0.1 * g) / (np.sqrt(0.001 * g * g) + EPS) + 0.5 * t),
    ),
    ("adamw", {"lr": 0.1, "weight_decay": 0.5}, lambda t, g: t - 0.1 * (g / (np.abs(g) + EPS) + 0.5 * t)),
    ("adamax", {"lr": 0.1}, lambda t, g: t - 0.1 * g / (np.abs(g) + EPS)),
    ("nadam", {"lr": 0.1}, _nadam_first),
    ("radam", {"lr": 0.1}, lambda t, g: t - 0.1 * g),  # rho_1 = 1 <= 5: an un-adapted step
    ("lion", {"lr": 0.1}, lambda t, g: t - 0.1 * np.sign(g)),
    ("lion", {"lr": 0.1, "weight_decay": 0.5}, lambda t, g: t - 0.1 * (np.sign(g) + 0.5 * t)),
]


@pytest.mark.parametrize(("name", "hp", "expected"), FIRST_STEPS, ids=lambda v: v if isinstance(v, str) else None)
def test_first_step_matches_closed_form(name, hp, expected):
    starts = np.random.default_rng(7).uniform(-2, 2, size=(5, 2))
    path = run(get_surface("sphere"), OptimizerSpec(name, hp).build(), starts, steps=1)
    np.testing.assert_allclose(path.positions[1], expected(starts, 2 * starts), rtol=1e-13, atol=1e-15)


def test_every_optimizer_has_a_first_step_reference():
    assert {name for name, _, _ in FIRST_STEPS} == set(optimizers.OPTIMIZERS)


# --- equivalences between rules --------------------------------------------------------------------

EQUIVALENT = [
    ("sgd", {"lr": 0.003}, "sgd", {"lr": 0.003, "momentum": 0.0, "dampening": 0.7}),
    ("ema_momentum", {"lr": 0.01, "beta": 0.9}, "sgd", {"lr": 0.001, "momentum": 0.9}),
    ("adamw", {"lr": 0.05, "weight_decay": 0.0}, "adam", {"lr": 0.05}),
    ("rmsprop", {"lr": 0.01, "alpha": 0.0, "eps": 0.0}, "lion", {"lr": 0.01, "beta1": 0.0}),  # both sign(g)
    ("adam", {"lr": 0.05, "beta1": 0.0, "beta2": 0.0, "eps": 0.0}, "lion", {"lr": 0.05, "beta1": 0.0}),
    ("adam", {"lr": 0.05, "bias_correction": True}, "adam", {"lr": 0.05}),
    (
        "adamw", {"lr": 0.05, "weight_decay": 0.0, "bias_correction": False},
        "adam", {"lr": 0.05, "bias_correction": False},
    ),
    # with β1 = β2 = 0 there is nothing to correct: 1 − 0ᵗ = 1
    ("adam", {"lr": 0.05, "beta1": 0.0, "beta2": 0.0, "bias_correction": False}, "adam", {"lr": 0.05, "beta1": 0.0,
                                                                                        "beta2": 0.0}),
]


@pytest.mark.parametrize(("a", "hp_a", "b", "hp_b"), EQUIVALENT)
def test_equivalent_rules_take_the_same_steps(a, hp_a, b, hp_b):
    surface = get_surface("rosenbrock")
    starts = np.array([[-1.5, 2.0], [0.5, -0.5], [1.2, 1.9]])
    path_a = run(surface, OptimizerSpec(a, hp_a).build(), starts, 60)
    path_b = run(surface, OptimizerSpec(b, hp_b).build(), starts, 60)
    np.testing.assert_allclose(path_a.positions, path_b.positions, rtol=1e-11, atol=1e-14)


# --- the article's TensorFlow 1 rules, written out from ARTICLE.md (figure 7) -----------------------


@pytest.mark.parametrize(
    ("rule", "spec"),
    [
        ("momentum", "sgd:lr=0.02,momentum=0.9"),
        ("nesterov", "sgd:lr=0.02,momentum=0.9,nesterov=true"),
        ("rmsprop", "rmsprop:lr=0.02,alpha=0.9,eps=1e-10,initial_accumulator_value=1,eps_inside_sqrt=true"),
        ("adam", "adam:lr=0.02,eps_hat=true"),
    ],
)
def test_tf1_conventions_of_the_article(rule, spec):
    from trajectories.core.spec import parse_optimizer

    path = run(get_surface("saddle"), parse_optimizer(spec).build(), (1.0, -0.001), 180, escape=np.inf)
    np.testing.assert_allclose(path.positions, tf1_reference(rule), rtol=1e-12, atol=1e-300)


def test_lion_follows_the_paper_loop():
    surface = get_surface("rosenbrock")
    lr, beta1, beta2, wd = 0.01, 0.9, 0.99, 0.1
    theta, m, expected = np.array([-1.5, 2.0]), np.zeros(2), [np.array([-1.5, 2.0])]
    for _ in range(100):
        g = surface.grad(theta)
        c = beta1 * m + (1 - beta1) * g
        theta = theta - lr * (np.sign(c) + wd * theta)
        m = beta2 * m + (1 - beta2) * g
        expected.append(theta)
    spec = OptimizerSpec("lion", {"lr": lr, "beta1": beta1, "beta2": beta2, "weight_decay": wd})
    path = run(surface, spec.build(), (-1.5, 2.0), 100)
    np.testing.assert_allclose(path.positions, np.array(expected), rtol=1e-12)


def test_tf1_adam_differs_from_torch_adam_only_through_epsilon():
    surface, start = get_surface("saddle"), (1.0, -0.001)
    torch_style = run(surface, OptimizerSpec("adam", {"lr": 0.02}).build(), start, 50).positions
    tf1_style = run(surface, OptimizerSpec("adam", {"lr": 0.02, "eps_hat": True}).build(), start, 50).positions
    no_eps = run(surface, OptimizerSpec("adam", {"lr": 0.02, "eps": 0.0}).build(), start, 50).positions
    assert not np.array_equal(torch_style, tf1_style)
    # TF1's ε is divided by √(1 − β2ᵗ) ≈ 0.03 on the first step: a 1.5e-4 effect next to |g_y| = 2e-3,
    # twenty times torch's
    np.testing.assert_allclose(tf1_style, no_eps, rtol=1e-3)
    np.testing.assert_allclose(torch_style, no_eps, rtol=2e-5)


# --- validation, docs, registry --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "hp", "message"),
    [
        ("sgd", {"lr": -0.1}, "lr must be a finite number >= 0"),
        ("sgd", {"momentum": 0.5, "dampening": 0.1, "nesterov": True}, "nesterov needs momentum > 0"),
        ("sgd", {"nesterov": True}, "nesterov needs momentum > 0"),
        ("adam", {"beta1": 1.0}, "beta1 must be in [0, 1)"),
        ("adam", {"beta2": -0.1}, "beta2 must be in [0, 1)"),
        ("adam", {"eps": -1.0}, "eps must be"),
        ("lion", {"beta2": 1.5}, "beta2 must be in [0, 1]"),
        ("adadelta", {"rho": 2.0}, "rho must be in [0, 1]"),
        ("ema_momentum", {"beta": 1.0}, "beta must be in [0, 1)"),
        ("rmsprop", {"alpha": -0.5}, "alpha must be"),
    ],
)
def test_invalid_hyperparameters_raise_one_line(name, hp, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        optimizers.get_factory(name)(**hp)


@pytest.mark.parametrize("name", list(optimizers.OPTIMIZERS))
def test_every_rule_documents_its_math_and_symbols(name):
    doc = inspect.getdoc(optimizers.get_factory(name))
    assert ".. math::" in doc or ":math:" in doc
    for parameter in inspect.signature(optimizers.get_factory(name)).parameters:
        assert f"{parameter}:" in doc, f"{name} does not document {parameter}"


def test_defaults_follow_torch():
    assert optimizers.hyperparameters("adam") == {
        "lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False,
        "eps_hat": False, "bias_correction": True,
    }
    assert optimizers.hyperparameters("rmsprop")["alpha"] == 0.99
    assert optimizers.hyperparameters("adamw")["weight_decay"] == 1e-2
    assert optimizers.hyperparameters("adamax")["lr"] == 2e-3
    assert optimizers.hyperparameters("lion") == {"lr": 1e-4, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0}


def test_unknown_optimizer_names_the_known_ones():
    with pytest.raises(KeyError, match=r"unknown optimizer 'adamm'.*adam"):
        optimizers.get_factory("adamm")


# --- Adam without bias correction, written out from the paper's Algorithm 1 minus its two divisions --------


@pytest.mark.parametrize("eps_hat", [False, True])
def test_adam_without_bias_correction_follows_the_raw_moments(eps_hat):
    surface, lr, beta1, beta2, eps = get_surface("rosenbrock"), 0.05, 0.9, 0.999, 1e-8
    theta, m, v, expected = np.array([-1.5, 2.0]), np.zeros(2), np.zeros(2), [np.array([-1.5, 2.0])]
    for _ in range(60):
        g = surface.grad(theta)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        theta = theta - lr * m / (np.sqrt(v) + eps)  # both ε forms agree once nothing is corrected
        expected.append(theta)
    spec = OptimizerSpec("adam", {"lr": lr, "bias_correction": False, "eps_hat": eps_hat})
    path = run(surface, spec.build(), (-1.5, 2.0), 60)
    np.testing.assert_allclose(path.positions, np.array(expected), rtol=1e-12)


def test_uncorrected_adam_steps_are_the_corrected_ones_times_the_warm_up_ratio():
    # on a plane the gradient is constant, so the two runs differ only by the correction factors
    from trajectories.surfaces.formula import formula_surface

    plane = formula_surface("3*x - 4*y", (-1e6, 1e6, -1e6, 1e6))
    raw = run(plane, OptimizerSpec("adam", {"lr": 0.01, "bias_correction": False, "eps": 0.0}).build(), (0, 0), 50)
    fixed = run(plane, OptimizerSpec("adam", {"lr": 0.01, "eps": 0.0}).build(), (0, 0), 50)
    t = np.arange(1, 51)
    ratio = (1 - 0.9**t) / np.sqrt(1 - 0.999**t)  # 3.16 at t = 1, 6.57 at t = 12
    np.testing.assert_allclose(np.diff(raw.positions, axis=0), np.diff(fixed.positions, axis=0) * ratio[:, None],
                               rtol=1e-12)
    assert ratio[0] == pytest.approx(3.1623, abs=1e-4) and ratio.max() == pytest.approx(6.5685, abs=1e-4)


def test_bias_correction_parses_from_spec_text_and_round_trips():
    spec = parse_optimizer("adam:lr=0.1,bias_correction=false")
    assert spec.params["bias_correction"] is False and spec.changed() == {"lr": 0.1, "bias_correction": False}
    assert spec.to_text() == "adam:lr=0.1,bias_correction=false"
    assert parse_optimizer("adam:bias_correction=true").to_text() == "adam"
    with pytest.raises(SpecError, match="bias_correction must be true or false"):
        parse_optimizer("adam:bias_correction=0.5")


# --- gradient clipping, by norm and by value, in front of any optimizer ---------------------------------

CLIP_STARTS = np.array([[1.5, -2.0], [0.1, 0.05], [0.0, 0.0], [-0.3, 0.4], [2.0, 0.0]])  # on the sphere g = 2θ


def _clip_norm_reference(g, c):
    """Each row scaled by min(1, c/‖g‖), typed in; zero rows stay zero."""
    out = []
    for row in g:
        norm = math.hypot(*row)
        out.append(row * (c / norm) if norm > c else row)
    return np.array(out)


@pytest.mark.parametrize("c", [0.5, 1.0, 5.0])
def test_clip_norm_first_step_matches_closed_form_per_row(c):
    path = run(get_surface("sphere"), parse_optimizer(f"sgd:lr=0.1,clip_norm={c}").build(), CLIP_STARTS, 1)
    g = 2 * CLIP_STARTS
    np.testing.assert_allclose(path.positions[1], CLIP_STARTS - 0.1 * _clip_norm_reference(g, c), rtol=1e-15)
    steps = np.linalg.norm(path.positions[1] - CLIP_STARTS, axis=-1)
    assert (steps <= 0.1 * c * (1 + 1e-15)).all()
    assert np.array_equal(path.positions[1][2], [0.0, 0.0])  # a zero gradient is left alone (no 0/0)


@pytest.mark.parametrize("c", [0.5, 1.0, 5.0])
def test_clip_value_first_step_matches_closed_form(c):
    path = run(get_surface("sphere"), parse_optimizer(f"sgd:lr=0.1,clip_value={c}").build(), CLIP_STARTS, 1)
    g = 2 * CLIP_STARTS
    expected = CLIP_STARTS - 0.1 * np.array([[max(-c, min(c, v)) for v in row] for row in g])
    np.testing.assert_array_equal(path.positions[1], expected)


@pytest.mark.parametrize("key", ["clip_norm", "clip_value"])
def test_gradients_under_the_threshold_are_untouched(key):
    surface, starts = get_surface("rosenbrock"), np.array([[0.9, 0.8], [1.05, 1.1]])  # |g| < 100 here
    assert np.abs(surface.grad(starts)).max() < 100
    for name in ("sgd:lr=0.001,momentum=0.9", "adam:lr=0.01", "rmsprop:lr=0.001"):
        clipped = run(surface, parse_optimizer(f"{name},{key}=1000").build(), starts, 40)
        plain = run(surface, parse_optimizer(name).build(), starts, 40)
        np.testing.assert_array_equal(clipped.positions, plain.positions)


def _clipped(g, clip_norm=None, clip_value=None):
    if clip_norm is not None:
        norm = math.hypot(*g)
        g = g * (clip_norm / norm) if norm > clip_norm else g
    if clip_value is not None:
        g = np.clip(g, -clip_value, clip_value)
    return g


def _momentum_loop(surface, start, steps, lr, mu, **clip):
    theta, buffer, path = np.array(start, float), None, [np.array(start, float)]
    for _ in range(steps):
        g = _clipped(surface.grad(theta), **clip)
        buffer = g if buffer is None else mu * buffer + g
        theta = theta - lr * buffer
        path.append(theta)
    return np.array(path)


def _adam_loop(surface, start, steps, lr, **clip):
    theta, m, v, path = np.array(start, float), np.zeros(2), np.zeros(2), [np.array(start, float)]
    for t in range(1, steps + 1):
        g = _clipped(surface.grad(theta), **clip)
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        theta = theta - (lr / (1 - 0.9**t)) * m / (np.sqrt(v) / math.sqrt(1 - 0.999**t) + 1e-8)  # torch's form
        path.append(theta)
    return np.array(path)


@pytest.mark.parametrize("clip", [{"clip_norm": 2.0}, {"clip_value": 1.5}, {"clip_norm": 3.0, "clip_value": 1.0}])
def test_clipping_in_front_of_momentum_and_adam_follows_torch_order(clip):
    """Clip the raw gradient, then the rule's own step (clip_grad_*_ before optimizer.step())."""
    surface, start = get_surface("rosenbrock"), (-1.5, 2.0)  # |g| ~ 100 at first: clipping is active
    text = ",".join(f"{k}={v}" for k, v in clip.items())
    momentum = run(surface, parse_optimizer(f"sgd:lr=0.002,momentum=0.9,{text}").build(), start, 80)
    np.testing.assert_allclose(momentum.positions, _momentum_loop(surface, start, 80, 0.002, 0.9, **clip), rtol=1e-12)
    # Adam with clipped gradients amplifies rounding (1e-16 at step 20, 1e-8 at step 75): compare 40 steps
    adam = run(surface, parse_optimizer(f"adam:lr=0.05,{text}").build(), start, 40)
    np.testing.assert_allclose(adam.positions, _adam_loop(surface, start, 40, 0.05, **clip), rtol=1e-10, atol=1e-12)
    assert not np.allclose(adam.positions, run(surface, parse_optimizer("adam:lr=0.05").build(), start, 40).positions)


def test_clipping_comes_before_weight_decay():
    start = np.array([3.0, -4.0])  # g = 2θ = (6, −8), |g| = 10, clipped to norm 1: (0.6, −0.8)
    path = run(get_surface("sphere"), parse_optimizer("sgd:lr=0.1,weight_decay=0.5,clip_norm=1").build(), start, 1)
    np.testing.assert_allclose(path.positions[1], start - 0.1 * (np.array([0.6, -0.8]) + 0.5 * start), rtol=1e-15)


@pytest.mark.parametrize("name", list(optimizers.OPTIMIZERS))
def test_every_optimizer_takes_the_clipping_keys_and_round_trips(name):
    spec = parse_optimizer(f"{name}:clip_norm=2.5,clip_value=0.75")
    assert spec.params["clip_norm"] == 2.5 and spec.params["clip_value"] == 0.75
    assert spec.changed() == {"clip_norm": 2.5, "clip_value": 0.75}
    again = parse_optimizer(spec.to_text())
    assert dict(again.params) == dict(spec.params) and again.to_text() == f"{name}:clip_norm=2.5,clip_value=0.75"
    plain = parse_optimizer(name)
    assert "clip_norm" not in plain.params and plain.to_text() == name  # off: absent, every value a number or bool
    assert set(optimizers.hyperparameters(name)) == set(plain.params)


@pytest.mark.parametrize(("text", "message"), [
    ("sgd:clip_norm=-1", "sgd: clip_norm must be a finite number > 0, got -1.0"),
    ("adam:clip_norm=0", "adam: clip_norm must be a finite number > 0, got 0.0"),
    ("sgd:clip_value=-0.5", "sgd: clip_value must be a finite number > 0, got -0.5"),
    ("sgd:clip_value=inf", "sgd: clip_value must be a finite number > 0, got inf"),
    ("sgd:clip_norm=nan", "sgd: clip_norm must be a finite number > 0, got nan"),
    ("sgd:clip_norm=true", "sgd: clip_norm must be a number, got 'true'"),
    ("sgd:clip_norm=big", "sgd: clip_norm must be a number, got 'big'"),
    ("sgd:clipnorm=1", "unknown hyperparameter 'clipnorm' (known: lr, momentum, dampening, nesterov, weight_decay, "
                       "clip_norm, clip_value)"),
])
def test_bad_clipping_values_give_one_line_errors(text, message):
    with pytest.raises(SpecError) as error:
        parse_optimizer(text)
    assert str(error.value).endswith(message) and "\n" not in str(error.value)


def test_clipping_from_python_values_none_means_off():
    assert "clip_norm" not in OptimizerSpec("sgd", {"lr": 0.1, "clip_norm": None}).params
    with pytest.raises(SpecError, match="clip_value must be a number"):
        OptimizerSpec("sgd", {"clip_value": True})
    with pytest.raises(ValueError, match="clip_norm must be a finite number > 0, got -2"):
        optimizers.with_clipping(optimizers.sgd(), clip_norm=-2)


def test_clipping_in_toml_json_and_describe(tmp_path, invoke):
    from trajectories.scene import load_toml_scene

    path = tmp_path / "clip.toml"
    path.write_text('surface = "cliff"\nsteps = 10\n[[optimizers]]\nname = "sgd"\n'
                    "hyperparameters = { lr = 1.0, clip_norm = 1.0 }\n")
    (scene,) = load_toml_scene(path).values()
    assert scene.optimizers[0].spec.params["clip_norm"] == 1.0
    bad = tmp_path / "bad.toml"
    bad.write_text('surface = "cliff"\n[[optimizers]]\nname = "sgd"\nhyperparameters = { clip_value = -1 }\n')
    with pytest.raises(ValueError, match=r"optimizers\[0\]\.hyperparameters\.clip_value: sgd: clip_value must be"):
        load_toml_scene(bad)
    result = invoke("run", "--surface", "cliff", "--optimizer", "sgd:lr=1,clip_norm=1", "--optimizer", "sgd:lr=1",
                    "--steps", "8")
    clipped, plain = json.loads(result.output)["trajectories"]
    assert clipped["hyperparameters"] == {"lr": 1.0, "momentum": 0.0, "dampening": 0.0, "nesterov": False,
                                          "weight_decay": 0.0, "clip_norm": 1.0}
    assert "clip_norm" not in plain["hyperparameters"]  # the schema's {name: number | bool}: no nulls
    assert plain["x"][5] < -20 < clipped["x"][5]  # the cliff: unclipped GD is thrown, clipped GD is not
    assert "clip_norm=1" in invoke("describe", str(path)).output


def test_the_docs_say_what_every_optimizer_follows():
    """The optimizer reference's table of conventions (which torch class or paper each rule follows) is where
    users look: a new optimizer fails here until it has its row (the rest of the page is made from the code)."""
    section = (Path(__file__).resolve().parent.parent / "docs" / "reference" / "optimizers.md").read_text(
        encoding="utf-8")
    listed = set(re.findall(r"`(\w+)`", "\n".join(line.split("|")[1] for line in section.splitlines()
                                                   if line.startswith("| `"))))
    assert listed == set(optimizers.OPTIMIZERS)
