"""Colours a user names (a racer's ``color``), checked as matplotlib will read them when it draws.

A hexadecimal colour (``#rgb``, ``#rgba``, ``#rrggbb``, ``#rrggbbaa``) is checked here, without matplotlib; a
name (``"crimson"``, ``"tab:blue"``, ``"xkcd:sky blue"``, ``"C3"``) or a grey level (``"0.5"``) is looked up in
matplotlib's own colour table, imported only then, as :mod:`.text` parses mathtext only for text that holds it.

>>> is_color("#0072B2"), is_color("#0072B"), is_color(None)
(True, False, False)
"""

from __future__ import annotations

import re
from typing import Any

HEX = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


def is_color(value: Any) -> bool:
    """Whether matplotlib draws ``value`` as a colour (text only: a scene's colours are written as text)."""
    if not isinstance(value, str):
        return False
    if HEX.fullmatch(value):
        return True
    if value.startswith("#"):
        return False
    from matplotlib.colors import is_color_like

    return bool(is_color_like(value))
