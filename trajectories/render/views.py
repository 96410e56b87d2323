"""Stage three of a render: views, the only place matplotlib is used.

A view turns a scene and its computed paths (:mod:`trajectories.compute.paths`, computed before: a view never
computes them) into frames. Every scene kind
names the view that draws it in its ``view`` attribute: ``contour``, ``surface`` and ``wireframe`` for
races (panels side by side use their panels' view), ``averages`` and ``batches`` for the article's
figures 5 and 4. Views are found by name in :mod:`trajectories.render.registry`. To add one, write a class
that satisfies :class:`View` and register it::

    register_view("swarm", SwarmView)  # SwarmView(scene, paths, text) -> View

then a scene with ``view="swarm"`` renders with it (see CONTRIBUTING.md, "Extending").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import RenderError
from .averages import AveragesView
from .contour import ContourView
from .diagram import BatchDiagramView
from .registry import View, make_view

if TYPE_CHECKING:
    from ..compute.paths import ComputedPaths
    from ..scene import BatchDiagram, SeriesScene
    from ..scene_protocol import SceneValue

__all__ = ["View", "averages_view", "batch_diagram_view", "contour_view", "make_view"]


# --- the built-in views' builders, registered by name in trajectories.render.registry ---------------------

def contour_view(scene: SceneValue, paths: ComputedPaths, text: bool) -> ContourView:
    """The 2-D contour view of a race (one panel)."""
    if len(paths.panels) != 1:
        raise RenderError(f"{scene.name}: contour panels side by side are not supported; use the view surface "
                          "or wireframe, or one scene per panel")
    return ContourView(paths.panels[0], text)


def averages_view(scene: SeriesScene, paths: None, text: bool) -> AveragesView:
    """Figure 5's series and its exponentially weighted averages."""
    return AveragesView(scene, text)


def batch_diagram_view(scene: BatchDiagram, paths: None, text: bool) -> BatchDiagramView:
    """Figure 4's diagram of a dataset cut into mini-batches."""
    return BatchDiagramView(scene, text)
