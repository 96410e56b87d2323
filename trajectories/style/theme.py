"""Visual themes: colours, colormaps and line widths, so views hold no style decisions of their own."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import SceneError
from .palette import OKABE_ITO_DARK, OKABE_ITO_LIGHT, PALETTES, hex_to_rgb, ordered


@dataclass(frozen=True)
class Theme:
    """Everything a view needs to know about looks."""

    name: str
    background: str
    foreground: str  # text, ticks, axes
    muted: str  # secondary text, grid
    colormap: str | tuple[str, ...]  # a matplotlib colormap name, or colours from low to high values
    contour_line: str
    contour_line_alpha: float
    path_colors: tuple[str, ...]  # racers' colours by default: told apart with colour-blind eyes too
    minimum_color: str
    legend_face: str
    line_width: float = 2.0
    marker_size: float = 7.0

    def color(self, index: int, palette: str = "default", count: int = 1) -> str:
        """Racer ``index``'s colour: the theme's colour-blind-safe one, the named palette's, or of ``count``
        colours of the ordered palette (``"ordered"``, for a parameter swept in order)."""
        if palette == "ordered":
            return ordered(count, self.dark)[index % count]
        colors = self.path_colors if palette == "default" else PALETTES[palette]
        return colors[index % len(colors)]

    @property
    def dark(self) -> bool:
        """Whether the background is dark (its relative luminance under 0.2)."""
        r, g, b = hex_to_rgb(self.background)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.2

    def cmap(self):
        """The surface colormap as a matplotlib object."""
        from matplotlib import colormaps
        from matplotlib.colors import LinearSegmentedColormap

        if isinstance(self.colormap, str):
            return colormaps[self.colormap]
        return LinearSegmentedColormap.from_list(f"{self.name}-surface", self.colormap)


LIGHT = Theme(
    name="light",
    background="#FFFFFF",
    foreground="#222222",
    muted="#777777",
    colormap=("#FFFFFF", "#E9EEF3", "#C9D3DD", "#9FAFBF"),
    contour_line="#5A6B7B",
    contour_line_alpha=0.35,
    path_colors=OKABE_ITO_LIGHT,
    minimum_color="#222222",
    legend_face="#FFFFFF",
)

DARK = Theme(
    name="dark",
    background="#121417",
    foreground="#E8E8E8",
    muted="#9A9A9A",
    colormap=("#121417", "#1E252D", "#2F3B47", "#4A5A6A"),
    contour_line="#8FA3B8",
    contour_line_alpha=0.3,
    path_colors=OKABE_ITO_DARK,
    minimum_color="#FFFFFF",
    legend_face="#121417",
)

# The article's figures: black background, rainbow surfaces, white text; racers in colours told apart by
# colour-blind viewers too (``palette="article"`` gives the originals' colours).
ARTICLE = Theme(
    name="article",
    background="#000000",
    foreground="#FFFFFF",
    muted="#8C8C8C",
    colormap="rainbow",
    contour_line="#000000",
    contour_line_alpha=0.25,
    path_colors=OKABE_ITO_DARK,
    minimum_color="#FFFFFF",
    legend_face="#000000",
    line_width=2.0,
)

THEMES = {"light": LIGHT, "dark": DARK, "article": ARTICLE}


def get_theme(name: str) -> Theme:
    try:
        return THEMES[name]
    except KeyError:
        raise SceneError(f"unknown theme {name!r} (known: {', '.join(THEMES)})") from None
