r"""Small models: logistic regression and multilayer perceptrons, their flat parameter layout, their
seeded initial weights, and their spec text (``mlp:2-16-16-1:tanh``, ``logistic:2``).

**Spec.** ``mlp:W0-W1-...-WL[:ACTIVATION][:key=value,...]``: ``W0`` inputs, hidden layers of
``W1 ... W(L-1)`` units with ``ACTIVATION`` (default ``tanh``; see
:data:`~trajectories.network.activations.ACTIVATIONS`), ``WL`` outputs (logits: no activation).
``logistic:D[:key=value,...]`` is ``mlp:D-1`` with the ``bce`` loss. Keys: ``seed`` (of the initial
weights, default 0) and ``loss`` (``bce``, ``cross_entropy`` or ``mse``; by default the dataset's: see
:func:`trajectories.network.datasets.default_loss`).

**Layout.** A network's parameters are one flat float64 vector of :attr:`Model.parameter_count` numbers,
and a batch of ``R`` networks an ``(R, P)`` array. Layer by layer, from the input: the weight matrix
:math:`W_l` (``out × in``, row-major: row :math:`j` holds the weights into unit :math:`j`), then the bias
:math:`b_l` (``out``). This is torch's order: for ``nn.Sequential(nn.Linear(...), act, nn.Linear(...))``,
``torch.nn.utils.parameters_to_vector(model.parameters())`` is exactly this vector.

**Initial weights.** ``torch.nn.Linear``'s default initialisation: every weight and bias of layer
:math:`l` uniform in :math:`[-1/\sqrt{n_{in}}, 1/\sqrt{n_{in}}]` (Kaiming-uniform with :math:`a = \sqrt5`
reduces to this bound), drawn from numpy's ``default_rng(seed)`` in layout order. The numbers come from
numpy, not from torch's generator, so a torch model is given them by copying (the parity tests do). Every
racer of a race starts from the same vector.

>>> model = parse_model("mlp:2-3-1:relu")
>>> model.parameter_count, [(s.weights, s.bias) for s in model.layout()]
(13, [(slice(0, 6, None), slice(6, 9, None)), (slice(9, 12, None), slice(12, 13, None))])
>>> model.to_text(), parse_model("logistic:2").to_text()
('mlp:2-3-1:relu', 'logistic:2')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..errors import NetworkError
from .activations import ACTIVATIONS
from .bounds import MAX_FEATURES, MAX_HIDDEN_LAYERS, MAX_PARAMETERS, MAX_WIDTH, check_count
from .losses import LOSSES
from .spec_text import keywords, split_spec

Array = np.ndarray

KINDS = ("mlp", "logistic")
DEFAULT_ACTIVATION = "tanh"
MAX_SEED = 2**63 - 1


class LayerSlices(NamedTuple):
    """Where layer ``l``'s weights (``shape``: out × in) and bias lie in the flat vector."""

    weights: slice
    bias: slice
    shape: tuple[int, int]


@dataclass(frozen=True)
class Model:
    """A model: ``widths`` from inputs to outputs, the hidden layers' ``activation``, the ``loss`` (``None``:
    the dataset's), the ``seed`` of the initial weights, and its ``kind`` (``mlp`` or ``logistic``)."""

    widths: tuple[int, ...]
    activation: str = DEFAULT_ACTIVATION
    loss: str | None = None
    seed: int = 0
    kind: str = "mlp"

    def __post_init__(self) -> None:
        where = self.kind
        if self.kind not in KINDS:
            raise NetworkError(f"unknown model {self.kind!r} (models: {', '.join(KINDS)})")
        if len(self.widths) < 2:
            raise NetworkError(f"{where}: a model needs at least an input and an output width, got {self.widths}")
        if len(self.widths) - 2 > MAX_HIDDEN_LAYERS:
            raise NetworkError(f"{where}: at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(self.widths) - 2}")
        check_count(where, self.widths[0], 1, MAX_FEATURES, "the number of inputs")
        for width in self.widths[1:]:
            check_count(where, width, 1, MAX_WIDTH, "a layer's width")
        if self.kind == "logistic" and self.widths[1:] != (1,):
            raise NetworkError(f"logistic: a logistic regression has one output, got widths {self.widths}")
        if self.activation not in ACTIVATIONS:
            raise NetworkError(f"{where}: unknown activation {self.activation!r} "
                               f"(activations: {', '.join(ACTIVATIONS)})")
        if self.loss is not None and self.loss not in LOSSES:
            raise NetworkError(f"{where}: unknown loss {self.loss!r} (losses: {', '.join(LOSSES)})")
        check_count(where, self.seed, 0, MAX_SEED, "seed")
        if self.parameter_count > MAX_PARAMETERS:
            raise NetworkError(f"{self.to_text()}: {self.parameter_count} parameters, more than the "
                               f"{MAX_PARAMETERS} a network may have; use fewer or narrower layers")

    @property
    def inputs(self) -> int:
        return self.widths[0]

    @property
    def outputs(self) -> int:
        return self.widths[-1]

    @property
    def parameter_count(self) -> int:
        pairs = zip(self.widths[:-1], self.widths[1:], strict=True)
        return sum(fan_out * fan_in + fan_out for fan_in, fan_out in pairs)

    @property
    def widest(self) -> int:
        return max(self.widths)

    def layout(self) -> list[LayerSlices]:
        """Each layer's slices of the flat vector, from the input (see the module's docstring)."""
        layers, offset = [], 0
        for fan_in, fan_out in zip(self.widths[:-1], self.widths[1:], strict=True):
            weights = slice(offset, offset + fan_out * fan_in)
            bias = slice(weights.stop, weights.stop + fan_out)
            layers.append(LayerSlices(weights, bias, (fan_out, fan_in)))
            offset = bias.stop
        return layers

    def unpack(self, params: Array) -> list[tuple[Array, Array]]:
        """``(W, b)`` of every layer for parameters ``(..., P)``: ``W`` ``(..., out, in)``, ``b`` ``(..., out)``."""
        params = np.asarray(params, dtype=np.float64)
        if params.shape[-1:] != (self.parameter_count,):
            raise NetworkError(f"{self.to_text()} has {self.parameter_count} parameters, got shape {params.shape}")
        lead = params.shape[:-1]
        return [(params[..., s.weights].reshape(*lead, *s.shape), params[..., s.bias]) for s in self.layout()]

    def initial(self, seed: int | None = None) -> Array:
        r"""The initial parameters ``(P,)`` for ``seed`` (the model's own by default): torch's ``nn.Linear``
        default, :math:`\mathcal U(-1/\sqrt{n_{in}}, 1/\sqrt{n_{in}})` for every weight and bias of a layer
        with :math:`n_{in}` inputs, drawn from ``default_rng(seed)`` in layout order."""
        rng = np.random.default_rng(self.seed if seed is None else seed)
        values = np.empty(self.parameter_count)
        for layer in self.layout():
            bound = 1.0 / math.sqrt(layer.shape[1])
            span = slice(layer.weights.start, layer.bias.stop)
            values[span] = rng.uniform(-bound, bound, span.stop - span.start)
        return values

    def to_text(self) -> str:
        """Spec text that parses back to an equal model (defaults left out)."""
        keys = {"seed": self.seed} if self.seed else {}
        if self.kind == "logistic":
            if self.loss not in (None, "bce"):
                keys["loss"] = self.loss
            text = f"logistic:{self.inputs}"
        else:
            if self.loss is not None:
                keys["loss"] = self.loss
            text = f"mlp:{'-'.join(str(w) for w in self.widths)}:{self.activation}"
        return text + (":" + ",".join(f"{k}={v}" for k, v in keys.items()) if keys else "")


def parse_model(text: str) -> Model:
    """A :class:`Model` from spec text (see the module's docstring); :class:`NetworkError` with one line."""
    whole, kind, rest = split_spec(text, "a model spec", "mlp:2-16-16-1:tanh")
    if kind not in KINDS:
        raise NetworkError(f"unknown model {kind!r} in {whole!r} (models: {', '.join(KINDS)}, "
                           "e.g. 'mlp:2-16-16-1:tanh' or 'logistic:2')")
    parts = [part.strip() for part in rest.split(":")] if rest.strip() else []
    given = keywords(kind, parts[-1], whole) if parts and "=" in parts[-1] else {}
    if given:
        parts = parts[:-1]
    if not parts:
        raise NetworkError(f"{kind}: give the layer widths, e.g. '{kind}:2-16-1' (in {whole!r})"
                           if kind == "mlp" else "logistic: give the number of inputs, e.g. 'logistic:2'")
    widths = tuple(_width(kind, item, whole) for item in parts[0].split("-"))
    if kind == "logistic":
        if len(parts) > 1 or len(widths) != 1:
            raise NetworkError(f"logistic: expected 'logistic:INPUTS[:seed=N]', got {whole!r}")
        widths = (widths[0], 1)
        given.setdefault("loss", "bce")
    elif len(parts) > 2:
        raise NetworkError(f"mlp: expected 'mlp:WIDTHS[:ACTIVATION][:key=value,...]', got {whole!r}")
    activation = parts[1] if len(parts) > 1 else DEFAULT_ACTIVATION
    unknown = sorted(set(given) - {"seed", "loss"})
    if unknown:
        raise NetworkError(f"{kind}: unknown key {unknown[0]!r} in {whole!r} (keys: seed, loss)")
    seed = _whole(kind, "seed", given.get("seed", "0"))
    return Model(widths, activation, given.get("loss"), seed, kind)


def _width(kind: str, item: str, whole: str) -> int:
    item = item.strip()
    if not (item.isascii() and item.isdigit() and len(item) <= 9):
        raise NetworkError(f"{kind}: widths are whole numbers joined by '-', such as 2-16-16-1, got {item!r} "
                           f"in {whole!r}")
    return int(item)


def _whole(kind: str, key: str, text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise NetworkError(f"{kind}: {key} must be a whole number, got {text!r}") from None
