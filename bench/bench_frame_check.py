"""What the frame checker and issue 25's drawing changes cost, as ratios measured side by side.

1. Rendering: chosen 2-D scenes rendered by this tree and by a baseline checkout (``--baseline PATH``, e.g.
   ``git archive main | tar -x -C /tmp/main``), each render in its own process, alternating, three times;
   the CPU seconds' medians and their ratio (per-frame stripe widths and the paths' exits are new work).
2. Checking: ``trajectories check`` over every built-in scene against rendering them all (CPU seconds):
   what a CI run of the checker costs next to the renders it guards.

    python bench/bench_frame_check.py --baseline /tmp/main [--quick]

Run it from outside the repository folder or with its path as here: each process imports the tree given.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENES = ("rosenbrock", "ravine", "fig7_saddle_race_2d", "lesson_batch_sizes")

RENDER = """
import json, resource, sys
from trajectories.scene import builtin_scenes
from trajectories.pipeline.stages import render_scene
scene = builtin_scenes()[sys.argv[1]]
before = resource.getrusage(resource.RUSAGE_SELF)
render_scene(scene, sys.argv[2], quiet=True)
after = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime))
"""

CHECK = """
import json, resource, sys
from trajectories.scene import builtin_scenes
from trajectories.pipeline.frame_check import check_scene
from trajectories.pipeline.stages import render_scene
scenes = builtin_scenes()
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
start = cpu()
found = sum(len(check_scene(scene)) for scene in scenes.values())
checked = cpu() - start
start = cpu()
for name, scene in scenes.items():
    render_scene(scene, sys.argv[1] + "/" + name + ".gif", quiet=True)
print(json.dumps([checked, cpu() - start, found]))
"""


def seconds(tree: str, code: str, *args: str) -> object:
    environment = {**os.environ, "PYTHONPATH": tree}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=environment,
                          cwd=tempfile.gettempdir(), check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="a checkout of the tree to compare with (main)")
    parser.add_argument("--quick", action="store_true", help="one repeat instead of three")
    options = parser.parse_args()
    repeats = 1 if options.quick else 3
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'scene':<24} {'baseline s':>10} {'this s':>8} {'ratio':>6}")
        for name in SCENES:
            times: dict[str, list[float]] = {"baseline": [], "this": []}
            for _ in range(repeats):  # alternating, so that a busy machine slows both alike
                for label, tree in (("baseline", options.baseline), ("this", HERE)):
                    times[label].append(seconds(tree, RENDER, name, os.path.join(folder, f"{label}.gif")))
            base, this = statistics.median(times["baseline"]), statistics.median(times["this"])
            print(f"{name:<24} {base:>10.2f} {this:>8.2f} {this / base:>6.2f}")
        checked, rendered, found = seconds(HERE, CHECK, folder)
        print(f"check every built-in scene: {checked:.1f} s CPU, {found} findings; rendering them all: "
              f"{rendered:.1f} s; ratio {checked / rendered:.2f}")


if __name__ == "__main__":
    main()
