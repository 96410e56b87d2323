"""Cross-references from the docstrings, resolved as a reader means them, and still checked.

The docstrings name things the way the code does: a short name imported into the module (``:class:`SpecError```
in ``spec.py``), a sibling module (``:mod:`.kind```), an internal module the reference does not document
(``:mod:`trajectories.compute.paths```). Sphinx's nitpicky mode (``-n``) would call each of those missing. Here:

1. a name that one documented object ends with links to that object;
2. a name that imports (from the module the reference is in, or as a full ``trajectories...`` path) is real but
   not in the reference: it is shown as code, without a link, and no warning;
3. anything else stays a warning, so ``-W -n`` still fails on a typo or a name that no longer exists.
"""

from __future__ import annotations

import importlib
from typing import Any

from docutils import nodes
from sphinx.util.nodes import make_refnode


def _imports(target: str, module: str | None) -> bool:
    """Whether ``target`` names a real object: as written, or relative to ``module``."""
    name = target.lstrip("~")
    candidates = []
    if name.startswith("."):
        base = (module or "").split(".")
        dots = len(name) - len(name.lstrip("."))
        candidates.append(".".join([*base[: len(base) - dots + 1], name.lstrip(".")]))
    else:
        candidates.append(name)
        if module:
            candidates.append(f"{module}.{name}")
    for candidate in candidates:
        if not candidate.startswith("trajectories"):
            continue
        parts = candidate.split(".")
        for cut in range(len(parts), 0, -1):
            try:
                value: Any = importlib.import_module(".".join(parts[:cut]))
            except ImportError:
                continue
            try:
                for attribute in parts[cut:]:
                    value = getattr(value, attribute)
            except AttributeError:
                break
            return True
    return False


def resolve(app: Any, env: Any, node: nodes.Element, contnode: nodes.Node) -> nodes.Node | None:
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    objects = env.get_domain("py").objects
    found = [name for name in objects if name == target or name.endswith("." + target)]
    if len(found) == 1:
        entry = objects[found[0]]
        return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, found[0])
    if _imports(node["reftarget"], node.get("py:module")):
        return contnode
    return None


def setup(app: Any) -> None:
    app.connect("missing-reference", resolve)
