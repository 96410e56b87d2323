"""Optimizers, surfaces and scenes from other packages, found by their entry points.

A package adds names to ``trajectories`` by declaring entry points (``setup.cfg``)::

    [options.entry_points]
    trajectories.core.optimizers =
        signsgd = my_package.rules:signsgd        # a factory like ours: keyword hyperparameters -> (init, update)
    trajectories.surfaces.analytic =
        bowl = my_package.surfaces:bowl           # a function of no arguments -> Surface (or a Surface)
    trajectories.scenes =
        my_scenes = my_package.scenes             # a module (its module-level scenes), a scene, or a function
                                                  # returning a scene or a list of them

Optimizers and surfaces go by their entry point's name, scenes by their own names. Once installed they
show in ``trajectories optimizers``, ``surfaces`` and ``list``, and work wherever a built-in name does. A
name that two packages claim, or that a package claims beside a built-in one, is a :class:`PluginError`
naming both.

>>> sorted(GROUPS)
['optimizers', 'scenes', 'surfaces']
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from ..errors import PluginError

GROUPS = {"optimizers": "trajectories.optimizers", "surfaces": "trajectories.surfaces",
          "scenes": "trajectories.scenes"}


@dataclass(frozen=True)
class Plugin:
    """One entry point of group ``kind`` (a key of :data:`GROUPS`) from distribution ``distribution``."""

    kind: str
    name: str
    distribution: str
    entry_point: EntryPoint

    def load(self) -> Any:
        """The object the entry point names; :class:`PluginError` (one line) when it does not load."""
        try:
            return self.entry_point.load()
        except Exception as error:
            text = str(error).strip().splitlines()
            raise PluginError(f"{self.kind[:-1]} plugin {self.name!r} of {self.distribution} "
                              f"({self.entry_point.value}) does not load: {type(error).__name__}: "
                              f"{text[0] if text else ''}") from None


def discover(kind: str, built_in: tuple[str, ...] = ()) -> dict[str, Plugin]:
    """The plugins of group ``kind`` by entry-point name. :class:`PluginError` when two distributions
    declare the same name, or one declares a name in ``built_in``."""
    found: dict[str, Plugin] = {}
    for entry_point in entry_points(group=GROUPS[kind]):
        plugin = Plugin(kind, entry_point.name, distribution_of(entry_point), entry_point)
        claim(kind, plugin.name, plugin.distribution, found, built_in)
        found[plugin.name] = plugin
    return found


def claim(kind: str, name: str, distribution: str, claimed: dict[str, Any], built_in: tuple[str, ...] = ()) -> None:
    """:class:`PluginError` if ``name`` is built in or already in ``claimed`` (values with a
    ``distribution``): the message names both claimants."""
    singular = kind[:-1]
    if name in built_in:
        raise PluginError(f"{singular} {name!r} of the plugin package {distribution} clashes with the built-in "
                          f"{singular} {name!r}: uninstall {distribution} or ask its authors to rename it")
    if name in claimed and claimed[name].distribution != distribution:
        other = claimed[name].distribution
        raise PluginError(f"two plugin packages declare the {singular} {name!r}: {other} and {distribution}; "
                          "uninstall one of them")


def distribution_of(entry_point: EntryPoint) -> str:
    """The name of the distribution that declares ``entry_point`` (``"?"`` when metadata lacks it)."""
    dist = getattr(entry_point, "dist", None)
    return f"{dist.name} {dist.version}" if dist is not None else "?"


def plugin_packages() -> frozenset[str]:
    """The top-level packages that installed plugins' entry points name (read from their metadata, nothing
    imported): installed code, so adapter names inside them may come from data too
    (:mod:`trajectories.trust.names`)."""
    names = set()
    for group in GROUPS.values():
        for entry_point in entry_points(group=group):
            module = entry_point.value.split(":")[0].strip()
            if module:
                names.add(module.split(".")[0])
    return frozenset(names)
