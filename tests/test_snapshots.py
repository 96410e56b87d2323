"""Every built-in scene against its committed baseline (``pytest --update-snapshots`` rewrites them)."""

import pytest

from trajectories.scene import builtin_scenes

from .snapshot_helpers import render_small

SCENES = builtin_scenes()


@pytest.mark.parametrize("name", list(SCENES))
def test_builtin_scene_matches_its_snapshot(name, animation_snapshot, tmp_path):
    result = render_small(SCENES[name], tmp_path / f"{name}.gif")
    animation_snapshot(result, name=f"{name}.gif")
