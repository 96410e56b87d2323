"""The lessons: what the article discusses but never draws, one short race each.

Each scene sets two or more variants of one idea side by side, from one start, so that the only
difference between the paths is the idea: Adam's bias correction, RMSProp's accumulator start and its ε,
AdaGrad's ever-growing sum against RMSProp's moving average, gradient clipping on a cliff, the batch size,
and the learning rate itself. ``tests/test_lessons.py`` checks each story in numbers.
"""

from trajectories.core.spec import OptimizerSpec
from trajectories.scene import Racer, Scene

# --- Adam with and without bias correction -----------------------------------------------------------

lesson_adam_bias_correction = Scene(
    "lesson_adam_bias_correction", "ravine",
    [Racer("adam:lr=0.3", "Adam"), Racer("adam:lr=0.3,bias_correction=false", "Adam, no bias correction")],
    start=(6.0, 3.0), steps=80, loss_panel=True,
    title="Without bias correction, Adam's first steps are far too long",
    description="Adam with and without bias correction: m and v both start at 0, but √v lags longer than m, so the "
    "raw m/√v makes the first step √10 ≈ 3.2 times too long, later ones up to 4.6: Adam swings across the ravine",
)

# --- RMSProp's accumulator: starting at 1 (TensorFlow 1) or at 0 (torch) -----------------------------

_FIG7_RMSPROP = "rmsprop:lr=0.02,alpha=0.9,eps=1e-10,eps_inside_sqrt=true"
lesson_rmsprop_accumulator = Scene(
    "lesson_rmsprop_accumulator", "saddle",
    [Racer(f"{_FIG7_RMSPROP},initial_accumulator_value=1", "RMSProp, s₀ = 1 (TensorFlow 1)"),
     Racer(_FIG7_RMSPROP, "RMSProp, s₀ = 0 (torch)")],
    start=(1.0, -0.001), steps=180, frames=91, window=(-1, 1, -1, 1), fps=10, loss_panel=True, pauses=("exits",),
    title="RMSProp leaves the saddle at step 29 from s₀ = 0, at 69 from 1",
    description="figure 7's RMSProp with its accumulator starting at 1 (TensorFlow 1) and at 0 (torch): from 0, "
    "the first steps are lr/√(1−α) ≈ 3 lr in every direction and RMSProp leaves first, at step 29 (from 1: 69)",
)

# --- AdaGrad's ever-growing sum against RMSProp's moving average -------------------------------------

# about the same first step, lr·sign(g): AdaGrad at lr 1, RMSProp at lr 0.3 ≈ 1·√(1 − α) with α = 0.9 (a memory
# of about ten steps; torch's α = 0.99 would act like AdaGrad for the first hundred steps)
lesson_adagrad_vs_rmsprop = Scene(
    "lesson_adagrad_vs_rmsprop", "beale",
    [Racer("adagrad:lr=1", "AdaGrad"), Racer("rmsprop:lr=0.3,alpha=0.9", "RMSProp")],
    start=(-4.0, -1.5), steps=90, loss_panel=True,
    title="AdaGrad never forgets the steep start; RMSProp does",
    description="AdaGrad divides by the root of every squared gradient so far and stalls in Beale's flat valley "
    "after the steep start; RMSProp's moving average forgets the start and keeps its steps",
)

# --- RMSProp's ε on a plateau --------------------------------------------------------------------------

lesson_rmsprop_epsilon = Scene(
    "lesson_rmsprop_epsilon", "plateau",
    [Racer("rmsprop:lr=0.05", "RMSProp, ε = 1e-8"), Racer("rmsprop:lr=0.05,eps=0.001", "RMSProp, ε = 1e-3")],
    start=(-3.0, 2.5), steps=200, frames=101, loss_panel=True,
    title="RMSProp's ε = 1e-8 strides, then kicks itself out near step 160",
    description="RMSProp on a plateau: with ε = 1e-8 the step g/(√v + ε) stays near lr however small g gets, so "
    "it strides across and, at the minimum, kicks itself out near step 160; ε = 1e-3 is slower where g is tiny, "
    "and stays",
)

# --- Gradient clipping on a cliff ------------------------------------------------------------------------

lesson_clipping_cliff = Scene(
    "lesson_clipping_cliff", "cliff",
    [Racer("sgd:lr=1", "GD"), Racer("sgd:lr=1,clip_norm=1", "GD, norm clipped to 1"),
     Racer("sgd:lr=1,clip_value=1", "GD, values clipped to 1")],
    start=(5.0, 3.0), steps=30, fps=10, loss_panel=True, pauses=("exits",),
    title="A step on the cliff face catapults GD; clipped, it walks on",
    description="GD walks off a cliff whose slope is 40 times the bowl's: one step throws it far out of the picture; "
    "clipped to norm (or values) 1, the same step is at most lr long and GD walks on to the minimum",
)

# --- Batch sizes on figure 3's problem -------------------------------------------------------------------

lesson_batch_sizes = Scene(
    "lesson_batch_sizes", "regression",
    [Racer("sgd:lr=0.1", "batch 1", batch_size=1), Racer("sgd:lr=0.1", "batch 64", batch_size=64),
     Racer("sgd:lr=0.1", "batch 512", batch_size=512), Racer("sgd:lr=0.1", "full batch (1800)")],
    epochs=10, frames=101, fps=10, seed=0, loss_panel=True, loss_scale="linear", trail="fade", tail=300,
    title="Smaller batches take more steps per epoch, each one noisier",
    description="figure 3's line fit read 10 times by batches of 1, 64, 512 and 1800: 18,000 noisy steps, 290, "
    "40, or 10 exact ones; the smaller the batch, the noisier each step",
)

# --- A learning-rate sweep ---------------------------------------------------------------------------------

# the ordered palette: dark to light as the rate grows, each colour as far from the next (CIEDE2000 about 15)
_RATES = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)  # the 1-2-5 series: log-spaced, round numbers
lesson_learning_rate_sweep = Scene(
    "lesson_learning_rate_sweep", "himmelblau",
    [Racer(OptimizerSpec("sgd", {"lr": lr}, label=f"lr {lr:g}")) for lr in _RATES],  # the label is the legend
    start=(-0.27, -0.92), steps=80, loss_panel=True, pauses=("exits",), palette="ordered",
    title="Eight learning rates, one start: too small, right, too big",
    description="GD from Himmelblau's hilltop at rates 0.0005 to 0.1: the two smallest barely move, 0.002 is on "
    "its way, 0.005 and 0.01 arrive, 0.02 bounces across the minimum for ever, 0.05 and 0.1 are thrown out",
)
