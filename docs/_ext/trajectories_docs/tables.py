"""Reference tables written from the code while the site builds: the surfaces, the optimizers, the
learning-rate schedules, the error message of every bad input the suite tries, and what ``run`` writes. (The
scene options' table is plain Markdown in its page, written by ``python docs/options_table.py``, so that it
reads the same where the repository is browsed.)

Each is a directive used once in a reference page (```` ```{surface-table} ````). The
Markdown ones are parsed as the page's own Markdown, so their links and roles resolve like any other.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import inspect
import os
import shlex
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import sources

logger = logging.getLogger(__name__)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _number(value: float) -> str:
    return f"{value:.6g}"


def _point(point: tuple[float, float]) -> str:
    return f"({_number(point[0])}, {_number(point[1])})"


class MarkdownTable(SphinxDirective):
    """A table whose rows :meth:`rows` writes in Markdown, parsed as part of the page."""

    has_content = False

    def rows(self) -> list[str]:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        container = nodes.container(classes=["generated-table"])
        self.state.nested_parse(StringList(self.rows(), source=self.env.docname), self.content_offset, container)
        return container.children


class SurfaceTable(MarkdownTable):
    """Every surface of the catalogue: formula, window, start, minima and what it teaches."""

    def rows(self) -> list[str]:
        get_surface = sources.load(sources.GET_SURFACE)
        rows = ["| name | f(x, y) | window | start | global minimum | what it teaches |", "|---|---|---|---|---|---|"]
        for name in sources.load(sources.SURFACE_NAMES):
            surface = get_surface(name)
            window = "[{}, {}] × [{}, {}]".format(*map(_number, surface.window))
            best = surface.global_minima
            minimum = (f"{_number(best[0].value)} at " + ", ".join(_point(p.point) for p in best)) if best else "none"
            rows.append(f"| `{name}` | {_cell(surface.formula)} | {window} | {_point(surface.start)} | "
                        f"{_cell(minimum)} | {_cell(surface.description)} |")
        return rows


class OptimizerTable(MarkdownTable):
    """Every built-in optimizer: its hyperparameters with their defaults and the first line of its docstring,
    linked to the rule's entry in the API reference."""

    def rows(self) -> list[str]:
        factories = sources.load(sources.OPTIMIZERS)
        rows = ["| name | hyperparameters (defaults) | rule |", "|---|---|---|"]
        for name, factory in factories.items():
            parameters = ", ".join(f"`{key}={_default(parameter.default)}`"
                                   for key, parameter in inspect.signature(factory).parameters.items())
            summary = (inspect.getdoc(factory) or "").split("\n\n")[0].replace("\n", " ")
            rows.append(f"| {{py:func}}`{name} <{sources.OPTIMIZER_MODULE}.{factory.__name__}>` | {parameters} | "
                        f"{_cell(summary)} |")
        return rows


def _default(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class ScheduleTable(MarkdownTable):
    """Every learning-rate schedule: torch's class and its parameters with torch's defaults (required ones
    in bold)."""

    def rows(self) -> list[str]:
        kinds, required = sources.load(sources.SCHEDULES), sources.load(sources.REQUIRED)
        rows = ["| schedule | torch | parameters (torch's defaults; required ones in bold) |", "|---|---|---|"]
        for name, kind in kinds.items():
            parameters = ", ".join(f"**`{key}`**" if parameter.default is required else
                                   f"`{key}={_default(parameter.default)}`"
                                   for key, parameter in kind.parameters.items())
            rows.append(f"| `{name}` | `{kind.torch_class}` | {parameters} |")
        return rows


# --- the error messages: the suite's table of bad inputs, run -----------------------------------------------


def _repository_tests() -> Path | None:
    """The ``tests`` folder beside this ``docs`` folder (a source checkout), else beside the package."""
    import trajectories

    for root in (Path(__file__).resolve().parents[3], Path(trajectories.__file__).resolve().parents[1]):
        if (root / "tests" / "test_bad_input.py").is_file():
            return root / "tests"
    return None


def _sections(source: str) -> dict[int, str]:
    """``{index in CASES: the comment heading its group}``, from the ``# ...`` lines in the CASES list."""
    tree = ast.parse(source)
    cases = next(node.value for node in tree.body if isinstance(node, ast.Assign)
                 and any(isinstance(t, ast.Name) and t.id == "CASES" for t in node.targets))
    lines = source.splitlines()
    found, previous = {}, cases.lineno
    for index, element in enumerate(cases.elts):
        comments = [line.strip()[1:].strip() for line in lines[previous:element.lineno - 1]
                    if line.strip().startswith("#")]
        if comments:
            found[index] = comments[-1]
        previous = element.end_lineno
    return found


def _assignments(source: str, filename: str) -> dict[str, Any]:
    """The module-level assignments of our own test file (its table and prepared files), run without its
    imports and tests: the table is plain data, and building the docs needs no pytest."""
    namespace: dict[str, Any] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign):
            continue
        if any(isinstance(target, ast.Name) and target.id == "SETUPS" for target in node.targets):
            # the cases that need a patched process (a full disk, an unreadable folder): their names only
            namespace["SETUPS"] = {ast.literal_eval(key) for key in node.value.keys if key is not None}
            continue
        module = ast.Module(body=[node], type_ignores=[])
        exec(compile(module, filename, "exec"), namespace)  # our own repository's file, as conf.py is
    return namespace


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def _without(module: str) -> Iterator[None]:
    """``import module`` fails meanwhile, as on a machine without that optional package."""
    real = builtins.__import__

    def refuse(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == module:
            raise ImportError(name)
        return real(name, *args, **kwargs)

    builtins.__import__ = refuse
    try:
        yield
    finally:
        builtins.__import__ = real


def _shown(argument: str) -> str:
    text = argument.replace("\0", "\\0")
    if len(text) > 40:
        text = f"{text[:6]}…{text[-6:]}"
    return shlex.quote(text) if text and not text.startswith("'") else text or "''"


class BadInputTable(SphinxDirective):
    """Every bad input of ``tests/test_bad_input.py``, run through the command line while the site builds
    (in a temporary folder holding the same prepared files), beside the one line it printed."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from click.testing import CliRunner

        folder = _repository_tests()
        if folder is None:
            logger.warning("bad-input-table: no tests/test_bad_input.py beside the docs or the package",
                           location=self.get_location())
            return []
        self.env.note_dependency(str(folder / "test_bad_input.py"))
        table_source = (folder / "test_bad_input.py").read_text(encoding="utf-8")
        namespace = _assignments(table_source, str(folder / "test_bad_input.py"))
        cases, files, long_name = namespace["CASES"], namespace["SCENE_FILES"], namespace["LONG_NAME"]
        cli = sources.load(sources.CLI)
        sections = _sections(table_source)
        rows: list[tuple[str, str, str]] = []
        with tempfile.TemporaryDirectory() as temporary:
            work = Path(temporary) / "work"
            work.mkdir()
            (work / "a_file").write_text("")
            (work / "a_folder").mkdir()
            for name, text in files.items():
                (work / name).parent.mkdir(parents=True, exist_ok=True)  # .git/config: a folder of its own
                (work / name).write_text(text)
            for index, (case, args, _) in enumerate(cases):
                if case in namespace.get("SETUPS", ()):  # shown only where the suite can fake the machine's state
                    continue
                if args[0] == "run" and "-o" not in args:
                    args = [*args, "-o", "keep.json"]
                with _inside(work), _without("imageio_ffmpeg") if case == "no ffmpeg" else contextlib.nullcontext():
                    result = CliRunner().invoke(cli, list(args))
                said = result.stderr.strip().replace(long_name, "x…x.gif").replace(str(work) + os.sep, "")
                if result.exit_code != 2 or said.count("\n"):
                    logger.warning("bad-input-table: %s: exit %s, %r", case, result.exit_code, said,
                                   location=self.get_location())
                command = " ".join(["trajectories", *map(_shown, args)])
                rows.append((sections.get(index, ""), command, said.removeprefix("trajectories: error: ")))
        return self._table(rows)

    def _table(self, rows: list[tuple[str, str, str]]) -> list[nodes.Node]:
        table = nodes.table(classes=["bad-input-table"])
        group = nodes.tgroup(cols=2)
        table += group
        group += nodes.colspec(colwidth=45)
        group += nodes.colspec(colwidth=55)
        head = nodes.thead()
        head += _row([nodes.paragraph(text="command"),
                      nodes.paragraph(text="what it says (after trajectories: error:)")])
        group += head
        body = nodes.tbody()
        group += body
        for section, command, said in rows:
            if section:
                heading = nodes.entry(morecols=1)
                heading += nodes.paragraph("", "", nodes.strong(text=section))
                body += nodes.row("", heading)
            # both as literals: exact text, which Sphinx's smart quotes must not turn into typography
            body += _row([nodes.paragraph("", "", nodes.literal(text=command)),
                          nodes.paragraph("", "", nodes.literal(text=said, classes=["message"]))])
        return [table]


def _row(cells: list[nodes.Node]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += cell
        row += entry
    return row


# --- run's outputs, from a real run --------------------------------------------------------------------------


def _run(args: list[str], folder: Path) -> Path:
    from click.testing import CliRunner

    with _inside(folder):
        result = CliRunner().invoke(sources.load(sources.CLI), args)
    if result.exit_code != 0:
        raise RuntimeError(f"trajectories {' '.join(args)}: {result.output.strip()}")
    return folder / args[args.index("-o") + 1]


def _shortened(value: Any) -> Any:
    """A JSON document with every long list (a path's points) cut to its first two entries and ``"..."``."""
    if isinstance(value, list):
        return [_shortened(v) for v in value[:2]] + ["..."] if len(value) > 6 else [_shortened(v) for v in value]
    if isinstance(value, dict):
        return {key: _shortened(v) for key, v in value.items()}
    return value


def _json_text(value: Any, indent: str = "") -> str:
    """JSON with objects one key a line and lists of plain values on one line, as people write it."""
    import json

    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(key)}: {_json_text(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        return "[\n" + ",\n".join(inner + _json_text(item, inner) for item in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


class RunOutput(SphinxDirective):
    """What ``trajectories ARGS -o run.EXT`` writes (the directive's argument is ARGS), as :meth:`shown`
    writes it into the page."""

    required_arguments = 1
    final_argument_whitespace = True
    suffix, language = ".json", "json"

    def shown(self, text: str) -> str:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        with tempfile.TemporaryDirectory() as folder:
            path = _run([*shlex.split(self.arguments[0]), "-o", "run" + self.suffix], Path(folder))
            text = self.shown(path.read_text(encoding="utf-8"))
        return [nodes.literal_block(text, text, language=self.language)]


def shown_json(text: str) -> str:
    """The JSON document ``text`` as the page shows it: every long list cut to its first two entries and
    ``"..."``, objects one key a line."""
    import json

    return _json_text(_shortened(json.loads(text)))


class RunJson(RunOutput):
    """The JSON document, every long list cut to its first two entries (:func:`shown_json`)."""

    def shown(self, text: str) -> str:
        return shown_json(text)


class RunCsv(RunOutput):
    """The CSV's header and first rows."""

    suffix, language = ".csv", "text"

    def shown(self, text: str) -> str:
        return "\n".join([*text.splitlines()[:4], "..."])


class NpzKeys(SphinxDirective):
    """A table of the arrays ``trajectories ARGS -o run.npz`` writes (full and ``--reduce``d): key, shape and
    dtype read from the files, beside what each holds (the content: ``key: meaning`` lines). A key the files
    hold without a meaning here, or a meaning for a key they lack, is a warning."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = True

    def run(self) -> list[nodes.Node]:
        import numpy as np

        meanings = dict(line.split(": ", 1) for line in self.content if line.strip())
        found: dict[str, tuple[str, str, set[str]]] = {}
        with tempfile.TemporaryDirectory() as folder:
            for reduced in (False, True):
                args = [*shlex.split(self.arguments[0]), *(["--reduce"] if reduced else []), "-o", "run.npz"]
                with np.load(_run(args, Path(folder)), allow_pickle=False) as arrays:
                    for key in arrays.files:
                        shape = "×".join(map(str, arrays[key].shape)) or "0-d"
                        runs = found.setdefault(key, (shape, str(arrays[key].dtype), set()))[2]
                        runs.add("reduced" if reduced else "full")
        for key in sorted(set(found) ^ set(meanings)):
            logger.warning("npz-keys: %s is %s", key, "undocumented" if key in found else "not in the files",
                           location=self.get_location())
        rows = ["| key | shape here | dtype | in | holds |", "|---|---|---|---|---|"]
        for key, (shape, dtype, runs) in found.items():
            kinds = "both" if len(runs) == 2 else f"{next(iter(runs))} runs only"
            rows.append(f"| `{key}` | {shape} | {dtype} | {kinds} | {_cell(meanings.get(key, ''))} |")
        container = nodes.container(classes=["generated-table"])
        self.state.nested_parse(StringList(rows, source=self.env.docname), self.content_offset, container)
        return container.children


def setup(app: Any) -> None:
    app.add_directive("surface-table", SurfaceTable)
    app.add_directive("optimizer-table", OptimizerTable)
    app.add_directive("schedule-table", ScheduleTable)
    app.add_directive("bad-input-table", BadInputTable)
    app.add_directive("run-json", RunJson)
    app.add_directive("run-csv", RunCsv)
    app.add_directive("npz-keys", NpzKeys)
