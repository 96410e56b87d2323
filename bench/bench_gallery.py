"""Wall time of ``trajectories render --all`` with ``--jobs 1`` and ``--jobs 2``, per-scene times and sizes.

Both runs render into temporary folders, in fresh processes (as users run it); the script also checks
that both produce the same bytes. Ratios matter, not absolute seconds.

    python bench/bench_gallery.py
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from pathlib import Path

LINE = re.compile(r"^(?P<path>\S+)\s+(?P<frames>\d+) frames\s+(?P<kb>\d+) KB\s+(?P<seconds>[\d.]+) s$")


def render_all(jobs: int, folder: Path) -> tuple[float, dict[str, tuple[int, int, float]]]:
    began = time.perf_counter()
    out = subprocess.run(
        ["trajectories", "render", "--all", "--out-dir", str(folder), "--jobs", str(jobs)],
        capture_output=True, text=True, check=True,
    )
    wall = time.perf_counter() - began
    rows = {}
    for line in out.stdout.splitlines():
        match = LINE.match(line.strip())
        if match:
            rows[Path(match["path"]).name] = (int(match["frames"]), int(match["kb"]), float(match["seconds"]))
    return wall, rows


def main() -> None:
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        wall_1, rows_1 = render_all(1, Path(one))
        wall_2, rows_2 = render_all(2, Path(two))
        same = all((Path(one) / name).read_bytes() == (Path(two) / name).read_bytes() for name in rows_1)
    print(f"{'file':<28}{'frames':>7}{'KB':>7}{'s (1 job)':>11}{'s (2 jobs)':>12}{'speed-up':>10}")
    for name, (frames, kb, seconds) in rows_1.items():
        seconds_2 = rows_2[name][2]
        print(f"{name:<28}{frames:>7}{kb:>7}{seconds:>11.1f}{seconds_2:>12.1f}{seconds / seconds_2:>9.2f}×")
    total_kb = sum(kb for _, kb, _ in rows_1.values())
    print(f"render --all: {wall_1:.1f} s with --jobs 1, {wall_2:.1f} s with --jobs 2 "
          f"({wall_1 / wall_2:.2f}×); {len(rows_1)} files, {total_kb / 1024:.1f} MB; "
          f"identical bytes across job counts: {same}")


if __name__ == "__main__":
    main()
