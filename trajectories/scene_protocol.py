"""What the later stages read of a scene: the typed interface every scene kind provides.

Two protocols, read instead of probing a scene with ``getattr``/``hasattr``:

- :class:`SceneValue`: any scene kind, as the plan, the pipeline and the views read it (its name, frame
  options, where it is written, and the races whose paths it needs);
- :class:`Race`: one race (optimizers on a surface), as the compute stage (:mod:`trajectories.paths`) and
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

    from .gradients import GradientSource
    from .spec import OptimizerSpec
    from .surfaces import Surface
    from .timeline import Timeline


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


class SceneValue(Protocol):
    """Any scene kind, as the plan, the pipeline and the views read it."""

    @property
    def name(self) -> str: ...

    @property
    def view(self) -> str:
        """The registered view that draws it (:mod:`trajectories.view_registry`)."""

    @property
    def size(self) -> tuple[int, int]: ...

    @property
    def dpi(self) -> int: ...

    @property
    def fps(self) -> int: ...

    @property
    def hold(self) -> float: ...

    @property
    def theme(self) -> str: ...

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
    def overlays(self) -> tuple[str, ...] | None: ...

    @property
    def state_panel(self) -> str | None: ...

    def gradient_source(self, racer: RacerValue | None = None) -> GradientSource: ...

    def racer_steps(self) -> list[int]: ...

    def timeline(self) -> Timeline: ...

    def with_options(self, **changes: Any) -> Race: ...
