"""Stage two, computed paths: the only place optimizers run, and the source of every paths export."""

import json

import numpy as np
import pytest

from trajectories.compute.export import to_json
from trajectories.compute.paths import compute_paths
from trajectories.compute.run import run
from trajectories.core.optimizers import sgd
from trajectories.render.registry import view_of as view_kind
from trajectories.scene import Scene, SideBySide, builtin_scenes

BUILTIN = builtin_scenes()
WITH_PATHS = [name for name, scene in BUILTIN.items() if view_kind(scene).needs_paths and not view_kind(scene).reduces
              and view_kind(scene).name != "swarm"  # a swarm's 1,000 paths export as any race's (test_many_starts)
              and scene.kind != "network"]  # a network's paths are parameter vectors (test_network_scene)


def test_computed_paths_are_the_runners_own_numbers():
    scene = Scene("s", "booth", ["sgd:lr=0.05"], start=[(1.0, 2.0), (-3.0, 4.0)], steps=12)
    (panel,) = compute_paths(scene).panels
    expected = run(scene.surface, sgd(lr=0.05), scene.starts, 12)
    np.testing.assert_array_equal(panel.trajectories[0].positions, expected.positions)
    assert panel.timeline.values == list(range(13))


def test_panels_side_by_side_are_computed_with_the_animations_frame_count():
    left = Scene("l", "sphere", ["sgd:lr=0.1"], start=(1.0, 1.0), steps=20)
    right = Scene("r", "booth", ["adam:lr=0.1"], start=(1.0, 1.0), steps=20)
    computed = compute_paths(SideBySide("both", [left, right], frames=5))
    assert [p.scene.name for p in computed.panels] == ["l", "r"]
    assert [p.timeline.values for p in computed.panels] == [[0, 5, 10, 15, 20]] * 2


def test_scene_kinds_without_optimizers_have_no_paths():
    assert compute_paths(BUILTIN["fig5_ewa"]) is None and compute_paths(BUILTIN["fig4_minibatches"]) is None


@pytest.mark.parametrize("name", WITH_PATHS)
def test_every_builtin_optimizer_scene_exports_its_paths(name):
    scene = BUILTIN[name]
    computed = compute_paths(scene)
    document = json.loads(to_json(computed.document()))
    panels = getattr(scene, "panels", (scene,))
    runs = document["panels"] if len(panels) > 1 else [document]
    if len(panels) > 1:
        assert document["format"] == "trajectories.panels" and document["scene"] == name
    assert len(runs) == len(panels)
    for run_document, panel, computed_panel in zip(runs, panels, computed.panels, strict=True):
        assert run_document["format"] == "trajectories.run" and run_document["surface"]["name"] == panel.surface.name
        labels = [t["label"] for t in run_document["trajectories"]]
        assert labels == [racer.label for racer in panel.optimizers for _ in panel.starts]
        first = run_document["trajectories"][0]
        drawn = computed_panel.trajectories[0].positions[:, 0]
        assert first["x"][0] == drawn[0, 0] and first["y"][-1] == (None if np.isnan(drawn[-1, 1]) else drawn[-1, 1])


def test_render_writes_the_paths_of_panels_side_by_side(invoke, tmp_path):
    target, paths = tmp_path / "f.gif", tmp_path / "f.json"
    result = invoke("render", "fig2_learning_rates", "-o", str(target), "--paths", str(paths), "--frames", "3",
                    "--scale", "0.3", "-q", "--jobs", "1")
    assert result.exit_code == 0, result.stderr
    document = json.loads(paths.read_text())
    assert [p["trajectories"][0]["hyperparameters"]["lr"] for p in document["panels"]] == [0.15, 0.01]
    assert target.stat().st_size > 0


def test_the_old_data_flag_still_writes_paths_with_a_notice(invoke, tmp_path):
    paths = tmp_path / "r.json"
    result = invoke("render", "rosenbrock", "-o", str(tmp_path / "r.gif"), "--data", str(paths), "--frames", "2",
                    "--scale", "0.3", "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("trajectories: warning: --data is deprecated") and result.stderr.count("\n") == 1
    assert json.loads(paths.read_text())["format"] == "trajectories.run"
