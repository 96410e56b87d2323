"""What portable arithmetic and reproducibility horizons cost, as ratios to numpy's arithmetic.

    python bench/bench_portable.py

1. One transcendental call: correctly rounded ``exp`` (mpmath, 192 bits) against numpy's ``exp``, per element.
2. Figure 2's paths (GD on peaks, lr 0.15 and 0.01, 180 steps): ``Scene.compute`` in both arithmetics.
3. The horizons of those paths (4 shadow runs each), in both arithmetics.
4. The whole 2-D figure 2 render (``fig2_learning_rates_2d``), each arithmetic in its own process.

Timings are medians of several runs on a shared machine: read the ratios, not the seconds.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from trajectories.compute.paths import race_horizons, race_trajectories
from trajectories.core.portable import wrap
from trajectories.scene import builtin_scenes


def median_seconds(action, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def render_seconds(arithmetic: str) -> float:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "fig2.gif"
        code = (
            "import time; from trajectories.scene import builtin_scenes; "
            f"scene = builtin_scenes()['fig2_learning_rates_2d'].with_options(arithmetic={arithmetic!r}); "
            f"began = time.perf_counter(); scene.render({str(target)!r}); print(time.perf_counter() - began)"
        )
        runs = [float(subprocess.run([sys.executable, "-W", "ignore", "-c", code], check=True, capture_output=True,
                                     text=True).stdout) for _ in range(3)]
    return statistics.median(runs)


def main() -> None:
    values = np.random.default_rng(0).uniform(-5, 5, 20_000)
    fast = median_seconds(lambda: np.exp(values)) / values.size
    exact = median_seconds(lambda: np.exp(wrap(values)), repeats=3) / values.size
    print(f"exp per element: numpy {fast * 1e9:.1f} ns, correctly rounded {exact * 1e6:.2f} µs ({exact / fast:,.0f}x)")

    scene = builtin_scenes()["fig2_learning_rates_2d"]
    scenes = {name: scene.with_options(arithmetic=name) for name in ("numpy", "portable")}
    compute = {name: median_seconds(s.compute) for name, s in scenes.items()}
    paths = {name: race_trajectories(s) for name, s in scenes.items()}
    horizon = {name: median_seconds(lambda s=s, name=name: race_horizons(s, paths[name]), repeats=3)
               for name, s in scenes.items()}
    for label, table in (("figure 2 paths (2 x 180 steps)", compute), ("their horizons (4 shadows)", horizon)):
        ratio = table["portable"] / table["numpy"]
        print(f"{label}: numpy {table['numpy'] * 1e3:.1f} ms, portable {table['portable'] * 1e3:.1f} ms "
              f"({ratio:.1f}x)")
    renders = {name: render_seconds(name) for name in ("numpy", "portable")}
    print(f"figure 2 (2-D) render: numpy {renders['numpy']:.2f} s, portable {renders['portable']:.2f} s "
          f"({renders['portable'] / renders['numpy']:.2f}x)")


if __name__ == "__main__":
    main()
