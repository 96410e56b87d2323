"""trajectories: animations of optimizer trajectories on 2-D cost surfaces.

The numeric core (everything outside ``trajectories.render``) is plain numpy and never imports
matplotlib. The names most people need are importable from here::

    import trajectories as tj

    race = tj.Scene("race", "rosenbrock", [tj.Racer("adam:lr=0.1", "Adam")], steps=200)
    race.render("race.gif")
    path = tj.run(tj.get_surface("himmelblau"), tj.optimizers.adam(lr=0.1), (0.0, 0.0), steps=100)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .version import __version__

# PEP 562: each name is imported on first use, so that `import trajectories` (and the command line, whose
# help and `list` need none of them) does not load numpy, mpmath or matplotlib
_LAZY = {
    "optimizers": ".core.optimizers", "get_surface": ".surfaces.catalogue",
    "resolve_surface": ".surfaces.catalogue", "horizons": ".compute.horizon", "portable_surface": ".core.portable",
    "Trajectory": ".compute.run", "run": ".compute.run", "Racer": ".scene", "Scene": ".scene", "SideBySide": ".scene",
    "OptimizerSpec": ".core.spec", "parse_optimizer": ".core.spec",
}

__all__ = [
    "NetworkScene", "OptimizerSpec", "Racer", "Scene", "SideBySide", "Trajectory", "__version__", "get_surface",
    "horizons",
    "optimizers", "parse_optimizer", "portable_surface", "resolve_surface", "run",
]

if TYPE_CHECKING:
    from .compute.horizon import horizons
    from .compute.run import Trajectory, run
    from .core import optimizers
    from .core.portable import portable_surface
    from .core.spec import OptimizerSpec, parse_optimizer
    from .scene import NetworkScene, Racer, Scene, SideBySide
    from .surfaces.catalogue import get_surface, resolve_surface


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'trajectories' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name], __name__)
    value = module if name == "optimizers" else getattr(module, name)
    globals()[name] = value  # once: later uses are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
