"""Small gradient transformations that named optimizers are composed of.

A transformation is a pair of pure functions (the optax shape)::

    init(params) -> state
    update(grads, state, params) -> (updates, new_state)

``params`` and ``grads`` are float64 arrays of shape ``(..., 2)``: any number of points at once. The
*updates* of the last transformation of a chain are **added** to the parameters, so the sign convention
lives in exactly one place: :func:`scale_by_learning_rate`, which multiplies by ``-lr``.

States are NamedTuples whose fields say what they hold. ``count`` is the number of updates already
applied (0 before the first), shared by every point because all points step together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .portable import power

Array = np.ndarray
Schedule = Callable[[int], float]


class GradientTransformation(NamedTuple):
    """An ``(init, update)`` pair; see the module docstring."""

    init: Callable[[Array], Any]
    update: Callable[[Array, Any, Array], tuple[Array, Any]]


class EmptyState(NamedTuple):
    """State of a stateless transformation."""


class CountState(NamedTuple):
    """Only a step count."""

    count: int


class TraceState(NamedTuple):
    """Momentum buffer (the 'velocity')."""

    count: int
    velocity: Array


class AccumulatorState(NamedTuple):
    """A running sum or average of squared gradients (and, for centred RMSProp, of gradients)."""

    count: int
    square_avg: Array
    grad_avg: Array


class AdadeltaState(NamedTuple):
    """Running averages of squared gradients and of squared updates."""

    square_avg: Array
    delta_avg: Array


class AdamState(NamedTuple):
    """First moment ``mu``, second moment ``nu`` and its running maximum (AMSGrad) ``nu_max``."""

    count: int
    mu: Array
    nu: Array
    nu_max: Array


class AdamaxState(NamedTuple):
    """First moment ``mu`` and the exponentially weighted infinity norm ``u``."""

    count: int
    mu: Array
    u: Array


class NadamState(NamedTuple):
    """Adam's moments plus the running product of the momentum schedule, prod_{i<=t} mu_i."""

    count: int
    mu: Array
    nu: Array
    mu_product: float


class LionState(NamedTuple):
    """The momentum ``m`` tracked with beta2."""

    mu: Array


def chain(*transforms: GradientTransformation) -> GradientTransformation:
    """Apply ``transforms`` one after the other: each one's updates are the next one's gradients."""

    def init(params: Array) -> tuple:
        return tuple(t.init(params) for t in transforms)

    def update(grads: Array, state: tuple, params: Array) -> tuple[Array, tuple]:
        new_states = []
        for transform, inner in zip(transforms, state, strict=True):
            grads, inner = transform.update(grads, inner, params)
            new_states.append(inner)
        return grads, tuple(new_states)

    return GradientTransformation(init, update)


def scale_by_learning_rate(learning_rate: float | Schedule) -> GradientTransformation:
    r"""Multiply by :math:`-\alpha_t`: the one place where a descent direction becomes a step.

    ``learning_rate`` is a number or a schedule ``t -> alpha_t`` of the 0-based update count ``t``.
    """

    def init(params: Array) -> CountState:
        return CountState(count=0)

    def update(grads: Array, state: CountState, params: Array) -> tuple[Array, CountState]:
        rate = learning_rate(state.count) if callable(learning_rate) else learning_rate
        return -rate * grads, CountState(count=state.count + 1)

    return GradientTransformation(init, update)


def add_decayed_weights(weight_decay: float) -> GradientTransformation:
    r"""Add :math:`\lambda\theta` to the incoming direction (L2 penalty, or decoupled decay at the end)."""

    def init(params: Array) -> EmptyState:
        return EmptyState()

    def update(grads: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        if weight_decay == 0:
            return grads, state
        return grads + weight_decay * params, state

    return GradientTransformation(init, update)


def clip_by_norm(max_norm: float) -> GradientTransformation:
    r"""Rescale each point's gradient to an L2 norm of at most :math:`c` (``torch.nn.utils.clip_grad_norm_``).

    .. math:: g \leftarrow g \cdot \min\left(1, \frac{c}{\lVert g \rVert_2}\right), \qquad g = 0 \text{ unchanged}.

    The norm is taken over the last axis, the two coordinates of one point: every start is its own model,
    as torch clips one model's parameters together. The direction is kept; only a step that would be
    longer than :math:`c \alpha` is shortened. A gradient exactly at or under the threshold passes
    unchanged (torch multiplies by :math:`c/(\lVert g\rVert + 10^{-6})` clamped to 1, which differs from
    this by about :math:`10^{-6}/c` relatively when clipping).

    Args:
        max_norm: :math:`c > 0`.

    >>> clip_by_norm(1.0).update(np.array([[3.0, 4.0], [0.3, 0.4]]), EmptyState(), None)[0].tolist()
    [[0.6000000000000001, 0.8], [0.3, 0.4]]
    """

    def init(params: Array) -> EmptyState:
        return EmptyState()

    def update(grads: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        norm = np.sqrt(np.sum(grads * grads, axis=-1, keepdims=True))
        over = norm > max_norm
        factor = np.where(over, max_norm / np.where(over, norm, 1.0), 1.0)
        return grads * factor, state

    return GradientTransformation(init, update)


def clip_by_value(max_value: float) -> GradientTransformation:
    r"""Clamp every coordinate of the gradient to :math:`[-c, c]` (``torch.nn.utils.clip_grad_value_``).

    .. math:: g_i \leftarrow \max(-c, \min(c, g_i)).

    Unlike :func:`clip_by_norm` this can turn the direction: a clipped step leans towards the diagonal.

    Args:
        max_value: :math:`c > 0`.

    >>> clip_by_value(1.0).update(np.array([[3.0, -0.5]]), EmptyState(), None)[0].tolist()
    [[1.0, -0.5]]
    """

    def init(params: Array) -> EmptyState:
        return EmptyState()

    def update(grads: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        return np.clip(grads, -max_value, max_value), state

    return GradientTransformation(init, update)


def trace(momentum: float, dampening: float = 0.0, nesterov: bool = False) -> GradientTransformation:
    r"""Heavy-ball momentum as ``torch.optim.SGD`` computes it.

    .. math::

        b_1 = g_1, \qquad b_t = \mu b_{t-1} + (1-\tau) g_t \quad (t > 1), \qquad
        d_t = g_t + \mu b_t \ \text{(Nesterov)} \quad\text{or}\quad d_t = b_t.

    The buffer starts as the first gradient itself (no dampening on the first step), as in torch.
    """

    def init(params: Array) -> TraceState:
        return TraceState(count=0, velocity=np.zeros_like(params))

    def update(grads: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        if momentum == 0:
            return grads, TraceState(state.count + 1, state.velocity)
        if state.count == 0:
            velocity = grads.copy()
        else:
            velocity = momentum * state.velocity + (1.0 - dampening) * grads
        direction = grads + momentum * velocity if nesterov else velocity
        return direction, TraceState(state.count + 1, velocity)

    return GradientTransformation(init, update)


def ema(decay: float) -> GradientTransformation:
    r"""Exponentially weighted average of the gradients, started at zero, without bias correction.

    .. math:: v_t = \beta v_{t-1} + (1-\beta) g_t, \qquad v_0 = 0.
    """

    def init(params: Array) -> TraceState:
        return TraceState(count=0, velocity=np.zeros_like(params))

    def update(grads: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        velocity = decay * state.velocity + (1.0 - decay) * grads
        return velocity, TraceState(state.count + 1, velocity)

    return GradientTransformation(init, update)


def scale_by_rss(initial_accumulator_value: float, eps: float) -> GradientTransformation:
    r"""Divide by the root of the sum of all squared gradients so far (Adagrad).

    .. math:: s_t = s_0 + \sum_{i \le t} g_i^2, \qquad d_t = g_t / (\sqrt{s_t} + \epsilon).
    """

    def init(params: Array) -> AccumulatorState:
        filled = np.full_like(params, initial_accumulator_value)
        return AccumulatorState(count=0, square_avg=filled, grad_avg=np.zeros_like(params))

    def update(grads: Array, state: AccumulatorState, params: Array) -> tuple[Array, AccumulatorState]:
        total = state.square_avg + grads * grads
        return grads / (np.sqrt(total) + eps), state._replace(count=state.count + 1, square_avg=total)

    return GradientTransformation(init, update)


def scale_by_rms(
    alpha: float,
    eps: float,
    centered: bool = False,
    initial_accumulator_value: float = 0.0,
    eps_inside_sqrt: bool = False,
) -> GradientTransformation:
    r"""Divide by the root of an exponentially weighted mean of squared gradients (RMSProp).

    .. math::

        s_t = \alpha s_{t-1} + (1-\alpha) g_t^2, \qquad
        \bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t \ \text{(centred only)}, \\
        d_t = g_t / (\sqrt{s_t - \bar g_t^2} + \epsilon)
        \quad\text{or, with ε inside the root,}\quad g_t / \sqrt{s_t - \bar g_t^2 + \epsilon}.

    ``s_0`` is ``initial_accumulator_value`` (0 in torch, 1 in TensorFlow 1); the centred form drops the
    :math:`\bar g_t^2` term when ``centered`` is false.
    """

    def init(params: Array) -> AccumulatorState:
        filled = np.full_like(params, initial_accumulator_value)
        return AccumulatorState(count=0, square_avg=filled, grad_avg=np.zeros_like(params))

    def update(grads: Array, state: AccumulatorState, params: Array) -> tuple[Array, AccumulatorState]:
        square_avg = alpha * state.square_avg + (1.0 - alpha) * grads * grads
        grad_avg = state.grad_avg
        variance = square_avg
        if centered:
            grad_avg = grad_avg + (1.0 - alpha) * (grads - grad_avg)
            variance = square_avg - grad_avg * grad_avg
        denom = np.sqrt(variance + eps) if eps_inside_sqrt else np.sqrt(variance) + eps
        new_state = AccumulatorState(count=state.count + 1, square_avg=square_avg, grad_avg=grad_avg)
        return grads / denom, new_state

    return GradientTransformation(init, update)


def accumulate(momentum: float) -> GradientTransformation:
    r"""A momentum buffer without dampening, started at zero: :math:`b_t = \mu b_{t-1} + d_t`.

    Used after :func:`scale_by_rms` for RMSProp with momentum (torch and TensorFlow 1 agree on it).
    """

    def init(params: Array) -> TraceState:
        return TraceState(count=0, velocity=np.zeros_like(params))

    def update(grads: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        if momentum == 0:
            return grads, TraceState(state.count + 1, state.velocity)
        velocity = momentum * state.velocity + grads
        return velocity, TraceState(state.count + 1, velocity)

    return GradientTransformation(init, update)


def scale_by_adadelta(rho: float, eps: float) -> GradientTransformation:
    r"""Zeiler's Adadelta direction: the ratio of two running RMS values.

    .. math::

        s_t = \rho s_{t-1} + (1-\rho) g_t^2, \qquad
        d_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{s_t + \epsilon}} g_t, \qquad
        u_t = \rho u_{t-1} + (1-\rho) d_t^2.
    """

    def init(params: Array) -> AdadeltaState:
        return AdadeltaState(square_avg=np.zeros_like(params), delta_avg=np.zeros_like(params))

    def update(grads: Array, state: AdadeltaState, params: Array) -> tuple[Array, AdadeltaState]:
        square_avg = rho * state.square_avg + (1.0 - rho) * grads * grads
        delta = np.sqrt(state.delta_avg + eps) / np.sqrt(square_avg + eps) * grads
        delta_avg = rho * state.delta_avg + (1.0 - rho) * delta * delta
        return delta, AdadeltaState(square_avg=square_avg, delta_avg=delta_avg)

    return GradientTransformation(init, update)


def _moments(beta1: float, beta2: float, grads: Array, mu: Array, nu: Array) -> tuple[Array, Array]:
    """Adam's first and second moment recurrences, one step."""
    return beta1 * mu + (1.0 - beta1) * grads, beta2 * nu + (1.0 - beta2) * grads * grads


def scale_by_adam(
    beta1: float,
    beta2: float,
    eps: float,
    amsgrad: bool = False,
    eps_hat: bool = False,
    bias_correction: bool = True,
) -> GradientTransformation:
    r"""Adam's bias-corrected direction (Kingma & Ba, 2015, Algorithm 1), as ``torch.optim.Adam``.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \\
        \hat v_t = \max(\hat v_{t-1}, v_t) \ \text{(AMSGrad)} \ \text{else}\ v_t, \qquad
        d_t = \frac{m_t / (1-\beta_1^t)}{\sqrt{\hat v_t / (1-\beta_2^t)} + \epsilon}.

    With ``eps_hat`` the ε is added before the bias correction of the denominator, as TensorFlow 1 (and
    the paper's section 2 "ε̂" form) computes it: :math:`d_t = \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}
    \frac{m_t}{\sqrt{\hat v_t} + \epsilon}`.

    Without ``bias_correction`` (the ablation of the paper's section 3) the raw moments are used, in
    either ε form: :math:`d_t = m_t / (\sqrt{\hat v_t} + \epsilon)`. Both moments start at 0 and are
    biased towards it, but not equally: for a steady gradient the raw step is the corrected one times
    :math:`(1-\beta_1^t)/\sqrt{1-\beta_2^t}`, which for the default betas is 3.2 at :math:`t = 1`, peaks
    at 6.6 near :math:`t = 12` and is still 1.26 at :math:`t = 1000`: :math:`m_t` warms up in about
    :math:`1/(1-\beta_1)` steps, :math:`v_t` in about :math:`1/(1-\beta_2)`. (The raw first step is
    smaller only when :math:`1-\beta_1 < \sqrt{1-\beta_2}`: :math:`\beta_2 < 0.99` for :math:`\beta_1 = 0.9`.)
    """

    def init(params: Array) -> AdamState:
        zeros = np.zeros_like(params)
        return AdamState(count=0, mu=zeros, nu=zeros, nu_max=zeros)

    def update(grads: Array, state: AdamState, params: Array) -> tuple[Array, AdamState]:
        t = state.count + 1
        mu, nu = _moments(beta1, beta2, grads, state.mu, state.nu)
        nu_max = np.maximum(state.nu_max, nu) if amsgrad else state.nu_max
        second = nu_max if amsgrad else nu
        correction1 = 1.0 - power(beta1, t) if bias_correction else 1.0
        correction2 = 1.0 - power(beta2, t) if bias_correction else 1.0
        if eps_hat:
            direction = (np.sqrt(correction2) / correction1) * mu / (np.sqrt(second) + eps)
        else:
            direction = (mu / correction1) / (np.sqrt(second) / np.sqrt(correction2) + eps)
        return direction, AdamState(count=t, mu=mu, nu=nu, nu_max=nu_max)

    return GradientTransformation(init, update)


def scale_by_adamax(beta1: float, beta2: float, eps: float) -> GradientTransformation:
    r"""Adamax's direction (Kingma & Ba, 2015, Algorithm 2), as ``torch.optim.Adamax``.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),
        \qquad d_t = \frac{m_t}{(1-\beta_1^t)\, u_t}.
    """

    def init(params: Array) -> AdamaxState:
        return AdamaxState(count=0, mu=np.zeros_like(params), u=np.zeros_like(params))

    def update(grads: Array, state: AdamaxState, params: Array) -> tuple[Array, AdamaxState]:
        t = state.count + 1
        mu = beta1 * state.mu + (1.0 - beta1) * grads
        u = np.maximum(beta2 * state.u, np.abs(grads) + eps)
        return mu / ((1.0 - power(beta1, t)) * u), AdamaxState(count=t, mu=mu, u=u)

    return GradientTransformation(init, update)


def scale_by_nadam(beta1: float, beta2: float, eps: float, momentum_decay: float) -> GradientTransformation:
    r"""NAdam's direction (Dozat, 2016) with torch's momentum schedule.

    .. math::

        \mu_t = \beta_1 (1 - \tfrac12 \cdot 0.96^{t \psi}), \qquad
        m_t, v_t \text{ as in Adam}, \qquad D_t = \sqrt{v_t / (1-\beta_2^t)} + \epsilon, \\
        d_t = \frac{(1-\mu_t)\, g_t}{(1-\prod_{i\le t}\mu_i)\, D_t}
            + \frac{\mu_{t+1}\, m_t}{(1-\prod_{i\le t+1}\mu_i)\, D_t},

    where :math:`\psi` is ``momentum_decay``.
    """

    def init(params: Array) -> NadamState:
        zeros = np.zeros_like(params)
        return NadamState(count=0, mu=zeros, nu=zeros, mu_product=1.0)

    def update(grads: Array, state: NadamState, params: Array) -> tuple[Array, NadamState]:
        t = state.count + 1
        momentum_now = beta1 * (1.0 - 0.5 * power(0.96, t * momentum_decay))
        momentum_next = beta1 * (1.0 - 0.5 * power(0.96, (t + 1) * momentum_decay))
        mu_product = state.mu_product * momentum_now
        mu, nu = _moments(beta1, beta2, grads, state.mu, state.nu)
        denom = np.sqrt(nu / (1.0 - power(beta2, t))) + eps
        direction = (1.0 - momentum_now) / (1.0 - mu_product) * grads / denom + (
            momentum_next / (1.0 - mu_product * momentum_next)
        ) * mu / denom
        return direction, NadamState(count=t, mu=mu, nu=nu, mu_product=mu_product)

    return GradientTransformation(init, update)


def scale_by_radam(beta1: float, beta2: float, eps: float) -> GradientTransformation:
    r"""RAdam's rectified direction (Liu et al., 2020), as ``torch.optim.RAdam``.

    .. math::

        \rho_\infty = \frac{2}{1-\beta_2} - 1, \qquad
        \rho_t = \rho_\infty - \frac{2 t \beta_2^t}{1-\beta_2^t}, \qquad
        \hat m_t = \frac{m_t}{1-\beta_1^t}, \\
        d_t = \hat m_t \, r_t \frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon} \ \text{if}\ \rho_t > 5,
        \quad\text{else}\quad d_t = \hat m_t, \qquad
        r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}.
    """
    rho_inf = 2.0 / (1.0 - beta2) - 1.0

    def init(params: Array) -> AdamState:
        zeros = np.zeros_like(params)
        return AdamState(count=0, mu=zeros, nu=zeros, nu_max=zeros)

    def update(grads: Array, state: AdamState, params: Array) -> tuple[Array, AdamState]:
        t = state.count + 1
        mu, nu = _moments(beta1, beta2, grads, state.mu, state.nu)
        correction2 = 1.0 - power(beta2, t)
        corrected_mu = mu / (1.0 - power(beta1, t))
        rho_t = rho_inf - 2.0 * t * power(beta2, t) / correction2
        if rho_t > 5.0:
            rect = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            direction = corrected_mu * (np.sqrt(correction2) / (np.sqrt(nu) + eps)) * rect
        else:
            direction = corrected_mu
        return direction, AdamState(count=t, mu=mu, nu=nu, nu_max=state.nu_max)

    return GradientTransformation(init, update)


def scale_by_lion(beta1: float, beta2: float) -> GradientTransformation:
    r"""Lion's sign direction (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms").

    .. math:: d_t = \operatorname{sign}(\beta_1 m_{t-1} + (1-\beta_1) g_t), \qquad
              m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t.
    """

    def init(params: Array) -> LionState:
        return LionState(mu=np.zeros_like(params))

    def update(grads: Array, state: LionState, params: Array) -> tuple[Array, LionState]:
        direction = np.sign(beta1 * state.mu + (1.0 - beta1) * grads)
        return direction, LionState(mu=beta2 * state.mu + (1.0 - beta2) * grads)

    return GradientTransformation(init, update)
