"""Fixtures shared by the test modules."""

import builtins
import os

import pytest
from click.testing import CliRunner
from hypothesis import settings

from trajectories.cli import cli

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
    Chromium or websocket-client is missing (under CI, which installs both, that fails)."""
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
