"""Fair tuning (:mod:`trajectories.compute.tune`, ``trajectories tune``): the batch against one run per rate, the
search against an independent 40-point log grid, divergence, determinism and the TOML scene it writes."""

import math

import numpy as np
import pytest
from click.testing import CliRunner

from trajectories.cli.main import cli
from trajectories.compute.run import run
from trajectories.compute.tune import Budget, TuneError, evaluate, parse_metric, parse_param, tune
from trajectories.core.spec import OptimizerSpec, parse_optimizer
from trajectories.scene.toml_file import load_toml_scene
from trajectories.surfaces.catalogue import get_surface

ROSENBROCK = get_surface("rosenbrock")
START = np.array([[-1.5, 2.0]])
SPACE = parse_param("lr=1e-5..1,log")


def final_loss_alone(surface, text, lr, steps, start=(-1.5, 2.0)):
    """The metric computed independently: one ordinary run of the spec at ``lr``, inf if it diverged."""
    spec = parse_optimizer(text)
    spec = OptimizerSpec(spec.name, {**spec.params, "lr": lr}, schedule=spec.schedule)
    path = run(surface, spec.build(), start, steps)
    return math.inf if path.diverged_step >= 0 else float(path.losses[-1])


def test_the_batch_scores_each_rate_as_its_own_run():
    rates = [1e-4, 1e-3, 0.01, 0.1, 0.5, 3.0]
    for text in ("adam", "sgd:momentum=0.9", "rmsprop@cosine:T_max=50"):
        primary, _ = evaluate(ROSENBROCK, parse_optimizer(text), rates, START, 50, parse_metric("final"))
        alone = [final_loss_alone(ROSENBROCK, text, lr, 50) for lr in rates]
        np.testing.assert_allclose(primary, alone, rtol=1e-12)
        if text.startswith("sgd"):
            assert math.isinf(primary[-1])  # thrown out of the escape box: divergence scores +inf


@pytest.mark.parametrize("text, surface, start", [
    ("adam", "rosenbrock", (-1.5, 2.0)), ("sgd:momentum=0.9", "rosenbrock", (-1.5, 2.0)),
    ("rmsprop", "himmelblau", (-0.27, -0.92)), ("sgd", "beale", (1.0, 1.5)),
])
def test_tuned_rate_is_at_least_as_good_as_the_best_of_a_40_point_log_grid(text, surface, start):
    surface = get_surface(surface)
    tuned = tune(surface, parse_optimizer(text), np.array([start]), 150, SPACE, Budget(40), parse_metric("final"))
    grid = [1e-5 * 10 ** (5 * i / 39) for i in range(40)]
    best_of_grid = min(final_loss_alone(surface, text, lr, 150, start) for lr in grid)
    assert tuned.trials == 50 and math.isfinite(tuned.score)  # 40 on the grid, 10 refining
    assert final_loss_alone(surface, text, tuned.lr, 150, start) <= best_of_grid
    np.testing.assert_allclose(tuned.score, final_loss_alone(surface, text, tuned.lr, 150, start), rtol=1e-12)


def test_the_search_is_seeded_refined_inside_the_range_and_the_same_for_every_optimizer():
    budget = Budget(15, seed=3, search="random", refine=5)
    adam = tune(ROSENBROCK, parse_optimizer("adam"), START, 30, SPACE, budget, parse_metric("final"))
    sgd = tune(ROSENBROCK, parse_optimizer("sgd"), START, 30, SPACE, budget, parse_metric("final"))
    assert adam.rates[:15] == sgd.rates[:15] and len(adam.rates) == len(sgd.rates) == 20  # 15 drawn, 5 refined
    again = tune(ROSENBROCK, parse_optimizer("adam"), START, 30, SPACE, budget, parse_metric("final"))
    assert again == adam
    other = tune(ROSENBROCK, parse_optimizer("adam"), START, 30, SPACE, Budget(15, seed=4, search="random", refine=5),
                 parse_metric("final"))
    assert other.rates[:15] != adam.rates[:15]
    assert all(1e-5 <= lr <= 1 for lr in adam.rates)
    first = sorted(adam.rates[:15])
    best = min(zip(adam.scores[:15], adam.rates[:15], strict=True))[1]
    i = first.index(best)
    low = first[i - 1] if i > 0 else 1e-5  # the best's neighbours, or the range's end
    high = first[i + 1] if i < 14 else 1.0
    assert all(low < lr < high for lr in adam.rates[15:])


def test_metrics():
    losses = np.array([[4.0, 4.0], [2.0, 1.0], [0.5, 0.9], [0.1, 0.8]])[:, :, None]  # 3 steps, 2 trials, 1 start
    assert parse_metric("final").scores(losses, 0.0)[0].tolist() == [0.1, 0.8]
    assert parse_metric("mean_last:2").scores(losses, 0.0)[0].tolist() == pytest.approx([0.3, 0.85])
    assert parse_metric("steps_to:0.95").scores(losses, 0.0)[0].tolist() == [2.0, 2.0]
    assert parse_metric("steps_to:0.5").scores(losses, 0.0)[0].tolist() == [2.0, 4.0]  # never: steps + 1
    nan = losses.copy()
    nan[3, 1, 0] = np.nan
    assert math.isinf(parse_metric("final").scores(nan, 0.0)[0][1])


@pytest.mark.parametrize("make, message", [
    (lambda: parse_param("lr=1..1e-5,log"), "the range must go up"),
    (lambda: parse_param("lr=0..1,log"), "a log range must be positive"),
    (lambda: parse_param("momentum=0.1..0.9"), "only lr can be tuned"),
    (lambda: Budget(0), "--trials must be a whole number from 1"),
    (lambda: Budget(4, refine=-1), "--refine must be"),
    (lambda: Budget(4, search="bayes"), "--search must be"),
    (lambda: parse_metric("best"), "--metric must be"),
    (lambda: parse_metric("mean_last:0"), "--metric must be"),
])
def test_bad_budgets_are_one_line(make, message):
    with pytest.raises(TuneError, match=message):
        make()


def test_tune_writes_the_same_toml_scene_for_the_same_seed(tmp_path):
    args = ["tune", "--surface", "rosenbrock", "--optimizer", "adam", "--optimizer", "sgd:momentum=0.9",
            "--start", "-1.5,2", "--steps", "60", "--trials", "12", "--search", "random", "--seed", "0"]
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    for out in (first, second):
        result = CliRunner().invoke(cli, [*args, "-o", str(out)])
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()
    scene = load_toml_scene(first)["tuned"]
    adam, sgd = scene.optimizers
    expected = tune(ROSENBROCK, parse_optimizer("adam"), START, 60, SPACE, Budget(12, seed=0, search="random"),
                    parse_metric("final"))
    assert adam.spec.params["lr"] == expected.lr and sgd.spec.params["momentum"] == 0.9
    assert adam.legend_text() == f"adam lr={expected.lr:.2g} (tuned: 1e-5..1, 12+3 trials, seed 0)"
    assert f"adam: lr={expected.lr!r} (final {expected.score:.4g}, 15 trials)" in result.output  # the rates chosen
    assert result.output.splitlines()[-1] == f"wrote {second}; render it with: trajectories render {second}"
    assert scene.steps == 60 and scene.starts == ((-1.5, 2.0),)


def test_render_tune_tunes_once_per_scene_and_budget(tmp_path, monkeypatch):
    import trajectories.pipeline.tune_cache as cache
    from trajectories.compute.tune import Budget as B
    from trajectories.scene import Scene

    monkeypatch.setenv("TRAJECTORIES_CACHE", str(tmp_path / "cache"))
    scene = Scene("race", "rosenbrock", ["adam:lr=0.5", "sgd:lr=0.1,momentum=0.9"], start=(-1.5, 2.0), steps=40)
    tuned = cache.tuned_scene(scene, B(8))
    expected = tune(ROSENBROCK, parse_optimizer("adam"), START, 40, SPACE, B(8), parse_metric("final"))
    adam, sgd = tuned.optimizers
    assert adam.spec.params["lr"] == expected.lr and sgd.spec.params["momentum"] == 0.9
    assert adam.legend_text() == f"adam:lr=0.5 lr={expected.lr:.2g} (tuned: 1e-5..1, 8+2 trials, grid)"
    (stored,) = (tmp_path / "cache").iterdir()
    assert stored.name.startswith("race-")

    def no_search(*args, **keywords):
        raise AssertionError("searched again")

    monkeypatch.setattr(cache, "tune", no_search)
    assert cache.tuned_scene(scene, B(8)) == tuned  # read back from the cache
    with pytest.raises(AssertionError, match="searched again"):
        cache.tuned_scene(scene, B(9))  # another budget, another key
    with pytest.raises(AssertionError, match="searched again"):
        cache.tuned_scene(scene.with_options(steps=41), B(8))  # another scene, another key
    stored.write_text("not json")
    with pytest.raises(AssertionError, match="searched again"):
        cache.tuned_scene(scene, B(8))  # an unreadable file is recomputed


def test_render_tune_on_the_command_line(tmp_path, monkeypatch):
    monkeypatch.setenv("TRAJECTORIES_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "t.gif"
    args = ["render", "--surface", "rosenbrock", "--optimizer", "adam", "--start", "-1.5,2", "--steps", "20",
            "--tune", "-o", str(out), "-q"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and len(list((tmp_path / "cache").iterdir())) == 1
    refused = CliRunner().invoke(cli, ["render", "fig5_ewa", "--tune", "-o", str(tmp_path / "e.gif")])
    assert refused.exit_code == 2 and "--tune tunes the optimizers of a race" in refused.output
