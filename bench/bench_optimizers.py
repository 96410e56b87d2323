"""Point-steps per second of every optimizer on Rosenbrock, for 1, 100 and 10,000 start points.

Baseline, run side by side: 20 of the points run one at a time (a Python loop over points), to show
what vectorising over start points buys (the rate per point does not depend on how many are looped).
Ratios matter here, not absolute numbers (shared machine).

    python bench/bench_optimizers.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from trajectories.compute.run import run
from trajectories.core.optimizers import OPTIMIZERS, get_factory
from trajectories.surfaces.catalogue import get_surface

SURFACE = get_surface("rosenbrock")


def starts(n: int) -> np.ndarray:
    x0, x1, y0, y1 = SURFACE.window
    rng = np.random.default_rng(0)
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def best_of(repeats: int, action) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and repeats (a smoke run)")
    args = parser.parse_args()
    steps = {1: 2000, 100: 2000, 10_000: 200}
    if args.quick:
        steps = {n: s // 10 for n, s in steps.items()}
    repeats = 1 if args.quick else 3
    print(f"{'optimizer':<14}" + "".join(f"{f'{n} pts':>14}" for n in steps) + f"{'looped':>14}{'vector gain':>13}")
    for name in OPTIMIZERS:
        optimizer = get_factory(name)(lr=1e-4)
        rates = []
        for n, count in steps.items():
            points = starts(n)
            seconds = best_of(repeats, lambda o=optimizer, p=points, c=count: run(SURFACE, o, p, c))
            rates.append(n * count / seconds)
        loop_points, loop_steps = starts(20), steps[100] // 10

        def looped(optimizer=optimizer, points=loop_points, count=loop_steps):
            for point in points:
                run(SURFACE, optimizer, point, count)

        loop_rate = len(loop_points) * loop_steps / best_of(repeats, looped)
        cells = "".join(f"{rate:>14,.0f}" for rate in rates)
        print(f"{name:<14}{cells}{loop_rate:>14,.0f}{rates[1] / loop_rate:>12.0f}×")
    print(f"figures: point-steps per second (best of {repeats}); 'vector gain': 100 points as one array vs one by one")


if __name__ == "__main__":
    main()
