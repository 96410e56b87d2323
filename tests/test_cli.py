"""The command line through click's runner: output, the JSON schema, one-line errors, atomic writes."""

import json

import numpy as np
import pytest

from trajectories import __version__
from trajectories.compute.run import run
from trajectories.core import optimizers
from trajectories.core.spec import parse_optimizer
from trajectories.surfaces.catalogue import SURFACE_NAMES, get_surface


def test_version(invoke):
    result = invoke("--version")
    assert result.exit_code == 0 and result.output.strip() == f"trajectories {__version__}"


def test_surfaces_lists_every_surface_with_window_and_minimum(invoke, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # one row each (narrower terminals: tests/test_docs_promises.py)
    result = invoke("surfaces")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert set(lines) == set(SURFACE_NAMES)
    assert "0 at (1, 1)" in lines["rosenbrock"] and "[-2, 2]×[-1, 3]" in lines["rosenbrock"]
    assert "none (unbounded below)" in lines["saddle"]


def test_optimizers_lists_hyperparameters_and_defaults(invoke):
    result = invoke("optimizers")
    assert result.exit_code == 0
    for name in optimizers.OPTIMIZERS:
        assert f"{name}: " in result.output
    assert "lr=0.001 beta1=0.9 beta2=0.999 eps=1e-08 weight_decay=0 amsgrad=false" in result.output
    assert "every optimizer also takes clip_norm=C" in result.output.splitlines()[-1]


def test_run_json_follows_the_schema_and_the_library(invoke):
    result = invoke(
        "run", "--surface", "rosenbrock", "--optimizer", "adam:lr=0.1", "--optimizer", "sgd:lr=0.001,momentum=0.9",
        "--start", "-1.5,2", "--steps", "25",
    )
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["format"] == "trajectories.run" and document["version"] == 3
    assert document["arithmetic"] == "numpy" and document["horizon_tolerance"] == 1e-3
    assert document["surface"] == {"name": "rosenbrock", "formula": "(1−x)² + 100(y−x²)²", "window": [-2, 2, -1, 3]}
    assert document["gradient"] == {"kind": "exact"} and document["steps"] == 25
    assert [t["label"] for t in document["trajectories"]] == ["adam:lr=0.1", "sgd:lr=0.001,momentum=0.9"]
    first = document["trajectories"][0]
    assert first["optimizer"] == "adam" and first["hyperparameters"]["lr"] == 0.1
    assert first["hyperparameters"]["beta2"] == 0.999 and first["start"] == [-1.5, 2.0]
    assert first["diverged_step"] is None and first["horizon"] is None  # Adam settles: no horizon
    expected = run(get_surface("rosenbrock"), parse_optimizer("adam:lr=0.1").build(), (-1.5, 2), 25)
    assert first["x"] == expected.positions[:, 0].tolist()  # exact: JSON keeps every bit
    assert first["y"] == expected.positions[:, 1].tolist()
    assert first["loss"] == expected.losses.tolist()
    assert len(first["grad_norm"]) == 26


def test_run_reports_divergence_as_null(invoke):
    result = invoke("run", "--surface", "sphere", "--optimizer", "sgd:lr=2", "--start", "1,0", "--steps", "8")
    path = json.loads(result.output)["trajectories"][0]
    assert path["diverged_step"] == 5
    assert path["x"][:5] == [1.0, -3.0, 9.0, -27.0, 81.0] and path["x"][5:] == [None] * 4


def test_run_defaults_to_the_surface_start_and_repeats_starts(invoke):
    document = json.loads(invoke("run", "--surface", "himmelblau", "--optimizer", "adam", "--steps", "2").output)
    assert document["trajectories"][0]["start"] == list(get_surface("himmelblau").start)
    document = json.loads(
        invoke("run", "--surface", "sphere", "--optimizer", "sgd", "--start", "1,1", "--start", "-1,0.5",
               "--steps", "2").output
    )
    assert [t["start"] for t in document["trajectories"]] == [[1, 1], [-1, 0.5]]


def test_run_csv_to_a_file(invoke, tmp_path):
    target = tmp_path / "paths.csv"
    result = invoke("run", "--surface", "booth", "--optimizer", "sgd:lr=0.05", "--steps", "3", "-o", str(target))
    assert result.exit_code == 0 and result.output == ""
    lines = target.read_text().splitlines()
    assert lines[0] == "label,optimizer,start_x,start_y,step,x,y,loss,grad_norm,horizon,converged_to,converged_step"
    assert len(lines) == 1 + 4
    assert lines[1].startswith("sgd:lr=0.05,sgd,-7.0,-8.0,0,-7.0,-8.0,") and lines[1].endswith(",")
    assert [p.name for p in tmp_path.iterdir()] == ["paths.csv"]  # no temporary file left


def test_stochastic_runs_are_seeded(invoke):
    args = ["run", "--surface", "regression", "--optimizer", "sgd:lr=0.1", "--steps", "20", "--batch-size", "64"]
    a, b = invoke(*args, "--seed", "3").output, invoke(*args, "--seed", "3").output
    c = invoke(*args, "--seed", "4").output
    assert a == b and a != c
    assert json.loads(a)["gradient"]["kind"] == "minibatch"
    noisy = invoke("run", "--surface", "sphere", "--optimizer", "sgd", "--noise", "0.5", "--steps", "2")
    noisy = json.loads(noisy.output)
    assert noisy["gradient"] == {"kind": "noise", "sigma": 0.5, "batch_size": 1, "seed": 0}


def test_failed_write_leaves_the_old_file(invoke, tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("precious")

    def explode(document):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("trajectories.compute.export.to_json", explode)  # the command imports it when it runs
    with pytest.raises(RuntimeError):
        invoke("run", "--surface", "sphere", "--optimizer", "adam", "-o", str(target))
    assert target.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_large_output_is_valid_and_exact(invoke, tmp_path):
    target = tmp_path / "big.json"
    invoke("run", "--surface", "rastrigin", "--optimizer", "adam:lr=0.05", "--steps", "2000", "-o", str(target))
    path = json.loads(target.read_text())["trajectories"][0]
    expected = run(get_surface("rastrigin"), parse_optimizer("adam:lr=0.05").build(), (-2, 3.5), 2000)
    assert np.array_equal(np.array(path["x"]), expected.positions[:, 0])
