"""Many starts at once: start sets, where each path converges (the rule, against independent single runs
and a mirror-symmetric surface), the streaming reduction (the same numbers as the full paths, in memory
independent of the steps), ``run --format npz``, and the basins and swarm views."""

import json
import math
import tracemalloc
from fractions import Fraction

import numpy as np
import pytest
from click.testing import CliRunner

from trajectories.cli.main import cli
from trajectories.compute.basins import (
    CONVERGENCE_TOLERANCE,
    Target,
    converged,
    known_targets,
    reduce_paths,
    reduce_race,
)
from trajectories.compute.paths import compute_paths
from trajectories.compute.run import run
from trajectories.compute.starts import Disk, Grid, Random, StartSetError, as_start_sets, parse_start_set
from trajectories.core.optimizers import adam, sgd
from trajectories.errors import SceneError
from trajectories.scene import Racer, Scene, load_toml_scene
from trajectories.surfaces.catalogue import get_surface, resolve_surface

from .test_bad_input import assert_refused

# --- start sets --------------------------------------------------------------------------------------


def test_a_grid_is_the_centres_of_equal_cells_row_by_row_from_the_bottom():
    points = Grid(4, 3).points((-1.0, 3.0, 0.0, 1.5))
    expected = [(Fraction(-1) + Fraction(4, 4) * (i + Fraction(1, 2)), Fraction(3, 2) / 3 * (j + Fraction(1, 2)))
                for j in range(3) for i in range(4)]
    assert points.tolist() == [[float(x), float(y)] for x, y in expected]


def test_a_centred_grid_is_an_exact_mirror_image_of_itself():
    points = Grid(7, 6).points((-2.3, 2.3, -1.7, 1.7)).reshape(6, 7, 2)
    assert (points[:, ::-1, 0] == -points[:, :, 0]).all() and (points[::-1, :, 1] == -points[:, :, 1]).all()


def test_random_points_are_seeded_uniform_and_in_the_window():
    window = (-5.0, 5.0, 0.0, 2.0)
    a, b, c = (Random(4000, seed).points(window) for seed in (3, 3, 4))
    assert (a == b).all() and not (a == c).all()
    assert a[:, 0].min() >= -5 and a[:, 0].max() <= 5 and a[:, 1].min() >= 0 and a[:, 1].max() <= 2
    assert abs(a[:, 0].mean()) < 0.2 and abs(a[:, 1].mean() - 1) < 0.04  # σ of the mean: 0.09 and 0.009


def test_disk_points_are_uniform_over_the_disk():
    points = Disk(20000, (-1.0, 1.0), 0.3, seed=5).points((-2, 2, -2, 2))
    radii = np.hypot(points[:, 0] + 1, points[:, 1] - 1)
    assert len(points) == 20000 and radii.max() <= 0.3
    assert abs((radii <= 0.15).mean() - 0.25) < 0.01  # the inner half radius holds a quarter of the area
    assert abs(points[:, 0].mean() + 1) < 0.01 and abs(points[:, 1].mean() - 1) < 0.01


@pytest.mark.parametrize(("text", "value"), [
    ("grid:100x50", Grid(100, 50)),
    ("random:500", Random(500)),
    ("random:500:seed=3", Random(500, 3)),
    ("disk:200:center=-1,1,radius=0.3", Disk(200, (-1.0, 1.0), 0.3)),
    ("disk:200:center=-1,1,radius=0.3,seed=7", Disk(200, (-1.0, 1.0), 0.3, 7)),
])
def test_start_set_texts_parse_to_their_values_and_back(text, value):
    assert parse_start_set(text) == value and parse_start_set(value.text()) == value


def test_toml_tables_are_the_same_values():
    tables = [{"grid": [100, 100]}, {"random": 500, "seed": 3}, {"disk": 200, "center": [-1, 1], "radius": 0.3}]
    assert as_start_sets(tables) == (Grid(100, 100), Random(500, 3), Disk(200, (-1, 1), 0.3))


@pytest.mark.parametrize(("text", "message"), [
    ("grid:0x5", "at least 1 point per side"), ("random:-1", "count must be a whole number from 1"),
    ("grid:3000x3000", "more than the 4000000"), ("disk:5:center=1,radius=1", "two numbers X,Y"),
    ("disk:5:center=0,0,radius=-1", "radius must be a finite number > 0"), ("random:5:colour=3", "key=value"),
    ("spiral:5", "unknown start set 'spiral'"), ("disk:5:center=0,0", "missing: radius"),
])
def test_bad_start_sets_are_one_line(text, message):
    with pytest.raises(StartSetError, match=message):
        parse_start_set(text)


def test_a_scene_mixes_start_points_and_sets_and_checks_the_disk_against_its_window(tmp_path):
    scene = Scene("s", "himmelblau", ["adam"], start=(1.0, 1.0), start_sets=["grid:2x2", Disk(3, (0, 0), 1)])
    assert len(scene.starts) == 1 + 4 + 3 and scene.starts[0].tolist() == [1.0, 1.0]
    with pytest.raises(SceneError, match=r"the disk is not inside the window \[-5, 5\]×\[-5, 5\]"):
        Scene("s", "himmelblau", ["adam"], start_sets=Disk(3, (4.9, 0), 0.3))
    file = tmp_path / "grid.toml"
    file.write_text('surface = "himmelblau"\nstarts = { grid = [3, 2] }\n[[optimizers]]\nname = "adam"\n')
    (loaded,) = load_toml_scene(file).values()
    assert loaded.start_sets == (Grid(3, 2),) and loaded.starts.tolist() == Grid(3, 2).points((-5, 5, -5, 5)).tolist()


# --- the rule: converged_to and converged_step ------------------------------------------------------


def single_run_label(surface, optimizer, start, steps):
    """Independently of trajectories.compute.basins: one start, the nearest known minimum by a Python loop, and
    the first step from which every point stays within the tolerance of it."""
    path = run(surface, optimizer, [start], steps)
    if path.diverged_step[0] >= 0:
        return -1, -1
    points = path.positions[:, 0].tolist()
    x0, x1, y0, y1 = surface.window
    radius = CONVERGENCE_TOLERANCE * max(x1 - x0, y1 - y0)
    end = points[-1]
    distances = [math.dist(end, (m.x, m.y)) for m in surface.minima]
    nearest = distances.index(min(distances))
    if distances[nearest] > radius:
        return -1, -1
    arrival, minimum = len(points), (surface.minima[nearest].x, surface.minima[nearest].y)
    while arrival > 0 and math.dist(points[arrival - 1], minimum) <= radius:
        arrival -= 1
    return nearest, arrival


@pytest.mark.parametrize("optimizer", [sgd(lr=0.01), sgd(lr=0.01, momentum=0.9), adam(lr=0.1)],
                         ids=["gd", "momentum", "adam"])
def test_basin_labels_agree_with_independent_single_runs(optimizer):
    surface = get_surface("himmelblau")
    starts = Grid(30, 30).points(surface.window)
    found = reduce_paths(surface, optimizer, starts, 150)
    sample = np.random.default_rng(0).choice(len(starts), 25, replace=False)
    for i in sample:
        assert (int(found.converged_to[i]), int(found.converged_step[i])) == single_run_label(
            surface, optimizer, starts[i], 150)
    assert {0, 1, 2, 3} <= set(found.converged_to.tolist())  # every minimum has a basin


def test_the_arrival_step_in_closed_form():
    """GD at lr 1/4 on x² + y² halves the point each step: from (1, 1) it is √2/2^t from the minimum,
    within 0.04 (1 % of the window's side 4) from t = 6 on."""
    found = reduce_paths(get_surface("sphere"), sgd(lr=0.25), [[1.0, 1.0]], 20)
    assert found.converged_to.tolist() == [0] and found.converged_step.tolist() == [6]
    assert min(t for t in range(20) if math.sqrt(2) / 2**t <= 0.04) == 6


MIRROR = "(x**2 - 1)**2 + y**2 + 0.3*x**2*y"  # f(-x, y) = f(x, y)
MINIMUM = (math.sqrt(4 / 3.91), -0.6 / 3.91)  # ∂f/∂y = 0: y = -0.15x²; then ∂f/∂x = 0: x² = 4/3.91
OPTIMIZERS = [sgd(lr=0.05), sgd(lr=0.05, momentum=0.9), adam(lr=0.05)]


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=["gd", "momentum", "adam"])
def test_a_mirror_symmetric_surface_gives_exactly_mirrored_basins(optimizer):
    surface = resolve_surface(MIRROR, (-2, 2, -2, 2))
    starts = Grid(24, 20).points(surface.window)  # an exact mirror image of itself (tested above)
    (x, y), gradient = MINIMUM, surface.grad(np.array(MINIMUM))
    assert np.abs(gradient).max() < 1e-12
    found = reduce_paths(surface, optimizer, starts, 200, targets=[Target(-x, y, "local"), Target(x, y, "local")])
    labels, steps = (a.reshape(20, 24) for a in (found.converged_to, found.converged_step))
    assert {0, 1} <= set(labels.ravel().tolist())
    swapped = np.where(labels >= 0, 1 - labels, -1)
    assert (swapped[:, ::-1] == labels).all() and (steps[:, ::-1] == steps).all()
    finals = found.final.reshape(20, 24, 2)
    assert (finals[:, ::-1, 0] == -finals[:, :, 0]).all() and (finals[:, ::-1, 1] == finals[:, :, 1]).all()


def test_clusters_of_a_mirror_symmetric_surface_give_mirrored_labels():
    """Without known minima the targets are clusters, whose first points are not exact mirrors: the labels
    still are (arrival steps may differ by the distance to a cluster's first point)."""
    surface = resolve_surface(MIRROR, (-2, 2, -2, 2))
    found = reduce_paths(surface, adam(lr=0.05), Grid(24, 20).points(surface.window), 200)
    targets = np.array([[t.x, t.y] for t in found.targets])
    assert len(targets) == 2 and np.allclose(np.sort(targets[:, 0]), [-MINIMUM[0], MINIMUM[0]], atol=1e-2)
    labels = found.converged_to.reshape(20, 24)
    assert (np.where(labels >= 0, 1 - labels, -1)[:, ::-1] == labels).all()


def test_point_symmetric_six_hump_camel_gives_exactly_point_mirrored_basins():
    surface = get_surface("six_hump_camel")  # f(-x, -y) = f(x, y); its two global minima are mirror images
    found = reduce_paths(surface, sgd(lr=0.01, momentum=0.5), Grid(30, 16).points(surface.window), 300)
    labels, steps = (a.reshape(16, 30) for a in (found.converged_to, found.converged_step))
    assert {-1, 0, 1} <= set(labels.ravel().tolist())
    assert (np.where(labels >= 0, 1 - labels, -1)[::-1, ::-1] == labels).all()
    assert (steps[::-1, ::-1] == steps).all()


# --- the streaming reduction ----------------------------------------------------------------------


def test_the_reduction_is_the_full_paths_numbers_for_any_chunking():
    surface = get_surface("himmelblau")
    starts = Random(700, seed=2).points(surface.window)
    full = run(surface, adam(lr=0.3), starts, 120)
    to, step = converged(full.positions, full.diverged_step, known_targets(surface), 0.1)
    for chunk in (700, 64, 9):
        found = reduce_paths(surface, adam(lr=0.3), starts, 120, chunk=chunk)
        assert (found.final == full.final).all() and (found.diverged_step == full.diverged_step).all()
        assert (found.converged_to == to).all() and (found.converged_step == step).all()


def test_the_reduction_needs_memory_independent_of_the_steps():
    surface = get_surface("himmelblau")
    starts = Grid(40, 40).points(surface.window)

    def peak(function, steps):
        tracemalloc.start()
        try:
            function(surface, sgd(lr=0.001), starts, steps)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    reduced = [peak(reduce_paths, steps) for steps in (100, 2000)]  # past the first blocks of checks
    full = [peak(run, steps) for steps in (20, 400)]
    assert reduced[1] < 1.1 * reduced[0] and full[1] > 8 * full[0]
    assert reduced[1] < full[1] / 10


def test_counts_are_the_same_for_any_number_of_jobs():
    scene = Scene("b", "himmelblau", ["sgd:lr=0.01,momentum=0.9", "adam:lr=0.1"], start_sets=Grid(60, 50),
                  steps=80, view="basins")
    one, two = (compute_paths(scene, jobs).panels[0].reductions for jobs in (1, 2))
    for a, b in zip(one, two, strict=True):
        assert a.counts() == b.counts() and (a.converged_step == b.converged_step).all()


def test_formula_targets_are_shared_by_the_optimizers():
    surface = resolve_surface("(x**2 - 1)**2 + y**2", (-2, 2, -2, 2))
    found = reduce_race(surface, [sgd(lr=0.05), adam(lr=0.05)], Grid(10, 10).points(surface.window), 150)
    assert found[0].targets == found[1].targets and len(found[0].targets) == 2
    assert sorted(round(t.x) for t in found[0].targets) == [-1, 1]


# --- run: JSON, npz, --reduce --------------------------------------------------------------------------


def invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_run_reports_where_each_path_converged(tmp_path):
    result = invoke("run", "--surface", "himmelblau", "--optimizer", "sgd:lr=0.01", "--start", "2.5,1.5",
                    "--starts", "grid:2x2", "--steps", "150")
    document = json.loads(result.output)
    assert document["version"] == 3 and document["convergence"]["radius"] == 0.1
    assert [t["kind"] for t in document["convergence"]["targets"]] == ["global"] * 4
    paths = document["trajectories"]
    assert [p["start"] for p in paths] == [[2.5, 1.5], [-2.5, -2.5], [2.5, -2.5], [-2.5, 2.5], [2.5, 2.5]]
    for path in paths:
        assert (path["converged_to"], path["converged_step"]) == single_run_label(
            get_surface("himmelblau"), sgd(lr=0.01), path["start"], 150)


def test_npz_holds_the_documented_arrays_and_agrees_with_reduce(tmp_path):
    args = ["run", "--surface", "himmelblau", "--optimizer", "sgd:lr=0.01", "--optimizer", "adam:lr=0.1",
            "--starts", "random:300:seed=1", "--steps", "60"]
    invoke(*args, "-o", str(tmp_path / "full.npz"))
    invoke(*args, "--reduce", "-o", str(tmp_path / "ends.npz"))
    invoke(*args, "--reduce", "-o", str(tmp_path / "again.npz"))
    assert (tmp_path / "ends.npz").read_bytes() == (tmp_path / "again.npz").read_bytes()
    full, ends = (np.load(tmp_path / name, allow_pickle=False) for name in ("full.npz", "ends.npz"))
    assert set(ends.files) == {"meta", "starts", "targets", "final", "final_loss", "diverged_step", "converged_to",
                               "converged_step"}
    assert set(full.files) == set(ends.files) | {"x", "y", "loss", "grad_norm", "horizon"}
    assert full["x"].shape == (2, 300, 61) and ends["final"].shape == (2, 300, 2)
    for key in ends.files:
        if key != "meta":
            assert np.array_equal(full[key], ends[key])
    meta = json.loads(ends["meta"].item())
    assert meta["reduced"] and [o["label"] for o in meta["optimizers"]] == ["sgd:lr=0.01", "adam:lr=0.1"]
    path = run(get_surface("himmelblau"), adam(lr=0.1), Random(300, 1).points((-5, 5, -5, 5)), 60)
    assert (full["x"][1] == path.positions[..., 0].T).all()


def test_npz_is_never_written_to_standard_output():
    result = CliRunner().invoke(cli, ["run", "--surface", "sphere", "--optimizer", "adam", "--format", "npz"])
    assert_refused(result, "give -o FILE.npz")


# --- the views -------------------------------------------------------------------------------------------


def test_the_basins_map_colours_each_cell_by_its_target_and_fills_in(tmp_path):
    from .drawing import make_view

    scene = Scene("b", "himmelblau", [Racer("adam:lr=0.1", "Adam")], start_sets=Grid(8, 8), steps=60, frames=4,
                  view="basins", size=(320, 240), dpi=50)
    view = make_view(scene, text=False)
    reduction = view.reductions[0]
    first, last = view.frame(0), view.frame(3)
    top, bottom, left, right, cells = view.cells[0]
    palette = [tuple(c) for c in view.palette.tolist()]
    lines = view.overlay_sprites[0]  # contour lines and stars, pasted over the cells
    free = np.zeros(last.shape[:2], dtype=bool)
    h, w = lines.keep.shape[:2]
    free[lines.top:lines.top + h, lines.left:lines.left + w] = (lines.keep == 1).all(axis=-1)
    for k in range(64):  # where no line or star is drawn, each cell shows exactly its target's colour
        rows, columns = np.nonzero((cells == k) & free[top:bottom, left:right])
        assert {tuple(p) for p in last[top + rows, left + columns, :3].tolist()} == {
            palette[reduction.converged_to[k]]}
    shown = {tuple(p) for p in first[top:bottom, left:right, :3].reshape(-1, 3).tolist()}
    assert not shown & {tuple(c) for c in view.palette[:4].tolist()}  # at step 0 no start has arrived
    view.close()


def test_basin_shading_darkens_each_cell_by_the_log_of_its_arrival_step():
    from .drawing import make_view

    scene = Scene("b", "himmelblau", [Racer("sgd:lr=0.01", "GD")], start_sets=Grid(6, 6), steps=80, frames=2,
                  view="basins", size=(320, 240), dpi=50, basin_shading=True)
    view = make_view(scene, text=False)
    reduction = view.reductions[0]
    last = view.frame(1)
    top, bottom, left, right, cells = view.cells[0]
    lines = view.overlay_sprites[0]
    free = np.zeros(last.shape[:2], dtype=bool)
    h, w = lines.keep.shape[:2]
    free[lines.top:lines.top + h, lines.left:lines.left + w] = (lines.keep == 1).all(axis=-1)
    arrivals = set()
    for k in range(36):
        target, step = int(reduction.converged_to[k]), int(reduction.converged_step[k])
        if target < 0:
            continue
        brightness = round(256 - 160 * math.log(1 + step) / math.log(81))  # the documented rule, by hand
        expected = tuple(int(c) * brightness // 256 for c in view.palette[target])
        rows, columns = np.nonzero((cells == k) & free[top:bottom, left:right])
        assert {tuple(p) for p in last[top + rows, left + columns, :3].tolist()} == {expected}
        arrivals.add(step)
    assert len(arrivals) > 3  # several shades were checked
    view.close()


def test_the_swarm_stamps_each_particle_where_it_is():
    from .drawing import make_view

    scene = Scene("s", "sphere", [Racer("sgd:lr=0.1", "GD", color="#D55E00")], start=[(0.0, 0.0), (1.0, -1.0)],
                  steps=3, view="swarm", size=(320, 320), dpi=50)
    view = make_view(scene, text=False)
    frame = view.frame(0)
    box = view.plots[0].get_window_extent()
    for x, y in [(0.0, 0.0), (1.0, -1.0)]:  # data to pixels by hand: the window is [-2, 2]²
        column = box.x0 + (x + 2) / 4 * box.width
        row = 320 - (box.y0 + (y + 2) / 4 * box.height)
        assert frame[int(row), int(column), :3].tolist() == [0xD5, 0x5E, 0x00]
    view.close()


@pytest.mark.parametrize("view", ["contour", "swarm", "basins"])
def test_a_count_of_starts_in_a_title_is_the_scenes_own_in_every_view(view):
    """``{starts}`` in a title is replaced by the number of starts the scene draws, in each view of many
    starts (the swarm view once drew it literally)."""
    from trajectories.compute.paths import compute_paths as compute
    from trajectories.render.registry import get_view_kind

    scene = Scene("count", "himmelblau", ["adam:lr=0.1"], start_sets=["grid:6x5"], steps=4, view=view,
                  title="{starts} starts", size=(320, 240), dpi=50)
    drawn = get_view_kind(view).factory()(scene, compute(scene), True)
    try:
        texts = [text.get_text() for text in drawn.figure.texts]
    finally:
        drawn.close()
    assert "30 starts" in texts and not any("{starts}" in text for text in texts), texts
