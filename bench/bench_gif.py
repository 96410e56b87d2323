"""Our GIFs against ``gifsicle -O3`` (lossless; the same decoded frames), scene by scene over the gallery,
and our encoder's time against the one it replaced.

Every built-in scene is rendered once; each frame goes to two writers side by side: ours
(:class:`trajectories.writers.gif.GifWriter`) and the one it replaced (kept below as ``BeforeWriter``: the
rectangle that changed in RGB, every unchanged pixel transparent, one LZW pass). The seconds spent inside
each writer are summed (encoding only: drawing is the same for both). Then ``gifsicle -O3`` optimises our
file, and the script checks that both decode to the same frames (Pillow) and prints ours / gifsicle per
file, the largest ratio, and the goal: at most 1.03 on every file.

    python bench/bench_gif.py [SCENE ...]        # default: every built-in scene (a few minutes)

Needs gifsicle on the PATH. Sizes are exact; seconds depend on the machine's load (ratios matter).
"""

from __future__ import annotations

import argparse
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import GifImagePlugin, Image

from trajectories.pipeline.stages import render_scene
from trajectories.scene import builtin_scenes
from trajectories.writers.gif import GifWriter
from trajectories.writers.quantize import TRANSPARENT


class BeforeWriter:
    """The GIF writer before issue 28: the rectangle that changed in RGB, every unchanged pixel transparent."""

    def __init__(self, file: Any, size: tuple[int, int], mapper: Any) -> None:
        self.file, self.mapper = file, mapper
        table = np.zeros((256, 3), dtype=np.uint8)
        table[: len(mapper.palette)] = mapper.palette
        file.write(b"GIF89a" + struct.pack("<HHBBB", *size, 0xF7, 0, 0) + table.tobytes())
        file.write(b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", 0) + b"\x00")
        self.previous, self.pending, self.delay = None, None, 0

    def add(self, frame: np.ndarray, delay: int) -> None:
        if self.previous is None:
            self.queue(Image.fromarray(self.mapper(frame), mode="P"), (0, 0), False, delay)
        else:
            changed = frame.view(np.uint32)[..., 0] != self.previous.view(np.uint32)[..., 0]
            rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            if rows.size == 0:
                self.delay += delay
                return
            top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
            indices = self.mapper(frame[top:bottom, left:right]).copy()
            indices[~changed[top:bottom, left:right]] = TRANSPARENT
            self.queue(Image.fromarray(indices, mode="P"), (int(left), int(top)), True, delay)
        self.previous = frame

    def queue(self, image: Image.Image, offset: tuple[int, int], transparent: bool, delay: int) -> None:
        self.flush()
        self.pending, self.delay = (image, offset, transparent), delay

    def flush(self) -> None:
        if self.pending is not None:
            image, offset, transparent = self.pending
            params: dict[str, Any] = {"duration": 10 * self.delay, "disposal": 1}
            if transparent:
                params["transparency"] = TRANSPARENT
            for chunk in GifImagePlugin.getdata(image, offset=offset, **params):
                self.file.write(chunk)
            self.pending = None

    def finish(self) -> None:
        self.flush()
        self.file.write(b";")


class Timed:
    """Two writers fed the same frames, the seconds spent in each summed."""

    def __init__(self, file: Any, size: tuple[int, int], mapper: Any, before_path: Path) -> None:
        self.before_file = open(before_path, "wb")  # closed in finish
        self.seconds = {"ours": 0.0, "before": 0.0}
        self.writers = {"ours": self.timed("ours", lambda: GifWriter(file, size, mapper)),
                        "before": self.timed("before", lambda: BeforeWriter(self.before_file, size, mapper))}
        self.frames_written = 0

    def timed(self, key: str, action: Any) -> Any:
        began = time.perf_counter()
        try:
            return action()
        finally:
            self.seconds[key] += time.perf_counter() - began

    def add(self, frame: np.ndarray, delay: int) -> None:
        for key, writer in self.writers.items():
            self.timed(key, lambda writer=writer: writer.add(frame, delay))

    def finish(self) -> None:
        for key, writer in self.writers.items():
            self.timed(key, writer.finish)
        self.before_file.close()
        self.frames_written = self.writers["ours"].frames_written
        Timed.last = self


def decoded(path: Path) -> list[np.ndarray]:
    with Image.open(path) as image:
        frames = []
        for index in range(image.n_frames):
            image.seek(index)
            frames.append(np.asarray(image.convert("RGB")))
        return frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenes", nargs="*", help="scene names (default: every built-in scene)")
    args = parser.parse_args()
    if shutil.which("gifsicle") is None:
        sys.exit("bench_gif.py needs gifsicle (apt-get install gifsicle)")
    scenes = builtin_scenes()
    names = args.scenes or list(scenes)
    print(f"{'scene':<30}{'before KB':>10}{'ours KB':>9}{'gifsicle KB':>12}{'ours/gifsicle':>14}"
          f"{'before/gifsicle':>16}{'encode s':>9}{'vs before':>10}  same frames")
    totals = {"ours": 0, "before": 0, "gifsicle": 0, "ours_s": 0.0, "before_s": 0.0}
    worst = (0.0, "")
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            ours, before, optimised = (Path(folder) / f"{name}{suffix}.gif" for suffix in ("", "_before", "_O3"))
            render_scene(scenes[name], ours, jobs=2,
                         writer_factory=lambda file, size, mapper, before=before: Timed(file, size, mapper, before))
            subprocess.run(["gifsicle", "-O3", str(ours), "-o", str(optimised)], check=True)
            sizes = {key: path.stat().st_size for key, path in (("ours", ours), ("before", before),
                                                                 ("gifsicle", optimised))}
            ours_frames, their_frames = decoded(ours), decoded(optimised)
            same = len(ours_frames) == len(their_frames) and all(
                np.array_equal(a, b) for a, b in zip(ours_frames, their_frames, strict=True))
            seconds = Timed.last.seconds
            ratio = sizes["ours"] / sizes["gifsicle"]
            worst = max(worst, (ratio, name))
            for key in ("ours", "before", "gifsicle"):
                totals[key] += sizes[key]
            totals["ours_s"] += seconds["ours"]
            totals["before_s"] += seconds["before"]
            print(f"{name:<30}{sizes['before'] / 1024:>10.0f}{sizes['ours'] / 1024:>9.0f}"
                  f"{sizes['gifsicle'] / 1024:>12.0f}{ratio:>14.3f}{sizes['before'] / sizes['gifsicle']:>16.3f}"
                  f"{seconds['ours']:>9.2f}{seconds['ours'] / seconds['before']:>9.2f}×  {same}", flush=True)
    print(f"all {len(names)} files: ours {totals['ours'] / 2**20:.2f} MB, before {totals['before'] / 2**20:.2f} MB, "
          f"gifsicle -O3 {totals['gifsicle'] / 2**20:.2f} MB; ours/gifsicle {totals['ours'] / totals['gifsicle']:.3f}, "
          f"before/gifsicle {totals['before'] / totals['gifsicle']:.3f}")
    print(f"encoding: {totals['ours_s']:.1f} s ours, {totals['before_s']:.1f} s before "
          f"({totals['ours_s'] / totals['before_s']:.2f}×)")
    print(f"goal: every file ≤ 1.03× gifsicle -O3: largest {worst[0]:.3f} ({worst[1]}) — "
          f"{'met' if worst[0] <= 1.03 else 'NOT met'}")


if __name__ == "__main__":
    main()
