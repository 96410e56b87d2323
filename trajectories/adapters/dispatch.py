"""What :class:`trajectories.core.spec.AdapterSpec` asks of the adapters: check a spec, build its rule.

An adapter spec's name is ``KIND:TARGET`` (``torch:torch.optim.Adam``, ``optax:optax.adam``); its
keywords go to the constructor (torch) or the factory (optax). A scene file may pass the class or the
factory itself (:func:`name_of`); the spec then holds it as ``source`` and names it by its qualified name.
"""

from __future__ import annotations

import inspect
from typing import Any

from ..core.transforms import GradientTransformation
from ..errors import SpecError
from ..trust.names import check_adapter_name
from . import optax_optim, torch_optim
from .targets import import_library, qualified_name, resolve
from .values import KINDS, all_finite, as_plain, format_value


def split_name(name: str) -> tuple[str, str]:
    kind, _, target = name.partition(":")
    if kind not in KINDS or not target.strip():
        raise SpecError(f"{name!r} is not an adapter name (torch:MODULE.CLASS or optax:MODULE.FUNCTION)")
    return kind, target.strip()


def name_of(source: Any) -> str:
    """The adapter name of a ``torch.optim.Optimizer`` subclass or an optax factory passed directly."""
    if isinstance(source, type):
        torch_optim.check_class(qualified_name(source), source)
        return f"torch:{qualified_name(source)}"
    if callable(source):
        return f"optax:{qualified_name(source)}"
    raise SpecError(f"{source!r} is neither a torch.optim.Optimizer subclass nor an optax factory")


def target_of(name: str, source: Any = None) -> Any:
    """What adapter name ``name`` names: ``source`` when a scene passed it directly, else the name resolved
    (from the command line or data: only inside the allow-list, checked before any import)."""
    kind, target = split_name(name)
    if source is not None:
        return source
    check_adapter_name(kind, target)
    import_library(kind)
    return resolve(kind, target)


def normalise(name: str, keywords: dict[str, Any], source: Any = None) -> tuple[dict[str, Any], Any]:
    """``keywords`` checked against what ``name`` names, lists as tuples, and an integer given where the
    constructor's default is a float as that float; and the class or factory itself. :class:`SpecError`
    with one line for: a module that does not import, a class that is not an optimizer, a keyword the
    constructor does not take, a constructor that refuses the values, and an optimizer that raises on its
    first step. Nothing is instantiated or called before it is known to be an optimizer class (torch) or a
    factory an allowed name may call (optax, :func:`trajectories.trust.names.check_adapter_object`)."""
    kind, _ = split_name(name)
    target = target_of(name, source)
    keywords = {key: as_plain(value) for key, value in keywords.items()}
    for key, value in keywords.items():
        if not all_finite(value):  # JSON cannot hold it (run's document, --paths), and no optimizer needs it
            raise SpecError(f"{name}: {key} must hold finite numbers, got {format_value(value)}")
    if kind == "torch":
        torch_optim.check_class(name, target)
        torch_optim.check_keywords(name, target, keywords)
        keywords = _floats_where_defaults_are(target, keywords)
        torch_optim.construct(name, target, keywords)
        torch_optim.check_first_step(name, torch_optim.torch_transformation(target, keywords))
    else:
        optax_optim.check_factory(name, target, keywords)
        keywords = _floats_where_defaults_are(target, keywords)
        optax_optim.check_first_step(name, optax_optim.optax_transformation(target, keywords))
    return keywords, target


def transformation(name: str, keywords: dict[str, Any], source: Any = None) -> GradientTransformation:
    """The ``(init, update)`` pair of a checked adapter spec."""
    kind, _ = split_name(name)
    target = target_of(name, source)
    if kind == "torch":
        return torch_optim.torch_transformation(target, dict(keywords))
    return optax_optim.optax_transformation(target, dict(keywords))


def _floats_where_defaults_are(target: Any, keywords: dict[str, Any]) -> dict[str, Any]:
    try:
        parameters = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return keywords
    converted = {}
    for key, value in keywords.items():
        default = parameters[key].default if key in parameters else None
        is_int = isinstance(value, int) and not isinstance(value, bool)
        converted[key] = float(value) if is_int and isinstance(default, float) else value
    return converted
