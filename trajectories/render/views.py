"""Stage three of a render: views, the only place matplotlib is used, found by name in one registry.

A view turns a scene (and its computed paths, :mod:`trajectories.paths`) into frames. Every scene kind
names the view that draws it in its ``view`` attribute: ``contour``, ``surface`` and ``wireframe`` for
races (panels side by side use their panels' view), ``averages`` and ``batches`` for the article's
figures 5 and 4. To add a view, write a class that satisfies :class:`View` and register it::

    register_view("swarm", SwarmView)  # SwarmView(scene, paths, text) -> View

then a scene with ``view="swarm"`` renders with it (see "Extending" in README.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..errors import RenderError
from ..paths import ComputedPaths, compute_paths
from .averages import AveragesView
from .contour import ContourView
from .diagram import BatchDiagramView
from .surface3d import SurfaceView


class View(Protocol):
    """What the pipeline (:mod:`trajectories.pipeline`) needs of a view.

    ``steps_shown`` has one entry per frame; ``frame(i)`` draws frame ``i`` as ``(H, W, 4)`` uint8 RGBA of
    the scene's size, the same pixels whenever it is asked for (frames may be drawn out of order, and in
    other processes for a ``parallel`` view); ``reserved_colors()`` are colours the GIF palette must hold
    exactly (the racers', the text's); ``close()`` frees the figure.
    """

    steps_shown: list[int]

    def frame(self, index: int) -> np.ndarray: ...

    def reserved_colors(self) -> list[tuple[int, int, int]]: ...

    def close(self) -> None: ...


ViewFactory = Callable[[Any, "ComputedPaths | None", bool], View]


@dataclass(frozen=True)
class ViewKind:
    """A registered view: how to build it from ``(scene, paths, text)``, whether its frames are independent
    full redraws worth drawing in several processes (``parallel``), and whether it draws computed paths."""

    name: str
    build: ViewFactory
    parallel: bool = False
    needs_paths: bool = True


VIEWS: dict[str, ViewKind] = {}


def register_view(name: str, build: ViewFactory, *, parallel: bool = False, needs_paths: bool = True) -> None:
    """Make ``build`` the view called ``name``; :class:`ValueError` if the name is taken."""
    if name in VIEWS:
        raise ValueError(f"a view called {name!r} is already registered")
    VIEWS[name] = ViewKind(name, build, parallel, needs_paths)


def view_kind(scene: Any) -> ViewKind:
    """The registered view that draws ``scene`` (by its ``view`` attribute)."""
    name = getattr(scene, "view", None)
    if name not in VIEWS:
        raise RenderError(f"{getattr(scene, 'name', scene)!r}: no view called {name!r} (known: {', '.join(VIEWS)})")
    return VIEWS[name]


def make_view(scene: Any, paths: ComputedPaths | None = None, text: bool = True) -> View:
    """The view that draws ``scene``, from its computed ``paths`` (computed here when not given); with
    ``text`` false it draws no text (snapshot tests)."""
    kind = view_kind(scene)
    if kind.needs_paths and paths is None:
        paths = compute_paths(scene)
    return kind.build(scene, paths, text)


def is_parallel(scene: Any) -> bool:
    """Whether ``scene``'s frames are full redraws (3-D), worth drawing in several processes."""
    return view_kind(scene).parallel


def _contour(scene: Any, paths: ComputedPaths, text: bool) -> ContourView:
    if len(paths.panels) != 1:
        raise RenderError(f"{scene.name}: contour panels side by side are not supported; use the view surface "
                          "or wireframe, or one scene per panel")
    return ContourView(paths.panels[0], text)


register_view("contour", _contour)
register_view("surface", SurfaceView, parallel=True)
register_view("wireframe", SurfaceView, parallel=True)
register_view("averages", lambda scene, paths, text: AveragesView(scene, text), needs_paths=False)
register_view("batches", lambda scene, paths, text: BatchDiagramView(scene, text), needs_paths=False)
