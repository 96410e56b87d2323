"""The documentation site's own Sphinx extension: what the pages show that is made from the code while the
site builds, never copied by hand.

- :mod:`.gallery`: one page per built-in scene, and the gallery's index of thumbnails, written from the scene
  registry when the build starts (a new scene gets its page without anyone writing it);
- :mod:`.tables`: directives that write reference tables from the code (surfaces, optimizers, schedules,
  the error messages of every bad input the suite tries, what ``run`` writes);
- :mod:`.cli_help`: the command line's help text escaped for the reStructuredText that sphinx-click writes;
- :mod:`.mathml`: math as MathML written into the page, so that no page loads a script from the network;
- :mod:`.references` and :mod:`.docstrings`: the docstrings' cross-references resolved as a reader means them
  (and still checked), and their constants' docstrings shown as written.

The module paths the pages read (``trajectories.options``, ``trajectories.surfaces.catalogue``...) are named in
:mod:`.sources` and nowhere else, so that moving a module touches one line.
"""

from __future__ import annotations

from typing import Any

from . import cli_help, docstrings, gallery, mathml, references, tables


def setup(app: Any) -> dict[str, Any]:
    gallery.setup(app)
    cli_help.setup(app)
    tables.setup(app)
    mathml.setup(app)
    references.setup(app)
    docstrings.setup(app)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
