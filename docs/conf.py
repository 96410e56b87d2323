"""The documentation site of trajectories (Sphinx, MyST Markdown, the furo theme).

Build it with one command from the repository's root, after ``pip install ".[docs]"``::

    python -m sphinx -W --keep-going -n -b html docs docs/_build/html

Warnings are errors (``-W``), every cross-reference must resolve (``-n``). The gallery's animations are
rendered by our own directive (``trajectories.sphinxext``) and cached in ``docs/_build/doctrees/trajectories``:
a rebuild renders nothing it rendered before. ``tests/test_docs_site.py`` builds the site and opens every page
in a headless Chromium.
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))  # the site's own extension: gallery, generated tables, MathML

from trajectories_docs import sources  # noqa: E402

project = "trajectories"
author = "the trajectories authors"
copyright = "2026, the trajectories authors"
release = version = sources.load("trajectories.version:__version__")

extensions = [
    "myst_nb",  # MyST Markdown pages, and notebooks executed by a Jupyter kernel while the site builds
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",  # the docstrings' "Args:" sections
    "sphinx_click",
    "trajectories.sphinxext",  # our own directive: every animation on the site
    "trajectories_docs",
]

# not pages of the site: the README's figure fixes of issue 16, and the design notes of the network scenes'
# numeric core (issue 29, phase A: no scene kind, view or flag yet; their pages come with phase B)
exclude_patterns = ["_build", "_*", "**/_*", "issue-16", "issue-25", "network-design.md", "options_table.py",
                    "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []
smartquotes_action = "qe"  # curly quotes and ellipses, but no dashes: --start in prose stays what one types

# --- MyST and notebooks ---
myst_enable_extensions = ["colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3
myst_substitutions = sources.substitutions()  # numbers quoted in the pages, read from the code
nb_execution_mode = "force"  # the notebook runs in a real kernel at every build of its page
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_in_temp = True  # what it writes goes to a temporary folder, never into docs/
nb_merge_streams = True

# --- the API reference ---
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"show-inheritance": False}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
add_module_names = False
python_use_unqualified_type_names = True

# nitpicky (-n): every reference resolves, except names of other projects, whose inventories we do not
# fetch (the build reaches no network)
nitpick_ignore_regex = [
    ("py:.*", r"(numpy|np|pathlib|typing|collections|click|docutils|sphinx|PIL|dask|torch|jax|optax|io|os|"
              r"concurrent|multiprocessing|subprocess|tempfile|signal|enum|abc|types|dataclasses|importlib|"
              r"matplotlib|imageio|warnings|mpmath)(\..*)?"),
    ("py:class", r"(Any|Path|Callable|Sequence|Mapping|Iterable|Iterator|BinaryIO|TextIO|Literal|NDArray|"
                 r"ArrayLike|Self|Generator|ndarray|float64|int64|bool_|np\..*|numpy\..*|optional)"),
    ("py:(class|exc|obj)", r"(ValueError|KeyError|TypeError|RuntimeError|OSError|Exception|BaseException|"
                           r"Warning|UserWarning|KeyboardInterrupt|int|float|str|bool|bytes|dict|list|tuple|"
                           r"set|frozenset|object|None|type|complex|slice|range|memoryview|callable|"
                           r"NotImplementedError|ImportError|FileNotFoundError|ZeroDivisionError)"),
]

# --- HTML ---
html_theme = "furo"
html_title = f"trajectories {release}"
html_static_path = ["_static"]
html_css_files = ["trajectories.css"]
html_math_renderer = "mathml"  # math written as MathML: no script from a CDN (trajectories_docs.mathml)
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "source_repository": "",
    "navigation_with_keys": True,
}
html_last_updated_fmt = None
