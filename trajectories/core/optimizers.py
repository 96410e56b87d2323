"""Named optimizers, each a short chain of :mod:`trajectories.core.transforms`, and their registry.

Names, hyperparameters and defaults follow ``torch.optim`` (its ``betas`` spelled ``beta1``, ``beta2``), so
that every rule here takes the same steps as torch's, in float64, to within rounding. The two rules that
torch does not have (``ema_momentum``, the article's momentum, and ``lion``) follow their papers.

Every factory validates its hyperparameters and raises :class:`ValueError` with a one-line message.

>>> import numpy as np
>>> opt = sgd(lr=0.1)
>>> params = np.array([1.0, 2.0]); state = opt.init(params)
>>> updates, state = opt.update(np.array([2.0, 4.0]), state, params)
>>> params + updates
array([0.8, 1.6])
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

from ..errors import SpecError
from .transforms import (
    GradientTransformation,
    accumulate,
    add_decayed_weights,
    chain,
    clip_by_norm,
    clip_by_value,
    ema,
    scale_by_adadelta,
    scale_by_adam,
    scale_by_adamax,
    scale_by_learning_rate,
    scale_by_lion,
    scale_by_nadam,
    scale_by_radam,
    scale_by_rms,
    scale_by_rss,
    trace,
)

OptimizerFactory = Callable[..., GradientTransformation]


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise SpecError(message)


def _nonnegative(**values: float) -> None:
    for key, value in values.items():
        _require(math.isfinite(value) and value >= 0, f"{key} must be a finite number >= 0, got {value!r}")


def _unit_interval(closed: bool = False, **values: float) -> None:
    upper = "1]" if closed else "1)"
    for key, value in values.items():
        inside = 0 <= value <= 1 if closed else 0 <= value < 1
        _require(math.isfinite(value) and inside, f"{key} must be in [0, {upper}, got {value!r}")


def sgd(
    lr: float = 1e-3,
    momentum: float = 0.0,
    dampening: float = 0.0,
    nesterov: bool = False,
    weight_decay: float = 0.0,
) -> GradientTransformation:
    r"""Stochastic gradient descent with optional heavy-ball or Nesterov momentum (``torch.optim.SGD``).

    .. math::

        g_t \leftarrow g_t + \lambda \theta_{t-1}, \qquad
        b_1 = g_1, \quad b_t = \mu b_{t-1} + (1-\tau) g_t, \\
        \theta_t = \theta_{t-1} - \alpha\, (g_t + \mu b_t) \ \text{(Nesterov)}
        \quad\text{or}\quad \theta_t = \theta_{t-1} - \alpha\, b_t,

    and plain gradient descent :math:`\theta_t = \theta_{t-1} - \alpha g_t` when :math:`\mu = 0`.
    This is the "velocity sums gradients" convention (:math:`b = \mu b + g`), which TensorFlow 1's
    ``MomentumOptimizer`` shares; for the averaging convention see :func:`ema_momentum`.

    Args:
        lr: learning rate :math:`\alpha`.
        momentum: momentum factor :math:`\mu`.
        dampening: dampening :math:`\tau` of the gradient in the buffer (not applied on the first step).
        nesterov: use Nesterov's look-ahead form (needs ``momentum > 0`` and ``dampening == 0``).
        weight_decay: L2 penalty :math:`\lambda` added to the gradient.
    """
    _nonnegative(lr=lr, momentum=momentum, weight_decay=weight_decay)
    _require(math.isfinite(dampening), f"dampening must be a finite number, got {dampening!r}")
    _require(not nesterov or (momentum > 0 and dampening == 0), "nesterov needs momentum > 0 and dampening 0")
    return chain(
        add_decayed_weights(weight_decay),
        trace(momentum, dampening, nesterov),
        scale_by_learning_rate(lr),
    )


def ema_momentum(lr: float = 1e-3, beta: float = 0.9) -> GradientTransformation:
    r"""The article's momentum: descent along an exponentially weighted average of the gradients.

    .. math:: v_t = \beta v_{t-1} + (1-\beta) g_t, \quad v_0 = 0, \qquad \theta_t = \theta_{t-1} - \alpha v_t.

    This averaging convention (Ng's deep-learning course, Skalski's article) takes exactly the steps of
    :func:`sgd` with momentum :math:`\beta` and learning rate :math:`(1-\beta)\alpha`, since
    :math:`v_t = (1-\beta)\sum_{i\le t} \beta^{t-i} g_i`: the two conventions differ only in how the
    learning rate is read.

    Args:
        lr: learning rate :math:`\alpha`.
        beta: averaging factor :math:`\beta`.
    """
    _nonnegative(lr=lr)
    _unit_interval(beta=beta)
    return chain(ema(beta), scale_by_learning_rate(lr))


def adagrad(
    lr: float = 1e-2,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
) -> GradientTransformation:
    r"""Adagrad (Duchi et al., 2011), as ``torch.optim.Adagrad``.

    .. math::

        s_t = s_0 + \sum_{i\le t} g_i^2, \qquad
        \theta_t = \theta_{t-1} - \frac{\alpha}{1 + (t-1)\eta} \frac{g_t}{\sqrt{s_t} + \epsilon}.

    Args:
        lr: learning rate :math:`\alpha`.
        lr_decay: learning-rate decay :math:`\eta`.
        weight_decay: L2 penalty added to the gradient.
        initial_accumulator_value: :math:`s_0`.
        eps: :math:`\epsilon`, outside the square root.
    """
    _nonnegative(
        lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
        initial_accumulator_value=initial_accumulator_value, eps=eps,
    )
    return chain(
        add_decayed_weights(weight_decay),
        scale_by_rss(initial_accumulator_value, eps),
        scale_by_learning_rate(lambda count: lr / (1.0 + count * lr_decay)),
    )


def adadelta(lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0.0) -> GradientTransformation:
    r"""Adadelta (Zeiler, 2012), as ``torch.optim.Adadelta``.

    .. math::

        s_t = \rho s_{t-1} + (1-\rho) g_t^2, \qquad
        d_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{s_t + \epsilon}} g_t, \qquad
        u_t = \rho u_{t-1} + (1-\rho) d_t^2, \qquad \theta_t = \theta_{t-1} - \alpha d_t.

    Args:
        lr: scale :math:`\alpha` of the step (1 in the paper).
        rho: decay :math:`\rho` of both running averages.
        eps: :math:`\epsilon`, inside both square roots.
        weight_decay: L2 penalty added to the gradient.
    """
    _nonnegative(lr=lr, eps=eps, weight_decay=weight_decay)
    _unit_interval(closed=True, rho=rho)
    return chain(add_decayed_weights(weight_decay), scale_by_adadelta(rho, eps), scale_by_learning_rate(lr))


def rmsprop(
    lr: float = 1e-2,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
    initial_accumulator_value: float = 0.0,
    eps_inside_sqrt: bool = False,
) -> GradientTransformation:
    r"""RMSProp (Hinton, 2012), as ``torch.optim.RMSprop``, with TensorFlow 1's conventions as options.

    .. math::

        s_t = \alpha s_{t-1} + (1-\alpha) g_t^2, \qquad
        \bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t \ \text{(centred)}, \qquad
        D_t = \sqrt{s_t - \bar g_t^2} + \epsilon, \\
        b_t = \mu b_{t-1} + g_t / D_t, \quad b_0 = 0, \qquad \theta_t = \theta_{t-1} - \alpha_{lr} b_t.

    torch starts :math:`s_0 = 0` with ε outside the root. TensorFlow 1's ``RMSPropOptimizer`` (the article's
    figure 7) starts :math:`s_0 = 1` with ε inside: ``initial_accumulator_value=1, eps_inside_sqrt=true``
    (and its defaults ``alpha=0.9, eps=1e-10``). With a constant learning rate TF1's momentum form
    :math:`m_t = \mu m_{t-1} + \alpha_{lr} g_t / D_t` takes the same steps.

    Args:
        lr: learning rate :math:`\alpha_{lr}`.
        alpha: smoothing constant :math:`\alpha` (TF1's ``decay``).
        eps: :math:`\epsilon`.
        weight_decay: L2 penalty added to the gradient.
        momentum: momentum factor :math:`\mu`.
        centered: divide by an estimate of the gradient's variance instead of its second moment.
        initial_accumulator_value: :math:`s_0`.
        eps_inside_sqrt: :math:`D_t = \sqrt{s_t - \bar g_t^2 + \epsilon}` (TF1) instead.
    """
    _nonnegative(
        lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
        initial_accumulator_value=initial_accumulator_value,
    )
    return chain(
        add_decayed_weights(weight_decay),
        scale_by_rms(alpha, eps, centered, initial_accumulator_value, eps_inside_sqrt),
        accumulate(momentum),
        scale_by_learning_rate(lr),
    )


def _check_adam_family(lr: float, beta1: float, beta2: float, eps: float, weight_decay: float) -> None:
    _nonnegative(lr=lr, eps=eps, weight_decay=weight_decay)
    _unit_interval(beta1=beta1, beta2=beta2)


def adam(
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    eps_hat: bool = False,
    bias_correction: bool = True,
) -> GradientTransformation:
    r"""Adam (Kingma & Ba, 2015), as ``torch.optim.Adam``; AMSGrad (Reddi et al., 2018) as an option.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \\
        \theta_t = \theta_{t-1} - \alpha \frac{m_t / (1-\beta_1^t)}{\sqrt{\hat v_t / (1-\beta_2^t)} + \epsilon},
        \qquad \hat v_t = \max(\hat v_{t-1}, v_t) \ \text{(AMSGrad) or } v_t,

    and without bias correction :math:`\theta_t = \theta_{t-1} - \alpha\, m_t / (\sqrt{\hat v_t} + \epsilon)`.

    Args:
        lr: learning rate :math:`\alpha`.
        beta1: decay :math:`\beta_1` of the first moment.
        beta2: decay :math:`\beta_2` of the second moment.
        eps: :math:`\epsilon`, added after the bias correction (torch, Keras).
        weight_decay: L2 penalty added to the gradient (for decoupled decay see :func:`adamw`).
        amsgrad: divide by the running maximum of :math:`v_t`.
        eps_hat: TensorFlow 1's form (the article's figure 7), ε added *before* the bias correction:
            :math:`\theta_t = \theta_{t-1} - \alpha \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}
            \frac{m_t}{\sqrt{v_t} + \epsilon}`.
        bias_correction: divide :math:`m_t` by :math:`1-\beta_1^t` and :math:`v_t` by :math:`1-\beta_2^t` (the
            paper, torch, TF1); ``false`` uses the raw moments, which start at 0: for the default betas the
            early steps are 3 to 6.6 times too long (see :func:`trajectories.core.transforms.scale_by_adam`).
    """
    _check_adam_family(lr, beta1, beta2, eps, weight_decay)
    return chain(
        add_decayed_weights(weight_decay),
        scale_by_adam(beta1, beta2, eps, amsgrad, eps_hat, bias_correction),
        scale_by_learning_rate(lr),
    )


def adamw(
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 1e-2,
    amsgrad: bool = False,
    bias_correction: bool = True,
) -> GradientTransformation:
    r"""AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay, as ``torch.optim.AdamW``.

    .. math:: \theta_t = \theta_{t-1} - \alpha \left( d^{\text{Adam}}_t + \lambda \theta_{t-1} \right),

    where :math:`d^{\text{Adam}}_t` is :func:`adam`'s direction computed from the raw gradient.

    Args:
        lr: learning rate :math:`\alpha`.
        beta1: decay of the first moment.
        beta2: decay of the second moment.
        eps: :math:`\epsilon`, added after the bias correction.
        weight_decay: decoupled decay :math:`\lambda`.
        amsgrad: divide by the running maximum of :math:`v_t`.
        bias_correction: as in :func:`adam`; ``false`` uses the raw moments.
    """
    _check_adam_family(lr, beta1, beta2, eps, weight_decay)
    return chain(
        scale_by_adam(beta1, beta2, eps, amsgrad, bias_correction=bias_correction),
        add_decayed_weights(weight_decay),
        scale_by_learning_rate(lr),
    )


def adamax(
    lr: float = 2e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0
) -> GradientTransformation:
    r"""Adamax (Kingma & Ba, 2015, section 7.1), as ``torch.optim.Adamax``.

    .. math::

        m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad u_t = \max(\beta_2 u_{t-1}, |g_t| + \epsilon), \qquad
        \theta_t = \theta_{t-1} - \frac{\alpha}{1-\beta_1^t} \frac{m_t}{u_t}.

    Args:
        lr: learning rate :math:`\alpha`.
        beta1: decay of the first moment.
        beta2: decay :math:`\beta_2` of the infinity norm.
        eps: :math:`\epsilon`, added to :math:`|g_t|` (torch's convention).
        weight_decay: L2 penalty added to the gradient.
    """
    _check_adam_family(lr, beta1, beta2, eps, weight_decay)
    return chain(add_decayed_weights(weight_decay), scale_by_adamax(beta1, beta2, eps), scale_by_learning_rate(lr))


def nadam(
    lr: float = 2e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum_decay: float = 4e-3,
) -> GradientTransformation:
    r"""NAdam (Dozat, 2016): Adam with Nesterov momentum, as ``torch.optim.NAdam``.

    .. math::

        \mu_t = \beta_1 \left(1 - \tfrac12\, 0.96^{t\psi}\right), \qquad
        D_t = \sqrt{v_t / (1-\beta_2^t)} + \epsilon, \\
        \theta_t = \theta_{t-1} - \alpha \left( \frac{(1-\mu_t)\, g_t}{(1-\prod_{i\le t}\mu_i) D_t}
            + \frac{\mu_{t+1}\, m_t}{(1-\prod_{i\le t+1}\mu_i) D_t} \right),

    with :math:`m_t, v_t` as in :func:`adam`.

    Args:
        lr: learning rate :math:`\alpha`.
        beta1: decay :math:`\beta_1` of the first moment.
        beta2: decay :math:`\beta_2` of the second moment.
        eps: :math:`\epsilon`.
        weight_decay: L2 penalty added to the gradient.
        momentum_decay: :math:`\psi` of the momentum schedule.
    """
    _check_adam_family(lr, beta1, beta2, eps, weight_decay)
    _nonnegative(momentum_decay=momentum_decay)
    return chain(
        add_decayed_weights(weight_decay),
        scale_by_nadam(beta1, beta2, eps, momentum_decay),
        scale_by_learning_rate(lr),
    )


def radam(
    lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0
) -> GradientTransformation:
    r"""RAdam (Liu et al., 2020): Adam with a rectified, warmed-up variance term, as ``torch.optim.RAdam``.

    .. math::

        \theta_t = \theta_{t-1} - \alpha\, \hat m_t\, r_t \frac{\sqrt{1-\beta_2^t}}{\sqrt{v_t} + \epsilon}
        \ \text{ while } \rho_t > 5, \text{ else } \theta_t = \theta_{t-1} - \alpha \hat m_t,

    with :math:`\hat m_t, \rho_t, r_t` as in :func:`trajectories.core.transforms.scale_by_radam`.

    Args:
        lr: learning rate :math:`\alpha`.
        beta1: decay :math:`\beta_1` of the first moment.
        beta2: decay :math:`\beta_2` of the second moment.
        eps: :math:`\epsilon`.
        weight_decay: L2 penalty added to the gradient.
    """
    _check_adam_family(lr, beta1, beta2, eps, weight_decay)
    return chain(add_decayed_weights(weight_decay), scale_by_radam(beta1, beta2, eps), scale_by_learning_rate(lr))


def lion(
    lr: float = 1e-4, beta1: float = 0.9, beta2: float = 0.99, weight_decay: float = 0.0
) -> GradientTransformation:
    r"""Lion (Chen et al., 2023), the paper's Algorithm 2.

    .. math::

        c_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \qquad
        \theta_t = \theta_{t-1} - \alpha \left(\operatorname{sign}(c_t) + \lambda \theta_{t-1}\right), \qquad
        m_t = \beta_2 m_{t-1} + (1-\beta_2) g_t.

    Args:
        lr: learning rate :math:`\alpha`.
        beta1: interpolation :math:`\beta_1` for the update's sign.
        beta2: decay :math:`\beta_2` of the tracked momentum.
        weight_decay: decoupled decay :math:`\lambda`.
    """
    _nonnegative(lr=lr, weight_decay=weight_decay)
    _unit_interval(closed=True, beta1=beta1, beta2=beta2)
    return chain(scale_by_lion(beta1, beta2), add_decayed_weights(weight_decay), scale_by_learning_rate(lr))


OPTIMIZERS: dict[str, OptimizerFactory] = {
    "sgd": sgd,
    "ema_momentum": ema_momentum,
    "adagrad": adagrad,
    "adadelta": adadelta,
    "rmsprop": rmsprop,
    "adam": adam,
    "adamw": adamw,
    "adamax": adamax,
    "nadam": nadam,
    "radam": radam,
    "lion": lion,
}


def hyperparameters(name: str) -> dict[str, Any]:
    """The hyperparameters of optimizer ``name``'s rule with their defaults, in signature order (numbers and
    booleans only; the clipping keys every optimizer also takes are :data:`CLIPPING`)."""
    signature = inspect.signature(get_factory(name))
    return {key: parameter.default for key, parameter in signature.parameters.items()}


CLIPPING: dict[str, Callable[[float], GradientTransformation]] = {
    "clip_norm": clip_by_norm,
    "clip_value": clip_by_value,
}
"""Keys that every optimizer takes besides its rule's hyperparameters: gradient clipping, off unless given,
applied in this order to the raw gradient before the rule (and before its weight decay), as
``torch.nn.utils.clip_grad_norm_`` / ``clip_grad_value_`` are called before ``optimizer.step()``."""

CLIPPING_HELP = (
    "clip_norm=C (rescale each gradient to an L2 norm <= C) and clip_value=C (clamp each component to [-C, C]), "
    "applied before the update; off unless given"
)
"""One line for listings: what the :data:`CLIPPING` keys do."""


def with_clipping(
    rule: GradientTransformation, clip_norm: float | None = None, clip_value: float | None = None
) -> GradientTransformation:
    r"""``rule`` fed clipped gradients: :math:`g \mapsto \operatorname{clip}_{value}(\operatorname{clip}_{norm}(g))`
    (see :func:`~trajectories.core.transforms.clip_by_norm`, :func:`~trajectories.core.transforms.clip_by_value`).

    Either threshold is ``None`` (off) or a finite number > 0; :class:`ValueError` with a one-line message
    otherwise. With neither, ``rule`` itself is returned.
    """
    for key, value in (("clip_norm", clip_norm), ("clip_value", clip_value)):
        if value is None:
            continue
        finite = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        _require(finite and value > 0, f"{key} must be a finite number > 0, got {value!r}")
    clips = [CLIPPING[key](value) for key, value in (("clip_norm", clip_norm), ("clip_value", clip_value))
             if value is not None]
    return chain(*clips, rule) if clips else rule


def build(name: str, **params: Any) -> GradientTransformation:
    """Optimizer ``name`` with ``params``: its rule's hyperparameters and any of the :data:`CLIPPING` keys.

    >>> import numpy as np
    >>> opt = build("sgd", lr=0.1, clip_norm=1.0)
    >>> opt.update(np.array([3.0, 4.0]), opt.init(np.zeros(2)), np.zeros(2))[0].tolist()
    [-0.06000000000000001, -0.08000000000000002]
    """
    clipping = {key: params.pop(key) for key in CLIPPING if key in params}
    return with_clipping(get_factory(name)(**params), **clipping)


def get_factory(name: str) -> OptimizerFactory:
    """The factory registered as ``name``, built in or from a plugin (:mod:`trajectories.support.plugins`);
    :class:`KeyError` with the known names otherwise."""
    if name in OPTIMIZERS:
        return OPTIMIZERS[name]
    plugins = _plugins()
    if name in plugins:
        factory = plugins[name].load()
        _require(callable(factory), f"optimizer plugin {name!r} of {plugins[name].distribution} is not a factory")
        return factory
    raise KeyError(f"unknown optimizer {name!r} (known: {', '.join(names())})") from None


def names() -> tuple[str, ...]:
    """Every optimizer name: the built-in ones, then those of installed plugins."""
    return (*OPTIMIZERS, *_plugins())


def _plugins() -> dict:
    from ..support.plugins import discover

    return discover("optimizers", tuple(OPTIMIZERS))


def summary(name: str) -> str:
    """The first line of an optimizer's docstring."""
    doc = inspect.getdoc(get_factory(name)) or ""
    return doc.splitlines()[0].replace("``", "") if doc else ""
