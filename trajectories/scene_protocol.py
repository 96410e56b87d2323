"""What the later stages read of a scene: the typed interface every scene kind provides.

Two protocols, read instead of probing a scene with ``getattr``/``hasattr``:

- :class:`SceneValue`: any scene kind, as the plan, the pipeline and the views read it (its name, its
  ``timing`` and ``look`` parts, where it is written, and the races whose paths it needs);
- :class:`Race`: one race (optimizers on a surface), as the compute stage (:mod:`trajectories.compute.paths`) and
  the race views read it.

They sit below the compute stage and import nothing of the scenes, so that the stages that read a scene
type it without importing the scene package (which renders through the pipeline: ``scene.render()``);
the scene kinds (:mod:`trajectories.scene`) satisfy them structurally, and :class:`SceneKind
<trajectories.scene.SceneKind>` gives every kind the defaults of the options it lacks (no output file of
its own, no races). A new kind implements ``SceneValue``; a kind whose paths are computed returns
``Race`` values from ``races()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np

    from .compute.timeline import Timeline
    from .core.spec import OptimizerSpec
    from .surfaces.analytic import Surface
    from .surfaces.gradients import GradientSource


class RacerValue(Protocol):
    """One optimizer of a race: its spec, legend label, own colour and own mini-batch size."""

    @property
    def spec(self) -> OptimizerSpec: ...

    @property
    def label(self) -> str: ...

    @property
    def color(self) -> str | None: ...

    @property
    def batch_size(self) -> int | None: ...


class TimingValue(Protocol):
    """A scene's timing (:class:`trajectories.scene.values.Frames`)."""

    fps: int
    hold: float
    frames: int | None
    pauses: tuple[int | str, ...] | None
    pause: float


class LookValue(Protocol):
    """How a scene's frames look (:class:`trajectories.scene.values.Look`)."""

    theme: str
    palette: str
    size: tuple[int, int]
    dpi: int
    title: str | None
    title_size: float | None
    line_width: float | None
    show_start: bool
    axis_labels: bool
    basin_shading: bool


class CameraValue(Protocol):
    """A race's 3-D camera (:class:`trajectories.scene.values.Camera`)."""

    elevation: float
    azimuth: float
    rotation: float
    rotation_steps: tuple[float, float] | None
    zlim: tuple[float, float] | None
    grid: int

    def azimuth_at(self, step: float) -> float: ...


class TrailValue(Protocol):
    """How much of each path a race draws (:class:`trajectories.scene.values.Trail`)."""

    trail: str
    tail: int


class SceneValue(Protocol):
    """Any scene kind, as the plan, the pipeline and the views read it."""

    @property
    def name(self) -> str: ...

    @property
    def view(self) -> str:
        """The registered view that draws it (:mod:`trajectories.render.registry`)."""

    @property
    def timing(self) -> TimingValue:
        """Frames per second, the last frame's hold, frames, pauses (:class:`~trajectories.scene.values.Frames`)."""

    @property
    def look(self) -> LookValue:
        """Theme, palette, size, dpi, title and line widths (:class:`~trajectories.scene.values.Look`)."""

    @property
    def frame_count(self) -> int: ...

    @property
    def description(self) -> str: ...

    @property
    def source(self) -> str:
        """The file the scene was declared in (``""``: none)."""

    @property
    def output(self) -> str | None:
        """Where ``trajectories render`` writes it when not told (``None``: ``output/<name>.<ext>``)."""

    @property
    def output_format(self) -> str | None: ...

    def races(self) -> Sequence[Race]:
        """The races whose paths rendering it computes: itself for a race, its panels, or none."""

    def takes(self, name: str) -> bool:
        """Whether ``with_options`` takes option ``name``."""

    @property
    def kind(self) -> str:
        """The scene kind's name in the options table (``race``, ``series``, ``batches``, ``network``)."""

    def compute_seconds(self) -> float:
        """Seconds of compute the kind estimates itself (a network's training and grids; 0 for the others, whose
        paths the limits estimate from their races)."""

    def with_options(self, **changes: Any) -> SceneValue: ...


class Race(SceneValue, Protocol):
    """One race: optimizers on a surface from one or more starts, as the compute stage reads it."""

    @property
    def optimizers(self) -> Sequence[RacerValue]: ...

    @property
    def starts(self) -> Sequence[tuple[float, float]] | np.ndarray: ...

    @property
    def steps(self) -> int: ...

    @property
    def surface(self) -> Surface: ...

    @property
    def path_surface(self) -> Surface:
        """The surface as the paths evaluate it (in portable arithmetic when the race asks for it)."""

    @property
    def reproducible_everywhere(self) -> bool: ...

    @property
    def camera(self) -> CameraValue:
        """The 3-D views' camera (:class:`~trajectories.scene.values.Camera`)."""

    @property
    def trail_spec(self) -> TrailValue:
        """How much of each path is drawn (:class:`~trajectories.scene.values.Trail`)."""

    @property
    def overlays(self) -> tuple[str, ...] | None: ...

    @property
    def state_panel(self) -> str | None: ...

    def gradient_source(self, racer: RacerValue | None = None) -> GradientSource: ...

    def racer_steps(self) -> list[int]: ...

    def timeline(self) -> Timeline: ...

    def with_options(self, **changes: Any) -> Race: ...


class NetworkRace(SceneValue, Protocol):
    """A network race (:class:`trajectories.scene.NetworkScene`), as its compute stage
    (:mod:`trajectories.network.computed`) and its view read it."""

    @property
    def optimizers(self) -> Sequence[RacerValue]: ...

    @property
    def steps(self) -> int: ...

    @property
    def batch_seed(self) -> int: ...

    @property
    def loss_grid(self) -> int: ...

    @property
    def decision_grid(self) -> int: ...

    @property
    def model(self) -> Any:
        """The :class:`~trajectories.network.models.Model` its spec names."""

    @property
    def data(self) -> Any:
        """The :class:`~trajectories.network.data.Data` its dataset spec makes, split."""

    @property
    def projection_spec(self) -> Any:
        """The projection spec (:func:`~trajectories.network.projection.parse_projection`)."""

    def boundary_steps(self) -> tuple[int, ...]: ...
