"""Chunks of starts on a Dask cluster: ``run --reduce --dask ADDRESS``, ``render --dask ADDRESS`` (the
basins view), or a ``dask.distributed.Client`` handed to :func:`trajectories.compute.basins.reduce_paths` or
``Scene.render(..., client=client)``.

Each chunk of starts is independent of the others (the optimizer moves each start on its own), so the
workers' results, gathered in order, are the same numbers, and the files the same bytes, as a local run.
Dask is an optional extra (``pip install 'trajectories[dask]'``); without it, asking for it is one line
that says what to install. This module never imports Dask until it is asked for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..errors import PlanError

INSTALL = "pip install 'trajectories[dask]'"


def connect(address: str) -> Any:
    """A ``dask.distributed.Client`` connected to the scheduler at ``address``; :class:`PlanError` (one
    line) when Dask is not installed or nothing answers there."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise PlanError(f"--dask needs Dask, which is not installed: {INSTALL}") from None
    try:
        return Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as error:
        message = " ".join(str(error).split()) or type(error).__name__
        raise PlanError(f"--dask: no Dask scheduler answers at {address!r}: {message}") from None


@contextlib.contextmanager
def client_for(address: str | None) -> Iterator[Any]:
    """A client connected to ``address`` (``--dask ADDRESS``), closed after the block; ``None`` for none."""
    if address is None:
        yield None
        return
    client = connect(address)
    try:
        yield client
    finally:
        client.close()


def map_chunks(client: Any, function: Callable[[Any, Any], Any], task: Any, pieces: Sequence[Any]) -> list:
    """``[function(piece, task) for piece in pieces]`` on the cluster of ``client``, in order; ``task``
    (the surface, optimizer and settings every chunk shares) is sent to each worker once."""
    [shared] = client.scatter([task], broadcast=True, hash=False)
    futures = client.map(function, list(pieces), task=shared, pure=False)
    return client.gather(futures)
