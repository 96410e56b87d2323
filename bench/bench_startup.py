"""How fast the command line answers: CPU time of whole processes, as ratios to a bare ``python -c pass``
measured in the same run (the machine's load and the interpreter's own start cancel out).

- ``import trajectories``, ``trajectories --help`` and ``trajectories list`` (goals: --help at most 3×,
  list at most 5× a bare interpreter);
- ``trajectories render rosenbrock`` at 200 frames (the built-in scene: five optimizers and a loss panel)
  against the ``FuncAnimation(blit=True)`` + ``PillowWriter`` recipe of ``bench_render.py`` at 200 frames
  (three optimizers), both whole processes, imports included (goal: ours at least 25× faster).

    python bench/bench_startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def cpu_seconds(command: list[str], cwd: str) -> float:
    """User + system CPU time of one run of ``command`` (and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="runs of each short command (the median counts)")
    args = parser.parse_args()
    command = shutil.which("trajectories")
    ours = [command] if command else [sys.executable, "-m", "trajectories"]
    with tempfile.TemporaryDirectory() as folder:  # not a source checkout: the installed package answers
        short = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "import trajectories": [sys.executable, "-c", "import trajectories"],
            "trajectories --help": [*ours, "--help"],
            "trajectories list": [*ours, "list"],
        }
        times = {name: [] for name in short}
        for _ in range(args.repeat):  # interleaved: a burst of load hits every command alike
            for name, line in short.items():
                times[name].append(cpu_seconds(line, folder))
        bare = median(times["python -c pass"])
        print(f"CPU time, median of {args.repeat} (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        for name, values in times.items():
            print(f"  {name:<22} {median(values) * 1000:7.1f} ms  {median(values) / bare:5.1f}× python -c pass")
        render = [*ours, "render", "rosenbrock", "--frames", "200", "-q", "-j", "1", "-o",
                  str(Path(folder) / "ours.gif")]
        recipe = [sys.executable, str(HERE / "bench_render.py"), "--child", "blit", "200"]
        ours_cpu = median([cpu_seconds(render, folder) for _ in range(3)])
        recipe_cpu = cpu_seconds(recipe, folder)
        print(f"  {'render rosenbrock':<22} {ours_cpu:7.2f} s   (200 frames, whole process)")
        print(f"  {'FuncAnimation recipe':<22} {recipe_cpu:7.2f} s   (blit=True + PillowWriter, 200 frames)")
        print(f"  ours is {recipe_cpu / ours_cpu:.1f}× faster")


if __name__ == "__main__":
    main()
