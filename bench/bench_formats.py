"""File size and render time of one scene in every format, as ratios to the GIF: the numbers behind
the table of ``docs/howto/slides.md``, "Which format for which use".

    python bench/bench_formats.py                     # rosenbrock, 2-D, 640x480, 301 frames
    python bench/bench_formats.py --full-3d           # also figure 1 at full resolution (1200x600, 181 frames, 3-D)

Each render runs in this process one after the other with ``--jobs 2``; sizes are exact, seconds depend on
the machine's load (the load average is printed).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def measure(scene, formats: list[str], jobs: int) -> dict[str, tuple[int, float]]:
    from trajectories.pipeline.stages import render_scene

    found = {}
    with tempfile.TemporaryDirectory() as folder:
        for fmt in formats:
            began = time.perf_counter()
            result = render_scene(scene, Path(folder) / f"{scene.name}.{fmt}", format=fmt, jobs=jobs)
            found[fmt] = (result.bytes, time.perf_counter() - began)
    return found


def report(label: str, found: dict[str, tuple[int, float]]) -> None:
    gif_bytes, gif_seconds = found["gif"]
    print(label)
    print(f"{'format':<8}{'KB':>10}{'size vs gif':>13}{'seconds':>9}{'time vs gif':>13}")
    for fmt, (size, seconds) in found.items():
        print(f"{fmt:<8}{size / 1024:>10.0f}{size / gif_bytes:>12.2f}×{seconds:>9.1f}{seconds / gif_seconds:>12.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full-3d", action="store_true", help="also figure 1 at full resolution (about 2 min)")
    args = parser.parse_args()
    from trajectories.pipeline.plan import _scaled
    from trajectories.scene import builtin_scenes

    scenes = builtin_scenes()
    race = scenes["rosenbrock"]
    report(f"rosenbrock (2-D), {race.look.size[0]}x{race.look.size[1]}, {race.steps + 1} frames",
           measure(race, ["gif", "png", "apng", "webp", "mp4", "html", "svg", "pdf"], jobs=2))
    if args.full_3d:
        figure = _scaled(scenes["fig1_critical_points"], 1.875).with_options(frames=181)
        report(f"fig1_critical_points (3-D) at full resolution, {figure.size[0]}x{figure.size[1]}, 181 frames",
               measure(figure, ["gif", "webp", "mp4", "html"], jobs=2))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
