"""Every figure shows what it claims: the article's claims as numbers, every racer visible in every frame, no
text over other text, and colours that colour-blind viewers tell apart."""

import itertools
import math
import re
from pathlib import Path

import numpy as np
import pytest

from trajectories.compute.paths import race_trajectories
from trajectories.render.contour import find_exit
from trajectories.scene import Scene, SideBySide, builtin_scenes
from trajectories.style.palette import ARTICLE, ciede2000, closest_pair, distance, to_lab
from trajectories.style.theme import THEMES

from .drawing import make_view

SCENES = builtin_scenes()
DRAWN = [name for name, scene in SCENES.items() if isinstance(scene, (Scene, SideBySide))]
HEADS = [name for name in DRAWN if SCENES[name].view in ("contour", "surface", "wireframe")]
"""The scenes whose racers are heads on paths (swarms are dots; basin maps have none)."""
ROOT = Path(__file__).resolve().parent.parent


# -- the article's claims, as numbers -------------------------------------------------------------------

def test_figure_1_ends_in_a_local_minimum_with_the_global_one_in_view():
    local = SCENES["fig1_critical_points"].panels[0]
    end = race_trajectories(local)[0]
    (pit,) = local.surface.global_minima
    x0, x1, y0, y1 = local.plot_window
    assert x0 < pit.x < x1 and y0 < pit.y < y1  # the global minimum is in the picture...
    assert end.losses[-1, 0] > pit.value + 3  # ...and GD ends far above it,
    assert np.linalg.norm(np.diff(end.positions[-10:, 0], axis=0), axis=1).max() < 1e-3  # settled


def test_figure_2_small_rate_finds_the_minimum_at_once_and_big_rate_never_settles():
    big, small = SCENES["fig2_learning_rates"].panels
    (pit,) = small.surface.global_minima
    small_gap = np.linalg.norm(race_trajectories(small)[0].positions[:, 0] - pit.point, axis=1)
    assert small_gap[25] < 0.01 and small_gap[25:].max() < 0.01  # within 0.01 by step 25, and stays
    big_path = race_trajectories(big)[0].positions[:, 0]
    assert np.linalg.norm(big_path - pit.point, axis=1)[25:].min() > 0.05  # never as close as the small rate
    # it keeps bouncing: every 10-step window after the first 20 steps spans more than the valley's width
    assert min(np.ptp(big_path[t : t + 10], axis=0).max() for t in range(20, 171)) > 1.0


def test_figure_6_momentum_ahead_on_loss_and_swing_from_the_first_steps():
    gd, momentum = race_trajectories(SCENES["fig6_momentum"])
    assert np.all(momentum.losses[1:, 0] < gd.losses[1:, 0])  # ahead on loss at every step from step 1
    swing = lambda path, t: np.abs(path[t : t + 10, 0, 1]).max()  # noqa: E731  the widest swing across y
    assert all(swing(momentum.positions, t) < swing(gd.positions, t) for t in range(5, 111))
    assert swing(momentum.positions, 20) < 0.6 * swing(gd.positions, 20)


def test_figure_7_exit_order():
    scene = SCENES["fig7_saddle_race_2d"]
    steps = {}
    for racer, trajectory in zip(scene.optimizers, race_trajectories(scene), strict=True):
        steps[racer.label] = find_exit(trajectory.positions[:, 0], scene.plot_window,
                                       int(trajectory.diverged_step[0])).step
    assert steps == {"Nesterov": 42, "Adam": 44, "Momentum": 46, "RMSProp": 69, "Gradient Descent": 177}
    assert sorted(steps, key=steps.get) == ["Nesterov", "Adam", "Momentum", "RMSProp", "Gradient Descent"]


def test_the_3d_figure_7_marks_the_same_exits():
    view = make_view(SCENES["fig7_saddle_race"])
    try:
        exits = {panel.optimizers[i].label: exit_[0] for panel, moving in zip(view.panels, view.moving, strict=True)
                 for i, _, _, _, _, exit_, _ in moving}
    finally:
        view.close()
    assert exits == {"Nesterov": 42, "Adam": 44, "Momentum": 46, "RMSProp": 69, "Gradient Descent": 177}


# -- every racer visible in every frame -----------------------------------------------------------------

def sampled_frames(view, frames: int) -> list[int]:
    count = len(view.steps_shown)
    if getattr(view, "parallel", False):  # 3-D: full redraws, a few frames
        return sorted({round(k * (count - 1) / (frames - 1)) for k in range(frames)})
    return sorted({*range(0, count, max(1, count // 40)), count - 1})


def colour_shows(frame: np.ndarray, marker, tolerance: int = 10, needed: int = 2) -> bool:
    """Whether at least ``needed`` pixels within the marker's radius have its colour."""
    cx, cy = marker.center
    r = marker.radius + 0.5
    rows = slice(max(0, math.floor(cy - r)), math.ceil(cy + r) + 1)
    cols = slice(max(0, math.floor(cx - r)), math.ceil(cx + r) + 1)
    patch = frame[rows, cols, :3].astype(int)
    yy, xx = np.mgrid[rows, cols]
    inside = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    colour = np.rint(np.array(marker.color[:3]) * 255).astype(int)
    close = np.abs(patch - colour).max(axis=-1) <= tolerance
    return int(np.count_nonzero(close & inside)) >= needed


@pytest.mark.parametrize("name", HEADS)
def test_every_racer_is_visible_in_every_frame(name):
    scene = SCENES[name]
    view = make_view(scene)
    try:
        for index in sampled_frames(view, 6):
            frame = view.frame(index)
            height, width = frame.shape[:2]
            for marker in view.markers():
                what = (f"{name} frame {index}: racer {marker.racer} ({'exit mark' if marker.exited else 'head'}"
                        f" at {marker.center[0]:.0f}, {marker.center[1]:.0f})")
                assert 0 <= marker.center[0] < width and 0 <= marker.center[1] < height, f"{what} is off the frame"
                assert colour_shows(frame, marker), f"{what} is not visible"
    finally:
        view.close()


def test_the_visibility_check_fails_for_a_hidden_head():
    view = make_view(SCENES["fig7_saddle_race_2d"])
    try:
        frame = view.frame(0)
        markers = view.markers()
        # at step 0 all five heads share the start and show as nested rings: each colour is there
        assert all(colour_shows(frame, m) for m in markers)
        assert len({m.center for m in markers}) == 1 and len({m.radius for m in markers}) == 5
        covered = frame.copy()
        first = markers[0]
        outer = np.array(markers[1].color[:3]) * 255
        cx, cy = first.center
        yy, xx = np.mgrid[: frame.shape[0], : frame.shape[1]]
        covered[(yy - cy) ** 2 + (xx - cx) ** 2 <= (first.radius + 1) ** 2, :3] = np.rint(outer).astype(np.uint8)
        assert not colour_shows(covered, first) and colour_shows(covered, markers[1])
    finally:
        view.close()


# -- no text over other text -----------------------------------------------------------------------------

def overlap(a, b) -> int:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return max(0, width) * max(0, height)


@pytest.mark.parametrize("name", DRAWN)
def test_labels_never_overlap(name):
    scene = SCENES[name]
    view = make_view(scene)
    try:
        count = len(view.steps_shown)
        for index in (0, count // 2, count - 1):
            view.frame(index)
            boxes = view.text_boxes(index)
            height, width = scene.look.size[1], scene.look.size[0]
            for what, (left, top, right, bottom) in boxes:
                assert left >= 0 and top >= 0 and right <= width and bottom <= height, f"{name}: {what} is cut off"
            for (what_a, a), (what_b, b) in itertools.combinations(boxes, 2):
                assert overlap(a, b) == 0, f"{name} frame {index}: {what_a} {a} overlaps {what_b} {b}"
    finally:
        view.close()


def test_figure_7_2d_shows_every_exit_label_at_the_end():
    scene = SCENES["fig7_saddle_race_2d"]
    view = make_view(scene)
    try:
        boxes = [what for what, _ in view.text_boxes(len(view.steps_shown) - 1)]
    finally:
        view.close()
    assert sorted(b for b in boxes if b.startswith("exit label")) == sorted(
        f"exit label of {r.label}" for r in scene.optimizers)


# -- colours ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("lab1", "lab2", "expected"), [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 3.1571, -77.2803), (50.0, 0.0, -82.7485), 2.8615),
    ((50.0, 2.5, 0.0), (50.0, 0.0, -2.5), 4.3065),
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((50.0, 2.5, 0.0), (50.0, 3.1736, 0.5854), 1.0),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((22.7233, 20.0904, -46.694), (23.0331, 14.973, -42.5619), 2.0373),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
])  # fmt: skip
def test_ciede2000_matches_sharma_wu_dalal(lab1, lab2, expected):
    """Pairs and differences from Sharma, Wu and Dalal (2005), table 1."""
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_lab_of_primaries():
    assert to_lab("#FFFFFF") == pytest.approx((100.0, 0.0, 0.0), abs=0.01)
    assert to_lab("#FF0000") == pytest.approx((53.24, 80.09, 67.20), abs=0.02)  # sRGB red, D65
    assert to_lab("#000000") == pytest.approx((0.0, 0.0, 0.0), abs=1e-9)


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("deficiency", [None, "deuteranopia", "protanopia"])
def test_default_racer_colours_are_told_apart(theme, deficiency):
    colors = THEMES[theme].path_colors[:5]
    smallest, a, b = closest_pair(colors, deficiency)
    assert smallest >= (20 if deficiency is None else 10), f"{a} and {b}: ΔE00 {smallest:.1f}"
    background = THEMES[theme].background
    assert min(distance(c, background, deficiency) for c in colors) >= 25


@pytest.mark.parametrize("dark", [False, True])
def test_the_ordered_palette_is_perceptually_even_and_rises_in_lightness(dark):
    from trajectories.style.palette import ORDERED_ANCHORS, ORDERED_STOPS, ordered, ordered_stops

    key = "dark" if dark else "light"
    assert ORDERED_STOPS[key] == ordered_stops(ORDERED_ANCHORS[key], 33)  # the table is what the rule gives
    for count in (3, 5, 8):
        colors = ordered(count, dark)
        steps = [distance(a, b) for a, b in itertools.pairwise(colors)]
        assert max(steps) <= 1.15 * min(steps), steps  # even: each colour as far from the next
        assert all(to_lab(a)[0] < to_lab(b)[0] for a, b in itertools.pairwise(colors))  # dark to light
    colors = ordered(8, dark)
    assert closest_pair(colors)[0] >= 13.5
    assert min(closest_pair(colors, d)[0] for d in ("deuteranopia", "protanopia")) >= 5
    background = THEMES["dark" if dark else "light"].background
    assert min(distance(c, background) for c in colors) >= 25


def test_the_sweep_is_easier_to_tell_apart_than_viridis_was():
    """lesson_learning_rate_sweep's eight rates, in the ordered palette against the viridis shades they had."""
    viridis = ("#440154", "#472c7a", "#3c508b", "#2d708e", "#228d8d", "#24aa83", "#52c569", "#9bd93c")
    colors = SCENES["lesson_learning_rate_sweep"].racer_colors(THEMES["light"])
    assert closest_pair(colors)[0] > closest_pair(viridis)[0] + 3  # 13.9 against 10.4
    assert closest_pair(colors, "deuteranopia")[0] > closest_pair(viridis, "deuteranopia")[0] + 2  # 9.6, 6.8
    assert closest_pair(colors, "protanopia")[0] >= closest_pair(viridis, "protanopia")[0] - 0.05  # 8.6 both

    def unevenness(shades):
        steps = [distance(a, b) for a, b in itertools.pairwise(shades)]
        return max(steps) / min(steps)

    assert unevenness(colors) < 1.15 < 1.6 < unevenness(viridis)


def test_the_article_palette_is_the_original_and_fails_the_check():
    """The check can fail: the original figure 7's colours are nearly one under deuteranopia."""
    assert ARTICLE == ("#F2112D", "#F06E1E", "#EED82A", "#A5EC37", "#54EA43")
    assert closest_pair(ARTICLE, "deuteranopia")[0] < 3
    assert closest_pair(ARTICLE, "protanopia")[0] < 3


# -- README's copies ---------------------------------------------------------------------------------------

def test_readme_copies_exist_and_fit_the_stated_budget():
    readme = (ROOT / "README.md").read_text()
    shown = sorted(set(re.findall(r"\((output/[^)\s]+)\)", readme)))
    assert len(shown) >= 7, "README embeds the article's seven figures"
    sizes = {path: (ROOT / path).stat().st_size for path in shown}
    (budget,) = re.findall(r"file-size budget[^0-9]*([0-9.]+) MB", readme)
    assert sum(sizes.values()) <= float(budget) * 1e6, sizes
    ignored = (ROOT / ".gitignore").read_text()
    assert all(f"!{path}" in ignored for path in shown), "every copy README shows is kept by git"
    kept = set(re.findall(r"^!(output/\S+)$", ignored, flags=re.M)) - {"output/.gitkeep"}
    assert kept <= set(shown), f"git keeps copies README no longer shows: {sorted(kept - set(shown))}"
