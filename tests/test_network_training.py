"""Training a race on a network: every path equal to ``torch.optim`` training the same network (float64, same
initial weights, same batches) to 1e-9 up to its reproducibility horizon; the batch of racers equal to each
racer alone, to the bit; the adapters; divergence; what a training records."""

import hashlib

import numpy as np
import pytest

from trajectories.core.optimizers import OPTIMIZERS
from trajectories.errors import NetworkError
from trajectories.network.datasets import make_dataset
from trajectories.network.horizon import PARITY_TOLERANCE, horizons
from trajectories.network.models import parse_model
from trajectories.network.training import Learner, loss_targets, resolve_loss, train
from trajectories.surfaces.gradients import BatchOrder

from .adapter_support import require
from .network_torch import torch_path

STEPS = 40


def _torch_optim(name, **keywords):
    def make(params):
        torch = require("torch")
        return getattr(torch.optim, name)(params, **keywords)

    return make


# (our spec, torch's class and keywords, batch size): every rule torch has, full batch and mini-batches
RACES = {
    ("mlp:2-8-8-1:tanh", "moons:n=64,noise=0.2"): [
        ("sgd:lr=0.5", _torch_optim("SGD", lr=0.5), None),
        ("sgd:lr=0.2,momentum=0.9", _torch_optim("SGD", lr=0.2, momentum=0.9), 16),
        ("sgd:lr=0.1,momentum=0.9,nesterov=true,weight_decay=0.01",
         _torch_optim("SGD", lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01), None),
        ("rmsprop:lr=0.01,alpha=0.9,centered=true,momentum=0.5",
         _torch_optim("RMSprop", lr=0.01, alpha=0.9, centered=True, momentum=0.5), 16),
        ("adam:lr=0.02", _torch_optim("Adam", lr=0.02), None),
        ("adam:lr=0.02,amsgrad=true", _torch_optim("Adam", lr=0.02, amsgrad=True), 16),
        ("adamw:lr=0.02,weight_decay=0.1", _torch_optim("AdamW", lr=0.02, weight_decay=0.1), None),
        ("adagrad:lr=0.1", _torch_optim("Adagrad", lr=0.1), None),
        ("adadelta:lr=1.0", _torch_optim("Adadelta", lr=1.0), None),
        ("adamax:lr=0.02", _torch_optim("Adamax", lr=0.02), 16),
        ("nadam:lr=0.02", _torch_optim("NAdam", lr=0.02), None),
        ("radam:lr=0.02", _torch_optim("RAdam", lr=0.02), None),
    ],
    ("mlp:2-6-3:relu", "blobs:n=60,classes=3"): [
        ("sgd:lr=0.3,momentum=0.9", _torch_optim("SGD", lr=0.3, momentum=0.9), None),
        ("adam:lr=0.05", _torch_optim("Adam", lr=0.05), 12),
    ],
    ("mlp:1-5-1:sigmoid", "line:n=50"): [
        ("sgd:lr=0.05", _torch_optim("SGD", lr=0.05), 10),
        ("rmsprop:lr=0.01", _torch_optim("RMSprop", lr=0.01), None),
    ],
}


@pytest.mark.parametrize(("model_spec", "data_spec"), list(RACES), ids=[m for m, _ in RACES])
def test_every_path_equals_torch_optim_up_to_its_horizon(model_spec, data_spec):
    require("torch")
    model, data = parse_model(model_spec), make_dataset(data_spec)
    race = RACES[model_spec, data_spec]
    learners = [Learner(spec, batch_size) for spec, _, batch_size in race]
    paths = train(model, data, learners, STEPS, batch_seed=3)
    horizon = horizons(model, data, learners, paths, batch_seed=3)
    loss = resolve_loss(model, data.train)
    targets = loss_targets(loss, data.train)
    assert (horizon == -1).mean() >= 0.5  # the comparison is not vacuous: most paths never depart
    for o, (spec, make, batch_size) in enumerate(race):
        theirs = torch_path(model, loss, data.train.inputs, targets, make, STEPS, batch_size, seed=3)
        ours = paths.params[:, o, 0]
        upto = STEPS + 1 if horizon[o, 0] < 0 else horizon[o, 0]
        assert upto > 10, f"{spec}: horizon {horizon[o, 0]}"
        gap = np.max(np.abs(ours[:upto] - theirs[:upto]), axis=1) / np.maximum(1.0, np.max(np.abs(theirs[:upto]), 1))
        assert gap.max() <= PARITY_TOLERANCE, f"{spec}: {gap.max():.2e} at step {gap.argmax()}"
        assert np.max(np.abs(ours[-1] - ours[0])) > 1e-3  # it trained


def test_a_schedule_trains_a_network_as_torchs_scheduler_does():
    torch = require("torch")
    model, data = parse_model("mlp:2-4-1:tanh"), make_dataset("xor:n=40")
    paths = train(model, data, ["sgd:lr=0.8,momentum=0.5@step:step_size=10,gamma=0.5"], 30)
    loss = resolve_loss(model, data.train)
    theirs = torch_path(model, loss, data.train.inputs, loss_targets(loss, data.train),
                        _torch_optim("SGD", lr=0.8, momentum=0.5), 30,
                        make_schedule=lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5))
    np.testing.assert_allclose(paths.params[:, 0, 0], theirs, rtol=0, atol=1e-12)


def test_the_batch_of_racers_is_each_racer_alone_to_the_bit():
    model, data = parse_model("mlp:2-6-1:tanh"), make_dataset("circles:n=48")
    racers = [Learner("adam:lr=0.05"), Learner("sgd:lr=0.5,clip_norm=0.1", 8), Learner("rmsprop:lr=0.01", 8)]
    together = train(model, data, racers, 15)
    for o, racer in enumerate(racers):
        alone = train(model, data, [racer], 15)
        assert alone.params[:, 0].tobytes() == together.params[:, o].tobytes()
        assert alone.train_loss[:, 0].tobytes() == together.train_loss[:, o].tobytes()


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_rule_moves_many_starts_as_it_moves_each(name):
    """Our rules on ``(S, P)`` blocks: each network steps as it would alone (clipping by the norm of each
    network's whole gradient), so the swarm of starts is the same bits as the starts one by one."""
    model, data = parse_model("mlp:2-3-1:tanh"), make_dataset("moons:n=20")
    starts = np.stack([model.initial(seed) for seed in range(3)])
    spec = f"{name}:lr=0.05,clip_norm=0.5"
    many = train(model, data, [spec], 6, starts=starts)
    for s in range(3):
        one = train(model, data, [spec], 6, starts=starts[s])
        assert one.params[:, 0, 0].tobytes() == many.params[:, 0, s].tobytes()


def test_torch_and_optax_adapters_train_networks_as_our_rules_do():
    model, data = parse_model("mlp:2-5-1:tanh"), make_dataset("moons:n=30")
    ours = train(model, data, ["adam:lr=0.05,beta1=0.8", "sgd:lr=0.3,momentum=0.9"], 20).params
    require("torch")
    theirs = train(model, data, ["torch:torch.optim.Adam:lr=0.05,betas=(0.8,0.999)",
                                 "torch:torch.optim.SGD:lr=0.3,momentum=0.9"], 20).params
    np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-12)
    require("optax")
    optax = train(model, data, ["optax:optax.adam:learning_rate=0.05,b1=0.8",
                                "optax:optax.sgd:learning_rate=0.3,momentum=0.9"], 20).params
    np.testing.assert_allclose(optax, ours, rtol=0, atol=1e-12)


def test_torch_lbfgs_evaluates_the_network_loss_itself():
    """L-BFGS's ``step(closure)`` gets the loss of the update's samples from the runner: it trains the
    network as ``torch.optim.LBFGS`` on the torch module does (which also flattens its parameters)."""
    torch = require("torch")
    model, data = parse_model("mlp:2-4-1:tanh"), make_dataset("moons:n=30")
    ours = train(model, data, ["torch:torch.optim.LBFGS:lr=0.5,max_iter=4"], 5).params[:, 0, 0]
    loss = resolve_loss(model, data.train)
    from .network_torch import as_tensor, criterion, flat_parameters, sequential

    net = sequential(model, model.initial())
    optimizer = torch.optim.LBFGS(net.parameters(), lr=0.5, max_iter=4)
    x, y, loss_of = as_tensor(data.train.inputs), as_tensor(data.train.targets), criterion(loss)

    def closure():
        optimizer.zero_grad()
        value = loss_of(net(x), y)
        value.backward()
        return value

    theirs = [flat_parameters(net)]
    for _ in range(5):
        optimizer.step(closure)
        theirs.append(flat_parameters(net))
    assert np.max(np.abs(ours[-1] - ours[0])) > 0.05
    np.testing.assert_allclose(ours, np.array(theirs), rtol=0, atol=1e-9)


def test_a_diverging_network_stops_where_it_leaves_and_the_others_go_on():
    model, data = parse_model("mlp:2-8-1:relu"), make_dataset("moons:n=40")
    paths = train(model, data, ["sgd:lr=0.3", "sgd:lr=1e7"], 12)
    assert paths.diverged_step[0, 0] == -1 and paths.diverged_step[1, 0] >= 1
    gone = paths.diverged_step[1, 0]
    assert np.isnan(paths.params[gone:, 1]).all() and np.isfinite(paths.params[:gone, 1]).all()
    assert np.isnan(paths.train_loss[gone:, 1]).all() and np.isfinite(paths.train_loss[:, 0]).all()
    np.testing.assert_array_equal(paths.final[1, 0], paths.params[gone - 1, 1, 0])
    assert np.isnan(paths.batch_loss[gone - 1:, 1]).all()


def test_what_a_training_records():
    model, data = parse_model("logistic:2"), make_dataset("blobs:n=50,classes=2,validation=0.2,seed=4")
    paths = train(model, data, [Learner("sgd:lr=0.5"), Learner("sgd:lr=0.5", batch_size=8)], 10, batch_seed=2)
    assert paths.params.shape == (11, 2, 1, 3)
    order = BatchOrder(40, 8, 2)
    assert paths.samples_read.tolist() == [[40 * t for t in range(11)], [order.samples_processed(t) for t in range(11)]]
    # the true training loss and the validation loss at the start, by hand (numpy's own exp)
    w, b = paths.params[0, 0, 0, :2], paths.params[0, 0, 0, 2]

    def bce(part):
        z = part.inputs @ w + b
        return np.mean(np.logaddexp(0, z) - part.targets * z)

    assert paths.train_loss[0, 0, 0] == pytest.approx(bce(data.train), rel=1e-13)
    assert paths.validation_loss[0, 1, 0] == pytest.approx(bce(data.validation), rel=1e-13)
    # a full-batch update's batch loss is the training loss of the point before it
    np.testing.assert_allclose(paths.batch_loss[:, 0], paths.train_loss[:-1, 0], rtol=1e-15)
    assert ((paths.accuracy >= 0) & (paths.accuracy <= 1)).all() and paths.accuracy[-1].min() > 0.9


def test_same_scene_same_bytes():
    def digest():
        model, data = parse_model("mlp:2-5-5-2:relu:seed=3,loss=cross_entropy"), make_dataset("spirals:n=40,seed=2")
        paths = train(model, data, [Learner("adam:lr=0.05", 10), "sgd:lr=0.3"], 10, batch_seed=5)
        return hashlib.sha256(paths.params.tobytes() + paths.train_loss.tobytes()).hexdigest()

    assert digest() == digest()


def test_a_horizon_is_where_shadows_depart():
    model, data = parse_model("mlp:2-4-1:tanh"), make_dataset("moons:n=30")
    paths = train(model, data, ["sgd:lr=0.5"], 8)
    assert horizons(model, data, ["sgd:lr=0.5"], paths).tolist() == [[-1]]
    # the shadows start 4 ulps away: at a tolerance under that, they have departed from the first point
    assert horizons(model, data, ["sgd:lr=0.5"], paths, tolerance=1e-18).tolist() == [[0]]


@pytest.mark.parametrize(("model_spec", "data_spec", "message"), [
    ("mlp:3-4-1", "moons", "takes 3 inputs, the dataset 'moons' has 2"),
    ("mlp:2-4-2", "moons", "has 2 outputs; loss bce on 'moons' needs 1"),
    ("mlp:2-4-1:tanh:loss=cross_entropy", "moons", "loss cross_entropy on 'moons' needs 2"),
    ("mlp:2-4-1:tanh:loss=bce", "blobs", "loss bce needs binary labels 0 or 1"),
    ("mlp:1-4-1:tanh:loss=bce", "line", "a regression task"),
])
def test_a_model_that_does_not_fit_its_data_gets_one_line(model_spec, data_spec, message):
    with pytest.raises(NetworkError, match=message.replace("(", r"\(")) as caught:
        train(parse_model(model_spec), make_dataset(data_spec), ["sgd"], 1)
    assert "\n" not in str(caught.value)


def test_bad_training_requests_get_one_line():
    model, data = parse_model("logistic:2"), make_dataset("moons:n=20")
    for call, message in [
        (lambda: train(model, data, [], 5), "at least one optimizer"),
        (lambda: train(model, data, ["sgd"], 0), "steps must be a whole number >= 1"),
        (lambda: train(model, data, [Learner("sgd", batch_size=21)], 5), "from 1 to the 20 training samples"),
        (lambda: train(model, data, ["sgd"], 5, starts=np.zeros(4)), r"starts must be \(S, 3\)"),
        (lambda: train(model, data, ["sgd"], 5, starts=[np.nan, 0, 0]), "must be finite"),
        # 10**8 points of 3 float64 parameters: 2.2 GiB, with 8 starts 17.9 GiB, past the 4 GiB budget
        (lambda: train(model, data, ["sgd"], 10**8 - 1, starts=np.zeros((8, 3))),
         r"the network paths would need about 1[78].\d GiB of memory \(8 networks × 100000000 points × 3"),
    ]:
        with pytest.raises(NetworkError, match=message):
            call()
