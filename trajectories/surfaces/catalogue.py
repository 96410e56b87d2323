"""The catalogue of named surfaces: every surface of ``SURFACES.md`` plus the data-driven regression loss."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable

from ..errors import FormulaError
from . import analytic as surfaces
from .analytic import Surface
from .gradients import regression_surface

_FACTORIES: dict[str, Callable[[], Surface]] = {
    # lesson surfaces
    "saddle": surfaces.saddle,
    "monkey_saddle": surfaces.monkey_saddle,
    "peaks": surfaces.peaks,
    "ravine": surfaces.ravine,
    "rotated_ravine": lambda: surfaces.ravine(kappa=50.0, angle_degrees=45.0, name="rotated_ravine"),
    "two_wells": surfaces.two_wells,
    "plateau": surfaces.plateau,
    "cliff": surfaces.cliff,
    "regression": regression_surface,
    # classic test functions
    "sphere": surfaces.sphere,
    "rosenbrock": surfaces.rosenbrock,
    "beale": surfaces.beale,
    "booth": surfaces.booth,
    "matyas": surfaces.matyas,
    "himmelblau": surfaces.himmelblau,
    "rastrigin": surfaces.rastrigin,
    "ackley": surfaces.ackley,
    "goldstein_price": surfaces.goldstein_price,
    "styblinski_tang": surfaces.styblinski_tang,
    "six_hump_camel": surfaces.six_hump_camel,
    "three_hump_camel": surfaces.three_hump_camel,
    "easom": surfaces.easom,
    "mccormick": surfaces.mccormick,
    "levi_n13": surfaces.levi_n13,
    "branin": surfaces.branin,
}

SURFACE_NAMES: tuple[str, ...] = tuple(_FACTORIES)


def resolve_surface(text: str, window: tuple[float, float, float, float] | None = None) -> Surface:
    """A catalogue name or a formula in x and y (see :mod:`trajectories.surfaces.formula`); ``window`` replaces
    the surface's own. :class:`~trajectories.errors.FormulaError` (one line) when it is neither, or when
    the formula fails in ``window`` (no finite value there)."""
    from .formula import VARIABLES, formula_surface

    if not isinstance(text, str) or not text.strip():
        raise FormulaError("a surface needs a name (see `trajectories surfaces`) or a formula in x and y")
    text = text.strip()
    if text in _FACTORIES or (text.isidentifier() and text not in VARIABLES and text in _plugins()):
        surface = get_surface(text)
        return dataclasses.replace(surface, window=tuple(float(v) for v in window)) if window else surface
    if text.isidentifier() and text not in VARIABLES:
        close = difflib.get_close_matches(text, surface_names(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else " (see `trajectories surfaces`, or a formula in x and y)"
        raise FormulaError(f"unknown surface {text!r}{hint}")
    return formula_surface(text, window)


def get_surface(name: str) -> Surface:
    """The catalogue's surface ``name`` (or a plugin's: :mod:`trajectories.support.plugins`); :class:`KeyError`
    naming the known surfaces otherwise."""
    if name in _FACTORIES:
        return _FACTORIES[name]()
    plugins = _plugins()
    if name not in plugins:
        raise KeyError(f"unknown surface {name!r} (known: {', '.join(surface_names())})") from None
    found = plugins[name].load()
    surface = found() if callable(found) and not isinstance(found, Surface) else found
    if not isinstance(surface, Surface):
        raise FormulaError(f"surface plugin {name!r} of {plugins[name].distribution} gave {type(surface).__name__}, "
                           "not a Surface")
    return surface


def surface_names() -> tuple[str, ...]:
    """Every surface name: the catalogue's, then those of installed plugins."""
    return (*SURFACE_NAMES, *_plugins())


def _plugins() -> dict:
    from ..support.plugins import discover

    return discover("surfaces", SURFACE_NAMES)
