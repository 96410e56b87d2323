"""The seven figures of Piotr Skalski's "How to train Neural Network faster with optimizers?" (2018).

Numbers are the original ones (``shared/ARTICLE.md``): surfaces, windows, starts, learning rates, step
counts, and TensorFlow 1's update conventions for figure 7, with two departures, each so that the figure
shows what the article says: figure 1's local-minimum panel shows [−2, 2]² (the global minimum is outside
the original [−1, 1]²), and figure 6 uses lr 0.0395 (see there). Racers' colours are told apart by
colour-blind viewers (``palette="article"`` restores the originals'). The 3-D figures show one frame a step
at 10 fps, as the originals do; their frame sizes are smaller than the originals' so that the README's copies
stay light (``--scale 1.875`` gives figures 1 and 2 at the original 1200×600, ``--scale 2.083`` figure 7 at
1000×1000), and their cameras turn for 50 steps rather than all 180 (``rotation_steps``).
"""

from trajectories.scene import Racer, Scene, SideBySide

# --- Figure 1: points that trouble optimizers (a local minimum, a saddle) ----------------------------

# The local-minimum panel shows peaks on [−2, 2]² (the original: [−1, 1]²) so that the global minimum, the
# deep pit at (0.23, −1.63) that GD never finds, is in the picture: "not the global optimum" is then visible.
# One racer per panel: its path must stand out from the rainbow surface rather than from other racers, and
# the original red does (CIEDE2000 ≥ 24 from the rainbow's low and middle values, deuteranopia included,
# where the sky blue of the default palette is as close as 2); hence palette="article" in figures 1 and 2.
# The camera turns 2° a frame, as in the original, but only from step 60 to 110 (100°; still before and
# after): a turning 3-D frame costs as much as twenty still ones in a GIF. At elevation 40 (the original: 30)
# and turning this way, the ball in the local minimum stays in sight (at 30 the surface hides it from
# azimuths 60° to 120°).
_fig1_panel = dict(
    steps=180, view="surface", start=(1.0, 0.0), elevation=40, azimuth=45, rotation=-2.0, rotation_steps=(60, 110),
    line_width=3, theme="article", palette="article",
)
fig1_critical_points = SideBySide(
    "fig1_critical_points",
    [
        Scene("fig1_local_minimum", "peaks", [Racer("sgd:lr=0.005", "Gradient descent")], title="Local minimum",
              window=(-2, 2, -2, 2), **_fig1_panel),
        Scene("fig1_saddle_point", "monkey_saddle", [Racer("sgd:lr=0.005", "Gradient descent")],
              title="Saddle point", window=(-1, 1, -1, 1), **_fig1_panel),
    ],
    size=(640, 320), dpi=45, fps=10, frames=181,
    description="figure 1: GD settles in a local minimum of peaks (the global one: the pit), crawls on a monkey saddle",
)
fig1_local_minimum_2d = Scene(
    "fig1_local_minimum_2d", "peaks", [Racer("sgd:lr=0.005", "Gradient descent")],
    start=(1.0, 0.0), steps=180, window=(-2, 2, -2, 2), fps=10, theme="dark",
    title="GD settles in a local minimum, not the global one",
    description="figure 1, 2-D: GD from (1, 0) settles in the local minimum of peaks, not the global one",
)
fig1_saddle_point_2d = Scene(
    "fig1_saddle_point_2d", "monkey_saddle", [Racer("sgd:lr=0.005", "Gradient descent")],
    start=(1.0, 0.0), steps=180, window=(-1, 1, -1, 1), fps=10, theme="dark",
    title="GD crawls towards a flat saddle",
    description="figure 1, 2-D: GD slows to a crawl towards the flat monkey saddle at the origin",
)

# --- Figure 2: a big and a small learning rate (only the last 10 steps drawn) ------------------------

# The small rate's ball sits at the bottom of the deep pit from step 10 on: from the original camera
# (elevation 30) the pit's near wall hides it from every azimuth, so the camera looks down at 65° and turns
# (2° a frame, from step 60 to 110) only through azimuths 210° to 310°, from which the pit's floor is in sight.
_fig2_panel = dict(
    steps=180, view="surface", window=(-4, 4, -4, 4), start=(-0.5, -1.0), elevation=65, azimuth=210,
    rotation=2.0, rotation_steps=(60, 110), trail="tail", tail=10, line_width=2, show_start=False, theme="article",
    palette="article",
)
fig2_learning_rates = SideBySide(
    "fig2_learning_rates",
    [
        # chaotic from step ~45: portable arithmetic draws the same path on every CPU (trajectories.compute.horizon)
        Scene("fig2_big", "peaks", [Racer("sgd:lr=0.15", "Gradient descent")], title="Big learning rate",
              arithmetic="portable", **_fig2_panel),
        Scene("fig2_small", "peaks", [Racer("sgd:lr=0.01", "Gradient descent")], title="Small learning rate",
              **_fig2_panel),
    ],
    size=(640, 320), dpi=45, fps=10, frames=181,
    description="figure 2: a big learning rate keeps bouncing around the valley, a small one finds the minimum at once",
)
fig2_learning_rates_2d = Scene(
    "fig2_learning_rates_2d", "peaks",
    [Racer("sgd:lr=0.15", "Big learning rate"), Racer("sgd:lr=0.01", "Small learning rate")],
    start=(-0.5, -1.0), steps=180, trail="tail", tail=10, fps=10, theme="dark", arithmetic="portable",
    title="Too big a learning rate never settles",
    description="figure 2, 2-D: the last 10 steps of GD with learning rates 0.15 and 0.01 on peaks",
)

# --- Figure 3: gradient descent vs mini-batch gradient descent ---------------------------------------

fig3_minibatch = Scene(
    "fig3_minibatch", "regression",
    [Racer("sgd:lr=0.3", "GD, batch 1800"), Racer("sgd:lr=0.3", "Mini-batch GD, batch 64", batch_size=64)],
    epochs=10, frames=121, fps=10, seed=0, loss_panel=True, loss_scale="linear", theme="dark",
    title="Per sample read, mini-batch GD gets further",
    description="figure 3: per sample read, mini-batch GD takes many noisy steps and gets further than GD",
)

# --- Figure 6: gradient descent vs momentum on a ravine ----------------------------------------------

# lr 0.0395 is just under GD's stability limit 2/κ = 0.04: GD zig-zags across the ravine for long, while the
# article's momentum (β = 0.9) damps the zig-zag from the first steps (at lr 0.038 it swung wider than GD
# until about step 60, the opposite of the article's story).
fig6_momentum = Scene(
    "fig6_momentum", "ravine",
    [Racer("sgd:lr=0.0395", "Gradient descent"), Racer("ema_momentum:lr=0.0395,beta=0.9", "Momentum")],
    start=(6.0, 3.0), steps=120, fps=20, loss_panel=True, theme="dark", size=(640, 560),
    title="Momentum damps GD's zig-zag across a ravine",
    description="figure 6: GD zig-zags across a ravine; momentum (v ← βv + (1−β)∇) damps it and runs down",
)

# --- Figure 7: five optimizers on the saddle x² − y², TensorFlow 1 conventions -----------------------

# colours: the theme's, told apart by colour-blind viewers too; palette="article" gives the original ones
_fig7_racers = [
    Racer("sgd:lr=0.02", "Gradient Descent"),
    Racer("sgd:lr=0.02,momentum=0.9", "Momentum"),
    Racer("sgd:lr=0.02,momentum=0.9,nesterov=true", "Nesterov"),
    Racer("rmsprop:lr=0.02,alpha=0.9,eps=1e-10,initial_accumulator_value=1,eps_inside_sqrt=true", "RMSProp"),
    Racer("adam:lr=0.02,eps_hat=true", "Adam"),
]
# one frame a step and a second's pause as each optimizer leaves, with the camera still: the order of the exits is
# the story; the camera turns 2° a frame from step 70 to 120, once the four fast ones are out
fig7_saddle_race = Scene(
    "fig7_saddle_race", "saddle", _fig7_racers, start=(1.0, -0.001), steps=180, window=(-1, 1, -1, 1),
    view="wireframe", zlim=(-1, 1), grid=50, elevation=45, azimuth=180, rotation=2.0, rotation_steps=(70, 120),
    line_width=3, show_start=False, theme="article", size=(480, 480), dpi=48, fps=10, pauses=("exits",), title="",
    description="figure 7: five optimizers leave the saddle x² − y² at different steps",
)
fig7_saddle_race_2d = Scene(
    "fig7_saddle_race_2d", "saddle", _fig7_racers, start=(1.0, -0.001), steps=180, window=(-1, 1, -1, 1),
    fps=10, theme="dark", loss_panel=True, pauses=("exits",),
    title="Five optimizers leave a saddle, each at its own step",
    description="figure 7, 2-D: the same race on contours, with the step at which each path leaves",
)

# --- Figure 4: splitting a dataset into mini-batches -------------------------------------------------

from trajectories.scene import BatchDiagram, SeriesScene  # noqa: E402

fig4_minibatches = BatchDiagram(
    "fig4_minibatches", samples=1800, batch_size=64, seed=0,
    description="figure 4: 1,800 samples shuffled, split into 28 batches of 64 (+ 1 of 8) and consumed in turn",
)

# --- Figure 5: exponentially weighted averages for four values of β ----------------------------------

fig5_ewa = SeriesScene(
    "fig5_ewa", betas=(0.80, 0.90, 0.95, 0.98), stagger=20, seed=0, size=(1200, 900), dpi=100,
    description="figure 5: EWAs (β = 0.8, 0.9, 0.95, 0.98) of a synthetic year of closes: larger β, smoother, later",
)
