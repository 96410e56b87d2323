import numpy as np

from trajectories.core.transforms import EmptyState, GradientTransformation, chain, scale_by_learning_rate


def signsgd(lr: float = 1e-3) -> GradientTransformation:
    r"""Sign descent: :math:`\theta \leftarrow \theta - \alpha\,\mathrm{sign}(g)` (Bernstein et al. 2018)."""
    if not lr >= 0:
        raise ValueError(f"lr must be a finite number >= 0, got {lr!r}")

    def init(params):
        return EmptyState()

    def update(grads, state, params=None):
        return np.sign(grads), state

    return chain(GradientTransformation(init, update), scale_by_learning_rate(lr))
