"""The command line's help text as sphinx-click writes it into the CLI reference: reStructuredText, where a
help's plain ``|g|`` (a norm) would be read as a substitution and a `code` span (single backquotes, as the
terminal shows them) as a title in italics. Each help line is rewritten before it is parsed; the directive
lines sphinx-click writes around them (``.. option::``, ``:default:``) are left as they are."""

from __future__ import annotations

import re
from typing import Any

EVENTS = ("sphinx-click-process-description", "sphinx-click-process-options", "sphinx-click-process-arguments",
          "sphinx-click-process-epilog")


def escape_help(lines: list[str]) -> None:
    """Rewrite, in place, every line that is help text rather than a directive or its option: ``|`` escaped,
    `code` as a literal.

    >>> lines = [".. option:: --state-panel <state_panel>", "", "    the update: |g|, |step| (the `run` schema)"]
    >>> escape_help(lines); lines[2]
    '    the update: \\\\|g\\\\|, \\\\|step\\\\| (the ``run`` schema)'
    """
    for index, line in enumerate(lines):
        if not line.lstrip().startswith(("..", ":")):
            lines[index] = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", line.replace("|", "\\|"))


def setup(app: Any) -> None:
    for event in EVENTS:
        app.connect(event, lambda _app, _ctx, lines: escape_help(lines))
