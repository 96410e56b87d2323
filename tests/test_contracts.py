"""Every registered view and format keeps its interface's promises (see tests/contracts.py); a view or a
format added to a registry is checked here without a line of test written for it."""

import pytest

from trajectories import writers
from trajectories.render.registry import VIEWS
from trajectories.scene import Scene, builtin_scenes

from .contracts import check_format_contract, check_view_contract, format_available
from .requirements import missing

BUILTIN = builtin_scenes()


def small_scene_for(view: str):
    """A few frames of a scene drawn by ``view``: a race on a bowl for race views, else the smallest
    built-in scene of the kind the view draws."""
    kind = VIEWS[view]
    if kind.draws == "race":
        return Scene("contract", "sphere", ["sgd:lr=0.1", "adam:lr=0.3"], start=(1.0, 1.0), steps=6, view=view,
                     size=(160, 120), dpi=40, grid=20)
    candidates = [s for s in BUILTIN.values() if getattr(s, "view", None) == view]
    assert candidates, f"no built-in scene is drawn by the view {view!r}: add one to scenes/"
    return candidates[0].with_options(size=(160, 120), dpi=20)


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_registered_view_keeps_the_view_promises(view):
    check_view_contract(small_scene_for(view))


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_registered_view_draws_a_built_in_scene(view):
    """A view nobody renders is not tested by the snapshots: each draws at least one scene of scenes/."""
    assert any(getattr(scene, "view", None) == view for scene in BUILTIN.values())


@pytest.mark.parametrize("name", writers.format_names())
def test_every_registered_format_writes_the_same_bytes_atomically(name, tmp_path):
    if not format_available(name):
        missing(f"the {name} format's library", "pip install '.[mp4]'")
    scene = Scene("contract", "sphere", ["sgd:lr=0.1"], start=(1.0, 1.0), steps=4, size=(80, 64), dpi=20)
    written = check_format_contract(name, scene, tmp_path)
    assert written.suffix == writers.get_format(name).extension
