"""The frame checker (trajectories/pipeline/frame_check.py): every built-in scene is clean in every frame; the checker
finds each drawing bug of issue 25 when a view reintroduces it; each rule on hand-made geometry; the
geometry a view reports is where its pixels are."""

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image, ImageSequence

from trajectories.compute.paths import compute_paths
from trajectories.pipeline.frame_check import (
    Findings,
    check_frame,
    check_heads_seen,
    check_scene,
    check_timing,
    check_view,
    check_widths,
    frame_ranges,
)
from trajectories.render.contour import ContourView
from trajectories.render.geometry import Area, Dots, FrameGeometry, Mark, Stroke, TextBox
from trajectories.render.moments import Moment
from trajectories.scene import Racer, Scene, builtin_scenes

from .drawing import make_view

SCENES = builtin_scenes()


@pytest.mark.parametrize("name", list(SCENES))
def test_every_frame_of_every_builtin_scene_is_clean(name, frame_check):
    frame_check(SCENES[name])


# -- the bugs of issue 25, items 1-3, put back into a view: the checker must report each --------------------

LEAVING = Scene("leaving", "saddle", [Racer("sgd:lr=0.05", "GD"), Racer("sgd:lr=0.05,momentum=0.9", "Momentum")],
                start=(1.5, -0.01), steps=70, window=(-2, 2, -2, 2), pauses=("exits",), size=(320, 240), dpi=50)


class HeadsAfterExit(ContourView):
    """Item 1 as it was: a racer's head stays at its last finite point once it has left, drawn outside the
    plot (``clip_on=False``), over the tick labels."""

    def update(self, index):
        drawn = super().update(index)
        steps = self.timeline.steps[index]
        self.head_collection.set_offsets([t.positions[min(steps[i], int(self.last_valid[i, 0])), 0]
                                          for i, t in enumerate(self.trajectories)])
        return drawn


class PathsAfterExit(ContourView):
    """Item 2 as it was: a path goes on being drawn through every finite point after it left the window."""

    def update(self, index):
        drawn = super().update(index)
        steps = self.timeline.steps[index]
        self._drawn = [t.positions[: min(steps[i], int(self.last_valid[i, 0])) + 1, 0]
                       for i, t in enumerate(self.trajectories)]
        self.path_collection.set_segments(self._drawn)
        return drawn


def findings_of(view_class, scene):
    view = view_class(compute_paths(scene).panels[0])
    try:
        return check_view(scene, view)
    finally:
        view.close()


def test_the_checker_reports_heads_drawn_after_their_exit():
    found = findings_of(HeadsAfterExit, LEAVING)
    outside = [f for f in found if f.check == "outside"]
    assert {f.message.split(" at ")[0] for f in outside} == {"head of GD", "head of Momentum"}
    exits = {m.what.split(" leaves")[0]: m.frame for m in ContourView(compute_paths(LEAVING).panels[0]).moments()}
    for finding in outside:  # from the frame each racer leaves to the last one
        who = finding.message.split(" at ")[0].removeprefix("head of ")
        assert finding.frames == tuple(range(exits[who], 71))
    assert not [f for f in findings_of(ContourView, LEAVING) if f.check == "outside"]


def test_the_checker_reports_paths_drawn_after_their_exit():
    found = [f for f in findings_of(PathsAfterExit, LEAVING) if f.check == "after-exit"]
    assert {f.message.split(" is drawn")[0] for f in found} == {"path of GD", "path of Momentum"}
    assert not [f for f in findings_of(ContourView, LEAVING) if f.check == "after-exit"]


def old_stacked_widths(paths, base, window, dpi, ring=1.5, near=0.01, share=0.2):
    """Item 3 as it was: a later path "runs along" one when a fifth of its points come within 1 % of the
    window of it, which every racer ending at the same minimum does."""
    x0, x1, y0, y1 = window
    scale = np.array([x1 - x0, y1 - y0])
    points = [p[np.isfinite(p).all(axis=1)] / scale for p in paths]
    later = np.zeros(len(paths))
    for i, mine in enumerate(points):
        for other in points[i + 1:]:
            gaps = np.abs(other[:, None, :] - mine[None, ::max(1, len(mine) // 400), :]).max(axis=-1)
            later[i] += (gaps.min(axis=1) <= near).mean() >= share
    return base + 2 * ring * 72 / dpi * later


def test_the_checker_reports_paths_widened_where_no_path_runs_along_them():
    scene = Scene("widths", "ravine", [Racer("sgd:lr=0.038", "GD"), Racer("sgd:lr=0.01,momentum=0.9", "Momentum"),
                                       Racer("adam:lr=0.3", "Adam")], start=(6.0, 3.0), steps=150, frames=31, fps=10)
    view = ContourView(compute_paths(scene).panels[0])
    try:
        assert check_view(scene, view) == []
        old = old_stacked_widths([t.positions[:, 0] for t in view.trajectories], view.line_width,
                                 scene.plot_window, scene.look.dpi)
        assert old[0] > old[2]  # all three end at the minimum: GD was widened for both later racers
        view.width_table[:] = old
        found = [f for f in check_view(scene, view) if f.check == "width"]
    finally:
        view.close()
    assert {f.message for f in found} == {
        "path of GD is 8.8 px wide, over 3 × 2.8 px",
        "path of GD is 8.8 px wide where a lone path is 2.8 px, but no later path runs along it (allowed 2.8 px)",
        "path of Momentum is 5.8 px wide where a lone path is 2.8 px, but no later path runs along it (allowed "
        "2.8 px)"}


# -- each rule, on geometry made by hand ------------------------------------------------------------------

PLOT = Area("plot", (100.0, 50.0, 300.0, 250.0))


def found(geometry, widths=False):
    findings = Findings("s")
    check_frame(geometry, findings)
    if widths:
        check_widths(geometry, findings)
    return {(f.check, f.message) for f in findings.result()}


def geometry(**parts):
    return FrameGeometry(0, (400, 300), areas=(PLOT,), **parts)


def test_marks_inside_their_plot_exit_marks_on_its_edge():
    head = Mark("head of A", "head", (200.0, 100.0), 5.0, 0, 0)
    assert found(geometry(marks=(head,))) == set()
    out = replace(head, center=(301.5, 100.0))
    assert found(geometry(marks=(out,))) == {("outside", "head of A at (302, 100) is not inside its plot "
                                                          "(100, 50, 300, 250)")}
    edge = Mark("exit mark of A", "exit", (300.0, 120.0), 5.0, 0, 0)
    assert found(geometry(marks=(edge,))) == set()
    small = replace(head, radius=3.5)
    assert found(geometry(marks=(small,))) == {("mark-size", "head of A is 7.0 px across, under 8")}
    dots = Dots("dots of A", np.array([[150.0, 60.0], [310.0, 60.0], [np.nan, np.nan]]), 2.0, 0)
    assert found(geometry(dots=(dots,))) == {("outside", "1 dots of A outside their plot")}


def test_a_path_ends_inside_its_plot():
    inside = Stroke("path of A", np.array([[150.0, 100.0], [300.0, 120.0]]), 2.8, 2.8, 0, 0)
    assert found(geometry(strokes=(inside,))) == set()
    past = replace(inside, points=np.array([[150.0, 100.0], [300.0, 120.0], [-4000.0, 80.0]]))
    assert found(geometry(strokes=(past,))) == {
        ("after-exit", "path of A is drawn on past its plot's edge, to (-4000, 80); plot (100, 50, 300, 250)")}


def test_widths_are_capped_and_widened_only_under_paths_that_run_along():
    line = np.array([[110.0, 100.0], [290.0, 100.0]])
    under = Stroke("path of A", line, 5.8, 2.8, 0, 0)
    along = Stroke("path of B", line + np.array([0.0, 1.0]), 2.8, 2.8, 0, 1)
    assert found(geometry(strokes=(under, along)), widths=True) == set()
    crossing = replace(along, points=np.array([[200.0, 60.0], [200.0, 240.0]]))
    assert found(geometry(strokes=(under, crossing)), widths=True) == {
        ("width", "path of A is 5.8 px wide where a lone path is 2.8 px, but no later path runs along it "
                  "(allowed 2.8 px)")}
    wide = replace(under, width=8.9)
    assert ("width", "path of A is 8.9 px wide, over 3 × 2.8 px") in found(geometry(strokes=(wide, along)))


def test_text_fits_overlaps_nothing_and_is_large_enough():
    title = TextBox("title", (100.0, 10.0, 300.0, 30.0), 13.0)
    label = TextBox("label", (290.0, 25.0, 340.0, 40.0), 10.0)
    assert found(geometry(texts=(title,))) == set()
    assert found(geometry(texts=(title, label))) == {
        ("text-overlap", "title (100, 10, 300, 30) overlaps label (290, 25, 340, 40)")}
    cut = TextBox("caption", (350.0, 290.0, 420.0, 299.0), 8.0)
    assert found(geometry(texts=(cut,))) == {("text-cut", "caption (350, 290, 420, 299) is cut off by the frame "
                                                          "(400×300)")}
    tiny = TextBox("legend", (10.0, 10.0, 50.0, 20.0), 7.5)
    assert found(geometry(texts=(tiny,))) == {("text-size", "legend is 7.5 px high, under 8")}
    whole = FrameGeometry(0, (400, 300), areas=(Area("plot", (0.0, 0.0, 400.0, 300.0)),), texts=(title,))
    head = Mark("head of A", "head", (120.0, 32.0), 5.0, 0, 0)
    assert found(replace(whole, marks=(head,))) == {("text-over-mark", "title (100, 10, 300, 30) covers the head of A")}
    assert found(replace(whole, marks=(replace(head, center=(120.0, 36.0)),))) == set()  # 6 px below: clear


def test_plots_and_panels_of_at_least_100_pixels():
    panel = Area("loss panel", (60.0, 380.0, 610.0, 441.0), "panel")
    frame = FrameGeometry(0, (640, 480), areas=(PLOT, panel))
    assert found(frame) == {("cramped", "the loss panel is 550×61 px, under 100 px a side")}


def test_heads_seen_in_most_frames():
    findings = Findings("s")
    check_heads_seen({(0, "head of A"): [True] * 3 + [False], (1, "head of B"): [True] * 2 + [False] * 2},
                     findings)
    assert [(f.check, f.message) for f in findings.result()] == [
        ("hidden-head", "the head of B is seen in 2 of its 4 frames, a ring behind the surface in the rest (at "
                        "least 75% wanted)")]


def test_moments_held_a_second_apart_and_a_camera_that_turns_slowly():
    findings = Findings("s")
    moments = [Moment(2, "A leaves at step 4", "exit", 0.0), Moment(2, "B leaves at step 5", "exit", 0.0),
               Moment(5, "step 10", "pause", 1.0)]
    delays = [10, 10, 10, 10, 10, 110, 10, 160]
    cameras = [((30.0, 45.0 + 2 * i),) for i in range(7)] + [((30.0, 62.0),)]
    check_timing(delays, moments, cameras, 1.5, findings)
    assert {(f.check, f.message, f.frames) for f in findings.result()} == {
        ("moment", "A and B leave in the same frame: which left first shows only in text", (2,)),
        ("moment", "the moment 'A leaves at step 4' is on screen 0.1 s, under 1 s (add 'exits' to the scene's "
                   "pauses)", (2,)),
        ("moment", "the moment 'B leaves at step 5' is on screen 0.1 s, under 1 s (add 'exits' to the scene's "
                   "pauses)", (2,)),
        ("too-quick", "the animation plays 1.8 s before its last frame, under 3 s", ()),
        ("pace", "the 3-D camera of panel 1 turns up to 5° a frame, over 3°", (7,)),
    }


def test_findings_name_their_frames_as_ranges():
    assert frame_ranges([43, 44, 45, 54, 70, 71]) == "frames 43-45, 54, 70-71"
    findings = Findings("fig")
    for frame in (3, 4, 5):
        findings.add("outside", "head of A", "head of A is outside", frame)
    (finding,) = findings.result()
    assert finding.line() == "fig: frames 3-5: head of A is outside [outside]"
    assert findings.result(waived=["outside"]) == []


def test_a_scene_that_waives_a_check_says_why():
    scene = Scene("w", "saddle", ["sgd:lr=0.05"], start=(1.5, -0.01), steps=60, window=(-2, 2, -2, 2),
                  frames=31, fps=10)
    assert {f.check for f in check_scene(scene)} == {"moment"}  # it leaves, and does not pause there
    waived = scene.with_options(waivers={"moment": "the exit is not this scene's story"})
    assert check_scene(waived) == []


# -- the geometry is where the pixels are ---------------------------------------------------------------

def colour_at(frame, center, radius, color):
    """How many pixels within ``radius`` of ``center`` have ``color`` (within 10 per channel)."""
    cx, cy = center
    yy, xx = np.mgrid[: frame.shape[0], : frame.shape[1]]
    inside = (yy - cy) ** 2 + (xx - cx) ** 2 <= radius**2
    close = np.abs(frame[..., :3].astype(int) - np.array(color)).max(axis=-1) <= 10
    return int(np.count_nonzero(inside & close)), int(np.count_nonzero(~inside & close & (
        (yy - cy) ** 2 + (xx - cx) ** 2 <= (radius + 6) ** 2)))


def test_contour_heads_are_drawn_where_the_geometry_says():
    scene = Scene("h", "himmelblau", [Racer("sgd:lr=0.01", "GD", color="#D55E00")], start=(-0.27, -0.92),
                  steps=20, size=(320, 240), dpi=50, show_start=False)
    view = make_view(scene)
    try:
        frame = view.frame(20)
        (head,) = [m for m in view.geometry(20).marks if m.kind == "head"]
        # the head is a disc of the racer's colour of that radius (its path is the same colour: look across it)
        inside, _ = colour_at(frame, head.center, head.radius - 1, (0xD5, 0x5E, 0x00))
        assert inside >= 0.8 * np.pi * (head.radius - 1) ** 2
    finally:
        view.close()


def test_3d_geometry_without_drawing_is_where_a_drawn_frame_shows_it():
    view = make_view(SCENES["fig7_saddle_race"])
    try:
        for index in (0, 60, 100):
            marks = [m for m in view.geometry(index).marks if m.kind in ("head", "ring", "exit")]
            view.frame(index)  # drawn: matplotlib lays out the 3-D axes itself
            drawn = view.markers()
            assert len(marks) == len(drawn)
            for mark, marker in zip(sorted(marks, key=lambda m: (m.racer, m.kind != "exit")),
                                    sorted(drawn, key=lambda m: (m.racer, not m.exited)), strict=True):
                assert mark.center == pytest.approx(marker.center, abs=0.5)
                assert mark.radius == pytest.approx(marker.radius, abs=0.01)
    finally:
        view.close()


# -- pauses and the camera ----------------------------------------------------------------------------------

def test_a_pause_holds_its_exact_step_in_the_file(tmp_path):
    scene = Scene("p", "sphere", ["sgd:lr=0.1"], start=(1.0, 1.0), steps=20, frames=6, fps=10, hold=0.5,
                  pauses=(7,), pause=2.0, size=(96, 72), dpi=20)
    assert scene.timeline().values == [0, 4, 7, 12, 16, 20]  # 8 was nearest to 7: it shows 7 instead
    result = scene.render(tmp_path / "p.gif")
    with Image.open(result.path) as image:
        durations = [frame.info["duration"] for frame in ImageSequence.Iterator(image)]
    assert durations == [100, 100, 2100, 100, 100, 600]


def test_exits_pause_where_each_racer_leaves():
    view = make_view(LEAVING)
    try:
        moments = view.moments()
    finally:
        view.close()
    assert [(m.what, m.kind, m.hold) for m in moments] == [("Momentum leaves at step 21", "exit", 1.0),
                                                          ("GD leaves at step 56", "exit", 1.0)]
    assert [m.frame for m in moments] == [21, 56]


@pytest.mark.parametrize(("value", "expected"), [
    ("exits,40", ("exits", 40)), (["exits", 3, 3], ("exits", 3)), ((0, 12), (0, 12)), ("", ()),
])
def test_pauses_are_steps_and_exits(value, expected):
    assert Scene("s", "sphere", ["adam"], pauses=value).timing.pauses == expected


@pytest.mark.parametrize("value", [(-1,), ("exit",), (1.5,), "4,x", 3])
def test_pauses_refuse_anything_else(value):
    from trajectories.errors import SceneError

    with pytest.raises(SceneError,
                       match=r"pauses must be a list of at most 1000 steps \(whole numbers from 0\) and .exits."):
        Scene("s", "sphere", ["adam"], pauses=value)


def test_the_camera_turns_only_within_its_rotation_steps():
    scene = SCENES["fig7_saddle_race"]
    view = make_view(scene)
    try:
        azimuths = [view.geometry(index).cameras[0][1] for index in (0, 69, 70, 95, 120, 121, 180)]
    finally:
        view.close()
    assert azimuths == [180.0, 180.0, 180.0, 230.0, 280.0, 280.0, 280.0]


def test_pauses_and_waivers_from_toml_and_the_command_line(tmp_path):
    from trajectories.pipeline.plan import plan_render
    from trajectories.scene.toml_file import load_toml_scene

    path = tmp_path / "race.toml"
    path.write_text('surface = "saddle"\nwaivers = { hidden-head = "it hides on purpose" }\n'
                    '[[optimizers]]\nname = "adam"\n[view]\npauses = ["exits", 40]\npause = 2.5\n'
                    'rotation_steps = [10, 20]\n')
    (scene,) = load_toml_scene(path).values()
    assert (scene.timing.pauses, scene.timing.pause) == (("exits", 40), 2.5)
    assert scene.waivers == (("hidden-head", "it hides on purpose"),)
    assert scene.camera.rotation_steps == (10, 20)
    planned = plan_render(("saddle",), overrides={"pauses": ("exits", 3), "pause": 0.5}, output=str(tmp_path / "s.gif"))
    assert (planned.scenes[0].timing.pauses, planned.scenes[0].timing.pause) == (("exits", 3), 0.5)


def test_check_exits_1_with_a_line_per_finding_and_0_when_clean(invoke):
    clean = invoke("check", "fig1_saddle_point_2d")
    assert clean.exit_code == 0 and clean.stdout == ""
    assert clean.stderr == "1 scene: every frame clean\n"
    found = invoke("check", "saddle", "--pauses", "0", "-q")
    assert found.exit_code == 1 and found.stderr == ""
    lines = found.stdout.splitlines()
    assert len(lines) == 5 and all(line.startswith("saddle: frame ") and line.endswith("[moment]") for line in lines)
