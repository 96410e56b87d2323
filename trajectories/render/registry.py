"""The registry of views by name: which view draws a scene, found without importing matplotlib.

A view (:class:`trajectories.render.views.View`) turns a scene and its computed paths into frames. The
registry is the only list of views: a scene's ``view`` must name one of them, and the CLI's and the
TOML files' choices come from it. Views are registered either as a callable or as ``"module:attribute"``
text, imported on first use, so that checking a scene never imports matplotlib::

    register_view("swarm", SwarmView)                     # SwarmView(scene, paths, text) -> View
    register_view("swarm", "my_package.swarm:SwarmView")  # the same, imported when first drawn

``draws`` says which kind of scene a view draws: ``"race"`` (optimizers on a surface:
:class:`~trajectories.scene.Scene` and panels side by side), ``"series"`` (the article's figure 5) or
``"batches"`` (figure 4). A race may name any race view.

>>> race_view_names()[0], "averages" in race_view_names()
('contour', False)
>>> get_view_kind("surface").parallel, get_view_kind("averages").draws
(True, 'series')
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from ..errors import RegistryError, RenderError

if TYPE_CHECKING:
    import numpy as np

    from ..scene_protocol import SceneValue

SceneKindName = Literal["race", "series", "batches", "network"]
ViewFactory = Callable[[Any, Any, bool], Any]
"""``(scene, computed paths or None, text) -> View``."""


@dataclass(frozen=True)
class ViewKind:
    """A registered view.

    Attributes:
        name: what a scene's ``view`` says.
        build: ``(scene, paths, text) -> View``, or ``"module:attribute"`` naming it (imported on first use).
        draws: the kind of scene it draws: ``"race"``, ``"series"`` or ``"batches"``.
        parallel: its frames are independent full redraws, worth drawing in several processes.
        needs_paths: it draws computed optimizer paths (:mod:`trajectories.compute.paths`), computed before it is
            built and exportable as JSON.
        reduces: it draws only where each path ends and when (:mod:`trajectories.compute.basins`): the paths are
            reduced while they are computed, in memory independent of the number of steps, and not kept.
        point_bytes: bytes per path point the view holds while it draws, beyond the paths' own (``None``:
            :data:`trajectories.pipeline.limits.VIEW_BYTES_PER_POINT`, what matplotlib's paths of whole trajectories
            cost); for the memory check before a render.
        vector: it can draw a frame as vector shapes (the svg and pdf formats,
            ``trajectories.render.vector``).
        summary: what it draws, a few words for the ``--view`` help (``"2-D contours"``).
        check: its own check of a scene it draws, made by the plan before any work (``(race, error class) ->
            None``, raising ``error`` with one line), or ``"module:attribute"`` naming it; ``None``: none.
    """

    name: str
    build: ViewFactory | str
    draws: SceneKindName = "race"
    parallel: bool = False
    needs_paths: bool = True
    reduces: bool = False
    point_bytes: int | None = None
    vector: bool = False
    summary: str = ""
    check: Callable[[Any, type[Exception]], None] | str | None = None

    def factory(self) -> ViewFactory:
        """``build``, imported first when it is given as ``"module:attribute"``."""
        return _resolved(self.build)

    def check_scene(self, race: Any, error: type[Exception]) -> None:
        """The view's own check of ``race`` (:attr:`check`), if it has one."""
        if self.check is not None:
            _resolved(self.check)(race, error)


def _resolved(value: Callable | str) -> Callable:
    """``value``, imported first when it is given as ``"module:attribute"``."""
    if callable(value):
        return value
    module, _, attribute = value.partition(":")
    return getattr(importlib.import_module(module), attribute)


VIEWS: dict[str, ViewKind] = {}


def register_view(name: str, build: ViewFactory | str, *, draws: SceneKindName = "race", parallel: bool = False,
                  needs_paths: bool = True, reduces: bool = False, point_bytes: int | None = None,
                  vector: bool = False, summary: str = "",
                  check: Callable[[Any, type[Exception]], None] | str | None = None) -> ViewKind:
    """Make ``build`` the view called ``name`` and return its :class:`ViewKind`; :class:`ValueError` if the
    name is taken, is not an identifier, or ``draws`` is not a scene kind."""
    if name in VIEWS:
        raise RegistryError(f"a view called {name!r} is already registered")
    if not name.isidentifier():
        raise RegistryError(f"a view's name must be a Python identifier, got {name!r}")
    if draws not in ("race", "series", "batches", "network"):
        raise RegistryError(f"draws must be race, series, batches or network, got {draws!r}")
    if not callable(build) and (not isinstance(build, str) or ":" not in build):
        raise RegistryError(f"build must be a callable or 'module:attribute', got {build!r}")
    VIEWS[name] = kind = ViewKind(name, build, draws, parallel, needs_paths, reduces, point_bytes, vector,
                                  summary or name, check)
    return kind


def unregister_view(name: str) -> None:
    """Forget the view called ``name`` (tests, plugins reloading); :class:`KeyError` if there is none."""
    del VIEWS[name]


def get_view_kind(name: str) -> ViewKind:
    """The view called ``name``; :class:`KeyError` naming the known views otherwise."""
    if name not in VIEWS:
        raise KeyError(f"no view called {name!r} (known: {', '.join(VIEWS)})")
    return VIEWS[name]


def race_view_summaries() -> str:
    """The race views' summaries as prose: ``"2-D contours, a 3-D surface, ... or basins of attraction"``."""
    summaries = [VIEWS[name].summary for name in race_view_names()]
    return ", ".join(summaries[:-1]) + f" or {summaries[-1]}" if len(summaries) > 1 else "".join(summaries)


class View(Protocol):
    """What the pipeline (:mod:`trajectories.pipeline.stages`), declared here with the registry so that the
    pipeline reaches views only through it needs of a view.

    ``steps_shown`` has one entry per frame; ``frame(i)`` draws frame ``i`` as ``(H, W, 4)`` uint8 RGBA of
    the scene's size, the same pixels whenever it is asked for (frames may be drawn out of order, and in
    other processes for a ``parallel`` view); ``reserved_colors()`` are colours the GIF palette must hold
    exactly (the racers', the text's); ``close()`` frees the figure. Built-in views also describe frame ``i``
    without drawing it, ``geometry(i)`` (:mod:`trajectories.render.geometry`, for the frame checker), and
    list the frames their story is about, ``moments()`` (:mod:`trajectories.render.moments`), which the pipeline
    holds where the scene pauses.
    """

    steps_shown: list[int]

    def frame(self, index: int) -> np.ndarray: ...

    def reserved_colors(self) -> list[tuple[int, int, int]]: ...

    def close(self) -> None: ...


def make_view(scene: SceneValue, paths: object | None, text: bool = True) -> View:
    """The registered view that draws ``scene``, from its computed ``paths`` (what
    :func:`trajectories.compute.paths.compute_paths` returned, passed on unread: the registry sits below the compute
    stage, which reads its flags; ``None`` for a kind without races); a view never computes them. With
    ``text`` false it draws no text (snapshot tests). The view's module is imported here, on first use."""
    return view_of(scene).factory()(scene, paths, text)


def view_of(scene: SceneValue) -> ViewKind:
    """The registered view that draws ``scene`` (by its ``view``); :class:`RenderError` naming the known views
    otherwise. Imports no view (and no matplotlib): the plan and the limits read a view's flags here."""
    try:
        return get_view_kind(scene.view)
    except KeyError as error:
        raise RenderError(f"{scene.name!r}: {error.args[0]}") from None


def is_parallel(scene: SceneValue) -> bool:
    """Whether ``scene``'s frames are full redraws (3-D), worth drawing in several processes."""
    return view_of(scene).parallel


def check_vector_form(kind: ViewKind, fmt: str) -> None:
    """Before any work: :class:`RenderError` unless the view ``kind`` has a vector form (``fmt``: svg, pdf)."""
    if not kind.vector:
        raise RenderError(f"the {kind.name} view draws pixels, not shapes: it has no {fmt} form; use png for a still")


def race_view_names() -> tuple[str, ...]:
    """The views a race scene may name, in registration order (read when a scene is checked, so views
    registered later count)."""
    return view_names("race")


def view_names(draws: SceneKindName) -> tuple[str, ...]:
    """The views that draw scene kind ``draws``, in registration order (read when a scene is checked)."""
    return tuple(name for name, kind in VIEWS.items() if kind.draws == draws)


def network_view_names() -> tuple[str, ...]:
    """The views a network scene may name (``network``, ``network_surface``...)."""
    return view_names("network")


register_view("contour", "trajectories.render.views:contour_view", vector=True, summary="2-D contours",
              check="trajectories.render.side_panels:check_panel_room")  # its side panels need room
register_view("surface", "trajectories.render.surface3d:SurfaceView", parallel=True, vector=True,
              summary="a 3-D surface")
register_view("wireframe", "trajectories.render.surface3d:SurfaceView", parallel=True, vector=True,
              summary="a 3-D wireframe")
register_view("swarm", "trajectories.render.swarm:SwarmView", point_bytes=100,  # measured 43-49 B (tracemalloc)
              vector=True, summary="a swarm of dots")
register_view("basins", "trajectories.render.basins:BasinsView", reduces=True, summary="basins of attraction")
register_view("averages", "trajectories.render.views:averages_view", draws="series", needs_paths=False, vector=True)
register_view("batches", "trajectories.render.views:batch_diagram_view", draws="batches", needs_paths=False,
              vector=True)
register_view("network", "trajectories.render.network_view:network_view", draws="network",
              summary="a network race: landscape, losses and decision boundaries")
register_view("network_surface", "trajectories.render.network_surface:NetworkSurfaceView", draws="network",
              summary="a network race in 3-D: the plane's loss surface, paths at their true loss, losses")
