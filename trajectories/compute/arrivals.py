r"""Where many paths arrive, and when: the streaming half of the convergence rule of :mod:`trajectories.compute.basins`.

The rule needs, per start, the target its last point lies within :math:`\tau` of, and the first step
from which every point lies within :math:`\tau` of that target (distances compared squared,
``dx * dx + dy * dy <= r * r``: exact operations, the same on every CPU). Both trackers here read the
many-start loop's blocks (:mod:`trajectories.compute.stepping`) and give the same numbers.

- :class:`ArrivalTracker` keeps, per start and target, the last step the path was outside the target's
  ball: every point against every target. It serves any targets, and full paths
  (:func:`trajectories.compute.basins.converged`).
- :class:`HomeTracker` serves targets whose balls are disjoint (:func:`disjoint`: every pair of targets
  farther apart than :math:`2\tau`), the usual case (known minima, clusters of end points). A point then
  lies in one ball at most, and a start needs only its *home*, the ball its latest point lies in, and
  *since*, the first step of its stay there. Per block of steps, from each path's bounding box over the
  block (what the loop keeps as it goes: :class:`trajectories.compute.stepping.BoxConsumer`):

  * a box inside the home ball, with a margin (first inside the square inside the ball, then the box's
    farthest corner), leaves both as they are: a settled path, most of them once paths arrive;
  * for the others, the block's last point decides the home: in no ball, none (wherever the path went in
    between); in a ball, that one, and the path's points of the block are checked against that ball
    with the rule's own comparison to find when its stay began (the loop keeps those points as they go
    for the paths likely to arrive, or recomputes them).

  The margins (a fraction :data:`MARGIN` of :math:`\tau^2`) are far larger than the rounding of the box
  tests, so a box test never decides what the exact comparison would decide otherwise: the numbers are
  the rule's. The cost is a few operations per start and block instead of per point and target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..surfaces.analytic import Array

WHOLE = 4
"""Check the block's points of every path at once when more than one path in this many has arrived."""

CALM = 32
"""The tracker is calm when at most one path in this many may come near a ball in the next block."""

MARGIN = 1e-9
"""How far (a fraction of :math:`\\tau^2`) a box must be inside a ball, or away from one, to decide it
without the exact comparison."""


def points_of(targets: Sequence[Any]) -> Array:
    """``(K, 2)``: the targets' points."""
    return np.array([[t.x, t.y] for t in targets], dtype=np.float64).reshape(-1, 2)


def disjoint(targets: Sequence[Any], radius: float) -> bool:
    """Whether the targets' balls of ``radius`` are pairwise disjoint, with room to spare (each pair more
    than :math:`2.001\\,\\tau` apart)."""
    points = points_of(targets)
    gaps = points[:, None, :] - points[None, :, :]
    apart = (gaps**2).sum(axis=-1) > (2.001 * radius) ** 2
    np.fill_diagonal(apart, True)
    return bool(apart.all())


class ArrivalTracker:
    """Per start and target, the last step the path was outside the target's ball (-1: never): every point
    against every target."""

    def __init__(self, targets: Sequence[Any], count: int, radius: float) -> None:
        self.points = points_of(targets)
        self.radius = radius
        self.last_outside = np.full((len(self.points), count), -1, dtype=np.int64)
        self.rows = np.arange(count)

    def outside(self, k: int, points: Array) -> Array:
        """Which of ``points`` (``(..., 2)``; NaN: a diverged path) lie outside target ``k``'s ball."""
        x, y = self.points[k]
        dx, dy = points[..., 0] - x, points[..., 1] - y
        with np.errstate(invalid="ignore"):
            return ~(dx * dx + dy * dy <= self.radius * self.radius)  # exact operations: the same on every CPU

    def start(self, rows: Array) -> None:
        self.rows = rows

    def block(self, first: int, points: Array) -> None:
        """Points ``first, first + 1, ...`` of the current paths, ``(b, m, 2)``."""
        for k in range(len(self.points)):
            outside = self.outside(k, points)
            seen = outside.any(axis=0)
            last = len(points) - 1 - np.argmax(outside[::-1], axis=0)
            self.last_outside[k, self.rows[seen]] = first + last[seen]

    def keep(self, kept: Array) -> None:
        self.rows = self.rows[kept]

    def finish(self) -> None:
        pass

    def result(self, final: Array, diverged_step: Array) -> tuple[Array, Array]:
        """``(converged_to, converged_step)``, -1 where none, from the paths' last points ``final``."""
        count = len(final)
        if not len(self.points):
            return np.full(count, -1, dtype=np.int64), np.full(count, -1, dtype=np.int64)
        dx, dy = final[:, None, 0] - self.points[None, :, 0], final[:, None, 1] - self.points[None, :, 1]
        gaps = dx * dx + dy * dy  # squared distances
        nearest = np.argmin(np.where(np.isfinite(gaps), gaps, np.inf), axis=1)
        nearest_gap = np.take_along_axis(gaps, nearest[:, None], 1)[:, 0]
        reached = (diverged_step < 0) & (nearest_gap <= self.radius * self.radius)
        converged_to = np.where(reached, nearest, -1)
        step = self.last_outside[nearest, np.arange(count)] + 1
        return converged_to.astype(np.int64), np.where(reached, step, -1).astype(np.int64)


class HomeTracker:
    """Each start's home ball and the first step of its stay there, for disjoint balls (see the module)."""

    boxes = True  # what it reads of the many-start loop (:class:`trajectories.compute.stepping.BoxConsumer`)

    def __init__(self, targets: Sequence[Any], count: int, radius: float) -> None:
        self.points = points_of(targets)
        self.radius = radius
        none = len(self.points)  # the index of "no ball", whose coordinates are NaN
        self.xs = np.append(self.points[:, 0], np.nan)
        self.ys = np.append(self.points[:, 1], np.nan)
        self.inside_limit = radius * radius * (1.0 - MARGIN)
        side = radius * (1.0 - MARGIN) / math.sqrt(2.0)  # the square inside each ball, with a margin
        # each target's square, x and y apart (one-dimensional arrays are the fastest to pick from)
        self.square_low = [np.append(self.points[:, axis] - side, np.inf) for axis in (0, 1)]  # none: no square
        self.square_high = [np.append(self.points[:, axis] + side, -np.inf) for axis in (0, 1)]
        self.all_home = np.full(count, none, dtype=np.int64)
        self.all_since = np.full(count, -1, dtype=np.int64)
        self.start(np.arange(0))

    def start(self, rows: Array) -> None:
        self.rows = rows
        self.home = np.full(len(rows), len(self.points), dtype=np.int64)
        self.since = np.zeros(len(rows), dtype=np.int64)
        self.low = [edge[self.home] for edge in self.square_low]  # each home's square, x and y apart
        self.high = [edge[self.home] for edge in self.square_high]
        self.near = np.arange(len(rows))  # the first block: any path may arrive
        self.moved = len(rows)
        self.gap = np.zeros(len(rows))  # no nearer than this to any target (a lower bound)

    def watch(self) -> Array:
        """The paths whose points the loop should keep as they go, so that checking them needs no second
        computation: every path while many are on the move (copying whole arrays costs little), then those
        that may come near a ball in the next block (arriving, hovering, near a ball's edge), judged by where
        their last block's box was and how large it was."""
        return self.near if self.calm() else np.arange(len(self.home))

    def calm(self) -> bool:
        """Few paths may come near a ball in the next block (at most one in :data:`CALM`): the others have
        settled or are on their way, and longer blocks cost less per step."""
        return CALM * len(self.near) <= len(self.home)

    def box(self, first: int, low: Array, high: Array, points: Any) -> None:
        """The current paths' boxes ``low``, ``high`` ``(m, 2)`` over steps ``first`` to ``first +
        points.length``; ``points.last`` are their last points, ``points.coordinates(paths, begin, end)``
        their points in between (:class:`trajectories.compute.stepping.BoxConsumer`).

        A path whose box stays in its home ball keeps its home and stay. One whose last point was farther
        from every target than its box is wide, plus :math:`\tau`, is in no ball now (and was in none: a
        home's distance is under :math:`\tau`); only the others are looked at (:meth:`_look`)."""
        if not len(self.points):
            return
        lx, ly, ux, uy = low[:, 0], low[:, 1], high[:, 0], high[:, 1]
        stay = lx >= self.low[0]  # in the square inside the home ball
        stay &= ly >= self.low[1]
        stay &= ux <= self.high[0]
        stay &= uy <= self.high[1]
        with np.errstate(invalid="ignore"):
            edge = np.flatnonzero(~stay & (self.home < len(self.points)))  # beside the square: still in the ball?
            if edge.size:
                home = self.home[edge]
                hx, hy = self.xs[home], self.ys[home]
                fx = np.maximum(np.abs(lx[edge] - hx), np.abs(ux[edge] - hx))  # the box's farthest corner
                fy = np.maximum(np.abs(ly[edge] - hy), np.abs(uy[edge] - hy))
                stay[edge[fx * fx + fy * fy <= self.inside_limit]] = True
            wide = np.maximum(ux - lx, uy - ly)
            wide *= math.sqrt(2.0) * (1.0 + MARGIN)  # the box's diagonal: how far its last point can be from the first
            gap = self.gap - wide  # no nearer than this to any target now
            far = gap > self.radius * (1.0 + MARGIN)
            far &= ~stay
            np.copyto(self.gap, gap, where=far)
            gap -= self.radius
            self.near = np.flatnonzero(~stay & (gap <= wide))  # may come into a ball in the next block: watch them
            look = np.flatnonzero(~(stay | far))
        self.moved = int(np.count_nonzero(~stay))
        if look.size:
            self._look(first, points, look)

    def _look(self, first: int, points: Any, paths: Array) -> None:
        """The last points of ``paths`` against every target: their homes and their distances to the
        nearest target; the stays of those in a ball (:meth:`_trailing`)."""
        everyone = len(paths) == len(self.home)
        lx, ly = (points.last[:, axis] if everyone else points.last[:, axis].take(paths) for axis in (0, 1))
        ball = np.full(len(paths), len(self.points), dtype=np.int64)
        squared = self.radius * self.radius
        nearest = np.full(len(paths), np.inf)
        for k, (x, y) in enumerate(self.points):
            dx, dy = lx - x, ly - y
            dx *= dx
            dy *= dy
            dx += dy
            np.copyto(ball, k, where=dx <= squared)  # the rule's comparison: (x - tx)² + (y - ty)² <= τ²
            np.minimum(nearest, dx, out=nearest)
        np.sqrt(nearest, out=nearest)
        nearest *= 1.0 - MARGIN
        if everyone:
            self.gap = nearest
        else:
            self.gap[paths] = nearest
        arrived = np.flatnonzero(ball < len(self.points))
        if arrived.size:
            which, to = paths.take(arrived), ball.take(arrived)
            trailing = self._trailing(points, which, to)
            whole = trailing == points.length + 1
            kept = whole & (self.home.take(which) == to)  # in that ball since before the block
            self.since[which[~kept]] = first + points.length - trailing[~kept] + 1
        self.home[paths] = ball
        for axis in (0, 1):
            self.low[axis][paths], self.high[axis][paths] = self.square_low[axis][ball], self.square_high[axis][ball]

    def _trailing(self, points: Any, paths: Array, ball: Array) -> Array:
        """How many of the block's points of ``paths``, counted back from the last (which is in its
        ``ball``), lie in that ball without a break: 3, 6, 12... points further back at a time, for the
        paths not yet out of it; ``length + 1`` when all of them do, the block's first point included. While
        many paths are to be checked and every path's points were kept, whole rows are checked
        (:meth:`_inside_rows`)."""
        xs, ys = self.xs[ball], self.ys[ball]
        count = np.ones(len(paths), dtype=np.int64)
        going = np.arange(len(paths))  # paths whose run goes on
        every = points.every_coordinate() if points.kept_all() else None
        end, reach = points.length, 3  # ``end``: the index (0 = the block's first point) checked before
        while going.size and end > 0:
            begin = max(0, end - reach)
            wide = every is not None and WHOLE * going.size > len(self.home)
            if wide:
                inside = self._inside_rows(every, begin, end, paths[going], xs[going], ys[going])
            else:
                x, y = points.coordinates(paths[going], begin, end)  # (end - begin, s) each
                inside = self._inside(x, y, xs[going], ys[going])
            run = _run_at_end(inside)
            count[going] += run
            going = going[run == end - begin]
            end, reach = begin, 2 * reach
        return count

    def _inside(self, x: Array, y: Array, tx: Array, ty: Array) -> Array:
        """Whether each point ``(x, y)`` lies in the ball around ``(tx, ty)`` (NaN: in none)."""
        with np.errstate(invalid="ignore"):
            dx, dy = x - tx, y - ty
            dx *= dx
            dy *= dy
            dx += dy
            return dx <= self.radius * self.radius  # the rule's comparison

    def _inside_rows(self, every: tuple[Array, Array], begin: int, end: int, paths: Array, xs: Array,
                     ys: Array) -> Array:
        """:meth:`_inside` for ``paths`` (in the balls ``xs``, ``ys``) at the block's points ``begin`` to
        ``end``, ``(end - begin, s)``, checked over every path's whole rows (one row at a time: no copies
        of their columns, little memory), then the paths' columns read off."""
        tx, ty = np.full(len(self.home), np.nan), np.full(len(self.home), np.nan)  # NaN: no ball
        tx[paths], ty[paths] = xs, ys
        inside = np.empty((end - begin, len(self.home)), dtype=bool)
        for row in range(begin, end):
            inside[row - begin] = self._inside(every[0][row], every[1][row], tx, ty)
        return inside.take(paths, axis=1)

    def keep(self, kept: Array) -> None:
        self.rows, self.home, self.since = self.rows[kept], self.home[kept], self.since[kept]
        self.low, self.high = [edge[kept] for edge in self.low], [edge[kept] for edge in self.high]
        self.gap = self.gap[kept]
        place = np.cumsum(kept) - 1  # each kept path's new index
        self.near = place[self.near[kept[self.near]]]

    def finish(self) -> None:
        self.all_home[self.rows] = self.home
        self.all_since[self.rows] = self.since

    def result(self, final: Array, diverged_step: Array) -> tuple[Array, Array]:
        """``(converged_to, converged_step)``, -1 where none: a path that did not diverge and whose last
        point is in a ball converged to it, from the first step of its stay."""
        reached = (diverged_step < 0) & (self.all_home < len(self.points))
        return np.where(reached, self.all_home, -1), np.where(reached, self.all_since, -1)


def _run_at_end(inside: Array) -> Array:
    """Per column of ``inside`` ``(r, s)`` (booleans), how many of its last rows are all true: ``r`` less
    the (1-based) row of its last false, found as the largest of ``row * (not inside)`` in bytes."""
    rows = len(inside)
    numbers = np.arange(1, rows + 1, dtype=np.uint8 if rows < 256 else np.int64)[:, None]
    outside = np.logical_not(inside).view(np.uint8) if rows < 256 else np.logical_not(inside).astype(np.int64)
    outside *= numbers
    return rows - outside.max(axis=0).astype(np.int64)


def tracker(targets: Sequence[Any], count: int, radius: float) -> ArrivalTracker | HomeTracker:
    """The tracker for ``count`` paths and these ``targets``: :class:`HomeTracker` when their balls are
    disjoint, else :class:`ArrivalTracker`."""
    kind = HomeTracker if disjoint(targets, radius) else ArrivalTracker
    return kind(targets, count, radius)
