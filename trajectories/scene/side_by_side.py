"""Scenes drawn as panels of one animation (the article's two-panel figures)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import SceneError
from ..options import default
from .kind import SceneKind, check_name, check_options, init_scene
from .race import Scene
from .values import Frames, Look, default_part


@dataclass(frozen=True, init=False)
class SideBySide(SceneKind):
    """Scenes drawn as panels of one animation, left to right, frame for frame (the article's two-panel
    figures). Size, timing and theme are the animation's; each panel keeps its surface and racers."""

    name: str
    panels: Sequence[Scene]
    description: str = default("description", "panels")
    timing: Frames = field(default_factory=lambda: default_part("timing", "panels"))
    look: Look = field(default_factory=lambda: default_part("look", "panels"))
    source: str = field(default="", compare=False)
    kind: ClassVar[str] = "panels"

    def __init__(self, name: str, panels: Sequence[Scene], **options: Any) -> None:
        """The fields above by name; each option of a part (``fps=``, ``theme=``...) goes into that part."""
        init_scene(self, {"name": name, "panels": panels, **options})
        self.__post_init__()

    def __post_init__(self) -> None:
        check_name(self.name)
        panels = tuple(self.panels)
        if not panels or not all(isinstance(p, Scene) for p in panels):
            raise SceneError(f"{self.name}: panels must be one or more Scene values")
        if len({p.steps for p in panels}) != 1 or len({p.view for p in panels}) != 1:
            raise SceneError(f"{self.name}: panels must share their number of steps and their view")
        object.__setattr__(self, "panels", panels)
        check_options(self, "panels")

    def races(self) -> tuple[Scene, ...]:
        """The panels, left to right (``SceneKind.races``)."""
        return tuple(self.panels)

    @property
    def view(self) -> str:
        """The panels' view (they share it)."""
        return self.panels[0].view

    @property
    def steps(self) -> int:
        return self.panels[0].steps

    @property
    def frame_count(self) -> int:
        return self.timing.frames if self.timing.frames is not None else self.steps + 1

    def with_options(self, **changes: Any) -> SideBySide:
        """Options for the whole animation; anything else (a trail, a camera) goes to every panel."""
        mine = {k: v for k, v in changes.items() if self.takes(k)}
        theirs = {k: v for k, v in changes.items() if not self.takes(k)}
        panels = tuple(p.with_options(**theirs) for p in self.panels) if theirs else self.panels
        return dataclasses.replace(self, panels=panels, **mine)


