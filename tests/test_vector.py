"""svg and pdf stills: the final frame as shapes and text (parsed back), from the same view as the frames."""

import re
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.colors import to_hex
from PIL import Image

from trajectories.errors import RenderError
from trajectories.scene import Racer, Scene, builtin_scenes
from trajectories.style.theme import get_theme

from .requirements import require_programs

SVG = "{http://www.w3.org/2000/svg}"
RACE = Scene("vec", "rosenbrock", [Racer("adam:lr=0.1", "Adam"), Racer("sgd:lr=0.001,momentum=0.9", "Momentum")],
             start=(-1.5, 2.0), steps=30, loss_panel=True, title="Vector still", size=(400, 300), dpi=60, frames=3)


def svg_texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def polyline_points(d: str) -> int:
    """The points of an SVG path made of M and L commands."""
    return len(re.findall(r"[ML]\s*-?[\d.]+\s+-?[\d.]+", d))


@pytest.fixture(scope="module")
def stills(tmp_path_factory):
    """RACE's final frame as svg, pdf and png (rendered once a module)."""
    folder = tmp_path_factory.mktemp("stills")
    results = {fmt: RACE.render(folder / f"race.{fmt}") for fmt in ("svg", "pdf", "png")}
    return folder, results


def test_svg_is_the_final_frame_as_text_and_shapes(stills):
    folder, results = stills
    assert results["svg"].format == "svg" and results["svg"].frames == 1
    root = ET.parse(folder / "race.svg").getroot()
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == ("480pt", "360pt")  # 400×300 px at 60 dpi: 6⅔×5 inches
    texts = svg_texts(root)
    for expected in ("Vector still", "Adam", "Momentum", "step 30/30"):
        assert any(expected in text for text in texts), (expected, texts[:20])
    colors = [to_hex(c) for c in RACE.racer_colors(get_theme(RACE.look.theme))]
    strokes = {}
    for path in root.iter(f"{SVG}path"):
        style = path.get("style") or ""
        found = re.search(r"stroke: (#[0-9a-f]{6})", style)
        if found and found.group(1) in colors:
            strokes.setdefault(found.group(1), []).append(polyline_points(path.get("d", "")))
    # each racer's whole path, 31 points, and its loss curve, 31 points: lines, not pixels
    assert sorted(strokes) == sorted(colors)
    assert all(counts.count(RACE.steps + 1) >= 2 for counts in strokes.values()), strokes


def test_no_text_leaves_every_glyph_out_and_the_frames_after_a_still_are_unchanged(tmp_path):
    from trajectories.compute.paths import compute_paths
    from trajectories.render.vector import write_vector

    from .drawing import make_view

    small = RACE.with_options(loss_panel=False, size=(200, 150))
    view = make_view(small, compute_paths(small))
    try:
        before = view.frame(2)
        with open(tmp_path / "a.svg", "wb") as file:
            write_vector(view, 2, file, "svg", text=False)
        assert np.array_equal(view.frame(2), before), "the figure is left as it was"
    finally:
        view.close()
    root = ET.parse(tmp_path / "a.svg").getroot()
    assert svg_texts(root) == [] and len(list(root.iter(f"{SVG}path"))) > 10


def test_pdf_draws_what_the_png_shows_with_its_text_as_text(stills, tmp_path):
    require_programs("pdftoppm", "pdftotext", install="apt-get install poppler-utils")
    folder, _ = stills
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(folder / "race.pdf"), str(tmp_path / "page")],
                   check=True)
    page = np.asarray(Image.open(tmp_path / "page.png").convert("RGB"), dtype=float)
    frame = np.asarray(Image.open(folder / "race.png").convert("RGB"), dtype=float)
    assert page.shape == frame.shape == (300, 400, 3)
    # another rasteriser (poppler) of the same shapes: edges and glyphs differ pixel by pixel (RMS about 15),
    # the picture does not: over blocks of 10×10 pixels the RMS is under 3 (the PNG moved by 5 pixels: 8.5)
    blocks = [image.reshape(30, 10, 40, 10, 3).mean(axis=(1, 3)) for image in (page, frame)]
    rms = float(np.sqrt(np.mean((blocks[0] - blocks[1]) ** 2)))
    assert rms < 4, rms
    words = subprocess.run(["pdftotext", str(folder / "race.pdf"), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert "Vector still" in words and "Momentum" in words and "step 30/30" in words


SWARM = Scene("swarm", "rastrigin", ["sgd:lr=0.002", "adam:lr=0.5"], start_sets=["grid:20x20"], steps=10,
              view="swarm", size=(320, 240), dpi=50)


@pytest.mark.parametrize("name", ["swarm", "fig7_saddle_race", "fig5_ewa", "fig4_minibatches"])
def test_every_view_with_shapes_has_a_vector_still(name, tmp_path):
    scene = SWARM if name == "swarm" else builtin_scenes()[name].with_options(size=(320, 240))
    scene.render(tmp_path / f"{name}.svg")
    root = ET.parse(tmp_path / f"{name}.svg").getroot()
    texts = svg_texts(root)
    assert root.tag == f"{SVG}svg" and texts
    if name != "fig5_ewa":  # the counter of steps, or of batches
        assert any(word in text for text in texts for word in ("step", "batch")), texts
    if name == "swarm":  # 400 starts of each optimizer as dots in its own panel: one marker each, not pixels
        fills = [re.search(r"fill: (#[0-9a-f]{6})", use.get("style") or "") for use in root.iter(f"{SVG}use")]
        colors = [to_hex(c) for c in SWARM.racer_colors(get_theme(SWARM.look.theme))]
        assert [sum(1 for f in fills if f and f.group(1) == color) for color in colors] == [400, 400]


def test_the_basins_view_has_no_vector_form_and_says_so_before_any_work(tmp_path):
    with pytest.raises(RenderError, match="the basins view draws pixels, not shapes: it has no pdf form"):
        builtin_scenes()["himmelblau_basins"].render(tmp_path / "b.pdf")
    assert list(tmp_path.iterdir()) == []
