r"""The leading principal components of many points, computed the same on every CPU.

numpy's ``svd`` and ``eigh`` call LAPACK through OpenBLAS, whose kernels differ between CPUs (measured:
the singular vectors of one 300×200 matrix change in their last bits between OpenBLAS's Haswell, SkylakeX
and Sandybridge kernels), and LAPACK picks the sign of each vector as it likes. Here:

- **Subspace iteration with Rayleigh–Ritz** on :math:`C = X^\top X` (:math:`X`: the centred points, never
  forming :math:`C`): a block of :math:`b = \min(8, P)` vectors, started from seeded uniform numbers, is
  multiplied by :math:`C` and re-orthonormalised (modified Gram–Schmidt, twice), and the small matrix
  :math:`Q^\top C Q` is diagonalised by cyclic Jacobi rotations in Python floats. It stops when the
  leading vectors' residuals :math:`\lVert C u - \lambda u \rVert` fall under :data:`TOLERANCE`
  :math:`\lambda_1`, or after :data:`MAX_ITERATIONS`.
- Every product is a :func:`~trajectories.network.arithmetic.matmul` (BLAS made exact), every other
  operation IEEE-exact or a fixed-order sum, so the components are the same bits everywhere; their signs
  are fixed by the caller (:mod:`trajectories.network.projection`).

>>> points = np.array([[0.0, 0.0], [2.0, 1.0], [4.0, 2.0], [6.0, 3.0]])
>>> found = principal_components(points, 1)
>>> np.round(np.abs(found.vectors), 6).tolist(), round(found.ratios[0], 12)
([[0.894427, 0.447214]], 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from .arithmetic import matmul, pairwise_sum

Array = np.ndarray

BLOCK = 8
MAX_ITERATIONS = 500
TOLERANCE = 1e-12
START_SEED = 0


class Components(NamedTuple):
    """The leading principal components: ``vectors`` ``(k, P)`` (orthonormal), their ``variances``
    :math:`\\lambda_i` (sums of squares along each, not divided by the count), ``total`` (the sum of
    squares of all centred points: :math:`\\operatorname{tr} C`), the ``mean`` point, and ``iterations``."""

    vectors: Array
    variances: Array
    total: float
    mean: Array
    iterations: int

    @property
    def ratios(self) -> list[float]:
        """The fraction of the total variance along each component (0 when there is none)."""
        return [float(v / self.total) if self.total > 0 else 0.0 for v in self.variances]


def jacobi_eigen(matrix: list[list[float]]) -> tuple[list[float], list[list[float]]]:
    r"""Eigenvalues (descending) and eigenvectors (columns of the second result) of a small symmetric
    matrix, by cyclic Jacobi rotations in Python floats: each rotation zeroes :math:`a_{pq}` with
    :math:`t = \operatorname{sign}(\theta)/(|\theta| + \sqrt{\theta^2 + 1})`,
    :math:`\theta = (a_{qq} - a_{pp})/(2 a_{pq})`; sweeps repeat until the off-diagonal part is below
    1e-30 of the whole (at most 60 sweeps)."""
    n = len(matrix)
    a = [list(map(float, row)) for row in matrix]
    v = [[float(i == j) for j in range(n)] for i in range(n)]
    scale = sum(x * x for row in a for x in row)
    for _ in range(60):
        off = sum(a[p][q] * a[p][q] for p in range(n) for q in range(n) if p != q)
        if off <= 1e-30 * scale or off == 0.0:
            break
        for p in range(n - 1):
            for q in range(p + 1, n):
                if a[p][q] == 0.0:
                    continue
                theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q])
                if abs(theta) > 1e150:
                    t = 0.5 / theta
                else:
                    t = (1.0 if theta >= 0 else -1.0) / (abs(theta) + math.sqrt(theta * theta + 1.0))
                c = 1.0 / math.sqrt(t * t + 1.0)
                s = t * c
                for k in range(n):  # columns p and q
                    akp, akq = a[k][p], a[k][q]
                    a[k][p], a[k][q] = c * akp - s * akq, s * akp + c * akq
                for k in range(n):  # rows p and q
                    apk, aqk = a[p][k], a[q][k]
                    a[p][k], a[q][k] = c * apk - s * aqk, s * apk + c * aqk
                for k in range(n):
                    vkp, vkq = v[k][p], v[k][q]
                    v[k][p], v[k][q] = c * vkp - s * vkq, s * vkp + c * vkq
    order = sorted(range(n), key=lambda i: (-a[i][i], i))
    return [a[i][i] for i in order], [[v[k][i] for i in order] for k in range(n)]


def orthonormal_columns(block: Array) -> Array:
    """The columns of ``block`` ``(P, b)`` made orthonormal by modified Gram–Schmidt, run twice ("twice is
    enough"); a column that vanishes is replaced by the first unit vector that is independent of the
    ones before it, so the result always has ``b`` orthonormal columns (``b <= P``)."""
    basis: list[Array] = []
    size = block.shape[0]
    for j in range(block.shape[1]):
        for column in _candidates(block[:, j], size):
            norm_before = math.sqrt(float(pairwise_sum(column * column, 0)))
            for _ in range(2):
                for u in basis:
                    column = column - float(pairwise_sum(u * column, 0)) * u
            norm = math.sqrt(float(pairwise_sum(column * column, 0)))
            if norm > 1e-12 * norm_before and norm > 0:
                basis.append(column / norm)
                break
    return np.stack(basis, axis=1)


def _candidates(column: Array, size: int) -> Iterator[Array]:
    """``column``, then the unit vectors ``e_0, e_1, ...`` (replacements for a column that vanishes)."""
    yield column
    for index in range(size):
        unit = np.zeros(size)
        unit[index] = 1.0
        yield unit


def principal_components(points: Array, count: int = 2) -> Components:
    """The ``count`` leading principal components of ``points`` ``(M, P)`` (finite rows only)."""
    points = np.asarray(points, dtype=np.float64)
    points = points[np.isfinite(points).all(axis=1)]
    size = points.shape[1]
    mean = pairwise_sum(points, 0) / len(points)
    centred = points - mean
    total = float(pairwise_sum(pairwise_sum(centred * centred, 1), 0))
    width = min(BLOCK, size)
    count = min(count, width)
    block = orthonormal_columns(np.random.default_rng(START_SEED).uniform(-1.0, 1.0, (size, width)))
    iterations = 0
    values = [0.0] * width
    ritz = block
    while iterations < MAX_ITERATIONS:
        iterations += 1
        images = matmul(centred, block)                                          # X Q, (M, b)
        small = matmul(images.T, images)                                         # Qᵀ C Q, (b, b)
        values, vectors = jacobi_eigen(small.tolist())
        rotation = np.array(vectors)
        ritz = matmul(block, rotation)                                           # Q V, (P, b)
        turned = matmul(images, rotation)                                        # X Q V, (M, b)
        powered = matmul(centred.T, turned)                                      # C Q V, (P, b)
        residual = powered[:, :count] - ritz[:, :count] * np.array(values[:count])
        worst = math.sqrt(float(np.max(pairwise_sum(residual * residual, 0))))
        if worst <= TOLERANCE * max(values[0], 0.0) or values[0] <= 0.0:
            break
        block = orthonormal_columns(powered)
    return Components(ritz[:, :count].T.copy(), np.maximum(np.array(values[:count]), 0.0), total, mean, iterations)
