"""The ``.. trajectories::`` Sphinx directive, tested by building small Sphinx projects (reStructuredText
and MyST Markdown) in temporary folders: the HTML shows images that exist and decode to the scene asked
for, the cache makes a rebuild render nothing, problems are warnings at their file and line, and parallel
builds (``-j``) work. Scenes are tiny (a few frames, small sizes) to keep this fast."""

import io
import re
import textwrap
from pathlib import Path

import pytest
from PIL import Image
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace, patch_docutils

from trajectories.integrations import sphinx as sphinxext
from trajectories.writers import page_format_names

CONF = 'extensions = ["trajectories.sphinxext", "myst_parser"]\n'

INDEX = """\
Animations
==========

.. toctree::

   markdown

.. trajectories:: rosenbrock
   :size: 160x120
   :frames: 5
   :class: wide
   :caption: Momentum and *Adam* down the valley.

.. trajectories::
   :format: webp
   :size: 120x90
   :frames: 4

   name = "inline"
   surface = "himmelblau"
   steps = 20
   [[optimizers]]
   name = "adam"
   hyperparameters = { lr = 0.1 }
"""

MARKDOWN = """\
# In Markdown

```{trajectories} saddle
:size: 128x96
:frames: 3
:alt: four optimizers leave the saddle
```
"""


def build(source: Path, out: Path, parallel: int = 0, fresh: bool = False) -> tuple[Sphinx, str]:
    """Build ``source`` into ``out/html`` (doctrees and the render cache in ``out/doctrees``), as
    ``sphinx-build`` does; the app and its warnings."""
    warnings = io.StringIO()
    with patch_docutils(source), docutils_namespace():
        app = Sphinx(str(source), str(source), str(out / "html"), str(out / "doctrees"), "html",
                     status=None, warning=warnings, freshenv=fresh, parallel=parallel)
        app.build()
    return app, re.sub(r"\x1b\[[0-9;]*m", "", warnings.getvalue())  # without colours


def project(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {"conf.py": CONF, **files}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def embedded(html: Path) -> list[tuple[str, Path]]:
    """``(tag, file)`` for every image and video the page shows."""
    found = re.findall(r'<(img|video)[^>]*?src="([^"]+)"', html.read_text(encoding="utf-8"))
    return [(tag, html.parent / src) for tag, src in found]


@pytest.fixture
def counted_renders(monkeypatch):
    """The scenes the directive renders in this process."""
    rendered = []
    real = sphinxext.render

    def counting(scene, target, fmt):
        rendered.append(scene.name)
        return real(scene, target, fmt)

    monkeypatch.setattr(sphinxext, "render", counting)
    return rendered


def test_rst_and_myst_pages_show_the_scenes_asked_for_and_a_rebuild_renders_nothing(tmp_path, counted_renders):
    source = project(tmp_path / "docs", {"index.rst": INDEX, "markdown.md": MARKDOWN})
    app, warnings = build(source, tmp_path / "build")
    assert warnings == "" and app.statuscode == 0
    assert sorted(counted_renders) == ["inline", "rosenbrock", "saddle"]
    html = tmp_path / "build" / "html"
    (race_tag, race), (inline_tag, inline) = embedded(html / "index.html")
    assert race_tag == inline_tag == "img"
    with Image.open(race) as image:  # a built-in scene with the options given
        assert (image.format, image.size, image.n_frames) == ("GIF", (160, 120), 5)
    with Image.open(inline) as image:  # an inline TOML scene
        assert (image.format, image.size, image.n_frames) == ("WEBP", (120, 90), 4)
    page = (html / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<figure[^>]*>\s*<img[^>]*class=\"trajectories wide\"", page)
    assert re.search(r"<figcaption>\s*<p>.*Momentum and <em>Adam</em> down the valley", page)
    assert "animation: Rosenbrock's curved valley" in page  # default alt text: the scene's description
    ((tag, saddle),) = embedded(html / "markdown.html")
    with Image.open(saddle) as image:  # MyST Markdown
        assert (tag, image.size, image.n_frames) == ("img", (128, 96), 3)
    assert 'alt="four optimizers leave the saddle"' in (html / "markdown.html").read_text(encoding="utf-8")

    # the cache: a rebuild that reads every document again renders nothing; a changed option, one scene
    counted_renders.clear()
    _, warnings = build(source, tmp_path / "build", fresh=True)
    assert counted_renders == [] and warnings == ""
    assert [path.read_bytes() for _, path in embedded(html / "index.html")] == [race.read_bytes(), inline.read_bytes()]
    (source / "index.rst").write_text(INDEX.replace(":frames: 5", ":frames: 6"), encoding="utf-8")
    build(source, tmp_path / "build")
    assert counted_renders == ["rosenbrock"]


def test_mp4_is_a_looping_video(tmp_path):
    page = ".. trajectories:: saddle\n   :format: mp4\n   :size: 96x72\n   :frames: 3\n"
    source = project(tmp_path / "docs", {"index.rst": page})
    _, warnings = build(source, tmp_path / "build")
    assert warnings == ""
    ((tag, video),) = embedded(tmp_path / "build" / "html" / "index.html")
    assert tag == "video" and video.read_bytes()[4:8] == b"ftyp"  # an MP4 container
    assert re.search(r"<video [^>]*autoplay loop muted", (video.parent.parent / "index.html").read_text())


PLAYER = """\
The player
==========

.. trajectories:: saddle
   :format: html
   :scale: 0.25
   :frames: 3
   :caption: Four optimizers leave the saddle.

.. trajectories:: saddle
   :scale: 20
"""


def test_html_is_the_player_inline_and_scale_multiplies_size_and_dpi(tmp_path):
    import base64
    import json

    source = project(tmp_path / "docs", {"index.rst": PLAYER})
    _, warnings = build(source, tmp_path / "build")
    (problem,) = warnings.splitlines()
    assert problem.startswith(f"{source / 'index.rst'}:10: WARNING: trajectories: :scale: must be a number from 0.1 "
                              "to 8, got 20"), problem
    page = (tmp_path / "build" / "html" / "index.html").read_text(encoding="utf-8")
    assert embedded(tmp_path / "build" / "html" / "index.html") == []  # no file: the frames are in the page
    assert page.count("<!-- trajectories player -->") == 1 and page.count("<script>") >= 1
    assert re.search(r'<figure[^>]*>\s*<div class="trajectories trajectories-player" role="group" '
                     r'aria-label="animation: [^"]*" style="max-width:160px">', page)  # 640 × 0.25
    assert "Four optimizers leave the saddle." in page
    data = json.loads(re.search(r'class="tj-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert len(data["frames"]) == 3
    first = base64.b64decode(data["frames"][0][-1].split(",", 1)[1])
    with Image.open(io.BytesIO(first)) as image:  # the first frame whole, at 640x480 scaled by 0.25
        assert image.size == (160, 120)


def test_a_scene_file_is_a_dependency(tmp_path, counted_renders):
    scene = "from trajectories.scene import Scene\nrace = Scene('race', 'sphere', ['adam:lr={lr}'], steps=3)\n"
    source = project(tmp_path / "docs", {"index.rst": ".. trajectories:: scenes/mine.py:race\n   :size: 96x72\n"})
    (source / "scenes").mkdir()
    (source / "scenes" / "mine.py").write_text(scene.format(lr=0.1))
    assert build(source, tmp_path / "build")[1] == ""
    (source / "scenes" / "mine.py").write_text(scene.format(lr=0.2))
    assert build(source, tmp_path / "build")[1] == ""  # not fresh: Sphinx re-reads the page for its scene file
    assert counted_renders == ["race", "race"]


BAD = """\
Problems
========

.. trajectories:: rosenbrok

.. trajectories:: rosenbrock
   :size: 160 by 120

.. trajectories:: rosenbrock
   :frames: 0

.. trajectories:: rosenbrock
   :format: avi

.. trajectories:: missing.py:race

.. trajectories:: raises.py

.. trajectories::

   surface = "sphere"

.. trajectories:: fig5_ewa
   :size: 10x10

.. trajectories::

.. trajectories:: saddle
   :size: 96x72
   :frames: 2
"""

BAD_MARKDOWN = """\
# Problems in Markdown

```{trajectories} nope
```
"""


def test_problems_are_warnings_at_their_file_and_line_and_the_build_goes_on(tmp_path):
    source = project(tmp_path / "docs", {"index.rst": BAD + "\n.. toctree::\n\n   problems\n",
                                         "problems.md": BAD_MARKDOWN,
                                         "raises.py": "from trajectories.scene import Scene\n\nx = 1 / 0\n"})
    app, warnings = build(source, tmp_path / "build")
    assert app.statuscode == 0
    lines = [line for line in warnings.splitlines() if line]
    index = source / "index.rst"
    expected = [
        (4, "unknown scene 'rosenbrok'; did you mean 'rosenbrock'?"),
        (6, ":size: must be WIDTHxHEIGHT in pixels, got '160 by 120'"),
        (9, ":frames: must be a whole number >= 1, got 0"),
        (12, ":format:"),
        (15, "no scene file missing.py"),
        (17, "raises.py:3: ZeroDivisionError"),
        (19, "inline TOML: 1 problem: optimizers: needs at least one [[optimizers]] table"),
        (23, "size must be (width, height) in pixels, from 64 to 4096 each, got 10x10"),
        (26, "give a scene"),
    ]
    for (line, message), warning in zip(expected, lines, strict=False):
        assert warning.startswith(f"{index}:{line}: WARNING: trajectories: "), warning
        assert message in warning, warning
    assert lines[len(expected)].startswith(f"{source / 'problems.md'}:3: WARNING: trajectories: unknown scene 'nope'")
    assert len(lines) == len(expected) + 1, warnings
    ((_, good),) = embedded(tmp_path / "build" / "html" / "index.html")  # the one good scene is there
    assert good.is_file()


def test_a_parallel_build_of_pages_sharing_scenes(tmp_path):
    page = "Page {}\n=======\n\n.. trajectories:: saddle\n   :size: 96x72\n   :frames: {}\n"
    pages = {f"page{i}.rst": page.format(i, 2 + i % 2) for i in range(6)}
    toctree = "Pages\n=====\n\n.. toctree::\n\n" + "".join(f"   page{i}\n" for i in range(6))
    source = project(tmp_path / "docs", {"index.rst": toctree, **pages})
    app, warnings = build(source, tmp_path / "build", parallel=2)
    assert warnings == "" and app.statuscode == 0
    shown = {}
    for i in range(6):
        ((_, path),) = embedded(tmp_path / "build" / "html" / f"page{i}.html")
        with Image.open(path) as image:
            shown[i] = image.n_frames
    assert shown == {i: 2 + i % 2 for i in range(6)}
    cache = tmp_path / "build" / "doctrees" / sphinxext.CACHE_FOLDER
    assert len([p for p in cache.iterdir() if not p.name.startswith(".")]) == 2  # one render per scene
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_the_cache_key_follows_the_scene_its_file_and_the_versions(tmp_path, monkeypatch):
    from trajectories.scene import builtin_scenes

    race = builtin_scenes()["rosenbrock"]
    key = sphinxext.cache_key(race, "gif")
    assert key == sphinxext.cache_key(builtin_scenes()["rosenbrock"], "gif")
    assert key != sphinxext.cache_key(race, "webp")
    assert key != sphinxext.cache_key(race.with_options(frames=7), "gif")
    monkeypatch.setattr(sphinxext, "_versions", lambda: {"matplotlib": "99"})
    assert key != sphinxext.cache_key(race, "gif")


def test_the_docs_document_the_directive_and_its_options():
    section = (Path(__file__).resolve().parent.parent / "docs" / "howto" / "sphinx.md").read_text(encoding="utf-8")
    assert "trajectories.sphinxext" in section and "```{trajectories}" in section
    assert all(f"`{name}`" in section for name in page_format_names())
    for option in sphinxext.TrajectoriesDirective.option_spec:
        assert f":{option}:" in section, option
    assert textwrap.dedent(sphinxext.__doc__).count("trajectories") > 3
