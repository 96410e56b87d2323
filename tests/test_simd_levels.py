"""Same bytes at every numpy SIMD level: every built-in scene rendered under three levels of CPU features.

numpy reads ``NPY_DISABLE_CPU_FEATURES`` when it is imported and ignores the names a CPU lacks, so on a
machine with AVX-512 these are three code paths for ``exp``, ``sin``, ``log``... (AVX-512, AVX2, baseline),
and on a lesser machine some of them coincide.
"""

import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

LEVELS = {"all": "", "no AVX-512": "X86_V4 AVX512_ICL", "no AVX2": "X86_V3 X86_V4 AVX512_ICL"}
CLI = [sys.executable, "-c", "from trajectories.cli.main import main; main()"]


def _under(level: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": level, "MPLBACKEND": "Agg"}
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, check=False, timeout=600, **kwargs)


def _digests(folder) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def test_every_builtin_scene_gives_the_same_bytes_at_every_simd_level(tmp_path):
    digests = {}
    for name, level in LEVELS.items():
        folder = tmp_path / name.replace(" ", "_")
        folder.mkdir()
        done = _under(level, "render", "--all", "--frames", "40", "--scale", "0.5", "--out-dir", str(folder), "-q")
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""  # no built-in scene warns of a chaotic path in CPU-dependent arithmetic
        digests[name] = _digests(folder)
    assert len(digests["all"]) >= 18
    for name in LEVELS:
        differing = [f for f in digests["all"] if digests[name].get(f) != digests["all"][f]]
        assert not differing, f"{name}: {differing} differ from the render with every CPU feature"


CHAOTIC_RUN = ["run", "--surface", "peaks", "--optimizer", "sgd:lr=0.15", "--start", "-0.5,-1", "--steps", "180"]


def _has_avx512() -> bool:
    features = np._core._multiarray_umath.__cpu_features__
    return bool(features.get("AVX512F")) and bool(features.get("AVX2"))


def test_the_levels_really_differ_and_portable_arithmetic_does_not():
    numpy_runs = {name: _under(level, *CHAOTIC_RUN).stdout for name, level in LEVELS.items()}
    portable_runs = {name: _under(level, *CHAOTIC_RUN, "--arithmetic", "portable").stdout
                     for name, level in LEVELS.items()}
    assert all(portable_runs.values()) and len(set(portable_runs.values())) == 1
    if not _has_avx512():
        pytest.skip("this CPU has no AVX-512: the levels above coincide here")
    # figure 2's big learning rate in numpy's arithmetic: another path on another code path for exp
    assert len(set(numpy_runs.values())) > 1
