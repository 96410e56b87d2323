"""``trajectories check``: the frame checker (:mod:`trajectories.pipeline.frame_check`) over scenes, one line per
finding."""

from __future__ import annotations

import contextlib
from typing import Any

import click

from .options import command_options


@click.command("check")
@click.argument("references", metavar="SCENE...", nargs=-1)
@click.option("--all", "check_all", is_flag=True, help="Check every built-in scene.")
@click.option("--scale", type=click.FloatRange(min=0.1, max=8), help="Multiply frame size and dpi, as render does.")
@click.option("-q", "--quiet", is_flag=True, help="No summary line on stderr.")
@command_options("render", with_defaults=False)
def check_command(references: tuple[str, ...], check_all: bool, scale: float | None, quiet: bool,
                  **options: Any) -> None:
    """Check every frame of scenes as their views draw them (built-in names, path/to/file.py[:NAME],
    file.toml, or --all): marks and paths inside their plots, capped line widths, text that fits and
    overlaps nothing, 3-D heads in sight, moments held a second. One line per finding; exit status 1
    if there is any, 0 when every frame is clean, 2 on bad input."""
    from ..errors import PlanError
    from ..options import OPTIONS_LIST
    from ..pipeline.frame_check import check_scene
    from ..pipeline.limits import check_render_size
    from ..pipeline.plan import with_overrides
    from ..scene import builtin_scenes, find_scenes
    from ..trust.guard import guarded
    from ..trust.names import is_data
    from ..writers import get_format

    if check_all == bool(references):
        raise PlanError("name the scenes to check, or give --all (see `trajectories list`)")
    overrides = {key: value for key, value in options.items() if value not in (None, ())}
    adhoc = [option.flag for option in OPTIONS_LIST if option.adhoc and (option.param or option.name) in overrides]
    if adhoc:
        raise PlanError(f"check takes scenes by name or file; {adhoc[0]} describes an ad hoc scene")
    scenes = list(builtin_scenes().values()) if check_all else [s for r in references for s in find_scenes(r)]
    scenes = with_overrides(scenes, overrides, scale)
    findings, troubled = 0, 0
    for scene in scenes:  # as render: every scene within the bounds before any work, and data under the guard
        check_render_size(scene, get_format("gif"), PlanError)
    for scene in scenes:
        with guarded(scene.source) if is_data(scene) else contextlib.nullcontext():
            found = check_scene(scene)
        for finding in found:
            click.echo(finding.line())
        findings += len(found)
        troubled += bool(found)
    if not quiet:
        what = f"{len(scenes)} scene{'s' if len(scenes) > 1 else ''}"
        click.echo(f"{findings} finding{'s' if findings != 1 else ''} in {troubled} of {what}" if findings
                   else f"{what}: every frame clean", err=True)
    if findings:
        raise click.exceptions.Exit(1)
