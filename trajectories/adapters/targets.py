"""Find what an adapter spec names: ``torch.optim.SGD`` -> the class, ``optax.adam`` -> the function.

Every failure is one line naming the spec and saying what to do; a missing torch or JAX names the extra
to install.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import SpecError, TrustError
from ..trust.names import ADAPTER_NAMESPACES, check_adapter_name, check_adapter_object

EXTRAS = {"torch": ("torch", "PyTorch"), "optax": ("jax", "JAX and optax")}
LIBRARIES = {"torch": ("torch",), "optax": ("jax", "jaxlib", "optax")}


def missing_extra(kind: str) -> SpecError:
    """The one-line error for an adapter whose library is not installed."""
    extra, what = EXTRAS[kind]
    return SpecError(f"{kind}: adapters need {what}: pip install 'trajectories[{extra}]'")


def import_library(kind: str) -> Any:
    """Import the library ``kind`` adapts (``torch`` or ``optax``), or the missing-extra error."""
    try:
        for name in LIBRARIES[kind]:
            module = importlib.import_module(name)
    except ImportError:
        raise missing_extra(kind) from None
    return module


def resolve(kind: str, target: str) -> Any:
    """The object that dotted name ``target`` names. From code: the longest importable module prefix, then
    attributes. From the command line or data (:mod:`trajectories.trust.names`): only inside the allowed
    namespaces, checked before any import; then that package alone is imported, the rest are attributes,
    and an optax target must be a function defined in optax. :class:`SpecError` (one line) when no prefix
    imports or an attribute is missing; :class:`~trajectories.errors.TrustError` outside the allow-list."""
    where = f"{kind}:{target}"
    parts = target.split(".")
    if not all(part.isidentifier() for part in parts):
        raise SpecError(f"{where}: {target!r} is not a dotted name such as torch.optim.SGD")
    root = check_adapter_name(kind, target)
    if root is not None:
        found = _attributes(where, _import(kind, root, where), parts, len(root.split(".")))
        check_adapter_object(kind, target, found)
        return found
    module, used, first_error = None, 0, None
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            if first_error is None or (isinstance(error, ModuleNotFoundError) and error.name == name):
                first_error = first_error or error
            continue
        except Exception as error:  # a module that raises while it is imported
            raise SpecError(f"{where}: importing {name} raised {type(error).__name__}: {_line(error)}") from None
        used = cut
        break
    if module is None:
        if parts[0] in ("torch", "jax", "optax") and kind in EXTRAS:
            import_library(kind)  # a missing library names the extra
        raise SpecError(f"{where}: module {parts[0]!r} does not import ({_line(first_error)})")
    return _attributes(where, module, parts, used)


def _import(kind: str, name: str, where: str) -> Any:
    """Module ``name`` (an allowed one), or the one-line error: a missing library names its extra."""
    try:
        return importlib.import_module(name)
    except TrustError:
        raise
    except ImportError as error:
        if name.split(".")[0] in LIBRARIES[kind] + ADAPTER_NAMESPACES[kind][:1]:
            import_library(kind)
        raise SpecError(f"{where}: module {name!r} does not import ({_line(error)})") from None
    except Exception as error:
        raise SpecError(f"{where}: importing {name} raised {type(error).__name__}: {_line(error)}") from None


def _attributes(where: str, found: Any, parts: list[str], used: int) -> Any:
    """``found``'s attribute ``parts[used]``, then that one's ``parts[used + 1]``..."""
    for index in range(used, len(parts)):
        if not hasattr(found, parts[index]):
            owner = ".".join(parts[:index])
            raise SpecError(f"{where}: {owner} has no attribute {parts[index]!r}")
        found = getattr(found, parts[index])
    return found


def qualified_name(value: Any) -> str:
    """``module.qualname`` of a class or function, the way an adapter spec names it."""
    return f"{getattr(value, '__module__', '?')}.{getattr(value, '__qualname__', type(value).__name__)}"


def _line(error: BaseException | None) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
