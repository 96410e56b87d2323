"""Stage two of a render: a scene's computed paths, the only place where optimizers run.

::

    scene (a frozen description) -> compute_paths(scene) -> ComputedPaths -> view (frames) -> writer -> file

A :class:`ComputedPaths` value holds, for each panel of a scene (one for a plain race, several side by
side), the trajectories of its racers over all starts and the timeline of what each frame shows. Views
draw it and never run an optimizer; exports such as ``render --paths FILE`` come from it, never from a
view. Scene kinds without optimizers (the article's figures 4 and 5) have no paths: ``compute_paths``
returns ``None`` for them.

>>> from trajectories.scene import Scene  # the doctest's own import: this module imports no scene
>>> computed = compute_paths(Scene("demo", "sphere", ["sgd:lr=0.1"], start=(1.0, 1.0), steps=3))
>>> [panel.trajectories[0].positions[:, 0, 0].tolist() for panel in computed.panels]
[[1.0, 0.8, 0.64, 0.512]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core.spec import OptimizerSpec
from ..errors import RenderError
from ..surfaces.analytic import Array, Surface
from ..surfaces.gradients import ExactGradient, GradientSource
from .basins import Reduction, reduce_race
from .export import PathRecord, panels_document, paths_of, run_document
from .horizon import RUN_TOLERANCE, horizons, reduction_changes
from .run import Trajectory, run
from .starts import describe_starts

if TYPE_CHECKING:
    from ..network.computed import NetworkComputed
    from ..scene_protocol import Race, SceneValue
    from .timeline import Timeline


def race_trajectories(scene: Race) -> list[Trajectory]:
    """One :class:`Trajectory` per racer of ``scene``, each over all its starts (``(steps + 1, S, 2)``), with
    what the optimizers hold when the scene draws it (overlays, a state panel: :mod:`trajectories.core.state`)."""
    record = bool(scene.overlays) or scene.state_panel is not None
    return [
        run(scene.path_surface, racer.spec.build(), scene.starts, steps, gradient=scene.gradient_source(racer),
            record_state=record)
        for racer, steps in zip(scene.optimizers, scene.racer_steps(), strict=True)
    ]


def race_horizons(scene: Race, trajectories: Sequence[Trajectory] | None = None,
                  tolerance: float = RUN_TOLERANCE) -> list[Array]:
    """Per racer, the reproducibility horizon of each start's path (-1: none); see :mod:`trajectories.compute.horizon`;
    ``trajectories`` are :func:`race_trajectories`', computed when not given."""
    trajectories = race_trajectories(scene) if trajectories is None else trajectories
    return [
        horizons(scene.path_surface, racer.spec.build(), path.positions, gradient=scene.gradient_source(racer),
                 tolerance=tolerance)
        for racer, path in zip(scene.optimizers, trajectories, strict=True)
    ]


@dataclass(frozen=True)
class ChaoticPath:
    """A path of scene ``scene`` whose reproducibility horizon, ``step``, lies within its ``steps``."""

    scene: str
    label: str
    start: tuple[float, float]
    step: int
    steps: int
    reproducible: bool

    def warning(self) -> str:
        """One line: what it means and what to do (nothing, when the path is reproducible anyway)."""
        where = f"{self.scene}: the path of {self.label!r} from {describe_starts([self.start])}"
        if self.reproducible:
            return f"{where} is chaotic from step {self.step} of {self.steps}, but computed the same on every CPU"
        return (
            f"{where} is chaotic from step {self.step} of {self.steps}: later frames depend on the last bits of "
            "numpy's exp, sin, log... and can differ between CPUs; render it with --arithmetic portable "
            "(in a scene: arithmetic=\"portable\") for the same bytes on every machine"
        )


def chaotic_paths(scene: Race, trajectories: Sequence[Trajectory] | None = None,
                  tolerance: float = RUN_TOLERANCE) -> list[ChaoticPath]:
    """The paths of race ``scene`` whose horizon lies within their steps (``trajectories``: computed when not
    given)."""
    found = []
    exact = scene.reproducible_everywhere
    for racer, steps, found_steps in zip(scene.optimizers, scene.racer_steps(),
                                         race_horizons(scene, trajectories, tolerance), strict=True):
        for start, step in zip(scene.starts, found_steps.tolist(), strict=True):
            if 0 <= step <= steps:
                found.append(ChaoticPath(scene.name, racer.label, start, step, steps, exact))
    return found


@dataclass(frozen=True)
class PanelPaths:
    """One panel's racers, computed: ``trajectories[i]`` is racer ``i``'s over all starts, and ``timeline``
    says which step each frame shows. For a view that draws only where paths end (``basins``), the paths
    are not kept: ``reductions[i]`` is racer ``i``'s :class:`~trajectories.compute.basins.Reduction` instead, and
    ``trajectories`` is empty."""

    scene: Race
    trajectories: tuple[Trajectory, ...]
    timeline: Timeline
    reductions: tuple[Reduction, ...] = ()

    def horizons(self, tolerance: float = RUN_TOLERANCE) -> list[Array]:
        """Per racer, each start's reproducibility horizon (-1: none) at ``tolerance`` of the window."""
        return race_horizons(self.scene, self.trajectories, tolerance)

    def chaotic_paths(self, tolerance: float = RUN_TOLERANCE) -> list[ChaoticPath]:
        """The paths whose horizon lies within their steps (none known when the paths were reduced: see
        :meth:`changed_ends`)."""
        if self.reductions:
            return []
        return chaotic_paths(self.scene, self.trajectories, tolerance)

    def changed_ends(self, jobs: int = 1, client: Any = None) -> list[Array]:
        """For reduced paths (a basin map), per racer, which starts end at another target or step when their
        last bits change (:func:`trajectories.compute.horizon.reduction_changes`); ``[]`` for whole paths."""
        scene = self.scene
        return [reduction_changes(scene.path_surface, racer.spec.build(), np.asarray(scene.starts), steps, found,
                                  gradient=scene.gradient_source(racer), jobs=jobs, client=client)
                for racer, steps, found in zip(scene.optimizers, scene.racer_steps(), self.reductions, strict=True)]

    def records(self) -> list[PathRecord]:
        """One export record per (racer, start), labelled as in the legend, with each path's horizon."""
        if self.reductions:
            raise RenderError(f"{self.scene.name}: its paths were reduced to their ends and not kept; "
                              "use `trajectories run --format npz` for them")
        specs = [replace(racer.spec, label=racer.label) for racer in self.scene.optimizers]
        return paths_of(specs, self.scene.starts, self.trajectories, self.horizons(), self.scene.path_surface)

    def document(self) -> dict[str, Any]:
        """The panel as a ``trajectories.run`` JSON document (see :mod:`trajectories.compute.export`)."""
        scene = self.scene
        return run_document(scene.path_surface, self.records(), max(scene.racer_steps()),
                            scene.gradient_source().describe())


@dataclass(frozen=True)
class ComputedPaths:
    """Every panel of scene ``name``, computed (one panel for a plain race)."""

    name: str
    panels: tuple[PanelPaths, ...]

    def document(self) -> dict[str, Any]:
        """The JSON export: a ``trajectories.run`` document for one panel; for panels side by side a
        ``trajectories.panels`` document that holds one per panel, left to right."""
        if len(self.panels) == 1:
            return self.panels[0].document()
        return panels_document(self.name, [panel.document() for panel in self.panels])


def compute_panel(scene: Race, jobs: int = 1, client: Any = None, progress: Any = None) -> PanelPaths:
    """A race's paths and timeline; for a view that draws only where paths end, their reductions (in
    ``jobs`` processes: the same numbers for any number; ``progress(n)`` told of each chunk of ``n``
    starts done)."""
    from ..render.registry import get_view_kind

    if get_view_kind(scene.view).reduces:
        surface = scene.path_surface
        found = reduce_race(surface, [racer.spec.build() for racer in scene.optimizers], scene.starts,
                            scene.racer_steps(), [scene.gradient_source(racer) for racer in scene.optimizers],
                            jobs=jobs, client=client, progress=progress)
        return PanelPaths(scene, (), scene.timeline(), tuple(found))
    return PanelPaths(scene, tuple(race_trajectories(scene)), scene.timeline())


def compute_paths(scene: SceneValue, jobs: int = 1, client: Any = None,
                  progress: Any = None) -> ComputedPaths | NetworkComputed | None:
    """The computed paths of any scene kind: a race, panels side by side (each computed with the
    animation's frame count), or ``None`` for a kind without optimizers; ``jobs``: processes for paths
    that are reduced (the ``basins`` view), the same numbers for any number; ``client``: a
    ``dask.distributed.Client`` to reduce them on its cluster instead (:mod:`trajectories.compute.distributed`)."""
    if scene.kind == "network":  # a network race: its own compute (trajectories.network.computed)
        from ..network.computed import compute_network

        return compute_network(scene)  # type: ignore[arg-type]
    races = scene.races()
    if not races:
        return None
    if len(races) == 1 and races[0] is scene:
        return ComputedPaths(scene.name, (compute_panel(races[0], jobs, client, progress),))
    frames = scene.frame_count  # panels side by side: each computed with the animation's frame count
    return ComputedPaths(scene.name, tuple(compute_panel(p.with_options(frames=frames)) for p in races))


def record_paths(
    surface: Surface,
    specs: Sequence[OptimizerSpec],
    starts: Sequence[tuple[float, float]],
    steps: int,
    gradient: GradientSource | None = None,
) -> list[PathRecord]:
    """Run every spec from all ``starts`` at once, with each path's horizon (``trajectories run``); records
    in spec order, then start order. A portable ``surface`` (:func:`trajectories.core.portable.portable_surface`)
    and a gradient source built on it compute everything in portable arithmetic."""
    points = np.array(starts, dtype=np.float64).reshape(-1, 2)
    gradient = gradient if gradient is not None else ExactGradient(surface)
    trajectories = [run(surface, spec.build(), points, steps, gradient=gradient) for spec in specs]
    found = [horizons(surface, spec.build(), path.positions, gradient=gradient)
             for spec, path in zip(specs, trajectories, strict=True)]
    return paths_of(specs, [tuple(p) for p in points], trajectories, found, surface)
