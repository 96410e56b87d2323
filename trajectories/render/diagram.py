"""The mini-batch diagram (figure 4): a dataset as a grid of cells, coloured by each sample's original
index, shuffled (cells glide to their new places), split into batches (rows pull apart) and consumed
batch after batch (the current batch lit, the consumed ones dimmed). Blitted: one scatter, one text."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import to_rgba

from ..style.theme import get_theme
from .canvas import Backdrop, frame_pixels, new_figure
from .geometry import Area, FrameGeometry, figure_text_boxes, frame_box, text_box

if TYPE_CHECKING:
    from ..scene import BatchDiagram


def shuffle_progress(frame: int, intro: int, frames: int) -> float:
    """0 before the shuffle, 1 after it, smoothly in between (for the diagram's cells)."""
    t = (frame - intro) / max(frames, 1)
    t = min(max(t, 0.0), 1.0)
    return t * t * (3 - 2 * t)


def positions_after_shuffle(order: np.ndarray) -> np.ndarray:
    """Where each sample sits once shuffled: ``slot[sample]``."""
    slots = np.empty_like(order)
    slots[order] = np.arange(len(order))
    return slots


class BatchDiagramView:
    parallel = False

    def __init__(self, scene: BatchDiagram, text: bool = True) -> None:
        self.scene = scene
        self.theme = theme = get_theme(scene.look.theme)
        batches = scene.batches()
        self.batches = batches
        order = np.concatenate(batches)  # slot k of the shuffled dataset holds sample order[k]
        self.used = len(order)  # drop_last leaves the last samples out of the epoch
        full_order = np.concatenate([order, np.setdiff1d(np.arange(scene.samples), order)])
        self.slot_after = positions_after_shuffle(full_order)  # sample -> slot
        self.batch_of_slot = np.concatenate([np.full(len(b), k) for k, b in enumerate(batches)]
                                            + [np.full(scene.samples - self.used, -1)])
        self.steps_shown = list(range(scene.frame_count))
        self.figure, self.canvas = new_figure(scene.look.size, scene.look.dpi, theme.background, text)
        self.axes = axes = self.figure.add_axes((0.03, 0.12, 0.94, 0.74))
        axes.set_axis_off()
        columns, rows = scene.row_length, scene.rows
        box = axes.get_window_extent()
        split_space = 0.4  # once split, rows are this fraction of a cell apart
        self.cell = min(box.width / columns, box.height / (rows * (1 + split_space)))
        self.gap = split_space * self.cell
        self.left = (box.width - columns * self.cell) / 2
        self.top = (box.height - rows * self.cell * (1 + split_space)) / 2
        axes.set_xlim(0, box.width)
        axes.set_ylim(box.height, 0)
        marker_points = 0.82 * self.cell * 72 / scene.look.dpi
        colors = colormaps["viridis"](np.linspace(0.1, 1.0, scene.samples))
        self.base_colors = colors
        self.cells = axes.scatter(
            np.zeros(scene.samples), np.zeros(scene.samples), s=marker_points**2, marker="s", c=colors,
            linewidths=0.0,
        )
        self.cells.set_animated(True)
        self.status = axes.text(box.width / 2, box.height * 1.04, "", ha="center", va="top", fontsize=11,
                                color=theme.foreground)
        self.status.set_animated(True)
        title = scene.look.title if scene.look.title is not None else (
            f"One epoch of mini-batches: {scene.samples:,} samples, batches of {scene.batch_size}"
        )
        self.figure.text(0.5, 0.94, title, ha="center", va="center", fontsize=13, color=theme.foreground)
        self.backdrop = Backdrop(self.canvas)

    def _slot_xy(self, slots: np.ndarray, split: float) -> np.ndarray:
        columns = self.scene.row_length
        row, column = np.divmod(slots, columns)
        x = self.left + (column + 0.5) * self.cell
        y = self.top + (row + 0.5) * self.cell + split * row * self.gap
        return np.column_stack([x, y])

    def phase(self, index: int) -> tuple[str, float, float, int]:
        """``(status, shuffle 0..1, split 0..1, current batch or -1)`` for frame ``index``."""
        scene = self.scene
        intro, shuffle, split = scene.INTRO_FRAMES, scene.SHUFFLE_FRAMES, scene.SPLIT_FRAMES
        count = len(self.batches)
        if index < intro:
            return f"the dataset in its stored order ({scene.samples:,} samples)", 0.0, 0.0, -1
        if index < intro + shuffle:
            return "shuffle", shuffle_progress(index, intro, shuffle - 1), 0.0, -1
        if index < intro + shuffle + split:
            t = (index - intro - shuffle + 1) / split
            sizes = [len(b) for b in self.batches]
            full = sum(1 for n in sizes if n == scene.batch_size)
            rest = f" + 1 of {sizes[-1]}" if sizes[-1] != scene.batch_size else ""
            dropped = scene.samples - self.used
            dropped_text = f", {dropped} left out (drop_last)" if dropped else ""
            return f"split: {full} batches of {scene.batch_size}{rest}{dropped_text}", 1.0, t, -1
        k = min((index - intro - shuffle - split) // scene.frames_per_batch, count - 1)
        return f"batch {k + 1}/{count}: {len(self.batches[k])} samples → one gradient step", 1.0, 1.0, k

    def frame(self, index: int) -> np.ndarray:
        status, shuffled, split, current = self.phase(index)
        samples = np.arange(self.scene.samples)
        start, end = self._slot_xy(samples, split), self._slot_xy(self.slot_after, split)
        self.cells.set_offsets(start + shuffled * (end - start))
        colors = self.base_colors.copy()
        if current >= 0:
            batch = self.batch_of_slot[self.slot_after]
            colors[batch < current, 3] = 0.22  # consumed
            colors[batch > current, 3] = 0.55  # waiting
            colors[batch == -1, 3] = 0.1  # left out of the epoch
            colors[batch == current] = to_rgba(self.theme.foreground)
        self.cells.set_facecolors(colors)
        self.status.set_text(status)
        self.backdrop.restore()
        self.figure.draw_artist(self.cells)
        self.figure.draw_artist(self.status)
        return frame_pixels(self.canvas)

    def geometry(self, index: int) -> FrameGeometry:
        """Frame ``index`` as :mod:`~trajectories.render.geometry` values: the diagram's area and its text
        (the title, and the status line of the frame)."""
        figure, renderer = self.figure, self.canvas.get_renderer()
        self.status.set_text(self.phase(index)[0])
        texts = figure_text_boxes(figure, renderer)
        status = text_box(self.status, renderer, figure, "status line")
        return FrameGeometry(index, tuple(self.scene.look.size), (Area("diagram", frame_box(
            self.axes.get_window_extent(), figure), "panel"),), texts=tuple(texts + ([status] if status else [])))

    def reserved_colors(self) -> list[tuple[int, int, int]]:
        return [tuple(round(255 * c) for c in to_rgba(color)[:3]) for color in
                (self.theme.foreground, self.theme.background)]

    def close(self) -> None:
        self.figure.clear()
