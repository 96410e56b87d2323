"""The many-start loop (:mod:`trajectories.compute.stepping`) and its arrival trackers
(:mod:`trajectories.compute.arrivals`):
every number is the plain loop's, bit for bit, for any tile and block; the in-place steps are the pure
updates; the home tracker gives what the every-target tracker gives."""

from __future__ import annotations

import numpy as np
import pytest

from trajectories.compute import arrivals, basins, stepping
from trajectories.compute.basins import Target, converged, known_targets, reduce_paths, tolerance_of
from trajectories.compute.run import escape_box, run
from trajectories.compute.starts import Random
from trajectories.core.optimizers import OPTIMIZERS, build
from trajectories.core.spec import parse_optimizer
from trajectories.surfaces.catalogue import get_surface, resolve_surface
from trajectories.surfaces.gradients import NoisyGradient

RULES = [
    ("sgd", {"lr": 0.05}), ("sgd", {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    ("sgd", {"lr": 0.01, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1}), ("ema_momentum", {"lr": 0.1}),
    ("adagrad", {"lr": 0.5, "lr_decay": 0.1}), ("adadelta", {"lr": 1.0, "weight_decay": 0.01}),
    ("rmsprop", {"lr": 0.05, "centered": True, "momentum": 0.5}),
    ("rmsprop", {"lr": 0.05, "eps_inside_sqrt": True, "initial_accumulator_value": 1.0}),
    ("adam", {"lr": 0.2, "amsgrad": True}), ("adam", {"lr": 0.1, "eps_hat": True}),
    ("adam", {"lr": 0.1, "bias_correction": False}), ("adamw", {"lr": 0.1}), ("adamax", {"lr": 0.1}),
    ("nadam", {"lr": 0.1}), ("radam", {"lr": 0.01}), ("lion", {"lr": 0.05, "weight_decay": 0.1}),
    ("sgd", {"lr": 0.02, "clip_norm": 1.0, "clip_value": 0.5}),
]


def test_every_rule_is_covered():
    assert {name for name, _ in RULES} == set(OPTIMIZERS)


@pytest.mark.parametrize(("name", "params"), RULES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(RULES)])
def test_in_place_steps_are_the_pure_updates_bit_for_bit(name, params):
    rule = build(name, **params)
    rng = np.random.default_rng(3)
    pure, fast = rng.normal(size=(40, 2)), None
    fast = np.asfortranarray(pure.copy())
    pure_state, fast_state = rule.init(pure), rule.init(fast.copy(order="K"))
    for _ in range(25):
        grads = np.sin(3 * pure) * 4 + pure  # the same function of the same points
        updates, pure_state = rule.update(grads, pure_state, pure)
        moved, fast_state = rule.step(np.asfortranarray(np.sin(3 * fast) * 4 + fast), fast_state, fast)
        assert np.array_equal(updates, moved)
        pure, fast = pure + updates, fast + moved


def test_a_schedule_steps_in_place_too():
    spec = parse_optimizer("sgd:lr=0.1,momentum=0.9@cosine:T_max=20")
    rule = spec.build()
    points = np.ones((3, 2))
    state_a, state_b = rule.init(points), rule.init(points)
    for t in range(10):
        grads = np.full((3, 2), t + 1.0)
        a, state_a = rule.update(grads, state_a, points)
        b, state_b = rule.step(grads.copy(), state_b, points)
        assert np.array_equal(a, b)


SURFACES = ["himmelblau", "rastrigin", "peaks", "rosenbrock"]


@pytest.mark.parametrize("surface_name", SURFACES)
def test_the_many_start_loop_is_the_plain_loop_bit_for_bit(surface_name):
    """run() without state goes through the many-start loop; with ``record_state`` through the plain loop
    that records every update: two implementations, the same bits (diverging paths included)."""
    surface = get_surface(surface_name)
    starts = Random(120, seed=5).points(surface.window)
    for name, params in [("sgd", {"lr": 0.3}), ("adam", {"lr": 0.2}), ("lion", {"lr": 0.1}), ("rmsprop", {"lr": 0.05})]:
        fast = run(surface, build(name, **params), starts, 60)
        plain = run(surface, build(name, **params), starts, 60, record_state=True)
        assert np.array_equal(fast.positions, plain.positions, equal_nan=True), name
        assert np.array_equal(fast.diverged_step, plain.diverged_step)


def test_a_source_that_draws_for_every_start_sees_every_start():
    """Gaussian noise is drawn for the whole array: the loop calls it on every start, the departed ones at
    their last point, in the starts' own shape, as the plain loop does."""
    surface = get_surface("himmelblau")
    starts = Random(60, seed=2).points(surface.window).reshape(3, 20, 2)
    noisy = NoisyGradient(surface, 10.0, 1, seed=4)
    fast = run(surface, build("sgd", lr=0.03), starts, 40, gradient=noisy)
    plain = run(surface, build("sgd", lr=0.03), starts, 40, gradient=noisy, record_state=True)
    assert (fast.diverged_step >= 0).any() and (fast.diverged_step < 0).any()
    assert np.array_equal(fast.positions, plain.positions, equal_nan=True)


class Keeper:
    """A consumer that keeps every point it is shown (as run() does), by row."""

    def __init__(self, count, steps):
        self.points = np.full((steps + 1, count, 2), np.nan)

    def start(self, rows):
        self.rows = rows

    def block(self, first, points):
        self.points[first:first + len(points), self.rows] = points

    def keep(self, kept):
        self.rows = self.rows[kept]

    def finish(self):
        pass


@pytest.mark.parametrize(("tile", "block"), [(1, 1), (7, 3), (50, 16), (4096, 64)])
def test_any_tile_and_block_give_the_same_numbers(tile, block):
    surface = get_surface("peaks")
    starts = Random(150, seed=9).points(surface.window)
    centre, half = escape_box(surface)
    reference = run(surface, build("adam", lr=0.5), starts, 50)
    keeper = Keeper(150, 50)
    ends = stepping.march(build("adam", lr=0.5), basins.ExactGradient(surface), starts, 50, centre, half, keeper,
                          tile=tile, block=block)
    assert np.array_equal(keeper.points, reference.positions, equal_nan=True)
    assert np.array_equal(ends.diverged_step, reference.diverged_step)
    assert np.array_equal(ends.final, reference.final)


class BoxLooker:
    """A box consumer that watches a few paths (or every one), then asks for every path's points of each
    block twice, in two pieces, and keeps them with the boxes it was shown."""

    boxes = True

    def __init__(self, count, steps, watch_every):
        self.points = np.full((steps + 1, count, 2), np.nan)
        self.low, self.high = np.full((count, 2), np.inf), np.full((count, 2), -np.inf)
        self.watch_every = watch_every

    def start(self, rows):
        self.rows = rows

    def watch(self):
        return np.arange(0, len(self.rows), self.watch_every)

    def calm(self):
        return True

    def box(self, first, low, high, points):
        paths, middle = np.arange(len(self.rows)), points.length // 2
        for _ in range(2):
            pieces = [points.coordinates(paths, 0, middle), points.coordinates(paths, middle)]
            xs, ys = (np.concatenate([piece[axis] for piece in pieces]) for axis in (0, 1))
            self.points[first:first + points.length + 1, self.rows] = np.stack((xs, ys), axis=-1)
        self.low[self.rows], self.high[self.rows] = low, high
        self.span = first, points.length
        assert np.array_equal(points.last, self.points[first + points.length, self.rows])

    def keep(self, kept):
        self.rows = self.rows[kept]

    def finish(self):
        pass


@pytest.mark.parametrize(("watch_every", "tile", "block"), [(1, 4096, 4), (20, 4096, 4), (50, 40, 3)])
def test_a_box_consumer_sees_the_plain_loops_points(watch_every, tile, block):
    """Kept as they go (written where they are kept when every path is watched) or computed again, asked
    for once or twice: the points of the paths that stay are the plain loop's, and each box bounds its
    path's last block (blocks grow to the steps' end: the last box is the longest block's)."""
    surface = get_surface("himmelblau")
    starts = Random(150, seed=9).points(surface.window)
    centre, half = escape_box(surface)
    reference = run(surface, build("sgd", lr=0.03), starts, 40)  # a fifth of the paths leave
    looker = BoxLooker(150, 40, watch_every)
    ends = stepping.march(build("sgd", lr=0.03), basins.ExactGradient(surface), starts, 40, centre, half, looker,
                          tile=tile, block=block)
    stayed = reference.diverged_step < 0
    assert (~stayed).any() and stayed.any()
    assert np.array_equal(looker.points[:, stayed], reference.positions[:, stayed])
    assert np.array_equal(ends.final, reference.final)
    first, length = looker.span
    assert length > block  # the blocks grew
    span = reference.positions[first:first + length + 1, stayed]
    assert np.array_equal(looker.low[stayed], span.min(axis=0))
    assert np.array_equal(looker.high[stayed], span.max(axis=0))


def both_trackers(monkeypatch, surface, rule, starts, steps, targets, tile, block):
    """The reduction with the home tracker, then with the every-target tracker."""
    original = stepping.march
    monkeypatch.setattr(basins, "march", lambda *args, **kw: original(*args, tile=tile, block=block))
    home = reduce_paths(surface, rule, starts, steps, targets=targets)
    monkeypatch.setattr(basins, "tracker", lambda goal, count, radius: arrivals.ArrivalTracker(goal, count, radius))
    every = reduce_paths(surface, rule, starts, steps, targets=targets)
    return home, every


@pytest.mark.parametrize(("tile", "block"), [(4096, 16), (13, 2), (64, 5)])
def test_the_home_tracker_gives_the_every_target_trackers_numbers(monkeypatch, tile, block):
    """Adam at a rate near the balls' size hovers in and out of them: the boxes, last points and runs of
    the home tracker against every point against every target."""
    surface = get_surface("himmelblau")
    starts = Random(400, seed=1).points(surface.window)
    targets = known_targets(surface)
    assert arrivals.disjoint(targets, tolerance_of(surface.window))
    home, every = both_trackers(monkeypatch, surface, build("adam", lr=0.15), starts, 150, targets, tile, block)
    assert np.array_equal(home.converged_to, every.converged_to)
    assert np.array_equal(home.converged_step, every.converged_step)
    assert (home.converged_step > 20).sum() > 100  # late arrivals: paths that hovered first


def test_targets_closer_than_two_tolerances_are_tracked_target_by_target():
    surface = get_surface("himmelblau")
    radius = tolerance_of(surface.window)
    close = [Target(3.0, 2.0, "local"), Target(3.0 + 1.5 * radius, 2.0, "local")]
    assert not arrivals.disjoint(close, radius)
    assert isinstance(arrivals.tracker(close, 5, radius), arrivals.ArrivalTracker)
    starts = Random(200, seed=3).points(surface.window)
    found = reduce_paths(surface, build("sgd", lr=0.01), starts, 120, targets=close)
    full = run(surface, build("sgd", lr=0.01), starts, 120)
    to, step = converged(full.positions, full.diverged_step, close, radius)
    assert np.array_equal(found.converged_to, to) and np.array_equal(found.converged_step, step)
    assert (to >= 0).any()


def test_clusters_of_a_formula_are_tracked_as_the_full_paths_say():
    surface = resolve_surface("(x**2 - 1)**2 + y**2 + 0.3*sin(3*x)", (-2, 2, -2, 2))
    starts = Random(300, seed=6).points(surface.window)
    found = reduce_paths(surface, build("sgd", lr=0.02, momentum=0.9), starts, 150)
    full = run(surface, build("sgd", lr=0.02, momentum=0.9), starts, 150)
    to, step = converged(full.positions, full.diverged_step, found.targets, found.tolerance)
    assert len(found.targets) >= 2
    assert np.array_equal(found.converged_to, to) and np.array_equal(found.converged_step, step)
