"""Every built-in scene against its committed baseline (``pytest --update-snapshots`` rewrites them)."""

import pytest

from trajectories.scene import builtin_scenes

SCENES = builtin_scenes()


@pytest.mark.parametrize("name", list(SCENES))
def test_builtin_scene_matches_its_snapshot(name, animation_snapshot, small_renders):
    result, _ = small_renders(name)  # rendered once (a worker): tests/test_decoders.py decodes the same files
    animation_snapshot(result, name=f"{name}.gif")
