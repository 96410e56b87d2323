"""Where in the code the site reads what it shows: the one place that names modules, so that moving a
module (issue 26's stage folders) changes a line here, not the pages.

Pages quote numbers as MyST substitutions (``{{ max_starts }}``), made from :data:`NUMBERS` by
:func:`substitutions`; tables and the gallery import through :func:`load`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

OPTIONS = "trajectories.options:OPTIONS_LIST"
SURFACE_NAMES = "trajectories.surfaces.catalogue:SURFACE_NAMES"
GET_SURFACE = "trajectories.surfaces.catalogue:get_surface"
OPTIMIZERS = "trajectories.core.optimizers:OPTIMIZERS"
OPTIMIZER_MODULE = "trajectories.core.optimizers"
SCHEDULES = "trajectories.core.schedules:KINDS"
REQUIRED = "trajectories.core.schedules:REQUIRED"
BUILTIN_SCENES = "trajectories.scene:builtin_scenes"
SCENE_FOLDER = "trajectories.scene:builtin_scene_folder"
CLI = "trajectories.cli.main:cli"
FORMATS = "trajectories.writers:FORMATS"
CACHE_KEY = "trajectories.integrations.sphinx:cache_key"

NUMBERS: dict[str, tuple[str, str]] = {
    # name in the pages: (where it lives, how it is written)
    "memory_budget": ("trajectories.pipeline.limits:MEMORY_BUDGET", "gib"),
    "max_frames": ("trajectories.pipeline.limits:MAX_FRAMES", "count"),
    "max_starts": ("trajectories.compute.starts:MAX_STARTS", "count"),
    "path_bytes_kept": ("trajectories.pipeline.limits:PATH_BYTES_KEPT", "plain"),
    "view_bytes_per_point": ("trajectories.pipeline.limits:VIEW_BYTES_PER_POINT", "plain"),
    "text_bytes_per_point": ("trajectories.pipeline.limits:TEXT_BYTES_PER_POINT", "plain"),
    "frame_bytes_per_pixel": ("trajectories.pipeline.limits:FRAME_BYTES_PER_PIXEL", "plain"),
    "reduced_bytes_per_start": ("trajectories.pipeline.limits:REDUCED_BYTES_PER_START", "plain"),
    "reduced_working_bytes": ("trajectories.pipeline.limits:REDUCED_WORKING_BYTES", "count"),
    "formula_length": ("trajectories.surfaces.formula:MAX_LENGTH", "count"),
    "formula_depth": ("trajectories.surfaces.formula:MAX_DEPTH", "count"),
    "formula_parts": ("trajectories.surfaces.formula:MAX_NODES", "count"),
    "formula_exponent": ("trajectories.surfaces.formula:MAX_EXPONENT", "plain"),
    "reduce_chunk": ("trajectories.compute.basins:CHUNK", "count"),
    "notebook_player_frames": ("trajectories.pipeline.stages:NOTEBOOK_PLAYER_FRAMES", "count"),
    "version": ("trajectories.version:__version__", "plain"),
}
"""The numbers the pages quote, each read from the code when the site builds."""


def load(reference: str) -> Any:
    """The object named ``"module:attribute"``."""
    module, _, attribute = reference.partition(":")
    return getattr(import_module(module), attribute)


def _written(value: Any, style: str) -> str:
    if style == "gib":
        return f"{value / 2**30:g} GiB"
    if style == "count":
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def substitutions() -> dict[str, str]:
    """``{name: text}`` for MyST's ``{{ name }}``: every number of :data:`NUMBERS`, as written in prose."""
    return {name: _written(load(where), style) for name, (where, style) in NUMBERS.items()}
