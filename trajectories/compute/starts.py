"""Start sets: many start points at once, as small frozen values a scene, a TOML file or the command line
can name.

- :class:`Grid` ``(nx, ny)``: the centres of an ``nx`` × ``ny`` grid of equal cells over the window,
  row by row from the bottom left (``x`` fastest). Coordinates are ``c + h·u`` with ``u = (2i + 1 − n)/n``,
  so a window centred on 0 gives points that are exact mirror images of each other.
- :class:`Random` ``(count, seed)``: ``count`` points uniform over the window (numpy's PCG64, seeded).
- :class:`Disk` ``(count, center, radius, seed)``: ``count`` points uniform over a disk, by rejection
  from its bounding square (plain arithmetic, no ``sin``/``cos``: the same points on every CPU). The disk
  must lie in the window.

On the command line (``--starts``, repeatable, mixing with ``--start X,Y``)::

    grid:100x100    random:500    random:500:seed=3    disk:200:center=-1,1,radius=0.3[,seed=S]

In TOML, ``starts = { grid = [100, 100] }``, ``{ random = 500, seed = 3 }``,
``{ disk = 200, center = [-1, 1], radius = 0.3 }``, or a list of such tables.

>>> parse_start_set("grid:2x2").points((-1.0, 1.0, -1.0, 1.0)).tolist()
[[-0.5, -0.5], [0.5, -0.5], [-0.5, 0.5], [0.5, 0.5]]
>>> parse_start_set("random:-1")
Traceback (most recent call last):
...
trajectories.errors.StartSetError: random:-1: the count must be a whole number from 1 to 4000000
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import StartSetError

if TYPE_CHECKING:  # numpy is imported where points are made: the command line's help never needs it
    import numpy as np

Window = tuple[float, float, float, float]

MAX_STARTS = 4_000_000
"""The most start points one scene or run may have (a 2,000 × 2,000 basin map); memory is checked too
(:mod:`trajectories.pipeline.limits`), so fewer may be allowed for many steps."""


def _whole(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _count_problem(value: Any, what: str = "the count") -> str | None:
    if not _whole(value) or not 1 <= value <= MAX_STARTS:
        return f"{what} must be a whole number from 1 to {MAX_STARTS}"
    return None


def _seed_problem(value: Any) -> str | None:
    if not _whole(value) or not 0 <= value < 2**63:
        return "the seed must be a whole number from 0 to 9223372036854775807"
    return None


def _centred(low: float, high: float, count: int) -> np.ndarray:
    """``count`` cell centres over ``[low, high]``, mirror-exact about the middle."""
    import numpy as np

    u = (2.0 * np.arange(count) + 1.0 - count) / count
    return (low + high) / 2 + (high - low) / 2 * u


@dataclass(frozen=True)
class Grid:
    """The centres of an ``nx`` × ``ny`` grid of equal cells covering the window."""

    nx: int
    ny: int

    def __post_init__(self) -> None:
        for value in (self.nx, self.ny):
            if not _whole(value) or value < 1:
                raise StartSetError(f"{self.text()}: a grid needs a whole number of at least 1 point per side")
        if self.nx * self.ny > MAX_STARTS:
            raise StartSetError(f"{self.text()}: {self.nx * self.ny} points, more than the {MAX_STARTS} a scene "
                                "or run may have")

    @property
    def count(self) -> int:
        return int(self.nx * self.ny)

    def text(self) -> str:
        return f"grid:{self.nx}x{self.ny}"

    def points(self, window: Sequence[float]) -> np.ndarray:
        """``(ny·nx, 2)``: row by row from the bottom, ``x`` fastest."""
        import numpy as np

        x0, x1, y0, y1 = window
        xs, ys = np.meshgrid(_centred(x0, x1, self.nx), _centred(y0, y1, self.ny))
        return np.stack([xs.ravel(), ys.ravel()], axis=-1)

    def check(self, window: Sequence[float]) -> None:
        """A grid always fits its window."""


@dataclass(frozen=True)
class Random:
    """``count`` points uniform over the window, seeded."""

    count: int
    seed: int = 0

    def __post_init__(self) -> None:
        problem = _count_problem(self.count) or _seed_problem(self.seed)
        if problem:
            raise StartSetError(f"{self.text()}: {problem}")

    def text(self) -> str:
        return f"random:{self.count}" + (f":seed={self.seed}" if self.seed else "")

    def points(self, window: Sequence[float]) -> np.ndarray:
        import numpy as np

        x0, x1, y0, y1 = window
        unit = np.random.default_rng(self.seed).random((self.count, 2))
        return np.column_stack([x0 + (x1 - x0) * unit[:, 0], y0 + (y1 - y0) * unit[:, 1]])

    def check(self, window: Sequence[float]) -> None:
        """Points of the window always fit it."""


@dataclass(frozen=True)
class Disk:
    """``count`` points uniform over the disk of ``radius`` around ``center``, seeded; it must lie in the
    window."""

    count: int
    center: tuple[float, float]
    radius: float
    seed: int = 0

    def __post_init__(self) -> None:
        center = self.center
        if (isinstance(center, str) or not isinstance(center, Sequence) or len(center) != 2
                or not all(map(_real, center))):
            raise StartSetError(f"disk:{self.count}: the centre must be two finite numbers X,Y, got {center!r}")
        object.__setattr__(self, "center", (float(center[0]), float(center[1])))
        problem = _count_problem(self.count) or _seed_problem(self.seed)
        if problem is None and (not _real(self.radius) or self.radius <= 0):
            problem = f"the radius must be a finite number > 0, got {self.radius!r}"
        if problem:
            raise StartSetError(f"{self.text()}: {problem}")
        object.__setattr__(self, "radius", float(self.radius))

    def text(self) -> str:
        cx, cy = self.center
        seed = f",seed={self.seed}" if self.seed else ""
        return f"disk:{self.count}:center={cx:g},{cy:g},radius={self.radius:g}{seed}"

    def points(self, window: Sequence[float]) -> np.ndarray:
        import numpy as np

        rng = np.random.default_rng(self.seed)
        found: list[np.ndarray] = []
        needed = self.count
        while needed > 0:  # rejection from the square: about 1.27 draws a point
            square = rng.random((max(64, needed + needed // 3 + 16), 2)) * 2.0 - 1.0
            inside = square[(square * square).sum(axis=1) <= 1.0]
            found.append(inside[:needed])
            needed -= len(found[-1])
        unit = np.concatenate(found)
        return np.column_stack([self.center[0] + self.radius * unit[:, 0], self.center[1] + self.radius * unit[:, 1]])

    def check(self, window: Sequence[float]) -> None:
        x0, x1, y0, y1 = window
        (cx, cy), r = self.center, self.radius
        if not (x0 <= cx - r and cx + r <= x1 and y0 <= cy - r and cy + r <= y1):
            raise StartSetError(f"{self.text()}: the disk is not inside the window "
                                f"[{x0:g}, {x1:g}]×[{y0:g}, {y1:g}]")


StartSet = Grid | Random | Disk
START_SETS = (Grid, Random, Disk)
START_SET_HELP = ("grid:NXxNY, random:N[:seed=S] or disk:N:center=X,Y,radius=R[,seed=S] "
                  "(repeatable; mixes with --start)")

_KEYS = re.compile(r"(center|radius|seed)=")


def _options(text: str, body: str, allowed: set[str]) -> dict[str, str]:
    """``key=value`` pairs of ``body`` (values may hold commas: ``center=-1,1,radius=0.3``)."""
    marks = list(_KEYS.finditer(body))
    if body and (not marks or marks[0].start() != 0):
        raise StartSetError(f"{text}: expected key=value options ({', '.join(sorted(allowed))}), got {body!r}")
    found: dict[str, str] = {}
    for index, mark in enumerate(marks):
        after = marks[index + 1] if index + 1 < len(marks) else None
        key = mark.group(1)
        value = body[mark.end(): after.start() if after else len(body)].rstrip(",")
        if key not in allowed:
            raise StartSetError(f"{text}: unknown option {key!r} (known: {', '.join(sorted(allowed))})")
        if key in found:
            raise StartSetError(f"{text}: {key} is given twice")
        found[key] = value
    return found


def _int(text: str, value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise StartSetError(f"{text}: {what} must be a whole number, got {value!r}") from None


def _float(text: str, value: str, what: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise StartSetError(f"{text}: {what} must be a finite number, got {value!r}")
    return number


def parse_start_set(text: str) -> StartSet:
    """A start set from its command-line form; :class:`StartSetError` (one line) otherwise."""
    text = str(text).strip()
    kind, _, rest = text.partition(":")
    if kind == "grid":
        match = re.fullmatch(r"([+-]?\d+)[xX]([+-]?\d+)", rest)
        if not match:
            raise StartSetError(f"{text}: expected grid:NXxNY, e.g. grid:100x100")
        return Grid(int(match.group(1)), int(match.group(2)))
    if kind == "random":
        count, _, body = rest.partition(":")
        options = _options(text, body, {"seed"})
        seed = _int(text, options["seed"], "the seed") if "seed" in options else 0
        return Random(_int(text, count, "the count"), seed)
    if kind == "disk":
        count, _, body = rest.partition(":")
        options = _options(text, body, {"center", "radius", "seed"})
        missing = [key for key in ("center", "radius") if key not in options]
        if missing:
            raise StartSetError(f"{text}: a disk needs center=X,Y and radius=R (missing: {', '.join(missing)})")
        parts = options["center"].split(",")
        if len(parts) != 2:
            raise StartSetError(f"{text}: the centre must be two numbers X,Y, got {options['center']!r}")
        center = (_float(text, parts[0], "the centre"), _float(text, parts[1], "the centre"))
        seed = _int(text, options["seed"], "the seed") if "seed" in options else 0
        return Disk(_int(text, count, "the count"), center, _float(text, options["radius"], "the radius"), seed)
    raise StartSetError(f"{text}: unknown start set {kind!r}; expected {START_SET_HELP.split(' (')[0]}")


def _from_table(table: Mapping[str, Any]) -> StartSet:
    """A start set from its TOML table (``{ grid = [100, 100] }``, ``{ random = 500, seed = 3 }``...)."""
    kinds = [key for key in ("grid", "random", "disk") if key in table]
    if len(kinds) != 1:
        raise StartSetError(f"a start set is a table with one of grid, random or disk, got {dict(table)!r}")
    kind = kinds[0]
    allowed = {"grid": {"grid"}, "random": {"random", "seed"}, "disk": {"disk", "center", "radius", "seed"}}[kind]
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise StartSetError(f"{kind}: unknown key {unknown[0]!r} (known: {', '.join(sorted(allowed))})")
    if kind == "grid":
        sides = table["grid"]
        if isinstance(sides, str) or not isinstance(sides, Sequence) or len(sides) != 2:
            raise StartSetError(f"grid must be [NX, NY], got {sides!r}")
        return Grid(*sides)
    if kind == "random":
        return Random(table["random"], table.get("seed", 0))
    if "center" not in table or "radius" not in table:
        raise StartSetError("a disk needs center = [X, Y] and radius = R")
    return Disk(table["disk"], tuple(table["center"]) if isinstance(table["center"], list) else table["center"],
                table["radius"], table.get("seed", 0))


def as_start_sets(value: Any) -> tuple[StartSet, ...]:
    """``value`` as a tuple of start sets: a start set, its text (``"grid:10x10"``) or TOML table, or a
    list of them; :class:`StartSetError` otherwise."""
    if isinstance(value, START_SETS):
        return (value,)
    if isinstance(value, str):
        return (parse_start_set(value),)
    if isinstance(value, Mapping):
        return (_from_table(value),)
    if isinstance(value, Sequence) and value:
        return tuple(item for part in value for item in as_start_sets(part))
    raise StartSetError(f"start sets must be Grid, Random or Disk values, their text or tables, got {value!r}")


def start_sets_problem(value: Any) -> str | None:
    """What is wrong with ``value`` as start sets, or ``None``."""
    try:
        as_start_sets(value)
    except StartSetError as error:
        return str(error)
    return None


def expand(sets: Sequence[StartSet], window: Sequence[float]) -> np.ndarray:
    """Every point of ``sets`` in order, ``(N, 2)``; :class:`StartSetError` if a set does not fit the
    window or the sets hold more than :data:`MAX_STARTS` points together."""
    import numpy as np

    total = sum(s.count for s in sets)
    if total > MAX_STARTS:
        raise StartSetError(f"{total} start points, more than the {MAX_STARTS} a scene or run may have")
    for start_set in sets:
        start_set.check(window)
    if not sets:
        return np.empty((0, 2))
    return np.concatenate([start_set.points(window) for start_set in sets])


def describe_starts(starts: Iterable[tuple[float, float]]) -> str:
    """Start points as text: ``(1, 2) (-0.5, 3)``."""
    return " ".join(f"({x:g}, {y:g})" for x, y in starts)
