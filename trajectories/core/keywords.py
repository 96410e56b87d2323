"""``key=value,...`` lists, as optimizer specs, schedules and adapter specs write them.

>>> parse_keywords("multistep", "milestones=[30,80],gamma=0.5", "multistep:milestones=[30,80],gamma=0.5")
{'milestones': '[30,80]', 'gamma': '0.5'}
"""

from __future__ import annotations

from ..errors import SpecError


def split_top_level(text: str, whole: str) -> list[str]:
    """``text`` split at the commas outside parentheses and brackets (``betas=(0.9,0.99),lr=1``);
    :class:`SpecError` naming ``whole`` for an unbalanced one."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
            if depth < 0:
                raise SpecError(f"unbalanced {char!r} in {whole!r}")
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth:
        raise SpecError(f"unclosed parenthesis in {whole!r}")
    parts.append("".join(current))
    return parts


def parse_keywords(owner: str, items: str, whole: str) -> dict[str, str]:
    """The ``key=value`` pairs of ``items`` (values still text), in order; one-line :class:`SpecError`s that
    start with ``owner`` and quote ``whole`` for a pair without a key or value, or a key given twice."""
    keywords: dict[str, str] = {}
    for item in split_top_level(items, whole):
        key, equals, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not key or not value:
            raise SpecError(f"{owner}: expected key=value, got {item.strip()!r} in {whole!r}")
        if key in keywords:
            raise SpecError(f"{owner}: {key} is given twice")
        keywords[key] = value
    return keywords
