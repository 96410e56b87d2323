"""The gallery: the classic test surfaces, each a race between the five optimizers most courses teach.

Learning rates are chosen per surface so that each race tells its story (in ``description``); the same
start and step count for all five.
"""

from trajectories.scene import Racer, Scene


def five(gd: float, momentum: float, nesterov: float, rmsprop: float, adam: float) -> list[Racer]:
    """GD, heavy-ball momentum 0.9, Nesterov 0.9, RMSProp and Adam at the given learning rates."""
    return [
        Racer(f"sgd:lr={gd}", "GD"),
        Racer(f"sgd:lr={momentum},momentum=0.9", "Momentum"),
        Racer(f"sgd:lr={nesterov},momentum=0.9,nesterov=true", "Nesterov"),
        Racer(f"rmsprop:lr={rmsprop}", "RMSProp"),
        Racer(f"adam:lr={adam}", "Adam"),
    ]


rosenbrock = Scene(
    "rosenbrock", "rosenbrock", five(0.001, 0.001, 0.001, 0.01, 0.1), start=(-1.5, 2.0), steps=300,
    loss_panel=True,
    title="Rosenbrock: GD stalls on the wall, momentum races along the valley",
    description="Rosenbrock's curved valley: GD stalls on the wall, momentum races along the floor",
)
beale = Scene(
    "beale", "beale", five(0.002, 0.001, 0.001, 0.01, 0.05), start=(2.0, 1.7), steps=300, loss_panel=True,
    title="Beale: momentum keeps its speed across the flat valley",
    description="Beale's flat valley: momentum keeps its speed where GD and the adaptive methods creep",
)
himmelblau = Scene(
    "himmelblau", "himmelblau", five(0.01, 0.005, 0.005, 0.05, 0.1), start=(-0.27, -0.92), steps=200,
    title="Himmelblau: from the hilltop, two groups take two minima",
    description="Himmelblau from its hilltop: GD and momentum take one minimum, RMSProp and Adam another",
)
rastrigin = Scene(
    "rastrigin", "rastrigin", five(0.002, 0.004, 0.004, 0.05, 0.5), start=(-2.0, 3.5), steps=200,
    title="Rastrigin: GD stops in the first trap, momentum and Adam hop on",
    description="Rastrigin's grid of traps: GD stops in the first, momentum and Adam hop further towards 0",
)
saddle = Scene(
    "saddle", "saddle", five(0.05, 0.05, 0.05, 0.05, 0.05), start=(1.5, -0.01), steps=100, window=(-2, 2, -2, 2),
    loss_panel=True, pauses=("exits",),
    title="A saddle: the tiny offset must grow before anyone escapes",
    description="the saddle x² − y²: RMSProp's first steps are ten times lr, momentum builds up, GD escapes last",
)
plateau = Scene(
    "plateau", "plateau", five(0.5, 0.5, 0.5, 0.05, 0.1), start=(-3.0, 2.5), steps=200, loss_panel=True,
    title="A plateau: GD crawls; RMSProp's tiny ε makes it kick out at the end",
    description="a plateau with vanishing gradients: GD crawls, momentum builds speed, RMSProp and Adam stride; "
    "RMSProp's loss jumps near step 160: as g → 0 its step g/(√v + ε) stays near lr with ε = 1e-8",
)
ravine = Scene(
    "ravine", "ravine", five(0.038, 0.01, 0.01, 0.1, 0.3), start=(6.0, 3.0), steps=150, loss_panel=True,
    title="A ravine: momentum damps GD's zig-zag; Adam, RMSProp rescale",
    description="an axis-aligned ravine: GD zig-zags, momentum damps it, RMSProp and Adam rescale each axis",
)
