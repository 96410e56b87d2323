"""Reproducibility horizons: detected where paths are chaotic, checked against independent paths."""

import math

import numpy as np
import pytest

from trajectories.compute.horizon import JITTER, RUN_TOLERANCE, horizons, nudge, render_tolerance
from trajectories.compute.paths import chaotic_paths
from trajectories.compute.run import run
from trajectories.core.portable import portable_surface
from trajectories.core.spec import parse_optimizer
from trajectories.scene import Racer, ReproducibilityWarning, Scene, builtin_scenes
from trajectories.surfaces.catalogue import get_surface
from trajectories.surfaces.gradients import NoisyGradient

PEAKS = get_surface("peaks")
ROSENBROCK = get_surface("rosenbrock")
CENTERED_RMSPROP = "rmsprop:lr=0.001,alpha=0.9,momentum=0.5,centered=true"


def _departure(a, b, window, tolerance=RUN_TOLERANCE):
    """The first step at which paths ``a`` and ``b`` are ``tolerance`` of the window apart, or None."""
    x0, x1, y0, y1 = window
    gap = (np.abs(a - b) / np.array([x1 - x0, y1 - y0])).max(axis=-1)
    return int(np.argmax(gap > tolerance)) if (gap > tolerance).any() else None


def test_figure_2s_big_learning_rate_has_a_horizon_that_an_independent_path_confirms():
    gd = parse_optimizer("sgd:lr=0.15").build()
    path = run(PEAKS, gd, (-0.5, -1.0), 180).positions
    horizon = int(horizons(PEAKS, gd, path))
    # independent paths whose last bits differ depart visibly, after the horizon: a start one ulp away (on
    # every CPU), and the same run with correctly rounded exp (its last bits differ from numpy's on some CPUs
    # only: with AVX-512 they do along this path; with AVX2 or the baseline they happen to agree)
    starts = [(np.nextafter(-0.5, side), -1.0) for side in (0, -1)] + [(-0.5, np.nextafter(-1.0, s)) for s in (0, -2)]
    departures = [_departure(path, run(PEAKS, gd, start, 180).positions, PEAKS.window) for start in starts]
    departures.append(_departure(path, run(portable_surface(PEAKS), gd, (-0.5, -1.0), 180).positions, PEAKS.window))
    seen = [step for step in departures if step is not None]
    assert 20 <= horizon <= 60 and len(seen) >= 3
    assert all(horizon <= step <= horizon + 30 for step in seen), (horizon, departures)
    # the small learning rate contracts every difference: no horizon
    calm = parse_optimizer("sgd:lr=0.01").build()
    assert int(horizons(PEAKS, calm, run(PEAKS, calm, (-0.5, -1.0), 180).positions)) == -1


def _reordered_centered_rmsprop(start, steps, reorder_mean, reorder_square, lr=0.001, alpha=0.9, eps=1e-8,
                                momentum=0.5):
    """Centered RMSProp with momentum on Rosenbrock in plain Python floats: the same equations as ours, with
    the mean gradient as αm + (1−α)g instead of a lerp and/or the square as (1−α)(g·g), as another framework
    may compute them: an independent implementation whose last bits differ."""
    x, y = start
    square, mean, buffer = [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]
    points = [(x, y)]
    for _ in range(steps):
        grads = (-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x))
        theta = [x, y]
        for i, g in enumerate(grads):
            square[i] = square[i] * alpha + ((1 - alpha) * (g * g) if reorder_square else (1 - alpha) * g * g)
            mean[i] = mean[i] * alpha + (1 - alpha) * g if reorder_mean else mean[i] + (1 - alpha) * (g - mean[i])
            buffer[i] = buffer[i] * momentum + g / (math.sqrt(square[i] - mean[i] * mean[i]) + eps)
            theta[i] -= lr * buffer[i]
        x, y = theta
        points.append((x, y))
    return np.array(points)


def test_centered_rmsprop_on_rosenbrock_has_a_horizon_where_other_implementations_depart():
    optimizer = parse_optimizer(CENTERED_RMSPROP).build()
    path = run(ROSENBROCK, optimizer, (-1.5, 2.0), 400).positions
    horizon = int(horizons(ROSENBROCK, optimizer, path))
    assert np.array_equal(_reordered_centered_rmsprop((-1.5, 2.0), 400, False, False), path)  # our own order
    departures = []
    for reorder in ((True, False), (False, True), (True, True)):
        reference = _reordered_centered_rmsprop((-1.5, 2.0), 400, *reorder)
        assert int(np.argmax((reference != path).any(axis=1))) > 50  # the same to the last bit for a while...
        departures.append(_departure(path, reference, ROSENBROCK.window) or 401)
    # ...then they part: never before the horizon, and the first one soon after it
    assert 100 < horizon <= min(departures) <= horizon + 30


def test_no_horizon_on_contracting_paths_and_shadows_share_the_noise():
    adam = parse_optimizer("adam:lr=0.1").build()
    assert int(horizons(ROSENBROCK, adam, run(ROSENBROCK, adam, (-1.5, 2.0), 300).positions)) == -1
    sphere = get_surface("sphere")
    noisy = NoisyGradient(sphere, sigma=1.0, batch_size=4, seed=3)
    gd = parse_optimizer("sgd:lr=0.1").build()
    starts = np.array([[-1.5, 1.0], [1.0, 1.0], [0.5, -1.5]])
    path = run(sphere, gd, starts, 200, gradient=noisy).positions
    assert horizons(sphere, gd, path, gradient=noisy).tolist() == [-1, -1, -1]  # same noise, no false alarm


def test_shadows_start_a_few_ulps_away_and_jitter_is_last_bit_sized():
    points = np.array([[1.0, -2.0], [0.0, 3.0]])
    moved = nudge(points, (1, -1), 4)
    assert np.array_equal(moved[:, 0], [1.0 + 4 * 2.0**-52, 4 * 5e-324])
    assert moved[0, 1] == -2.0 - 4 * 2.0**-51 and 0 < JITTER < 1e-14
    assert render_tolerance((400, 200)) == 0.25 / 400
    with pytest.raises(ValueError, match="tolerance"):
        horizons(PEAKS, parse_optimizer("sgd").build(), np.zeros((3, 2)), tolerance=0)


def test_a_tighter_tolerance_finds_the_horizon_earlier():
    gd = parse_optimizer("sgd:lr=0.15").build()
    path = run(PEAKS, gd, (-0.5, -1.0), 180).positions
    assert int(horizons(PEAKS, gd, path, tolerance=1e-9)) < int(horizons(PEAKS, gd, path, tolerance=1e-2))


def _panels(scene):
    return list(getattr(scene, "panels", [scene]))


def test_no_built_in_scene_draws_past_a_horizon_in_arithmetic_that_differs_between_cpus():
    checked = 0
    for scene in builtin_scenes().values():
        size = scene.look.size
        for panel in _panels(scene):
            if not isinstance(panel, Scene):
                continue  # diagrams and the EWA series have no optimizer paths
            checked += 1
            if panel.reproducible_everywhere:
                continue
            chaotic = chaotic_paths(panel, tolerance=render_tolerance(size))
            assert not chaotic, chaotic[0].warning()
    assert checked >= 17


def test_figure_2_is_chaotic_and_therefore_portable():
    scenes = builtin_scenes()
    big = scenes["fig2_learning_rates"].panels[0]
    assert big.arithmetic == "portable" and big.racer_steps() == [180]
    (path,) = chaotic_paths(big, tolerance=render_tolerance((400, 200)))
    assert 20 <= path.step <= 60 and "portable arithmetic" not in path.warning()
    assert scenes["fig2_learning_rates_2d"].arithmetic == "portable"
    numpy_big = big.with_options(arithmetic="numpy")
    assert not numpy_big.reproducible_everywhere  # peaks needs exp: its last bits depend on the CPU
    (warned,) = chaotic_paths(numpy_big, tolerance=render_tolerance((400, 200)))
    assert "--arithmetic portable" in warned.warning()


CHAOTIC = ["--surface", "peaks", "--optimizer", "sgd:lr=0.15", "--start", "-0.5,-1", "--steps", "120",
           "--frames", "4", "--size", "160x120", "--dpi", "20"]


def test_render_warns_in_one_line_when_frames_depend_on_the_cpu(invoke, tmp_path):
    result = invoke("render", *CHAOTIC, "-o", str(tmp_path / "a.gif"), "-q")
    assert result.exit_code == 0 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("trajectories: warning: peaks: the path of 'sgd:lr=0.15'")
    assert "is chaotic from step" in lines[0] and "--arithmetic portable" in lines[0]
    portable = invoke("render", *CHAOTIC, "-o", str(tmp_path / "b.gif"), "-q", "--arithmetic", "portable")
    assert portable.exit_code == 0 and portable.stderr == ""


def test_python_renders_warn_with_a_reproducibility_warning(tmp_path):
    scene = Scene("chaos", "peaks", [Racer("sgd:lr=0.15", "GD")], start=(-0.5, -1.0), steps=120, frames=3,
                  size=(160, 120), dpi=20)
    with pytest.warns(ReproducibilityWarning, match="chaos: the path of 'GD' from"):
        result = scene.render(tmp_path / "c.gif")
    assert len(result.warnings) == 1


def test_describe_reports_each_paths_horizon(invoke):
    text = invoke("describe", "fig2_learning_rates").output
    assert "Gradient descent from (-0.5, -1): step" in text and "(chaotic; computed in portable arithmetic)" in text
    assert "Gradient descent from (-0.5, -1): none within 180 steps" in text
    rosenbrock = invoke("describe", "rosenbrock").output
    assert "exact operations only, the same on every CPU" in rosenbrock


def test_run_reports_horizons_in_json_and_csv(invoke):
    import json

    args = ["run", "--surface", "peaks", "--optimizer", "sgd:lr=0.15", "--optimizer", "sgd:lr=0.01",
            "--start", "-0.5,-1", "--steps", "120"]
    document = json.loads(invoke(*args).output)
    wild, calm = document["trajectories"]
    gd = parse_optimizer("sgd:lr=0.15").build()
    assert wild["horizon"] == int(horizons(PEAKS, gd, run(PEAKS, gd, (-0.5, -1.0), 120).positions))
    assert calm["horizon"] is None
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(invoke(*args, "--format", "csv").output)))
    assert rows[0]["horizon"] == str(wild["horizon"]) and rows[-1]["horizon"] == ""
    portable = json.loads(invoke(*args, "--arithmetic", "portable").output)
    assert portable["arithmetic"] == "portable" and portable["trajectories"][0]["horizon"] is not None


# --- many paths: screened swarms, and basin maps ------------------------------------------------------------


@pytest.mark.parametrize(("surface", "spec", "steps", "chaotic"), [
    (PEAKS, "sgd:lr=0.15", 150, 30), (ROSENBROCK, CENTERED_RMSPROP, 300, 30), (get_surface("rastrigin"), "adam:lr=0.5",
                                                                               120, 0)])
def test_a_screened_swarm_gets_the_four_shadows_horizons_path_for_path(surface, spec, steps, chaotic, monkeypatch):
    from trajectories.compute import horizon
    from trajectories.compute.starts import Random

    starts = Random(300, seed=11).points(surface.window)
    optimizer = parse_optimizer(spec).build()
    paths = run(surface, optimizer, starts, steps).positions
    screened = horizons(surface, optimizer, paths, tolerance=render_tolerance((640, 480)))
    monkeypatch.setattr(horizon, "SCREEN_FROM", 10**9)  # every path gets the four shadows
    every = horizons(surface, optimizer, paths, tolerance=render_tolerance((640, 480)))
    assert np.array_equal(screened, every)
    assert (every >= 0).sum() >= chaotic


def test_a_chaotic_basin_map_warns_with_how_many_starts_end_elsewhere(tmp_path):
    """The basin map's check against whole paths: the map's starts and a shadow's (nudged a few ulps and
    wobbled an ulp a step), run in full and judged by the convergence rule on full paths."""
    from trajectories.compute.basins import converged, known_targets, tolerance_of
    from trajectories.compute.horizon import _DIRECTIONS, nudge, wobbled
    from trajectories.compute.starts import Grid

    scene = Scene("wild", "peaks", ["sgd:lr=0.1"], start_sets=[Grid(30, 30)], steps=150, view="basins",
                  size=(200, 150))
    with pytest.warns(ReproducibilityWarning) as caught:
        scene.render(tmp_path / "wild.gif")
    starts = np.asarray(scene.starts)
    targets, radius = known_targets(PEAKS), tolerance_of(PEAKS.window)
    main = run(PEAKS, parse_optimizer("sgd:lr=0.1").build(), starts, 150)
    shadow = run(PEAKS, wobbled(parse_optimizer("sgd:lr=0.1").build()), nudge(starts, _DIRECTIONS[0]), 150)
    ends = [(*converged(p.positions, p.diverged_step, targets, radius), p.diverged_step) for p in (main, shadow)]
    differ = int(np.count_nonzero(np.logical_or.reduce([a != b for a, b in zip(*ends, strict=True)])))
    assert differ > 10
    assert [str(w.message) for w in caught] == [
        f"wild: {differ} of the 900 starts of 'sgd:lr=0.1' end at another target or step when their last bits "
        "change: the map can differ between CPUs; render it with --arithmetic portable (in a scene: "
        'arithmetic="portable") for the same bytes on every machine']
    calm = scene.with_options(optimizers=["sgd:lr=0.01"])
    assert calm.render(tmp_path / "calm.gif").warnings == ()
