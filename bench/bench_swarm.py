"""The swarm view's cost per particle: 100, 1,000 and 10,000 particles, 200 frames at 640×480.

Each render is split into its parts: computing the paths, the render's reproducibility check (the
screened horizons of :mod:`trajectories.compute.horizon`: one shadow per path, four only for paths that come near
departing), and drawing: building the view (figure, background, sprites: once) and drawing and encoding
the frames (our dots are stamped into the frame buffer). CPU seconds of this process (the machine is
shared: ratios matter). It prints each part, the check against the paths it checks, the drawing's and the
whole render's ratio to 100 particles, the GIF's size, and the goals: the check at most 1.5× the paths,
and the whole 10,000-particle render at most 2× the 100-particle one.

    python bench/bench_swarm.py [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from trajectories.compute.horizon import render_tolerance
from trajectories.compute.paths import compute_paths
from trajectories.compute.starts import Random
from trajectories.pipeline.stages import render_scene
from trajectories.scene import Racer, Scene


def scene(particles: int, frames: int) -> Scene:
    return Scene(f"swarm_{particles}", "rastrigin",
                 [Racer("sgd:lr=0.002", "GD"), Racer("sgd:lr=0.004,momentum=0.9", "Momentum"),
                  Racer("adam:lr=0.5", "Adam")],
                 start_sets=[Random(particles, seed=1)], steps=frames - 1, view="swarm", size=(640, 480))


def measure(particles: int, frames: int, folder: Path) -> dict[str, float]:
    swarm = scene(particles, frames)
    began = time.process_time()
    paths = compute_paths(swarm)
    computed = time.process_time() - began
    began = time.process_time()
    paths.panels[0].chaotic_paths(render_tolerance(swarm.size))  # the render's reproducibility check
    checked = time.process_time() - began
    began = time.process_time()
    result = render_scene(swarm, folder / f"{swarm.name}.gif")
    total = time.process_time() - began
    return {"paths": computed, "horizons": checked, "drawing": total - computed - checked, "total": total,
            "kb": result.bytes / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 frames instead of 200 (a smoke run)")
    args = parser.parse_args()
    frames = 40 if args.quick else 200
    with tempfile.TemporaryDirectory() as folder:
        found = {n: measure(n, frames, Path(folder)) for n in (100, 1_000, 10_000)}
    base = found[100]
    print(f"{frames} frames at 640x480, 3 optimizers; CPU seconds")
    print(f"{'particles':>10}{'paths s':>9}{'check s':>9}{'check/paths':>13}{'drawing s':>11}{'drawing ×':>11}"
          f"{'total s':>9}{'total ×':>9}{'GIF KB':>8}")
    for n, row in found.items():
        print(f"{n:>10}{row['paths']:>9.2f}{row['horizons']:>9.2f}{row['horizons'] / row['paths']:>12.2f}×"
              f"{row['drawing']:>11.2f}{row['drawing'] / base['drawing']:>10.2f}×{row['total']:>9.2f}"
              f"{row['total'] / base['total']:>8.2f}×{row['kb']:>8.0f}")
    check = max(row["horizons"] / row["paths"] for n, row in found.items() if n >= 1_000)
    print(f"goal: the check ≤ 1.5× the paths it checks (1,000 particles and more): {check:.2f}× — "
          f"{'met' if check <= 1.5 else 'NOT met'}")
    ratio = found[10_000]["total"] / base["total"]
    print(f"goal: the 10,000-particle render ≤ 2× the 100-particle one: {ratio:.2f}× — "
          f"{'met' if ratio <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
