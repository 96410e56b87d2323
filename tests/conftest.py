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
    Chromium or websocket-client is missing (CI installs both)."""
    from .browser import Chromium, missing

    reason = missing()
    if reason is not None:
        pytest.skip(reason)
    browser = Chromium()
    yield browser
    browser.close()
