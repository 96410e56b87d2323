"""Chunks of starts on Dask (the optional ``dask`` extra): a LocalCluster of two worker processes gives the
same numbers and the same bytes as a local run; without Dask, asking for it is one line that says what to
install."""

import importlib
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from trajectories.cli.main import cli
from trajectories.compute.basins import reduce_paths
from trajectories.compute.starts import Grid
from trajectories.core.optimizers import adam, sgd
from trajectories.surfaces.catalogue import get_surface, resolve_surface

from .test_bad_input import assert_refused

distributed = importlib.import_module("dask.distributed")  # in the test extra: README's test command installs it


@pytest.fixture(scope="module")
def client():
    options = {"n_workers": 2, "threads_per_worker": 1, "processes": True, "dashboard_address": None}
    with distributed.LocalCluster(**options) as cluster, distributed.Client(cluster) as connected:
        yield connected


def same(a, b):
    return all(np.array_equal(getattr(a, key), getattr(b, key)) for key in
               ("final", "final_loss", "diverged_step", "converged_to", "converged_step")) and a.targets == b.targets


def test_chunks_on_two_workers_are_the_local_numbers(client):
    surface = get_surface("himmelblau")
    starts = Grid(20, 15).points(surface.window)
    local = reduce_paths(surface, sgd(lr=0.01, momentum=0.9), starts, 40)
    remote = reduce_paths(surface, sgd(lr=0.01, momentum=0.9), starts, 40, chunk=70, client=client)
    assert same(local, remote) and set(client.nthreads()) and len(client.nthreads()) == 2
    formula = resolve_surface("(x**2 - 1)**2 + y**2", (-2, 2, -2, 2))  # clusters: two passes, both on Dask
    points = Grid(12, 10).points(formula.window)
    assert same(reduce_paths(formula, adam(lr=0.05), points, 60),
                reduce_paths(formula, adam(lr=0.05), points, 60, chunk=32, client=client))


def test_run_and_render_with_dask_write_the_local_bytes(client, tmp_path):
    address = client.scheduler.address
    run = ["run", "--surface", "himmelblau", "--optimizer", "adam:lr=0.1", "--starts", "grid:20x20",
           "--steps", "20", "--reduce"]
    render = ["render", "--surface", "himmelblau", "--optimizer", "sgd:lr=0.01", "--starts", "grid:16x12",
              "--steps", "20", "--frames", "3", "--view", "basins", "--size", "160x120", "--dpi", "40", "--no-text",
              "-q"]
    for args, name in ((run, "ends.npz"), (render, "map.gif")):
        for where, extra in (("local", []), ("dask", ["--dask", address])):
            result = CliRunner().invoke(cli, [*args, *extra, "-o", str(tmp_path / f"{where}_{name}")])
            assert result.exit_code == 0, result.output
        assert (tmp_path / f"local_{name}").read_bytes() == (tmp_path / f"dask_{name}").read_bytes()


def test_without_dask_one_line_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "dask", None)  # import dask now fails, as when it is not installed
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    result = CliRunner().invoke(cli, ["run", "--surface", "sphere", "--optimizer", "adam", "--starts", "grid:5x5",
                                      "--reduce", "--dask", "tcp://127.0.0.1:8786", "-o", str(tmp_path / "x.npz")])
    assert_refused(result, "--dask needs Dask, which is not installed: pip install 'trajectories[dask]'")
    assert not (tmp_path / "x.npz").exists()


def test_dask_goes_with_the_reduced_paths_only():
    result = CliRunner().invoke(cli, ["run", "--surface", "sphere", "--optimizer", "adam", "--dask", "tcp://x:1"])
    assert_refused(result, "--dask runs the reduced paths: give --reduce")
