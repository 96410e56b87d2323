"""The network core gives the same bits at every numpy SIMD level and with every OpenBLAS kernel, where
numpy's own ``exp`` and LAPACK's SVD do not (measured on this machine when it has AVX-512)."""

import os
import subprocess
import sys

import numpy as np
import pytest

# what every CPU must agree on: a training with mini-batches, its PCA plane, a loss grid, a decision grid
PROBE = """
import hashlib, numpy as np
from trajectories.network.datasets import make_dataset
from trajectories.network.models import parse_model
from trajectories.network.training import Learner, train, resolve_loss, loss_targets
from trajectories.network.projection import parse_projection, fit_window
from trajectories.network.landscape import loss_grid, decision_grid, data_window
model, data = parse_model("mlp:2-6-6-1:tanh"), make_dataset("moons:n=60,noise=0.2")
paths = train(model, data, ["adam:lr=0.05", Learner("sgd:lr=0.5,momentum=0.9", 16)], 25)
loss = resolve_loss(model, data.train)
plane = parse_projection("pca").fit(model, paths.params)
coordinates = plane.project(paths.params)
grid = loss_grid(model, loss, data.train, loss_targets(loss, data.train), plane, fit_window(coordinates), (7, 6))
boundary = decision_grid(model, loss, paths.params[-1, :, 0], data_window(data.train), (5, 4))
numpy_exp = np.exp(np.linspace(-20, 20, 10001))
digest = lambda *arrays: hashlib.sha256(b"".join(np.ascontiguousarray(a).tobytes() for a in arrays)).hexdigest()
print(digest(data.train.inputs, paths.params, paths.train_loss, plane.axes, coordinates, grid.values,
             boundary.values), digest(numpy_exp), digest(np.abs(np.linalg.svd(paths.params[:, 0, 0])[2][:2])))
"""
LEVELS = {
    "every feature": {},
    "no AVX-512": {"NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"},
    "no AVX2, OpenBLAS Prescott kernels": {"NPY_DISABLE_CPU_FEATURES": "X86_V3 X86_V4 AVX512_ICL AVX512_SPR",
                                           "OPENBLAS_CORETYPE": "Prescott"},
}


def _has_avx512() -> bool:
    features = np._core._multiarray_umath.__cpu_features__
    return bool(features.get("AVX512F")) and bool(features.get("AVX2"))


def test_the_network_core_is_the_same_bits_at_every_simd_level_and_blas_kernel():
    outputs = {}
    for name, variables in LEVELS.items():
        env = {key: value for key, value in os.environ.items() if key not in ("NPY_DISABLE_CPU_FEATURES",
                                                                               "OPENBLAS_CORETYPE")}
        done = subprocess.run([sys.executable, "-c", PROBE], env={**env, **variables}, capture_output=True,
                              text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        outputs[name] = done.stdout.split()
    ours = {name: digests[0] for name, digests in outputs.items()}
    assert len(set(ours.values())) == 1, ours
    if not _has_avx512():
        pytest.skip("this CPU has no AVX-512: numpy's own levels coincide here")
    # the probe has teeth: numpy's exp and LAPACK's SVD do change between these levels
    assert len({digests[1] for digests in outputs.values()}) > 1
    assert len({digests[2] for digests in outputs.values()}) > 1
