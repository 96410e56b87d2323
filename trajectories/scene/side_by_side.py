"""Scenes drawn as panels of one animation (the article's two-panel figures)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import SceneError
from ..options import default
from .kind import SceneKind, check_name, check_options
from .race import Scene


@dataclass(frozen=True)
class SideBySide(SceneKind):
    """Scenes drawn as panels of one animation, left to right, frame for frame (the article's two-panel
    figures). Size, timing and theme are the animation's; each panel keeps its surface and racers."""

    name: str
    panels: Sequence[Scene]
    description: str = default("description", "panels")
    size: tuple[int, int] = default("size", "panels")
    dpi: int = default("dpi", "panels")
    fps: int = default("fps", "panels")
    hold: float = default("hold", "panels")
    frames: int | None = default("frames", "panels")
    theme: str = default("theme", "panels")
    source: str = field(default="", compare=False)

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
        return self.frames if self.frames is not None else self.steps + 1

    def with_options(self, **changes: Any) -> SideBySide:
        """Options for the whole animation; anything else (a trail, a camera) goes to every panel."""
        own = {f.name for f in dataclasses.fields(self)}
        mine = {k: v for k, v in changes.items() if k in own}
        theirs = {k: v for k, v in changes.items() if k not in own}
        panels = tuple(p.with_options(**theirs) for p in self.panels) if theirs else self.panels
        return dataclasses.replace(self, panels=panels, **mine)


