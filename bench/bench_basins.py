"""The streaming reduction at basin-map size: 250,000 starts × 500 steps, one optimizer (Adam on
Himmelblau), time and peak memory, against the full paths it replaces.

Peak memory is measured with tracemalloc (numpy's allocations) in this process: the reduction at 50 and
at 500 steps (memory independent of the steps), and the full ``run`` at 50 steps on the same starts,
whose ``(steps + 1, N, 2)`` arrays grow with the steps (500 steps would need about 4 GB: it is estimated
from the 50-step peak, not run). Ratios matter, not absolute times (shared machine).

Then the map's reproducibility check (:func:`trajectories.compute.horizon.reduction_changes`: one shadow
reduction, wobbled by an ulp every step) against the reduction it checks, in CPU seconds, side by side
(the goal: at most 1.5×), with how many starts it finds changed.

    python bench/bench_basins.py [--quick]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

from trajectories.compute.basins import reduce_paths
from trajectories.compute.horizon import reduction_changes
from trajectories.compute.run import run
from trajectories.compute.starts import Grid
from trajectories.core.optimizers import adam
from trajectories.surfaces.catalogue import get_surface

SURFACE = get_surface("himmelblau")


def measured(action) -> tuple[float, float]:
    """(seconds, peak MiB) of ``action()``."""
    tracemalloc.start()
    began = time.perf_counter()
    try:
        action()
        return time.perf_counter() - began, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 100 × 100 grid instead of 500 × 500")
    args = parser.parse_args()
    side = 100 if args.quick else 500
    starts = Grid(side, side).points(SURFACE.window)
    count = len(starts)
    rows = []
    for steps in (50, 500):
        seconds, peak = measured(lambda steps=steps: reduce_paths(SURFACE, adam(lr=0.1), starts, steps))
        rows.append((f"reduce_paths, {steps} steps", seconds, peak, count * steps / seconds))
    seconds, peak = measured(lambda: run(SURFACE, adam(lr=0.1), starts, 50))
    rows.append(("run (full paths), 50 steps", seconds, peak, count * 50 / seconds))
    print(f"{count} starts (a {side} × {side} grid), Adam on Himmelblau")
    print(f"{'':<30}{'seconds':>9}{'peak MiB':>10}{'point-steps/s':>15}")
    for label, seconds, peak, rate in rows:
        print(f"{label:<30}{seconds:>9.2f}{peak:>10.1f}{rate:>15.3g}")
    reduced_50, reduced_500, full_50 = (row[2] for row in rows)
    print(f"peak memory, reduction 500 / 50 steps: {reduced_500 / reduced_50:.2f}×")
    print(f"full paths at 500 steps (estimated from 50): about {full_50 * 501 / 51 / 1024:.1f} GiB, "
          f"{full_50 * 501 / 51 / reduced_500:.0f}× the reduction's peak")
    reduced, checked = [], []
    for _ in range(2 if args.quick else 3):
        began = time.process_time()
        found = reduce_paths(SURFACE, adam(lr=0.1), starts, 500)
        reduced.append(time.process_time() - began)
        began = time.process_time()
        changed = reduction_changes(SURFACE, adam(lr=0.1), starts, 500, found)
        checked.append(time.process_time() - began)
    ratio = min(checked) / min(reduced)
    print(f"the map's check: {min(checked):.2f} CPU s against the reduction's {min(reduced):.2f} s: {ratio:.2f}× "
          f"(goal ≤ 1.5×: {'met' if ratio <= 1.5 else 'NOT met'}); {int(changed.sum())} of {count} starts change")


if __name__ == "__main__":
    main()
