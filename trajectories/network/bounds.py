"""How large a network, a dataset and a training may be: checked when a spec or a file is read, before any
work, with one-line :class:`~trajectories.errors.NetworkError`\\ s.

The network scenes draw small networks on small datasets (TensorFlow Playground's scale): the bounds keep
a mistyped or hostile spec (``mlp:2-100000-1``, ``moons:n=10000000``, a 2 GB CSV) from ending in an
out-of-memory traceback or an hour of computing.
"""

from __future__ import annotations

from ..errors import NetworkError
from ..limits import Need, check_memory

MAX_FEATURES = 64
"""Inputs of a network (and feature columns of a CSV)."""
MAX_WIDTH = 256
"""Units of one layer."""
MAX_HIDDEN_LAYERS = 8
"""Hidden layers of an MLP."""
MAX_PARAMETERS = 50_000
"""Parameters (weights and biases) of one network: ``2-128-128-128-1`` has 33,537."""
MAX_CLASSES = 16
"""Classes of a classification dataset."""
MAX_SAMPLES = 10_000
"""Samples of a dataset, generated or read (validation samples included)."""
MAX_CSV_BYTES = 16 * 2**20
"""Size of a CSV file, checked before it is read."""
MAX_CSV_COLUMNS = MAX_FEATURES + 1
"""Columns a CSV file may have (every feature and the target)."""

PARAMETER_BYTES = 8
"""A float64 parameter."""
POINT_BYTES_PER_PARAMETER = 5 * PARAMETER_BYTES
"""What training keeps per parameter and path point: the point (8) and, while it runs, the four shadows of
the reproducibility horizon (32)."""


def check_count(where: str, value: int, low: int, high: int, what: str) -> int:
    """``value`` if it is a whole number in ``[low, high]``, else a one-line :class:`NetworkError`."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise NetworkError(f"{where}: {what} must be a whole number from {low} to {high}, got {value!r}")
    return value


def training_needs(parameters: int, networks: int, steps: int, samples: int, widest: int) -> list[Need]:
    """The memory a training needs: every path point of every network (with its horizon's shadows), and
    the activations of one forward and backward pass over ``samples``."""
    points = (steps + 1) * networks
    paths = Need("the network paths", points * parameters * POINT_BYTES_PER_PARAMETER,
                 f"{networks} networks × {steps + 1} points × {parameters} parameters",
                 "use fewer steps, racers or parameters")
    activations = Need("the activations", 5 * networks * 6 * samples * widest * PARAMETER_BYTES,
                       f"{networks} networks × {samples} samples × {widest} units",
                       "use fewer samples (a mini-batch), racers or units")
    return [paths, activations]


def check_training(parameters: int, networks: int, steps: int, samples: int, widest: int) -> None:
    """:class:`NetworkError` when :func:`training_needs` passes the memory budget
    (:data:`trajectories.limits.MEMORY_BUDGET`)."""
    check_memory(training_needs(parameters, networks, steps, samples, widest), NetworkError)
