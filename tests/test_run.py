"""The runner: shapes, vectorisation over starts, divergence handling, stochastic runs."""

import warnings

import numpy as np
import pytest

from trajectories.compute.run import run
from trajectories.core.optimizers import adam, sgd
from trajectories.surfaces.catalogue import get_surface
from trajectories.surfaces.gradients import MiniBatchGradient, make_regression, regression_surface


def test_gradient_descent_on_a_quadratic_is_geometric():
    # on x² + y², GD multiplies the position by (1 − 2·lr) each step
    path = run(get_surface("sphere"), sgd(lr=0.1), (1.5, -1.0), steps=30)
    expected = np.array([1.5, -1.0]) * (0.8 ** np.arange(31))[:, None]
    np.testing.assert_allclose(path.positions, expected, rtol=1e-13)
    np.testing.assert_allclose(path.losses, (expected**2).sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(path.grad_norms, 2 * np.linalg.norm(expected, axis=1), rtol=1e-13)
    assert path.steps == 30 and path.diverged_step == -1


def test_many_starts_run_as_one_array_and_match_single_runs():
    surface = get_surface("himmelblau")
    starts = np.random.default_rng(0).uniform(-4, 4, size=(3, 4, 2))
    together = run(surface, adam(lr=0.1), starts, steps=50)
    assert together.positions.shape == (51, 3, 4, 2)
    assert together.losses.shape == (51, 3, 4) and together.diverged_step.shape == (3, 4)
    for index in np.ndindex(3, 4):
        alone = run(surface, adam(lr=0.1), starts[index], steps=50)
        assert np.array_equal(together.positions[(slice(None), *index)], alone.positions)


def test_divergence_is_detected_and_the_path_stops_cleanly():
    # GD with lr = 2 on x² + y² multiplies by −3 each step; the escape box is 100× the window's half
    # width (2) around 0, so |x| = 3^t first exceeds 200 at t = 5. The second point stays put.
    surface = get_surface("sphere")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = run(surface, sgd(lr=2.0), np.array([[1.0, 0.0], [0.0, 0.0]]), steps=20)
    assert path.diverged_step.tolist() == [5, -1]
    assert np.isfinite(path.positions[:5, 0]).all() and np.isnan(path.positions[5:, 0]).all()
    np.testing.assert_allclose(path.positions[4, 0], [81.0, 0.0])
    assert np.isnan(path.losses[5:, 0]).all() and np.isnan(path.grad_norms[5:, 0]).all()
    assert np.array_equal(path.positions[:, 1], np.zeros((21, 2)))
    np.testing.assert_allclose(path.final, [[81.0, 0.0], [0.0, 0.0]])
    assert path.diverged.tolist() == [True, False]


def test_overflow_to_infinity_is_divergence_without_warnings():
    surface = get_surface("rosenbrock")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = run(surface, sgd(lr=0.5), (-1.5, 2.0), steps=50, escape=1e300)
    assert 1 <= path.diverged_step <= 10
    assert np.isnan(path.positions[path.diverged_step :]).all()


@pytest.mark.parametrize("steps", [0, -3, 2.5, True])
def test_bad_step_counts(steps):
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        run(get_surface("sphere"), sgd(), (0.0, 0.0), steps)


@pytest.mark.parametrize(("start", "message"), [((1.0,), "last axis of length 2"), ((np.nan, 0.0), "finite")])
def test_bad_starts(start, message):
    with pytest.raises(ValueError, match=message):
        run(get_surface("sphere"), sgd(), start, 3)


def test_minibatch_descent_is_noisier_but_reaches_the_minimum():
    data = make_regression(n=1800, seed=0)
    surface = regression_surface(data)
    best = np.array(surface.global_minima[0].point)
    full = run(surface, sgd(lr=0.1), surface.start, steps=400)
    mini = run(surface, sgd(lr=0.1), surface.start, steps=400, gradient=MiniBatchGradient(data, 64, seed=0))
    assert np.linalg.norm(full.final - best) < 1e-3
    assert np.linalg.norm(mini.final - best) < 0.1
    # the same seed gives the same path; another seed another one
    again = run(surface, sgd(lr=0.1), surface.start, steps=400, gradient=MiniBatchGradient(data, 64, seed=0))
    other = run(surface, sgd(lr=0.1), surface.start, steps=400, gradient=MiniBatchGradient(data, 64, seed=1))
    assert np.array_equal(mini.positions, again.positions)
    assert not np.array_equal(mini.positions, other.positions)
    # noisier: the mini-batch path's steps wobble around the full-batch ones
    assert np.std(np.diff(mini.losses[200:])) > 10 * np.std(np.diff(full.losses[200:]))


def test_the_run_request_is_the_commands_logic_without_the_command():
    import json

    from click.testing import CliRunner

    from trajectories.cli.main import cli
    from trajectories.core.spec import parse_optimizer
    from trajectories.errors import OptionError
    from trajectories.pipeline.run_request import RunRequest

    def request(**changes):
        options = dict(surface="rosenbrock", window=None, specs=(parse_optimizer("adam:lr=0.05"),), starts=(),
                       start_sets=(), steps=20, batch_size=None, sigma=None, seed=0, fmt="json", reduce=False,
                       dask_address=None, output=None, arithmetic="numpy")
        return RunRequest(**{**options, **changes})

    text = request().carry_out(print)
    command = CliRunner().invoke(cli, ["run", "--surface", "rosenbrock", "--optimizer", "adam:lr=0.05",
                                       "--steps", "20"])
    assert command.exit_code == 0 and command.stdout == text
    assert len(json.loads(text)["trajectories"][0]["x"]) == 21
    outside = r"start \(9, 9\) is outside rosenbrock's window \[-2, 2\]×\[-1, 3\]"
    with pytest.raises(OptionError, match=outside) as error:
        request(starts=((9.0, 9.0),)).carry_out(print)
    assert error.value.option == "'--start'"
