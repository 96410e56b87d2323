"""Update rules against independent references: torch.optim itself (a stored fixture), closed-form first
steps, published recurrences written out by hand, and equivalences between rules."""

import inspect
import json
from pathlib import Path

import numpy as np
import pytest

from trajectories import optimizers
from trajectories.catalogue import get_surface
from trajectories.run import run
from trajectories.spec import OptimizerSpec

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
    from trajectories.spec import parse_optimizer

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
        "eps_hat": False,
    }
    assert optimizers.hyperparameters("rmsprop")["alpha"] == 0.99
    assert optimizers.hyperparameters("adamw")["weight_decay"] == 1e-2
    assert optimizers.hyperparameters("adamax")["lr"] == 2e-3
    assert optimizers.hyperparameters("lion") == {"lr": 1e-4, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0}


def test_unknown_optimizer_names_the_known_ones():
    with pytest.raises(KeyError, match=r"unknown optimizer 'adamm'.*adam"):
        optimizers.get_factory("adamm")
