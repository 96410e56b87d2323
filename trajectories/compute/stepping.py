r"""The many-start loop: an optimizer from many starts at once, at the speed of a hand-written numpy loop.

The arithmetic is :func:`trajectories.compute.run.run`'s, step for step (point ``t`` of a path is the position
before update ``t``; a path *diverges* at the first step whose point is not finite or lies outside the
escape box :math:`|\theta - c| \le h`, and keeps its last finite point), so every number is the same
bits. What makes it fast:

- **In place.** The optimizer's ``step`` (:mod:`trajectories.core.transforms`) overwrites its state and the
  gradient's array, and the points move where they are: no new arrays per step.
- **Checks once a block.** The escape box is checked once every :data:`BLOCK` steps, on each path's
  bounding box over the block (or on the block's points), by one flat minimum and maximum against the box
  shrunk by a margin (NaN fails it). Only the paths that fail are checked point by point, with the
  runner's own comparison, to find the step each left at; paths that left are dropped from every array
  (their last finite point and step are kept), so the check never fails for them again.
- **Exact points on demand.** A consumer that needs every point (:func:`trajectories.compute.run.run`, which
  keeps them) gets each block's points, written straight into a block of history
  (:class:`PointConsumer`). One that needs only where paths are heading (the streaming reduction's
  arrival trackers, :mod:`trajectories.compute.arrivals`) gets each path's bounding box over the block and, for
  the few paths whose box needs a closer look, their points, recomputed from the block's first point and
  state (:class:`Replay`: the same arithmetic, so the same bits) (:class:`BoxConsumer`).
- **x and y each contiguous.** Points are ``(N, 2)`` arrays in Fortran order, so that a surface's
  gradient, which works on ``x`` and ``y`` apart, reads contiguous memory; every array of the loop (the
  optimizer's state, the gradient: :meth:`trajectories.surfaces.analytic.Surface.grad`) keeps that order.
  Element-wise arithmetic does not depend on it: the same bits.
- **Tiles.** Starts move in tiles of :data:`TILE`, each through every step: large enough that numpy's
  cost per call is small against its work on the tile, small enough that a block's kept points stay in
  a core's cache while they are checked.

Gradient sources that work point by point (``pointwise``: the surface's gradient, mini-batches of data)
see the current paths' points only. Any other source (Gaussian noise or a shadow run's jitter, drawn for
the whole array at once) is called as the runner calls it: on every start at once, the departed ones at
their last point, in the shape the starts were given, so that it draws the same numbers; then there is a
single tile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..core.transforms import GradientTransformation, copy_state, select_state
from ..surfaces.analytic import Array
from ..surfaces.gradients import GradientSource

TILE = 16_384
"""Starts moved together through every step: a block's kept points of a tile are 4.5 MB (65,536 starts
were 5 % slower, 4,096 starts 15 %: ``bench/bench_many_starts.py``)."""

BLOCK = 16
"""Steps between two checks of the escape box (and the steps of a block a consumer sees)."""

LONGEST = 256
"""The longest block a consumer of bounding boxes sees: while it is calm (few of its paths need a closer
look), blocks grow from :data:`BLOCK` steps by doubling; per-block work then costs little per step."""

WATCH_ALL = 8
"""Keep every path's points of a block when more than one in this many are to be watched: copying whole
arrays costs less than picking a few rows of them."""

MARGIN = 1e-6
"""The flat check's box is the escape box shrunk by this fraction of its half-size: far more than the
rounding of its bounds, so a point that passes it passes the exact check."""


class PointConsumer(Protocol):
    """Sees every point of a many-start run, a tile at a time."""

    def start(self, rows: Array) -> None:
        """A tile begins: its starts are rows ``rows`` of the run's starts."""

    def block(self, first: int, points: Array) -> None:
        """``points[j]`` (``(b, m, 2)``) are the tile's remaining paths at step ``first + j`` (NaN from the
        step one left the escape box)."""

    def keep(self, kept: Array) -> None:
        """Only the paths ``kept`` (a mask over the tile's remaining paths) go on."""

    def finish(self) -> None:
        """The tile is done."""

    # optional: ``finished() -> Array``, a mask over the remaining paths of those it needs no more after a
    # block; they stop there (their end points are where they stopped)


class BoxConsumer(Protocol):
    """Sees, per block, each path's bounding box, and asks for the points of the paths it must look at
    (``boxes = True``). The paths that left the escape box in a block are dropped before it is shown."""

    boxes: bool

    def start(self, rows: Array) -> None: ...

    def watch(self) -> Array:
        """The paths (indices among the current ones) whose points the next block should keep as they go
        (those it expects to ask for); others asked for are computed again."""

    def calm(self) -> bool:
        """Whether few paths needed a closer look in the last block: the next one may be longer."""

    def box(self, first: int, low: Array, high: Array, points: Replay) -> None:
        """``low`` and ``high`` (``(m, 2)``) bound the tile's remaining paths at steps ``first`` (the
        block's first point: the last one of the block before, or the start) to ``first + points.length``;
        ``points.coordinates(paths, begin, end)`` gives some of those points of some paths, ``points.last``
        the last ones."""

    def keep(self, kept: Array) -> None: ...

    def finish(self) -> None: ...


@dataclass(frozen=True)
class Ends:
    """Where ``N`` paths end: ``final`` ``(N, 2)``, each path's last finite point, and ``diverged_step``
    ``(N,)``, the step it left the escape box at (-1: never)."""

    final: Array
    diverged_step: Array


def can_step(optimizer: GradientTransformation) -> bool:
    """Whether this loop can run ``optimizer``: it has an in-place ``step`` (our own rules; an adapter's
    optimizer keeps its state its own way, and runs in :func:`trajectories.compute.run.run`'s plain loop)."""
    return getattr(optimizer, "step", None) is not None


def pointwise(source: GradientSource) -> bool:
    """Whether ``source`` computes each point's gradient from that point alone (and the step)."""
    return bool(getattr(source, "pointwise", False))


def fortran(points: Array) -> Array:
    """``points`` ``(m, 2)`` in Fortran order (x, then y)."""
    return np.asfortranarray(points)


def blocks(count: int, paths: int) -> Array:
    """``count`` arrays of ``(paths, 2)`` points in Fortran order, one after the other: ``(count, paths, 2)``."""
    return np.empty((count, 2, paths)).transpose(0, 2, 1)


def room(block: int, paths: int) -> Array:
    """Room for a block's points of ``paths`` paths: ``(block + 1, 2, paths)``, so that each point's x and y
    of every path (``[j].T``) is an ``(paths, 2)`` array in Fortran order, like the loop's own."""
    return np.empty((block + 1, 2, paths))


def march(optimizer: GradientTransformation, gradient: GradientSource, starts: Array, steps: int,
          centre: Array, half: Array, consumer: PointConsumer | BoxConsumer, tile: int = TILE,
          block: int = BLOCK) -> Ends:
    """Run ``optimizer`` (which :func:`can_step`) from ``starts`` (any shape ``(..., 2)``) for ``steps``
    updates with gradients from ``gradient``, showing ``consumer`` every block; escape box
    ``|θ - centre| <= half``. The same numbers for any ``tile`` and ``block``."""
    shape = np.shape(starts)
    flat = np.array(starts, dtype=np.float64).reshape(-1, 2)
    count = len(flat)
    whole = None if pointwise(gradient) else Whole(gradient, flat, shape)
    # the paths' last points: over the starts when every tile's rows are read before they are written
    final, diverged = flat if whole is None else flat.copy(), np.full(count, -1, dtype=np.int64)
    size = max(1, tile) if whole is None else max(1, count)
    loop = Loop(optimizer, gradient, whole, Box(centre, half), final, diverged)
    run_tile = loop.boxes if getattr(consumer, "boxes", False) else loop.points
    with np.errstate(all="ignore"):
        for begin in range(0, count, size):
            rows = np.arange(begin, min(begin + size, count))
            run_tile(flat[begin:begin + size], rows, steps, consumer, block)
    return Ends(final.reshape(shape), diverged.reshape(shape[:-1]))


class Loop:
    """The loop over one tile's steps, for either kind of consumer; paths that leave the box are written
    to ``final`` and ``diverged`` (over every start)."""

    def __init__(self, optimizer: GradientTransformation, gradient: GradientSource, whole: Whole | None,
                 box: Box, final: Array, diverged: Array) -> None:
        self.optimizer, self.gradient, self.whole, self.box = optimizer, gradient, whole, box
        self.final, self.diverged = final, diverged

    def grads(self, points: Array, rows: Array, step: int) -> Array:
        if self.whole is not None:
            return self.whole(points, rows, step)
        return np.asarray(self.gradient(points, step), dtype=np.float64)

    def leave(self, rows: Array, steps_left: Array, last: Array) -> None:
        """The paths of ``rows`` left the box at ``steps_left``; their last finite points are ``last``."""
        self.diverged[rows] = steps_left
        self.final[rows] = last
        if self.whole is not None:
            self.whole.points[rows] = last  # from now on a source that needs every start sees them there

    def points(self, points: Array, rows: Array, steps: int, consumer: PointConsumer, block: int) -> None:
        """Every point written into a block of history (``history[0]``: the last point checked)."""
        consumer.start(rows)
        history = blocks(block + 1, len(points))
        history[0] = points
        state = self.optimizer.init(history[0].copy(order="K"))
        done = 0
        while done < steps and len(rows):
            length = min(block, steps - done)
            for j in range(length):
                here = history[j]
                updates, state = self.optimizer.step(self.grads(here, rows, done + j), state, here)
                np.add(here, updates, out=history[j + 1])
            new = history[1:length + 1]
            left = self.box.departures(new)  # per path, the index in ``new`` of its first point outside, or -1
            gone = left >= 0
            if gone.any():
                lost = np.flatnonzero(gone)
                self.leave(rows[lost], done + 1 + left[lost], history[left[lost], lost])
                after = np.arange(length)[:, None] >= left[None, lost]
                new[:, lost] = np.where(after[..., None], np.nan, new[:, lost])
            if done == 0:
                consumer.block(0, history[:length + 1])  # the starts too
            else:
                consumer.block(done + 1, new)
            done += length
            finished = getattr(consumer, "finished", None)
            if finished is not None:  # paths the consumer needs no more: they end where they are
                over = finished() & ~gone
                if over.any():
                    self.final[rows[over]] = history[length, over]
                    if self.whole is not None:
                        self.whole.points[rows[over]] = history[length, over]
                    gone |= over
            if gone.any():
                kept_history = blocks(block + 1, int(np.count_nonzero(~gone)))
                kept_history[:] = history[:, ~gone]
                history = kept_history
                state = select_state(state, ~gone, len(rows))
                rows = rows[~gone]
                consumer.keep(~gone)
            history[0] = history[length]
        self.final[rows] = history[0]
        consumer.finish()

    def boxes(self, points: Array, rows: Array, steps: int, consumer: BoxConsumer, block: int) -> None:
        """The points moved in place, each path's bounding box over a block kept; a block's points are
        recomputed (:class:`Replay`) only for the paths whose box needs a closer look."""
        consumer.start(rows)
        here = np.array(points, order="F")
        state = self.optimizer.init(here.copy(order="K"))
        low, high = np.empty_like(here), np.empty_like(here)
        kept_points = room(block, len(here))  # where a block's points are kept (reused: no new pages)
        done, length = 0, block
        while done < steps and len(rows):
            length = min(2 * length if done and consumer.calm() else block, LONGEST, steps - done)
            watched = consumer.watch() if self.whole is None else np.arange(0)  # kept as they go
            replay = Replay(self, here, state, rows, done, length, watched, kept_points)
            np.copyto(low, here)  # the box holds the block's first point too
            np.copyto(high, here)
            written = replay.written()  # every path kept: each step is written where it is kept
            current = here
            for j in range(length):
                updates, state = self.optimizer.step(self.grads(current, rows, done + j), state, current)
                if written:
                    after = replay.point(j + 1)
                    np.add(current, updates, out=after)
                    current = after
                else:
                    current += updates
                    if watched.size:
                        replay.record(j + 1, current)
                np.minimum(low, current, out=low)
                np.maximum(high, current, out=high)
            if written:
                np.copyto(here, current)
            suspects = self.box.suspects(low, high)  # paths not surely inside the box at every step
            if suspects.size:
                seen = replay.steps(suspects)
                left = self.box.departures(seen[1:])
                gone = np.flatnonzero(left >= 0)
                lost = suspects[gone]
                if lost.size:
                    self.leave(rows[lost], done + 1 + left[gone], seen[left[gone], gone])  # seen[0]: the point before
                    kept = np.ones(len(rows), dtype=bool)
                    kept[lost] = False
                    here, low, high = fortran(here[kept]), fortran(low[kept]), fortran(high[kept])
                    kept_points = room(block, len(rows) - lost.size)
                    state = select_state(state, kept, len(rows))
                    rows = rows[kept]
                    replay.keep(kept)
                    consumer.keep(kept)
            replay.last = here
            consumer.box(done, low, high, replay)
            done += length
        self.final[rows] = here
        consumer.finish()


class Replay:
    """A block's points of some of a tile's paths: those the consumer asked to watch, kept as they went
    (x and y apart), and the others computed again from the block's first point and state (the same
    arithmetic, so the same bits)."""

    def __init__(self, loop: Loop, points: Array, state: Any, rows: Array, done: int, length: int,
                 watched: Array, room: Array) -> None:
        self.loop, self.rows, self.done, self.length = loop, rows, done, length
        self.index = np.arange(len(rows))  # where the current paths are in the block's first arrays
        if WATCH_ALL * len(watched) > len(rows):  # copying every path's points costs less than picking these
            watched = np.arange(len(rows))
        self.watched = watched
        self.everyone = len(watched) == len(rows)
        # the block's first point and state, to compute points again (not needed when every path is kept)
        self.points = None if self.everyone and loop.whole is None else points.copy(order="K")
        self.state = None if self.points is None else copy_state(state)
        if len(room) > length and room.shape[2] >= len(watched):  # ``room``: where to keep them
            self.kept = room[:length + 1, :, :len(watched)]
        else:
            self.kept = np.empty((length + 1, 2, len(watched)))
        self.xs, self.ys = self.kept[:, 0], self.kept[:, 1]  # ``(length + 1, w)`` each
        if self.everyone:
            self.slot = self.index  # each path's place among the watched, or -1
        else:
            self.slot = np.full(len(rows), -1, dtype=np.int64)
            self.slot[watched] = np.arange(len(watched))
        if watched.size:
            self.record(0, points)
        self.everything: Array | None = None  # every path at once (for a source that needs them all)
        self.again, self.again_slot = blocks(length + 1, 0), np.full(len(rows), -1, dtype=np.int64)  # :meth:`_again`
        self.last = points  # the current paths' points at the block's end, once it has run

    def record(self, j: int, points: Array) -> None:
        """Keep the watched paths' point ``j`` of the block (``points``: every path's)."""
        if self.everyone:
            self.xs[j], self.ys[j] = points[:, 0], points[:, 1]
        else:
            self.xs[j], self.ys[j] = points[self.watched, 0], points[self.watched, 1]

    def written(self) -> bool:
        """Whether the loop may write each step of every path straight where it is kept (:meth:`point`)."""
        return self.everyone and self.loop.whole is None and self.kept[0].T.flags.f_contiguous

    def point(self, j: int) -> Array:
        """Where every path's point ``j`` of the block is kept, ``(m, 2)`` in Fortran order (only when
        :meth:`written`)."""
        return self.kept[j].T

    def keep(self, kept: Array) -> None:
        """Only the paths ``kept`` (a mask over the current ones) go on."""
        self.index = self.index[kept]

    def __call__(self, paths: Array) -> Array:
        """The block's points of ``paths`` (indices among the current paths), as a consumer sees them:
        ``(b, s, 2)``, the starts first in the first block."""
        return self.steps(paths)[0 if self.done == 0 else 1:]

    def kept_all(self) -> bool:
        """Whether every current path's points were kept as they went (and none has left since)."""
        return self.everyone and len(self.index) == len(self.rows) and self.loop.whole is None

    def every_coordinate(self) -> tuple[Array, Array]:
        """Every current path's x and y at each of the block's points, ``(length + 1, m)`` each (views of the
        kept points; only when :meth:`kept_all`)."""
        return self.xs, self.ys

    def coordinates(self, paths: Array, begin: int = 0, end: int | None = None) -> tuple[Array, Array]:
        """The x and y of ``paths`` (indices among the current paths) at the block's points ``begin`` to
        ``end`` (0: the block's first point, then one per step), ``(end - begin, s)`` each."""
        slots = self.slot[self.index[paths]]
        if self.loop.whole is None and (slots >= 0).all():
            return self.xs[begin:end].take(slots, axis=1), self.ys[begin:end].take(slots, axis=1)
        points = self.steps(paths)[begin:end]
        return points[..., 0], points[..., 1]

    def steps(self, paths: Array) -> Array:
        """``(length + 1, s, 2)``: the block's first point of ``paths``, then each step's."""
        which = self.index[paths]
        if self.loop.whole is not None:
            if self.everything is None:  # its gradients need every path at every step: replay them all, once
                self.everything = self._run(np.arange(len(self.rows)))
            return self.everything[:, which]
        slots = self.slot[which]
        kept = slots >= 0
        points = blocks(self.length + 1, len(which))
        points[:, kept, 0], points[:, kept, 1] = self.xs[:, slots[kept]], self.ys[:, slots[kept]]
        if not kept.all():
            points[:, ~kept] = self._again(which[~kept])
        return points

    def _again(self, which: Array) -> Array:
        """The block's points of the unwatched paths ``which``, each computed once and then kept (a
        consumer may ask for a path's points more than once)."""
        new = np.unique(which[self.again_slot[which] < 0])
        if new.size:
            self.again_slot[new] = self.again.shape[1] + np.arange(new.size)
            self.again = np.concatenate((self.again, self._run(new)), axis=1)
        return self.again[:, self.again_slot[which]]

    def _run(self, which: Array) -> Array:
        points = blocks(self.length + 1, len(which))
        points[0] = self.points[which]
        state = select_state(self.state, which, len(self.rows))
        rows = self.rows[which]
        for j in range(self.length):
            here = points[j]
            updates, state = self.loop.optimizer.step(self.loop.grads(here, rows, self.done + j), state, here)
            np.add(here, updates, out=points[j + 1])
        return points


class Box:
    """The escape box ``|θ - centre| <= half``: a flat check over many points, then the exact one."""

    def __init__(self, centre: Array, half: Array) -> None:
        self.centre, self.half = np.asarray(centre, dtype=np.float64), np.asarray(half, dtype=np.float64)
        inner = self.half * (1.0 - MARGIN)
        self.axes = [(float(c - h), float(c + h)) for c, h in zip(self.centre, inner, strict=True)]
        self.low, self.high = max(low for low, _ in self.axes), min(high for _, high in self.axes)
        self.flat = self.low < self.high  # one interval holds what both axes allow

    def surely_inside(self, low: Array, high: Array) -> bool:
        """Every coordinate between ``low`` and ``high`` (arrays of points) is finite and inside the box."""
        if self.flat:
            return bool(low.min() >= self.low) and bool(high.max() <= self.high)
        return all(bool(low[..., axis].min() >= lo) and bool(high[..., axis].max() <= hi)
                   for axis, (lo, hi) in enumerate(self.axes))

    def suspects(self, low: Array, high: Array) -> Array:
        """The paths (boxes ``low``, ``high``, ``(m, 2)``) not surely inside the box throughout."""
        if self.surely_inside(low, high):
            return np.arange(0)
        inside = np.ones(len(low), dtype=bool)
        for axis, (lo, hi) in enumerate(self.axes):
            inside &= (low[:, axis] >= lo) & (high[:, axis] <= hi)
        return np.flatnonzero(~inside)

    def departures(self, points: Array) -> Array:
        """For ``points`` ``(b, m, 2)``, per path the index of its first point outside the box, or -1."""
        if self.surely_inside(points, points):
            return np.full(points.shape[1], -1, dtype=np.int64)
        valid = np.isfinite(points).all(axis=-1) & (np.abs(points - self.centre) <= self.half).all(axis=-1)
        outside = ~valid
        return np.where(outside.any(axis=0), np.argmax(outside, axis=0), -1)


class Whole:
    """A gradient source that needs every start at once: called on all of them, the paths that left the
    box at their last point, in the starts' own shape; the rows asked for are read back."""

    def __init__(self, source: GradientSource, starts: Array, shape: tuple[int, ...]) -> None:
        self.source, self.points, self.shape = source, starts.copy(), shape

    def __call__(self, points: Array, rows: Array, step: int) -> Array:
        if len(rows) == len(self.points):  # nobody has left: the points are every start, in order
            return np.array(self.source(points.reshape(self.shape), step), dtype=np.float64).reshape(-1, 2)
        self.points[rows] = points
        grads = np.asarray(self.source(self.points.reshape(self.shape), step), dtype=np.float64).reshape(-1, 2)
        return grads[rows]
