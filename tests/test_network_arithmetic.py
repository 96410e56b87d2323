"""The network core's arithmetic: its exp, expm1, log, log1p and activations against correctly rounded
values (mpmath), the derivatives of the activations, and its sums in their documented order, whatever the
pieces they are computed in."""

import math

import mpmath
import numpy as np
import pytest

from trajectories.network import arithmetic
from trajectories.network.activations import ACTIVATIONS, sigmoid, softplus, tanh

RNG = np.random.default_rng(7)


def _ulps(ours: np.ndarray, exact: list) -> float:
    reference = np.array([float(value) for value in exact])
    return float(np.max(np.abs(ours - reference) / np.spacing(np.abs(reference))))


FUNCTIONS = {
    # (ours, mpmath's, arguments, the most ulps allowed)
    "exp": (arithmetic.exp, mpmath.exp, np.concatenate([RNG.uniform(-745, 709.7, 300), RNG.uniform(-1, 1, 300),
                                                        RNG.uniform(-1e-9, 1e-9, 50)]), 1),
    "expm1": (arithmetic.expm1, mpmath.expm1, np.concatenate([RNG.uniform(-40, 60, 300), RNG.uniform(-0.5, 0.5, 300),
                                                              RNG.uniform(-1e-12, 1e-12, 50)]), 2),
    "log": (arithmetic.log, mpmath.log, np.concatenate([np.exp(RNG.uniform(-700, 700, 300)), RNG.uniform(0.5, 2, 300),
                                                        [5e-324, 1e-310, 1.7e308]]), 2),
    "log1p": (arithmetic.log1p, mpmath.log1p, np.concatenate([RNG.uniform(-0.99, 10, 300), RNG.uniform(-0.3, 0.42, 300),
                                                              RNG.uniform(-1e-9, 1e-9, 50)]), 3),
    "tanh": (tanh, mpmath.tanh, np.concatenate([RNG.uniform(-25, 25, 300), RNG.uniform(-1e-6, 1e-6, 50)]), 3),
    "sigmoid": (sigmoid, lambda x: 1 / (1 + mpmath.exp(-x)), RNG.uniform(-40, 40, 300), 3),
    "softplus": (softplus, lambda x: mpmath.log1p(mpmath.exp(x)) if x <= 20 else x, RNG.uniform(-40, 30, 300), 3),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_functions_are_within_a_few_ulps_of_correctly_rounded(name):
    ours, exact, arguments, most = FUNCTIONS[name]
    with mpmath.workprec(160):
        reference = [exact(mpmath.mpf(float(x))) for x in arguments]
    assert _ulps(ours(arguments), reference) <= most


def test_special_values():
    inf, nan = np.inf, np.nan
    assert arithmetic.exp(np.array([-inf, inf, 0.0, 710.0, -746.0])).tolist() == [0.0, inf, 1.0, inf, 0.0]
    assert np.isnan(arithmetic.exp(np.array(nan)))
    assert arithmetic.exp(np.array(-745.0)) == 5e-324  # through the subnormals, as numpy rounds it
    assert arithmetic.expm1(np.array([-inf, inf, -60.0, 0.0])).tolist() == [-1.0, inf, -1.0, 0.0]
    assert arithmetic.log(np.array([0.0, inf, 1.0])).tolist() == [-inf, inf, 0.0]
    assert np.isnan(arithmetic.log(np.array([-1.0, nan]))).all()
    assert arithmetic.log1p(np.array([-1.0, 0.0, inf])).tolist() == [-inf, 0.0, inf]
    assert tanh(np.array([-inf, -30.0, 0.0, 30.0, inf])).tolist() == [-1.0, -1.0, 0.0, 1.0, 1.0]


def test_the_reduction_constants_hold_ln2_and_multiply_exactly():
    with mpmath.workprec(200):
        assert abs(mpmath.mpf(arithmetic.LN2_HI) + mpmath.mpf(arithmetic.LN2_LO) - mpmath.log(2)) < 2.0**-85
    mantissa = int(arithmetic.LN2_HI.hex()[4:].split("p")[0], 16)  # the 52 stored bits
    assert mantissa % 2**20 == 0  # k * LN2_HI is exact for |k| < 2**20


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_derivatives_match_central_differences(name):
    activation = ACTIVATIONS[name]
    z = np.concatenate([RNG.uniform(-4, 4, 200), [21.0, -21.0]])
    z = z[np.abs(z) > 1e-3]  # away from relu's kink
    h = 1e-6
    slope = (activation.forward(z + h) - activation.forward(z - h)) / (2 * h)
    np.testing.assert_allclose(activation.derivative(z, activation.forward(z)), slope, rtol=1e-6, atol=1e-9)


def test_pairwise_sums_follow_their_documented_order():
    # (1e16 + -1e16) + (1 + 1): left to right would give 1.0, since 1e16 + 1 rounds back to 1e16
    assert arithmetic.pairwise_sum(np.array([1e16, 1.0, -1e16, 1.0]), 0) == 2.0
    # odd length: ((x0 + x2) + (x1 + x3)) with x4 carried: [(x0+x2), (x1+x3), x4] -> [(x0+x2) + x4, (x1+x3)]
    x = np.array([1e16, 3.0, -1e16, 5.0, 1.0])
    assert arithmetic.pairwise_sum(x, 0) == ((1e16 + -1e16) + 1.0) + (3.0 + 5.0)
    values = RNG.standard_normal((7, 1001, 3))
    assert abs(arithmetic.pairwise_sum(values, 1)[2, 1] - math.fsum(values[2, :, 1])) < 1e-13
    assert arithmetic.pairwise_sum(np.zeros((0, 4)), 0).tolist() == [0.0] * 4


def test_products_of_slices_are_exact_whatever_blas_does():
    """What makes ``matmul`` CPU-independent: every product of slices is a matrix of whole numbers that
    BLAS computes exactly (equal to the same product in int64, where nothing rounds)."""
    a = RNG.standard_normal((30, 64)) * np.exp(RNG.uniform(-20, 20, (30, 1)))
    b = RNG.standard_normal((64, 9))
    bits = (52 - 6) // 2
    rows = arithmetic._power_of_two_above(np.max(np.abs(a), axis=-1, keepdims=True))
    columns = arithmetic._power_of_two_above(np.max(np.abs(b), axis=-2, keepdims=True))
    left, right = arithmetic._slices(a, rows, bits), arithmetic._slices(b, columns, bits)
    for i in range(arithmetic.SLICES):
        for j in range(arithmetic.SLICES):
            exact = left[i].astype(np.int64) @ right[j].astype(np.int64)
            assert (np.matmul(left[i], right[j]) == exact).all() and np.abs(exact).max() < 2**53
    # the slices hold the numbers to 3 x 23 bits of each row's and column's largest
    rebuilt = sum(part * 2.0 ** (-bits * (k + 1)) for k, part in enumerate(left)) * rows
    assert (np.abs(rebuilt - a) <= 2.0 ** (-3 * bits) * rows).all()


def test_matrix_products_are_as_accurate_as_float64_and_broadcast():
    a = RNG.standard_normal((3, 20, 16)) * np.exp(RNG.uniform(-3, 3, (3, 20, 1)))
    b = RNG.standard_normal((3, 16, 7))
    ours = arithmetic.matmul(a, b)
    exact = np.array([[[math.fsum(a[r, m] * b[r, :, n]) for n in range(7)] for m in range(20)] for r in range(3)])
    scale = np.abs(a).max(-1, keepdims=True) * np.abs(b).max(-2, keepdims=True)
    assert (np.abs(ours - exact) <= 16 * 2.0**-53 * scale).all()
    shared = arithmetic.matmul(a[:1], b)  # (1, 20, 16) with (3, 16, 7): numpy's broadcasting
    assert shared.shape == (3, 20, 7) and shared[2].tobytes() == arithmetic.matmul(a[0], b[2]).tobytes()
    poisoned = a.copy()
    poisoned[1, 4, 0] = np.nan
    result = arithmetic.matmul(poisoned, b)
    assert np.isnan(result[1, 4]).all() and np.isfinite(np.delete(result[1], 4, axis=0)).all()
    assert result[0].tobytes() == ours[0].tobytes()
