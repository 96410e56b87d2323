"""What training a race on a network and drawing its landscape cost, as ratios to torch and to plain numpy.

    python bench/bench_networks.py            # needs torch for the torch columns

1. Training: the article's race (GD, momentum, RMSProp, Adam) on ``mlp:2-16-16-1:tanh``, ``moons:n=400``, 300
   full-batch updates, as one batch of networks (``network.training.descend``: the update loop alone), against
   ``torch.optim`` training the same ``nn.Sequential`` networks one by one (float64, same initial weights,
   one thread: on a shared 2-core machine torch's default threads measured 10 to 60 times slower). Then
   4 optimizers x 4 seeds (16 networks), and ``train`` itself (the loop plus every point's training loss and
   accuracy).
2. Same bits against fast bits: one forward and backward pass of the 4 networks in our arithmetic against the
   same pass with numpy's BLAS ``matmul`` and SIMD ``tanh`` (which differ between CPUs).
3. The landscape: a 41 x 41 loss grid on the PCA plane, per point, against torch evaluating one network.
4. Drawing (phase B): the frames of the built-in ``network_race`` (its view built from a computed value, then
   every frame) against a 2-D race of the same frame count and size (``rosenbrock`` with four racers and a
   loss panel), per frame; and what the scene's compute costs beside its frames.

Timings are medians of runs interleaved on a shared machine: read the ratios, not the seconds.
"""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager

import numpy as np

from trajectories.network.backprop import loss_and_gradient
from trajectories.network.datasets import make_dataset
from trajectories.network.landscape import loss_grid
from trajectories.network.models import parse_model
from trajectories.network.projection import fit_window, parse_projection
from trajectories.network.training import descend, loss_targets, resolve_loss, train

MODEL, DATA, STEPS = "mlp:2-16-16-1:tanh", "moons:n=400,noise=0.2,seed=0", 300
RACE = ["sgd:lr=0.5", "sgd:lr=0.5,momentum=0.9", "rmsprop:lr=0.01", "adam:lr=0.03"]


def interleaved(actions: dict, repeats: int = 3) -> dict[str, float]:
    """The median seconds of each action, the actions run in turn ``repeats`` times (a busy machine slows
    them alike)."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeats):
        for name, action in actions.items():
            began = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - began)
    return {name: statistics.median(values) for name, values in times.items()}


@contextmanager
def one_thread(torch):
    """torch on one thread within the block."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def sequential(model, params):
    """``model`` as a float64 ``nn.Sequential`` holding ``params`` (as ``tests/network_torch.py`` builds it)."""
    import torch

    layers = []
    for index, (fan_in, fan_out) in enumerate(zip(model.widths[:-1], model.widths[1:], strict=True)):
        layers.append(torch.nn.Linear(fan_in, fan_out, dtype=torch.float64))
        if index < len(model.widths) - 2:
            layers.append(torch.nn.Tanh())
    net = torch.nn.Sequential(*layers)
    torch.nn.utils.vector_to_parameters(torch.tensor(params), net.parameters())
    return net


def torch_race(model, data, starts):
    """``torch.optim`` training each (optimizer, start) network of the race one after the other, on one
    thread."""
    import torch

    optimizers = [lambda p: torch.optim.SGD(p, lr=0.5), lambda p: torch.optim.SGD(p, lr=0.5, momentum=0.9),
                  lambda p: torch.optim.RMSprop(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.03)]
    x, y = torch.tensor(data.inputs), torch.tensor(data.targets)
    criterion = torch.nn.BCEWithLogitsLoss()

    def run() -> None:
        with one_thread(torch):
            for make in optimizers:
                for start in starts:
                    net = sequential(model, start)
                    optimizer = make(net.parameters())
                    for _ in range(STEPS):
                        optimizer.zero_grad()
                        criterion(net(x)[:, 0], y).backward()
                        optimizer.step()

    return run


def numpy_blas_pass(model, params, inputs, targets):
    """One forward and backward pass with numpy's matmul and tanh (fast, but CPU-dependent bits)."""
    layers = model.unpack(params)
    activations, zs = [np.broadcast_to(inputs, (len(params), *inputs.shape))], []
    for index, (weights, bias) in enumerate(layers):
        z = activations[-1] @ weights.transpose(0, 2, 1) + bias[:, None, :]
        zs.append(z)
        activations.append(np.tanh(z) if index < len(layers) - 1 else z)
    delta = (1 / (1 + np.exp(-zs[-1])) - targets[:, None]) / len(inputs)
    grads = []
    for index in reversed(range(len(layers))):
        grads.append(delta.transpose(0, 2, 1) @ activations[index])
        if index:
            delta = (delta @ layers[index][0]) * (1 - activations[index] ** 2)
    return grads


def main() -> None:
    model, split = parse_model(MODEL), make_dataset(DATA)
    data = split.train
    try:
        import torch
    except ImportError:
        torch = None
    print(f"{MODEL} on {DATA}, {STEPS} full-batch updates, float64")
    for seeds in (1, 4):
        starts = np.stack([model.initial(seed) for seed in range(seeds)])
        networks = len(RACE) * seeds
        actions = {"ours": lambda starts=starts: descend(model, data, RACE, STEPS, starts=starts)}
        if torch is not None:
            actions["torch"] = torch_race(model, data, starts)
        if seeds == 1:
            actions["train (with every point's loss)"] = lambda: train(model, split, RACE, STEPS)
        times = interleaved(actions, repeats=3 if seeds == 1 else 1)
        line = f"  {networks:2d} networks: ours {times['ours']:.2f} s"
        for name, seconds in times.items():
            if name != "ours":
                line += f", {name} {seconds:.2f} s (ours {times['ours'] / seconds:.2f}x)"
        print(line)

    params = np.stack([model.initial(seed) for seed in range(4)])
    loss = resolve_loss(model, data)
    targets = loss_targets(loss, data)
    passes = interleaved({"ours": lambda: loss_and_gradient(model, loss, params, data.inputs, targets),
                          "numpy BLAS": lambda: numpy_blas_pass(model, params, data.inputs, targets)}, repeats=20)
    ratio = passes["ours"] / passes["numpy BLAS"]
    print(f"one forward and backward pass of 4 networks on {len(data)} samples: ours {passes['ours'] * 1e3:.2f} ms, "
          f"numpy BLAS {passes['numpy BLAS'] * 1e3:.2f} ms (same bits cost {ratio:.1f}x)")

    paths = train(model, split, RACE, STEPS).params
    plane = parse_projection("pca").fit(model, paths)
    window = fit_window(plane.project(paths))
    actions = {"ours": lambda: loss_grid(model, loss, data, targets, plane, window, (41, 41))}
    if torch is not None:
        net = sequential(model, model.initial())
        x, y = torch.tensor(data.inputs), torch.tensor(data.targets)
        criterion = torch.nn.BCEWithLogitsLoss()

        def torch_points() -> None:
            with one_thread(torch), torch.no_grad():
                for _ in range(41 * 41 // 8):  # an eighth of the grid, scaled below
                    criterion(net(x)[:, 0], y)

        actions["torch"] = torch_points
    times = interleaved(actions, repeats=3)
    ours = times["ours"] / 41**2
    line = f"loss grid 41 x 41 on {len(data)} samples: {ours * 1e3:.3f} ms a point"
    if "torch" in times:
        theirs = times["torch"] / (41 * 41 // 8)
        line += f", torch one network at a time {theirs * 1e3:.3f} ms a point (ours {ours / theirs:.2f}x)"
    print(line)

    frames_per_second()


def frames_per_second() -> None:
    """Time per frame of the network view against a 2-D race's contour view, the same frames and size."""
    from trajectories.compute.paths import compute_paths
    from trajectories.render.network_view import NetworkView
    from trajectories.render.views import make_view
    from trajectories.scene import builtin_scenes

    network = builtin_scenes()["network_race"]
    began = time.perf_counter()
    computed = compute_paths(network)
    compute_seconds = time.perf_counter() - began
    race = builtin_scenes()["rosenbrock"].with_options(
        optimizers=RACE_2D, frames=network.frame_count, size=network.look.size, loss_panel=True)
    paths = compute_paths(race)

    def draw(build) -> None:
        view = build()
        try:
            for index in range(len(view.steps_shown)):
                view.frame(index)
        finally:
            view.close()

    times = interleaved({"network": lambda: draw(lambda: NetworkView(network, computed)),
                         "2-D race": lambda: draw(lambda: make_view(race, paths))}, repeats=3)
    count = network.frame_count
    per = {name: seconds / count for name, seconds in times.items()}
    width, height = network.size
    print(f"drawing {count} frames of {width}x{height}: network view {per['network'] * 1e3:.1f} ms a frame,"
          f" 2-D race (contours, loss panel) {per['2-D race'] * 1e3:.1f} ms a frame "
          f"(network {per['network'] / per['2-D race']:.2f}x); the scene's compute {compute_seconds:.2f} s = "
          f"{compute_seconds / times['network']:.2f}x its frames")


RACE_2D = ["sgd:lr=0.001", "sgd:lr=0.001,momentum=0.9", "rmsprop:lr=0.01", "adam:lr=0.1"]


if __name__ == "__main__":
    main()
