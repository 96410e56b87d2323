"""One step of a third-party optimizer is bounded (trajectories/adapters/step_budget.py): a step that never
returns is stopped by the alarm, a slow one is refused, and the previous SIGALRM handler survives; through
the command line, a keyword that asks for unbounded work is one line and exit status 2."""

import signal
import time

import pytest
from click.testing import CliRunner

from trajectories.adapters import step_budget
from trajectories.adapters.step_budget import StepTooLong, bounded_steps
from trajectories.cli.main import cli

from .adapter_support import require
from .test_bad_input import assert_refused


def test_a_step_that_never_returns_is_stopped_and_the_previous_handler_restored(monkeypatch):
    monkeypatch.setattr(step_budget, "FIRST_STEP_SECONDS", 0.2)
    def mine(signum, frame):
        return None

    signal.signal(signal.SIGALRM, mine)
    try:
        with pytest.raises(StepTooLong, match=r"^x: one step took more than 0.2 s"):
            bounded_steps("x", lambda: [None for _ in iter(int, 1)])  # an endless loop in Python
        assert signal.getsignal(signal.SIGALRM) is mine  # the caller's handler is back
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # and no alarm is left to fire later
    finally:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)


def test_a_slow_later_step_is_refused_and_a_quick_one_measured(monkeypatch):
    monkeypatch.setattr(step_budget, "STEP_SECONDS", 0.01)
    with pytest.raises(StepTooLong, match=r"^slow: one step from two starts took \d+ ms, more than the 10 ms"):
        bounded_steps("slow", lambda: time.sleep(0.05))  # 50 ms > 10 ms whatever the machine's load
    assert bounded_steps("quick", lambda: 7) == 7
    assert step_budget.measured_step_seconds("quick") < 0.01 and step_budget.measured_step_seconds("slow") is None


def test_a_keyword_asking_for_unbounded_work_is_one_line(monkeypatch, tmp_path):
    """``pytorch_optimizer.Aida``'s ``k`` sets a Python loop's length in every step (k=1e8 hung render,
    list, describe and check)."""
    require("pytorch_optimizer")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(step_budget, "FIRST_STEP_SECONDS", 0.3)
    result = CliRunner().invoke(cli, ["run", "--surface", "sphere", "--optimizer",
                                      "torch:pytorch_optimizer.Aida:k=100000000", "-o", "r.json"])
    assert_refused(result, "torch:pytorch_optimizer.Aida: one step took more than 0.3 s")
    assert list(tmp_path.iterdir()) == []


def test_a_step_measured_as_work_counts_per_start_in_the_estimate(monkeypatch):
    """A step from two starts measured at 20 ms (past the 10 ms of any fixed cost) is 10 ms a start and update
    in run's estimate; below it the rules hold, the same on every machine."""
    from trajectories.core.spec import parse_optimizer
    from trajectories.pipeline import limits

    require("torch")
    adam = parse_optimizer("torch:torch.optim.Adam")
    rule = limits.run_seconds([adam], 100, 10)
    monkeypatch.setitem(step_budget._MEASURED, adam.name, 0.005)
    assert limits.run_seconds([adam], 100, 10) == rule
    monkeypatch.setitem(step_budget._MEASURED, adam.name, 0.02)
    assert limits.run_seconds([adam], 100, 10) == pytest.approx(10 * (100 * 0.01 + limits.ADAPTER_SECONDS_PER_STEP))


def test_an_optax_state_too_large_for_memory_is_one_line():
    """jax's out-of-memory (a ``JaxRuntimeError``, a RuntimeError) or a ``MemoryError`` in an optax init or
    update is a one-line SpecError naming the optimizer (``scale_by_lbfgs(memory_size=2000000)`` over 900
    starts ended in a traceback)."""
    import numpy as np

    require("optax")
    import optax

    from trajectories.adapters.optax_optim import optax_transformation
    from trajectories.errors import SpecError

    def hungry():
        def init(params):
            raise MemoryError("RESOURCE_EXHAUSTED: Out of memory allocating 14400000000 bytes.")

        return optax.GradientTransformation(init, lambda updates, state, params=None: (updates, state))

    transformation = optax_transformation(hungry, {})
    with pytest.raises(SpecError, match=r"hungry: MemoryError: RESOURCE_EXHAUSTED: Out of memory .* ask for less"):
        transformation.init(np.zeros((900, 2)))
