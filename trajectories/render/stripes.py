"""Paths that run together, drawn as stripes: a path that later paths run along is drawn wider, so that
its colour still shows on each side of theirs.

Only where paths truly coincide, at the plot's own pixel scale: a later path *runs along* an earlier one
when it covers most of the earlier one's drawn length (:data:`SHARE`), not when both merely end at the
same minimum (a shared end is a few pixels of a long path). Each such path adds :data:`RING` pixels on
each side, up to :data:`CAP` times a lone path's width.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..surfaces.analytic import Array

SHARE = 0.6
"""The share of a path's drawn length a later path must cover to count as running along it."""
RING = 1.5
"""Pixels of its own colour a path keeps on each side for each later path that runs along it."""
CAP = 3.0
"""The widest path, in lone paths' widths (:mod:`trajectories.pipeline.frame_check` holds every view to it)."""
MOST_PATHS = 16
"""Past this many paths (many starts), every path keeps the lone width: the pairs to compare grow as the
square, and paths from many starts are told apart by where they go, not by stripes."""


def along(points: Array, spacing: float) -> tuple[Array, Array]:
    """Points every ``spacing`` pixels (or closer) along the polyline ``points`` ``(n, 2)``, and for each the
    index of the vertex that ends its segment (0 for the first point): drawn once the path reaches it."""
    if len(points) < 2:
        return points, np.zeros(len(points), dtype=np.int64)
    steps = np.diff(points, axis=0)
    lengths = np.sqrt((steps**2).sum(axis=1))
    # a length a hair over a whole number of spacings is that number: the last bits of a path (numpy's SIMD
    # exp...) never change how many samples it gets
    counts = np.maximum(1, np.ceil(lengths / spacing - 1e-6).astype(np.int64))
    starts = np.repeat(points[:-1], counts, axis=0)
    fractions = np.concatenate([np.arange(1, c + 1) / c for c in counts])
    samples = np.concatenate([points[:1], starts + fractions[:, None] * np.repeat(steps, counts, axis=0)])
    return samples, np.concatenate([[0], np.repeat(np.arange(1, len(points)), counts)])


class Plot:
    """Paths in data coordinates as pixels of a plot of ``pixels`` (width, height) showing ``window``, with a
    margin; what lies outside the window is clipped, so it covers nothing and is never covered."""

    MARGIN = 8

    def __init__(self, window: tuple[float, float, float, float], pixels: tuple[float, float]) -> None:
        x0, x1, y0, y1 = window
        self.window = window
        self.scale = np.array([pixels[0] / (x1 - x0), pixels[1] / (y1 - y0)])
        self.width = int(np.ceil(pixels[0])) + 2 * self.MARGIN
        self.height = int(np.ceil(pixels[1])) + 2 * self.MARGIN

    def pixels(self, path: Array) -> Array:
        """The path's points up to its first non-finite one, in pixels (y up)."""
        finite = np.isfinite(path).all(axis=1)
        end = len(path) if finite.all() else int(np.argmin(finite))
        return (path[:end] - (self.window[0], self.window[2])) * self.scale + self.MARGIN

    def cells(self, points: Array) -> Array:
        """Each point's pixel as ``row * width + column``; -1 outside the plot (and its margin). Points are
        rounded to a millionth of a pixel first: one on a pixel's edge in exact arithmetic is in the same pixel
        whatever the last bits of the path."""
        cells = np.floor(np.round(points, 6)).astype(np.int64)
        inside = (cells[:, 0] >= 0) & (cells[:, 0] < self.width) & (cells[:, 1] >= 0) & (cells[:, 1] < self.height)
        return np.where(inside, cells[:, 1] * self.width + cells[:, 0], -1)

    def inside(self, points: Array) -> Array:
        points = np.round(points, 6)
        low = self.MARGIN
        return ((points[:, 0] >= low) & (points[:, 0] <= self.width - low)
                & (points[:, 1] >= low) & (points[:, 1] <= self.height - low))

    def disc(self, reach: float) -> Array:
        r = int(np.ceil(reach))
        dy, dx = np.mgrid[-r : r + 1, -r : r + 1]
        inside = (dx**2 + dy**2) <= reach**2
        return (dy[inside] * self.width + dx[inside]).astype(np.int64)

    def earliest(self, points: Array, reach: float) -> Array:
        """For every pixel, the first vertex of the polyline ``points`` (pixels) at which the path comes
        within ``reach`` of it (a large number where it never does)."""
        samples, labels = along(points, 0.5)
        keep = self.inside(samples)
        samples, labels = samples[keep], labels[keep]
        grid = np.full(self.width * self.height, np.iinfo(np.int64).max, dtype=np.int64)
        disc = self.disc(reach)
        keys = (self.cells(samples)[:, None] + disc[None, :]).ravel()
        valid = (keys >= 0) & (keys < grid.size)
        np.minimum.at(grid, keys[valid], np.repeat(labels, len(disc))[valid])
        return grid


def stacked_widths(paths: Sequence[Array], base: float, window: tuple[float, float, float, float], dpi: float,
                   pixels: tuple[float, float]) -> Array:
    """Widths in points of ``paths`` (each ``(T, 2)`` in data coordinates, drawn in that order in a plot of
    ``pixels`` (width, height) showing ``window``), as drawn whole: ``base``, plus :data:`RING` pixels on
    each side for each later path that runs along it (covers :data:`SHARE` of its drawn length, within half
    a lone path's width), at most :data:`CAP` × ``base``; ``base`` for all past :data:`MOST_PATHS` paths."""
    steps = [len(path) - 1 for path in paths]
    return widths_by_frame(paths, np.array([steps]), base, window, dpi, pixels)[0]


def widths_by_frame(paths: Sequence[Array], steps: Array, base: float, window: tuple[float, float, float, float],
                    dpi: float, pixels: tuple[float, float]) -> Array:
    """:func:`stacked_widths` of the paths as drawn in each frame: ``steps[f, k]`` is the last point of path
    ``k`` drawn in frame ``f``; ``(frames, paths)`` widths in points. Whether a later path covers a stretch
    depends on how far each has come: each pair is compared once, through the first step at which the
    later path reaches each pixel."""
    steps = np.asarray(steps, dtype=np.int64).reshape(-1, len(paths))
    widths = np.full(steps.shape, float(base))
    if len(paths) > MOST_PATHS or len(paths) < 2:
        return widths
    plot = Plot(window, pixels)
    per_point = dpi / 72
    reach = base * per_point / 2
    drawn = [plot.pixels(path) for path in paths]
    counts = np.zeros(steps.shape, dtype=np.int64)
    for j in range(1, len(paths)):
        if len(drawn[j]) == 0:
            continue
        earliest = plot.earliest(drawn[j], reach)
        for i in range(j):
            samples, labels = along(drawn[i], 1.0)
            keep = plot.inside(samples)
            samples, labels = samples[keep], labels[keep]
            if len(samples) < 2:
                continue
            covered_at = earliest[plot.cells(samples)]  # the step of path j that covers each sample
            shown = labels[None, :] <= steps[:, i : i + 1]  # (frames, samples)
            covered = shown & (covered_at[None, :] <= steps[:, j : j + 1])
            drawn_count = shown.sum(axis=1)
            counts[:, i] += (drawn_count > 1) & (covered.sum(axis=1) >= SHARE * np.maximum(drawn_count, 1))
    return np.minimum(base + 2 * RING * counts / per_point, CAP * base)
