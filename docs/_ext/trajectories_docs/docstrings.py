"""Attribute and property docstrings read as written.

napoleon reads an attribute's docstring in Google style, where ``text before a colon: the rest`` means
``type: description``: our constants' docstrings ("The formats the directive embeds: images, ...") would show
their first words as a type. Their lines are kept before napoleon sees them and put back after it.
"""

from __future__ import annotations

from typing import Any

KINDS = ("attribute", "data", "property")


def keep(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    if what in KINDS:
        app.env.temp_data.setdefault("trajectories_docstrings", {})[name] = list(lines)


def restore(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    kept = app.env.temp_data.get("trajectories_docstrings", {}).pop(name, None)
    if what in KINDS and kept is not None:
        lines[:] = kept


def setup(app: Any) -> None:
    app.connect("autodoc-process-docstring", keep, priority=100)  # before napoleon (500)
    app.connect("autodoc-process-docstring", restore, priority=900)  # after it
