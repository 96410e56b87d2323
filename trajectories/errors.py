"""Every error the library raises on purpose: one base class, one subclass per stage or concern.

Each message is one line that says what is wrong and, where it helps, what to do. The command line turns
any :class:`TrajectoriesError` into that line on stderr and exit status 2, in one place
(:class:`trajectories.cli.main.OneLineErrors`); library callers catch the class they care about. Every class is a
:class:`ValueError` (what Python raises for a bad value); no module raises a bare ``ValueError`` or
``TypeError``, and no module but this one defines an error class (``tests/test_architecture.py``).

>>> issubclass(SceneError, TrajectoriesError) and issubclass(SceneError, ValueError)
True
>>> issubclass(PortableArithmeticError, TypeError) and issubclass(ForbiddenImport, ModuleNotFoundError)
True
"""


class TrajectoriesError(ValueError):
    """Something asked of the library that it cannot do; the message is one line."""


class SpecError(TrajectoriesError):
    """An optimizer spec (``NAME:key=value,...``) that does not parse or names what does not exist."""


class StepTooLong(SpecError):
    """One step of a library's optimizer took longer than its bound (:mod:`trajectories.adapters.step_budget`)."""


class FormulaError(TrajectoriesError):
    """A formula that is not allowed or not valid; the message points at the problem."""


class SeriesError(TrajectoriesError):
    """A series (a CSV column) that cannot be read."""


class SceneError(TrajectoriesError):
    """A scene that cannot be built or found."""


class StartSetError(TrajectoriesError):
    """A start set (``grid:NXxNY``, ``random:N``, ``disk:...``) that is malformed, empty, too large, or does
    not fit the window."""


class PlanError(TrajectoriesError):
    """A render request that does not fit together (targets, formats, options)."""


class OptionError(PlanError):
    """One command-line option's value that does not fit the rest (a start outside the window, too many
    optimizers); ``option`` names it (``'--start'``), and the command line says ``Invalid value for
    '--start': ...``, as for a value click itself refuses."""

    def __init__(self, message: str, option: str) -> None:
        super().__init__(message)
        self.option = option


class RenderError(TrajectoriesError):
    """A render that cannot be done as asked."""


class OutputError(TrajectoriesError):
    """An output file that cannot be written where asked (a folder, a missing or read-only folder)."""


class CompareError(TrajectoriesError):
    """Animations that cannot be compared (unreadable, or of different sizes or lengths)."""


class TrustError(TrajectoriesError):
    """Data (or the command line) naming what only code may name, or a side effect refused while data is
    loaded and rendered (:mod:`trajectories.trust.names`, :mod:`trajectories.trust.guard`)."""


class InputError(TrajectoriesError):
    """An input file that cannot be read as asked: missing, not a regular file, unreadable or too large."""


class NetworkError(TrajectoriesError):
    """A network, dataset or projection spec (``mlp:2-16-1:tanh``, ``moons:n=400``, ``pca``) that does not
    parse, is out of bounds or does not fit the rest, or a data file that cannot be read as asked."""


class RunError(TrajectoriesError):
    """A run that cannot be computed as asked: start points, steps, gradient noise or a dataset out of
    bounds (:mod:`trajectories.run`, :mod:`trajectories.surfaces.gradients`, :mod:`trajectories.compute.basins`)."""


class TuneError(TrajectoriesError):
    """A tuning request that cannot be carried out as asked (a bad range, metric or budget)."""


class PluginError(TrajectoriesError):
    """A plugin that cannot be used: two claim one name, or its entry point does not load."""


class RegistryError(TrajectoriesError):
    """A registration that a registry cannot hold (a view or format name taken, or malformed), or a name
    asked of a registry that it does not hold."""


class DirectiveError(TrajectoriesError):
    """A ``trajectories`` Sphinx directive that cannot be rendered as written (reported as a warning at its
    line, :mod:`trajectories.integrations.sphinx`)."""


class PortableArithmeticError(TrajectoriesError, TypeError):
    """An operation that portable arithmetic cannot compute the same on every machine (a
    :class:`TypeError` too, as numpy's protocols expect of an operation a type does not support)."""


class NotPortable(PortableArithmeticError):
    """A surface computed by torch or JAX asked for in portable arithmetic: it has no portable form (and
    is not known to be exact in numpy: :func:`trajectories.core.portable.exact_in_numpy` says no)."""


class ForbiddenImport(TrustError, ModuleNotFoundError):
    """An import the guard refused (``trajectories.trust.guard``): a :class:`TrustError` that is also a
    :class:`ModuleNotFoundError`, as libraries probing for an optional module expect."""
