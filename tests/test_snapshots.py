"""Every built-in scene against its committed baseline (``pytest --update-snapshots`` rewrites them)."""

import pytest

from trajectories.scene import builtin_scenes

SCENES = builtin_scenes()


@pytest.mark.parametrize("name", list(SCENES))
def test_builtin_scene_matches_its_snapshot(name, animation_snapshot, small_renders):
    result, _ = small_renders(name)  # rendered once (a worker): tests/test_decoders.py decodes the same files
    animation_snapshot(result, name=f"{name}.gif")


def test_a_network_race_matches_its_snapshot(animation_snapshot, tmp_path):
    """A network race at a size that shows its decision panels: its training, PCA plane, loss grid and decision
    grids are the same bits at every numpy SIMD level (.ci/run runs this file under two lesser ones)."""
    from trajectories.pipeline.stages import render_scene
    from trajectories.scene import NetworkScene, Racer

    scene = NetworkScene("network_snapshot", network="mlp:2-6-1:tanh", dataset="moons:n=60,noise=0.2,seed=2",
                         optimizers=[Racer("sgd:lr=0.5", "GD"), Racer("adam:lr=0.05", "Adam", batch_size=20)],
                         steps=30, loss_grid=15, decision_grid=16, boundaries=4, size=(560, 280), dpi=50)
    result = render_scene(scene, tmp_path / "network.gif", text=False, sample=4)
    animation_snapshot(result, name="network_snapshot.gif")
