import numpy as np

from trajectories.scene import Racer, Scene
from trajectories.surfaces.analytic import Surface

# an elliptic bowl tilted by a ripple, with its gradient written out
bowl = Surface(
    name="rippled_bowl",
    formula="x² + 3y² + 0.5 sin(3x)",
    description="a bowl with a ripple along x",
    value=lambda x, y: x**2 + 3 * y**2 + 0.5 * np.sin(3 * x),
    gradient=lambda x, y: (2 * x + 1.5 * np.cos(3 * x), 6 * y),
    window=(-2, 2, -2, 2),
    start=(1.8, 1.5),
)
race = Scene("rippled", bowl, [Racer("sgd:lr=0.05", "GD"), Racer("adam:lr=0.1", "Adam")], steps=100)
