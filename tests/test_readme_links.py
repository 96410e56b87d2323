"""README's links point at what exists: every relative link and image names a file of the repository, and a
link with an anchor (``docs/howto/slides.md#the-html-player``, ``#set-up-two-commands``) names a heading of
that page, as GitHub and the site (MyST's heading anchors) spell it. The test reads whatever README.md holds
(and the front page proposed in ``docs/_proposed_README.md``), so it keeps working as README changes."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READMES = [ROOT / "README.md", ROOT / "docs" / "_proposed_README.md"]
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


@pytest.mark.parametrize("readme", READMES, ids=[p.name for p in READMES])
def test_every_link_of_the_readme_names_a_file_and_heading_that_exist(readme):
    text = readme.read_text(encoding="utf-8")
    found = links(text)
    assert found, "README links to the documentation"
    base = ROOT  # a README is read at the repository's root, wherever the proposal is kept
    missing = []
    for target in found:
        path_text, _, anchor = target.partition("#")
        page = base / path_text if path_text else ROOT / "README.md"
        if path_text and not page.exists():
            missing.append(target)
        elif anchor and page.suffix == ".md" and anchor not in anchors(page if path_text else readme):
            missing.append(target)
    assert missing == []


def test_the_proposed_front_page_is_short_and_links_every_part_of_the_site():
    text = READMES[1].read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    linked = {target.split("#")[0] for target in links(text)}
    for folder in ("howto", "reference", "explanations"):
        pages = {f"docs/{folder}/{p.name}" for p in (ROOT / "docs" / folder).glob("*.md") if p.name != "index.md"}
        assert pages <= linked, pages - linked
    assert "docs/getting-started.md" in linked
    assert "python -m sphinx -W --keep-going -n -b html docs docs/_build/html" in text
    assert 'pip install ".[docs]"' in text
