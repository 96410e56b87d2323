"""README's links point at what exists: every relative link and image names a file of the repository, and a
link with an anchor (``docs/howto/slides.md#the-html-player``, ``#set-up-two-commands``) names a heading of
that page, as GitHub and the site (MyST's heading anchors) spell it; CONTRIBUTING.md's too. README is the front
page: short, linking every page of the site. And no file of the repository sends a reader to a section of
README (``README's "Layout"``) that it no longer holds."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md"]
"""The pages read at the repository's root, whose links are relative to it (the site checks its own pages)."""
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """A heading's anchor, as GitHub writes it (and MyST's ``heading_anchors``): lower case, markup and
    punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"^(`{3,}).*?^\1", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)  # not in code
    return {slug(match) for match in re.findall(r"^#{1,6} +(.+?)\s*$", text, re.M)}


def links(text: str) -> list[str]:
    text = re.sub(r"^(`{3,}).*?^\1", "", text, flags=re.M | re.S)
    return [target for target in LINK.findall(text) if not re.match(r"^[a-z]+:", target)]


def test_slugs_are_githubs():
    assert slug("Set-up: two commands") == "set-up-two-commands"
    assert slug("The article's figures") == "the-articles-figures"
    assert slug("What `trajectories run` writes") == "what-trajectories-run-writes"
    assert slug("Many starts: basins and swarms") == "many-starts-basins-and-swarms"


@pytest.mark.parametrize("readme", PAGES, ids=[p.name for p in PAGES])
def test_every_link_of_the_page_names_a_file_and_heading_that_exist(readme):
    text = readme.read_text(encoding="utf-8")
    found = links(text)
    assert found, "the page links to the documentation"
    missing = []
    for target in found:
        path_text, _, anchor = target.partition("#")
        page = ROOT / path_text if path_text else readme
        if path_text and not page.exists():
            missing.append(target)
        elif anchor and page.suffix == ".md" and anchor not in anchors(page):
            missing.append(target)
    assert missing == []


def test_the_front_page_is_short_and_links_every_part_of_the_site():
    text = PAGES[0].read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    linked = {target.split("#")[0] for target in links(text)}
    for folder in ("howto", "reference", "explanations"):
        pages = {f"docs/{folder}/{p.name}" for p in (ROOT / "docs" / folder).glob("*.md") if p.name != "index.md"}
        assert pages <= linked, pages - linked
    assert {"docs/getting-started.md", "docs/howto/notebook.ipynb", "docs/explanations/security.md"} <= linked
    assert "python -m sphinx -W --keep-going -n -b html docs docs/_build/html" in text
    assert 'pip install ".[docs]"' in text
    assert "security" in anchors(PAGES[0]), "a Security section (the trust boundary's page is linked from it)"


SECTION = re.compile(r"""README(?:\.md)?(?:'s)?,? ["“]([^"”]+)["”]|["“]([^"”]+)["”] in README""")
"""A reference to a section of README by its heading: ``README.md's "Layout"``, ``"Extending" in README.md``."""


def test_no_file_points_at_a_readme_section_that_is_gone():
    """A heading of README, or a comment line of its blocks (``# install with the test tools, ...``)."""
    headings = {re.sub(r"[`*]", "", heading).strip().lower()
                for heading in re.findall(r"^#{1,6} +(.+?)\s*$", PAGES[0].read_text(encoding="utf-8"), re.M)}
    files = [*ROOT.glob("*.md"), ROOT / "setup.cfg", ROOT / ".ci" / "run"]
    for folder in ("docs", "trajectories", "scenes", "bench", "tests"):
        files += [path for path in (ROOT / folder).rglob("*") if path.suffix in (".md", ".py", ".ipynb")
                  and "_build" not in path.parts and path.name != "test_readme_links.py"]
    gone = []
    for path in files:
        text = " ".join(path.read_text(encoding="utf-8").split())
        for match in SECTION.finditer(text):
            name = (match.group(1) or match.group(2)).rstrip(".,;:").strip().lower()
            if not any(heading.startswith(name) for heading in headings):
                gone.append((str(path.relative_to(ROOT)), name))
    assert gone == []
    assert SECTION.search('see README, "Inside the optimizer"') and SECTION.search('"Extending" in README.md')
