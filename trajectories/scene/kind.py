"""What every kind of scene shares: a name, frame options, rendering, and the checks they need."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import SceneError
from ..options import options_for
from ..support.terminal import is_control
from .values import PART_TYPES, default_part, part_for

if TYPE_CHECKING:
    from ..pipeline.stages import RenderResult
    from ..scene_protocol import Race


class ReproducibilityWarning(UserWarning):
    """A render drew steps of a path past its reproducibility horizon in numpy's arithmetic: those
    frames can differ between CPUs (see :mod:`trajectories.compute.horizon`)."""


def check_positive_int(name: str, value: Any) -> None:
    """:class:`SceneError` unless ``value`` is a whole number >= 1 (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SceneError(f"{name} must be a whole number >= 1, got {value!r}")


class SceneKind:
    """What every kind of scene shares: rendering, options that make a new value, Jupyter display, and
    the defaults of what a kind does not have. Every kind satisfies
    :class:`~trajectories.scene_protocol.SceneValue`, which is what the later stages read of it (they never
    probe a scene with ``getattr``/``hasattr``): a kind declares what it has as fields, and inherits these
    for what it lacks."""

    name: str
    description: str = ""
    source: str = ""
    output: str | None = None
    """Where ``trajectories render`` writes the scene when not told (``None``: ``output/<name>.<ext>``)."""
    output_format: str | None = None
    waivers: tuple[tuple[str, str], ...] | None = None
    """Checks of the frame checker the scene is exempt from, with the reasons (none by default)."""

    def races(self) -> tuple[Race, ...]:
        """The races (:class:`~trajectories.scene.Scene` values) whose paths computing this scene makes: the
        scene itself for a race, its panels side by side, none for a kind without optimizers. The later
        stages read this instead of probing a scene for ``panels`` or ``optimizers``."""
        return ()

    kind: ClassVar[str] = "race"
    """The scene kind's name in the options table (:data:`trajectories.options.SCENE_KINDS`)."""

    def compute_seconds(self) -> float:
        """Seconds of compute the kind estimates itself (a network's training and grids); the limits estimate
        the paths of races from :meth:`races`, so 0 here."""
        return 0.0

    def takes(self, name: str) -> bool:
        """Whether ``with_options`` takes ``name``: a field of the scene, or an option of one of its parts."""
        fields = {f.name for f in dataclasses.fields(self) if f.init}  # type: ignore[arg-type]
        return name in fields or part_for(name, self.kind) in fields

    def with_options(self, **changes: Any) -> Any:
        """A new scene with ``changes`` applied (the original is unchanged); an option of a part (``fps=``)
        changes that part (``timing``)."""
        unknown = sorted(name for name in changes if not self.takes(name))
        if unknown:
            raise SceneError(f"unknown scene option {unknown[0]!r}")
        return dataclasses.replace(self, **changes)

    def render(self, path: str | Path | None = None, format: str | None = None, **options: Any) -> RenderResult:
        """Render to ``path`` (default ``output/<name>.<ext>``); ``options`` as in
        :func:`trajectories.pipeline.stages.render_scene`."""
        import warnings

        from ..pipeline.stages import render_scene

        result = render_scene(self, path, format=format, **options)
        for message in result.warnings:
            warnings.warn(message, ReproducibilityWarning, stacklevel=2)
        return result

    def _repr_html_(self) -> str:
        from ..pipeline.stages import html_preview

        return html_preview(self)


def init_scene(scene: SceneKind, given: Mapping[str, Any]) -> None:
    """Set the fields of the frozen ``scene`` (a dataclass of a scene kind) from keywords ``given``:
    its own fields by name, and each flat option of a part (``fps=25``) into that part (``scene.timing``),
    over the part given whole (``timing=Frames(...)``) or the kind's defaults. :class:`SceneError` for a
    keyword the kind does not take."""
    kind = scene.kind
    fields = {field.name: field for field in dataclasses.fields(scene) if field.init}  # type: ignore[arg-type]
    flat: dict[str, dict[str, Any]] = {}
    for name, value in given.items():
        part = None if name in fields else part_for(name, kind)
        if name not in fields and part not in fields:
            raise SceneError(f"unknown scene option {name!r}")
        if part is not None:
            flat.setdefault(part, {})[name] = value
    for name, field in fields.items():
        if name in given:
            value = given[name]
        elif name in PART_TYPES:
            value = default_part(name, kind)
        elif field.default is not dataclasses.MISSING:
            value = field.default
        elif field.default_factory is not dataclasses.MISSING:
            value = field.default_factory()
        else:
            raise SceneError(f"{type(scene).__name__} needs {name!r}")
        if name in flat:
            value = dataclasses.replace(value, **flat[name])
        object.__setattr__(scene, name, value)


def check_name(name: Any) -> None:
    if (not isinstance(name, str) or not name.strip() or any(c in name for c in "/\\:")
            or any(is_control(c) for c in name)):
        raise SceneError(f"a scene name must be a non-empty string without '/', '\\', ':' or control characters, "
                         f"got {name!r}")


def check_options(scene: SceneKind, kind: str) -> None:
    """Check and normalise every field of ``scene`` that the options table declares for scene kind
    ``kind`` (:mod:`trajectories.options`): one-line :class:`SceneError` ``"NAME must be ..., got ..."``."""
    names = {field.name for field in dataclasses.fields(scene)}
    for option in options_for(kind):
        if option.name in names:
            object.__setattr__(scene, option.name, option.check(getattr(scene, option.name), kind))
