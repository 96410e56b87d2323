"""What a test needs beyond ``pip install ".[test]"`` (an extra's library, a system program), and what
happens when it is missing: the one place a test skips for that.

CI runs in two stages (``.ci/run``). Stage 1 is README's test command in a fresh virtual environment with
nothing but the ``test`` extra: a test whose library or program is missing *skips*, with a reason that
says what to install (``needs torch: pip install '.[torch]'``), and the stage records which tests skipped
(:data:`RECORD`). Stage 2 installs the extras and the programs and runs exactly those tests with
:data:`STAGE` set to ``required``: there a missing requirement *fails*, so nothing can hide behind a skip.
Every test that can skip this way carries the ``extras`` marker (``pytest -m "not extras"`` runs what a
bare machine can; ``tests/conftest.py`` adds the marker, and stage 2 refuses a recorded test without it).
"""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType

import pytest

STAGE = "TRAJECTORIES_TEST_EXTRAS"
"""``required`` (CI's second stage): a missing library or program fails the test instead of skipping it."""
RECORD = "TRAJECTORIES_RECORD_SKIPPED"
"""A file to which stage 1 appends the id of every test skipped for a missing requirement, one a line."""
RUN_ONLY = "TRAJECTORIES_RUN_SKIPPED"
"""Stage 2: the file stage 1 wrote; only the tests it names run, and each must carry the ``extras`` marker."""
PREFIX = "needs "
"""How every such skip's reason begins (the recorder knows them by it)."""


def missing(what: str, install: str) -> None:
    """Skip the calling test (or fail it, in stage 2): ``what`` is not here; ``install`` says how to get it."""
    reason = f"{PREFIX}{what}: {install}"
    if os.environ.get(STAGE) == "required":
        pytest.fail(f"{reason} (CI's second stage installs it: .ci/run)")
    pytest.skip(reason)


def require_module(name: str, install: str) -> ModuleType:
    """``import name``, or :func:`missing` with ``install``."""
    try:
        return importlib.import_module(name)
    except ImportError:
        missing(name, install)
        raise  # not reached: missing() skips or fails


def require_programs(*names: str, install: str) -> None:
    """Every program of ``names`` on ``PATH``, or :func:`missing` naming those that are not."""
    absent = [name for name in names if shutil.which(name) is None]
    if absent:
        missing(" and ".join(absent), install)
