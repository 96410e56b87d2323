"""Tables laid out for the terminal's width: ``COLUMNS`` if set, else the terminal's; output to a pipe or a
file is not wrapped (one row a line, for ``grep``).

A table that fits is printed as columns; one that does not becomes one block per row: the first two cells
on a line, then each further cell on lines of its own, indented and wrapped. Cells are lists of *atoms*,
pieces never broken across lines (a point ``(1, 2)``, a window ``[-2, 2]×[-1, 3]``), so a line is longer
than the width only where one atom is.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

Cell = Sequence[str]
INDENT = "    "
NARROWEST = 20
"""Columns laid out for at least this many, however narrow the terminal says it is."""


def number_text(value: float) -> str:
    """A number as the terminal shows it: six significant digits (``1.5``, ``-0.333333``, ``1e+06``)."""
    return f"{value:.6g}"


def point_text(x: float, y: float) -> str:
    """A point as the terminal shows it: ``(1.5, -2)``."""
    return f"({number_text(x)}, {number_text(y)})"


def window_text(window: tuple[float, float, float, float]) -> str:
    """A window ``x0, x1, y0, y1`` as the terminal shows it: ``[-2, 2]×[-1, 3]``."""
    x0, x1, y0, y1 = window
    return f"[{number_text(x0)}, {number_text(x1)}]×[{number_text(y0)}, {number_text(y1)}]"


def is_control(character: str) -> bool:
    """Whether ``character`` is a control character: C0 (U+0000-U+001F), DEL (U+007F) or C1 (U+0080-U+009F),
    which a terminal may act on (``ESC ]0;...BEL`` sets a window's title) rather than show."""
    return ord(character) < 0x20 or 0x7F <= ord(character) <= 0x9F


def printable(text: str) -> str:
    r"""``text`` with every control character written as its escape, for echoing data in a message.

    >>> printable("x\x1b]0;PWNED\x07y")
    'x\\x1b]0;PWNED\\x07y'
    """
    return "".join(repr(c)[1:-1] if is_control(c) else c for c in text)


def terminal_width() -> int | None:
    """The width to fit: ``COLUMNS`` if it is set, else the terminal's, else ``None`` (not a terminal: no
    limit)."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return max(NARROWEST, int(columns))
    try:
        return max(NARROWEST, os.get_terminal_size(sys.stdout.fileno()).columns)
    except (OSError, ValueError, AttributeError):  # a pipe, a file, or a stream without a descriptor
        return None


def pack(atoms: Sequence[str], width: int, first: str = "", rest: str = INDENT) -> list[str]:
    """``atoms`` joined by spaces into lines of at most ``width`` characters, the first line starting with
    ``first`` and the others with ``rest``; an atom wider than a line gets a line of its own.

    >>> pack(["a", "bb", "cc", "d"], 6, "", "  ")
    ['a bb', '  cc d']
    """
    lines: list[str] = []
    line, prefix = "", first
    for atom in atoms:
        candidate = f"{line} {atom}" if line else atom
        if line and len(prefix) + len(candidate) > width:
            lines.append(prefix + line)
            line, prefix = atom, rest
        else:
            line = candidate
    lines.append(prefix + line)
    return lines


def table_lines(header: Sequence[str], rows: Sequence[Sequence[Cell]], width: int | None = None) -> list[str]:
    """``rows`` (cells of atoms) under ``header``, as columns if they fit in ``width`` (default: the
    terminal's; none when output is not a terminal), else one block a row: cells 1 and 2 on a line, then
    ``header: cell`` for the middle ones and the last cell unlabelled, indented and wrapped."""
    width = terminal_width() if width is None else width
    texts = [[" ".join(cell) for cell in row] for row in rows]
    widths = [max(len(text) for text in column) for column in zip(header, *texts, strict=True)]
    if width is None or sum(widths) + 2 * (len(widths) - 1) <= width:
        return ["  ".join(f"{text:<{w}}" for text, w in zip(line, widths, strict=True)).rstrip()
                for line in [list(header), *texts]]
    lines: list[str] = []
    for row in rows:
        lines += pack([*row[0], *row[1]], width)
        for label, cell in zip(header[2:-1], row[2:-1], strict=True):
            lines += pack([f"{label}:", *cell], width, INDENT, INDENT * 2)
        lines += pack(row[-1], width, INDENT, INDENT)
    return lines
