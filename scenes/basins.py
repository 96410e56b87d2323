"""Many starts at once: where does each optimizer end up from every start? Basin maps and swarms.

A basin map colours each start of a grid by the minimum its path reaches (``view="basins"``, one panel
per optimizer); a swarm moves every start together as a dot (``view="swarm"``).
"""

from trajectories.scene import Racer, Scene
from trajectories.starts import Grid, Random  # noqa: F401 (Random: the swarm below)

himmelblau_basins = Scene(
    "himmelblau_basins", "himmelblau",
    [Racer("sgd:lr=0.01", "GD"), Racer("sgd:lr=0.01,momentum=0.9", "Momentum"), Racer("adam:lr=0.1", "Adam")],
    start_sets=[Grid(120, 120)], steps=200, frames=60, view="basins", size=(900, 390),
    title="Himmelblau: which minimum does each start reach?",
    description="Himmelblau's four minima: the same surface, three different basin maps for GD, momentum and Adam",
)
