"""The code examples of a Markdown page (README.md, a page of docs/), run as a reader would run them, in order,
in one folder.

- A ```` ```console ```` block is commands: each ``$ `` line (``\\`` continues it) is run, and the lines after it,
  up to the next ``$``, are what it prints: all of it, line for line (blank lines aside), where ``...`` in a line
  stands for any text and a line of its own ``...`` for any lines. A command shown printing
  ``trajectories: error: ...`` must exit with status 2, one whose comment says ``# exit status N`` with N, any
  other with 0.
  ``trajectories ...`` runs in this process (click's runner: no interpreter start per command), unless it loads
  JAX (``optax:``), after which a fork could hang; anything else (``python -m pytest ...``) in a subprocess.
- A ```` ```python ```` block runs in the page's own namespace (the blocks of a page share it, as cells do).
- A ```` ```{literalinclude} FILE ```` (MyST) with ``:caption: NAME`` writes FILE, as the page shows it, to NAME
  in the folder, so that later blocks can use it; a ```` ```{code-block} LANG ```` with a ``:caption:`` too.
- ```` ```bash ```` blocks install things or start services (pip, a Dask scheduler): they are not run, and
  :data:`NOT_RUN` says which commands they may hold, so that nothing runnable hides in one.
- Other blocks (TOML, JSON, ini, rst, text) are shown data, not examples.

``run_page(path, folder)`` runs one page; ``examples(text)`` lists its blocks; ``command_lines(text)`` lists every
``trajectories`` command a page shows, run or not (for the check that each is a valid command line).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

NOT_RUN = re.compile(
    r"^(python -m pip install|python -m venv|pip install|\. \.venv/bin/activate|apt-get|dask (scheduler|worker)|"
    r"ruff check|python -m pytest$|python -m sphinx |NPY_DISABLE_CPU_FEATURES=|trajectories run .* --dask |"
    r"git clone|\s|#|$)"
)
"""The commands a ```bash``` block may hold: installs, services and the suite itself, which the tests do not run."""

FENCE = re.compile(r"^(?P<fence>`{3,})(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)\s*$", re.M | re.S)


@dataclass
class Block:
    kind: str  # console, python, file, bash, data
    body: str
    line: int
    options: dict[str, str] = field(default_factory=dict)
    argument: str = ""


def examples(text: str) -> list[Block]:
    """The fenced blocks of a Markdown text, in order."""
    blocks = []
    for match in FENCE.finditer(text):
        info, body = match["info"].strip(), match["body"]
        line = text.count("\n", 0, match.start()) + 1
        directive = re.match(r"^\{([\w-]+)\}\s*(.*)$", info)
        options: dict[str, str] = {}
        if directive:
            lines = body.splitlines()
            while lines and re.match(r"^:[\w-]+:", lines[0]):
                key, _, value = lines.pop(0)[1:].partition(":")
                options[key] = value.strip()
            body = "\n".join(lines) + ("\n" if lines else "")
            name, argument = directive.groups()
            if name == "literalinclude" and "caption" in options:
                blocks.append(Block("file", body, line, options, argument))
            elif name == "code-block" and "caption" in options:
                blocks.append(Block("file", body, line, options, argument))
            elif name == "code-block" and argument.strip() in ("python", "console"):
                blocks.append(Block(argument.strip(), body, line, options))
            else:
                blocks.append(Block("data", body, line, options, name))
            continue
        language = info.split()[0] if info else ""
        kind = language if language in ("console", "python", "bash") else "data"
        blocks.append(Block(kind, body, line, argument=language))
    return blocks


def commands(body: str) -> list[tuple[str, list[str]]]:
    """``(command, expected output lines)`` of a console block."""
    found: list[tuple[str, list[str]]] = []
    lines = body.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.startswith("$ "):
            if found and line.strip():
                found[-1][1].append(line)
            continue
        command = line[2:]
        while command.rstrip().endswith("\\") and index < len(lines):
            command = command.rstrip()[:-1] + " " + lines[index].strip()
            index += 1
        found.append((command, []))
    return found


def _without_comment(command: str) -> str:
    """The command without a trailing ``# comment`` (outside quotes)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=False)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    return shlex.join(list(lexer))


def expected_status(command: str, expected: list[str]) -> int:
    """The exit status a console command must give: what its comment says (``# exit status 1: ...``), else 2
    when the page shows it refused (``trajectories: error: ...``), else 0."""
    said = re.search(r"#.*\bexit status (\d+)", command)
    if said:
        return int(said.group(1))
    return 2 if any(line.startswith("trajectories: error:") for line in expected) else 0


def shows(expected: list[str], output: str) -> bool:
    """``output`` is what the ``expected`` lines show: the same lines in order (blank lines and the spaces at
    either end of a line aside), where ``...`` in a line is any text, and a line ``...`` any number of lines."""
    pattern = "".join(r"(?:[^\n]*\n)*" if line.strip() == "..." else
                      ".*".join(re.escape(part) for part in line.strip().split("...")) + "\n" for line in expected)
    printed = "".join(line.strip() + "\n" for line in output.splitlines() if line.strip())
    return re.fullmatch(pattern, printed) is not None


def command_lines(text: str) -> list[tuple[int, list[str]]]:
    """``(line, arguments after "trajectories")`` of every ``trajectories`` command the Markdown ``text`` shows:
    the console blocks' commands and the ones a bash block chains after an install (``pip install . &&
    trajectories render --all``), comments left out."""
    found = []
    for block in examples(text):
        if block.kind == "console":
            shown = [command for command, _ in commands(block.body)]
        elif block.kind == "bash":
            shown = [part.strip() for line in block.body.replace("\\\n", " ").splitlines()
                     for part in re.split(r"&&|;", line)]
        else:
            continue
        found += [(block.line, shlex.split(_without_comment(command))[1:]) for command in shown
                  if command.startswith("trajectories ")]
    return found


@contextlib.contextmanager
def inside(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    sys.path.insert(0, str(folder))
    modules = set(sys.modules)
    try:
        yield
    finally:
        os.chdir(before)
        sys.path.remove(str(folder))
        for name in set(sys.modules) - modules:  # the page's own modules (my_package...) go with its folder
            module = sys.modules.get(name)
            if str(folder) in str(getattr(module, "__file__", "") or ""):
                del sys.modules[name]


def run_command(command: str, folder: Path) -> tuple[int, str]:
    """Run one console command in ``folder``: ``(exit status, what it printed)``."""
    words = shlex.split(_without_comment(command))
    if words[0] == "trajectories" and "optax:" not in command:  # JAX in this process would make forks unsafe
        from click.testing import CliRunner

        from trajectories.cli.main import cli

        with inside(folder):
            result = CliRunner().invoke(cli, words[1:])
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.exit_code, result.output
    if words[0] == "trajectories":
        words = [sys.executable, "-m", "trajectories", *words[1:]]
    done = subprocess.run(words, cwd=folder, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(folder)})
    return done.returncode, done.stdout + done.stderr


def run_page(path: Path, folder: Path) -> list[str]:
    """Run every example of the Markdown page ``path`` in ``folder``; the problems found (empty: all good)."""
    problems: list[str] = []
    namespace: dict = {"__name__": "__main__"}
    for block in examples(path.read_text(encoding="utf-8")):
        where = f"{path.name}:{block.line}"
        if block.kind == "file":
            source = path.parent / block.argument if block.argument else None
            text = source.read_text(encoding="utf-8") if source is not None and source.is_file() else block.body
            target = folder / block.options["caption"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        elif block.kind == "bash":
            for line in block.body.replace("\\\n", " ").splitlines():
                if not NOT_RUN.match(line):
                    problems.append(f"{where}: a bash block runs {line!r}: make it a console block, which is run")
        elif block.kind == "python":
            with inside(folder):
                try:
                    exec(compile(block.body, where, "exec"), namespace)  # our own documentation's example
                except Exception as error:
                    problems.append(f"{where}: {type(error).__name__}: {error}")
        elif block.kind == "console":
            for command, expected in commands(block.body):
                status, output = run_command(command, folder)
                if status != expected_status(command, expected):
                    problems.append(f"{where}: `{command}` exited {status}: {output.strip()[-400:]}")
                if expected and not shows(expected, output):
                    problems.append(f"{where}: `{command}` printed {output.strip()[-400:]!r}, not what the page "
                                    f"shows: {chr(10).join(expected)[-400:]!r}")
    return problems
