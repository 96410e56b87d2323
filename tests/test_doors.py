"""The other doors of issue 23, each tried as a stranger would, beyond the one-line rows of the bad-input
table: a scene file's output folder swapped for a link during the render, a series read once, bounded work
and time, and the first-frame cost of checks that must stay cheap."""

import math
import os
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from trajectories.cli.main import cli
from trajectories.errors import PlanError
from trajectories.pipeline import limits
from trajectories.pipeline import stages as pipeline

from .test_bad_input import assert_refused

SWAP = 'surface = "sphere"\nsteps = 3\n[[optimizers]]\nname = "adam"\n[view]\nsize = [64, 64]\n' \
       '[output]\npath = "sub/out.gif"\n'


@pytest.fixture
def shared(tmp_path, monkeypatch):
    """A stranger's scene folder ``shared/`` whose output goes to ``shared/sub/``, and a folder outside it."""
    (tmp_path / "shared" / "sub").mkdir(parents=True)
    (tmp_path / "shared" / "swap.toml").write_text(SWAP)
    (tmp_path / "outside").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _swap(folder):
    """``folder/shared/sub`` becomes a link to ``folder/outside`` (the old folder moved aside), as another
    process would do it (outside the render's guard, which would refuse it here)."""
    from trajectories.trust.guard import suspended

    with suspended():
        os.rename(folder / "shared" / "sub", folder / "shared" / "sub_old")
        os.symlink(folder / "outside", folder / "shared" / "sub")


@pytest.mark.parametrize("when", ["before the temporary is made", "while the frames are written"])
def test_a_scene_files_output_folder_swapped_for_a_link_never_carries_the_file_out(shared, monkeypatch, when):
    if when == "before the temporary is made":
        real = pipeline.compute_paths

        def swapping(*args, **kwargs):
            found = real(*args, **kwargs)
            _swap(shared)
            return found

        monkeypatch.setattr(pipeline, "compute_paths", swapping)
        message = "its folder leads out of"
    else:
        real_encode = pipeline._encode

        def swapping(*args, **kwargs):
            _swap(shared)
            return real_encode(*args, **kwargs)

        monkeypatch.setattr(pipeline, "_encode", swapping)
        message = "its folder changed while it was written"
    result = CliRunner().invoke(cli, ["render", "shared/swap.toml", "-q"])
    assert_refused(result, message)
    assert list((shared / "outside").iterdir()) == []  # nothing written through the link, not even a temporary
    assert list((shared / "shared" / "sub_old").iterdir()) == []  # and no temporary left in the real folder


def test_without_a_swap_the_scene_files_output_lands_in_its_folder(shared):
    result = CliRunner().invoke(cli, ["render", "shared/swap.toml", "-q"])
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in (shared / "shared" / "sub").iterdir()] == ["out.gif"]


def test_a_series_is_read_once_per_render(tmp_path, monkeypatch):
    import trajectories.trust.inputs

    path = tmp_path / "prices.csv"
    path.write_text("Date,Close\n" + "".join(f"d{i},{100 + np.sin(i)}\n" for i in range(30)))
    opened = []
    real = os.open

    def counting(name, *args, **kwargs):
        if os.fspath(name).endswith("prices.csv"):
            opened.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(trajectories.trust.inputs.os, "open", counting)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "fig5_ewa", "--series", "prices.csv", "--column", "Close",
                                      "--size", "128x96", "-o", "e.gif", "-q"])
    assert result.exit_code == 0, result.stderr
    assert len(opened) == 1  # it was read 9 times per render
    path.write_text(path.read_text() + "d30,99\n")  # a changed file is read again
    assert CliRunner().invoke(cli, ["render", "fig5_ewa", "--series", "prices.csv", "--column", "Close",
                                    "--size", "128x96", "-o", "e.gif", "-q"]).exit_code == 0
    assert len(opened) == 2


def test_a_time_estimate_counts_starts_steps_optimizers_and_arithmetic():
    from trajectories.core.spec import parse_optimizer

    adam, sgd = parse_optimizer("adam"), parse_optimizer("sgd")
    one = limits.run_seconds([adam], 1000, 100)
    assert one == pytest.approx(1000 * 100 * limits.SECONDS_PER_POINT_STEP)
    assert limits.run_seconds([adam, sgd], 2000, 300) == pytest.approx(12 * one)  # 2 × 2 × 3
    assert limits.run_seconds([adam], 1000, 100, portable=True) == pytest.approx(limits.PORTABLE_FACTOR * one)
    assert limits.run_seconds([adam], 1000, 100, full=True) == pytest.approx(limits.FULL_RUN_FACTOR * one)
    with pytest.raises(PlanError, match=r"about 1\.7 h \(x\), more than the 1 h"):
        limits.check_time(6000, "x", PlanError)
    assert limits.check_time(10, "x", PlanError) is None
    assert limits.check_time(3000, "x", PlanError) == "this run will take about 50 min (x)"


def test_a_torch_step_that_evaluates_itself_is_estimated_as_such():
    from .adapter_support import require

    require("torch")
    from trajectories.core.spec import parse_optimizer

    lbfgs, adam = parse_optimizer("torch:torch.optim.LBFGS"), parse_optimizer("torch:torch.optim.Adam")
    per = limits.ADAPTER_SECONDS_PER_POINT_STEP
    assert limits.run_seconds([lbfgs], 100, 10) == pytest.approx(10 * (100 * per["torch, with a closure"]
                                                                       + limits.ADAPTER_SECONDS_PER_STEP))
    assert limits.run_seconds([adam], 100, 10) == pytest.approx(10 * (100 * per["torch"]
                                                                      + limits.ADAPTER_SECONDS_PER_STEP))


def test_a_long_run_says_how_long_first(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "TIME_NOTE", 1e-6)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["run", "--surface", "himmelblau", "--optimizer", "adam", "--starts", "grid:4x4",
                                      "--steps", "10", "--reduce", "--format", "npz", "-o", "r.npz"])
    assert result.exit_code == 0 and (tmp_path / "r.npz").is_file()
    assert result.stderr == "trajectories: warning: this run will take about 0 s (1 optimizer × 16 starts × 10 steps)\n"


def test_an_l_bfgs_step_is_bounded_as_steps_are():
    from .adapter_support import require

    require("torch")
    from trajectories.adapters.torch_optim import MAX_EVALUATIONS_PER_STEP
    from trajectories.compute.run import run
    from trajectories.core.spec import parse_optimizer
    from trajectories.errors import SpecError
    from trajectories.surfaces.catalogue import get_surface

    spec = parse_optimizer("torch:torch.optim.LBFGS:max_iter=50")  # within the bound (max_eval 62): as torch does
    path = run(get_surface("rosenbrock"), spec.build(), np.array([-1.5, 2.0]), 2)
    assert np.isfinite(path.positions).all()
    endless = parse_optimizer("torch:torch.optim.LBFGS:max_iter=1000000000,tolerance_grad=0,tolerance_change=0")
    with pytest.raises(SpecError, match=f"LBFGS: one step evaluated the objective more than "
                                        f"{MAX_EVALUATIONS_PER_STEP} times"):
        run(get_surface("sphere"), endless.build(), np.array([1.0, -0.5]), 2)


def test_a_schedule_that_cannot_overflow_is_not_computed_step_by_step(monkeypatch):
    from trajectories.core.schedules import ScheduleChain, parse_schedules

    computed = []
    real = ScheduleChain.rate
    monkeypatch.setattr(ScheduleChain, "rate", lambda self, base, t: computed.append(t) or real(self, base, t))
    assert parse_schedules("cosine:T_max=1000000").first_overflow(0.1, 10**6) is None and computed == []
    first = math.floor(math.log(sys.float_info.max) / math.log(1.5)) + 1  # the first t where 1.5^t overflows
    assert parse_schedules("exponential:gamma=1.5").first_overflow(0.1, 10**6) == (first, math.inf)


def test_legend_text_past_the_bound_cuts_the_spec_text_never_the_label():
    from trajectories.scene import Racer

    milestones = ",".join(str(i) for i in range(100))
    racer = Racer(f"sgd:lr=0.1@multistep:milestones=[{milestones}]", "SGD $\\beta$")
    text = racer.legend_text()
    assert len(text) == 100 and text.endswith("...") and text.startswith("SGD $\\beta$ (lr=0.1), multistep")
    assert Racer("adam", "x" * 150).legend_text() == "x" * 150 + "..."  # the label whole, " (lr=0.001)" cut


def test_a_folder_that_takes_no_files_is_found_before_any_work(tmp_path, monkeypatch):
    import errno
    import tempfile

    from trajectories.errors import OutputError
    from trajectories.support.atomic import check_writable

    def refusing(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", refusing)
    with pytest.raises(OutputError, match=r"cannot write in folder .*: a read-only file system"):
        check_writable(tmp_path / "x.gif")
    assert list(tmp_path.iterdir()) == []


def test_paths_that_json_cannot_hold_leave_no_animation_and_no_folder(tmp_path, monkeypatch):
    from trajectories.compute.export import to_json
    from trajectories.errors import PlanError

    with pytest.raises(PlanError, match="holds a number JSON cannot write"):
        to_json({"x": [1.0, math.inf]})
    real = pipeline.to_json
    monkeypatch.setattr(pipeline, "to_json", lambda document: real({**document, "steps": math.nan}))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["render", "--surface", "sphere", "--optimizer", "adam", "--steps", "3",
                                      "--size", "64x64", "-o", "new/x.gif", "--paths", "other/p.json"])
    assert_refused(result, "the paths' document holds a number JSON cannot write")
    assert list(tmp_path.iterdir()) == []  # neither the GIF nor the folders made for it and the JSON
