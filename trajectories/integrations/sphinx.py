"""``trajectories.integrations.sphinx``: the ``.. trajectories::`` directive, which renders a scene when the
documentation is built and embeds the animation, as matplotlib's ``plot`` directive embeds a plot.

In ``conf.py``: ``extensions = ["trajectories.sphinxext"]``. Then, in reStructuredText::

    .. trajectories:: rosenbrock
       :size: 320x240
       :frames: 60
       :caption: Momentum and Adam down Rosenbrock's valley.

    .. trajectories:: scenes/mine.py:race

    .. trajectories::
       :format: webp

       surface = "himmelblau"
       steps = 80
       [[optimizers]]
       name = "adam"
       hyperparameters = { lr = 0.1 }

and the same in MyST Markdown as a fenced ``{trajectories}`` block. The argument is a built-in
scene's name, ``path.py:NAME`` or ``path.toml`` (relative to the document; ``/path`` from the source
folder), or nothing with a TOML scene as the body. Options: ``format`` (gif, png, apng, webp, mp4, html;
an mp4 is a looping ``<video>`` in HTML, and html the player, with play/pause and a scrubber, inline in the
page), ``size`` (``WIDTHxHEIGHT``), ``scale`` (frame size and dpi multiplied: the same picture, smaller or
sharper), ``frames``, ``alt``, ``caption`` (makes a figure) and ``class``.

Scene files must lie in the source folder or in a folder ``conf.py`` lists in
``trajectories_scene_folders``; inline TOML and ``.toml`` files are data (:mod:`trajectories.trust.names`), read
and rendered under the guard (:mod:`trajectories.trust.guard`), and ``trajectories_allow_modules`` in ``conf.py``
is the opt-in that ``--allow-module`` is on the command line.

Renders are cached in ``<doctrees>/trajectories/``, named by a hash of the scene (its value and the
bytes of its file), the options, the versions of the packages that draw it and trajectories' own code:
a rebuild renders nothing that it rendered before. Renders are written atomically, so parallel builds
(``sphinx-build -j N``) are safe. Every problem (an unknown scene, a bad option, a failed render) is a
Sphinx warning with the document and line, and the build goes on without that animation.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import posixpath
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..errors import DirectiveError, TrajectoriesError
from ..trust.guard import guarded
from ..trust.names import allowing
from ..version import __version__

if TYPE_CHECKING:
    from ..scene_protocol import SceneValue

logger = logging.getLogger(__name__)

DRAWING_PACKAGES = ("numpy", "matplotlib", "pillow", "mpmath", "imageio", "imageio-ffmpeg")
CACHE_FOLDER = "trajectories"
"""The cache's folder inside Sphinx's doctree folder."""


class trajectories_player(nodes.General, nodes.Element):
    """The HTML player of one animation, inline in the page (its markup, frames and script: one file's
    worth, with nothing fetched from elsewhere); other builders leave it out."""


class trajectories_video(nodes.image):  # docutils finds visitors by the class name: visit_trajectories_video
    """An mp4 animation: an image node (so Sphinx copies the file into ``_images``), drawn as a ``<video>``."""


def _versions() -> dict[str, str]:
    found = {"trajectories": __version__, "code": _code_digest()}
    for name in DRAWING_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "-"
    return found


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A hash of trajectories' own source files, so that a change in how scenes are drawn misses the cache
    even without a new version number."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cache_key(scene: SceneValue, fmt: str) -> str:
    """The hash that names a render: the scene's value, the bytes of the file that declares it, the
    format, and the versions of everything that draws it."""
    source = scene.source
    source_bytes = Path(source).read_bytes() if source and Path(source).is_file() else b""
    value = dataclasses.replace(scene, source="") if source else scene  # where the file is does not count
    document = {"scene": repr(value), "source": hashlib.sha256(source_bytes).hexdigest(), "format": fmt,
                "versions": _versions()}
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:32]


def _positive_int(text: str | None) -> int:
    try:
        value = int(str(text).strip())
    except ValueError:
        raise DirectiveError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise DirectiveError(f"must be a whole number >= 1, got {value}")
    return value


def _size(text: str | None) -> tuple[int, int]:
    width, sep, height = str(text).strip().lower().partition("x")
    if not sep:
        raise DirectiveError(f"must be WIDTHxHEIGHT in pixels, got {text!r}")
    return _positive_int(width), _positive_int(height)


def _format(text: str | None) -> str:
    from ..writers import page_format_names

    return directives.choice(str(text).strip().lower(), page_format_names())


def _scale(text: str | None) -> float:
    from ..pipeline.plan import SCALES

    try:
        value = float(str(text).strip())
    except ValueError:
        raise DirectiveError(f"must be a number, got {text!r}") from None
    if not SCALES[0] <= value <= SCALES[1]:
        raise DirectiveError(f"must be a number from {SCALES[0]:g} to {SCALES[1]:g}, got {value:g}")
    return value


class TrajectoriesDirective(SphinxDirective):
    """``.. trajectories:: SCENE`` (or a TOML body): render the scene at build time and embed it."""

    has_content = True
    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = {  # noqa: RUF012 - docutils reads it from the class
        name: directives.unchanged for name in ("format", "size", "scale", "frames", "alt", "caption", "class")
    }  # all read in run(), so that a bad value is a warning of ours at the line, as every other problem
    parsers = {"format": _format, "size": _size, "scale": _scale, "frames": _positive_int}  # noqa: RUF012

    def run(self) -> list[nodes.Node]:
        location = (self.env.docname, self.lineno)
        try:
            self._parse_options()
            with allowing(self.config.trajectories_allow_modules):  # conf.py is code: it may opt in
                scene, from_data = self._scene()
                scene = self._with_options(scene)
                fmt = self.options.get("format", "gif")
                path = self._rendered(scene, fmt, location, from_data)
        except TrajectoriesError as problem:  # the message says it all
            logger.warning("trajectories: %s", problem, location=location, type="trajectories")
            return []
        except Exception as error:  # a failed render is a warning, never a crashed build
            logger.warning("trajectories: %s: %s", type(error).__name__, error, location=location,
                           type="trajectories")
            return []
        return self._nodes(scene, fmt, path)

    def _parse_options(self) -> None:
        for name, parse in self.parsers.items():
            if name in self.options:
                try:
                    self.options[name] = parse(self.options[name])
                except ValueError as error:
                    raise DirectiveError(f":{name}: {error}") from None
        self.options["class"] = directives.class_option(self.options.get("class") or "")

    # --- which scene ---------------------------------------------------------------------------------

    def _scene(self) -> tuple[Any, bool]:
        """The scene, and whether it was read from data (inline or a ``.toml`` file: rendered under the guard)."""
        from ..scene.loader import file_scenes, named_scene, split_reference

        body = "\n".join(self.content).strip()
        if self.arguments and body:
            raise DirectiveError("give a scene name or a TOML body, not both")
        if not self.arguments:
            if not body:
                raise DirectiveError("give a scene: a built-in name, path.py:NAME, path.toml, or a TOML body")
            return self._inline_scene(body), True
        reference = self.arguments[0].strip()
        file_part, name = split_reference(reference)  # split as the command line splits it
        if ".py" in reference or ".toml" in reference:  # a file, or a mistake: never a path from sphinx's cwd
            if not file_part.endswith((".py", ".toml")):
                raise DirectiveError(f"{reference!r} is neither a scene name nor path.py[:NAME] or path.toml")
            relative, absolute = self.env.relfn2path(file_part, self.env.docname)
            self._check_folder(relative, Path(absolute))
            if not Path(absolute).is_file():
                raise DirectiveError(f"no scene file {relative} (paths are relative to the document, "
                                       f"or to the source folder with a leading /)")
            self.env.note_dependency(absolute)
            scenes = file_scenes(absolute, name)
            if len(scenes) > 1:
                raise DirectiveError(f"{relative} holds {len(scenes)} scenes: name one, {relative}:NAME "
                                       f"({', '.join(s.name for s in scenes)})")
            return scenes[0], file_part.endswith(".toml")
        return named_scene(reference), False  # built-in and plugin names only

    def _check_folder(self, relative: str, absolute: Path) -> None:
        """A scene file must lie in the documentation's source folder (links resolved), or in a folder that
        ``conf.py`` lists in ``trajectories_scene_folders`` (relative to ``conf.py``'s folder): a page never
        runs or reads a file from elsewhere on the machine."""
        allowed = [Path(self.env.srcdir), *map(Path, self.config.trajectories_scene_folders)]  # absolute by now
        real = absolute.resolve()
        if not any(real.is_relative_to(folder.resolve()) for folder in allowed):
            raise DirectiveError(f"{relative} is outside the documentation's source folder; list its folder in "
                                   "trajectories_scene_folders in conf.py to allow it")

    def _inline_scene(self, body: str) -> Any:
        from ..scene import load_toml_scene

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "inline.toml"
            path.write_text(body + "\n", encoding="utf-8")
            try:
                scenes = load_toml_scene(path, where="a directive's TOML")
            except ValueError as error:
                raise DirectiveError(f"inline TOML: {str(error).replace(str(path) + ': ', '')}") from None
        (scene,) = scenes.values()
        return scene.with_options(source="")  # its file is gone: a scene of this document's text

    def _with_options(self, scene: SceneValue) -> Any:
        from ..pipeline.plan import has_option

        changes = {key: self.options[key] for key in ("size", "frames") if key in self.options}
        missing = [key for key in changes if not has_option(scene, key)]
        if missing:
            raise DirectiveError(f":{missing[0]}: does not apply to {scene.name}")
        try:
            scene = scene.with_options(**changes) if changes else scene
            if "scale" in self.options:  # after :size:, as render's --scale after --size
                from ..pipeline.plan import scaled

                scene = scaled(scene, self.options["scale"])
            return scene
        except ValueError as error:
            raise DirectiveError(str(error).replace("--scale", ":scale:")) from None

    # --- rendering, cached -------------------------------------------------------------------------------

    def _rendered(self, scene: SceneValue, fmt: str, location: tuple[str, int], from_data: bool) -> Path:
        from ..writers import get_format

        folder = Path(self.env.doctreedir) / CACHE_FOLDER
        target = folder / f"{scene.name}-{cache_key(scene, fmt)}{get_format(fmt).extension}"
        if target.is_file():
            return target
        folder.mkdir(parents=True, exist_ok=True)
        where = f"{self.env.doc2path(self.env.docname)}:{self.lineno}"
        with guarded(where, [target]) if from_data else contextlib.nullcontext():  # data: the render is guarded
            result = render(scene, target, fmt)
        for message in result.warnings:
            logger.warning("trajectories: %s", message, location=location, type="trajectories")
        return target

    # --- embedding -----------------------------------------------------------------------------------------

    def _nodes(self, scene: SceneValue, fmt: str, path: Path) -> list[nodes.Node]:
        from ..writers import get_format

        source_folder = Path(self.env.doc2path(self.env.docname)).parent
        uri = Path(os.path.relpath(path, source_folder)).as_posix()
        description = scene.description or scene.name
        alt = self.options.get("alt", f"animation: {description}")
        shown_as = get_format(fmt).shown_as  # the formats the directive offers: every one a page can show
        if shown_as == "player":
            return self._player(scene, path, alt)
        kind = trajectories_video if shown_as == "video" else nodes.image
        image = kind(uri=uri, alt=alt, classes=["trajectories", *self.options.get("class", [])])
        if shown_as == "video":  # an image keeps its own size (and a width would make Sphinx link it to itself)
            image["video_width"] = scene.look.size[0]
        return self._captioned(image)

    def _player(self, scene: SceneValue, path: Path, alt: str) -> list[nodes.Node]:
        """The player's own markup, inline (its frames are ``data:`` URIs, so no file is copied)."""
        from ..writers.html import fragment

        player = trajectories_player(html=fragment(path.read_text(encoding="utf-8")), alt=alt, width=scene.look.size[0],
                                     classes=["trajectories", "trajectories-player", *self.options.get("class", [])])
        return self._captioned(player)

    def _captioned(self, shown: nodes.Element) -> list[nodes.Node]:
        """``shown`` alone, or in a figure with the ``:caption:`` (inline markup parsed) when there is one."""
        self.set_source_info(shown)
        if "caption" not in self.options:
            return [shown]
        figure = nodes.figure("", shown, classes=["trajectories-figure"])
        inline, messages = self.state.inline_text(self.options["caption"], self.lineno)
        figure += nodes.caption(self.options["caption"], "", *inline)
        self.set_source_info(figure)
        return [figure, *messages]


def render(scene: SceneValue, target: Path, fmt: str) -> Any:
    """Render ``scene`` to ``target`` (atomically: a temporary file renamed into place, so two processes
    rendering the same scene both leave a whole file). Its own function so that tests can count renders."""
    from ..pipeline.stages import render_scene

    return render_scene(scene, target, format=fmt, quiet=True, jobs=1)


def visit_video_html(translator: Any, node: trajectories_video) -> None:
    uri = node["uri"]
    images = getattr(translator.builder, "images", {})
    if uri in images:
        uri = posixpath.join(translator.builder.imgpath, quote(images[uri]))
    classes = " ".join(node.get("classes", []))
    label = translator.attval(node.get("alt", ""))
    translator.body.append(f'<video src="{uri}" class="{classes}" width="{node.get("video_width", "")}" autoplay loop '
                           f'muted playsinline controls aria-label="{label}"></video>\n')
    raise nodes.SkipNode


def visit_player_html(translator: Any, node: trajectories_player) -> None:
    classes = translator.attval(" ".join(node.get("classes", [])))
    label = translator.attval(node.get("alt", ""))
    translator.body.append(f'<div class="{classes}" role="group" aria-label="{label}" '
                           f'style="max-width:{int(node["width"])}px">\n{node["html"]}\n</div>\n')
    raise nodes.SkipNode


def skip(translator: Any, node: nodes.Node) -> None:
    raise nodes.SkipNode


def _folders_from_conf(app: Any, config: Any) -> None:
    """``trajectories_scene_folders`` as absolute folders, each relative to ``conf.py``'s folder."""
    config.trajectories_scene_folders = [str((Path(app.confdir) / folder).resolve())
                                         for folder in config.trajectories_scene_folders]


def setup(app: Any) -> dict[str, Any]:
    """Register the directive (Sphinx calls this for ``extensions = ["trajectories.sphinxext"]``)."""
    app.add_node(trajectories_video, html=(visit_video_html, None), latex=(skip, None), text=(skip, None),
                 man=(skip, None), texinfo=(skip, None))
    app.add_node(trajectories_player, html=(visit_player_html, None), latex=(skip, None), text=(skip, None),
                 man=(skip, None), texinfo=(skip, None))
    app.add_directive("trajectories", TrajectoriesDirective)
    app.add_config_value("trajectories_allow_modules", [], "env", [list, tuple])
    app.add_config_value("trajectories_scene_folders", [], "env", [list, tuple])
    app.connect("config-inited", _folders_from_conf)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
