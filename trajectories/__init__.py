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
import sys
import types
from typing import TYPE_CHECKING, Any

from .version import __version__

# PEP 562: each name is imported on first use, so that `import trajectories` (and the command line, whose
# help and `list` need none of them) does not load numpy, mpmath or matplotlib
_LAZY = {
    "optimizers": ".optimizers", "get_surface": ".catalogue", "resolve_surface": ".catalogue",
    "horizons": ".horizon", "portable_surface": ".portable", "Trajectory": ".run",
    "NetworkScene": ".scene", "Racer": ".scene", "Scene": ".scene", "SideBySide": ".scene", "OptimizerSpec": ".spec",
    "parse_optimizer": ".spec",
}

__all__ = [
    "NetworkScene", "OptimizerSpec", "Racer", "Scene", "SideBySide", "Trajectory", "__version__", "get_surface",
    "horizons",
    "optimizers", "parse_optimizer", "portable_surface", "resolve_surface", "run",
]

if TYPE_CHECKING:
    from . import optimizers
    from .catalogue import get_surface, resolve_surface
    from .horizon import horizons
    from .portable import portable_surface
    from .run import Trajectory, run
    from .scene import NetworkScene, Racer, Scene, SideBySide
    from .spec import OptimizerSpec, parse_optimizer


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'trajectories' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name], __name__)
    value = module if name == "optimizers" else getattr(module, name)
    globals()[name] = value  # once: later uses are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """The package itself: ``trajectories.run`` stays the runner function once the module of that name is
    imported (the import system binds a submodule to its name on the package, which would hide it)."""

    @property
    def run(self) -> Any:
        from .run import run

        return run

    @run.setter
    def run(self, value: Any) -> None:  # the submodule trajectories.run, bound by the import system
        pass


sys.modules[__name__].__class__ = _Package
