"""The article's lessons on a real network: a small MLP learning the two moons, trained by the racers at once
from the same initial weights, drawn on the plane their paths span (:class:`~trajectories.scene.NetworkScene`).

Each scene is one lesson of the 2-D figures carried over: the optimizer race, figure 2's learning rates,
figure 3's batch sizes and Adam's bias correction. The loss panel shows each racer's true training loss over
all 200 samples (a path leaves the plane; the caption says how much of each the plane shows).
``tests/test_network_stories.py`` checks each story in numbers.
"""

from trajectories.scene import NetworkScene, Racer

MOONS = "moons:n=200,noise=0.2,seed=0"
MLP = "mlp:2-12-12-1:tanh"
GRIDS = {"loss_grid": 31, "boundaries": 8}  # the landscape at 31² points, 8 decision steps: a quarter off each compute

network_race = NetworkScene(
    "network_race", network=MLP, dataset=MOONS, steps=150, **GRIDS,
    optimizers=[Racer("sgd:lr=0.3", "GD"), Racer("sgd:lr=0.3,momentum=0.9", "Momentum"),
                Racer("rmsprop:lr=0.01", "RMSProp"), Racer("adam:lr=0.02", "Adam")],
    title="GD, momentum, RMSProp and Adam train the same network",
    description="the optimizer race on a real network: an MLP (2-12-12-1, tanh) learning the two moons, its loss "
    "landscape on the PCA plane of all four paths; after 150 updates Adam's and momentum's loss is under a sixth of "
    "GD's",
)

network_learning_rate = NetworkScene(
    "network_learning_rate", network=MLP, dataset=MOONS, steps=150, **GRIDS, projection="plane:racers=[1,2]",
    optimizers=[Racer("sgd:lr=0.01", "too small"), Racer("sgd:lr=0.5", "right"), Racer("sgd:lr=8", "too large")],
    title="Figure 2 on a network: too small, right and too large rates",
    description="figure 2 on a real network: GD with lr 0.01 barely moves, lr 0.5 learns the moons, lr 8 throws the "
    "weights far away and its loss jumps fifteenfold and keeps oscillating, worse than the right rate",
)

network_batch_size = NetworkScene(
    "network_batch_size", network=MLP, dataset=MOONS, steps=150, **GRIDS, time_axis="samples",
    optimizers=[Racer("sgd:lr=0.3", "full batch (200)"), Racer("sgd:lr=0.3", "mini-batches of 20", batch_size=20),
                Racer("sgd:lr=0.05", "stochastic (1)", batch_size=1)],
    title="Figure 3's batch sizes on a network, against samples read",
    description="figure 3 on a real network: full-batch, mini-batch and stochastic GD against samples read; for the "
    "same samples, mini-batches learn far faster than the full batch, single samples fastest and noisiest",
)

network_bias_correction = NetworkScene(
    "network_bias_correction", network=MLP, dataset=MOONS, steps=100, **GRIDS,
    optimizers=[Racer("adam:lr=0.02", "Adam"), Racer("adam:lr=0.02,bias_correction=false", "no bias correction")],
    title="Adam's bias correction on a network",
    description="Adam with and without bias correction on a real network: without it, the first update is "
    "(1 − β₁)/√(1 − β₂) ≈ 3.2 times as long in every weight",
)

network_landscape_3d = NetworkScene(
    "network_landscape_3d", network="mlp:2-6-1:tanh", dataset="moons:n=100,noise=0.2,seed=0", steps=60,
    loss_grid=25, boundaries=0, view="network_surface", frames=40,
    optimizers=[Racer("sgd:lr=0.3", "GD"), Racer("sgd:lr=0.3,momentum=0.9", "Momentum"), Racer("adam:lr=0.03", "Adam")],
    title="The race in 3-D: each path at its true training loss",
    description="the optimizer race on a small MLP in 3-D, like the article's figures: the loss over the PCA plane of "
    "the three paths as a surface, each path drawn at its racer's true training loss",
)
