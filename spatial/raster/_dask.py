"""The Dask backend: one task per raster layer on a ``dask.distributed`` cluster.

A local cluster is started (and shut down) by default; with ``address`` the tasks go to an
existing scheduler, which is left running. Each task runs exactly the single-process code on
one layer, so the results are identical; they are gathered in the layers' order.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from spatial.errors import SpatialPanelError

__all__ = ["dask_client", "map_layers"]


@contextlib.contextmanager
def dask_client(address: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: on the scheduler at ``address``, or on a new local cluster.

    Raises
    ------
    SpatialPanelError
        When the scheduler at ``address`` cannot be reached, or ``workers`` is not positive.
    """
    from distributed import Client, LocalCluster

    if address is not None:
        try:
            client = Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise SpatialPanelError(
                f"cannot reach the Dask scheduler at {address!r} ({exc}); start it (dask scheduler) or omit the "
                "address to use a local cluster"
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise SpatialPanelError(f"dask_workers must be a positive integer, got {workers!r}")
    cluster = LocalCluster(
        n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    try:
        client = Client(cluster, set_as_default=False)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def map_layers(func: Callable, layers: Sequence, shared: Any, *, address: str | None = None,
               workers: int | None = None) -> list:
    """``[func(layer, shared) for layer in layers]`` computed on a Dask cluster, in order.

    ``shared`` (the polygons and the specification) is sent to the workers once.
    """
    with dask_client(address, workers) as client:
        [payload] = client.scatter([shared], broadcast=True)
        futures = client.map(func, list(layers), shared=payload, pure=False)
        return client.gather(futures)
