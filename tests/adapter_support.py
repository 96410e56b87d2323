"""The optional libraries the adapter tests need: skipped locally when absent (with the extra to install),
never in CI (``CI=true``), which installs the ``torch`` and ``jax`` extras."""

import importlib
import os

import pytest

EXTRA = {"torch": "torch", "pytorch_optimizer": "torch", "jax": "jax", "optax": "jax",
         # the documentation site's tools (tests/test_docs_site.py)
         "furo": "docs", "myst_nb": "docs", "sphinx_click": "docs", "ipykernel": "docs"}


def require(name: str):
    """``import name``, or skip the test (locally) saying which extra to install."""
    try:
        return importlib.import_module(name)
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"{name} is not installed: pip install '.[{EXTRA[name]}]'")
