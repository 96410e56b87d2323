"""Fixtures shared by the test modules."""

import builtins
import inspect
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from trajectories.cli.main import cli

from . import requirements

pytest_plugins = ["pytester"]

# CI runs property tests derandomized: the same examples every run, so a red CI is never a dice roll
# (HYPOTHESIS_PROFILE=default explores new examples locally).
settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))


@pytest.fixture
def invoke():
    """Run the command line in-process: ``invoke("run", "--surface", ...)`` -> click's Result."""
    runner = CliRunner()

    def call(*args):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return call


@pytest.fixture
def no_ffmpeg(monkeypatch):
    """Make ``import imageio_ffmpeg`` fail, as on a machine without the optional ``mp4`` extra."""
    real_import = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name == "imageio_ffmpeg":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session (tests/browser.py); skipped, with the reason, where
    Chromium or websocket-client is missing (in CI's second stage, which installs both, that fails)."""
    from .browser import Chromium, missing, unavailable

    reason = missing()
    if reason is not None:
        unavailable(reason)
    browser = Chromium()
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def small_renders(tmp_path_factory):
    """``small_renders(name)`` -> (RenderResult, KeepingGifWriter): a built-in scene rendered as the snapshot
    tests render it, once per session (per pytest-xdist worker): tests/test_snapshots.py and
    tests/test_decoders.py share it."""
    from trajectories.scene import builtin_scenes

    from .snapshot_helpers import render_small_keeping

    scenes, folder, done = builtin_scenes(), tmp_path_factory.mktemp("small"), {}

    def get(name):
        if name not in done:
            done[name] = render_small_keeping(scenes[name], folder / f"{name}.gif")
        return done[name]

    return get


# --- CI in two stages (tests/requirements.py): the `extras` marker, stage 1's record of what skipped for a
# missing library or program, and stage 2, which runs exactly those tests and lets none of them skip ---

REQUIREMENT_CALLS = ("require(", "require_module(", "require_programs(", "unavailable(", "missing(")
"""A test (or a fixture it uses) that calls one of these can skip for a missing requirement."""


def pytest_configure(config):
    config.addinivalue_line("markers", "extras: needs an extra's library or a system program (tests/requirements.py)")


def _needs_something(item) -> bool:
    if "chromium" in item.fixturenames:
        return True
    functions = [getattr(item, "function", None)]
    for name in item.fixturenames:
        definitions = getattr(item, "_fixtureinfo", None) and item._fixtureinfo.name2fixturedefs.get(name)
        if definitions and not definitions[-1].func.__module__.startswith(("_pytest", "pytest")):
            functions.append(definitions[-1].func)
    for function in functions:
        try:
            source = inspect.getsource(function) if function is not None else ""
        except (OSError, TypeError):
            continue
        if any(call in source for call in REQUIREMENT_CALLS):
            return True
    return False


def _wanted() -> set[str] | None:
    """Stage 2: the ids of the tests stage 1 skipped for a missing requirement (None outside stage 2)."""
    only = os.environ.get(requirements.RUN_ONLY)
    return None if only is None else set(Path(only).read_text(encoding="utf-8").split("\n")) - {""}


UNMARKED = "skipped in stage 1 for a missing requirement, yet without the extras marker (tests/conftest.py)"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _needs_something(item):
            item.add_marker(pytest.mark.extras)
    wanted = _wanted()
    if wanted is None:
        return
    config.hook.pytest_deselected(items=[item for item in items if item.nodeid not in wanted])
    items[:] = [item for item in items if item.nodeid in wanted]
    for item in items:  # failed when it runs, not refused here: an xdist worker's error here is an INTERNALERROR
        if item.get_closest_marker("extras") is None:
            item.stash[UNMARKED_KEY] = True


UNMARKED_KEY = pytest.StashKey[bool]()


def pytest_runtest_setup(item):
    if item.stash.get(UNMARKED_KEY, False):
        pytest.fail(f"{item.nodeid}: {UNMARKED}: `pytest -m 'not extras'` would run it", pytrace=False)


def pytest_runtest_logreport(report):
    REPORTED.add(report.nodeid)
    if not report.skipped:  # (an xdist worker keeps its own list, unused: the controller sees every report)
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    SKIPPED_REPORTS.append((report.nodeid, reason))


REPORTED: set[str] = set()
SKIPPED_REPORTS: list[tuple[str, str]] = []


def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller sees every report
        return
    record = os.environ.get(requirements.RECORD)
    if record is not None:
        ids = sorted({nodeid for nodeid, reason in SKIPPED_REPORTS if requirements.PREFIX in reason})
        Path(record).write_text("".join(f"{nodeid}\n" for nodeid in ids), encoding="utf-8")
    wanted = _wanted()
    lost = sorted(wanted - REPORTED) if wanted is not None else []
    if lost:  # seen here, in the controller, which hears of every test that ran
        session.config.get_terminal_writer().line(
            f"stage 2 ran none of {len(lost)} tests stage 1 skipped (renamed, or not collected): {lost[:5]}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if wanted is not None and SKIPPED_REPORTS:
        nodeid, reason = SKIPPED_REPORTS[0]
        session.config.get_terminal_writer().line(
            f"stage 2 lets no test skip: {len(SKIPPED_REPORTS)} did, first {nodeid}: {reason}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
