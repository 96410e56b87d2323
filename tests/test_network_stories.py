"""The network scenes (scenes/networks.py): each lesson of the article, stated as numbers and checked on what
the scene computes, against closed forms and numpy's own evaluation of the network typed in here."""

import itertools
import math

import numpy as np
import pytest

from trajectories.compute.paths import compute_paths
from trajectories.scene import builtin_scenes

SCENES = {name: scene for name, scene in builtin_scenes().items() if name.startswith("network_")}
COMPUTED = {}


def computed(name):
    """The scene's :class:`NetworkComputed`, once per module."""
    if name not in COMPUTED:
        COMPUTED[name] = compute_paths(SCENES[name])
    return COMPUTED[name]


def final_losses(name):
    scene, found = SCENES[name], computed(name)
    return {racer.label: float(found.train_loss()[-1, i]) for i, racer in enumerate(scene.optimizers)}


def numpy_bce(params, inputs, targets, widths):
    """The mean binary cross-entropy of a tanh MLP with ``widths`` at ``params`` (torch's layout: each layer's
    weights, out × in, then its biases), in numpy's own arithmetic: an independent reference."""
    activations, offset = inputs, 0
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(widths)):
        weights = params[offset:offset + fan_in * fan_out].reshape(fan_out, fan_in)
        offset += fan_in * fan_out
        bias = params[offset:offset + fan_out]
        offset += fan_out
        z = activations @ weights.T + bias
        activations = z if layer == len(widths) - 2 else np.tanh(z)
    z = activations[:, 0]
    return float(np.mean(np.maximum(z, 0) - z * targets + np.log1p(np.exp(-np.abs(z)))))


def test_the_gallery_has_the_four_network_lessons_each_quick_and_told():
    assert set(SCENES) == {"network_race", "network_learning_rate", "network_batch_size", "network_bias_correction",
                           "network_landscape_3d"}
    for scene in SCENES.values():
        assert scene.source.endswith("networks.py")
        assert scene.view == ("network_surface" if scene.name == "network_landscape_3d" else "network")
        assert scene.look.title and len(scene.look.title) <= 64 and scene.description and "\n" not in scene.description
        assert scene.frame_count <= 101 and scene.steps <= 150


def test_the_loss_drawn_is_the_true_training_loss_of_each_racer():
    scene, found = SCENES["network_race"], computed("network_race")
    data = found.data.train
    for i in range(len(scene.optimizers)):
        for step in (0, 75, scene.steps):
            expected = numpy_bce(found.paths.params[step, i, 0], data.inputs, data.targets, found.model.widths)
            assert found.train_loss()[step, i] == pytest.approx(expected, rel=1e-10)


def test_the_pca_plane_and_its_shares_agree_with_numpy():
    found = computed("network_race")
    points = found.paths.params[:, :, 0].reshape(-1, found.model.parameter_count)
    centred = points - points.mean(axis=0)
    singular = np.linalg.svd(centred, compute_uv=False)
    variance = singular**2 / np.sum(singular**2)
    assert found.explained == pytest.approx(tuple(variance[:2]), rel=1e-9)
    basis, _ = np.linalg.qr(found.plane.axes.T)  # the plane's directions, orthonormal
    for i in range(found.paths.params.shape[1]):
        moved = found.paths.params[:, i, 0] - found.paths.params[0, i, 0]
        inside = np.sum((moved @ basis) ** 2)
        assert found.fractions[i] == pytest.approx(inside / np.sum(moved**2), rel=1e-9)


def test_the_race_momentum_and_adam_end_far_below_gd():
    losses = final_losses("network_race")
    assert losses["Adam"] < losses["GD"] / 6 and losses["Momentum"] < losses["GD"] / 6  # "under a sixth"
    assert losses["RMSProp"] < losses["GD"] / 3
    # and the networks say so: Adam classifies the moons better than GD
    accuracy = computed("network_race").paths.accuracy[-1, :, 0]
    assert accuracy[3] > accuracy[0] + 0.05


def test_learning_rates_too_small_barely_moves_too_large_jumps_and_ends_worse():
    found, scene = computed("network_learning_rate"), SCENES["network_learning_rate"]
    loss = found.train_loss()
    small, right, large = (loss[:, i] for i in range(3))
    assert small[0] - small[-1] < 0.25 * (right[0] - right[-1])  # a quarter of the progress
    assert np.all(np.diff(small) < 0) and np.all(np.diff(right[:40]) < 0)  # small steps descend steadily
    assert np.max(large) > 15 * large[0]  # the loss jumps fifteenfold
    assert np.sum(np.diff(large) > 0) > scene.steps // 4  # and keeps oscillating
    assert large[-1] > 2 * right[-1]
    moved = np.linalg.norm(found.paths.params[-1, :, 0] - found.paths.params[0, :, 0], axis=-1)
    assert moved[2] > 10 * moved[1] > 10 * moved[0]  # the too-large rate throws the weights far away


def test_batch_sizes_per_sample_read_mini_batches_learn_faster():
    found, scene = computed("network_batch_size"), SCENES["network_batch_size"]
    assert scene.shows_samples
    samples = found.paths.samples_read
    steps = np.arange(scene.steps + 1)
    assert np.array_equal(samples, np.stack([200 * steps, 20 * steps, steps]))  # figure 3's clock, in closed form
    loss = found.train_loss()
    full_at = np.interp(samples[1, -1], samples[0], loss[:, 0])  # the full batch after as many samples
    assert loss[-1, 1] < full_at - 0.1
    full_at = np.interp(samples[2, -1], samples[0], loss[:, 0])
    assert loss[-1, 2] < full_at - 0.2
    # the full batch descends steadily; samples drawn in batches make the true loss rise on many updates
    rises = [int(np.sum(np.diff(loss[:, i]) > 0)) for i in range(3)]
    assert rises[0] == 0 and rises[1] > 20 and rises[2] > 20


def test_adam_without_bias_correction_makes_its_first_update_sqrt_10_times_longer():
    found = computed("network_bias_correction")
    first = found.paths.params[1, :, 0] - found.paths.params[0, :, 0]
    # m1 = (1 − β1) g and v1 = (1 − β2) g²: corrected, every weight moves lr·g/(|g| + ε); raw,
    # lr·(1 − β1)g/(√(1 − β2)|g| + ε), (1 − β1)/√(1 − β2) = 0.1/√0.001 = √10 times as far where |g| ≫ ε
    corrected, raw = np.abs(first[0]), np.abs(first[1])
    assert np.all(corrected <= 0.02) and np.median(corrected) == pytest.approx(0.02, rel=1e-5)
    large = corrected > 0.02 * (1 - 1e-6)  # |g| > 1e-2: ε changes the ratio by less than 1e-4
    assert large.sum() > len(corrected) // 4
    assert raw[large] / corrected[large] == pytest.approx(np.full(large.sum(), math.sqrt(10)), rel=1e-4)
