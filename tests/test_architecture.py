"""The shape of the code, checked: one way through (no import cycles, lazy and type-only imports included), no
process-wide state, matplotlib only where views are, and the documented layout equal to the tree."""

import ast
import dataclasses
import functools
import re
from pathlib import Path

import pytest

from trajectories.errors import SceneError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "trajectories"


def module_table(root: Path, package: Path) -> dict[str, Path]:
    """Every module of ``package`` (a folder under ``root``) by dotted name."""
    table = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        table[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return table


MODULES = module_table(ROOT, PACKAGE)


@functools.cache
def parsed(name: str) -> ast.Module:
    """The syntax tree of the package's module ``name``, parsed once for all the checks that read it."""
    return ast.parse(MODULES[name].read_text(encoding="utf-8"))


def type_checking_nodes(tree: ast.AST) -> set[int]:
    """Nodes inside ``if TYPE_CHECKING:`` blocks: never executed, yet a dependency all the same (a type names
    the module it comes from), so the cycle check counts them and only a caller that asks leaves them out."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(inner) for inner in ast.walk(node)}
    return skipped


def imported_modules(name: str, modules: dict[str, Path], type_only: bool = True) -> set[str]:
    """The package modules that ``name`` depends on: every import statement, at module level, inside a
    function or (unless ``type_only`` is false) under ``if TYPE_CHECKING:``, and the packages whose
    ``__init__`` they run."""
    path = modules[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = set() if type_only else type_checking_nodes(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    edges = set()
    for target in found:
        if target not in modules:
            continue
        parts = target.split(".")
        for cut in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__ and a/b/__init__ first
            ancestor = ".".join(parts[:cut])
            if ancestor in modules and ancestor != name and not name.startswith(ancestor + "."):
                edges.add(ancestor)
    return edges


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` as the modules along it (first = last), or ``None``."""
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> list[str] | None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                return [*trail[trail.index(target):], target]
            if target not in state and (cycle := visit(target, [*trail, target])):
                return cycle
        state[name] = "done"
        return None

    for name in sorted(graph):
        if name not in state and (cycle := visit(name, [name])):
            return cycle
    return None


def import_graph(modules: dict[str, Path], type_only: bool = True) -> dict[str, set[str]]:
    return {name: imported_modules(name, modules, type_only) for name in modules}


def test_the_import_graph_has_no_cycle_lazy_and_type_only_imports_included():
    cycle = find_cycle(import_graph(MODULES))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_checker_sees_cycles_through_lazy_imports_and_package_inits(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from .b import g\n")  # lazy
    (package / "b.py").write_text("from .sub.c import h\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..a import f\n"
    )
    modules = module_table(tmp_path, package)
    assert find_cycle(import_graph(modules)) == ["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"]  # a type names its module
    assert find_cycle(import_graph(modules, type_only=False)) is None  # though a TYPE_CHECKING import never runs
    (package / "sub" / "__init__.py").write_text("from ..a import f\n")  # importing sub.c runs sub/__init__
    assert find_cycle(import_graph(modules, type_only=False)) == ["pkg.a", "pkg.b", "pkg.sub", "pkg.a"]


def test_nothing_uses_global_state_or_patches_matplotlib():
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            assert not isinstance(node, ast.Global), f"{name}:{node.lineno} uses global"
            if isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    text = ast.unparse(target)
                    # assigning to an attribute of something imported from matplotlib (Text.draw = ...)
                    assert not re.match(r"^(matplotlib|Text|Artist|Figure|Axes)\.", text), f"{name}:{node.lineno}"


def test_matplotlib_is_imported_only_by_the_views():
    for name in MODULES:
        source = MODULES[name].read_text(encoding="utf-8")
        uses = re.search(r"^\s*(from|import) (matplotlib|mpl_toolkits)\b", source, flags=re.M)
        allowed = name.startswith(("trajectories.render.", "trajectories.style."))  # style: text, colours, lazily
        assert not uses or allowed, f"{name} imports matplotlib outside trajectories.render and .style"


def test_the_documented_layout_names_every_module_and_only_those():
    page = (ROOT / "docs" / "explanations" / "architecture.md").read_text(encoding="utf-8")
    block = page.split("## Layout", 1)[1].split("```", 2)[1]
    listed: set[str] = set()
    folders: list[tuple[int, str]] = []  # (indent, folder) from the top down: a folder nests under a lesser indent
    for line in block.splitlines():
        head = re.match(r"^(\s*)(\w+/)\s", line)
        if head:
            indent = len(head.group(1))
            folders = [entry for entry in folders if entry[0] < indent]
            folders.append((indent, (folders[-1][1] if folders else "") + head.group(2)))
        folder = folders[-1][1] if folders else ""
        listed |= {folder + file for file in re.findall(r"\b[\w]+\.py\b", line)}
    actual = {str(path.relative_to(ROOT)) for path in PACKAGE.rglob("*.py") if path.name != "__init__.py"}
    assert {entry for entry in listed if entry.startswith("trajectories/")} == actual


def test_every_package_folder_is_installed():
    """setup.cfg names the packages one by one (the scenes folder installs under another name), so a new
    subpackage left out of it works from the checkout and fails once installed: the CI failure of b2ff71f."""
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    listed = set(config["options"]["packages"].split())
    folders = {".".join(init.parent.relative_to(ROOT).parts) for init in PACKAGE.rglob("__init__.py")}
    assert folders - listed == set(), "add these to [options] packages in setup.cfg"
    assert "trajectories.scenes" in listed


BUILT_IN_ERRORS = {"ValueError", "TypeError", "RuntimeError", "Exception", "ArithmeticError"}
"""What the library never raises itself: it raises a class of :mod:`trajectories.errors` instead (a
protocol's own errors stay: ``AttributeError`` from a module's ``__getattr__``, ``KeyError`` from a lookup)."""

NOT_LIBRARY_ERRORS = {"trajectories.support.processes": {"Stopped"}, "trajectories.core.portable": {"_NotExact"},
                      "trajectories.cli.main": {"OneLineError"}}
"""Exception classes allowed outside errors.py: a signal unwinding the stack (a BaseException, never an error
shown to a user), a private exception that never leaves its module, and the command line's way of showing any
error (a click exception)."""


def raised_builtin_errors(tree: ast.AST) -> list[tuple[int, str]]:
    """``raise ValueError(...)`` (or another built-in of :data:`BUILT_IN_ERRORS`) statements: line, name."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            called = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(called, ast.Name) and called.id in BUILT_IN_ERRORS:
                found.append((node.lineno, called.id))
    return found


def error_classes(tree: ast.AST) -> list[str]:
    """Classes whose bases name an error or exception (``...Error``, ``...Exception``, ``...Exit``)."""
    return [node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
            and any(re.search(r"(Error|Exception|Exit|Import|Interrupt|Portable)$", ast.unparse(base))
                    for base in node.bases)]


def test_the_library_raises_only_its_own_error_family():
    for name in MODULES:
        found = raised_builtin_errors(parsed(name))
        assert not found, f"{name}:{found[0][0]} raises a bare {found[0][1]}: raise a class of trajectories.errors"


def test_every_error_class_lives_in_errors_py():
    from trajectories import errors

    for name in MODULES:
        if name == "trajectories.errors":
            continue
        defined = set(error_classes(parsed(name)))
        assert defined <= NOT_LIBRARY_ERRORS.get(name, set()), f"{name} defines {defined}: move it to errors.py"
    family = [value for value in vars(errors).values()
              if isinstance(value, type) and value.__module__ == errors.__name__]
    assert len(family) > 10 and all(issubclass(cls, errors.TrajectoriesError) for cls in family)


def test_the_error_checks_see_what_they_forbid():
    source = ("class Oops(ValueError):\n    pass\n\ndef f(x):\n    if x:\n        raise ValueError('no')\n"
              "    raise TypeError\n")
    tree = ast.parse(source)
    assert sorted(raised_builtin_errors(tree)) == [(6, "ValueError"), (7, "TypeError")]
    assert error_classes(tree) == ["Oops"]


def test_moved_errors_keep_their_old_import_paths():
    from trajectories import errors
    from trajectories.adapters import autodiff
    from trajectories.compute import tune
    from trajectories.core import portable
    from trajectories.support import plugins
    from trajectories.trust.guard import ForbiddenImport

    assert (tune.TuneError, plugins.PluginError, portable.PortableArithmeticError, autodiff.NotPortable,
            ForbiddenImport) == (errors.TuneError, errors.PluginError, errors.PortableArithmeticError,
                                 errors.NotPortable, errors.ForbiddenImport)


def test_building_and_loading_scenes_imports_no_matplotlib(tmp_path):
    """A scene is a description: building one (a formula with ², a Greek label), or loading every built-in one,
    checks it without matplotlib (only drawing needs it)."""
    import subprocess
    import sys

    code = ("import sys, trajectories as tj\n"
            "tj.Scene('toy', 'rosenbrock', ['sgd:lr=0.001', tj.scene.Racer('adam', 'Adam, β₁ = 0.9', '#0072B2')])\n"
            "tj.Scene('f', 'x**2 + 3*y**2', ['adam'], title='a ravine ½(x² + 50y²)')\n"
            "from trajectories.scene import builtin_scenes\n"
            "assert len(builtin_scenes()) > 20\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'mpl_toolkits')))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_the_cli_keeps_clicks_standalone_handling_and_shows_errors_as_one_line(capsys):
    """cli.py lets click's standalone mode catch and show errors: a ClickException subclass whose show() is
    one line, rather than re-implementing click's handling around main()."""
    import click

    from trajectories.cli.main import OneLineError, one_line
    from trajectories.errors import SceneError

    assert "standalone_mode" not in (PACKAGE / "cli" / "main.py").read_text(encoding="utf-8")
    shown = one_line(SceneError("unknown scene 'x'\n (see list)"))
    assert isinstance(shown, click.ClickException) and shown.exit_code == 2
    shown.show()
    assert capsys.readouterr().err == "trajectories: error: unknown scene 'x' (see list)\n"
    assert one_line(click.BadParameter("bad", param_hint="'--x'")).format_message() == \
        "error: Invalid value for '--x': bad"
    assert one_line(OSError(28, "No space left on device", "out.gif")).message == \
        "error: out.gif: No space left on device"
    assert (one_line(click.Abort()).message, one_line(click.Abort()).exit_code) == ("aborted", 1)
    assert isinstance(one_line(click.UsageError("u")), OneLineError)


def listed_names(tree: ast.AST, names: set[str]) -> list[int]:
    """Lines of tuple, list, set or dict literals that write out three or more of ``names``."""
    found = []
    for node in ast.walk(tree):
        items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.Dict)) and items:
            written = {item.value for item in items if isinstance(item, ast.Constant) and item.value in names}
            if len(written) >= 3:
                found.append(node.lineno)
    return found


def test_formats_and_views_are_listed_only_by_their_registries():
    from trajectories.options import RUN_FORMATS
    from trajectories.render.registry import VIEWS
    from trajectories.writers import FORMATS

    registries = {"formats": (set(FORMATS), "trajectories.writers"),
                  "views": (set(VIEWS), "trajectories.render.registry"),
                  "run formats": (set(RUN_FORMATS), "trajectories.options")}
    for what, (names, home) in registries.items():
        for name in MODULES:
            if name != home:
                lines = listed_names(parsed(name), names)
                assert not lines, f"{name}:{lines[0]} writes out {what}: read them from {home}"
    assert listed_names(ast.parse("x = ('gif', 'png', 'webp')\ny = {'gif': 1}"), set(FORMATS)) == [1]


SCENE_NAMES = re.compile(r"^(self\.)?(scene|panel|race|kind)$")
"""What a scene is called where a stage reads one (``kind`` for a scene's kind, as the registries say)."""


def scene_typing_problems(tree: ast.AST) -> list[tuple[int, str]]:
    """A scene typed ``Any`` (a parameter or field called ``scene``), or probed for a named attribute
    (``getattr(scene, "panels", ())``, ``hasattr(scene, "loss_panel")``): line, what."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.arg == "scene" and node.annotation is not None \
                and ast.unparse(node.annotation) == "Any":
            found.append((node.lineno, "scene: Any"))
        elif isinstance(node, ast.AnnAssign) and ast.unparse(node.target) == "scene" \
                and ast.unparse(node.annotation) == "Any":
            found.append((node.lineno, "scene: Any"))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr")
              and len(node.args) >= 2 and SCENE_NAMES.match(ast.unparse(node.args[0]))
              and isinstance(node.args[1], ast.Constant)):
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_the_stages_read_scenes_through_their_typed_interface():
    """Every kind declares what it has (trajectories.scene_protocol, SceneKind's defaults): no stage types a
    scene as Any or asks a scene whether it has an attribute."""
    for name in MODULES:
        found = scene_typing_problems(parsed(name))
        assert not found, f"{name}:{found[0][0]}: {found[0][1]}: read a SceneValue/Race (trajectories.scene_protocol)"


def test_the_scene_interface_check_sees_any_and_probes():
    source = ("def f(scene: Any, panel):\n    return getattr(panel, 'panels', ()), hasattr(self.scene, 'view')\n"
              "def g(scene: SceneValue, fields):\n    return [getattr(scene, f.name) for f in fields]\n")
    assert scene_typing_problems(ast.parse(source)) == [
        (1, "scene: Any"), (2, "getattr(panel, 'panels', ())"), (2, "hasattr(self.scene, 'view')")]


def part_options() -> set[str]:
    """The options a scene stores in a part (``scene.look.theme``), not as a field of its own."""
    from trajectories.options import OPTIONS_LIST
    from trajectories.scene.values import PART_OF_GROUP

    return {option.name for option in OPTIONS_LIST if option.group in PART_OF_GROUP}


def flat_option_reads(tree: ast.AST, names: set[str]) -> list[tuple[int, str]]:
    """Reads of an option of a part straight off a scene (``scene.theme``, ``self.scene.tail``,
    ``panel.fps``): line, what."""
    return [(node.lineno, ast.unparse(node)) for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in names and SCENE_NAMES.match(ast.unparse(node.value))]


def test_every_option_is_stored_once_in_the_part_its_group_names():
    """The table's group routes each option to one part (trajectories.scene.values): each part holds exactly
    its group's options, and no scene kind also stores one of them as a field of its own."""
    from trajectories.options import OPTIONS_LIST, SCENE_KINDS
    from trajectories.scene import BatchDiagram, NetworkScene, Scene, SeriesScene, SideBySide
    from trajectories.scene.values import PART_OF_GROUP, PART_TYPES

    for group, part in PART_OF_GROUP.items():
        declared = [option.name for option in OPTIONS_LIST if option.group == group]
        assert sorted(f.name for f in dataclasses.fields(PART_TYPES[part])) == sorted(declared), part
    kinds = {"race": Scene, "panels": SideBySide, "series": SeriesScene, "batches": BatchDiagram,
             "network": NetworkScene}
    assert set(kinds) == set(SCENE_KINDS)
    for kind, cls in kinds.items():
        assert cls.kind == kind
        fields = {f.name for f in dataclasses.fields(cls)}
        assert not fields & part_options(), (kind, fields & part_options())


def test_no_stage_reads_an_option_of_a_part_off_the_scene():
    """Outside the scene package a stage reads ``scene.look.theme``, ``scene.timing.fps``... never a flat
    ``scene.theme`` (there is none to read: the part is the storage)."""
    names = part_options()
    for name in MODULES:
        if name.startswith("trajectories.scene."):
            continue
        found = flat_option_reads(parsed(name), names)
        assert not found, f"{name}:{found[0][0]}: {found[0][1]}: read the scene's part (scene.look, scene.timing...)"


def test_the_flat_read_check_sees_flat_reads():
    source = "a = scene.theme, self.scene.tail, panel.look.size, race.timing.fps, figure.dpi, panel.fps\n"
    assert [what for _, what in flat_option_reads(ast.parse(source), part_options())] == [
        "scene.theme", "self.scene.tail", "panel.fps"]


def test_flat_keywords_go_to_their_parts_and_with_options_changes_only_them():
    from trajectories.scene import Scene, SeriesScene, SideBySide

    scene = Scene("s", "sphere", ["adam"], fps=25, theme="dark", azimuth=10, tail=3, steps=20)
    assert (scene.timing.fps, scene.look.theme, scene.camera.azimuth, scene.trail_spec.tail) == (25, "dark", 10, 3)
    changed = scene.with_options(fps=10, grid=50)
    assert (changed.timing.fps, changed.camera.grid, changed.look, changed.steps) == (10, 50, scene.look, 20)
    assert changed.with_options(fps=25, grid=100) == scene and changed != scene
    series = SeriesScene("ewa", theme="dark")
    assert (series.look.theme, series.look.size, series.timing.fps) == ("dark", (800, 600), 10)  # its defaults
    panels = SideBySide("two", (scene, scene), fps=5).with_options(tail=7)  # a trail goes to the panels
    assert panels.timing.fps == 5 and {p.trail_spec.tail for p in panels.panels} == {7}
    with pytest.raises(SceneError, match="unknown scene option 'tail'"):
        SeriesScene("ewa", tail=3)  # a series has no trail


STAGE_ORDER = ["support", "trust", "core adapters", "surfaces", "compute network", "style", "scene",
               "render writers", "pipeline", "cli integrations"]
"""The stages from the bottom up (docs/explanations/architecture.md, "Layout"): a module may import its own
stage and the stages below it. ``errors`` and ``version`` are below them all; the root's ``scene_protocol`` (what
a scene is, typed) stands with compute, which reads it, ``options`` (the one option table) and ``scene_index``
with the scenes, and its public names (``sphinxext``,
``pytest_plugin``, ``__main__``) with the integrations."""

ROOT_STAGES = {"errors": -1, "version": -1, "scene_protocol": 4, "options": 6, "scene_index": 6, "sphinxext": 9,
               "pytest_plugin": 9, "__main__": 9}

AGAINST_THE_STAGES: set[tuple[str, str]] = {
    ("compute.paths", "render.registry"),
    ("network.bounds", "pipeline.limits"),
    ("options", "render.registry"),
    ("options", "writers"),
    ("scene.kind", "pipeline.stages"),
    ("scene.network_scene", "pipeline.limits"),
    ("support.folders", "scene_protocol"),
    ("support.processes", "adapters.jax_use"),
    ("support.processes", "scene_protocol"),
}
"""Imports that still run from a lower stage to a higher one, each a cut still to make: the test fails when one
is added, and when one is cut without being struck from this list."""


def stage_rank(name: str) -> int | None:
    """The rank of module ``name`` in :data:`STAGE_ORDER` (``None`` for the package face, which imports lazily)."""
    parts = name.split(".")
    if len(parts) == 1:
        return None
    if (PACKAGE / parts[1]).is_dir():
        return next(rank for rank, names in enumerate(STAGE_ORDER) if parts[1] in names.split())
    return ROOT_STAGES[parts[1]]


def imports_against_the_stages(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    found = set()
    for name, targets in graph.items():
        for target in targets:
            if any(other.startswith(target + ".") for other in targets):
                continue  # the package whose module is imported: that module's edge says it
            low, high = stage_rank(name), stage_rank(target)
            if low is not None and high is not None and high > low:
                found.add((name.removeprefix("trajectories."), target.removeprefix("trajectories.")))
    return found


def test_each_stage_imports_only_itself_and_the_stages_below_it_type_only_imports_included():
    every_stage = {folder.name for folder in PACKAGE.iterdir() if (folder / "__init__.py").is_file()}
    assert every_stage == {name for names in STAGE_ORDER for name in names.split()}, "place the new folder"
    found = imports_against_the_stages(import_graph(MODULES))
    assert found - AGAINST_THE_STAGES == set(), "a lower stage imports a higher one"
    assert AGAINST_THE_STAGES - found == set(), "cut: strike these from AGAINST_THE_STAGES"
