"""Before/after sheets of issue 25's fixes (docs/issue-25/*.png): each is the frame of a scene that shows
the same step, drawn by the code before the fixes (top) and after (bottom), at native size.

    PYTHONPATH=<a checkout of main> python docs/issue-25/sheets.py frames /tmp/before
    python docs/issue-25/sheets.py frames /tmp/after            # this branch, installed
    python docs/issue-25/sheets.py compose /tmp/before /tmp/after docs/issue-25

Run it outside the repository (python imports the folder it is run from). Not part of the suite.
"""

import sys
from pathlib import Path

SHEETS = [
    # (sheet, scene, step shown)
    ("1-heads-after-exit", "fig7_saddle_race_2d", 180),
    ("2-segments-after-exit", "lesson_learning_rate_sweep", 6),
    ("3-widths-ravine", "ravine", 150),
    ("3-widths-rosenbrock", "rosenbrock", 300),
    ("4-fig2-camera", "fig2_learning_rates", 135),
    ("4-fig1-camera", "fig1_critical_points", 90),
    ("5-fig7-exits", "fig7_saddle_race", 45),
    ("5-fig7-end", "fig7_saddle_race", 180),
    ("6-layout-ravine-panel", "lesson_adam_bias_correction", 80),
    ("6-layout-caption", "inside_rmsprop", 40),
    ("7-swarm", "rastrigin_swarm", 150),
    ("7-ordered-palette", "lesson_learning_rate_sweep", 80),
    ("9-basin-axes", "himmelblau_basins", 150),
    ("9-formula-title", "formula_3d", 60),
]


def formula_3d():
    from trajectories.scene import Scene

    return Scene("formula_3d", "sin(x)*cos(y) + 0.1*(x**2 + y**2)", ["adam:lr=0.1"], view="surface",
                 window=(-4, 4, -4, 4), start=(2.5, 2.0), steps=60, theme="article", azimuth=225)


def frames(folder: Path) -> None:
    """Each sheet's frame, drawn by the ``trajectories`` that Python imports, as ``<sheet>.png``."""
    from PIL import Image

    from trajectories.compute.paths import compute_paths
    from trajectories.render.registry import make_view
    from trajectories.scene import builtin_scenes

    scenes = builtin_scenes()
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, name, step in SHEETS:
        scene = formula_3d() if name == "formula_3d" else scenes[name]
        view = make_view(scene, compute_paths(scene))
        index = next(i for i, shown in enumerate(view.steps_shown) if shown >= step)
        Image.fromarray(view.frame(index)[..., :3]).save(folder / f"{sheet}.png")
        view.close()
        print(sheet, name, "frame", index, "of", len(view.steps_shown), flush=True)


def compose(before: Path, after: Path, out: Path) -> None:
    """Before over after, each under a label, as a 256-colour PNG per sheet."""
    from PIL import Image, ImageDraw

    for sheet, name, step in SHEETS:
        top, bottom = Image.open(before / f"{sheet}.png"), Image.open(after / f"{sheet}.png")
        width, label = max(top.width, bottom.width), 18
        canvas = Image.new("RGB", (width, top.height + bottom.height + 2 * label), "white")
        draw = ImageDraw.Draw(canvas)
        draw.text((6, 3), f"before: {name}, step {step}", fill="black")
        canvas.paste(top, (0, label))
        draw.text((6, top.height + label + 3), "after", fill="black")
        canvas.paste(bottom, (0, top.height + 2 * label))
        canvas.quantize(256).save(out / f"{sheet}.png", optimize=True)


if __name__ == "__main__":
    if sys.argv[1] == "frames":
        frames(Path(sys.argv[2]))
    else:
        compose(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
