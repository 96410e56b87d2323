"""Inside the optimizer: what each racer holds, drawn at its head (``overlays``; see the how-to guide
``docs/howto/inside.md``). ``tests/test_state.py`` checks each story in numbers."""

from trajectories.scene import Racer, Scene

# --- Momentum builds up along a ravine ------------------------------------------------------------------

inside_momentum = Scene(
    "inside_momentum", "ravine",
    [Racer("sgd:lr=0.012", "GD"), Racer("sgd:lr=0.012,momentum=0.9", "Momentum")],
    start=(7.0, 2.0), steps=60, overlays=("gradient", "velocity", "step"), state_panel="velocity",
    title="Momentum: the velocity builds up along the valley",
    description="on the ravine ½(x² + 50y²) the gradient points mostly across the valley; momentum's velocity "
    "sums it, the swings across cancel and the part along the floor grows, so it runs where GD crawls",
)

# --- RMSProp evens out the step sizes across axes ----------------------------------------------------------

inside_rmsprop = Scene(
    "inside_rmsprop", "ravine",
    [Racer("sgd:lr=0.035", "GD"), Racer("rmsprop:lr=0.05", "RMSProp")],
    start=(6.0, 3.0), steps=40, fps=10, overlays=("gradient", "step", "adaptive"), state_panel="rate",
    title="RMSProp: a rate per axis makes the steps even",
    description="on the ravine GD's step follows the gradient, 50 times steeper across the valley than along "
    "it; RMSProp divides each axis by its root mean square gradient (the flat ellipse: a large rate along the "
    "valley, a small one across), and its first steps are as long along as across",
)

# --- Adam's bias correction in its first steps -------------------------------------------------------------

inside_adam_bias = Scene(
    "inside_adam_bias", "ravine",
    [Racer("adam:lr=0.3", "Adam"), Racer("adam:lr=0.3,bias_correction=false", "Adam, raw moments")],
    # the story is in the first updates: a second's pause on each of the first three frames
    start=(6.0, 3.0), steps=30, fps=10, pauses=(0, 1, 2), overlays=("velocity", "step", "adaptive"),
    state_panel="v_hat",
    title="Adam's bias correction: the first steps at the right size",
    description="both moments start at 0; divided by the raw √v, which is still far too small, the rate per "
    "axis (the ellipse) is many times too large in the first steps and raw Adam jumps across the ravine; "
    "corrected, the first step is lr long",
)
