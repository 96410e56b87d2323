"""A small neural network trained by several optimizers at once, raced on the network's own loss landscape
(issue 29): the scene kind ``network``.

The numbers come from :mod:`trajectories.network` (same bits on every CPU); this module only declares what
to compute; the compute stage (:func:`trajectories.network.computed.compute_network`, which
:func:`trajectories.compute.paths.compute_paths` calls for this kind) computes it once into one
:class:`~trajectories.network.computed.NetworkComputed` value: the paths, the plane, the loss grid on it, the
decision grids, the explained variance and the share of each path the plane shows. The view
(:mod:`trajectories.render.network_view`) never trains or evaluates.

::

    race = NetworkScene("moons", network="mlp:2-16-16-1:tanh", dataset="moons:n=400,noise=0.2,seed=0",
                        optimizers=["sgd:lr=0.5", "sgd:lr=0.5,momentum=0.9", "adam:lr=0.03"], steps=300)
    race.render("moons.gif")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from ..errors import NetworkError, SceneError
from ..options import MAX_RACERS, default
from ..style.text import text_problem
from .kind import SceneKind, check_name, check_options, init_scene
from .race import spread
from .racer import Racer
from .values import Frames, Look, default_part

Array = np.ndarray

DEFAULT_FRAMES = 100
"""Frames of a network scene unless ``frames`` says otherwise (or fewer steps): 10 s at its 10 fps; a
longer training is spread evenly over them."""
DECISION_BYTES = 64
"""Bytes a decision grid's point holds per output: the prediction (8), the view's RGB image of it (24) and
the boundary lines, rounded up."""
SECONDS_PER_SAMPLE_UNIT = 2.5e-7
"""Seconds one forward and backward pass costs per network, sample and hidden unit in the exact
arithmetic (:mod:`trajectories.network.arithmetic`), with each point's loss over all samples evaluated
after: measured 0.1 µs (``bench/bench_networks.py``'s race, 2 busy cores), rounded up."""
SECONDS_PER_GRID_UNIT = 8e-8
"""Seconds a loss- or decision-grid point costs per sample (or input point) and hidden unit: measured
1.2 ms a point for 400 samples and 32 units (``docs/network-design.md``), rounded up."""


def _racers(value: Any) -> tuple[Racer, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, Racer)) or not hasattr(value, "__iter__"):
        value = [value]
    return tuple(Racer.of(item) for item in value)


@dataclass(frozen=True, init=False)
class NetworkScene(SceneKind):
    """A network race: ``optimizers`` train ``network`` on ``dataset`` from the same initial weights.

    Args:
        name: identifier.
        network: model spec (``mlp:2-16-16-1:tanh``, ``logistic:2``; :func:`trajectories.network.models.parse_model`).
        dataset: dataset spec (``moons:n=400,noise=0.2,seed=0,validation=0.25``, ``csv:path=data.csv,target=y``).
        optimizers: spec strings, :class:`~trajectories.core.spec.OptimizerSpec` or
            :class:`~trajectories.scene.Racer` values (label, colour, ``batch_size``: mini-batches shuffled
            by ``batch_seed``; ``None``: the whole training set).
        steps: updates of every racer.
        projection: the plane: ``pca`` (of all paths together), ``random:seed=N,...`` (Li et al.'s
            filter-normalised directions), ``plane:racers=[A,B]``.
        loss_grid, decision_grid: points per side of the loss grid on the plane and of each decision grid.
        boundaries: how many steps (spread evenly, the first and the last among them) get decision grids;
            0: no decision panels.
        time_axis: the loss panel's x axis: ``steps``, or ``samples`` read (figure 3's clock; the default
            when the racers' batch sizes differ).
        view: ``network`` (the landscape's contours, the loss panel and the decision panels,
            :mod:`trajectories.render.network_view`) or ``network_surface`` (the landscape in 3-D with each path
            at its true loss, and the loss panel, :mod:`trajectories.render.network_surface`).
        frames, fps, hold, size, dpi, theme, palette, title, description, waivers: as for
            :class:`~trajectories.scene.Scene`.
    """

    name: str
    network: str = default("network", "network")
    dataset: str = default("dataset", "network")
    optimizers: tuple[Racer, ...] = default("optimizers", "network")  # None: none yet (an error)
    steps: int = default("steps", "network")
    batch_seed: int = default("batch_seed", "network")
    projection: str = default("projection", "network")
    loss_grid: int = default("loss_grid", "network")
    decision_grid: int = default("decision_grid", "network")
    boundaries: int = default("boundaries", "network")
    time_axis: str | None = default("time_axis", "network")
    view: str = default("view", "network")
    description: str = default("description", "network")
    waivers: tuple[tuple[str, str], ...] | None = default("waivers", "network")
    output: str | None = default("output", "network")
    output_format: str | None = default("output_format", "network")
    timing: Frames = field(default_factory=lambda: default_part("timing", "network"))
    look: Look = field(default_factory=lambda: default_part("look", "network"))
    source: str = field(default="", compare=False)
    kind: ClassVar[str] = "network"

    def __init__(self, name: str, **options: Any) -> None:
        """The fields above by name; each option of a part (``fps=``, ``theme=``...) goes into that part."""
        init_scene(self, {"name": name, **options})
        self.__post_init__()

    def __post_init__(self) -> None:
        check_name(self.name)
        for key in ("network", "dataset", "projection"):  # a Model, DatasetSpec or ProjectionSpec: its text
            value = getattr(self, key)
            if not isinstance(value, str) and hasattr(value, "to_text"):
                object.__setattr__(self, key, value.to_text())
        try:
            object.__setattr__(self, "optimizers", _racers(self.optimizers))
        except SceneError as error:
            raise SceneError(f"{self.name}: {error}") from None
        check_options(self, "network")
        if not self.optimizers:
            raise SceneError(f"{self.name}: a network race needs at least one optimizer (--optimizer SPEC)")
        if len(self.optimizers) > MAX_RACERS:
            raise SceneError(f"{self.name}: {len(self.optimizers)} optimizers, more than the {MAX_RACERS} a scene "
                             "may race")
        if isinstance(self.look.title, str) and (problem := text_problem(self.look.title)) is not None:
            raise SceneError(f"{self.name}: title {problem}")
        try:
            self._check()
        except NetworkError as error:
            raise SceneError(f"{self.name}: {error}") from None

    # --- what is computed ---------------------------------------------------------------------------

    @cached_property
    def model(self) -> Any:
        from ..network.models import parse_model

        return parse_model(self.network)

    @cached_property
    def dataset_spec(self) -> Any:
        from ..network.datasets import parse_dataset

        return parse_dataset(self.dataset)

    @cached_property
    def projection_spec(self) -> Any:
        from ..network.projection import parse_projection

        return parse_projection(self.projection)

    @cached_property
    def data(self) -> Any:
        """The dataset, split as its spec asks (a CSV file is read here, once)."""
        return self.dataset_spec.make()

    def _check(self) -> None:
        """Every spec and combination, and the memory the training and the grids would need, before any
        work: one-line :class:`NetworkError`\\ s."""
        from ..network.bounds import check_training
        from ..network.training import resolve_loss
        from ..pipeline.limits import Need, check_memory

        model, projection = self.model, self.projection_spec
        resolve_loss(model, self.data.train)
        if projection.kind == "plane":
            racers = projection.params["racers"]
            if max(racers) >= len(self.optimizers):
                raise NetworkError(f"projection {self.projection}: racer {max(racers)} does not exist (racers are "
                                   f"numbered from 0; this race has {len(self.optimizers)})")
        if projection.kind == "random" and projection.params["racer"] >= len(self.optimizers):
            raise NetworkError(f"projection {self.projection}: racer {projection.params['racer']} does not exist "
                               f"(racers are numbered from 0; this race has {len(self.optimizers)})")
        batch = max(racer.batch_size or 0 for racer in self.optimizers) or len(self.data.train)
        if any((racer.batch_size or 0) > len(self.data.train) for racer in self.optimizers):
            raise NetworkError(f"a batch_size of {batch} is more than the {len(self.data.train)} training samples")
        layers = len(model.widths) - 1
        samples = max(len(self.data.train), len(self.data.validation) if self.data.validation else 0)
        check_training(model.parameter_count, len(self.optimizers), self.steps, samples, model.widest, layers)
        kept = len(self.boundary_steps()) * len(self.optimizers) * self.decision_grid**2
        check_memory([Need("the decision grids", kept * DECISION_BYTES * max(1, model.outputs),
                           f"{len(self.boundary_steps())} steps × {len(self.optimizers)} racers × "
                           f"{self.decision_grid}² points", "use a smaller decision_grid or fewer boundaries")],
                     NetworkError)

    @property
    def hidden_units(self) -> int:
        return max(1, sum(self.model.widths[1:-1]))

    def compute_seconds(self) -> float:
        """About how long :meth:`compute` takes: the training (every update and every point's loss over all
        samples), the loss grid and the decision grids, leaning long."""
        units, samples = self.hidden_units + self.model.outputs, len(self.data.train)
        training = self.steps * len(self.optimizers) * samples * units * SECONDS_PER_SAMPLE_UNIT
        grid = self.loss_grid ** 2 * samples * units * SECONDS_PER_GRID_UNIT
        decisions = len(self.boundary_steps()) * len(self.optimizers) * self.decision_grid ** 2 * units
        return training + grid + decisions * SECONDS_PER_GRID_UNIT

    def boundary_steps(self) -> tuple[int, ...]:
        """The steps that get decision grids: ``boundaries`` of them, spread evenly from 0 to ``steps``."""
        if not self.boundaries or self.model.inputs != 2:
            return ()
        return tuple(dict.fromkeys(spread(self.steps, min(self.boundaries, self.steps + 1))))

    @property
    def shows_samples(self) -> bool:
        """Whether the loss panel's clock is samples read (figure 3's): asked for, or the batch sizes differ."""
        if self.time_axis is not None:
            return self.time_axis == "samples"
        return len({racer.batch_size for racer in self.optimizers}) > 1

    # --- frames ---------------------------------------------------------------------------------------

    @property
    def frame_count(self) -> int:
        return self.timing.frames if self.timing.frames is not None else min(self.steps + 1, DEFAULT_FRAMES)

    def frame_steps(self) -> list[int]:
        """The step each frame shows, spread evenly from 0 to ``steps``."""
        return spread(self.steps, self.frame_count)

    def racer_colors(self, theme: Any) -> list[str]:
        """Each racer's colour: its own, else the ``palette``'s (the theme's by default)."""
        count = len(self.optimizers)
        return [racer.color or theme.color(i, self.look.palette, count) for i, racer in enumerate(self.optimizers)]


@dataclass(frozen=True)
class NetworkAdHoc:
    """A network race described on the command line (``render --network SPEC --dataset SPEC --optimizer
    SPEC ...``): :meth:`scene` makes it, as :class:`trajectories.pipeline.plan.AdHoc` does for ``--surface``."""

    network: str
    dataset: str
    specs: tuple[Any, ...]
    steps: int | None = None

    def scene(self, names: tuple[str, ...] = ()) -> NetworkScene:
        if not self.specs:
            raise SceneError("a network race needs at least one --optimizer")
        return NetworkScene("network", network=self.network, dataset=self.dataset, optimizers=self.specs,
                            steps=self.steps if self.steps is not None else default("steps", "network"),
                            description="ad hoc network race")


def network_adhoc(network: str | None, dataset: str | None, specs: tuple[Any, ...], steps: int | None,
                  others: dict[str, Any]) -> NetworkAdHoc | None:
    """The ad hoc network race of ``--network``/``--dataset`` (either; the other keeps its default), or
    ``None`` without them; ``others`` are the race-only options given (``--surface``, ``--start``,
    ``--window``), which do not go with a network."""
    if network is None and dataset is None:
        return None
    given = [flag for flag, value in others.items() if value not in (None, ())]
    if given:
        raise SceneError(f"--network and --dataset make a network race: {given[0]} does not go with them")
    return NetworkAdHoc(network if network is not None else default("network", "network"),
                        dataset if dataset is not None else default("dataset", "network"), tuple(specs), steps)
