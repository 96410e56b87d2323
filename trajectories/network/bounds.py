"""How large a network, a dataset and a training may be: checked when a spec or a file is read, before any
work, with one-line :class:`~trajectories.errors.NetworkError`\\ s.

The network scenes draw small networks on small datasets (TensorFlow Playground's scale): the bounds keep
a mistyped or hostile spec (``mlp:2-100000-1``, ``moons:n=10000000``, a 2 GB CSV) from ending in an
out-of-memory traceback or an hour of computing.
"""

from __future__ import annotations

from ..errors import NetworkError
from ..pipeline.limits import Need, check_memory

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

NUMBER_BYTES = 8
"""A float64."""
ARRAYS_PER_LAYER = 2
"""What a forward pass keeps for the backward one per layer and sample: pre-activations and activations."""
TEMPORARY_ARRAYS = 8
"""Arrays of one layer's size alive at once besides those: the exact product's slices of both operands
(:func:`trajectories.network.arithmetic.matmul`, 3 each) and two temporaries."""


def check_count(where: str, value: int, low: int, high: int, what: str) -> int:
    """``value`` if it is a whole number in ``[low, high]``, else a one-line :class:`NetworkError`."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise NetworkError(f"{where}: {what} must be a whole number from {low} to {high}, got {value!r}")
    return value


def training_needs(parameters: int, networks: int, steps: int, samples: int, widest: int, layers: int) -> list[Need]:
    """The memory a training needs: every path point of every network (float64 parameters), and one forward
    and backward pass of every network over ``samples`` with ``layers`` layers at most ``widest`` wide."""
    points = (steps + 1) * networks
    paths = Need("the network paths", points * parameters * NUMBER_BYTES,
                 f"{networks} networks × {steps + 1} points × {parameters} parameters",
                 "use fewer steps, racers or parameters")
    per_network = samples * widest * (ARRAYS_PER_LAYER * layers + TEMPORARY_ARRAYS) * NUMBER_BYTES
    activations = Need("the activations", networks * per_network,
                       f"{networks} networks × {samples} samples × {layers} layers of up to {widest} units",
                       "use fewer samples (a mini-batch), racers or units")
    return [paths, activations]


def check_training(parameters: int, networks: int, steps: int, samples: int, widest: int, layers: int) -> None:
    """:class:`NetworkError` when :func:`training_needs` passes the memory budget
    (:data:`trajectories.pipeline.limits.MEMORY_BUDGET`), before any work."""
    check_memory(training_needs(parameters, networks, steps, samples, widest, layers), NetworkError)
