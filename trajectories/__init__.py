"""trajectories: animations of optimizer trajectories on 2-D cost surfaces.

The numeric core (everything outside ``trajectories.render``) is plain numpy and never imports
matplotlib. The names most people need are importable from here::

    import trajectories as tj

    race = tj.Scene("race", "rosenbrock", [tj.Racer("adam:lr=0.1", "Adam")], steps=200)
    race.render("race.gif")
    path = tj.run(tj.get_surface("himmelblau"), tj.optimizers.adam(lr=0.1), (0.0, 0.0), steps=100)
"""

from . import optimizers
from .catalogue import get_surface, resolve_surface
from .horizon import horizons
from .portable import portable_surface
from .run import Trajectory, run
from .scene import Racer, Scene, SideBySide
from .spec import OptimizerSpec, parse_optimizer
from .version import __version__

__all__ = [
    "OptimizerSpec", "Racer", "Scene", "SideBySide", "Trajectory", "__version__", "get_surface", "horizons",
    "optimizers", "parse_optimizer", "portable_surface", "resolve_surface", "run",
]
