"""Every list is read from its registry: the formats a notebook and the Sphinx directive show (and how), the
vector formats and views, the run formats, the views' help; a format or view registered later counts."""

import mimetypes
import subprocess
import sys

import pytest
from PIL import Image

from trajectories import writers
from trajectories.errors import RenderError
from trajectories.integrations import sphinx as sphinxext
from trajectories.options import OPTIONS, RUN_FORMATS, run_format
from trajectories.pipeline import stages as pipeline
from trajectories.render.registry import VIEWS, check_vector_form, race_view_names, register_view, unregister_view
from trajectories.writers import FORMATS, Format, page_format_names, register_format, unregister_format


@pytest.mark.parametrize("name", [name for name in FORMATS if name != "apng"])
def test_each_formats_media_type_is_the_one_python_knows_for_its_extension(name):
    # independent references: the standard library's table of media types (APNG's .png is PNG's there), and
    # Pillow's for WebP (Python knows .webp from 3.13)
    extension = FORMATS[name].extension
    expected = mimetypes.types_map.get(extension) or Image.MIME[Image.registered_extensions()[extension]]
    assert FORMATS[name].mime == expected


@pytest.fixture
def extra_formats():
    register_format(Format("ppm", ".ppm", lambda target: None, paletted=False, suffixes=(".ppm",),
                           mime="image/x-portable-pixmap", shown_as="image"))
    register_format(Format("raw", ".raw", lambda target: None, paletted=False, suffixes=(".raw",)))
    yield
    unregister_format("ppm")
    unregister_format("raw")


def test_a_notebook_shows_a_format_as_its_registration_says(extra_formats):
    html = {name: pipeline._html_for(b"\x00\x01", name, (320, 240)) for name in ("gif", "webp", "svg", "ppm", "raw")}
    assert 'src="data:image/gif;base64,AAE="' in html["gif"] and html["gif"].startswith("<img")
    assert "data:image/webp;" in html["webp"] and "data:image/svg+xml;" in html["svg"]
    assert "data:image/x-portable-pixmap;" in html["ppm"]  # a format registered later: its own type, not png
    assert "<img" not in html["raw"] and "image/png" not in html["raw"] and "2 bytes" in html["raw"]
    assert pipeline._html_for(b"\x00", "mp4", (320, 240)).startswith('<video width="320"')


def test_the_sphinx_directive_offers_the_formats_a_page_can_show(extra_formats):
    assert page_format_names() == ("gif", "png", "apng", "webp", "mp4", "html", "svg", "ppm")
    assert sphinxext._format(" PPM ") == "ppm"
    for hidden in ("pdf", "raw"):
        with pytest.raises(ValueError, match="gif"):
            sphinxext._format(hidden)


def test_vector_forms_are_flags_of_the_registries():
    assert writers.vector_format_names() == ("svg", "pdf")
    vector_views = {name for name, kind in VIEWS.items() if kind.vector}
    # cells; decision images; a 3-D surface of a network (its still is png)
    assert vector_views == set(VIEWS) - {"basins", "network", "network_surface"}
    with pytest.raises(RenderError, match="the basins view draws pixels, not shapes: it has no svg form"):
        check_vector_form(VIEWS["basins"], "svg")
    check_vector_form(VIEWS["swarm"], "pdf")  # no error


def test_a_view_registered_later_joins_the_choices_and_the_help_names_every_built_in_one():
    help_text = OPTIONS["view"].help
    assert all(VIEWS[name].summary in help_text for name in race_view_names())
    register_view("dots", "tests.test_extending:DotsView", summary="dots")
    try:
        assert race_view_names()[-1] == "dots" and "dots" in OPTIONS["view"].choice_names()
    finally:
        unregister_view("dots")


def test_run_formats_are_one_list():
    assert RUN_FORMATS == ("json", "csv", "npz")
    assert [run_format(path, None) for path in ("a.json", "A.CSV", "b.npz", "c.txt", None, "d")] == \
        ["json", "csv", "npz", "json", "json", "json"]
    assert run_format("a.csv", "npz") == "npz"


def test_reading_a_views_flags_imports_no_view_and_no_matplotlib(tmp_path):
    code = ("import sys; from trajectories.pipeline.limits import drawing_processes; from trajectories.scene import "
            "builtin_scenes; scene = builtin_scenes()['fig1_critical_points']; "
            "print(drawing_processes(scene, 50, 4), drawing_processes(builtin_scenes()['rosenbrock'], 50, 4), "
            "sorted(m for m in sys.modules if m.startswith('trajectories.render.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    parallel, flat, render_modules = done.stdout.split(" ", 2)
    assert (int(parallel), int(flat)) == (5, 1)  # a 3-D scene forks min(jobs, frames/4) workers; 2-D draws here
    assert "trajectories.render.views" not in render_modules and "surface3d" not in render_modules


def test_a_views_own_check_runs_in_the_plan_for_each_race_it_draws():
    """The plan asks the registry for a view's check (the contour view's: side panels need room) instead of
    naming the view itself; panels side by side are checked one by one."""
    from trajectories.errors import PlanError
    from trajectories.pipeline.limits import check_render_size
    from trajectories.scene import Scene, SideBySide

    seen = []

    def refuse_wide(race, error):
        seen.append(race.name)
        if race.look.size[0] > 200:
            raise error(f"{race.name}: too wide for this view")

    register_view("checked", "trajectories.render.views:contour_view", check=refuse_wide)
    try:
        race = Scene("narrow", "sphere", ["sgd:lr=0.1"], steps=3, view="checked", size=(160, 120))
        check_render_size(race, writers.get_format("gif"), PlanError)
        assert seen == ["narrow"]
        wide = SideBySide("pair", [race.with_options(name="left"), race.with_options(name="right", size=(320, 240))])
        with pytest.raises(PlanError, match=r"^right: too wide for this view$"):
            check_render_size(wide, writers.get_format("gif"), PlanError)
        assert seen == ["narrow", "left", "right"]
    finally:
        unregister_view("checked")
    assert VIEWS["contour"].check == "trajectories.render.side_panels:check_panel_room"
