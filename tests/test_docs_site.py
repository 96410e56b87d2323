"""The documentation site (``docs/``), built as README says, from a copy in a temporary folder:
``python -m sphinx -W --keep-going -n -b html docs docs/_build/html``, warnings as errors and every
cross-reference resolved. Then every page is opened in a headless Chromium: it loads with no console error,
every image and player decodes, no request leaves the machine, and every internal link (and its anchor)
exists. The gallery has a page and a thumbnail for every built-in scene, and each page's source snippet makes
its scene on its own.

The build needs the ``docs`` extra (``pip install ".[docs]"``: furo, myst-nb, sphinx-click, ipykernel); without
it these tests are skipped with that reason. A cold build renders every gallery scene once (about a minute and a
half on two cores, the notebook and the error table included): the site's time budget is 3 minutes there.
"""

import html
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from .adapter_support import require

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

from trajectories_docs import gallery  # noqa: E402

from trajectories.scene import builtin_scenes  # noqa: E402

BUILD = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-b", "html"]
"""The one command (README, docs/conf.py), with the source and output folders added."""

PAGE_CHECK = """(async () => {
  const images = await Promise.all([...document.images].map(image =>
    image.decode().then(() => [image.getAttribute("src"), image.naturalWidth], () => [image.getAttribute("src"), 0])));
  const players = await Promise.all([...document.querySelectorAll(".tj-player")].map(async root => {
    const player = root.trajectoriesPlayer;
    if (!player) return "no player";
    await player.ready;
    player.pause(); player.seek(0);
    const canvas = root.querySelector("canvas");
    const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let colours = new Set();
    for (let i = 0; i < pixels.length; i += 4 * 97) {
      colours.add(pixels[i] * 65536 + pixels[i + 1] * 256 + pixels[i + 2]);
    }
    return colours.size;
  }));
  const links = [...document.querySelectorAll("a[href]")].map(a => a.href);
  return {images, players, links, title: document.title};
})()"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built site's HTML folder, and how long the cold build took (reported, not asserted)."""
    for module in ("furo", "myst_nb", "sphinx_click", "ipykernel"):  # here, so the tests using it carry the marker
        require(module)
    root = tmp_path_factory.mktemp("site")
    source = root / "repository" / "docs"
    shutil.copytree(DOCS, source, ignore=shutil.ignore_patterns("_build", "*.pyc", "__pycache__"))
    for page in (source / "gallery").glob("*.md"):  # pages a local build generated: the build writes its own
        if page.name != "_notes.md":
            page.unlink()
    (root / "repository" / "tests").symlink_to(ROOT / "tests")  # the error table runs the suite's bad inputs
    started = time.monotonic()
    done = subprocess.run([*BUILD, str(source), str(root / "html"), "-d", str(root / "doctrees")],
                          capture_output=True, text=True, timeout=1200, cwd=root,
                          env={**os.environ, "TRAJECTORIES_CACHE": str(root / "cache")})
    seconds = time.monotonic() - started
    warnings = [line for line in done.stderr.splitlines() if re.search(r"(^|: )(WARNING|ERROR|CRITICAL): ", line)]
    assert done.returncode == 0 and not warnings, "\n".join(warnings) or done.stderr[-3000:]
    print(f"docs: cold build in {seconds:.0f} s")
    return root / "html"


def test_every_page_loads_in_chromium_with_its_images_and_players_and_nothing_from_outside(site, chromium):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 50
    outside, broken = [], []
    for path in pages:
        page = chromium.new_page()
        try:
            page.send("Network.enable")
            page.open(path)
            found = page.evaluate(PAGE_CHECK)
            errors = page.errors()
            requests = [event["params"]["request"]["url"] for event in chromium.events
                        if event.get("sessionId") == page.session and event["method"] == "Network.requestWillBeSent"]
        finally:
            page.close()
        name = path.relative_to(site)
        assert errors == [], (name, errors)
        assert all(width > 0 for _, width in found["images"]), (name, found["images"])
        assert all(isinstance(colours, int) and colours > 3 for colours in found["players"]), (name, found["players"])
        outside += [(name, url) for url in requests if urlparse(url).scheme not in ("file", "data", "blob", "about")]
        for href in found["links"]:
            url = urlparse(href)
            if url.scheme != "file":
                continue
            target = Path(unquote(url.path))
            if not target.is_file():
                broken.append((name, href))
            elif url.fragment and target.suffix == ".html" and \
                    f'id="{unquote(url.fragment)}"' not in target.read_text(encoding="utf-8"):
                broken.append((name, href))
    assert outside == []
    assert broken == []


def test_the_gallery_has_every_built_in_scene_with_its_player_notes_source_and_thumbnail(site):
    index = (site / "gallery" / "index.html").read_text(encoding="utf-8")
    notes = gallery.read_notes(DOCS / "gallery" / gallery.NOTES)
    for name in builtin_scenes():
        page = (site / "gallery" / f"{name}.html").read_text(encoding="utf-8")
        assert page.count("<!-- trajectories player -->") == 1, name
        assert f"scene {name} (" in page  # what `trajectories describe` says
        assignment = rf"{re.escape(name)}</span>(<span class=\"w\">)? (</span>)?<span class=\"o\">=</span>"
        assert re.search(assignment, page), name  # the scene's source
        assert notes[name] and "No notes yet" not in page, name
        assert re.search(rf'href="{re.escape(name)}.html"', index), name
    assert index.count('class="trajectories tj-thumbnail"') == len(builtin_scenes())


def test_the_reference_is_made_from_the_code(site):
    import click
    from click.testing import CliRunner

    from trajectories.cli.main import cli
    from trajectories.core.optimizers import OPTIMIZERS
    from trajectories.options import OPTIONS_LIST
    from trajectories.surfaces.catalogue import SURFACE_NAMES

    from .test_bad_input import CASES, SETUPS

    reference = site / "reference"
    cli_page = (reference / "cli.html").read_text(encoding="utf-8")
    cli_text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", cli_page)).split())
    for command in cli.commands:
        assert f"trajectories {command} [OPTIONS]" in cli_text, command  # its usage line
        for option in cli.commands[command].params:  # each documented as an option, not as text
            if isinstance(option, click.Option) and not option.hidden:
                name = next(opt for opt in option.opts if opt.startswith("--")).lstrip("-")
                assert f'id="cmdoption-trajectories-{command}-{name}"' in cli_page, (command, name)
    assert ".. option::" not in cli_page and ".. rubric::" not in cli_page  # sphinx-click's reST, parsed as reST
    unparsed = [path.name for path in site.rglob("*.html") if 'class="problematic"' in path.read_text("utf-8")]
    assert unparsed == []  # docutils' mark of markup it could not resolve (a |g| read as a substitution)
    options = (reference / "options.html").read_text(encoding="utf-8")
    assert all(f"<code class=\"docutils literal notranslate\"><span class=\"pre\">{o.name}</span></code>" in options
               for o in OPTIONS_LIST)
    surfaces = (reference / "surfaces.html").read_text(encoding="utf-8")
    assert all(f'<span class="pre">{name}</span>' in surfaces for name in SURFACE_NAMES)
    optimizers = (reference / "optimizers.html").read_text(encoding="utf-8")
    assert all(f'<span class="pre">{name}</span>' in optimizers for name in OPTIMIZERS)
    errors = (reference / "errors.html").read_text(encoding="utf-8")
    rows = re.findall(r'<td><p><code class="docutils literal notranslate"><span class="pre">trajectories</span>',
                      errors)
    assert len(rows) == len(CASES) - len(SETUPS)  # a case that needs a faked machine is the suite's only
    said = CliRunner().invoke(cli, ["render", "rosenbrok"]).stderr.strip().removeprefix("trajectories: error: ")
    assert said in " ".join(html.unescape(re.sub(r"<[^>]+>", "", errors)).split())  # the very line, as text
    math = (reference / "optimizers.html").read_text(encoding="utf-8")
    assert "<math" in math and "\\beta" not in math.split("<body")[1]  # MathML, no raw LaTeX left


def test_each_gallery_snippet_makes_its_scene_on_its_own(tmp_path):
    for name, scene in builtin_scenes().items():
        namespace: dict = {}
        exec(compile(gallery.scene_source(scene), f"{name} snippet", "exec"), namespace)  # our own scene files
        made = [value for value in namespace.values() if getattr(value, "name", None) == name]
        assert len(made) == 1, name
        assert repr(made[0]) == repr(scene.with_options(source="")), name


def test_every_scene_has_notes_and_every_note_a_scene():
    notes = gallery.read_notes(DOCS / "gallery" / gallery.NOTES)
    assert set(notes) == set(builtin_scenes())
    assert all(len(text.split()) >= 15 for text in notes.values())
