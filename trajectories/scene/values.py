"""The small frozen values a race scene is made of: its timing, its look, its 3-D camera and its trail.

Each checks its own fields against the options table (:mod:`trajectories.options`) when it is made, so a
value that exists is a valid one::

    >>> Look(theme="dark").size
    (640, 480)
    >>> Frames(fps=60)
    Traceback (most recent call last):
    ...
    trajectories.errors.SceneError: fps must be a whole number from 1 to 50, got 60

They are the storage: a scene keeps no flat copy of an option of theirs. The scene kinds keep their flat
keywords (``Scene(..., fps=25, theme="dark")``, ``with_options(theme="dark")``, the TOML keys) and route each
to its part by the option's ``group`` in the table (:data:`PART_OF_GROUP`,
:func:`trajectories.scene.kind.init_scene`), so an option is declared once, in the table; the later stages
read ``scene.timing.fps``, ``scene.look.theme``, ``scene.camera.azimuth``, ``scene.trail_spec.tail``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..options import OPTIONS, OPTIONS_LIST, check_option, default


def _check_fields(value: Any) -> None:
    """Check and normalise every field of ``value`` by the option of the same name."""
    for field in dataclasses.fields(value):
        object.__setattr__(value, field.name, check_option(field.name, getattr(value, field.name)))


@dataclass(frozen=True)
class Frames:
    """Timing: ``fps``, ``hold`` (seconds on the last frame), ``frames`` (``None``: one per step) and the
    ``pauses`` (steps, and ``"exits"``) where the animation stops for ``pause`` seconds."""

    fps: int = default("fps")
    hold: float = default("hold")
    frames: int | None = default("frames")
    pauses: tuple[int | str, ...] | None = default("pauses")
    pause: float = default("pause")

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class Look:
    """Everything about how a frame looks that is not the camera: colours, size, text and line widths."""

    theme: str = default("theme")
    palette: str = default("palette")
    size: tuple[int, int] = default("size")
    dpi: int = default("dpi")
    title: str | None = default("title")
    title_size: float | None = default("title_size")
    line_width: float | None = default("line_width")
    show_start: bool = default("show_start")
    axis_labels: bool = default("axis_labels")
    basin_shading: bool = default("basin_shading")

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class Camera:
    """The 3-D views' camera: ``elevation`` and ``azimuth`` at step 0, ``rotation`` per step (degrees) during
    ``rotation_steps`` (``None``: every step), the ``zlim`` z range (``None``: the surface's) and the surface
    ``grid``'s samples per side.

    >>> Camera(azimuth=10, rotation=2, rotation_steps=(5, 20)).azimuth_at(30)
    40.0
    """

    elevation: float = default("elevation")
    azimuth: float = default("azimuth")
    rotation: float = default("rotation")
    rotation_steps: tuple[float, float] | None = default("rotation_steps")
    zlim: tuple[float, float] | None = default("zlim")
    grid: int = default("grid")

    def __post_init__(self) -> None:
        _check_fields(self)

    def azimuth_at(self, step: float) -> float:
        """The azimuth (degrees) when the animation is at ``step``: turned ``rotation`` a step, only within
        ``rotation_steps``."""
        if self.rotation_steps is None:
            return float(self.azimuth + self.rotation * step)
        low, high = self.rotation_steps
        return float(self.azimuth + self.rotation * (min(max(step, low), high) - low))


@dataclass(frozen=True)
class Trail:
    """How paths are drawn: the ``trail`` (``full``, ``tail`` or ``fade``) and its ``tail`` in steps."""

    trail: str = default("trail")
    tail: int = default("tail")

    def __post_init__(self) -> None:
        _check_fields(self)


PART_OF_GROUP: dict[str, str] = {"frames": "timing", "look": "look", "camera": "camera", "trail": "trail_spec"}
"""The scene attribute that stores the options of each group of the table (:data:`trajectories.options.GROUPS`)."""
PART_TYPES: dict[str, type] = {"timing": Frames, "look": Look, "camera": Camera, "trail_spec": Trail}


def part_for(name: str, kind: str) -> str | None:
    """The part that stores option ``name`` in scene kind ``kind`` (``None``: a field of the scene itself, or
    not an option of that kind)."""
    option = OPTIONS.get(name)
    if option is None or kind not in option.kinds:
        return None
    return PART_OF_GROUP.get(option.group)


def default_part(part: str, kind: str) -> Any:
    """Part ``part`` with scene kind ``kind``'s defaults (the options the kind lacks keep the part's own)."""
    return PART_TYPES[part](**{option.name: option.default_for(kind) for option in OPTIONS_LIST
                               if PART_OF_GROUP.get(option.group) == part and kind in option.kinds})

