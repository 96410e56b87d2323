"""What the guard (trajectories/trust/guard.py) costs a render, as ratios to the same render without it.

    python bench/bench_guard.py [--repeats N]

The same scene (Rosenbrock, three optimizers, 300 steps, 640×480, a GIF) is rendered from a TOML file in a
fresh process each time, three ways, interleaved so that a busy machine slows them alike:

- ``off``: the hook never installed (the scene's source is not a TOML file, so no guard is entered);
- ``idle``: the hook installed, no guard active (what every other render in a process pays once a TOML
  scene has been read);
- ``on``: the render under the guard, as ``trajectories render scene.toml`` does it.

Only the render is timed, in CPU seconds (imports and reading the file excluded); each line gives the median
and the ratio to ``off``. A first, untimed render in each process fills matplotlib's caches. On a busy
machine the ratios of whole renders wander by a few percent either way, so the last line also counts the
audited events the render raises and times the hook per event, which gives the cost without that noise.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SCENE = '''
name = "guarded"
surface = "rosenbrock"
start = [-1.5, 2.0]
steps = 300

[[optimizers]]
name = "sgd"
hyperparameters = { lr = 0.001, momentum = 0.9 }

[[optimizers]]
name = "adam"
hyperparameters = { lr = 0.1 }

[[optimizers]]
name = "rmsprop"
hyperparameters = { lr = 0.01 }

[view]
loss_panel = true
'''

RUN = '''
import dataclasses, sys, time
from trajectories.trust import guard
from trajectories.pipeline.stages import render_scene
from trajectories.scene import load_toml_scene

mode, folder = sys.argv[1], sys.argv[2]
if mode == "off":
    guard._INSTALLED.append(True)  # the hook is never added: entering a guard changes nothing
(scene,) = load_toml_scene(folder + "/guarded.toml").values()  # adds the hook (idle, on)
if mode == "idle":
    scene = dataclasses.replace(scene, source="")  # not data: no guard entered while it renders
render_scene(scene, folder + "/warm.gif")
events = [0]
if mode == "count":
    sys.addaudithook(lambda event, args: events.__setitem__(0, events[0] + 1))
began = time.process_time()
render_scene(scene, folder + f"/{mode}.gif")
print(time.process_time() - began, events[0])
'''


def seconds(mode: str, folder: str) -> tuple[float, int]:
    """The render's CPU seconds in a fresh process in ``mode``, and the audited events it raised (``count``)."""
    done = subprocess.run([sys.executable, "-c", RUN, mode, folder], check=True, capture_output=True, text=True)
    cpu, events = done.stdout.strip().splitlines()[-1].split()
    return float(cpu), int(events)


def hook_nanoseconds() -> tuple[float, float]:
    """What one audited event costs with the guard's hook idle and active (an event nobody checks)."""
    code = (
        "import sys, time, tempfile\n"
        "from trajectories.trust import guard\n"
        "def cost():\n"
        "    began = time.perf_counter()\n"
        "    for _ in range(200_000): sys.audit('bench.event')\n"
        "    return (time.perf_counter() - began) / 200_000\n"
        "bare = min(cost() for _ in range(5))\n"
        "with guard.guarded('bench'):\n"
        "    pass\n"
        "idle = min(cost() for _ in range(5))\n"
        "with guard.guarded('bench'):\n"
        "    active = min(cost() for _ in range(5))\n"
        "print((idle - bare) * 1e9, (active - bare) * 1e9)\n")
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    idle, active = (float(value) for value in done.stdout.split())
    return idle, active


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    repeats = parser.parse_args().repeats
    modes = ("off", "idle", "on")
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "guarded.toml").write_text(SCENE)
        for _ in range(repeats):
            for mode in modes:  # interleaved: a busy machine slows every mode alike
                times[mode].append(seconds(mode, folder)[0])
        same = {(Path(folder) / f"{mode}.gif").read_bytes() for mode in modes}
        cpu, events = seconds("count", folder)
    base = statistics.median(times["off"])
    for mode in modes:
        middle = statistics.median(times[mode])
        print(f"{mode:>4}: median {middle:.3f} CPU s over {repeats} renders, {middle / base:.3f}x off "
              f"({(middle / base - 1) * 100:+.1f} %)")
    print(f"the three GIFs are {'the same bytes' if len(same) == 1 else 'DIFFERENT'}")
    idle, active = hook_nanoseconds()
    print(f"the render raises {events:,} audited events; the hook adds {idle:.0f} ns to each while idle and "
          f"{active:.0f} ns while a guard is active: {events * idle * 1e-9 / cpu * 100:.2f} % and "
          f"{events * active * 1e-9 / cpu * 100:.2f} % of the render's {cpu:.2f} CPU s")


if __name__ == "__main__":
    main()
