"""Capture what the command line writes, to prove that a refactoring changes no byte.

``capture`` renders every built-in scene as GIF and as PNG, plus a few ``run`` outputs (JSON, CSV, npz), into
FOLDER; ``compare`` renders the same into a fresh folder and compares every file byte for byte with FOLDER.
Both run the installed ``trajectories`` command from a temporary working folder outside the repository, so
the package imported is the installed one, not a folder that happens to be the current one.

    python bench/capture_outputs.py capture /tmp/before
    python bench/capture_outputs.py compare /tmp/before      # exit status 1 on any difference
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile

RUNS = {
    "run_rosenbrock.json": ["--surface", "rosenbrock", "--optimizer", "adam:lr=0.05",
                            "--optimizer", "sgd:lr=0.001,momentum=0.9", "--steps", "120"],
    "run_formula.csv": ["--surface", "x**2 + 3*y**2", "--optimizer", "rmsprop:lr=0.02", "--start", "1,1",
                        "--steps", "40"],
    "run_noise.json": ["--surface", "himmelblau", "--optimizer", "sgd:lr=0.01", "--batch-size", "8",
                       "--noise", "0.5", "--seed", "3", "--steps", "60"],
    "run_portable.json": ["--surface", "saddle", "--optimizer", "adam:lr=0.02", "--arithmetic", "portable",
                          "--steps", "80"],
    "run_grid.npz": ["--surface", "himmelblau", "--optimizer", "adam:lr=0.05", "--starts", "grid:6x5",
                     "--steps", "50"],
    "run_reduce.npz": ["--surface", "himmelblau", "--optimizer", "sgd:lr=0.01", "--starts", "random:40:seed=2",
                       "--reduce", "--steps", "80"],
}


def trajectories_command() -> list[str]:
    """The console script next to this interpreter (the venv's), else ``python -m trajectories``."""
    script = os.path.join(os.path.dirname(sys.executable), "trajectories")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "trajectories"]


def capture(folder: str) -> None:
    """Render every built-in scene (gif and png) and the RUNS into FOLDER, from a folder outside any repository."""
    os.makedirs(folder, exist_ok=True)
    command = trajectories_command()
    with tempfile.TemporaryDirectory() as cwd:
        jobs = ["-j", "2"]
        render = [*command, "render", "--all", "-q", *jobs]
        subprocess.run([*render, "--out-dir", os.path.join(folder, "gif")], cwd=cwd, check=True)
        subprocess.run([*render, "--format", "png", "--out-dir", os.path.join(folder, "png")], cwd=cwd, check=True)
        os.makedirs(os.path.join(folder, "run"), exist_ok=True)
        for name, args in RUNS.items():
            subprocess.run([*command, "run", *args, "-o", os.path.join(folder, "run", name)], cwd=cwd, check=True)


def differences(before: str, after: str) -> list[str]:
    """Relative paths that differ between the two folders, or exist in only one of them."""
    found = []
    for root, _, files in os.walk(before):
        for name in files:
            relative = os.path.relpath(os.path.join(root, name), before)
            other = os.path.join(after, relative)
            if not os.path.exists(other) or not filecmp.cmp(os.path.join(root, name), other, shallow=False):
                found.append(relative)
    for root, _, files in os.walk(after):
        for name in files:
            relative = os.path.relpath(os.path.join(root, name), after)
            if not os.path.exists(os.path.join(before, relative)):
                found.append(relative)
    return sorted(found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["capture", "compare"])
    parser.add_argument("folder")
    parser.add_argument("--keep", help="compare: render into this folder instead of a temporary one")
    arguments = parser.parse_args()
    if arguments.mode == "capture":
        capture(arguments.folder)
        print(f"captured {sum(len(f) for _, _, f in os.walk(arguments.folder))} files into {arguments.folder}")
        return 0
    after = arguments.keep or tempfile.mkdtemp(prefix="trajectories-after-")
    try:
        capture(after)
        changed = differences(arguments.folder, after)
    finally:
        if not arguments.keep:
            shutil.rmtree(after, ignore_errors=True)
    total = sum(len(f) for _, _, f in os.walk(arguments.folder))
    if changed:
        print(f"{len(changed)} of {total} files differ:\n  " + "\n  ".join(changed))
        return 1
    print(f"all {total} files identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
