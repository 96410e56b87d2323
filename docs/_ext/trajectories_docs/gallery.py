"""The gallery: one page per built-in scene and an index of thumbnails, written from the scene registry when
the build starts (``builder-inited``), so that a new scene gets its page without anyone writing it.

Each page shows the scene in the HTML player (rendered by our own ``.. trajectories::`` directive, cached),
what to look for (``docs/gallery/_notes.md``, one ``## name`` section per scene: the only hand-written part),
the command that renders it, the scene's own source (its statement in ``scenes/*.py`` and the helpers and
imports it uses: a snippet that runs on its own), and what ``trajectories describe`` says about it. The index
groups the scenes by file, each group introduced by its file's docstring, with a still of each scene's last
frame. Pages are rewritten only when their text changes, so that Sphinx reads again only what changed;
``describe``'s text is cached beside the directive's renders, under the same key.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from sphinx.util import logging

from . import sources

logger = logging.getLogger(__name__)

FOLDER = "gallery"
NOTES = "_notes.md"
MARKER = "% generated from the scene registry by docs/_ext/trajectories_docs/gallery.py"
CONTENT_WIDTH = 720
"""The widest animation a page shows at its own size (the theme's column); wider scenes are scaled down."""
THUMBNAIL_WIDTH = 240
GROUPS = {
    "article": "The article's figures",
    "classics": "Classic surfaces",
    "lessons": "Lessons",
    "inside": "Inside the optimizer",
    "schedules": "Learning-rate schedules",
    "basins": "Many starts: basins and swarms",
}
"""Headings of the scene files' groups, in the index's order; a file not named here comes after them."""


# --- what each page says ---------------------------------------------------------------------------------------


def read_notes(path: Path) -> dict[str, str]:
    """``{scene name: its notes}`` from the ``## name`` sections of the notes file."""
    notes: dict[str, str] = {}
    name = None
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else ():
        heading = re.match(r"^## +`?([\w.-]+)`?\s*$", line)
        if heading:
            name = heading.group(1)
            notes[name] = ""
        elif name is not None:
            notes[name] += line + "\n"
    return {key: text.strip() for key, text in notes.items()}


def scene_source(scene: Any) -> str:
    """The statement of ``scene``'s file that makes it, with the file's imports, helpers and constants that
    statement uses (in the file's order, comments above each kept): a snippet that runs on its own. The whole
    file when no single statement makes it."""
    text = Path(scene.source).read_text(encoding="utf-8")
    tree = ast.parse(text)
    lines = text.splitlines()
    defined: dict[str, ast.stmt] = {}
    for node in tree.body:
        for name in _defines(node):
            defined.setdefault(name, node)
    target = next((node for node in tree.body if isinstance(node, ast.Assign) and _makes(node.value, scene.name)),
                  None)
    if target is None:
        return text
    wanted: list[ast.stmt] = []
    pending = [target]
    while pending:
        node = pending.pop()
        if node in wanted:
            continue
        wanted.append(node)
        used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - set(_defines(node))
        pending += [defined[name] for name in used if name in defined]
    chunks = [_with_comments(node, lines) for node in sorted(wanted, key=lambda n: n.lineno)]
    imports = [chunk for node, chunk in zip(sorted(wanted, key=lambda n: n.lineno), chunks, strict=True)
               if isinstance(node, ast.Import | ast.ImportFrom)]
    rest = [chunk for chunk in chunks if chunk not in imports]
    return "\n".join(imports) + "\n\n" + "\n\n".join(rest) + "\n"


def _defines(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.Assign):
        return [n.id for target in node.targets for n in ast.walk(target) if isinstance(n, ast.Name)]
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return [(alias.asname or alias.name).split(".")[0] for alias in node.names]
    return []


def _makes(value: ast.expr, name: str) -> bool:
    """``value`` is a call whose first argument (or ``name=``) is the text ``name``."""
    if not isinstance(value, ast.Call):
        return False
    first = value.args[0] if value.args else next((k.value for k in value.keywords if k.arg == "name"), None)
    return isinstance(first, ast.Constant) and first.value == name


def _with_comments(node: ast.stmt, lines: list[str]) -> str:
    start = node.lineno - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#") and not lines[start - 1].startswith("# ---"):
        start -= 1
    return "\n".join(lines[start:node.end_lineno]).replace("  # noqa: E402", "")


def described(scene: Any, cache: Path) -> str:
    """What ``trajectories describe NAME`` prints, the scene folder's path shown as ``scenes/``; cached under
    the directive's key for the scene (its value, its file's bytes, the versions that compute it)."""
    from click.testing import CliRunner

    path = cache / f"{scene.name}-{sources.load(sources.CACHE_KEY)(scene, 'describe')}.txt"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    result = CliRunner().invoke(sources.load(sources.CLI), ["describe", scene.name])
    if result.exit_code != 0:
        raise RuntimeError(f"describe {scene.name}: {result.output.strip()}")
    folder = str(sources.load(sources.SCENE_FOLDER)())
    text = result.stdout.replace(folder, "scenes")
    cache.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".part")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return text


def _markdown_text(text: str) -> str:
    """Plain text (a description) safe inside a Markdown paragraph or caption."""
    return re.sub(r"([\\`*_\[\]<>$|])", r"\\\1", text)


def _scale(width: int, target: int) -> str:
    return f"{min(1.0, target / width):.3f}".rstrip("0").rstrip(".")


def scene_page(scene: Any, notes: str | None, source: str, describe_text: str) -> str:
    name, file = scene.name, Path(scene.source).name
    description = _markdown_text(scene.description or name)
    look = notes if notes else "*No notes yet: add a* `## " + name + "` *section to docs/gallery/_notes.md.*"
    return f"""{MARKER}: edit the scene, or its notes in docs/gallery/_notes.md

(gallery-{name})=
# `{name}`

{description[:1].upper() + description[1:]}.

```{{trajectories}} {name}
:format: html
:scale: {_scale(scene.look.size[0], CONTENT_WIDTH)}
```

## What to look for

{look}

## Make it yourself

```console
$ trajectories render {name}        # writes output/{name}.gif
$ trajectories render {name} -o {name}.mp4 --scale 2
$ trajectories describe {name}      # every option, optimizer and reproducibility horizon
```

## The scene

The statement of `scenes/{file}` that makes it, with the imports and helpers it uses: this snippet runs on
its own, and `tests/test_docs_site.py` checks that it makes this very scene.

```python
{source.rstrip()}
```

## What `describe` says

```text
{describe_text.rstrip()}
```
"""


def index_page(groups: dict[str, list[Any]], docstrings: dict[str, str]) -> str:
    parts = [f"""{MARKER}: edit the scenes, or their notes in docs/gallery/_notes.md

(gallery)=
# Gallery

Every built-in scene, rendered by our own [Sphinx directive](../howto/sphinx.md) while this site was built.
Each page plays the animation (pause it, drag the scrubber to any step), says what to look for, and shows
the scene's source and everything `trajectories describe` knows about it. Render any of them with
`trajectories render NAME`, or all of them with `trajectories render --all`.
"""]
    toctree = []
    for stem, scenes in groups.items():
        parts.append(f"## {GROUPS.get(stem, stem.replace('_', ' ').capitalize())}\n")
        if docstrings.get(stem):
            parts.append(f"{docstrings[stem]} The scenes of `scenes/{stem}.py`:\n")
        cards = []
        for scene in scenes:
            toctree.append(scene.name)
            caption = f"[`{scene.name}`]({scene.name}.md): {_markdown_text(scene.description or '')}"
            cards.append(f"```{{trajectories}} {scene.name}\n:format: png\n:scale: "
                         f"{_scale(scene.look.size[0], THUMBNAIL_WIDTH)}\n:class: tj-thumbnail\n"
                         f":caption: {caption}\n```\n")
        parts.append("````{container} tj-gallery\n" + "\n".join(cards) + "````\n")
    parts.append("```{toctree}\n:hidden:\n\n" + "\n".join(toctree) + "\n```\n")
    return "\n".join(parts)


def _docstring_intro(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def generate(app: Any) -> None:
    """Write the gallery's pages into the source folder (only those whose text changed), and remove pages of
    scenes that are gone."""
    folder = Path(app.srcdir) / FOLDER
    folder.mkdir(exist_ok=True)
    scenes = sources.load(sources.BUILTIN_SCENES)()
    notes = read_notes(folder / NOTES)
    cache = Path(app.doctreedir) / "trajectories"
    groups: dict[str, list[Any]] = {stem: [] for stem in GROUPS}
    docstrings: dict[str, str] = {}
    for scene in scenes.values():
        stem = Path(scene.source).stem
        groups.setdefault(stem, []).append(scene)
        docstrings.setdefault(stem, _docstring_intro(Path(scene.source)))
        if scene.name not in notes:
            logger.warning("gallery: scene %s has no notes: add a '## %s' section to docs/gallery/%s", scene.name,
                           scene.name, NOTES, type="gallery")
        _write_if_changed(folder / f"{scene.name}.md",
                          scene_page(scene, notes.get(scene.name), scene_source(scene), described(scene, cache)))
    for name in sorted(set(notes) - set(scenes)):
        logger.warning("gallery: docs/gallery/%s has notes for %s, which is no built-in scene", NOTES, name,
                       type="gallery")
    _write_if_changed(folder / "index.md", index_page({k: v for k, v in groups.items() if v}, docstrings))
    for page in folder.glob("*.md"):
        if page.stem not in scenes and page.name not in ("index.md", NOTES) and \
                page.read_text(encoding="utf-8").startswith(MARKER):
            page.unlink()


def setup(app: Any) -> None:
    app.connect("builder-inited", generate)
