"""The compute stage of a network scene: every racer trained as one batch, the plane fitted, the loss grid
and the decision grids evaluated, into one :class:`NetworkComputed` value that the view draws (it never trains
or evaluates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..scene_protocol import NetworkRace

Array = np.ndarray


@dataclass(frozen=True)
class NetworkComputed:
    """Everything a network view draws, computed once.

    Attributes:
        model, data, loss, targets: the network, the dataset's split, the loss and the targets as it reads them.
        paths: :class:`~trajectories.network.training.NetworkPaths` (one start).
        plane: the :class:`~trajectories.network.projection.Plane`; ``coordinates`` ``(T + 1, O, 2)``, each
            racer's path projected on it.
        window, landscape: the plane's window ``(a0, a1, b0, b1)`` and the loss on a grid of it.
        fractions: ``(O,)``, the share of each path's squared movement the plane shows.
        boundary_steps, boundaries: the steps with decision grids and the grids ``(K, O, ny, nx[, k])``, or
            ``None`` for a network whose inputs are not 2-D (or ``boundaries=0``); ``input_window`` their window.
    """

    model: Any
    data: Any
    loss: Any
    paths: Any
    plane: Any
    coordinates: Array
    window: tuple[float, float, float, float]
    landscape: Any
    fractions: Array
    boundary_steps: tuple[int, ...]
    boundaries: Any
    input_window: tuple[float, float, float, float] | None

    @property
    def explained(self) -> tuple[float, float] | None:
        """The share of the paths' variance each axis explains (``pca`` only)."""
        return self.plane.explained

    def train_loss(self) -> Array:
        """``(T + 1, O)``: each racer's true loss over every training sample at every point."""
        return self.paths.train_loss[:, :, 0]

    def validation_loss(self) -> Array | None:
        v = self.paths.validation_loss
        return None if v is None else v[:, :, 0]


def compute_network(scene: NetworkRace) -> NetworkComputed:
    """Train every racer of ``scene`` as one batch, fit the plane, evaluate the loss grid and the decision
    grids: the compute stage of a network scene (:func:`trajectories.compute.paths.compute_paths` calls it)."""
    from .landscape import data_window, decision_grid, loss_grid
    from .projection import fit_window
    from .training import Learner, loss_targets, resolve_loss, train

    model, data = scene.model, scene.data
    learners = [Learner(racer.spec, racer.batch_size, racer.label) for racer in scene.optimizers]
    paths = train(model, data, learners, scene.steps, batch_seed=scene.batch_seed)
    plane = scene.projection_spec.fit(model, paths.params)
    coordinates = plane.project(paths.params[:, :, 0])
    window = fit_window(coordinates)
    if plane.method == "random":  # Li et al.'s picture spans [-1, 1]² of the directions, and the paths
        window = (min(window[0], -1.0), max(window[1], 1.0), min(window[2], -1.0), max(window[3], 1.0))
    loss = resolve_loss(model, data.train)
    landscape = loss_grid(model, loss, data.train, loss_targets(loss, data.train), plane, window,
                          (scene.loss_grid, scene.loss_grid))
    fractions = plane.explained_fraction(paths.params[:, :, 0])
    steps = scene.boundary_steps()
    boundaries, input_window = None, None
    if steps:
        input_window = data_window(data.train)
        boundaries = decision_grid(model, loss, paths.params[list(steps), :, 0], input_window,
                                   (scene.decision_grid, scene.decision_grid))
    return NetworkComputed(model, data, loss, paths, plane, coordinates, window, landscape, fractions, steps,
                           boundaries, input_window)
