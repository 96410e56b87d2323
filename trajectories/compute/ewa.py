"""Series for the exponentially-weighted-average figure: the average itself, a seeded synthetic price
series, and reading a user's series from CSV with clear errors (numpy and the standard library only)."""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import SeriesError
from ..support.terminal import printable
from ..surfaces.analytic import Array
from ..trust.inputs import read_input


def ewa(values: Array, beta: float) -> Array:
    r"""The exponentially weighted average, seeded with the first value, without bias correction.

    .. math:: v_0 = x_0, \qquad v_t = \beta v_{t-1} + (1-\beta) x_t.

    This is the article's form (figure 5); it averages over roughly the last :math:`1/(1-\beta)` values.
    The first-value seed makes bias correction unnecessary: every :math:`v_t` is a weighted mean.

    >>> ewa(np.array([1.0, 3.0, 3.0]), 0.5).tolist()
    [1.0, 2.0, 2.5]
    """
    if not (math.isfinite(beta) and 0 <= beta < 1):
        raise SeriesError(f"beta must be in [0, 1), got {beta!r}")
    values = np.asarray(values, dtype=np.float64)
    averages = np.empty_like(values)
    averages[0] = values[0]
    for t in range(1, len(values)):
        averages[t] = beta * averages[t - 1] + (1 - beta) * values[t]
    return averages


def synthetic_prices(days: int = 253, start: float = 169.04, seed: int = 0) -> Array:
    """A seeded random walk shaped like a year of a large stock's closes (drift ~ +25 %/year, volatility
    ~ 25 %/year, a log-normal walk from ``start``). Synthetic: labelled so wherever it is shown."""
    rng = np.random.default_rng(seed)
    daily_drift, daily_volatility = 0.25 / 252, 0.25 / math.sqrt(252)
    steps = rng.normal(daily_drift - daily_volatility**2 / 2, daily_volatility, size=days - 1)
    return start * np.exp(np.concatenate([[0.0], np.cumsum(steps)]))


MAX_ROWS = 100_000
"""The most values a series may have (CSV rows, or synthetic days): the series figure draws them on a plot a
few thousand pixels wide, so more could not be seen. Every line after the header counts, blank ones too."""
MAX_BYTES = 32 * 2**20
"""The most bytes a series' CSV file may hold: 100,000 rows of a few hundred bytes each. Checked before
reading, so that a file of blank lines or a 200 MB header costs nothing."""
MAX_COLUMNS = 1_000
"""The most columns a series' CSV file may have."""
MAX_MAGNITUDE = 1e200
"""The largest magnitude of a value: the figure's axis spans the values and a margin, which must stay a
finite number (``±1e308`` overflowed it), as contour levels are drawn up to ±1e200."""


def load_series(path: str | Path, column: str) -> Array:
    """The numeric column ``column`` of the CSV file ``path`` (with a header row), in file order; at most
    :data:`MAX_ROWS` lines after the header, :data:`MAX_COLUMNS` columns and :data:`MAX_BYTES` bytes
    (:class:`SeriesError` past them), values finite and within ±:data:`MAX_MAGNITUDE`. The file is read
    once per change: a render asks for the series several times (its frame count, the averages, the view),
    and gets the array read the first time (read-only)."""
    path = Path(path)
    try:
        info = path.stat()
        key: tuple = (str(path.resolve()), info.st_mtime_ns, info.st_size, info.st_ino)
    except (OSError, ValueError):
        key = (str(path), None, None, None)  # open_input says what is wrong
    return _read_series(key, str(path), column)


@lru_cache(maxsize=8)
def _read_series(key: tuple, name: str, column: str) -> Array:
    path = Path(name)
    data = read_input(path, "series file", MAX_BYTES, SeriesError)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SeriesError(f"{path} is not a UTF-8 text file") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise SeriesError(f"{path} is empty")
    if len(lines) - 1 > MAX_ROWS:
        raise SeriesError(f"{path} has more than {MAX_ROWS} rows (blank lines count); the series figure reads at "
                          f"most {MAX_ROWS} values: shorten the file")
    try:
        rows = csv.reader(lines)
        header = next(rows)
        if len(header) > MAX_COLUMNS:
            raise SeriesError(f"{path} has {len(header)} columns, more than the {MAX_COLUMNS} a series file may have")
        if column not in header:
            more = f" and {len(header) - 20} more" if len(header) > 20 else ""
            shown = ", ".join(map(printable, header[:20])) + more  # a header's ESC shown, never sent
            raise SeriesError(f"{path} has no column {column!r} (columns: {shown})")
        index = header.index(column)
        named = printable(column)
        values = []
        for row_number, row in enumerate(rows, start=2):
            if not row:
                continue  # a blank line: no value, but it counted toward MAX_ROWS
            text_value = (row[index] if index < len(row) else "").strip()
            try:
                value = float(text_value)
            except ValueError:
                raise SeriesError(f"{path}:{row_number}: {named} is not a number: {text_value[:40]!r}") from None
            if not math.isfinite(value):
                raise SeriesError(f"{path}:{row_number}: {named} is not finite: {text_value[:40]!r}")
            if abs(value) > MAX_MAGNITUDE:
                raise SeriesError(f"{path}:{row_number}: {named} is {value:g}, beyond the ±{MAX_MAGNITUDE:g} the "
                                  "figure can draw")
            values.append(value)
    except csv.Error as error:
        raise SeriesError(f"{path} is not valid CSV: {error}") from None
    if len(values) < 2:
        raise SeriesError(f"{path}: column {column!r} needs at least 2 values, got {len(values)}")
    series = np.array(values)
    series.flags.writeable = False
    return series
