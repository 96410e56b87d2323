"""The catalogue of named surfaces: every surface of ``SURFACES.md`` plus the data-driven regression loss."""

from __future__ import annotations

from collections.abc import Callable

from . import surfaces
from .data import regression_surface
from .surfaces import Surface

_FACTORIES: dict[str, Callable[[], Surface]] = {
    # lesson surfaces
    "saddle": surfaces.saddle,
    "monkey_saddle": surfaces.monkey_saddle,
    "peaks": surfaces.peaks,
    "ravine": surfaces.ravine,
    "rotated_ravine": lambda: surfaces.ravine(kappa=50.0, angle_degrees=45.0, name="rotated_ravine"),
    "two_wells": surfaces.two_wells,
    "plateau": surfaces.plateau,
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


def get_surface(name: str) -> Surface:
    """The catalogue's surface ``name``; :class:`KeyError` naming the known surfaces otherwise."""
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise KeyError(f"unknown surface {name!r} (known: {', '.join(SURFACE_NAMES)})") from None
    return factory()
