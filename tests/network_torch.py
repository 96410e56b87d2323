"""The torch side of the network parity tests: the same model as an ``nn.Sequential`` (float64, with our
initial parameters copied in), its loss, and ``torch.optim`` training on the same batches."""

import numpy as np

from trajectories.network.activations import ACTIVATIONS
from trajectories.network.losses import Loss
from trajectories.network.models import Model
from trajectories.surfaces.gradients import BatchOrder

from .adapter_support import require


def sequential(model: Model, params: np.ndarray):
    """``model`` as a torch module holding ``params`` ``(P,)``: Linear, activation, ..., Linear."""
    torch = require("torch")
    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(model.widths[:-1], model.widths[1:], strict=True)):
        layers.append(torch.nn.Linear(fan_in, fan_out, dtype=torch.float64))
        if index < len(model.widths) - 2:
            layers.append(getattr(torch.nn, ACTIVATIONS[model.activation].torch_name)())
    net = torch.nn.Sequential(*layers)
    torch.nn.utils.vector_to_parameters(torch.tensor(np.array(params, dtype=np.float64)), net.parameters())
    return net


def criterion(loss: Loss):
    """``loss`` as a function ``(outputs, targets) -> scalar`` in torch."""
    torch = require("torch")
    module = getattr(torch.nn, loss.torch_name)()
    return (lambda out, y: module(out[:, 0], y)) if loss.name == "bce" else module


def as_tensor(values: np.ndarray):
    torch = require("torch")
    values = np.asarray(values)
    return torch.tensor(values, dtype=torch.int64 if values.dtype.kind == "i" else torch.float64)


def flat_gradient(net) -> np.ndarray:
    torch = require("torch")
    return torch.nn.utils.parameters_to_vector([p.grad for p in net.parameters()]).detach().numpy().copy()


def flat_parameters(net) -> np.ndarray:
    torch = require("torch")
    return torch.nn.utils.parameters_to_vector(net.parameters()).detach().numpy().copy()


def torch_path(model: Model, loss: Loss, inputs: np.ndarray, targets: np.ndarray, make_optimizer, steps: int,
               batch_size: int | None = None, seed: int = 0, make_schedule=None) -> np.ndarray:
    """The parameters ``(steps + 1, P)`` of ``torch.optim`` training ``model`` from ``model.initial()`` on
    the batches of :class:`~trajectories.surfaces.gradients.BatchOrder` (full batch when ``batch_size`` is None)."""
    torch = require("torch")
    previous, threads = torch.get_default_dtype(), torch.get_num_threads()
    torch.set_default_dtype(torch.float64)  # the scalars torch keeps in it (NAdam's mu_product, step counts)
    torch.set_num_threads(1)  # tiny tensors: threads only cost here
    try:
        net = sequential(model, model.initial())
        optimizer = make_optimizer(net.parameters())
        schedule = make_schedule(optimizer) if make_schedule is not None else None
        loss_of = criterion(loss)
        order = BatchOrder(len(inputs), batch_size, seed) if batch_size else None
        path = [flat_parameters(net)]
        for t in range(steps):
            rows = order.batch(t) if order is not None else slice(None)
            x, y = as_tensor(inputs[rows]), as_tensor(targets[rows])
            optimizer.zero_grad()
            loss_of(net(x), y).backward()
            optimizer.step()
            if schedule is not None:
                schedule.step()
            path.append(flat_parameters(net))
    finally:
        torch.set_default_dtype(previous)
        torch.set_num_threads(threads)
    return np.array(path)
