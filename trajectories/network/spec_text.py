"""The text of model, dataset and projection specs: one printable line ``NAME[:...]``, whose ``key=value``
lists the project's one parser reads (:mod:`trajectories.core.keywords`), every problem a one-line
:class:`~trajectories.errors.NetworkError`.

>>> split_spec(" moons:n=400 ", "a dataset spec", "moons:n=400")
('moons:n=400', 'moons', 'n=400')
>>> keywords("moons", "n=400,noise=0.2", "moons:n=400,noise=0.2")
{'n': '400', 'noise': '0.2'}
"""

from __future__ import annotations

from ..core.keywords import parse_keywords
from ..errors import NetworkError, SpecError


def split_spec(text: object, what: str, example: str) -> tuple[str, str, str]:
    """``(whole, name, rest)`` of spec ``text`` (``rest``: what follows the first ``:``); a
    :class:`NetworkError` naming ``what`` and an ``example`` for text that is not one non-empty printable
    line, or that ends in a bare ``:``."""
    if not isinstance(text, str) or not text.strip() or not text.strip().isprintable():
        raise NetworkError(f"{what} is one line such as {example!r}, got {text!r}")
    whole = text.strip()
    name, colon, rest = whole.partition(":")
    if colon and not rest.strip():
        raise NetworkError(f"{name.strip()}: nothing after ':' in {whole!r}")
    return whole, name.strip(), rest


def keywords(owner: str, items: str, whole: str) -> dict[str, str]:
    """The ``key=value`` pairs of ``items`` (:func:`trajectories.core.keywords.parse_keywords`), its errors as
    :class:`NetworkError`; ``{}`` for blank ``items``."""
    if not items.strip():
        return {}
    try:
        return parse_keywords(owner, items, whole)
    except SpecError as error:
        raise NetworkError(str(error)) from None
