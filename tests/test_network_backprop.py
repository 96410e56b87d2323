"""Forward and backward passes of batches of networks: against torch's autograd (1e-12, float64), against
closed forms written by hand, against central differences; and a network's numbers do not depend on which
others share its batch."""

import numpy as np
import pytest

from trajectories.network.activations import ACTIVATIONS
from trajectories.network.backprop import loss_and_gradient, losses, outputs
from trajectories.network.losses import LOSSES
from trajectories.network.models import parse_model

from .adapter_support import require
from .network_torch import as_tensor, criterion, flat_gradient, sequential

RNG = np.random.default_rng(20261207)


def _problem(model, loss_name, samples=40, scale=2.0):
    """Inputs, targets as the loss reads them, and 3 networks' parameters (the seeded initial ones, scaled
    up so that activations leave their linear range)."""
    inputs = RNG.standard_normal((samples, model.inputs))
    if loss_name == "bce":
        targets = (RNG.random(samples) > 0.5).astype(np.float64)
    elif loss_name == "cross_entropy":
        targets = RNG.integers(0, model.outputs, samples)
    else:
        targets = RNG.standard_normal((samples, model.outputs))
    params = np.stack([scale * model.initial(seed) for seed in range(3)])
    return inputs, targets, params


CASES = [
    ("mlp:2-16-16-1:tanh", "bce"),
    ("mlp:3-8-4:relu", "cross_entropy"),
    ("mlp:2-6-6-2:sigmoid", "mse"),
    ("mlp:2-7-7-1:softplus", "bce"),
    ("mlp:4-5-3:leaky_relu", "cross_entropy"),
    ("mlp:1-9-1:identity", "mse"),
    ("logistic:5", "bce"),
    ("mlp:2-3", "cross_entropy"),
]


@pytest.mark.parametrize(("spec", "loss_name"), CASES, ids=[f"{s}-{loss}" for s, loss in CASES])
def test_loss_and_gradient_match_torch_autograd(spec, loss_name):
    require("torch")
    model, loss = parse_model(spec), LOSSES[loss_name]
    inputs, targets, params = _problem(model, loss_name)
    value, gradient = loss_and_gradient(model, loss, params, inputs, targets)
    for row in range(len(params)):
        net = sequential(model, params[row])
        expected = criterion(loss)(net(as_tensor(inputs)), as_tensor(targets))
        expected.backward()
        assert abs(value[row] - expected.item()) <= 1e-12 * abs(expected.item())
        reference = flat_gradient(net)
        assert np.max(np.abs(gradient[row] - reference)) <= 1e-12 * np.max(np.abs(reference))
        out = net(as_tensor(inputs)).detach().numpy()
        assert np.max(np.abs(outputs(model, params[row], inputs) - out)) <= 1e-12 * np.max(np.abs(out))


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_gradients_match_central_differences(activation):
    model = parse_model(f"mlp:2-5-5-1:{activation}")
    inputs, targets, params = _problem(model, "bce", samples=12, scale=1.5)
    loss = LOSSES["bce"]
    _, gradient = loss_and_gradient(model, loss, params[0], inputs, targets)
    h = 1e-6
    steps = np.eye(model.parameter_count) * h
    ahead = losses(model, loss, params[0] + steps, inputs, targets)
    behind = losses(model, loss, params[0] - steps, inputs, targets)
    np.testing.assert_allclose(gradient, (ahead - behind) / (2 * h), rtol=1e-6, atol=1e-9)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_logistic_regression_gradient_by_hand():
    r"""BCE of :math:`\sigma(Xw + b)`: :math:`\nabla_w = X^\top(\sigma - y)/N`,
    :math:`\nabla_b = \overline{\sigma - y}`, and the loss :math:`-\overline{y\ln\sigma + (1-y)\ln(1-\sigma)}`
    (with numpy's own exp and log)."""
    model = parse_model("logistic:3")
    inputs, targets, params = _problem(model, "bce", samples=30)
    w, b = params[:, :3], params[:, 3]
    p = _sigmoid(inputs @ w.T + b)  # (N, R)
    value, gradient = loss_and_gradient(model, LOSSES["bce"], params, inputs, targets)
    expected = -np.mean(targets[:, None] * np.log(p) + (1 - targets[:, None]) * np.log(1 - p), axis=0)
    np.testing.assert_allclose(value, expected, rtol=1e-13)
    np.testing.assert_allclose(gradient[:, :3], ((p - targets[:, None]).T @ inputs) / len(inputs), rtol=1e-12)
    np.testing.assert_allclose(gradient[:, 3], np.mean(p - targets[:, None], axis=0), rtol=1e-12)


def test_softmax_regression_and_least_squares_gradients_by_hand():
    model = parse_model("mlp:2-3")
    inputs, labels, params = _problem(model, "cross_entropy", samples=25)
    weights, bias = params[0, :6].reshape(3, 2), params[0, 6:]
    z = inputs @ weights.T + bias
    soft = np.exp(z - z.max(1, keepdims=True))
    soft /= soft.sum(1, keepdims=True)
    delta = (soft - np.eye(3)[labels]) / len(inputs)
    value, gradient = loss_and_gradient(model, LOSSES["cross_entropy"], params[0], inputs, labels)
    np.testing.assert_allclose(value, -np.mean(np.log(soft[np.arange(25), labels])), rtol=1e-13)
    np.testing.assert_allclose(gradient, np.concatenate([(delta.T @ inputs).ravel(), delta.sum(0)]), rtol=1e-12)

    line = parse_model("mlp:1-1:identity")
    x, y, p = _problem(line, "mse", samples=20)
    residual = x[:, 0] * p[0, 0] + p[0, 1] - y[:, 0]
    value, gradient = loss_and_gradient(line, LOSSES["mse"], p[0], x, y)
    np.testing.assert_allclose(value, np.mean(residual**2), rtol=1e-13)
    np.testing.assert_allclose(gradient, [2 * np.mean(residual * x[:, 0]), 2 * np.mean(residual)], rtol=1e-12)


def test_a_network_gives_the_same_bits_alone_or_in_a_batch():
    model = parse_model("mlp:2-12-12-3:tanh")
    inputs, targets, params = _problem(model, "cross_entropy", samples=50)
    stacked = np.concatenate([params, params[::-1]]).reshape(2, 3, -1)  # (2, 3, P): leading shape kept
    value, gradient = loss_and_gradient(model, LOSSES["cross_entropy"], stacked, inputs, targets)
    assert value.shape == (2, 3) and gradient.shape == stacked.shape
    for i in range(2):
        for j in range(3):
            alone_value, alone_gradient = loss_and_gradient(model, LOSSES["cross_entropy"], stacked[i, j], inputs,
                                                            targets)
            assert alone_value.tobytes() == value[i, j].tobytes()
            assert alone_gradient.tobytes() == gradient[i, j].tobytes()


def test_the_layout_is_torchs_parameter_order():
    """Row j of layer l's block holds the weights into unit j, as ``nn.Linear.weight[j]`` does."""
    require("torch")
    model = parse_model("mlp:3-4-2:relu")
    params = np.arange(model.parameter_count, dtype=np.float64)
    net = sequential(model, params)
    linear = [module for module in net if hasattr(module, "weight")]
    for (weights, bias), module in zip(model.unpack(params), linear, strict=True):
        np.testing.assert_array_equal(weights, module.weight.detach().numpy())
        np.testing.assert_array_equal(bias, module.bias.detach().numpy())
