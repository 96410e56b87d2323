"""Fixtures shared by the test modules."""

import builtins

import pytest
from click.testing import CliRunner

from trajectories.cli import cli

pytest_plugins = ["pytester"]


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
