"""The lessons gallery (scenes/lessons.py): each scene's story, stated as numbers and checked on the paths the
scene computes, against closed forms and recurrences typed in here."""

import math

import numpy as np
import pytest

from trajectories.compute.paths import chaotic_paths, race_trajectories
from trajectories.compute.run import run
from trajectories.core.spec import parse_optimizer
from trajectories.scene import builtin_scenes
from trajectories.surfaces.catalogue import get_surface

SCENES = builtin_scenes()
LESSONS = {name: scene for name, scene in SCENES.items() if name.startswith("lesson_")}


def paths(name):
    """``{label: positions (steps + 1, 2)}`` of the lesson's racers (one start each)."""
    scene = LESSONS[name]
    return {r.label: t.positions[:, 0] for r, t in zip(scene.optimizers, race_trajectories(scene), strict=True)}


def step_lengths(positions):
    return np.linalg.norm(np.diff(positions, axis=0), axis=-1)


def exit_step(positions, window):
    """The first step at which the path is outside ``window`` (NaN counts as outside), or None."""
    x0, x1, y0, y1 = window
    x, y = positions[:, 0], positions[:, 1]
    outside = ~((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
    return int(np.argmax(outside)) if outside.any() else None


def test_the_gallery_has_the_seven_lessons_each_quick_and_told():
    assert set(LESSONS) == {
        "lesson_adam_bias_correction", "lesson_rmsprop_accumulator", "lesson_adagrad_vs_rmsprop",
        "lesson_rmsprop_epsilon", "lesson_clipping_cliff", "lesson_batch_sizes", "lesson_learning_rate_sweep",
    }
    for scene in LESSONS.values():
        assert scene.source.endswith("lessons.py") and scene.view == "contour"
        title = scene.look.title
        assert title and title != scene.surface.name and len(title) <= 64  # fits above the plot
        assert scene.description and "\n" not in scene.description
        assert scene.frame_count <= 101 and len(scene.starts) == 1
        assert not chaotic_paths(scene)  # the same frames on every CPU


# --- Adam with and without bias correction ---------------------------------------------------------------


def test_adam_without_bias_correction_takes_several_times_longer_first_steps():
    found = paths("lesson_adam_bias_correction")
    corrected, raw = step_lengths(found["Adam"]), step_lengths(found["Adam, no bias correction"])
    # step 1 in closed form: m1 = 0.1 g, √v1 = √0.001 |g|, so the raw step is 0.1/√0.001 = √10 times lr·sign(g)
    assert raw[0] / corrected[0] == pytest.approx(math.sqrt(10), rel=1e-6)
    assert np.max(raw[:10] / corrected[:10]) > 4  # √v lags m longer than m lags g
    # the long strides swing it across the ravine (the start is at y = 3, the floor at y = 0)
    assert found["Adam, no bias correction"][:31, 1].min() < -2 < -1 < found["Adam"][:31, 1].min()
    scene = LESSONS["lesson_adam_bias_correction"]
    losses = [t.losses[30, 0] for t in race_trajectories(scene)]
    assert losses[1] > 10 * losses[0]


# --- RMSProp's accumulator: 1 (TensorFlow 1) or 0 (torch) ------------------------------------------------

FIG7_OTHERS = {  # figure 7's other racers, typed in from ARTICLE.md: their exit steps from the (−1, 1)² box
    "sgd:lr=0.02": 177, "sgd:lr=0.02,momentum=0.9": 46, "sgd:lr=0.02,momentum=0.9,nesterov=true": 42,
    "adam:lr=0.02,eps_hat=true": 44,
}


def test_rmsprop_from_a_zero_accumulator_leaves_the_saddle_first_at_step_29():
    scene = LESSONS["lesson_rmsprop_accumulator"]
    found = paths("lesson_rmsprop_accumulator")
    tf1, torch = found["RMSProp, s₀ = 1 (TensorFlow 1)"], found["RMSProp, s₀ = 0 (torch)"]
    assert scene.plot_window == (-1, 1, -1, 1) and scene.starts == ((1.0, -0.001),) and scene.steps == 180
    assert exit_step(torch, scene.plot_window) == 29
    assert exit_step(tf1, scene.plot_window) == 69
    saddle = get_surface("saddle")
    for spec, expected in FIG7_OTHERS.items():
        other = run(saddle, parse_optimizer(spec).build(), (1.0, -0.001), 180, escape=np.inf).positions
        assert exit_step(other, scene.plot_window) == expected > 29  # from 0, RMSProp beats all of them
    # why: the first step, typed in. g = (2, 0.002); s1 = 0.1 g² (+ 0.9 from 1); step = lr g / √(s1 + ε)
    g = np.array([2.0, 0.002])
    np.testing.assert_allclose(torch[1] - torch[0], -0.02 * g / np.sqrt(0.1 * g * g + 1e-10), rtol=1e-9)
    np.testing.assert_allclose(tf1[1] - tf1[0], -0.02 * g / np.sqrt(0.9 + 0.1 * g * g + 1e-10), rtol=1e-12)
    assert abs(torch[1, 1] - torch[0, 1]) > 25 * abs(tf1[1, 1] - tf1[0, 1])  # ≈ lr/√0.1 against lr·g_y/√0.9


# --- AdaGrad's ever-growing sum against RMSProp's moving average ------------------------------------------


def test_adagrad_stalls_after_the_steep_start_while_rmsprop_forgets_it():
    scene = LESSONS["lesson_adagrad_vs_rmsprop"]
    found = paths("lesson_adagrad_vs_rmsprop")
    adagrad, rmsprop = found["AdaGrad"], found["RMSProp"]
    beale = scene.surface
    # each rule's per-coordinate learning rate, recomputed from the gradients along its own path
    g = beale.grad(adagrad[:-1])
    adagrad_rate = 1.0 / (np.sqrt(np.cumsum(g * g, axis=0)) + 1e-10)
    np.testing.assert_allclose(np.diff(adagrad, axis=0), -adagrad_rate * g, rtol=1e-9, atol=1e-15)
    g = beale.grad(rmsprop[:-1])
    v, rmsprop_rate = np.zeros(2), []
    for row in g:
        v = 0.9 * v + 0.1 * row * row
        rmsprop_rate.append(0.3 / (np.sqrt(v) + 1e-8))
    rmsprop_rate = np.array(rmsprop_rate)
    np.testing.assert_allclose(np.diff(rmsprop, axis=0), -rmsprop_rate * g, rtol=1e-9, atol=1e-15)
    # the same first step, then AdaGrad's rate only shrinks (the steep start dominates its sum for ever)
    np.testing.assert_allclose(step_lengths(adagrad)[0], step_lengths(rmsprop)[0], rtol=0.06)
    assert (np.diff(adagrad_rate, axis=0) <= 0).all() and (adagrad_rate[-1] > 0.8 * adagrad_rate[0]).all()
    # while RMSProp's grows more than fifty-fold once it has forgotten the start
    assert (rmsprop_rate[-1] > 50 * rmsprop_rate[0]).all() and not (np.diff(rmsprop_rate, axis=0) <= 0).all()
    losses = [t.losses[-1, 0] for t in race_trajectories(scene)]
    assert losses[1] < 0.01 < 1 < losses[0]
    assert np.linalg.norm(rmsprop[-1] - (3, 0.5)) < 0.15 < 1.5 < np.linalg.norm(adagrad[-1] - (3, 0.5))


# --- RMSProp's ε on a plateau ----------------------------------------------------------------------------


def test_rmsprop_with_a_tiny_epsilon_kicks_itself_out_of_the_minimum():
    scene = LESSONS["lesson_rmsprop_epsilon"]
    trajectories = race_trajectories(scene)
    tiny, large = (t.positions[:, 0] for t in trajectories)
    tiny_loss, large_loss = (t.losses[:, 0] for t in trajectories)
    # both reach the minimum within 20 steps...
    assert tiny_loss[20] < 1e-9 and large_loss[25] < 1e-9
    # ...but with ε = 1e-8 the step g/(√v + ε) grows back to ~lr as v decays, and kicks it out near step 160
    kick = 25 + int(np.argmax(tiny_loss[25:] > 1e-4))
    assert 150 <= kick <= 170 and (tiny_loss[25:kick] < 1e-4).all()
    assert step_lengths(tiny)[100:].max() > 0.25  # about 6 lr
    assert step_lengths(large)[100:].max() < 1e-12 and (large_loss[25:] < 1e-12).all()
    # the price of the large ε: where g is tiny (the plateau, |g| ≈ 0.002) the first step is 8 times shorter
    assert step_lengths(tiny)[0] == pytest.approx(0.05 * math.sqrt(2) / math.sqrt(0.01), rel=1e-3)
    assert step_lengths(large)[0] < step_lengths(tiny)[0] / 8


# --- Gradient clipping on a cliff ------------------------------------------------------------------------


def test_unclipped_gd_is_thrown_off_the_cliff_and_clipped_gd_walks_to_the_minimum():
    scene = LESSONS["lesson_clipping_cliff"]
    found = paths("lesson_clipping_cliff")
    gd, by_norm, by_value = found["GD"], found["GD, norm clipped to 1"], found["GD, values clipped to 1"]
    jumps = step_lengths(gd)
    assert jumps.max() > 30 and int(np.argmax(jumps)) + 1 == exit_step(gd, scene.plot_window) == 5
    assert (gd[5:, 0] < scene.plot_window[0]).all()  # thrown out of the picture, and still crawling back at the end
    assert np.linalg.norm(gd[-1]) > 20
    # clipped: no step longer than lr·c = 1 (by value: no coordinate), and the minimum within 10 steps
    assert step_lengths(by_norm).max() <= 1 + 1e-12 and np.abs(np.diff(by_value, axis=0)).max() <= 1 + 1e-12
    for path in (by_norm, by_value):
        assert exit_step(path, scene.plot_window) is None
        assert np.linalg.norm(path[10]) < 1e-3 and np.linalg.norm(path[-1]) < 1e-6
    # the cliff is what did it: the step that threw GD started on the cliff face (|x − 2.5| < 0.25)
    assert abs(gd[4, 0] - 2.5) < 0.25 and np.linalg.norm(scene.surface.grad(gd[4])) > 30


# --- Batch sizes on figure 3's problem --------------------------------------------------------------------


def test_smaller_batches_take_more_and_noisier_steps_per_epoch():
    scene = LESSONS["lesson_batch_sizes"]
    assert scene.surface.name == "regression" and len(scene.surface.dataset) == 1800 and scene.epochs == 10
    assert [r.batch_size for r in scene.optimizers] == [1, 64, 512, None]
    # 10 epochs: 1800 batches of 1, 29 of 64 (28 full + 8 left over), 4 of 512 (3 + 264), 1 full batch
    assert scene.racer_steps() == [18000, 290, 40, 10]
    noise = []
    for racer, trajectory in zip(scene.optimizers, race_trajectories(scene), strict=True):
        path = trajectory.positions[:, 0]
        used = -np.diff(path, axis=0) / racer.spec.params["lr"]  # the gradient each step followed
        noise.append(np.sqrt(np.mean(np.sum((used - scene.surface.grad(path[:-1])) ** 2, axis=-1))))
    assert noise[0] > 5 * noise[1] > 5 * noise[2] > 0  # 1.0, 0.16, 0.10
    assert noise[1] > noise[2] and noise[3] < 1e-12  # full batch: the exact gradient


# --- A learning-rate sweep ----------------------------------------------------------------------------------


def _luminance(hex_colour):
    """WCAG relative luminance of ``#rrggbb``, typed in."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_sweep_fans_out_from_crawling_to_exploding():
    scene = LESSONS["lesson_learning_rate_sweep"]
    rates = [r.spec.params["lr"] for r in scene.optimizers]
    assert rates == sorted(rates) and len(rates) == 8 and rates[-1] / rates[0] == 200
    assert np.allclose(np.diff(np.log10(rates)), np.log10(rates[1]) - np.log10(rates[0]), atol=0.21)  # ~log
    assert [r.legend_text() for r in scene.optimizers] == [f"lr {lr:g}" for lr in rates]
    from trajectories.style.theme import get_theme

    luminance = [_luminance(color) for color in scene.racer_colors(get_theme(scene.look.theme))]
    assert luminance == sorted(luminance)  # a sequential colour scale: darker = smaller rate
    found = list(paths("lesson_learning_rate_sweep").values())
    start, best = np.array(scene.starts[0]), np.array((3.584428, -1.848127))
    moved = [np.linalg.norm(p[-1] - start) if np.isfinite(p[-1]).all() else np.inf for p in found]
    assert moved[0] < moved[1] < 0.05 < 1 < moved[2] < moved[3]  # the smallest barely leave the hilltop
    assert np.linalg.norm(found[3][-1] - best) < 0.05 and np.linalg.norm(found[4][-1] - best) < 1e-6
    # 0.02 bounces across the minimum in a two-step cycle, never settling
    bounce = found[5]
    np.testing.assert_allclose(bounce[-1], bounce[-3], atol=1e-6)
    assert step_lengths(bounce)[-10:].min() > 0.5
    # the two largest are thrown out of the window, the largest first
    exits = [exit_step(p, scene.plot_window) for p in found]
    assert exits[:6] == [None] * 6 and exits[7] < exits[6] <= 10
