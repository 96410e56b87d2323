"""Long work says how far it is: a bar on a terminal, a line every few seconds elsewhere
(trajectories/support/progress.py);
reductions report chunks of starts, tune the rates it chose, render the files as they are written."""

import io

import numpy as np
from click.testing import CliRunner

from trajectories.cli.main import cli
from trajectories.compute.basins import reduce_paths
from trajectories.compute.starts import Grid
from trajectories.core.optimizers import adam
from trajectories.pipeline import stages as pipeline
from trajectories.scene import Scene
from trajectories.support.progress import Progress
from trajectories.surfaces.catalogue import get_surface


class Terminal(io.StringIO):
    def isatty(self):
        return True


def ticking(*times):
    return iter(times).__next__


def test_a_terminal_gets_a_bar_once_the_work_passes_a_second():
    screen = Terminal()
    report = Progress("race", 4, "frames", stream=screen, clock=ticking(0.0, 0.5, 1.2, 1.3, 1.4))
    for done in range(1, 5):
        report(done)
    assert screen.getvalue() == ("\rrace [" + "#" * 15 + "." * 15 + "] 2/4 frames"
                                 "\rrace [" + "#" * 22 + "." * 8 + "] 3/4 frames"
                                 "\rrace [" + "#" * 30 + "] 4/4 frames\n")


def test_elsewhere_a_line_every_few_seconds_and_nothing_for_quick_or_quiet_work():
    log = io.StringIO()
    report = Progress("tune", 10, "optimizers", stream=log, clock=ticking(0.0, *[2.0 * k for k in range(1, 11)]))
    for done in range(1, 11):
        report(done)
    lines = log.getvalue().splitlines()
    assert lines == ["trajectories: tune: 3/10 optimizers (30 %), 6 s",
                     "trajectories: tune: 6/10 optimizers (60 %), 12 s",
                     "trajectories: tune: 9/10 optimizers (90 %), 18 s",
                     "trajectories: tune: 10/10 optimizers (100 %), 20 s"]
    quick, quiet = io.StringIO(), Terminal()
    Progress("x", 3, stream=quick, clock=ticking(0.0, 0.1, 0.2, 0.3)).advance(3)
    Progress("x", 3, stream=quiet, enabled=False, clock=ticking(0.0, 9.0)).advance(3)
    assert quick.getvalue() == quiet.getvalue() == ""


def test_a_reduction_reports_each_chunk_of_starts_with_any_number_of_processes():
    surface = get_surface("himmelblau")
    points = Grid(40, 30).points(surface.window)
    for jobs in (1, 2):
        heard = []
        reduce_paths(surface, adam(lr=0.1), points, 20, chunk=500, jobs=jobs, progress=heard.append)
        assert sum(heard) == 1200 and max(heard) <= 1024  # every start once, a chunk at a time (never all at once)
    formula = reduce_paths(get_surface("himmelblau"), adam(lr=0.1), points[:50], 5, targets=(),
                           progress=heard.append)
    assert formula.final.shape == (50, 2)


def test_a_basin_render_shows_the_reduction_of_its_starts(tmp_path, monkeypatch):
    made = []

    class Recording(Progress):
        def __init__(self, label, total, unit="frames", **keywords):
            super().__init__(label, total, unit, **keywords)
            made.append(self)

    monkeypatch.setattr(pipeline, "Progress", Recording)
    scene = Scene("basins", "himmelblau", ["adam:lr=0.1", "sgd:lr=0.01"], start_sets=[Grid(12, 10)], steps=20,
                  view="basins", size=(320, 200), frames=4)
    pipeline.render_scene(scene, tmp_path / "b.gif", quiet=False)
    reduction, frames = made
    assert (reduction.label, reduction.total, reduction.done, reduction.unit) == ("basins paths", 240, 240, "starts")
    assert (frames.total, frames.done) == (4, 4)


def test_render_of_several_scenes_says_each_file_as_it_is_written(tmp_path):
    scenes = tmp_path / "three.py"
    scenes.write_text("from trajectories.scene import Scene\n" + "".join(
        f"s{k} = Scene('s{k}', 'sphere', ['sgd:lr=0.1'], start=(1.0, 1.0), steps=4, size=(96, 72), dpi=20)\n"
        for k in range(3)))
    result = CliRunner().invoke(cli, ["render", str(scenes), "--out-dir", str(tmp_path / "out"), "-j", "2"])
    assert result.exit_code == 0, result.output
    written = sorted(line.split()[0] for line in result.stdout.splitlines())
    assert written == [str(tmp_path / "out" / f"s{k}.gif") for k in range(3)]
    assert all(np.isfinite(float(line.split()[-2])) for line in result.stdout.splitlines())
