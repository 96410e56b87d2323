"""Rendering: scene -> frames (matplotlib, Agg, no pyplot) -> files (see :mod:`trajectories.encode`).

Every view offers ``steps_shown`` (one entry per frame), ``frame(i) -> (H, W, 4) uint8``,
``reserved_colors()``, ``close()`` and ``parallel`` (whether frames are independent full redraws that
are worth drawing in several processes).
"""

from __future__ import annotations

from typing import Any

_TEXT = [True]


def text_enabled() -> bool:
    """False while a render leaves text out (snapshot tests): views then also drop what text sizes, such as
    a legend's label column or the step counter's box, so nothing depends on how fonts rasterise."""
    return _TEXT[0]


def make_view(scene: Any) -> Any:
    """The view that draws ``scene``."""
    from ..scene import Scene, SideBySide

    if isinstance(scene, SideBySide):
        from .surface3d import SurfaceAnimation

        return SurfaceAnimation(scene.panels, scene.size, scene.dpi, scene.theme, scene.frame_count)
    if isinstance(scene, Scene):
        if scene.view == "contour":
            from .contour import ContourAnimation

            return ContourAnimation(scene)
        from .surface3d import SurfaceAnimation

        return SurfaceAnimation([scene], scene.size, scene.dpi, scene.theme, scene.frame_count)
    return scene.make_view()


def is_parallel(scene: Any) -> bool:
    """Whether ``scene``'s frames are full redraws (3-D), worth drawing in several processes."""
    from ..scene import Scene, SideBySide

    return isinstance(scene, SideBySide) or (isinstance(scene, Scene) and scene.view != "contour")
