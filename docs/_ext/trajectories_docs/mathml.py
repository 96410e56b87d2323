"""Math as MathML, written into the page while it is built (``html_math_renderer = "mathml"``).

Sphinx's default renderer, MathJax, loads a script from a CDN when the page opens: a page of this site must
load nothing from outside the machine, and must show the same equations offline. docutils converts LaTeX
to MathML (:mod:`docutils.utils.math.latex2mathml`) and every current browser draws MathML Core. Where the
converter lacks a command that our docstrings use, :data:`SPELLINGS` says it another way; a formula it still
cannot read is a warning at its line, so that ``-W`` fails the build rather than showing raw LaTeX.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from docutils.utils.math import MathError, latex2mathml
from sphinx.util import logging

logger = logging.getLogger(__name__)

SPELLINGS = (
    (re.compile(r"\\dots\b"), r"\\ldots"),
    (re.compile(r"\\[Bb]igg?(?![a-zA-Z])"), ""),  # \big( ... \big): the plain delimiter, sized as it comes
    (re.compile(r"\\([dt]?frac)(\d)(\d)"), r"\\\1{\2}{\3}"),  # \tfrac12 -> \tfrac{1}{2}
)
"""LaTeX that docutils' converter does not read, and what it reads instead."""


def _converted(latex: str, block: bool, node: nodes.Node) -> str:
    for pattern, replacement in SPELLINGS:
        latex = pattern.sub(replacement, latex)
    try:
        return latex2mathml.tex2mathml(latex, as_block=block)
    except (MathError, IndexError, KeyError, ValueError, AttributeError) as error:
        logger.warning("math: %s: %s", error, latex.strip()[:80], location=node, type="math")
        return f"<code>{latex}</code>"


def visit_math(translator: Any, node: nodes.math) -> None:
    translator.body.append(_converted(node.astext(), False, node))
    raise nodes.SkipNode


def visit_displaymath(translator: Any, node: nodes.math_block) -> None:
    mathml = _converted(node.astext(), True, node)
    anchor = ""
    if node.get("number"):
        anchor = f'<span class="eqno">({node["number"]})</span>'
    translator.body.append(f'<div class="math-block">{anchor}{mathml}</div>\n')
    raise nodes.SkipNode


def setup(app: Any) -> None:
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
