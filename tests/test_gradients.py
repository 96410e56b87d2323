"""Losses over data and stochastic gradients: exact against direct sums, seeded, unbiased."""

import numpy as np
import pytest

from trajectories.surfaces.catalogue import get_surface
from trajectories.surfaces.gradients import (
    Dataset,
    ExactGradient,
    MiniBatchGradient,
    NoisyGradient,
    make_regression,
    regression_surface,
    stochastic_gradient,
)


def direct_loss_and_gradient(data, w, b):
    residual = w * data.x + b - data.y
    return 0.5 * np.mean(residual**2), np.array([np.mean(residual * data.x), np.mean(residual)])


def test_regression_loss_and_gradient_equal_direct_sums():
    data = make_regression(n=300, seed=3)
    surface = regression_surface(data)
    for w, b in np.random.default_rng(1).uniform(-3, 3, size=(20, 2)):
        loss, gradient = direct_loss_and_gradient(data, w, b)
        assert surface.f(np.array([w, b])) == pytest.approx(loss, rel=1e-12)
        np.testing.assert_allclose(surface.grad(np.array([w, b])), gradient, rtol=1e-10, atol=1e-12)


def test_regression_minimum_solves_the_normal_equations():
    data = make_regression(seed=5)
    surface = regression_surface(data)
    (best,) = surface.global_minima
    design = np.column_stack([data.x, np.ones(len(data))])
    w, b = np.linalg.solve(design.T @ design, design.T @ data.y)
    assert best.point == pytest.approx((w, b), rel=1e-10)
    assert np.linalg.norm(surface.grad(np.array(best.point))) < 1e-12
    assert surface.contains(*best.point) and surface.contains(*surface.start)
    # the generating line is recovered within the noise
    assert best.point == pytest.approx((1.5, -0.5), abs=0.1)


def test_dataset_is_seeded():
    assert np.array_equal(make_regression(seed=1).y, make_regression(seed=1).y)
    assert not np.array_equal(make_regression(seed=1).y, make_regression(seed=2).y)
    with pytest.raises(ValueError, match="same, non-zero length"):
        Dataset(np.zeros(3), np.zeros(2))


@pytest.mark.parametrize(("n", "batch", "drop_last", "sizes"), [
    (10, 4, False, [4, 4, 2]), (10, 4, True, [4, 4]), (12, 4, False, [4, 4, 4]), (5, 5, False, [5]),
])
def test_each_epoch_is_a_permutation_cut_into_batches(n, batch, drop_last, sizes):
    source = MiniBatchGradient(make_regression(n=n), batch, seed=2, drop_last=drop_last)
    assert source.batches_per_epoch == len(sizes)
    for epoch in range(3):
        batches = [source.batch(epoch * len(sizes) + k) for k in range(len(sizes))]
        assert [len(b) for b in batches] == sizes
        seen = np.concatenate(batches)
        assert len(set(seen.tolist())) == len(seen)
        if not drop_last:
            assert sorted(seen.tolist()) == list(range(n))
    assert not np.array_equal(source.permutation(0), source.permutation(1))  # reshuffled each epoch
    assert source.samples_processed(2 * len(sizes) + 1) == 2 * sum(sizes) + sizes[0]


def test_minibatch_gradient_is_the_exact_gradient_over_its_batch():
    data = make_regression(n=100, seed=4)
    source = MiniBatchGradient(data, 16, seed=9)
    params = np.array([[0.3, -1.2], [2.0, 0.5]])
    for step in (0, 6, 7, 13):  # includes the partial last batch (100 = 6·16 + 4)
        indices = source.batch(step)
        subset = Dataset(data.x[indices], data.y[indices])
        expected = np.array([direct_loss_and_gradient(subset, w, b)[1] for w, b in params])
        np.testing.assert_allclose(source(params, step), expected, rtol=1e-10, atol=1e-12)


def test_an_epoch_of_minibatch_gradients_averages_to_the_full_gradient():
    data = make_regression(n=96, seed=4)
    source = MiniBatchGradient(data, 32, seed=1)
    params = np.array([0.7, 0.2])
    average = np.mean([source(params, step) for step in range(3)], axis=0)
    np.testing.assert_allclose(average, regression_surface(data).grad(params), rtol=1e-10)


def test_minibatch_stream_is_a_pure_function_of_the_step():
    data = make_regression(n=50)
    a, b = MiniBatchGradient(data, 8, seed=3), MiniBatchGradient(data, 8, seed=3)
    forward = [a.batch(t).tolist() for t in range(20)]
    backward = [b.batch(t).tolist() for t in reversed(range(20))][::-1]
    assert forward == backward


def test_noise_has_the_documented_law():
    surface = get_surface("sphere")
    source = NoisyGradient(surface, sigma=2.0, batch_size=16, seed=0)
    points = np.zeros((20000, 2)) + np.array([0.5, -1.0])
    noise = source(points, step=3) - surface.grad(points)
    # mean 0 and standard deviation σ/√B = 0.5 per coordinate (20000 samples: ~0.7% standard error)
    np.testing.assert_allclose(noise.mean(axis=0), 0, atol=0.02)
    np.testing.assert_allclose(noise.std(axis=0), 0.5, rtol=0.03)
    assert abs(np.corrcoef(noise.T)[0, 1]) < 0.03
    assert np.array_equal(source(points, 3), source(points, 3))
    assert not np.array_equal(source(points, 3), source(points, 4))


def test_choosing_a_gradient_source():
    assert isinstance(stochastic_gradient(get_surface("rosenbrock")), ExactGradient)
    assert isinstance(stochastic_gradient(get_surface("rosenbrock"), batch_size=4), NoisyGradient)
    assert isinstance(stochastic_gradient(get_surface("regression"), batch_size=64), MiniBatchGradient)
    with pytest.raises(ValueError, match="mini-batches, not sigma"):
        stochastic_gradient(get_surface("regression"), sigma=1.0)
    with pytest.raises(ValueError, match="batch size must be between 1 and"):
        MiniBatchGradient(make_regression(n=10), 11)
    with pytest.raises(ValueError, match="sigma must be a finite number"):
        NoisyGradient(get_surface("sphere"), sigma=float("nan"))
