"""A view of a scene for tests that look at frames: its paths computed first, as the pipeline does (views
never compute them: :func:`trajectories.view_registry.make_view` takes them)."""

from __future__ import annotations

from trajectories.paths import ComputedPaths, compute_paths
from trajectories.scene_protocol import SceneValue
from trajectories.view_registry import View
from trajectories.view_registry import make_view as make_registered_view


def make_view(scene: SceneValue, paths: ComputedPaths | None = None, text: bool = True) -> View:
    """The view that draws ``scene`` from ``paths`` (computed here when not given); ``text`` as in
    :func:`~trajectories.view_registry.make_view`."""
    return make_registered_view(scene, compute_paths(scene) if paths is None else paths, text)
