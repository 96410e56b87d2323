"""The classic test functions, each a race between the optimizers most courses teach."""

from trajectories.scene import Racer, Scene

rosenbrock = Scene(
    "rosenbrock",
    surface="rosenbrock",
    start=(-1.5, 2.0),
    steps=300,
    optimizers=[
        Racer("sgd:lr=0.001", "Gradient descent"),
        Racer("sgd:lr=0.001,momentum=0.9", "Momentum"),
        Racer("adam:lr=0.1", "Adam"),
    ],
    loss_panel=True,
    description="down a curved valley: GD stalls, momentum and Adam reach the floor and follow it",
)
