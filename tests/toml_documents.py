"""Hypothesis strategies for TOML scene documents over the whole schema (trajectories/scene/toml_file.py and
the options table), good values and hostile ones, kept tiny where they are good (a few steps and frames, a
small frame) so that each document can be rendered in a fraction of a second; and a TOML writer for them.

Adapter names are built from ``sys.stdlib_module_names`` and their attributes (what a stranger would try),
beside the allowed namespaces; hyperparameters hold what a dangerous callable would take.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from hypothesis import strategies as st

from trajectories.core import optimizers
from trajectories.options import toml_options

ALLOWED_NAMESPACES = ("torch", "pytorch_optimizer", "torch_optimizer", "optax")
"""What the issue lets data name (the oracle's own list, not the code's)."""

DANGEROUS_ATTRIBUTES = ("system", "popen", "remove", "unlink", "rmtree", "open", "run", "call", "Popen", "exec",
                        "eval", "main", "x", "X", "spawnl", "rename", "write_text", "mkdir", "listdir")
STDLIB = sorted(name for name in sys.stdlib_module_names if not name.startswith("_"))


stdlib_targets = st.tuples(st.sampled_from(STDLIB), st.sampled_from(DANGEROUS_ATTRIBUTES)).map(".".join)
"""A standard module and an attribute a stranger would try (``os.system``, ``shutil.rmtree``, ``this.x``)."""
allowed_targets = st.sampled_from([
    "torch.optim.Adam", "torch.optim.SGD", "torch.optim.LBFGS", "torch.nn.Linear", "torch.optim.Nope",
    "pytorch_optimizer.AdaBelief", "optax.adam", "optax.sgd", "optax.contrib", "optax.tree_utils.tree_sum",
    "optax.adam.__globals__.os.system", "torch.optim.Adam.__init__.__globals__.os.system", "torch_optimizer.Lamb",
])
adapter_names = st.tuples(st.sampled_from(["torch", "optax"]), st.one_of(stdlib_targets, stdlib_targets,
                                                                        allowed_targets)).map(":".join)
optimizer_names = st.one_of(st.sampled_from(optimizers.names()), adapter_names, adapter_names,
                            st.sampled_from(["adamm", "", "torch:", "optax:..", "sgd:lr=0.1"]))

texts = st.sampled_from(["id > ran.txt", "victim", "precious.txt", "w", "../outside.txt", "/tmp", "rm -rf x",
                         "http://127.0.0.1:9/", "$x^$", "a" * 300, "x", ""])
plain = st.one_of(texts, st.integers(-3, 10**9), st.floats(allow_nan=True, allow_infinity=True), st.booleans())
values = st.one_of(plain, st.lists(plain, max_size=3))
hyperparameters = st.dictionaries(
    st.sampled_from(["command", "cmd", "path", "file", "mode", "url", "args", "lr", "learning_rate", "momentum",
                     "max_iter", "betas", "tolerance_grad", "name", "clip_norm"]),
    st.one_of(values, st.floats(1e-4, 0.5)), max_size=3)
schedules = st.one_of(
    st.sampled_from(["cosine:T_max=5", "exponential:gamma=0.9", "exponential:gamma=1e308",
                     "linear:total_iters=2@cosine:T_max=3", "multistep:milestones=[1,2,3]", "warmup", "@", "step"]),
    st.lists(st.fixed_dictionaries({"name": st.sampled_from(["cosine", "linear", "nope"])},
                                   optional={"T_max": st.integers(-1, 5), "total_iters": st.integers(0, 3)}),
             max_size=2))
optimizer_tables = st.fixed_dictionaries(
    {"name": optimizer_names},
    optional={"label": st.one_of(texts, st.integers()), "color": st.sampled_from(["#D55E00", "red", "nope"]),
              "batch_size": st.one_of(st.integers(0, 64), texts), "hyperparameters": st.one_of(hyperparameters, texts),
              "schedule": schedules, "command": texts})

TINY = {"steps": st.integers(1, 6), "frames": st.integers(1, 4), "size": st.tuples(st.integers(64, 96),
        st.integers(64, 96)).map(list), "grid": st.integers(2, 8), "tail": st.integers(1, 5), "hold": st.floats(0, 0.3),
        "dpi": st.integers(20, 100), "epochs": st.sampled_from([0.05, 0.2]), "batch_size": st.integers(64, 200),
        "seed": st.integers(0, 3), "noise": st.floats(0, 2), "fps": st.integers(1, 50),
        "title": st.sampled_from(["race", "$\\alpha$ = 0.9", "cost in $"]),
        "description": st.sampled_from(["a race", ""]), "zlim": st.just([-1.0, 5.0]),
        "window": st.sampled_from([[-2, 2, -2, 2], [-5, 5, -5, 5], [0, 1, 0, 1]]),
        "start": st.sampled_from([[0.5, 0.5], [[0.5, 0.5], [-1, 1]]]),
        "starts": st.sampled_from(["grid:2x2", "random:3", "disk:3:center=0,0,radius=0.5", ["grid:2x1", "random:2"]]),
        "path": st.sampled_from(["out.gif", "sub/out.png", "out.mp4", "o.html", "a/../b.webp", "deep/er/x.apng"])}
"""Good values kept small, so that a render of the document is quick (by TOML key)."""
HOSTILE_OUTPUT = st.sampled_from(["../escaped.gif", "/tmp/escaped.gif", "", "x\u0000.gif", "sub/../../escaped.gif",
                                  "out.avi", "a" * 300 + ".gif"])


def option_values(option: Any, hostile: bool = False) -> st.SearchStrategy[Any]:
    """Good (tiny) values of one option of the table, or hostile ones."""
    if hostile:
        junk = st.one_of(texts, st.integers(-10, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                         st.lists(st.integers(), max_size=3), st.booleans(),
                         st.sampled_from([[1e308, 0], [-1e308, 1e308, -1, 1], "grid:3000x3000", "spiral:3"]))
        return st.one_of(junk, HOSTILE_OUTPUT) if option.name == "output" else junk
    if option.key in TINY:
        return TINY[option.key]
    if option.kind == "choice":
        return st.sampled_from(option.choice_names())
    if option.kind == "bool":
        return st.booleans()
    if option.kind == "number":
        return st.floats(option.low, min(option.high, option.low + 10), exclude_min=option.above)
    if option.kind == "int":
        return st.integers(int(option.low), int(min(option.high, option.low + 5)))
    if option.kind == "choices":
        return st.lists(st.sampled_from(option.choice_names()), max_size=2, unique=True)
    return st.just("x")


def _table(name: str) -> st.SearchStrategy[dict[str, Any]]:
    options = toml_options(name)
    return st.fixed_dictionaries({}, optional={key: option_values(option) for key, option in options.items()
                                               if option.kind != "surface"})


GOOD_RACERS = [("adam", {"lr": 0.1}), ("sgd", {"lr": 0.05, "momentum": 0.9}), ("rmsprop", {}), ("adagrad", {"lr": 0.3}),
               ("torch:torch.optim.Adam", {"lr": 0.1}), ("torch:torch.optim.LBFGS", {"lr": 0.5, "max_iter": 2}),
               ("optax:optax.adam", {"learning_rate": 0.1}), ("torch:pytorch_optimizer.AdaBelief", {"lr": 0.1})]
good_racers = st.tuples(st.sampled_from(GOOD_RACERS), st.fixed_dictionaries({}, optional={
    "label": st.sampled_from(["Adam", "$\\beta$ = 0.9", "x" * 150]), "color": st.sampled_from(["#D55E00", "red"]),
    "schedule": st.sampled_from(["cosine:T_max=5", "linear:total_iters=2@cosine:T_max=3"])})).map(
    lambda drawn: {"name": drawn[0][0], "hyperparameters": drawn[0][1],
                   **({key: value for key, value in drawn[1].items()
                       if key != "schedule" or ":" not in drawn[0][0]})})
surfaces = st.sampled_from(["sphere", "himmelblau", "rosenbrock", "regression", "x**2 + y**2", "sin(x)*cos(y)"])
hostile_surfaces = st.sampled_from(["__import__('os').system('id')", "nope", "", "9**9**9", "x.real"])


def _consistent(top: dict, surface: str, racers: list, view: dict, output: dict) -> dict[str, Any]:
    """A good document whose options also go together (as the scene checks them), so that it renders."""
    top, view, output = dict(top), dict(view), dict(output)
    if surface != "regression":
        top.pop("epochs", None)
        top.pop("batch_size", None)
    else:
        top.pop("noise", None)
    if view.get("view", "contour") != "contour":
        for key in ("lr_panel", "overlays", "state_panel"):
            view.pop(key, None)
    if "window" in top and "start" in top:
        top["window"] = [-5, 5, -5, 5]
    if output.get("format") == "mp4" and "path" in output:
        output["path"] = "out.mp4"
    return {**top, "surface": surface, "optimizers": racers, **({"view": view} if view else {}),
            **({"output": output} if output else {})}


good_documents = st.builds(_consistent, _table(""), surfaces, st.lists(good_racers, min_size=1, max_size=3),
                           _table("view"), _table("output"))

TABLES = {"": toml_options(""), "view": toml_options("view"), "output": toml_options("output")}


@st.composite
def _mutated(draw: Any, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with one to three hostile parts: an option's value, an optimizer, the surface, a key."""
    document = {**document, "optimizers": list(document["optimizers"]), "view": dict(document.get("view", {})),
                "output": dict(document.get("output", {}))}
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["optimizer", "optimizer", "optimizer name", "option", "surface", "key"]))
        racers = document["optimizers"]
        if kind.startswith("optimizer") and not (isinstance(racers, list) and racers and isinstance(racers[0], dict)):
            kind = "surface"  # an earlier mutation made "optimizers" something else
        if kind == "optimizer":
            document["optimizers"].append(draw(optimizer_tables))
        elif kind == "optimizer name":
            document["optimizers"][0] = {**document["optimizers"][0], "name": draw(adapter_names),
                                         "hyperparameters": draw(hyperparameters)}
        elif kind == "option":
            table = draw(st.sampled_from(sorted(TABLES)))
            key = draw(st.sampled_from(sorted(TABLES[table])))
            value = draw(option_values(TABLES[table][key], hostile=True))
            (document if not table else document[table])[key] = value
        elif kind == "surface":
            document["surface"] = draw(hostile_surfaces)
        else:
            document[draw(st.sampled_from(["unknown", "optimizers", "view", "name"]))] = draw(values)
    return document


documents = st.one_of(good_documents, good_documents.flatmap(_mutated), good_documents.flatmap(_mutated))
"""A third whole and good (rendered for real), two thirds with hostile parts (refused, or rendered)."""


def named_modules(document: dict[str, Any]) -> set[str]:
    """The top-level modules a document's adapter names name, outside the allowed namespaces."""
    found = set()
    tables = document.get("optimizers", [])
    for table in tables if isinstance(tables, list) else []:
        name = table.get("name", "") if isinstance(table, dict) else ""
        name = name if isinstance(name, str) else ""
        kind, colon, target = name.partition(":")
        if colon and kind in ("torch", "optax"):
            top = target.split(".")[0]
            if top and top not in ALLOWED_NAMESPACES:
                found.add(top)
    return found


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else _string(key)


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(ch if 32 <= ord(ch) < 127 or ord(ch) > 159 else f"\\u{ord(ch):04x}" for ch in escaped) + '"'


def toml_value(value: Any) -> str:
    """``value`` as a TOML value (inline tables and arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def to_toml(document: dict[str, Any]) -> str:
    """A TOML document: top-level keys, then ``[view]`` and ``[output]``, then ``[[optimizers]]`` tables."""
    tables = {key for key in ("view", "output") if isinstance(document.get(key), dict)}
    racers = document.get("optimizers")
    if isinstance(racers, list) and racers and all(isinstance(racer, dict) for racer in racers):
        tables.add("optimizers")
    lines = [f"{_key(k)} = {toml_value(v)}" for k, v in document.items() if k not in tables]
    for table in ("view", "output"):
        if table in tables:
            lines += [f"[{table}]", *(f"{_key(k)} = {toml_value(v)}" for k, v in document[table].items())]
    for racer in racers if "optimizers" in tables else []:
        lines += ["[[optimizers]]", *(f"{_key(k)} = {toml_value(v)}" for k, v in racer.items())]
    return "\n".join(lines) + "\n"
