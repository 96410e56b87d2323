"""Small gradient transformations that named optimizers are composed of.

A transformation is a pair of pure functions (the optax shape)::

    init(params) -> state
    update(grads, state, params) -> (updates, new_state)

``params`` and ``grads`` are float64 arrays of shape ``(..., 2)``: any number of points at once. The
*updates* of the last transformation of a chain are **added** to the parameters, so the sign convention
lives in exactly one place: :func:`scale_by_learning_rate`, which multiplies by ``-lr``.

States are NamedTuples whose fields say what they hold. ``count`` is the number of updates already
applied (0 before the first), shared by every point because all points step together.

Every transformation here also has ``step(grads, state, params) -> (updates, new_state)``, the same
arithmetic in place: it overwrites ``grads`` (unless it is read-only) and the arrays of ``state`` (whose
``init`` gives each field its own array). A step whose direction *is* one of its state's arrays (a
momentum buffer) returns a read-only view of it rather than a copy, and the step after it (the learning
rate) writes its result to a new array, as ``p -= lr * b`` does. That is what the many-start loop runs
(:mod:`trajectories.compute.stepping`): no new arrays per step, as a hand-written numpy loop does it. ``update``
is ``step`` on copies (:func:`pure`), so both give the same bits; every expression keeps the operand order
of the formula it implements (``(1 - β) g²`` is ``((1 - β) g) g``, not ``(1 - β) (g g)``), because
floating-point multiplication does not associate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .portable import power

Array = np.ndarray
Schedule = Callable[[int], float]


class GradientTransformation(NamedTuple):
    """An ``(init, update)`` pair, and for the transformations here ``step``, ``update`` in place; see the
    module docstring."""

    init: Callable[[Array], Any]
    update: Callable[[Array, Any, Array], tuple[Array, Any]]
    step: Callable[[Array, Any, Array], tuple[Array, Any]] | None = None


def writable(grads: Array) -> Array:
    """``grads`` to overwrite: itself, or a copy when it is read-only (a state array passed on)."""
    return grads if grads.flags.writeable else grads.copy(order="K")


def passed_on(array: Array) -> Array:
    """A read-only view of a state ``array``, passed on as a direction without a copy."""
    view = array.view()
    view.flags.writeable = False
    return view


def copy_state(state: Any) -> Any:
    """``state`` with every array copied (NamedTuples and tuples rebuilt around them)."""
    if isinstance(state, np.ndarray):
        return state.copy(order="K")
    if isinstance(state, tuple):
        parts = [copy_state(part) for part in state]
        return type(state)(*parts) if hasattr(state, "_fields") else tuple(parts)
    return state


def select_state(state: Any, keep: Array, count: int) -> Any:
    """``state`` with every array of ``count`` rows cut down to the rows ``keep`` (a mask or indices): the
    state of the points kept when the others leave a many-start run (in the arrays' memory order)."""
    if isinstance(state, np.ndarray):
        if not state.ndim or state.shape[0] != count:
            return state
        kept = state[keep]
        return np.asfortranarray(kept) if state.flags.f_contiguous and not state.flags.c_contiguous else kept
    if isinstance(state, tuple):
        parts = [select_state(part, keep, count) for part in state]
        return type(state)(*parts) if hasattr(state, "_fields") else tuple(parts)
    return state


def pure(step: Callable[[Array, Any, Array], tuple[Array, Any]]) -> Callable[[Array, Any, Array], tuple[Array, Any]]:
    """The pure ``update`` of an in-place ``step``: the step on a copy of the gradients and of the state."""

    def update(grads: Array, state: Any, params: Array) -> tuple[Array, Any]:
        updates, new_state = step(np.array(grads, dtype=np.float64), copy_state(state), params)
        return writable(updates), new_state  # never a view of the state

    return update


def in_place(init: Callable[[Array], Any], step: Callable[[Array, Any, Array], tuple[Array, Any]]
             ) -> GradientTransformation:
    """A transformation from ``init`` and its in-place ``step``."""
    return GradientTransformation(init, pure(step), step)


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
    """Apply ``transforms`` one after the other: each one's updates are the next one's gradients (in place
    when every one of them has a ``step``)."""

    def init(params: Array) -> tuple:
        return tuple(t.init(params) for t in transforms)

    def through(kind: str) -> Callable[[Array, tuple, Array], tuple[Array, tuple]]:
        """The chain's ``update`` or ``step``: each transform's own, one after the other."""

        def apply(grads: Array, state: tuple, params: Array) -> tuple[Array, tuple]:
            new_states = []
            for transform, inner in zip(transforms, state, strict=True):
                grads, inner = getattr(transform, kind)(grads, inner, params)
                new_states.append(inner)
            return grads, tuple(new_states)

        return apply

    if all(transform.step is not None for transform in transforms):
        return in_place(init, through("step"))
    return GradientTransformation(init, through("update"))


def scale_by_learning_rate(learning_rate: float | Schedule) -> GradientTransformation:
    r"""Multiply by :math:`-\alpha_t`: the one place where a descent direction becomes a step.

    ``learning_rate`` is a number or a schedule ``t -> alpha_t`` of the 0-based update count ``t``.
    """

    def init(params: Array) -> CountState:
        return CountState(count=0)

    def step(grads: Array, state: CountState, params: Array) -> tuple[Array, CountState]:
        rate = learning_rate(state.count) if callable(learning_rate) else learning_rate
        out = grads if grads.flags.writeable else None  # a state array passed on: a new array
        return np.multiply(grads, -rate, out=out), CountState(count=state.count + 1)

    return in_place(init, step)


def add_decayed_weights(weight_decay: float) -> GradientTransformation:
    r"""Add :math:`\lambda\theta` to the incoming direction (L2 penalty, or decoupled decay at the end)."""

    def init(params: Array) -> EmptyState:
        return EmptyState()

    def step(grads: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        if weight_decay != 0:
            grads = writable(grads)
            grads += weight_decay * params
        return grads, state

    return in_place(init, step)


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

    def step(grads: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        norm = np.sqrt(np.sum(grads * grads, axis=-1, keepdims=True))
        over = norm > max_norm
        grads = writable(grads)
        grads *= np.where(over, max_norm / np.where(over, norm, 1.0), 1.0)
        return grads, state

    return in_place(init, step)


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

    def step(grads: Array, state: EmptyState, params: Array) -> tuple[Array, EmptyState]:
        return np.clip(grads, -max_value, max_value, out=writable(grads)), state

    return in_place(init, step)


def trace(momentum: float, dampening: float = 0.0, nesterov: bool = False) -> GradientTransformation:
    r"""Heavy-ball momentum as ``torch.optim.SGD`` computes it.

    .. math::

        b_1 = g_1, \qquad b_t = \mu b_{t-1} + (1-\tau) g_t \quad (t > 1), \qquad
        d_t = g_t + \mu b_t \ \text{(Nesterov)} \quad\text{or}\quad d_t = b_t.

    The buffer starts as the first gradient itself (no dampening on the first step), as in torch.
    """

    def init(params: Array) -> TraceState:
        return TraceState(count=0, velocity=np.zeros_like(params))

    def step(grads: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        velocity = state.velocity
        if momentum == 0:
            return grads, TraceState(state.count + 1, velocity)
        if state.count == 0:
            np.copyto(velocity, grads)
        else:
            velocity *= momentum
            velocity += grads if dampening == 0 else (1.0 - dampening) * grads  # (1 - 0) g is g, bit for bit
        if nesterov:
            grads = writable(grads)
            grads += momentum * velocity
            return grads, TraceState(state.count + 1, velocity)
        return passed_on(velocity), TraceState(state.count + 1, velocity)

    return in_place(init, step)


def ema(decay: float) -> GradientTransformation:
    r"""Exponentially weighted average of the gradients, started at zero, without bias correction.

    .. math:: v_t = \beta v_{t-1} + (1-\beta) g_t, \qquad v_0 = 0.
    """

    def init(params: Array) -> TraceState:
        return TraceState(count=0, velocity=np.zeros_like(params))

    def step(grads: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        velocity = state.velocity
        velocity *= decay
        velocity += (1.0 - decay) * grads
        return passed_on(velocity), TraceState(state.count + 1, velocity)

    return in_place(init, step)


def scale_by_rss(initial_accumulator_value: float, eps: float) -> GradientTransformation:
    r"""Divide by the root of the sum of all squared gradients so far (Adagrad).

    .. math:: s_t = s_0 + \sum_{i \le t} g_i^2, \qquad d_t = g_t / (\sqrt{s_t} + \epsilon).
    """

    def init(params: Array) -> AccumulatorState:
        filled = np.full_like(params, initial_accumulator_value)
        return AccumulatorState(count=0, square_avg=filled, grad_avg=np.zeros_like(params))

    def step(grads: Array, state: AccumulatorState, params: Array) -> tuple[Array, AccumulatorState]:
        grads = writable(grads)
        total = state.square_avg
        total += grads * grads
        root = np.sqrt(total)
        root += eps
        grads /= root
        return grads, state._replace(count=state.count + 1)

    return in_place(init, step)


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

    def step(grads: Array, state: AccumulatorState, params: Array) -> tuple[Array, AccumulatorState]:
        grads = writable(grads)
        square_avg, grad_avg = state.square_avg, state.grad_avg
        scaled = (1.0 - alpha) * grads
        scaled *= grads
        square_avg *= alpha
        square_avg += scaled
        variance = square_avg
        if centered:
            change = grads - grad_avg
            change *= 1.0 - alpha
            grad_avg += change
            variance = np.subtract(square_avg, grad_avg * grad_avg, out=change)
        if eps_inside_sqrt:
            denom = np.sqrt(variance + eps, out=scaled)
        else:
            denom = np.sqrt(variance, out=scaled)
            denom += eps
        grads /= denom
        return grads, AccumulatorState(count=state.count + 1, square_avg=square_avg, grad_avg=grad_avg)

    return in_place(init, step)


def accumulate(momentum: float) -> GradientTransformation:
    r"""A momentum buffer without dampening, started at zero: :math:`b_t = \mu b_{t-1} + d_t`.

    Used after :func:`scale_by_rms` for RMSProp with momentum (torch and TensorFlow 1 agree on it).
    """

    def init(params: Array) -> TraceState:
        return TraceState(count=0, velocity=np.zeros_like(params))

    def step(grads: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        velocity = state.velocity
        if momentum == 0:
            return grads, TraceState(state.count + 1, velocity)
        velocity *= momentum
        velocity += grads
        return passed_on(velocity), TraceState(state.count + 1, velocity)

    return in_place(init, step)


def scale_by_adadelta(rho: float, eps: float) -> GradientTransformation:
    r"""Zeiler's Adadelta direction: the ratio of two running RMS values.

    .. math::

        s_t = \rho s_{t-1} + (1-\rho) g_t^2, \qquad
        d_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{s_t + \epsilon}} g_t, \qquad
        u_t = \rho u_{t-1} + (1-\rho) d_t^2.
    """

    def init(params: Array) -> AdadeltaState:
        return AdadeltaState(square_avg=np.zeros_like(params), delta_avg=np.zeros_like(params))

    def step(grads: Array, state: AdadeltaState, params: Array) -> tuple[Array, AdadeltaState]:
        grads = writable(grads)
        square_avg, delta_avg = state
        scaled = (1.0 - rho) * grads
        scaled *= grads
        square_avg *= rho
        square_avg += scaled
        ratio = np.sqrt(delta_avg + eps)
        ratio /= np.sqrt(np.add(square_avg, eps, out=scaled), out=scaled)
        grads *= ratio  # the step: sqrt(u + eps) / sqrt(s + eps) * g
        np.multiply(grads, 1.0 - rho, out=scaled)
        scaled *= grads
        delta_avg *= rho
        delta_avg += scaled
        return grads, AdadeltaState(square_avg=square_avg, delta_avg=delta_avg)

    return in_place(init, step)


def _moments(beta1: float, beta2: float, grads: Array, mu: Array, nu: Array) -> Array:
    r"""Adam's first and second moment recurrences, one step, in place: :math:`m \leftarrow \beta_1 m +
    (1-\beta_1) g`, :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`; returns a scratch array of ``g``'s
    shape."""
    scratch = (1.0 - beta1) * grads
    mu *= beta1
    mu += scratch
    np.multiply(grads, 1.0 - beta2, out=scratch)
    scratch *= grads
    nu *= beta2
    nu += scratch
    return scratch


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
        return AdamState(count=0, mu=np.zeros_like(params), nu=np.zeros_like(params), nu_max=np.zeros_like(params))

    def step(grads: Array, state: AdamState, params: Array) -> tuple[Array, AdamState]:
        grads = writable(grads)
        t = state.count + 1
        _, mu, nu, nu_max = state
        scratch = _moments(beta1, beta2, grads, mu, nu)
        if amsgrad:
            np.maximum(nu_max, nu, out=nu_max)
        second = nu_max if amsgrad else nu
        correction1 = 1.0 - power(beta1, t) if bias_correction else 1.0
        correction2 = 1.0 - power(beta2, t) if bias_correction else 1.0
        denom = np.sqrt(second, out=scratch)
        if eps_hat:
            denom += eps
            np.multiply(mu, np.sqrt(correction2) / correction1, out=grads)
        else:
            denom /= np.sqrt(correction2)
            denom += eps
            np.divide(mu, correction1, out=grads)
        grads /= denom
        return grads, AdamState(count=t, mu=mu, nu=nu, nu_max=nu_max)

    return in_place(init, step)


def scale_by_adamax(beta1: float, beta2: float, eps: float) -> GradientTransformation:
    r"""Adamax's direction (Kingma & Ba, 2015, Algorithm 2), as ``torch.optim.Adamax``.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon),
        \qquad d_t = \frac{m_t}{(1-\beta_1^t)\, u_t}.
    """

    def init(params: Array) -> AdamaxState:
        return AdamaxState(count=0, mu=np.zeros_like(params), u=np.zeros_like(params))

    def step(grads: Array, state: AdamaxState, params: Array) -> tuple[Array, AdamaxState]:
        grads = writable(grads)
        t = state.count + 1
        _, mu, u = state
        scratch = (1.0 - beta1) * grads
        mu *= beta1
        mu += scratch
        u *= beta2
        np.abs(grads, out=scratch)
        scratch += eps
        np.maximum(u, scratch, out=u)
        np.multiply(u, 1.0 - power(beta1, t), out=scratch)
        return np.divide(mu, scratch, out=grads), AdamaxState(count=t, mu=mu, u=u)

    return in_place(init, step)


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
        return NadamState(count=0, mu=np.zeros_like(params), nu=np.zeros_like(params), mu_product=1.0)

    def step(grads: Array, state: NadamState, params: Array) -> tuple[Array, NadamState]:
        grads = writable(grads)
        t = state.count + 1
        momentum_now = beta1 * (1.0 - 0.5 * power(0.96, t * momentum_decay))
        momentum_next = beta1 * (1.0 - 0.5 * power(0.96, (t + 1) * momentum_decay))
        mu_product = state.mu_product * momentum_now
        _, mu, nu, _ = state
        denom = _moments(beta1, beta2, grads, mu, nu)
        np.divide(nu, 1.0 - power(beta2, t), out=denom)
        np.sqrt(denom, out=denom)
        denom += eps
        grads *= (1.0 - momentum_now) / (1.0 - mu_product)
        grads /= denom
        later = mu * (momentum_next / (1.0 - mu_product * momentum_next))
        later /= denom
        grads += later
        return grads, NadamState(count=t, mu=mu, nu=nu, mu_product=mu_product)

    return in_place(init, step)


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
        return AdamState(count=0, mu=np.zeros_like(params), nu=np.zeros_like(params), nu_max=np.zeros_like(params))

    def step(grads: Array, state: AdamState, params: Array) -> tuple[Array, AdamState]:
        grads = writable(grads)
        t = state.count + 1
        _, mu, nu, nu_max = state
        scratch = _moments(beta1, beta2, grads, mu, nu)
        correction2 = 1.0 - power(beta2, t)
        np.divide(mu, 1.0 - power(beta1, t), out=grads)  # the corrected first moment
        rho_t = rho_inf - 2.0 * t * power(beta2, t) / correction2
        if rho_t > 5.0:
            rect = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            np.sqrt(nu, out=scratch)
            scratch += eps
            np.divide(np.sqrt(correction2), scratch, out=scratch)
            grads *= scratch
            grads *= rect
        return grads, AdamState(count=t, mu=mu, nu=nu, nu_max=nu_max)

    return in_place(init, step)


def scale_by_lion(beta1: float, beta2: float) -> GradientTransformation:
    r"""Lion's sign direction (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms").

    .. math:: d_t = \operatorname{sign}(\beta_1 m_{t-1} + (1-\beta_1) g_t), \qquad
              m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t.
    """

    def init(params: Array) -> LionState:
        return LionState(mu=np.zeros_like(params))

    def step(grads: Array, state: LionState, params: Array) -> tuple[Array, LionState]:
        grads = writable(grads)
        mu = state.mu
        mixed = beta1 * mu
        mixed += (1.0 - beta1) * grads
        mu *= beta2
        grads *= 1.0 - beta2
        mu += grads
        return np.sign(mixed, out=grads), LionState(mu=mu)

    return in_place(init, step)
