# my_scenes.py  —  render with: trajectories render my_scenes.py:race
from trajectories.scene import Racer, Scene

race = Scene(
    "race", surface="rosenbrock", start=(-1.5, 2.0), steps=300,
    optimizers=[Racer("sgd:lr=0.001,momentum=0.9", "Momentum"), Racer("adam:lr=0.1", "Adam", color="#D55E00")],
    loss_panel=True, description="momentum vs Adam down Rosenbrock's valley",
)
