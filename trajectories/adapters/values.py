"""Adapter spec text: ``torch:MODULE.CLASS[:key=value,...]`` and ``optax:FUNCTION[:key=value,...]``.

Values parse as in our own specs, plus what foreign constructors take: numbers (``1`` stays an integer,
``0.1`` and ``1e-3`` are floats), ``true``/``false``, ``none``, tuples ``(0.9,0.99)`` (commas inside
parentheses or brackets belong to the value) and bare words (``line_search_fn=strong_wolfe``).

>>> split_adapter_text("torch:torch.optim.Adam:lr=0.1,betas=(0.9,0.99),amsgrad=true")
('torch', 'torch.optim.Adam', {'lr': 0.1, 'betas': (0.9, 0.99), 'amsgrad': True})
>>> split_adapter_text("optax:optax.sgd:learning_rate=0.1,momentum=0.9,nesterov=false")
('optax', 'optax.sgd', {'learning_rate': 0.1, 'momentum': 0.9, 'nesterov': False})
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..core.keywords import parse_keywords, split_top_level
from ..errors import SpecError

KINDS = ("torch", "optax")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|nan)", re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?\d+")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def adapter_kind(text: str) -> str | None:
    """``"torch"`` or ``"optax"`` when ``text`` is an adapter spec (or name), else ``None``."""
    head = text.strip().partition(":")[0].strip()
    return head if head in KINDS and ":" in text else None


def split_adapter_text(text: str) -> tuple[str, str, dict[str, Any]]:
    """``(kind, target, keywords)`` of adapter spec ``text``; :class:`SpecError` with one line otherwise."""
    text = text.strip()
    kind, _, rest = text.partition(":")
    target, colon, items = rest.partition(":")
    target = target.strip()
    if not target:
        example = "torch.optim.SGD" if kind == "torch" else "optax.adam"
        raise SpecError(f"{kind}: needs a dotted name after '{kind}:', e.g. '{kind}:{example}'")
    if colon and not items.strip():
        raise SpecError(f"{kind}:{target}: nothing after ':' in {text!r}")
    texts = parse_keywords(f"{kind}:{target}", items, text) if items.strip() else {}
    for key in texts:
        if not key.isidentifier():
            raise SpecError(f"{kind}:{target}: {key!r} is not a keyword name")
    return kind, target, {key: parse_value(value, f"{kind}:{target}: {key}") for key, value in texts.items()}


def parse_value(text: str, where: str) -> Any:
    """One value: a number, a boolean, ``none``, a tuple of values or a bare word."""
    text = text.strip()
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    if text[:1] in "([" and text[-1:] in ")]" and len(text) >= 2:
        inner = text[1:-1]
        if not inner.strip():
            return ()
        items = [item for item in split_top_level(inner, text)]
        if items and not items[-1].strip():  # a trailing comma: (0.9,)
            items = items[:-1]
        return tuple(parse_value(item, where) for item in items)
    if _INTEGER.fullmatch(text):
        return int(text)
    if _NUMBER.fullmatch(text):
        return float(text)
    if _WORD.fullmatch(text):
        return text
    raise SpecError(f"{where}: expected a number, true/false, none, a word or a tuple (a,b), got {text!r}")


def format_value(value: Any) -> str:
    """Spec text for ``value`` that :func:`parse_value` reads back as an equal value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (tuple, list)):
        return "(" + ",".join(format_value(item) for item in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return repr(value) if isinstance(value, (int, float)) else str(value)


def as_plain(value: Any) -> Any:
    """A TOML or Python value as spec values are held: lists become tuples, recursively."""
    if isinstance(value, (list, tuple)):
        return tuple(as_plain(item) for item in value)
    return value


def all_finite(value: Any) -> bool:
    """Whether every number in ``value`` (a tuple's too) is finite.

    >>> all_finite((0.9, 0.99)), all_finite(float("inf")), all_finite("inf"), all_finite((1, (float("nan"),)))
    (True, False, True, False)
    """
    if isinstance(value, (tuple, list)):
        return all(all_finite(item) for item in value)
    return not isinstance(value, float) or math.isfinite(value)
