"""Render the same scene three ways and compare speed, file size and peak memory.

Scene: Rosenbrock contours, 3 optimizers, 200 frames, 640×480, 20 fps.

- ``naive``: what users write first: pyplot, ``FuncAnimation(blit=False)`` saved with ``PillowWriter``.
- ``blit``: the same with ``FuncAnimation(blit=True)`` (which saving ignores: it redraws every frame).
- ``ours``: ``Scene.render`` (background once, blitted moving artists, sprites, streamed global-palette GIF).

Each variant runs in its own process, so peak memory (max RSS) is its own. ``ours`` also runs with 2,000
frames to show that memory does not grow with the frame count. Ratios matter, not absolute seconds.

    python bench/bench_render.py [--quick]
    python bench/bench_render.py --ours     # only ours, three times: README's speed figure (medians)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

STEPS = 199  # 200 frames
SPECS = ["sgd:lr=0.001,momentum=0.9", "adam:lr=0.1", "rmsprop:lr=0.01"]


def run_matplotlib(path: str, blit: bool, frames: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.animation import FuncAnimation, PillowWriter

    from trajectories.compute.run import run
    from trajectories.core.spec import parse_optimizer
    from trajectories.surfaces.catalogue import get_surface

    surface = get_surface("rosenbrock")
    paths = [run(surface, parse_optimizer(s).build(), surface.start, frames - 1).positions for s in SPECS]
    xs, ys = np.linspace(-2, 2, 300), np.linspace(-1, 3, 300)
    z = surface.f(np.stack(np.meshgrid(xs, ys), axis=-1))
    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=100)
    ax.contourf(xs, ys, np.log10(z + 1e-3), levels=32, cmap="Greys")
    ax.contour(xs, ys, np.log10(z + 1e-3), levels=16, colors="grey", linewidths=0.5)
    ax.plot(1, 1, "k*", markersize=13)
    ax.set_title("rosenbrock")
    lines = [ax.plot([], [], lw=2, label=s)[0] for s in SPECS]
    heads = [ax.plot([], [], "o", color=line.get_color())[0] for line in lines]
    ax.legend(loc="upper right", fontsize=7.5)
    counter = ax.text(0.02, 0.02, "", transform=ax.transAxes)

    def update(i):
        for line, head, path in zip(lines, heads, paths, strict=True):
            line.set_data(path[: i + 1, 0], path[: i + 1, 1])
            head.set_data([path[i, 0]], [path[i, 1]])
        counter.set_text(f"step {i}/{frames - 1}")
        return [*lines, *heads, counter]

    animation = FuncAnimation(fig, update, frames=frames, blit=blit)
    animation.save(path, writer=PillowWriter(fps=20))


def run_ours(path: str, frames: int) -> None:
    from trajectories.scene import Scene

    Scene("bench", "rosenbrock", SPECS, start=(-1.5, 2.0), steps=frames - 1, hold=0).render(path)


def child(variant: str, frames: int) -> None:
    import resource

    imports = None
    if variant == "ours-warm":  # README's figure: the render itself, after the imports (timed apart)
        imports = time.process_time()
        import trajectories.pipeline.stages
        import trajectories.render.contour
        import trajectories.scene  # noqa: F401
        imports = time.process_time() - imports
        variant = "ours"
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "out.gif")
        began, cpu_began = time.perf_counter(), time.process_time()
        if variant == "ours":
            run_ours(path, frames)
        else:
            run_matplotlib(path, blit=(variant == "blit"), frames=frames)
        seconds, render_cpu = time.perf_counter() - began, time.process_time() - cpu_began
        size = os.path.getsize(path)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024  # MB (Linux reports KB)
    cpu = usage.ru_utime + usage.ru_stime  # the whole process, imports included: steadier than wall time under load
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "render_cpu_seconds": render_cpu,
                      "import_cpu_seconds": imports, "bytes": size, "peak_mb": peak}))


def measure(variant: str, frames: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", variant, str(frames)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 frames instead of 200 (a smoke run)")
    parser.add_argument("--ours", action="store_true", help="only ours, three times: the median wall and CPU time")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    frames = 40 if args.quick else 200
    if args.ours:
        runs = [measure("ours-warm", frames) for _ in range(3)]

        def median(key: str) -> float:
            return sorted(r[key] for r in runs)[1]

        print(f"ours, {frames} frames, 640x480, median of 3: render {median('render_cpu_seconds'):.2f} s CPU "
              f"({median('seconds'):.2f} s wall), after imports of {median('import_cpu_seconds'):.2f} s CPU; "
              f"{runs[0]['bytes'] / 1024:.0f} KB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        return
    results = {variant: measure(variant, frames) for variant in ("naive", "blit", "ours")}
    long_run = measure("ours", frames * 10)
    ours = results["ours"]
    print(f"{frames} frames, 640x480, Rosenbrock, 3 optimizers")
    print(f"{'variant':<8}{'seconds':>9}{'KB':>8}{'peak MB':>9}{'speed vs ours':>15}{'size vs ours':>14}")
    for name, r in results.items():
        print(
            f"{name:<8}{r['seconds']:>9.2f}{r['bytes'] / 1024:>8.0f}{r['peak_mb']:>9.0f}"
            f"{r['seconds'] / ours['seconds']:>14.1f}×{r['bytes'] / ours['bytes']:>13.1f}×"
        )
    print(
        f"ours at {frames * 10} frames: {long_run['seconds']:.2f} s, {long_run['bytes'] / 1024:.0f} KB, "
        f"peak {long_run['peak_mb']:.0f} MB = {long_run['peak_mb'] / ours['peak_mb']:.2f}× the peak at {frames}"
    )


if __name__ == "__main__":
    main()
