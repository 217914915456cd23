"""The worker plugin ``cluster.local_cluster`` registers (imports distributed: Dask only)."""
from distributed import WorkerPlugin


class LoadCythonBlas(WorkerPlugin):
    """``setup`` runs in each worker process before its tasks, also in one the nanny restarts:
    scipy's cython_blas loaded alone (``fastw2v/_startup.py``), OpenBLAS on one thread."""

    def setup(self, worker):
        from .._startup import blas_threads, load_cython_blas
        load_cython_blas()
        blas_threads(set_to=1)    # as Dask's environment gives a spawned worker (a forked one
                                  # has its parent's pools: ``blas_threads``)
