"""The ``trajectories`` command line: a click group of verbs over the library; no logic of its own.

Every usage error is one line on stderr, ``trajectories: error: ...``, with exit status 2, and nothing
is written.
"""

from __future__ import annotations

import math
import sys
from typing import Any

import click

from . import __version__, optimizers
from .atomic import check_writable, write_bytes
from .catalogue import SURFACE_NAMES, get_surface
from .data import stochastic_gradient
from .export import record_paths, run_document, to_csv, to_json
from .spec import OptimizerSpec, SpecError, parse_optimizer
from .surfaces import Surface


class OneLineErrors(click.Group):
    """A group whose usage errors print as one line (no usage block) and exit with status 2."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        extra.pop("standalone_mode", None)
        try:
            result = super().main(args=args, prog_name=prog_name or "trajectories", standalone_mode=False, **extra)
        except click.exceptions.Exit as stop:
            sys.exit(stop.exit_code)
        except click.ClickException as error:
            message = " ".join(error.format_message().split())
            click.echo(f"trajectories: error: {message}", err=True)
            sys.exit(2 if isinstance(error, click.UsageError) else error.exit_code)
        except click.Abort:
            click.echo("trajectories: aborted", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


class PointType(click.ParamType):
    """``X,Y`` with two finite numbers."""

    name = "X,Y"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[float, float]:
        if isinstance(value, tuple):
            return value
        parts = str(value).split(",")
        try:
            x, y = (float(part) for part in parts)
        except ValueError:
            self.fail(f"expected two numbers as X,Y, got {value!r}", param, ctx)
        if not (math.isfinite(x) and math.isfinite(y)):
            self.fail(f"coordinates must be finite, got {value!r}", param, ctx)
        return (x, y)


class OptimizerSpecType(click.ParamType):
    """``NAME[:key=value,...]``, parsed and validated."""

    name = "SPEC"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> OptimizerSpec:
        if isinstance(value, OptimizerSpec):
            return value
        try:
            return parse_optimizer(value)
        except SpecError as error:
            self.fail(str(error), param, ctx)


class SurfaceType(click.ParamType):
    """A surface of the catalogue, by name."""

    name = "SURFACE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Surface:
        if isinstance(value, Surface):
            return value
        try:
            return get_surface(value)
        except KeyError as error:
            self.fail(error.args[0], param, ctx)


def _number(value: float) -> str:
    return f"{value:.6g}"


def _point(x: float, y: float) -> str:
    return f"({_number(x)}, {_number(y)})"


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="trajectories", message="%(prog)s %(version)s")
def cli() -> None:
    """Optimizer trajectories on 2-D cost surfaces: compute them, and (soon) animate them."""


@cli.command("surfaces")
def surfaces_command() -> None:
    """List the catalogue's surfaces: name, window, minima, description."""
    rows = []
    for name in SURFACE_NAMES:
        surface = get_surface(name)
        x0, x1, y0, y1 = surface.window
        window = f"[{_number(x0)}, {_number(x1)}]×[{_number(y0)}, {_number(y1)}]"
        best = surface.global_minima
        if best:
            minima = f"{_number(best[0].value)} at " + ", ".join(_point(p.x, p.y) for p in best)
        else:
            minima = "none (unbounded below)"
        rows.append((name, window, minima, surface.description))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    click.echo(f"{'name':<{widths[0]}}  {'window':<{widths[1]}}  {'global minimum':<{widths[2]}}  description")
    for row in rows:
        click.echo(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}")


@cli.command("optimizers")
def optimizers_command() -> None:
    """List the optimizers with their hyperparameters and defaults."""
    for name in optimizers.OPTIMIZERS:
        defaults = optimizers.hyperparameters(name)
        shown = " ".join(
            f"{key}={('true' if value else 'false') if isinstance(value, bool) else _number(value)}"
            for key, value in defaults.items()
        )
        click.echo(f"{name}: {optimizers.summary(name)}")
        click.echo(f"    {shown}")


@cli.command("run")
@click.option("--surface", "surface", type=SurfaceType(), required=True, help="A surface name (see `surfaces`).")
@click.option(
    "--optimizer", "specs", type=OptimizerSpecType(), multiple=True, required=True,
    help="NAME[:key=value,...], e.g. rmsprop:lr=0.02,alpha=0.9. Repeat for more optimizers.",
)
@click.option(
    "--start", "starts", type=PointType(), multiple=True, help="Start X,Y (repeatable); default: the surface's.",
)
@click.option("--steps", type=click.IntRange(min=1), default=100, show_default=True, help="Number of updates.")
@click.option("--batch-size", type=click.IntRange(min=1), help="Mini-batch size (data losses) or noise batch (others).")
@click.option("--noise", "sigma", type=click.FloatRange(min=0), help="Gradient noise σ on an analytic surface.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the noise or batches.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), help="Default: from the file name, else json.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here (atomically); default stdout.")
def run_command(
    surface: Surface,
    specs: tuple[OptimizerSpec, ...],
    starts: tuple[tuple[float, float], ...],
    steps: int,
    batch_size: int | None,
    sigma: float | None,
    seed: int,
    fmt: str | None,
    output: str | None,
) -> None:
    """Run optimizers on a surface and print each trajectory as JSON or CSV."""
    if sigma is not None and not math.isfinite(sigma):
        raise click.BadParameter("σ must be finite", param_hint="'--noise'")
    starts = starts or (surface.start,)
    for x, y in starts:
        if not surface.contains(x, y):
            x0, x1, y0, y1 = surface.window
            raise click.BadParameter(
                f"start {_point(x, y)} is outside {surface.name}'s window "
                f"[{_number(x0)}, {_number(x1)}]×[{_number(y0)}, {_number(y1)}]",
                param_hint="'--start'",
            )
    if output is not None:
        try:
            check_writable(output)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="'-o'") from None
    fmt = fmt or ("csv" if output and output.lower().endswith(".csv") else "json")
    try:
        gradient = stochastic_gradient(surface, batch_size, sigma, seed)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    records = record_paths(surface, specs, starts, steps, gradient)
    document = run_document(surface, records, steps, gradient.describe())
    text = to_json(document) if fmt == "json" else to_csv(document)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_bytes(output, text.encode())


@cli.command("render")
@click.option("--all", "render_all", is_flag=True, help="Render every built-in scene into output/.")
def render_command(render_all: bool) -> None:
    """Render scenes to animations (the renderer is being built: no scenes exist yet)."""
    click.echo("no scenes to render yet", err=True)


def main() -> None:
    """Console-script entry point."""
    cli()
