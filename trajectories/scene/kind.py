"""What every kind of scene shares: a name, frame options, rendering, and the checks they need."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SceneError

if TYPE_CHECKING:
    from ..pipeline import RenderResult


class ReproducibilityWarning(UserWarning):
    """A render drew steps of a path past its reproducibility horizon in numpy's arithmetic: those
    frames can differ between CPUs (see :mod:`trajectories.horizon`)."""


def check_positive_int(name: str, value: Any) -> None:
    """:class:`SceneError` unless ``value`` is a whole number >= 1 (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SceneError(f"{name} must be a whole number >= 1, got {value!r}")


class SceneKind:
    """What every kind of scene shares: rendering, options that make a new value, Jupyter display."""

    name: str

    def with_options(self, **changes: Any) -> Any:
        """A new scene with ``changes`` applied (the original is unchanged)."""
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise SceneError(f"unknown scene option {unknown[0]!r}")
        return dataclasses.replace(self, **changes)

    def render(self, path: str | Path | None = None, format: str | None = None, **options: Any) -> RenderResult:
        """Render to ``path`` (default ``output/<name>.<ext>``); ``options`` as in
        :func:`trajectories.pipeline.render_scene`."""
        import warnings

        from ..pipeline import render_scene

        result = render_scene(self, path, format=format, **options)
        for message in result.warnings:
            warnings.warn(message, ReproducibilityWarning, stacklevel=2)
        return result

    def _repr_html_(self) -> str:
        from ..pipeline import html_preview

        return html_preview(self)


def check_name(name: Any) -> None:
    if not isinstance(name, str) or not name.strip() or any(c in name for c in "/\\:"):
        raise SceneError(f"a scene name must be a non-empty string without '/', '\\' or ':', got {name!r}")


def check_frame_options(fps: Any, hold: Any, size: Any, dpi: Any) -> None:
    """The options every animation has: timing and a fixed frame size."""
    check_positive_int("fps", fps)
    check_positive_int("dpi", dpi)
    if fps > 50:
        raise SceneError(f"fps must be at most 50 (GIF delays are hundredths of a second), got {fps}")
    if len(size) != 2:
        raise SceneError(f"size must be (width, height), got {size!r}")
    for value in size:
        check_positive_int("size", value)
    if min(size) < 64 or max(size) > 4096:
        raise SceneError(f"size must be between 64 and 4096 pixels a side, got {size[0]}x{size[1]}")
    if not (isinstance(hold, (int, float)) and math.isfinite(hold) and 0 <= hold <= 60):
        raise SceneError(f"hold must be between 0 and 60 seconds, got {hold!r}")

