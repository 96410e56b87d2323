r"""Arithmetic that gives the same bits on every CPU, fast enough for whole networks.

numpy's ``exp``, ``log``, ``log1p``, ``expm1`` and ``tanh`` return different last bits at different SIMD
levels (measured on an AVX-512 machine: ``exp``, ``log``, ``log1p``, ``expm1`` change when AVX-512 is
disabled, ``tanh`` when AVX2 is), and ``matmul``, ``svd`` and ``eigh`` go through OpenBLAS, whose kernels
(chosen per CPU: Haswell, SkylakeX, Sandybridge...) add in other orders and with or without fused
multiply-adds. A network's loss surface and its training paths would then differ between machines.
:mod:`trajectories.portable` fixes transcendental functions by rounding them correctly, at about 7 µs a
call: right for a 2-D path, too slow for the millions of activations of a network.

So the network core uses only what IEEE 754 defines exactly, elementwise: ``+ − × ÷``, ``√``, comparisons,
:func:`numpy.ldexp` and :func:`numpy.frexp` (separate numpy calls, so never fused into an FMA). From them:

- :func:`exp`, :func:`expm1`, :func:`log`, :func:`log1p`: fixed polynomial kernels (Taylor and ``atanh``
  series, evaluated by Horner's rule) after an exact range reduction. They are not correctly rounded (a
  few ulps at worst, checked against ``mpmath`` in ``tests/test_network_arithmetic.py``), but they are the
  same operations in the same order everywhere, so they give the same bits everywhere.
- :func:`pairwise_sum` and :func:`dot`: every sum over samples, inputs or parameters is a pairwise tree in
  a fixed order, never numpy's reductions or BLAS. Chunking (to bound memory) splits only axes that are not
  summed, so it never changes a bit.

>>> float(log(exp(np.array(0.0))))
0.0
>>> pairwise_sum(np.array([1e16, 1.0, -1e16, 1.0]), 0).item()  # (1e16 + -1e16) + (1 + 1)
2.0
"""

from __future__ import annotations

import math

import numpy as np

Array = np.ndarray

LN2_HI = float.fromhex("0x1.62e42fee00000p-1")
"""The leading 32 bits of :math:`\\ln 2`: ``k * LN2_HI`` is exact for every ``|k| < 2**20``."""
LN2_LO = float.fromhex("0x1.a39ef35793c76p-33")
""":math:`\\ln 2 -` :data:`LN2_HI`, rounded: together they hold :math:`\\ln 2` to about 2**-86."""
INV_LN2 = float.fromhex("0x1.71547652b82fep0")
"""1 / ln 2, rounded (only chooses the reduction's ``k``; any nearby value gives a correct reduction)."""

EXP_OVERFLOW = 709.782712893384
"""The largest x with a finite :math:`e^x`."""
EXP_UNDERFLOW = -745.1332191019412
"""Below this :math:`e^x` rounds to 0."""

_TAYLOR_TERMS = 14  # 1/k! for k = 1..13: the remainder r**14/14! < 5e-18 for |r| <= ln(2)/2
_EXPM1_COEFFICIENTS = tuple(1.0 / math.factorial(k) for k in range(1, _TAYLOR_TERMS))
_ATANH_COEFFICIENTS = tuple(1.0 / (2 * k + 1) for k in range(14))  # s**28/29 < 2e-19 for |s| <= 0.25
_HALF_LN2 = 0.5 * math.log(2.0)
_SQRT_HALF = math.sqrt(0.5)

DOT_BUDGET = 2**18
"""The most products :func:`dot` holds at once (2 MiB of float64, about a core's cache; measured fastest between
2**16 and 2**21 for a 400-sample batch of a 16-unit layer); larger contractions go in pieces."""


def _expm1_kernel(r: Array) -> Array:
    r""":math:`e^r - 1` for :math:`|r| \le \ln 2 / 2` by its Taylor series (13 terms, Horner):
    :math:`r\,(1 + r/2!\,(1 + \dots))` written as :math:`r \sum_k r^{k}/(k+1)!`."""
    total = np.full_like(r, _EXPM1_COEFFICIENTS[-1])
    for coefficient in reversed(_EXPM1_COEFFICIENTS[:-1]):
        total = total * r + coefficient
    return total * r


def _reduce(x: Array) -> tuple[Array, Array]:
    r"""``(k, r)`` with :math:`x = k \ln 2 + r`, :math:`k = \operatorname{rint}(x / \ln 2)`, :math:`|r| \le \ln 2/2`:
    :math:`r = (x - k\,\ln 2_{hi}) - k\,\ln 2_{lo}`, Cody and Waite's two-part reduction (the first product
    and difference exact). ``x`` is clipped to just beyond the range where :math:`e^x` is finite and non-zero."""
    clipped = np.clip(x, EXP_UNDERFLOW - 1.0, EXP_OVERFLOW + 1.0)
    k = np.rint(clipped * INV_LN2)
    return k, (clipped - k * LN2_HI) - k * LN2_LO


def _power_of_two(k: Array) -> Array:
    """:math:`2^k` for whole numbers ``k`` in the normal range ``[-1022, 1023]``, built from its bits
    (biased exponent ``k + 1023``, zero mantissa): exact, and cheaper than :func:`numpy.ldexp`."""
    return ((k.astype(np.int64) + 1023) << 52).view(np.float64)


def _scale(m: Array, k: Array) -> Array:
    r""":math:`m\,2^k` for ``k`` from :func:`_reduce`, in two exact halves (``2**1024`` is not a double,
    but :math:`m\,2^{1024}` with :math:`m < 1` is): one rounding at most, into the subnormals or to inf,
    as :func:`numpy.ldexp` would round."""
    half = np.floor(k * 0.5)
    return m * _power_of_two(half) * _power_of_two(k - half)


def exp(x: Array) -> Array:
    r""":math:`e^x` from exact operations only.

    .. math:: x = k \ln 2 + r, \qquad e^x = 2^k\,(1 + \operatorname{expm1}_{13}(r)),

    with the reduction of :func:`_reduce`, the 13-term Taylor polynomial of :func:`_expm1_kernel` and an
    exact scaling by a power of two. Overflows to ``inf`` above :data:`EXP_OVERFLOW`, underflows through
    the subnormals to 0; NaN stays NaN. At most 1 ulp from :math:`e^x`.

    >>> exp(np.array([0.0, -np.inf, np.inf])).tolist()
    [1.0, 0.0, inf]
    """
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        k, r = _reduce(x)
        return _scale(1.0 + _expm1_kernel(r), k)  # NaN stays NaN through the kernel


def expm1(x: Array) -> Array:
    r""":math:`e^x - 1`, accurate near 0.

    .. math:: e^x - 1 = \operatorname{expm1}_{13}(x) \ \ (|x| \le \ln 2/2), \qquad
              e^x - 1 = 2^k\,\operatorname{expm1}_{13}(r) + (2^k - 1) \ \ \text{otherwise},

    where the scaling and :math:`2^k - 1` are exact, so the one rounding of the sum loses nothing to
    cancellation; :func:`exp` itself above 40, where the 1 no longer counts. At most 2 ulps off.
    """
    x = np.asarray(x, dtype=np.float64)
    small = np.abs(x) <= _HALF_LN2
    with np.errstate(invalid="ignore", over="ignore"):
        k, r = _reduce(np.clip(x, -60.0, 40.0))
        k = np.where(small, 0.0, k)
        kernel = _expm1_kernel(np.where(small, x, r))
        scale = _power_of_two(k)
        value = np.where(small, kernel, kernel * scale + (scale - 1.0))  # NaN stays NaN
    large = x > 40.0
    return np.where(large, exp(x), value) if large.any() else value


def _log_kernel(s: Array) -> Array:
    r""":math:`2\,\operatorname{atanh}(s) = 2 s \sum_k s^{2k}/(2k+1)` for :math:`|s| \le 0.25`
    (14 terms, Horner in :math:`s^2`)."""
    square = s * s
    total = np.full_like(s, _ATANH_COEFFICIENTS[-1])
    for coefficient in reversed(_ATANH_COEFFICIENTS[:-1]):
        total = total * square + coefficient
    return 2.0 * s * total


def log(x: Array) -> Array:
    r""":math:`\ln x` from exact operations only.

    .. math:: x = m\,2^e,\ m \in [\sqrt{1/2}, \sqrt 2), \qquad
              \ln x = e \ln 2 + 2\operatorname{atanh}\frac{m - 1}{m + 1},

    with :math:`m` and :math:`e` from :func:`numpy.frexp` (exact), :math:`m - 1` exact (Sterbenz), and the
    series of :func:`_log_kernel`. ``log(0) = -inf``, negative numbers and NaN give NaN, ``log(inf) = inf``.
    """
    x = np.asarray(x, dtype=np.float64)
    regular = np.isfinite(x) & (x > 0)
    mantissa, exponent = np.frexp(np.where(regular, x, 1.0))
    low = mantissa < _SQRT_HALF
    mantissa = np.where(low, mantissa * 2.0, mantissa)
    exponent = np.where(low, exponent - 1, exponent).astype(np.float64)
    f = mantissa - 1.0
    value = exponent * LN2_HI + (_log_kernel(f / (2.0 + f)) + exponent * LN2_LO)
    with np.errstate(invalid="ignore", divide="ignore"):
        special = np.where(x == 0, -np.inf, np.where(x == np.inf, np.inf, np.nan))
    return np.where(regular, value, special)


def log1p(u: Array) -> Array:
    r""":math:`\ln(1 + u)`, accurate near 0.

    For :math:`-0.4 \le u \le 0.6`, :math:`\ln(1+u) = 2\operatorname{atanh}\frac{u}{2 + u}` straight
    from ``u`` (:math:`|s| \le 0.25`, nothing lost to rounding :math:`1 + u`); elsewhere :func:`log`
    of :math:`1 + u`, whose rounding costs about an ulp more. At most 3 ulps off.
    """
    u = np.asarray(u, dtype=np.float64)
    near = (u >= -0.4) & (u <= 0.6)
    inner = np.where(near, u, 0.0)
    return np.where(near, _log_kernel(inner / (2.0 + inner)), log(1.0 + u))


def pairwise_sum(values: Array, axis: int) -> Array:
    r"""The sum over ``axis`` in one fixed order: a pairwise tree.

    With :math:`n` terms and :math:`h = \lfloor n/2 \rfloor`, the next level is
    :math:`y_i = x_i + x_{h+i}` for :math:`i < h`, followed by :math:`x_{n-1}` when :math:`n` is odd;
    levels repeat until one term is left (an empty axis sums to 0). The error grows as
    :math:`\log_2 n` ulps rather than :math:`n`, and the order depends on :math:`n` alone.
    """
    moved = np.moveaxis(np.asarray(values, dtype=np.float64), axis, 0)
    return _tree(np.array(moved, order="C"))


def _tree(terms: Array) -> Array:
    """:func:`pairwise_sum` over axis 0 of ``terms``, a C-ordered array it may overwrite."""
    count = terms.shape[0]
    if count == 0:
        return np.zeros(terms.shape[1:])
    while count > 1:
        half = count // 2
        terms[:half] += terms[half : 2 * half]
        if count % 2:
            terms[half] = terms[count - 1]
        count = half + count % 2
    return terms[0]


def dot(a: Array, b: Array, axis: int = -1, budget: int = DOT_BUDGET) -> Array:
    r""":math:`\sum_k a_k b_k` over ``axis`` (after broadcasting ``a`` and ``b``), each sum a
    :func:`pairwise_sum` of the exact products.

    The products are formed in pieces of at most ``budget`` numbers, cut along the largest axis that is
    not summed, so the pieces change memory, never bits.

    >>> dot(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([10.0, 1.0])).tolist()
    [12.0, 34.0]
    """
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    a, b = np.moveaxis(a, axis, 0), np.moveaxis(b, axis, 0)
    shape = a.shape
    outer = shape[1:]
    total = math.prod(shape)
    if total <= budget or not outer:
        return _tree(np.multiply(a, b, order="C"))
    cut = 1 + int(np.argmax(outer))
    rows_per_piece = max(1, budget // max(1, total // shape[cut]))
    pieces = []
    for start in range(0, shape[cut], rows_per_piece):
        index = (slice(None),) * cut + (slice(start, start + rows_per_piece),)
        pieces.append(_tree(np.multiply(a[index], b[index], order="C")))
    return np.concatenate(pieces, axis=cut - 1)
