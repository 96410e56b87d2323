"""The optional libraries the adapter tests need: ``require(name)`` imports one, or skips the test saying
which extra to install; in CI's second stage, which installs the extras, a missing one fails instead
(``tests/requirements.py``)."""

from .requirements import require_module

INSTALL = {
    "torch": "pip install torch==2.13.0 (its CPU wheel), then pip install '.[torch]'",
    "pytorch_optimizer": "pip install pytorch-optimizer",
    "jax": "pip install '.[jax]'",
    "optax": "pip install '.[jax]'",
    "imageio_ffmpeg": "pip install '.[mp4]'",  # MP4 files (tests/test_docs_examples.py)
    # the documentation site's tools (tests/test_docs_site.py)
    "furo": "pip install '.[docs]'",
    "myst_nb": "pip install '.[docs]'",
    "sphinx_click": "pip install '.[docs]'",
    "ipykernel": "pip install '.[docs]'",
}


def require(name: str):
    """``import name``, or skip the test (fail in CI's second stage) saying what to install."""
    return require_module(name, INSTALL.get(name, f"pip install {name}"))
