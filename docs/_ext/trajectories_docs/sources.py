"""Where in the code the site reads what it shows: the one place that names modules, so that moving a
module (issue 26's stage folders) changes a line here, not the pages.

Pages quote numbers as MyST substitutions (``{{ max_starts }}``), made from :data:`NUMBERS` by
:func:`substitutions`; tables and the gallery import through :func:`load`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

OPTIONS = "trajectories.options:OPTIONS_LIST"
SURFACE_NAMES = "trajectories.catalogue:SURFACE_NAMES"
GET_SURFACE = "trajectories.catalogue:get_surface"
OPTIMIZERS = "trajectories.optimizers:OPTIMIZERS"
OPTIMIZER_MODULE = "trajectories.optimizers"
SCHEDULES = "trajectories.schedules:KINDS"
REQUIRED = "trajectories.schedules:REQUIRED"
BUILTIN_SCENES = "trajectories.scene:builtin_scenes"
SCENE_FOLDER = "trajectories.scene:builtin_scene_folder"
CLI = "trajectories.cli:cli"
FORMATS = "trajectories.writers:FORMATS"
CACHE_KEY = "trajectories.sphinxext:cache_key"

NUMBERS: dict[str, tuple[str, str]] = {
    # name in the pages: (where it lives, how it is written)
    "memory_budget": ("trajectories.limits:MEMORY_BUDGET", "gib"),
    "max_frames": ("trajectories.limits:MAX_FRAMES", "count"),
    "max_starts": ("trajectories.starts:MAX_STARTS", "count"),
    "path_bytes_kept": ("trajectories.limits:PATH_BYTES_KEPT", "plain"),
    "view_bytes_per_point": ("trajectories.limits:VIEW_BYTES_PER_POINT", "plain"),
    "text_bytes_per_point": ("trajectories.limits:TEXT_BYTES_PER_POINT", "plain"),
    "frame_bytes_per_pixel": ("trajectories.limits:FRAME_BYTES_PER_PIXEL", "plain"),
    "reduced_bytes_per_start": ("trajectories.limits:REDUCED_BYTES_PER_START", "plain"),
    "reduced_working_bytes": ("trajectories.limits:REDUCED_WORKING_BYTES", "count"),
    "formula_length": ("trajectories.formula:MAX_LENGTH", "count"),
    "formula_depth": ("trajectories.formula:MAX_DEPTH", "count"),
    "formula_parts": ("trajectories.formula:MAX_NODES", "count"),
    "formula_exponent": ("trajectories.formula:MAX_EXPONENT", "plain"),
    "reduce_chunk": ("trajectories.basins:CHUNK", "count"),
    "notebook_player_frames": ("trajectories.pipeline:NOTEBOOK_PLAYER_FRAMES", "count"),
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
