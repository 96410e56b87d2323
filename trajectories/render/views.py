"""Stage three of a render: views, the only place matplotlib is used.

A view turns a scene (and its computed paths, :mod:`trajectories.paths`) into frames. Every scene kind
names the view that draws it in its ``view`` attribute: ``contour``, ``surface`` and ``wireframe`` for
races (panels side by side use their panels' view), ``averages`` and ``batches`` for the article's
figures 5 and 4. Views are found by name in :mod:`trajectories.view_registry`. To add one, write a class
that satisfies :class:`View` and register it::

    register_view("swarm", SwarmView)  # SwarmView(scene, paths, text) -> View

then a scene with ``view="swarm"`` renders with it (see CONTRIBUTING.md, "Extending").
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from ..errors import RenderError
from ..paths import ComputedPaths, compute_paths
from ..view_registry import view_of
from .averages import AveragesView
from .contour import ContourView
from .diagram import BatchDiagramView


class View(Protocol):
    """What the pipeline (:mod:`trajectories.pipeline`) needs of a view.

    ``steps_shown`` has one entry per frame; ``frame(i)`` draws frame ``i`` as ``(H, W, 4)`` uint8 RGBA of
    the scene's size, the same pixels whenever it is asked for (frames may be drawn out of order, and in
    other processes for a ``parallel`` view); ``reserved_colors()`` are colours the GIF palette must hold
    exactly (the racers', the text's); ``close()`` frees the figure. Built-in views also describe frame ``i``
    without drawing it, ``geometry(i)`` (:mod:`trajectories.render.geometry`, for the frame checker), and
    list the frames their story is about, ``moments()`` (:mod:`trajectories.moments`), which the pipeline
    holds where the scene pauses.
    """

    steps_shown: list[int]

    def frame(self, index: int) -> np.ndarray: ...

    def reserved_colors(self) -> list[tuple[int, int, int]]: ...

    def close(self) -> None: ...


def make_view(scene: Any, paths: ComputedPaths | None = None, text: bool = True) -> View:
    """The view that draws ``scene``, from its computed ``paths`` (computed here when not given); with
    ``text`` false it draws no text (snapshot tests)."""
    kind = view_of(scene)
    if kind.needs_paths and paths is None:
        paths = compute_paths(scene)
    return kind.factory()(scene, paths, text)


# --- the built-in views' builders, registered by name in trajectories.view_registry ---------------------

def contour_view(scene: Any, paths: ComputedPaths, text: bool) -> ContourView:
    """The 2-D contour view of a race (one panel)."""
    if len(paths.panels) != 1:
        raise RenderError(f"{scene.name}: contour panels side by side are not supported; use the view surface "
                          "or wireframe, or one scene per panel")
    return ContourView(paths.panels[0], text)


def averages_view(scene: Any, paths: None, text: bool) -> AveragesView:
    """Figure 5's series and its exponentially weighted averages."""
    return AveragesView(scene, text)


def batch_diagram_view(scene: Any, paths: None, text: bool) -> BatchDiagramView:
    """Figure 4's diagram of a dataset cut into mini-batches."""
    return BatchDiagramView(scene, text)
