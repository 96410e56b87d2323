"""``trajectories tune``: each optimizer's learning rate searched on the same budget, written as a TOML scene
(:mod:`trajectories.compute.tune` does the work)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..version import __version__
from .options import FilePath, OptimizerSpecType, PointType, SurfaceType, WindowType, allow_module_option

if TYPE_CHECKING:
    from ..core.spec import OptimizerSpec


@click.command("tune")
@allow_module_option
@click.option("--surface", required=True, type=SurfaceType(), help="A surface of the catalogue, or a formula.")
@click.option("--window", type=WindowType(), help="X0,X1,Y0,Y1 [default: the surface's].")
@click.option("--optimizer", "specs", required=True, multiple=True, type=OptimizerSpecType(),
              help="NAME[:fixed=value,...][@SCHEDULE], repeatable; lr is what is tuned.")
@click.option("--start", "starts", multiple=True, type=PointType(), help="X,Y, repeatable [default: the surface's].")
@click.option("--steps", type=click.IntRange(1, 10**6), default=100, show_default=True, help="Updates per trial.")
@click.option("--trials", type=int, default=40, show_default=True, help="Trials per optimizer (1 to 10000).")
@click.option("--refine", type=int, help="Then as many more around the best rate [default: a quarter of --trials].")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True, help="Seed of the search.")
@click.option("--search", type=click.Choice(["grid", "random"]), default="grid", show_default=True,
              help="The trials: an even log (or linear) grid, or seeded log-uniform (or uniform) draws.")
@click.option("--metric", default="final", show_default=True, help="final | mean_last:K | steps_to:TOL (lower wins).")
@click.option("--param", "param", default="lr=1e-5..1,log", show_default=True,
              help="The range searched: lr=LOW..HIGH[,log|,linear].")
@click.option("-o", "--output", type=FilePath(dir_okay=False), help="Write the TOML scene here [default: stdout].")
def tune_command(surface: str, window: tuple[float, float, float, float] | None, specs: tuple[OptimizerSpec, ...],
                 starts: tuple[tuple[float, float], ...], steps: int, trials: int, refine: int | None, seed: int,
                 search: str, metric: str, param: str, output: str | None) -> None:
    """Tune each optimizer's learning rate on the same budget; write a TOML scene that races the winners."""
    import numpy as np

    from ..compute.tune import Budget, TuneError, parse_metric, parse_param, scene_toml, tune, tuned_label
    from ..errors import PlanError
    from ..options import outside_window
    from ..pipeline.limits import check_memory, run_needs
    from ..support.atomic import write_bytes
    from ..support.folders import check_output_file, folders_kept_only_if_used
    from ..support.progress import Progress
    from ..surfaces.catalogue import resolve_surface

    space = parse_param(param)
    budget = Budget(trials, seed, search, refine)
    scoring = parse_metric(metric)
    resolved = resolve_surface(surface, window)
    points = starts or (resolved.start,)
    for _, problem in outside_window(points, resolved.window)[:1]:
        raise click.BadParameter(f"start {problem}", param_hint="'--start'")
    if output is not None:
        try:
            check_output_file(output)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="'-o'") from None
    check_memory(run_needs(steps, len(points) * budget.first, 1), PlanError)  # one batch at a time
    for spec in specs:
        if "lr" in spec.changed():
            raise TuneError(f"{spec.name}: lr is what tune searches (--param); leave it out of the optimizer spec")
    results = []
    progress = Progress("tune", len(specs), "optimizers")  # a bar on a terminal, a line every few seconds elsewhere
    for spec in specs:
        result = tune(resolved, spec, np.array(points, dtype=np.float64), steps, space, budget, scoring)
        results.append((result, tuned_label(spec.label, result.lr, space, budget)))
        progress.advance()
    comment = (f"tuned by trajectories {__version__}: --param {param} --trials {trials} --search {search} "
               f"--seed {seed} --metric {scoring.text} --steps {steps}")
    text = scene_toml("tuned", surface, window, points, steps, results, comment)
    if output is None:
        click.echo(text, nl=False)  # the rates are in the scene
        return
    with folders_kept_only_if_used([Path(output).parent]):
        write_bytes(output, text.encode())
    for result, _ in results:  # what was chosen, and how it scored
        click.echo(f"{result.spec.label}: lr={result.lr!r} ({scoring.text} {result.score:.4g}, {result.trials} "
                   "trials)")
    click.echo(f"wrote {output}; render it with: trajectories render {output}")
