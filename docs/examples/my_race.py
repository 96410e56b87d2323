from trajectories.scene import Racer, Scene

scene = Scene(
    "my_race",
    surface="sin(x)*cos(y) + 0.1*(x**2 + y**2)",
    window=(-4, 4, -4, 4),
    start=(2.5, 2.0),
    steps=150,
    optimizers=[Racer("sgd:lr=0.1", "GD"), Racer("adam:lr=0.1", "Adam")],
    loss_panel=True,
    description="GD and Adam on a bumpy bowl",
)
