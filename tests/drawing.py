"""A view of a scene for tests that look at frames: its paths computed first, as the pipeline does (views
never compute them: :func:`trajectories.render.registry.make_view` takes them)."""

from __future__ import annotations

from trajectories.compute.paths import ComputedPaths, compute_paths
from trajectories.render.registry import View
from trajectories.render.registry import make_view as make_registered_view
from trajectories.scene_protocol import SceneValue


def make_view(scene: SceneValue, paths: ComputedPaths | None = None, text: bool = True) -> View:
    """The view that draws ``scene`` from ``paths`` (computed here when not given); ``text`` as in
    :func:`~trajectories.render.registry.make_view`."""
    return make_registered_view(scene, compute_paths(scene) if paths is None else paths, text)
