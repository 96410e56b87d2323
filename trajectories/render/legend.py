"""A legend whose geometry never depends on how fonts rasterise.

matplotlib's legend sizes its box and rows from measured text, so a different FreeType, hinting or font
moves the box and the handles by a pixel, and every snapshot comparison of a frame with a legend fails.
Here the box, the rows and the handles are laid out from the font size and the labels' lengths only
(an estimate generous enough for DejaVu Sans); the glyphs are the only pixels that fonts decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

CHAR_WIDTH = 0.6  # average advance of DejaVu Sans, in font sizes (an upper estimate for labels)


@dataclass(frozen=True)
class LegendLayout:
    """Sizes in display pixels for ``labels`` at ``size`` points, in ``columns`` columns."""

    labels: tuple[str, ...]
    colors: tuple[str, ...]
    size: float  # font size in points
    dpi: float
    columns: int = 1

    @property
    def unit(self) -> float:
        """The font size in pixels: every distance below is a multiple of it."""
        return self.size * self.dpi / 72

    @property
    def rows(self) -> int:
        return -(-len(self.labels) // self.columns)

    def column_widths(self) -> list[float]:
        unit = self.unit
        entry = [(2.0 + 0.6 + CHAR_WIDTH * len(label)) * unit for label in self.labels]  # handle, gap, text
        rows = self.rows  # columns fill top to bottom, as legend_artists places them
        return [max(entry[c * rows : (c + 1) * rows]) for c in range(self.columns) if entry[c * rows : (c + 1) * rows]]

    @property
    def width(self) -> float:
        return sum(self.column_widths()) + 1.2 * self.unit * (self.columns - 1) + 1.2 * self.unit

    @property
    def height(self) -> float:
        return self.rows * 1.5 * self.unit + 0.8 * self.unit

    def fitted(self, room: float, smallest: float = 5.0) -> LegendLayout:
        """The same legend with its font shrunk, if needed, to be at most ``room`` pixels wide."""
        if self.width <= room:
            return self
        from dataclasses import replace

        return replace(self, size=max(smallest, self.size * room / self.width))


def legend_artists(
    layout: LegendLayout, left: float, top: float, *, line_width: float, face: str | None, edge: str,
    text_color: str,
) -> list:
    """The legend's artists at display position ``(left, top)`` (pixels; y grows upwards): an optional box,
    then per entry a line with a dot and a label. Columns fill top to bottom, then left to right."""
    unit = layout.unit
    identity = IdentityTransform()
    artists: list = []
    if face is not None:
        artists.append(Rectangle(
            (left, top - layout.height), layout.width, layout.height, transform=identity, facecolor=face,
            edgecolor=edge, linewidth=0.8, alpha=0.85,
        ))
    x_column = left + 0.6 * unit
    widths = layout.column_widths()
    for column in range(len(widths)):
        for row in range(layout.rows):
            index = column * layout.rows + row
            if index >= len(layout.labels):
                break
            y = top - 0.4 * unit - (row + 0.5) * 1.5 * unit
            color = layout.colors[index]
            artists.append(Line2D([x_column, x_column + 2.0 * unit], [y, y], color=color, linewidth=line_width,
                                  transform=identity, solid_capstyle="round"))
            artists.append(Line2D([x_column + 1.0 * unit], [y], marker="o", markersize=5, color=color,
                                  transform=identity, linestyle="none"))
            artists.append(Text(x_column + 2.6 * unit, y, layout.labels[index], fontsize=layout.size,
                                color=text_color, va="center", ha="left", transform=identity))
        x_column += widths[column] + 1.2 * unit
    return artists
