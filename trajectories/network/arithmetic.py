r"""Arithmetic that gives the same bits on every CPU, fast enough for whole networks.

numpy's ``exp``, ``log``, ``log1p``, ``expm1`` and ``tanh`` return different last bits at different SIMD
levels (measured on an AVX-512 machine: ``exp``, ``log``, ``log1p``, ``expm1`` change when AVX-512 is
disabled, ``tanh`` when AVX2 is), and ``matmul``, ``svd`` and ``eigh`` go through OpenBLAS, whose kernels
(chosen per CPU: Haswell, SkylakeX, Sandybridge...) add in other orders and with or without fused
multiply-adds. A network's loss surface and its training paths would then differ between machines.
:mod:`trajectories.core.portable` fixes transcendental functions by rounding them correctly, at about 7 µs a
call: right for a 2-D path, too slow for the millions of activations of a network.

So the network core uses only what IEEE 754 defines exactly, elementwise: ``+ − × ÷``, ``√``, comparisons,
:func:`numpy.ldexp` and :func:`numpy.frexp` (separate numpy calls, so never fused into an FMA). From them:

- :func:`exp`, :func:`expm1`, :func:`log`, :func:`log1p`: fixed polynomial kernels (Taylor and ``atanh``
  series, evaluated by Horner's rule) after an exact range reduction. They are not correctly rounded (a
  few ulps at worst, checked against ``mpmath`` in ``tests/test_network_arithmetic.py``), but they are the
  same operations in the same order everywhere, so they give the same bits everywhere.
- :func:`matmul`: products of matrices through BLAS, made exact first. Each row of the left matrix and each
  column of the right one is scaled by a power of two and cut into three slices of ``s`` bits, whole numbers
  small enough that every product of two slices and every sum of ``K`` of them is an integer below
  :math:`2^{53}`: each BLAS product of slices is then *exact*, whatever order, blocking or fused multiply-add
  the CPU's kernel uses (Ozaki, Ogita, Oishi and Rump's error-free splitting). Only the six largest products of
  slices are kept, and they are added in one fixed order: the result is as accurate as a float64 product and
  the same bits on every CPU, at about 20 elementwise operations per number instead of BLAS's one.
- :func:`pairwise_sum`: every other sum (over samples, units or parameters) is a pairwise tree in a fixed
  order, never numpy's reductions.

>>> float(log(exp(np.array(0.0))))
0.0
>>> pairwise_sum(np.array([1e16, 1.0, -1e16, 1.0]), 0).item()  # (1e16 + -1e16) + (1 + 1)
2.0
>>> matmul(np.array([[1.0, 2.0]]), np.array([[3.0], [0.25]])).tolist()
[[3.5]]
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

SLICES = 3
"""Slices of each number in :func:`matmul`: at least 72 bits for contractions of up to 16 terms, 57 for
16,384."""
SHORT = 4
"""Contractions of at most this many terms (a network's 2 inputs, a single output unit) are summed left to
right from elementwise products instead: the same bits everywhere too, with a few operations."""
BLAS_CALL_SIZE = 2**18
"""The most multiply-adds of one BLAS call in :func:`matmul`: OpenBLAS runs calls up to this size on one
thread (``GEMM_MULTITHREAD_THRESHOLD`` × 65536). Larger calls start its threads, which on a shared machine
measured 2 to 4 times slower than one thread (a training step of 4 small networks: 4.1-5.6 ms against 1.2 ms)."""


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


def _power_of_two_above(peak: Array) -> Array:
    r"""The least power of two :math:`2^e \ge` ``peak`` (an exponent of at most 1023), 1 where ``peak`` is 0."""
    _, exponent = np.frexp(peak)
    return np.where(peak > 0, _power_of_two(np.minimum(exponent, 1023)), 1.0)


def _slices(values: Array, scale: Array, bits: int) -> list[Array]:
    r""":data:`SLICES` whole-number arrays :math:`A_i` (:math:`|A_i| \le 2^{bits+1}`) with
    ``values / scale`` :math:`= \sum_i A_i 2^{-i\,bits}` plus a remainder below :math:`2^{-3\,bits}`, for a
    power of two ``scale``; every step is exact."""
    scaled = values * (2.0**bits / scale)
    parts = [np.rint(scaled)]
    for _ in range(SLICES - 1):
        scaled = (scaled - parts[-1]) * 2.0**bits
        parts.append(np.rint(scaled))
    return parts


def matmul(a: Array, b: Array) -> Array:
    r""":math:`A B` for stacks of matrices (``numpy.matmul``'s broadcasting), the same bits on every CPU.

    With :math:`\sigma_m`, :math:`\tau_n` the powers of two just above row :math:`m`'s largest entry of
    :math:`A` and column :math:`n`'s of :math:`B`, and
    :math:`s = \lfloor (52 - \lceil\log_2 K\rceil)/2 \rfloor`, the scaled entries are cut into slices
    :math:`A_i, B_j` (whole numbers below :math:`2^{s+1}`, :func:`_slices`), and

    .. math:: (AB)_{mn} \approx \sigma_m \tau_n \sum_{i + j \le 4} 2^{-s(i+j)} (A_i B_j)_{mn},

    each :math:`A_i B_j` computed by ``numpy.matmul`` (BLAS) exactly, the sum in a fixed order (the
    smallest terms first). The error is about :math:`2^{-3s} K \sigma_m \tau_n`: that of a float64 dot
    product. NaN and infinities in a row or column make its results NaN. A contraction of at most
    :data:`SHORT` terms is the sum of its elementwise products from left to right.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    terms = a.shape[-1]
    if terms <= SHORT:  # a few exact products added left to right: cheaper than slicing
        total = a[..., :, :1] * b[..., :1, :]
        for k in range(1, terms):
            total = total + a[..., :, k : k + 1] * b[..., k : k + 1, :]
        return total
    bits = (52 - math.ceil(math.log2(max(terms, 1)))) // 2
    rows = _power_of_two_above(np.max(np.abs(a), axis=-1, keepdims=True))
    columns = _power_of_two_above(np.max(np.abs(b), axis=-2, keepdims=True))
    with np.errstate(invalid="ignore", over="ignore"):
        left, right = _slices(a, rows, bits), _slices(b, columns, bits)
        total = None
        for order in range(SLICES + 1, 1, -1):  # i + j = 4, 3, 2: the smallest products first, Horner's rule
            level = None
            for i in range(max(1, order - SLICES), min(SLICES, order - 1) + 1):
                product = _exact_product(left[i - 1], right[order - i - 1])
                level = product if level is None else level + product
            total = level if total is None else total * 2.0**-bits + level
        return total * (rows * 2.0 ** (-2 * bits)) * columns


def _exact_product(left: Array, right: Array) -> Array:
    """``numpy.matmul`` of whole-number matrices whose products are exact, in calls of at most
    :data:`BLAS_CALL_SIZE` multiply-adds each (cut along the rows of ``left``, which changes no bit)."""
    rows, terms, columns = left.shape[-2], left.shape[-1], right.shape[-1]
    step = max(1, BLAS_CALL_SIZE // max(1, terms * columns))
    if rows <= step:
        return np.matmul(left, right)
    shape = (*np.broadcast_shapes(left.shape[:-2], right.shape[:-2]), rows, columns)
    result = np.empty(shape)
    for start in range(0, rows, step):
        np.matmul(left[..., start : start + step, :], right, out=result[..., start : start + step, :])
    return result
