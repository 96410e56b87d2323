r"""Text a user gives a scene (a title, a racer's label, a CSV column's name), checked before anything is
computed, so that a scene that exists can be drawn.

matplotlib reads a line with an even number of unescaped ``$`` as mathtext (:func:`matplotlib.cbook.is_math_text`,
line by line, as :class:`matplotlib.text.Text` lays text out) and raises, mid-render, when it cannot parse it;
a character its font does not have is drawn as a box, with a warning on stderr. :func:`text_problem` finds
both first and says what is wrong in one line. A single ``$`` is plain text (``"cost in $"``); ``\$`` is a
literal dollar sign inside mathtext. matplotlib is imported only for a line that holds mathtext or a
character outside :data:`DRAWABLE`, so checking plain text (formulas and Greek letters included) costs nothing.

>>> text_problem("cost in $") is None and text_problem(r"$\alpha$ = 0.9") is None
True
>>> print(text_problem("$x^$").split(";")[0])
is not valid mathtext: '$x^$' (in 'x^': expected a symbol or a group, found end of text at char 2)
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..scene_protocol import Race

MAX_LENGTH = 200
"""Characters in one title, label or column name: two lines of a title at the widest frame, far more than
any built-in text (72); mathtext parsing grows with the length (10,000 characters take 5 s)."""
MAX_DEPTH = 10
"""Groups (``{...}``, ``\\left...\\right``) nested in one line of mathtext: matplotlib's parser recurses
about 40 Python frames a level and fails past 22 to 32 levels, fewer the deeper the stack it is drawn from."""
PLAIN = frozenset(chr(code) for code in range(32, 127)) | {"\n"}
"""Characters every font has (DejaVu Sans, matplotlib's default, has every one)."""
DEJAVU_RANGES = ((0xA1, 0xAC), (0xAE, 0x17F), (0x370, 0x377), (0x37A, 0x37E), (0x384, 0x38A), (0x38C, 0x38C),
                 (0x38E, 0x3A1), (0x3A3, 0x3FF), (0x2010, 0x2027), (0x2030, 0x205E), (0x2070, 0x2071),
                 (0x2074, 0x208E), (0x2090, 0x209C), (0x1D62, 0x1D6A), (0x2150, 0x2185), (0x2190, 0x22FF))
"""Blocks of printable characters that DejaVu Sans (the font matplotlib bundles and draws with by default,
since matplotlib 2.0) has every one of: Latin-1 and Latin Extended-A, Greek, punctuation, super- and
subscripts, fractions and number forms, arrows and mathematical operators (``tests/test_bad_input_text.py``
asks matplotlib's font)."""
DRAWABLE = PLAIN | frozenset(chr(code) for low, high in DEJAVU_RANGES for code in range(low, high + 1))
"""Characters known to be drawable without asking matplotlib: a formula's ``²``, ``−`` or ``∇``, a label's
``α`` or ``β``; checking text made of them imports no matplotlib (a scene is checked without it)."""


def is_math_line(line: str) -> bool:
    """Whether matplotlib draws ``line`` as mathtext: an even, non-zero number of unescaped ``$``
    (as :func:`matplotlib.cbook.is_math_text`)."""
    dollars = line.count("$") - line.count(r"\$")
    return dollars > 0 and dollars % 2 == 0


def text_problem(text: str, math: bool = True, limit: int | None = MAX_LENGTH) -> str | None:
    """Why ``text`` cannot be drawn as a title or label (``"is not valid mathtext: ..."``, ``"has characters
    the font cannot draw: ..."``, ``"is longer than ..."``), or ``None`` when it can. ``math``: whether
    the text is drawn with mathtext parsing (every title and label is); ``limit``: its most characters."""
    if limit is not None and len(text) > limit:
        return f"is longer than {limit} characters ({len(text)})"
    missing: set[str] = set()
    for line in text.split("\n") if math else ():
        if is_math_line(line):
            problem = _mathtext_problem(line, missing)
            if problem is not None:
                return problem
    if not set(text) <= DRAWABLE:
        missing |= _missing_glyphs(text)
    if missing:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in sorted(missing)[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        return f"has characters the font cannot draw: {shown}{more}"
    return None


def _mathtext_problem(line: str, missing: set[str]) -> str | None:
    from matplotlib.mathtext import MathTextParser

    if _depth(line) > MAX_DEPTH:
        return f"is not valid mathtext: {_quoted(line)} (groups nested more than {MAX_DEPTH} deep)"
    try:
        with _glyph_reports(missing):
            MathTextParser("path").parse(line)
    except RecursionError:
        return f"is not valid mathtext: {_quoted(line)} (nested too deeply)"
    except ValueError as error:
        return f"is not valid mathtext: {_quoted(line)} ({_reason(error)}); \\$ is a literal dollar sign"
    return None


def _depth(line: str) -> int:
    """How deep ``{`` groups and ``\\left`` delimiters nest in ``line`` (escaped braces do not count)."""
    depth = deepest = 0
    for token in re.findall(r"\\\\|\\[{}]|\\left|\\right|[{}]", line):
        if token in ("{", "\\left"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in ("}", "\\right"):
            depth -= 1
    return deepest


def _reason(error: ValueError) -> str:
    """pyparsing's message in one line: ``"in 'x^': expected ..., found end of text at char 2"``."""
    lines = [line for line in str(error).split("\n") if line.strip()]
    if not lines:
        return "cannot be parsed"
    reason = re.sub(r"^\w+: ", "", lines[-1])  # "ParseSyntaxException: Expected ..."
    reason = re.sub(r",?\s*\(line:\d+, col:\d+\)", "", reason)
    reason = re.sub(r"\s*\((at char \d+)\)", r" \1", reason)
    reason = re.sub(r"^Expected \{.*\}, found", "expected a symbol or a group, found", reason)  # a whole rule
    reason = " ".join(reason.split())
    reason = reason[:1].lower() + reason[1:]
    return f"in {_quoted(lines[0])}: {reason}" if len(lines) > 1 else reason


def _quoted(text: str) -> str:
    """``text`` in quotes as typed (backslashes single), control characters escaped: one line."""
    return "'" + "".join(c if c.isprintable() else repr(c)[1:-1] for c in text) + "'"


class _GlyphReports(logging.Handler):
    """Collects the characters mathtext reports it has no glyph for (instead of logging them to stderr)."""

    def __init__(self, missing: set[str]) -> None:
        super().__init__(logging.WARNING)
        self.missing = missing

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"glyph for '(.*?)' \[U\+([0-9a-fA-F]+)\]", record.getMessage())
        if found:
            self.missing.add(chr(int(found.group(2), 16)))


@contextlib.contextmanager
def _glyph_reports(missing: set[str]) -> Iterator[None]:
    logger = logging.getLogger("matplotlib")
    handler = _GlyphReports(missing)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _missing_glyphs(text: str) -> set[str]:
    """The characters of ``text`` that no font of matplotlib's default family (with its fallbacks) has."""
    from matplotlib.font_manager import FontProperties, findfont, fontManager, get_font

    finder = getattr(fontManager, "_find_fonts_by_props", None)
    paths = finder(FontProperties()) if finder is not None else [findfont(FontProperties())]
    fonts = [get_font(path) for path in paths]
    return {c for c in set(text) - {"\n"} if all(font.get_char_index(ord(c)) == 0 for font in fonts)}


def race_title(scene: Race, default: str) -> str:
    """The title a view of many starts draws: the scene's own (``default`` when it has none), with ``{starts}``
    replaced by the number of starts the scene draws, so that a count in a title is always the scene's."""
    title = scene.look.title if scene.look.title is not None else default
    return title.replace("{starts}", f"{len(scene.starts):,}")

