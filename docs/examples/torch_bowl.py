import torch

from trajectories.scene import Scene
from trajectories.surfaces.analytic import Surface

bowl = Surface.from_torch(lambda x, y: (x**2 + y - 11)**2 + (x + y**2 - 7)**2, window=(-5, 5, -5, 5),
                          name="himmelblau_torch", minima=[(3, 2)])
race = Scene("race", bowl, [torch.optim.Adagrad, "torch:torch.optim.SGD:lr=0.01,momentum=0.5"],
             start=(-0.25, -0.85), steps=100)
