"""Series for the exponentially-weighted-average figure: the average itself, a seeded synthetic price
series, and reading a user's series from CSV with clear errors (numpy and the standard library only)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from .errors import SeriesError
from .surfaces import Array


def ewa(values: Array, beta: float) -> Array:
    r"""The exponentially weighted average, seeded with the first value, without bias correction.

    .. math:: v_0 = x_0, \qquad v_t = \beta v_{t-1} + (1-\beta) x_t.

    This is the article's form (figure 5); it averages over roughly the last :math:`1/(1-\beta)` values.
    The first-value seed makes bias correction unnecessary: every :math:`v_t` is a weighted mean.

    >>> ewa(np.array([1.0, 3.0, 3.0]), 0.5).tolist()
    [1.0, 2.0, 2.5]
    """
    if not (math.isfinite(beta) and 0 <= beta < 1):
        raise ValueError(f"beta must be in [0, 1), got {beta!r}")
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
few thousand pixels wide, so more could not be seen; reading stops at the first row past it (a
10-million-row file is refused after 100,001 rows, in bounded memory and time)."""


def load_series(path: str | Path, column: str) -> Array:
    """The numeric column ``column`` of the CSV file ``path`` (with a header row), in file order; at most
    :data:`MAX_ROWS` rows (:class:`SeriesError` past them, before reading the rest)."""
    path = Path(path)
    if not path.is_file():
        raise SeriesError(f"no such file: {path}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            if reader.fieldnames is None:
                raise SeriesError(f"{path} is empty")
            if column not in reader.fieldnames:
                raise SeriesError(f"{path} has no column {column!r} (columns: {', '.join(reader.fieldnames)})")
            values = []
            for row_number, row in enumerate(reader, start=2):
                if len(values) == MAX_ROWS:
                    raise SeriesError(f"{path} has more than {MAX_ROWS} rows; the series figure reads at most "
                                      f"{MAX_ROWS} values: shorten the file")
                text = (row.get(column) or "").strip()
                try:
                    value = float(text)
                except ValueError:
                    raise SeriesError(f"{path}:{row_number}: {column} is not a number: {text!r}") from None
                if not math.isfinite(value):
                    raise SeriesError(f"{path}:{row_number}: {column} is not finite: {text!r}")
                values.append(value)
    except UnicodeDecodeError:
        raise SeriesError(f"{path} is not a UTF-8 text file") from None
    except csv.Error as error:
        raise SeriesError(f"{path} is not valid CSV: {error}") from None
    if len(values) < 2:
        raise SeriesError(f"{path}: column {column!r} needs at least 2 values, got {len(values)}")
    return np.array(values)
