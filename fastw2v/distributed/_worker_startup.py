"""The worker plugin ``cluster.local_cluster`` registers (imports distributed: Dask only)."""
from distributed import WorkerPlugin


class LoadCythonBlas(WorkerPlugin):
    """``setup`` runs in each worker process before its tasks, also in one the nanny restarts:
    scipy's cython_blas loaded alone (``fastw2v/_startup.py``)."""

    def setup(self, worker):
        from .._startup import load_cython_blas
        load_cython_blas()
