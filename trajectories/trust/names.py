"""Who may name what: the trust boundary (README, "Security").

- **Code** may run anything, because the user chose to run it: Python scene files, Sphinx's ``conf.py``,
  installed entry-point plugins, and objects passed from Python (``AdapterSpec.of(torch.optim.Adam)``).
- **The command line** is the user's words: it names built-ins, plugins and allow-listed adapter targets,
  and other modules only with an explicit opt-in, ``--allow-module NAME``.
- **Data** is everything else: TOML scenes, CSV series, JSON and npz files, images, a directive's inline
  TOML, cache files. It names what the command line names without an opt-in (it can never opt in), and
  never imports, calls, writes or deletes anything else.

An adapter name (``torch:torch.optim.Adam``, ``optax:optax.adam``) from the command line or data resolves
only inside :data:`ADAPTER_NAMESPACES`, the packages of installed plugins and the modules allowed with
``--allow-module``: its first dotted component is checked *before* anything is imported, then only that
package is imported and the rest are attributes; what it names is checked for what it is (an
``Optimizer`` subclass, a function defined in optax) before it is instantiated or called
(:mod:`trajectories.adapters.targets`). Python code names anything.

Where a name comes from is a context, set by whoever reads it (:func:`named_in`): the TOML loader, the
command line's options, the Sphinx directive. :mod:`trajectories.trust.guard` is the defence in depth: while
data is loaded and rendered, forbidden side effects become a one-line error.

>>> with named_in("data", "s.toml"):
...     try:
...         check_adapter_name("optax", "os.system")
...     except TrustError as error:
...         print(str(error).replace(": ", ":\\n"))
optax:os.system:
s.toml may name only optax functions (optax.NAME), not os:
data never imports other modules; use a Python scene file, or pass --allow-module os on the command line
>>> check_adapter_name("optax", "os.system")  # from Python code: the user's own choice
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import TrustError

ADAPTER_NAMESPACES: dict[str, tuple[str, ...]] = {
    "torch": ("torch", "pytorch_optimizer", "torch_optimizer"),
    "optax": ("optax",),
}
"""The packages whose optimizers a ``torch:`` or ``optax:`` name from data or the command line may name."""

WHAT_THEY_NAME = {"torch": "torch.optim.Optimizer classes of torch, pytorch_optimizer and torch_optimizer",
                  "optax": "optax functions (optax.NAME)"}

_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


@dataclass(frozen=True)
class Origin:
    """Where names come from: ``kind`` is ``"command line"`` or ``"data"``; ``where`` names it in messages
    (``"s.toml"``, ``"--optimizer"``)."""

    kind: str
    where: str


_ORIGIN: ContextVar[Origin | None] = ContextVar("trajectories_origin", default=None)
_ALLOWED: ContextVar[frozenset[str]] = ContextVar("trajectories_allowed_modules", default=frozenset())


def origin() -> Origin | None:
    """Where the names being read now come from; ``None``: from code, which may name anything."""
    return _ORIGIN.get()


@contextlib.contextmanager
def named_in(kind: str, where: str) -> Iterator[None]:
    """Names read in the block come from ``kind`` (``"command line"`` or ``"data"``) at ``where``."""
    if kind not in ("command line", "data"):
        raise TrustError(f"kind must be 'command line' or 'data', got {kind!r}")
    token = _ORIGIN.set(Origin(kind, where))
    try:
        yield
    finally:
        _ORIGIN.reset(token)


@contextlib.contextmanager
def as_code() -> Iterator[None]:
    """Names read in the block come from code (a Python scene file run on behalf of the user)."""
    token = _ORIGIN.set(None)
    try:
        yield
    finally:
        _ORIGIN.reset(token)


def check_module_names(names: Iterable[str], where: str = "--allow-module") -> tuple[str, ...]:
    """``names`` if each is a dotted module name (``mypkg``, ``mypkg.optim``); :class:`TrustError` otherwise."""
    checked = []
    for name in names:
        if not isinstance(name, str) or not _MODULE_NAME.fullmatch(name.strip()):
            raise TrustError(f"{where}: {name!r} is not a module name such as mypkg or mypkg.optim")
        checked.append(name.strip())
    return tuple(checked)


@contextlib.contextmanager
def allowing(modules: Iterable[str]) -> Iterator[None]:
    """The command line's (or ``conf.py``'s) opt-in: adapter names inside ``modules`` (and their
    submodules) resolve in the block, from the command line and from data, and the guard lets them be
    imported. Never called with names read from data."""
    token = _ALLOWED.set(_ALLOWED.get() | frozenset(check_module_names(modules)))
    try:
        yield
    finally:
        _ALLOWED.reset(token)


def allowed_modules() -> frozenset[str]:
    """The modules allowed by ``--allow-module`` (or ``conf.py``) for the command running now."""
    return _ALLOWED.get()


def is_inside(name: str, modules: Iterable[str]) -> bool:
    """Whether dotted ``name`` is one of ``modules`` or inside one of them.

    >>> is_inside("torch.optim.Adam", ["torch"]), is_inside("torchvision.x", ["torch"])
    (True, False)
    """
    return any(name == module or name.startswith(module + ".") for module in modules)


def import_root(kind: str, target: str) -> str | None:
    """The module to import for adapter target ``target`` named from the command line or data: the allowed
    namespace, plugin package or ``--allow-module`` module it lies in (the longest), else ``None``."""
    if any(part.startswith("__") for part in target.split(".")):
        return None  # __globals__, __builtins__, __subclasses__...: a way out of any namespace
    roots = [*ADAPTER_NAMESPACES[kind], *allowed_modules()]
    inside = [root for root in roots if is_inside(target, [root])]
    if not inside:
        from ..support.plugins import plugin_packages

        inside = [root for root in plugin_packages() if is_inside(target, [root])]
    return max(inside, key=len) if inside else None


def check_adapter_name(kind: str, target: str) -> str | None:
    """Nothing (``None``) for names from code; otherwise the module to import for ``kind:target`` (see
    :func:`import_root`), or :class:`TrustError` saying how to opt in, before anything is imported."""
    current = origin()
    if current is None:
        return None
    root = import_root(kind, target)
    if root is not None:
        return root
    first = target.split(".")[0]
    if any(part.startswith("__") for part in target.split(".")):
        reason = "names with __ parts are never looked up"
    elif current.kind == "data":
        reason = f"not {first}: data never imports other modules"
    else:
        reason = f"not {first}"
    how = (f"use a Python scene file, or pass --allow-module {first} on the command line" if current.kind == "data"
           else f"to import {first}, add --allow-module {first}")
    if reason.startswith("names"):
        how = "name the object itself"
    raise TrustError(f"{kind}:{target}: {current.where} may name only {WHAT_THEY_NAME[kind]}, {reason}; {how}")


def check_adapter_object(kind: str, target: str, found: Any) -> None:
    """For names from the command line or data: :class:`TrustError` unless ``found`` is what a ``kind``
    name may name, checked before it is instantiated or called: for optax, a function defined in optax
    (or an allowed module); torch's ``Optimizer`` subclass check is :func:`trajectories.adapters.
    torch_optim.check_class`, which runs before anything is built."""
    current = origin()
    if current is None or kind != "optax":
        return
    function = found
    while isinstance(function, functools.partial):  # optax.nadam is adam with nesterov=True
        function = function.func
    module = getattr(function, "__module__", None) or ""
    if not (callable(found) and is_inside(module, [*ADAPTER_NAMESPACES["optax"], *allowed_modules()])):
        raise TrustError(f"optax:{target}: {current.where} may name only functions defined in optax; this is "
                         f"{type(found).__name__} {module or '?'}.{getattr(found, '__qualname__', '')}".rstrip("."))


class Declared(Protocol):
    """Anything declared in a file (every scene kind: :class:`trajectories.scene_protocol.SceneValue`), read
    here by its one field, since the trust boundary sits below the scenes."""

    @property
    def source(self) -> str: ...


def is_data(scene: Declared) -> bool:
    """Whether ``scene`` was read from data (a TOML scene file), so that it is rendered under the guard."""
    return str(scene.source or "").endswith(".toml")
