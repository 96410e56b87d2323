"""The ``trajectories`` command line: a click group of verbs over the library; no logic of its own.

Every usage error is one line on stderr, ``trajectories: error: ...``, with exit status 2, and nothing
is written.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import OptionError, PlanError, TrajectoriesError
from ..options import RUN_FORMATS, run_format
from ..support.processes import Stopped, signals_unwind
from ..version import __version__
from .check import check_command
from .options import FilePath, allow_module_option, command_options
from .tune import tune_command

if TYPE_CHECKING:
    from ..core.spec import OptimizerSpec
    from ..scene_protocol import SceneValue

# Each command imports what it uses when it runs: `trajectories --help` and `trajectories list` answer
# without loading numpy, matplotlib or mpmath (tests/test_cli_startup.py pins what they import).


class OneLineError(click.ClickException):
    """What the command says when it cannot do what was asked: one line on stderr, ``trajectories: error:
    ...``, and exit status 2 (a usage error, or a :class:`~trajectories.errors.TrajectoriesError` of the
    library); click's own standalone handling shows it and exits."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(" ".join(message.split()))
        self.exit_code = exit_code

    def show(self, file: Any = None) -> None:
        click.echo(f"trajectories: {self.format_message()}", err=True)


def one_line(error: BaseException) -> OneLineError:
    """``error`` as the one line the command prints: click's usage errors, the library's errors, the system's
    (disk full, permissions: the atomic writes left nothing behind) and a refusal (:class:`click.Abort`)."""
    if isinstance(error, click.Abort):  # Ctrl-C at a prompt, or a refusal
        interrupted = isinstance(error.__context__, KeyboardInterrupt)
        return OneLineError("aborted", 128 + signal.SIGINT if interrupted else 1)
    if isinstance(error, click.ClickException):
        code = 2 if isinstance(error, click.UsageError) else error.exit_code
        return OneLineError(f"error: {error.format_message()}", code)
    if isinstance(error, OSError):
        return OneLineError(f"error: {os_error_line(error)}")
    return OneLineError(f"error: {error}")


class OneLineErrors(click.Group):
    """A group whose usage errors, and every :class:`~trajectories.errors.TrajectoriesError` the library
    raises, print as one line (no usage block, no traceback) and exit with status 2: each becomes a
    :class:`OneLineError`, which click's standalone mode shows. A signal (SIGTERM, SIGHUP) unwinds the command
    like Ctrl-C, so that temporary files go, and ends it with 128 + the signal's number."""

    received: tuple[list[int], ...] = ()
    """The signals received while the current command runs (one list per command running)."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        # we draw on Agg canvases of our own and never use pyplot, so the backend setting means nothing to the
        # command; yet `import matplotlib` fails when MPLBACKEND names no backend
        os.environ.pop("MPLBACKEND", None)
        try:
            with signals_unwind() as received:  # SIGTERM, SIGHUP: unwind like Ctrl-C, so temporary files go
                self.received = (*self.received, received)
                try:
                    return super().main(args=args, prog_name=prog_name or "trajectories", **extra)
                finally:
                    self.received = self.received[:-1]
        except Stopped as stop:
            interrupted = stop.signum == signal.SIGINT
            newline = "\n" if interrupted and sys.stderr.isatty() else ""  # past the terminal's "^C"
            click.echo(f"{newline}trajectories: {'aborted' if interrupted else stop}", err=True)
            sys.exit(stop.exit_status)

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except (click.ClickException, click.Abort) as error:
            raise one_line(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; Ctrl-C (or a scene file raising :class:`KeyboardInterrupt`) ends it as SIGINT
        would: one line, exit status 130 (128 + 2, as SIGTERM's is 128 + 15), temporary files gone."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            raise Stopped(signal.SIGINT) from None
        except click.exceptions.Exit:
            raise
        except Exception as error:
            if self.received and self.received[-1]:  # the signal landed inside C code that raised its own error
                raise Stopped(self.received[-1][0]) from None
            if isinstance(error, OneLineError):
                raise
            if isinstance(error, (click.ClickException, click.Abort, TrajectoriesError, OSError)):
                raise one_line(error) from None
            raise


def os_error_line(error: OSError) -> str:
    """An error of the system in one line without its number: ``cannot write out.gif: No space left on
    device``.

    >>> os_error_line(OSError(28, "No space left on device", "out.gif"))
    'out.gif: No space left on device'
    """
    reason = error.strerror or " ".join(str(error).split()) or type(error).__name__
    return f"{os.fsdecode(error.filename)}: {reason}" if error.filename is not None else reason


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="trajectories", message="%(prog)s %(version)s")
def cli() -> None:
    """Optimizer trajectories on 2-D cost surfaces: compute them and animate them."""


@cli.command("surfaces")
def surfaces_command() -> None:
    """List the catalogue's surfaces: name, window, minima, description (fitted to the terminal's width)."""
    from ..support.terminal import number_text, point_text, table_lines, window_text
    from ..surfaces.catalogue import get_surface, surface_names

    rows = []
    for name in surface_names():  # the catalogue's, then plugins'
        surface = get_surface(name)
        window = window_text(surface.window)
        best = surface.global_minima
        if best:
            points = [point_text(p.x, p.y) for p in best]
            minima = [number_text(best[0].value), "at", *[f"{p}," for p in points[:-1]], points[-1]]
        else:
            minima = "none (unbounded below)".split()
        rows.append(([name], [window], minima, surface.description.split()))
    for line in table_lines(("name", "window", "global minimum", "description"), rows):
        click.echo(line)


@cli.command("optimizers")
def optimizers_command() -> None:
    """List the optimizers with their hyperparameters and defaults."""
    from ..core import optimizers
    from ..support.terminal import number_text

    for name in optimizers.names():  # built in, then plugins'
        defaults = optimizers.hyperparameters(name)
        shown = " ".join(
            f"{key}={('true' if value else 'false') if isinstance(value, bool) else number_text(value)}"
            for key, value in defaults.items()
        )
        click.echo(f"{name}: {optimizers.summary(name)}")
        click.echo(f"    {shown}")
    click.echo("and from other libraries: torch:MODULE.CLASS[:key=value,...] (any torch.optim.Optimizer, the torch "
               "extra), optax:MODULE.FUNCTION[:key=value,...] (the jax extra)")
    click.echo(f"every optimizer also takes {optimizers.CLIPPING_HELP}")


@cli.command("run")
@allow_module_option
@command_options("run", with_defaults=True, required=("surface", "optimizers"))
@click.option("--format", "fmt", type=click.Choice(RUN_FORMATS),
              help="Default: from the file name, else json; npz: numpy arrays (needs -o).")
@click.option("--reduce", "reduced", is_flag=True,
              help="npz only: keep each path's end, target and arrival step, in memory independent of --steps.")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="With --reduce: run the chunks of starts on the Dask scheduler at ADDRESS (the dask extra).")
@click.option("-o", "--output", type=FilePath(dir_okay=False), help="Write here (atomically); default stdout.")
def run_command(
    surface: str,
    window: tuple[float, float, float, float] | None,
    specs: tuple[OptimizerSpec, ...],
    starts: tuple[tuple[float, float], ...],
    start_sets: tuple,
    steps: int,
    batch_size: int | None,
    sigma: float | None,
    seed: int,
    fmt: str | None,
    reduced: bool,
    dask_address: str | None,
    output: str | None,
    arithmetic: str,
) -> None:
    """Run optimizers on a surface and print each trajectory as JSON or CSV (with each path's
    reproducibility horizon: the step from which it depends on the last bits of the arithmetic)."""
    from ..pipeline.run_request import RunRequest

    request = RunRequest(surface, window, specs, starts, start_sets, steps, batch_size, sigma, seed,
                         run_format(output, fmt), reduced, dask_address, output, arithmetic)
    try:
        text = request.carry_out(lambda note: click.echo(f"trajectories: warning: {note}", err=True))
    except OptionError as error:
        raise click.BadParameter(str(error), param_hint=error.option) from None
    if text is not None:
        click.echo(text, nl=False)


cli.add_command(tune_command)
cli.add_command(check_command)


@cli.command("list")
@allow_module_option
@click.argument("scene_file", required=False, type=FilePath(dir_okay=False))
def list_command(scene_file: str | None) -> None:
    """List the built-in scenes (or those of SCENE_FILE) with one line each."""
    from ..support.plugins import discover

    if scene_file:
        from ..scene import load_scenes

        lines = {name: scene_line(scene) for name, scene in load_scenes(scene_file).items()}
    else:
        lines = builtin_lines()  # read from the files' text: no scene is built
        if discover("scenes"):  # then the scenes of installed plugins
            from ..scene import plugin_scenes

            lines.update((name, scene_line(scene)) for name, scene in plugin_scenes(tuple(lines)).items())
    if not lines:
        click.echo("no scenes", err=True)
        return
    width = max(len(name) for name in lines)
    for name, line in lines.items():
        click.echo(f"{name:<{width}}  {line}")


def scene_line(scene: SceneValue) -> str:
    """What ``list`` says of a scene: its description, else its surface's."""
    return scene.description or scene.surface.description


def builtin_lines() -> dict[str, str]:
    """Each built-in scene's line for ``list``, from the scene files' text; a file whose scene has no literal
    description runs, and the scene tells."""
    from ..scene_index import builtin_index

    lines: dict[str, str] = {}
    for name, entry in builtin_index().items():
        if not entry.description:
            from ..scene import load_scene_file

            lines[name] = scene_line(load_scene_file(entry.path)[name])
        else:
            lines[name] = entry.description
    return lines


@cli.command("render")
@allow_module_option
@click.argument("references", metavar="SCENE...", nargs=-1)
@click.option("--all", "render_all", is_flag=True, help="Render every built-in scene.")
@click.option("-o", "--output", type=FilePath(dir_okay=False), help="Output file (one scene only).")
@click.option("--out-dir", type=FilePath(file_okay=False), help="Folder for <scene>.<ext> files [default: output].")
@click.option("--paths", "paths_json", type=FilePath(dir_okay=False),
              help="Optimizer scenes: also write the computed paths as JSON (the `run` schema; panels: one each).")
@click.option("--series", type=FilePath(dir_okay=False),
              help="Series scenes (fig5_ewa): average a column of FILE.csv.")
@click.option("--column", help="Series scenes: the CSV column to average (with --series FILE.csv).")
@click.option("--data", type=FilePath(dir_okay=False), hidden=True,
              help="Deprecated: --paths (optimizer scenes) or --series (series scenes).")
@click.option("--scale", type=click.FloatRange(min=0.1, max=8), help="Multiply frame size and dpi (2: double).")
@click.option("-j", "--jobs", type=click.IntRange(1, 1024),
              help="Processes for 3-D frames [default: all cores; never more than 4 per core].")
@click.option("--colors", type=click.IntRange(2, 255), help="Colours in the GIF's palette [default: 255].")
@click.option("--no-text", "no_text", is_flag=True, help="Draw no text (snapshot tests across machines).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@click.option("--tune", "tune_rates", is_flag=True,
              help="Race scenes: tune each optimizer's lr first (lr=1e-5..1, 40+10 trials), cached by scene "
              "and budget.")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Basins view: reduce the paths on the Dask scheduler at ADDRESS (the dask extra).")
@command_options("render", with_defaults=False)
def render_command(references: tuple[str, ...], render_all: bool, output: str | None, out_dir: str | None,
                   fmt: str | None, paths_json: str | None, series: str | None, column: str | None,
                   data: str | None, scale: float | None, jobs: int | None,
                   colors: int | None, no_text: bool, quiet: bool, tune_rates: bool, dask_address: str | None,
                   surface: str | None,
                   window: tuple[float, float, float, float] | None,
                   specs: tuple[OptimizerSpec, ...], starts: tuple[tuple[float, float], ...], steps: int | None,
                   **options: Any) -> None:
    """Render scenes to animations: built-in names, path/to/file.py[:NAME], --all, or an ad hoc scene."""
    from ..compute.distributed import client_for
    from ..pipeline.plan import adhoc_scene, plan_render
    from ..pipeline.stages import render_checked, render_many
    from ..support.folders import folders_kept_only_if_used

    if data is not None:
        click.echo("trajectories: warning: --data is deprecated: use --paths FILE.json to write an optimizer "
                   "scene's paths, --series FILE.csv to read a series", err=True)
    jobs = jobs or os.cpu_count() or 1
    from ..scene.network_scene import network_adhoc

    adhoc = network_adhoc(options.pop("network", None), options.pop("dataset", None), specs, steps,
                          {"--surface": surface, "--start": starts, "--window": window})
    chosen = plan_render(
        references, render_all=render_all, adhoc=adhoc or adhoc_scene(surface, specs, starts, steps, window),
        output=output, out_dir=out_dir, fmt=fmt, paths_json=paths_json, series=series, column=column, data=data,
        scale=scale, overrides={key: value for key, value in options.items() if value not in (None, ())},
        jobs=jobs,
    )
    if tune_rates:
        from ..pipeline.tune_cache import tuned_scene

        # tuned learning rates change no frame, size or file: the plan's checks stand
        tuned = tuple(dataclasses.replace(checked, scene=tuned_scene(checked.scene)) for checked in chosen.renders)
        chosen = dataclasses.replace(chosen, renders=tuned)
    settings = {"colors": colors or 255, "text": not no_text}
    if dask_address is not None and len(chosen.scenes) != 1:
        raise PlanError("--dask renders one scene")
    with folders_kept_only_if_used(chosen.folders), client_for(dask_address) as client:
        if len(chosen.scenes) == 1:
            results = [render_checked(chosen.renders[0], quiet=quiet, client=client, **settings)]
        else:  # a line for each file as soon as it is written: a long --all is never silent
            results = render_many(chosen.renders, quiet, None if quiet else summary, **settings)
    for result in results:
        for warning in result.warnings:
            click.echo(f"trajectories: warning: {warning}", err=True)
    if len(results) == 1 and not quiet:
        summary(results[0])


def summary(result: Any) -> None:
    """``render``'s line for a file it wrote, flushed at once (a log shows it as it happens)."""
    click.echo(f"{result.path}  {result.frames} frames  {result.bytes / 1024:.0f} KB  {result.seconds:.1f} s")
    sys.stdout.flush()


@cli.command("describe")
@allow_module_option
@click.argument("name")
def describe_command(name: str) -> None:
    """Describe a surface (name or formula: its formula, window and minima) or a scene (all its options)."""
    from ..scene import builtin_scene, find_scenes
    from ..scene_index import builtin_index
    from ..surfaces.catalogue import resolve_surface
    from .describe import describe_scene, describe_surface

    lines: list[str] = []
    is_file = name.endswith((".py", ".toml")) or ".py:" in name or ".toml:" in name
    if not is_file:
        try:
            lines += describe_surface(resolve_surface(name))
        except ValueError as surface_error:
            surface_problem = str(surface_error)
        else:
            surface_problem = ""
        index = builtin_index()
        if name in index:
            lines += ([""] if lines else []) + describe_scene(builtin_scene(index[name]))
        if not lines:
            raise click.UsageError(f"{surface_problem}; no built-in scene {name!r} either")
    else:
        for scene in find_scenes(name):
            lines += ([""] if lines else []) + describe_scene(scene)
    click.echo("\n".join(lines))


@cli.command("new")
@click.argument("name")
@click.option("--toml", "toml", is_flag=True, help="Write a TOML scene instead of a Python script.")
@click.option("--dir", "folder", type=FilePath(file_okay=False), default=".", show_default=True,
              help="Folder to write NAME.py (or NAME.toml) in.")
def new_command(name: str, toml: bool, folder: str) -> None:
    """Write a commented starter scene file NAME.py (or NAME.toml) to edit and render."""
    from ..support.folders import check_creatable, folders_kept_only_if_used
    from .describe import write_starter

    check_creatable(folder, "--dir")
    with folders_kept_only_if_used([folder]):
        target = write_starter(name, toml, folder)
    click.echo(f"wrote {target}; render it with: trajectories render {target}")


@cli.command("compare")
@click.argument("expected", type=FilePath(dir_okay=False))
@click.argument("actual", type=FilePath(dir_okay=False))
@click.option("--tolerance", type=click.FloatRange(min=0), default=3.0, show_default=True,
              help="Largest RMS difference (0-255 scale) a frame may have.")
@click.option("--diff", "diff_path", type=FilePath(dir_okay=False),
              help="Write a PNG: expected | actual | difference ×10 (the worst or first differing frame).")
def compare_command(expected: str, actual: str, tolerance: float, diff_path: str | None) -> None:
    """Compare two animations (GIF, APNG, WebP) or images frame by frame.

    Exit status 0 when they match, 1 when they differ (one line names the first differing frame and its
    RMS), 2 on bad input.
    """
    import math

    from ..integrations.snapshot import compare_files, write_diff
    from ..support.folders import folders_kept_only_if_used

    if not math.isfinite(tolerance):
        raise click.BadParameter("must be finite", param_hint="'--tolerance'")
    if diff_path is not None:  # before any work: writable, and neither file compared (links and spellings resolved)
        from ..pipeline.plan import check_outputs

        check_outputs([Path(diff_path)], None, None, [("the expected file", Path(expected)),
                                                      ("the actual file", Path(actual))], label="--diff")
    result = compare_files(expected, actual, tolerance)
    if diff_path is not None:
        with folders_kept_only_if_used([Path(diff_path).parent]):
            write_diff(expected, actual, diff_path, result.first_bad)
    click.echo(("match: " if result.matches else "differ: ") + result.message)
    if not result.matches:
        raise click.exceptions.Exit(1)


def main() -> None:
    """Console-script entry point."""
    cli()
