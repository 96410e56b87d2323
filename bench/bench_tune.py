"""Trials per second of `trajectories tune`'s batch, against the same trials run one at a time.

Each trial is a learning rate run for 200 steps on Rosenbrock from (-1.5, 2). The tuning batch moves every
trial at once (one array of shape (trials, starts, 2)); the baseline, run beside it, loops over the same
rates with one ordinary run each. Ratios matter here, not absolute numbers (shared machine).

    python bench/bench_tune.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from trajectories.compute.run import run
from trajectories.compute.tune import Budget, evaluate, first_stage, parse_metric, parse_param
from trajectories.core.spec import OptimizerSpec, parse_optimizer
from trajectories.surfaces.catalogue import get_surface

SURFACE = get_surface("rosenbrock")
START = np.array([[-1.5, 2.0]])
STEPS = 200


def best_of(repeats: int, action) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    repeats = 1 if parser.parse_args().quick else 3
    space = parse_param("lr=1e-5..1,log")
    print(f"{'optimizer':<18}{'trials':>7}{'batch trials/s':>16}{'loop trials/s':>15}{'ratio':>8}")
    for text in ("sgd:momentum=0.9", "adam", "rmsprop"):
        spec = parse_optimizer(text)
        for trials in (40, 400):
            rates = first_stage(space, Budget(trials))
            batch = best_of(repeats, lambda spec=spec, rates=rates: evaluate(SURFACE, spec, rates, START, STEPS,
                                                                             parse_metric("final")))
            sample = rates[:: max(1, trials // 40)]

            def loop(sample=sample, spec=spec):
                for lr in sample:
                    one = OptimizerSpec(spec.name, {**spec.params, "lr": lr})
                    run(SURFACE, one.build(), START, STEPS)

            alone = best_of(repeats, loop) / len(sample)
            print(f"{text:<18}{trials:>7}{trials / batch:>16.0f}{1 / alone:>15.0f}{alone * trials / batch:>7.1f}x")


if __name__ == "__main__":
    main()
