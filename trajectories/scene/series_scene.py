"""Exponentially weighted averages of a price series (the article's figure 5) as a scene."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..compute.ewa import MAX_ROWS, ewa, load_series, synthetic_prices
from ..compute.timeline import spread
from ..errors import SceneError, SeriesError
from ..options import default
from ..style.palette import OKABE_ITO_DARK, ordered
from ..style.text import text_problem
from ..surfaces.analytic import Array
from .kind import SceneKind, check_name, check_options, check_positive_int, init_scene
from .values import Frames, Look, default_part

ARTICLE_EWA_COLORS = ("#9E7CC1", "#9897CE", "#93B2DC", "#8ECDEA")


@dataclass(frozen=True, init=False)
class SeriesScene(SceneKind):
    """Exponentially weighted averages of a series for several ``betas`` (the article's figure 5).

    Args:
        name: identifier.
        betas: one average per β, drawn in ``colors`` (default: the ``palette``'s).
        palette: ``"default"`` (colours told apart by colour-blind viewers too) or ``"article"`` (the original
            figure's four shades of lilac and blue).
        stagger: frames between the starts of consecutive averages.
        data, column: a CSV file and the column to read; ``None``: a seeded synthetic series (labelled so).
        seed, days: the synthetic series' seed and length (253 trading days, as the original year; at most
            :data:`trajectories.compute.ewa.MAX_ROWS`, as a CSV's rows).
        size, dpi, fps, hold, theme, title, line_width, description: as for :class:`~trajectories.scene.Scene`.

    One frame shows one more value of each average, up to :attr:`MAX_FRAMES` frames; a longer series is
    spread evenly over them.
    """

    name: str
    betas: tuple[float, ...] = (0.80, 0.90, 0.95, 0.98)
    colors: tuple[str, ...] = ()
    price_color: str = "#FFFFFF"
    stagger: int = 20
    data: str | None = None
    column: str | None = None
    seed: int = default("seed", "series")
    days: int = 253
    description: str = default("description", "series")
    timing: Frames = field(default_factory=lambda: default_part("timing", "series"))
    look: Look = field(default_factory=lambda: default_part("look", "series"))
    source: str = field(default="", compare=False)
    kind: ClassVar[str] = "series"
    view: ClassVar[str] = "averages"  # the view that draws it (:mod:`trajectories.render.views`)
    MAX_FRAMES: ClassVar[int] = 1000
    """The most frames: 100 s at 10 fps. A longer series (up to :data:`trajectories.compute.ewa.MAX_ROWS` values)
    is spread evenly over them, several values a frame; the built-in figure (313 frames) is not."""

    @property
    def curve_colors(self) -> tuple[str, ...]:
        """The averages' colours: ``colors`` if given, else the palette's (never the price's white)."""
        if self.colors:
            return self.colors
        if self.look.palette == "article":
            return ARTICLE_EWA_COLORS
        if self.look.palette == "ordered":  # β in order: dark to light on the theme's background
            from ..style.theme import get_theme

            return ordered(len(self.betas), get_theme(self.look.theme).dark)
        return tuple(c for c in OKABE_ITO_DARK if c.upper() != self.price_color.upper())

    def __init__(self, name: str, **options: Any) -> None:
        """The fields above by name; each option of a part (``fps=``, ``theme=``...) goes into that part."""
        init_scene(self, {"name": name, **options})
        self.__post_init__()

    def __post_init__(self) -> None:
        check_name(self.name)
        object.__setattr__(self, "betas", tuple(self.betas))
        object.__setattr__(self, "colors", tuple(self.colors))
        check_options(self, "series")
        if not self.betas or not all(isinstance(b, (int, float)) and 0 <= b < 1 for b in self.betas):
            raise SceneError(f"{self.name}: betas must be numbers in [0, 1), got {self.betas!r}")
        if len(self.curve_colors) < len(self.betas):
            raise SceneError(f"{self.name}: {len(self.betas)} betas need as many colours, got {len(self.colors)}")
        if isinstance(self.stagger, bool) or not isinstance(self.stagger, int) or self.stagger < 0:
            raise SceneError(f"stagger must be a whole number >= 0, got {self.stagger!r}")
        check_positive_int("days", self.days)
        if not 2 <= self.days <= MAX_ROWS:
            raise SceneError(f"days must be from 2 to {MAX_ROWS}, got {self.days}")
        if (self.data is None) != (self.column is None):
            raise SceneError(f"{self.name}: a real series needs a CSV file and a column (--data FILE --column NAME)")
        if isinstance(self.column, str) and (problem := text_problem(self.column)) is not None:
            raise SceneError(f"{self.name}: column {problem}")  # drawn under the title and in the legend
        if self.data is not None:
            try:
                load_series(self.data, self.column)
            except SeriesError as error:
                raise SceneError(str(error)) from None

    @property
    def synthetic(self) -> bool:
        return self.data is None

    def values(self) -> Array:
        """The series: the CSV column, or the seeded synthetic prices."""
        if self.data is not None:
            return load_series(self.data, self.column)
        return synthetic_prices(self.days, seed=self.seed)

    def averages(self) -> list[Array]:
        values = self.values()
        return [ewa(values, beta) for beta in self.betas]

    @property
    def natural_frames(self) -> int:
        """Frames at one value a frame: every value, then ``stagger`` frames for each later average."""
        return len(self.values()) + self.stagger * (len(self.betas) - 1)

    @property
    def frame_count(self) -> int:
        """One frame a value, at most :attr:`MAX_FRAMES` (longer series are spread over them)."""
        return min(self.natural_frames, self.MAX_FRAMES)

    def frame_steps(self) -> list[int]:
        """Per frame, the one-value-a-frame step it shows (0 to :attr:`natural_frames` − 1, spread evenly);
        frame ``i`` shows step ``i`` when the series fits in :attr:`MAX_FRAMES`."""
        return spread(self.natural_frames - 1, self.frame_count)

