"""Many starts at once: where does each optimizer end up from every start? Basin maps and swarms.

A basin map colours each start of a grid by the minimum its path reaches (``view="basins"``, one panel
per optimizer); a swarm moves every start together as a dot (``view="swarm"``).
"""

from trajectories.compute.starts import Grid, Random
from trajectories.scene import Racer, Scene

himmelblau_basins = Scene(
    "himmelblau_basins", "himmelblau",
    [Racer("sgd:lr=0.01", "GD"), Racer("sgd:lr=0.01,momentum=0.9", "Momentum"), Racer("adam:lr=0.1", "Adam")],
    start_sets=[Grid(80, 80)], steps=150, frames=40, fps=10, view="basins", size=(780, 338),
    title="Himmelblau: which minimum does each start reach?",
    description="Himmelblau's four minima: the same surface, three different basin maps for GD, momentum and Adam",
)
peaks_basins = Scene(
    "peaks_basins", "peaks",
    [Racer("sgd:lr=0.01", "GD"), Racer("sgd:lr=0.01,momentum=0.9", "Momentum"), Racer("adam:lr=0.05", "Adam")],
    start_sets=[Grid(60, 60)], window=(-3, 3, -3, 3), steps=200, frames=50, fps=10, view="basins", size=(900, 390),
    title="peaks: which starts find the global minimum?",
    description="the article's local-minimum lesson for every start: which end in a local minimum, which in the "
                "global one",
)
rastrigin_swarm = Scene(
    "rastrigin_swarm", "rastrigin",
    [Racer("sgd:lr=0.002", "GD"), Racer("sgd:lr=0.004,momentum=0.9", "Momentum"), Racer("adam:lr=0.5", "Adam")],
    start_sets=[Random(1000, seed=1)], steps=150, view="swarm", trail="tail", tail=4, loss_panel=True,
    title="Rastrigin: {starts} starts, three optimizers",  # the count of the starts drawn
    description="a swarm of 1,000 starts on Rastrigin's traps: GD and momentum stop in the nearest, Adam's median "
                "ends lower",
)
