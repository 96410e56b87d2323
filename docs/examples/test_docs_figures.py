# tests/test_docs_figures.py
from trajectories.scene import Racer, Scene

race = Scene(
    "race", "rosenbrock", [Racer("sgd:lr=0.001,momentum=0.9", "Momentum"), Racer("adam:lr=0.1", "Adam")],
    start=(-1.5, 2.0), steps=300,
)


def test_race_animation(animation_snapshot, tmp_path):
    # small, a few frames and no text: fast, and the same on every machine (see below)
    small = race.with_options(size=(240, 180), dpi=40)
    result = small.render(tmp_path / "race.gif", sample=5, text=False)
    animation_snapshot(result)  # tolerance=3.0, name="race.gif" to choose the baseline's name
