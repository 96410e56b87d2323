"""Model and dataset specs: parsing and round trips, the layout and the seeded initial weights,
the datasets' shapes and statistics, CSV files read as data within their bounds, and one-line errors in the
project's error family for every bad spec."""

import math
import os

import numpy as np
import pytest

from trajectories.errors import NetworkError, TrajectoriesError
from trajectories.network import bounds
from trajectories.network.datasets import make_dataset, parse_dataset
from trajectories.network.models import parse_model
from trajectories.surfaces.gradients import make_regression

from .adapter_support import require


@pytest.mark.parametrize(("text", "widths", "activation", "loss", "count"), [
    ("mlp:2-16-16-1:tanh", (2, 16, 16, 1), "tanh", None, 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1),
    ("mlp:2-8-3:relu:seed=4,loss=cross_entropy", (2, 8, 3), "relu", "cross_entropy", 16 + 8 + 24 + 3),
    ("mlp:1-1", (1, 1), "tanh", None, 2),
    ("logistic:2", (2, 1), "tanh", "bce", 3),
    (" logistic:5:seed=1 ", (5, 1), "tanh", "bce", 6),
])
def test_model_specs_parse_and_round_trip(text, widths, activation, loss, count):
    model = parse_model(text)
    assert (model.widths, model.activation, model.loss, model.parameter_count) == (widths, activation, loss, count)
    assert parse_model(model.to_text()) == model
    assert sum(s.bias.stop - s.weights.start for s in model.layout()) == count


def test_initial_weights_are_torchs_default_distribution_seeded():
    model = parse_model("mlp:3-40-1:relu")
    first, again, other = model.initial(), model.initial(), model.initial(1)
    assert first.tobytes() == again.tobytes() and first.tobytes() != other.tobytes()
    assert parse_model("mlp:3-40-1:relu:seed=1").initial().tobytes() == other.tobytes()
    (w1, b1), (w2, b2) = model.unpack(np.stack([model.initial(s) for s in range(50)]))
    for values, fan_in in ((w1, 3), (b1, 3), (w2, 40), (b2, 40)):
        bound = 1 / math.sqrt(fan_in)  # nn.Linear: kaiming_uniform(a=sqrt(5)) and the bias both give this
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.95 * bound
        assert abs(values.mean()) < 0.1 * bound and values.std() == pytest.approx(bound / math.sqrt(3), rel=0.1)


def test_torchs_linear_layers_draw_within_the_same_bound():
    torch = require("torch")
    layer = torch.nn.Linear(40, 1000, dtype=torch.float64)
    assert layer.weight.abs().max().item() <= 1 / math.sqrt(40) < 1.01 * layer.weight.abs().max().item()


DATASETS = {
    # spec: (inputs, task, classes)
    "moons:n=400,noise=0.2,seed=0": ((400, 2), "binary", 2),
    "circles:n=101": ((101, 2), "binary", 2),
    "spirals:n=90,classes=3": ((90, 2), "multiclass", 3),
    "xor:n=50": ((50, 2), "binary", 2),
    "blobs:n=60,classes=4": ((60, 2), "multiclass", 4),
    "blobs:n=60,classes=2": ((60, 2), "binary", 2),
    "line:n=30": ((30, 1), "regression", 0),
}


@pytest.mark.parametrize("spec", list(DATASETS))
def test_datasets_have_their_shapes_and_round_trip(spec):
    data = make_dataset(spec).train
    shape, task, classes = DATASETS[spec]
    assert (data.inputs.shape, data.task, data.classes) == (shape, task, classes)
    if task != "regression" and not spec.startswith("xor"):  # xor's labels follow its random points
        counts = np.bincount(data.targets.astype(int), minlength=classes)
        assert counts.max() - counts.min() <= 1  # balanced classes
    again = make_dataset(parse_dataset(spec).to_text()).train
    assert again.inputs.tobytes() == data.inputs.tobytes() and again.targets.tobytes() == data.targets.tobytes()


def test_noiseless_datasets_lie_on_their_curves():
    moons = make_dataset("moons:n=200,noise=0").train
    upper, lower = moons.inputs[moons.targets == 0], moons.inputs[moons.targets == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, rtol=1e-15)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, rtol=1e-15)
    assert (upper[:, 1] >= 0).all() and (lower[:, 1] <= 0.5).all()
    circles = make_dataset("circles:n=200,noise=0,factor=0.3").train
    radii = np.hypot(*circles.inputs.T)
    np.testing.assert_allclose(radii, np.where(circles.targets == 0, 1.0, 0.3), rtol=1e-15)
    spirals = make_dataset("spirals:n=300,noise=0,classes=3,turns=2").train
    assert np.hypot(*spirals.inputs.T).max() == pytest.approx(1.0)
    xor = make_dataset("xor:n=500,noise=0,margin=0.2").train
    assert (np.abs(xor.inputs) >= 0.2).all()
    np.testing.assert_array_equal(xor.targets, (np.sign(xor.inputs[:, 0]) != np.sign(xor.inputs[:, 1])))


def test_noisy_datasets_have_their_statistics():
    blobs = make_dataset("blobs:n=3000,classes=3,spread=0.5").train
    for c in range(3):
        points = blobs.inputs[blobs.targets == c]
        centre = 1.5 * np.array([math.cos(2 * math.pi * c / 3), math.sin(2 * math.pi * c / 3)])
        assert np.abs(points.mean(0) - centre).max() < 4 * 0.5 / math.sqrt(len(points))
        assert points.std(0) == pytest.approx([0.5, 0.5], rel=0.1)
    clean, noisy = (make_dataset(f"moons:n=4000,noise={s}").train.inputs for s in (0, 0.3))
    assert (noisy - clean).std() == pytest.approx(0.3, rel=0.05)
    line = make_dataset("line:n=1800").train  # figure 3's dataset
    figure3 = make_regression()
    assert line.inputs[:, 0].tobytes() == figure3.x.tobytes() and line.targets[:, 0].tobytes() == figure3.y.tobytes()


def test_a_validation_split_holds_out_its_share():
    split = make_dataset("moons:n=100,validation=0.25,seed=3")
    assert (len(split.train), len(split.validation)) == (75, 25)
    whole = make_dataset("moons:n=100,seed=3").train
    rows = {tuple(p) for p in whole.inputs}
    train_rows, held_rows = {tuple(p) for p in split.train.inputs}, {tuple(p) for p in split.validation.inputs}
    assert train_rows | held_rows == rows and not train_rows & held_rows
    other = make_dataset("moons:n=100,validation=0.25,seed=4").validation
    assert other.inputs.tobytes() != split.validation.inputs.tobytes()
    assert make_dataset("moons:n=100,validation=0.25,seed=3").validation.inputs.tobytes() == \
        split.validation.inputs.tobytes()


def _csv(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_datasets_read_features_targets_and_labels(tmp_path):
    path = _csv(tmp_path, "x,y,kind,unused\n0,1,cat,9\n1,0,dog,9\n2,2,cat,9\n\n3,1,bird,9\n")
    data = make_dataset(f"csv:path={path},target=kind,features=[x,y]").train
    assert data.task == "multiclass" and data.labels == ("bird", "cat", "dog")
    assert data.inputs.tolist() == [[0, 1], [1, 0], [2, 2], [3, 1]] and data.targets.tolist() == [1, 2, 1, 0]
    binary = make_dataset(f"csv:path={path},target=y,features=[x]").train  # 0, 1, 2: three whole numbers
    assert binary.task == "multiclass" and binary.labels == ("0", "1", "2")
    real = _csv(tmp_path, "a,b\n0.5,1.25\n1.5,2.5\n2,3.75\n", "real.csv")
    regression = make_dataset(f"csv:path={real},target=b").train
    assert regression.task == "regression" and regression.targets[:, 0].tolist() == [1.25, 2.5, 3.75]
    forced = make_dataset(f"csv:path={path},target=y,features=[x],task=regression").train
    assert forced.task == "regression"
    spec = parse_dataset(f"csv:path={path},target=kind,features=[x,y],validation=0.25")
    assert parse_dataset(spec.to_text()) == spec


@pytest.mark.parametrize(("content", "spec", "message"), [
    ("x,y\n1,2\n", "target=z", "has no column 'z'"),
    ("x,y\n1,2\n", "target=y,features=[y]", "cannot also be a feature"),
    ("x,x\n1,2\n", "target=x", "column 'x' appears twice"),
    ("x,y\n1,a\n1,b\n", "target=x", "data.csv:2: y is not a number: 'a'"),
    ("x,y\n1,2\n3,inf\n", "target=x", "data.csv:3: y is not finite"),
    ("x,y\n1,2\n3\n", "target=x", "data.csv:3: 1 cells, the header has 2"),
    ("x,y\n1,2\n", "target=y", "needs at least 2 samples"),
    ("x,y\n1,1\n2,1\n", "target=y", "a single class"),
    ("x,y\n1,a\n2,b\n", "target=y,task=regression", "regression needs numbers in 'y'"),
    ("x,y\n1,a\n2,b\n3,c\n", "target=y,task=binary", "task=binary needs 2 classes"),
    ("", "target=y", "is empty"),
    ('x,y\n1,"2\n', "target=y", "is not valid CSV"),
])
def test_bad_csv_files_get_one_line(tmp_path, content, spec, message):
    path = _csv(tmp_path, content)
    with pytest.raises(NetworkError) as caught:
        make_dataset(f"csv:path={path},{spec}")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_csv_files_are_bounded_before_they_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_SAMPLES", 3)
    monkeypatch.setattr("trajectories.network.csv_data.MAX_SAMPLES", 3)
    monkeypatch.setattr("trajectories.network.csv_data.MAX_CSV_BYTES", 40)
    small = _csv(tmp_path, "x,y\n" + "1,0\n2,1\n3,0\n4,1\n", "rows.csv")
    with pytest.raises(NetworkError, match="more than 3 rows"):
        make_dataset(f"csv:path={small},target=y")
    big = _csv(tmp_path, "x,y\n" + "1,0\n" * 20, "big.csv")
    with pytest.raises(NetworkError, match="is 84 bytes, more than the 40 bytes a dataset file may have"):
        make_dataset(f"csv:path={big},target=y")
    os.mkfifo(tmp_path / "pipe.csv")  # read as every input is: never blocks, says what it is
    with pytest.raises(NetworkError, match=r"pipe.csv is not a regular file \(a FIFO\)"):
        make_dataset(f"csv:path={tmp_path / 'pipe.csv'},target=y")
    wide = _csv(tmp_path, ",".join(f"c{i}" for i in range(bounds.MAX_CSV_COLUMNS + 1)) + "\n", "wide.csv")
    monkeypatch.setattr("trajectories.network.csv_data.MAX_CSV_BYTES", 10**6)
    with pytest.raises(NetworkError, match=f"more than the {bounds.MAX_CSV_COLUMNS}"):
        make_dataset(f"csv:path={wide},target=c0")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"x,y\n\xff\xfe,1\n")
    with pytest.raises(NetworkError, match="not a UTF-8 text file"):
        make_dataset(f"csv:path={binary},target=y")
    with pytest.raises(NetworkError, match="no such file"):
        make_dataset(f"csv:path={tmp_path / 'missing.csv'},target=y")


BAD_SPECS = [
    # models
    (parse_model, "perceptron:2-1", "unknown model 'perceptron'"),
    (parse_model, "mlp", "mlp: give the layer widths"),
    (parse_model, "mlp:2-x-1", "widths are whole numbers joined by '-'"),
    (parse_model, "mlp:2-1000-1", "a layer's width must be a whole number from 1 to 256, got 1000"),
    (parse_model, "mlp:2-0-1", "a layer's width must be a whole number from 1 to 256, got 0"),
    (parse_model, "mlp:99-4-1", "the number of inputs must be a whole number from 1 to 64"),
    (parse_model, "mlp:2-" + "4-" * 9 + "1", "at most 8 hidden layers, got 9"),
    (parse_model, "mlp:64-256-256-1", f"{64 * 256 + 256 + 256 * 256 + 256 + 256 + 1} parameters, more than the 50000"),
    (parse_model, "mlp:2-4-1:swish", "unknown activation 'swish'"),
    (parse_model, "mlp:2-4-1:tanh:loss=hinge", "unknown loss 'hinge'"),
    (parse_model, "mlp:2-4-1:tanh:seed=-1", "seed must be a whole number from 0"),
    (parse_model, "mlp:2-4-1:tanh:seed=x", "seed must be a whole number, got 'x'"),
    (parse_model, "mlp:2-4-1:tanh:depth=3", "unknown key 'depth'"),
    (parse_model, "mlp:2-4-1:tanh:relu", "expected 'mlp:WIDTHS[:ACTIVATION][:key=value,...]'"),
    (parse_model, "logistic:2-3", "expected 'logistic:INPUTS[:seed=N]'"),
    (parse_model, "mlp:2-4-1:tanh:seed=1,seed=2", "seed is given twice"),
    (parse_model, "mlp:2-4-1\nrm", "one line"),
    (parse_model, "", "a model spec is one line"),
    # datasets
    (parse_dataset, "mooons", "unknown dataset 'mooons'"),
    (parse_dataset, "moons:", "nothing after ':'"),
    (parse_dataset, "moons:n=1", "n must be a whole number from 2 to 10000, got '1'"),
    (parse_dataset, "moons:n=10000000", "n must be a whole number from 2 to 10000"),
    (parse_dataset, "moons:n=2.5", "n must be a whole number"),
    (parse_dataset, "moons:noise=nan", "noise must be a number from 0 to 10"),
    (parse_dataset, "moons:noise=-1", "noise must be a number from 0 to 10"),
    (parse_dataset, "moons:classes=3", "unknown key 'classes'"),
    (parse_dataset, "spirals:classes=40", "classes must be a whole number from 2 to 16"),
    (parse_dataset, "moons:n=10,validation=0.95", "validation must be a number from 0 to 0.9"),
    (parse_dataset, "moons:n=3,validation=0.1", "leaves no validation sample"),
    (parse_dataset, "line:low=2,high=1", "low must be less than high"),
    (parse_dataset, "moons:n", "expected key=value"),
    (parse_dataset, "csv:target=y", "csv: give the path"),
    (parse_dataset, "csv:path=a.csv,target=y,features=x", "features must be a list of column names"),
    (parse_dataset, "csv:path=a.csv,target=y,task=ranking", "task must be one of"),
    (parse_dataset, "csv:path=a.csv,target=y,sep=;", "unknown key 'sep'"),
]


@pytest.mark.parametrize(("parse", "text", "message"), BAD_SPECS, ids=[t[1][:30] for t in BAD_SPECS])
def test_bad_specs_get_one_line_in_the_error_family(parse, text, message):
    with pytest.raises(NetworkError) as caught:
        parse(text)
    assert isinstance(caught.value, TrajectoriesError)  # the CLI's one line and exit status 2
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_dataset_header_is_echoed_with_its_control_characters_escaped():
    """A header name holding ``ESC [2J`` (clear the screen) is shown as its escape in the one-line error."""
    import csv
    import io
    from pathlib import Path

    from trajectories.errors import NetworkError
    from trajectories.network.csv_data import _header

    with pytest.raises(NetworkError) as refused:
        _header(Path("d.csv"), csv.reader(io.StringIO("a,b\x1b[2J\n1,2\n")), {"target": "y", "features": None})
    assert str(refused.value) == "d.csv has no column 'y' (columns: a, b\\x1b[2J)"
