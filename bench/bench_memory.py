"""Peak memory of a whole render at 300 and at 3,000 frames, in every animated format: a streamed format's
peak does not grow with the frames (the goal: at most 1.2× at ten times the frames).

Each render runs in a child process of its own (``python -c``), which reports its peak resident memory
(``VmHWM`` in ``/proc/self/status``: Linux) twice: while the frames are drawn and written (the peak is
reset as they begin), and over the whole render (computing the paths and building the view included). The
scene is README's Rosenbrock race at 640×480 over 2,999 steps (the same paths for both counts: a race of
more steps holds more points, whatever the format), drawn on 300 or 3,000 frames, rendered end to end by
:func:`trajectories.pipeline.stages.render_scene`. ffmpeg, which encodes MP4 in a process of its own, is not
counted (it streams too). The row ``none`` draws every frame and drops it: the render without a writer.

With ``--before``, APNG and WebP are also written the way they were before they streamed (palette frames
kept, handed to Pillow's ``save_all`` at the end), at 100 and 300 frames only: at 3,000 frames that writer
would need about 9 GB.

    python bench/bench_memory.py [--before] [--frames 300,3000] [FORMAT ...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ["none", "gif", "apng", "webp", "mp4", "html"]
"""``none``: the frames drawn and dropped, no writer (what the rest of the render needs)."""

CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from trajectories.pipeline.stages import render_scene
    from trajectories.scene import builtin_scenes
    fmt, frames, folder, before = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] == "before"
    scene = builtin_scenes()["rosenbrock"].with_options(steps=2999, frames=frames)
    factory = None
    if fmt == "none":  # frames drawn and dropped: what the render needs without any writer
        class Dropping:
            def __init__(self, file, size, mapper):
                pass

            def add(self, frame, delay):
                pass

            def finish(self):
                pass

        factory, fmt = Dropping, "gif"
    if before:
        import numpy as np
        from PIL import Image

        class Collecting:  # the writer APNG and WebP had before: every palette frame kept, then save_all
            def __init__(self, file, size, mapper):
                self.file, self.mapper, self.frames, self.delays = file, mapper, [], []

            def add(self, frame, delay):
                self.frames.append(self.mapper(frame))
                self.delays.append(delay)

            def finish(self):
                images = (Image.fromarray(self.mapper.to_rgb(indices)) for indices in self.frames)
                first = next(images)
                options = {"lossless": True} if fmt == "webp" else {}
                first.save(self.file, format="PNG" if fmt == "apng" else "WEBP", save_all=True,
                           append_images=list(images), duration=[10 * d for d in self.delays], loop=0, **options)

        factory = Collecting
    import trajectories.pipeline.stages as pipeline

    def high_water():
        return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) * 1024

    before_frames, encode = [0], pipeline._encode

    def encoding(*args, **kwargs):  # the peak before the frames, then the peak while they are drawn and written
        before_frames[0] = high_water()
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # resets the peak (Linux 4.0 and later)
        return encode(*args, **kwargs)

    pipeline._encode = encoding
    render_scene(scene, folder / f"{scene.name}.{'png' if fmt == 'apng' else fmt}", format=fmt,
                 writer_factory=factory)
    print(high_water(), max(before_frames[0], high_water()))
""")


def peak(fmt: str, frames: int, before: bool = False) -> tuple[int, int]:
    """``(peak bytes while the frames are drawn and written, peak bytes of the whole render)`` of a child
    process rendering ``frames`` frames as ``fmt``."""
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run([sys.executable, "-c", CHILD, fmt, str(frames), folder, "before" if before else "now"],
                             capture_output=True, text=True, check=True, cwd=folder)
        writing, whole = out.stdout.split()[-2:]
        return int(writing), int(whole)


def row(label: str, few: tuple[int, int], many: tuple[int, int], counts: tuple[int, int]) -> float:
    """Print one format's peaks (MiB) and return the larger of its two ratios."""
    ratios = [b / a for a, b in zip(few, many, strict=True)]
    growth = (many[0] - few[0]) / (counts[1] - counts[0]) * 1000 / 2**20
    print(f"{label:<16}" + "".join(f"{a / 2**20:>9.0f}{b / 2**20:>9.0f}{b / a:>7.2f}×" for a, b in zip(few, many,
                                                                                                        strict=True))
          + f"{growth:>12.1f}", flush=True)
    return max(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", action="store_true", help="also APNG and WebP as they were written before")
    parser.add_argument("--frames", default="300,3000", help="the two frame counts (default 300,3000)")
    parser.add_argument("formats", nargs="*", help=f"formats (default: {', '.join(FORMATS)})")
    args = parser.parse_args()
    if not Path("/proc/self/status").is_file():
        sys.exit("needs Linux's /proc to read a process's peak memory")
    few, many = (int(count) for count in args.frames.split(","))
    print("rosenbrock 640x480, 2,999 steps; peak resident memory (MiB) while the frames are drawn and written, "
          "and of the whole render")
    print(f"{'':<16}{'while writing':^25}{'whole render':^25}")
    print(f"{'format':<16}" + f"{few:>9,}{many:>9,}{'ratio':>7} " * 2 + f"{'MB/1000 fr':>12}")
    worst = (0.0, "")
    for fmt in args.formats or FORMATS:
        ratio = row(fmt, peak(fmt, few), peak(fmt, many), (few, many))
        worst = max(worst, (ratio, fmt))
    print(f"goal: every format's peak at {many:,} frames ≤ 1.2× that at {few:,}: largest {worst[0]:.2f}× "
          f"({worst[1]}) — {'met' if worst[0] <= 1.2 else 'NOT met'}")
    if args.before:
        print("as written before (every frame kept, then Pillow's save_all), 100 and 300 frames:")
        for fmt in ("apng", "webp"):
            row(f"{fmt} (before)", peak(fmt, 100, True), peak(fmt, 300, True), (100, 300))


if __name__ == "__main__":
    main()
