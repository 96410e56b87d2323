"""Learning-rate schedules (``NAME:...@SCHEDULE``, torch's ``lr_scheduler``): see the how-to guide
``docs/howto/schedules.md``; ``tests/test_schedules.py`` checks each story in numbers."""

from trajectories.scene import Racer, Scene

# --- Fast, then settle -------------------------------------------------------------------------------------

schedule_decay = Scene(
    "schedule_decay", "himmelblau",
    [Racer("sgd:lr=0.02", "GD"), Racer("sgd:lr=0.002", "GD"), Racer("sgd:lr=0.02@step:step_size=40,gamma=0.2", "GD"),
     Racer("sgd:lr=0.02@cosine:T_max=120", "GD")],  # the legend adds each rate and schedule
    start=(-0.27, -0.92), steps=120, noise=15.0, batch_size=1, seed=0, loss_panel=True, lr_panel=True,
    trail="fade", tail=40, pauses=(40,),  # one frame a step (6 s); a pause where the step schedule first drops
    title="A decaying learning rate: fast first, then settled",
    description="GD with noisy gradients from Himmelblau's hilltop: lr 0.02 arrives fast and keeps jumping "
    "around the minimum, 0.002 is slow; decayed by steps or by a cosine, 0.02 arrives as fast and then settles",
)
