r"""A network's dataset read from a CSV file: data, under the trust boundary's rules.

``csv:path=FILE,target=COLUMN[,features=[A,B,...]][,task=TASK][,validation=F][,seed=N]``: a header row,
then one sample per row. ``features`` (default: every column but the target) must hold finite numbers;
the ``target`` column holds class labels (numbers or words) or, for regression, numbers.

``task`` is ``binary``, ``multiclass`` or ``regression``; without it, a target of numbers that are not
all whole, or of more than :data:`~trajectories.network.bounds.MAX_CLASSES` distinct whole numbers, is a
regression, and any other target a classification (binary with two distinct labels). Labels are sorted
(as numbers when they all are) and class ``k`` is the ``k``-th of them.

Nothing in the file is run or imported: cells are read as text and converted with ``float``. The file's
size (:data:`~trajectories.network.bounds.MAX_CSV_BYTES`, checked before reading), its rows
(:data:`~trajectories.network.bounds.MAX_SAMPLES`) and columns
(:data:`~trajectories.network.bounds.MAX_CSV_COLUMNS`) are bounded, and every problem is one line that
names the file and, where there is one, the row. (A ``path`` holding ``,`` cannot be written in a spec;
give it from Python or TOML.)
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import NetworkError
from ..support.terminal import printable
from ..trust.inputs import open_input
from .bounds import MAX_CLASSES, MAX_CSV_BYTES, MAX_CSV_COLUMNS, MAX_FEATURES, MAX_SAMPLES
from .data import COMMON, Data, check_value

KEYS = ("path", "target", "features", "task", "validation", "seed")
TASK_NAMES = ("binary", "multiclass", "regression")


def check_csv_keys(params: dict[str, Any]) -> dict[str, Any]:
    """The keys of a ``csv`` spec, checked and normalised (``features`` a tuple of names or ``None``,
    ``task`` a name or ``None``); :class:`NetworkError` otherwise. The file is not opened yet."""
    unknown = sorted(set(params) - set(KEYS))
    if unknown:
        raise NetworkError(f"csv: unknown key {unknown[0]!r} (keys: {', '.join(KEYS)})")
    for key in ("path", "target"):
        if not isinstance(params.get(key), str) or not params[key].strip():
            raise NetworkError(f"csv: give the {key}, e.g. 'csv:path=points.csv,target=label'")
    features = params.get("features")
    if isinstance(features, str):
        text = features.strip()
        if not (text.startswith("[") and text.endswith("]")):
            raise NetworkError(f"csv: features must be a list of column names such as [x,y], got {features!r}")
        features = [name.strip() for name in text[1:-1].split(",")]
    if features is not None:
        if not isinstance(features, (list, tuple)) or not features or not all(
            isinstance(name, str) and name for name in features
        ):
            raise NetworkError(f"csv: features must be a list of column names such as [x,y], got {features!r}")
        if len(features) > MAX_FEATURES:
            raise NetworkError(f"csv: at most {MAX_FEATURES} features, got {len(features)}")
        features = tuple(features)
    task = params.get("task")
    if task is not None and task not in TASK_NAMES:
        raise NetworkError(f"csv: task must be one of {', '.join(TASK_NAMES)}, got {task!r}")
    validation = check_value("csv", "validation", COMMON["validation"], params.get("validation", 0.0))
    seed = check_value("csv", "seed", COMMON["seed"], params.get("seed", 0))
    return {"path": params["path"].strip(), "target": params["target"].strip(), "features": features,
            "task": task, "validation": validation, "seed": seed}


def csv_text(params: Mapping[str, Any]) -> str:
    """The spec text of checked ``csv`` keys."""
    parts = [f"path={params['path']}", f"target={params['target']}"]
    if params["features"] is not None:
        parts.append("features=[" + ",".join(params["features"]) + "]")
    if params["task"] is not None:
        parts.append(f"task={params['task']}")
    if params["validation"]:
        parts.append(f"validation={params['validation']!r}")
    if params["seed"]:
        parts.append(f"seed={params['seed']}")
    return "csv:" + ",".join(parts)


def _read_text(path: Path) -> str:
    """The file's text: a regular file of at most :data:`MAX_CSV_BYTES`, opened as every input is
    (:func:`~trajectories.trust.inputs.open_input`: a FIFO, a folder or an unreadable file named as such)."""
    with open_input(path, "dataset file", MAX_CSV_BYTES, NetworkError) as file:
        raw = file.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:  # it grew since it was opened
        raise NetworkError(f"{path} has more than the {MAX_CSV_BYTES} bytes a dataset file may have")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NetworkError(f"{path} is not a UTF-8 text file") from None


def _header(path: Path, reader: Any, params: Mapping[str, Any]) -> tuple[list[str], int, list[int]]:
    header = next(reader, None)
    if not header:
        raise NetworkError(f"{path} is empty (a CSV dataset starts with a header row)")
    header = [name.strip() for name in header]
    if len(header) > MAX_CSV_COLUMNS:
        raise NetworkError(f"{path} has {len(header)} columns, more than the {MAX_CSV_COLUMNS} a dataset may have")
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise NetworkError(f"{path}: column {duplicated[0]!r} appears twice in the header")
    target = params["target"]
    shown = ", ".join(map(printable, header))  # a header's ESC shown as its escape, never sent to the terminal
    if target not in header:
        raise NetworkError(f"{path} has no column {target!r} (columns: {shown})")
    features = params["features"] or tuple(name for name in header if name != target)
    for name in features:
        if name not in header:
            raise NetworkError(f"{path} has no column {name!r} (columns: {shown})")
        if name == target:
            raise NetworkError(f"{path}: the target {target!r} cannot also be a feature")
    if not features:
        raise NetworkError(f"{path}: no feature columns besides the target {target!r}")
    if len(features) > MAX_FEATURES:
        raise NetworkError(f"{path} has {len(features)} feature columns, more than {MAX_FEATURES}; choose some "
                           "with features=[...]")
    return header, header.index(target), [header.index(name) for name in features]


def read_csv(params: Mapping[str, Any], name: str) -> Data:
    """The :class:`~trajectories.network.data.Data` of a checked ``csv`` spec."""
    path = Path(params["path"])
    text = _read_text(path)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header, target_column, feature_columns = _header(path, reader, params)
        rows, targets = [], []
        for row_number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue  # blank lines
            if len(rows) == MAX_SAMPLES:
                raise NetworkError(f"{path} has more than {MAX_SAMPLES} rows; a dataset may have at most "
                                   f"{MAX_SAMPLES} samples")
            if len(row) != len(header):
                raise NetworkError(f"{path}:{row_number}: {len(row)} cells, the header has {len(header)}")
            rows.append([_number(path, row_number, header[c], row[c]) for c in feature_columns])
            targets.append(row[target_column].strip())
    except csv.Error as error:
        raise NetworkError(f"{path} is not valid CSV: {error}") from None
    if len(rows) < 2:
        raise NetworkError(f"{path} needs at least 2 samples, got {len(rows)}")
    task, values, labels = _targets(path, params["target"], targets, params["task"])
    return Data(np.array(rows, dtype=np.float64), values, task, name, labels)


def _number(path: Path, row: int, column: str, cell: str) -> float:
    text, column = cell.strip(), printable(column)
    try:
        value = float(text)
    except ValueError:
        raise NetworkError(f"{path}:{row}: {column} is not a number: {text[:40]!r}") from None
    if not math.isfinite(value):
        raise NetworkError(f"{path}:{row}: {column} is not finite: {text[:40]!r}")
    return value


def _as_numbers(cells: list[str]) -> list[float] | None:
    try:
        numbers = [float(cell) for cell in cells]
    except ValueError:
        return None
    return numbers if all(math.isfinite(value) for value in numbers) else None


def _targets(path: Path, column: str, cells: list[str], task: str | None) -> tuple[str, np.ndarray, tuple[str, ...]]:
    """The task, the target array and the class labels of a target column's cells."""
    numbers = _as_numbers(cells)
    inferred_regression = numbers is not None and (
        not all(value.is_integer() for value in numbers) or len(set(numbers)) > MAX_CLASSES
    )
    if task == "regression" or (task is None and inferred_regression):
        if numbers is None:
            bad = next(cell for cell in cells if _as_numbers([cell]) is None)
            raise NetworkError(f"{path}: regression needs numbers in {column!r}, got {bad[:40]!r}")
        return "regression", np.array(numbers)[:, None], ()
    distinct = sorted(set(numbers)) if numbers is not None else sorted(set(cells))
    if len(distinct) > MAX_CLASSES:
        raise NetworkError(f"{path}: {column!r} has {len(distinct)} classes, more than {MAX_CLASSES}")
    if len(distinct) < 2:
        raise NetworkError(f"{path}: {column!r} has a single class ({cells[0]!r}); a classifier needs two or more")
    if task == "binary" and len(distinct) != 2:
        raise NetworkError(f"{path}: task=binary needs 2 classes in {column!r}, got {len(distinct)}")
    index = {value: k for k, value in enumerate(distinct)}
    keys = numbers if numbers is not None else cells
    classes = np.array([index[key] for key in keys], dtype=np.int64)
    labels = tuple(_label(value) for value in distinct)
    if task == "multiclass" or (task is None and len(distinct) > 2):
        return "multiclass", classes, labels
    return "binary", classes.astype(np.float64), labels


def _label(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
