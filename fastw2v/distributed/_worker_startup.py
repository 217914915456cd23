"""The worker plugin ``cluster.local_cluster`` registers (imports distributed: Dask only)."""
import logging

from distributed import WorkerPlugin
from distributed.comm import CommClosedError


class WorkerSetup(WorkerPlugin):
    """``setup`` runs in each worker process before its tasks, also in one the nanny restarts:
    scipy's cython_blas loaded alone (``fastw2v/_startup.py``), OpenBLAS on one thread, the
    stop signals ignored, and the worker's log spared what closing a cluster under a running
    command prints (``QuietClose``)."""

    def setup(self, worker):
        from .._startup import blas_threads, load_cython_blas
        load_cython_blas()
        blas_threads(set_to=1)    # as Dask's environment gives a spawned worker (a forked one
                                  # has its parent's pools: ``blas_threads``)
        _ignore_stop_signals()
        for name in QuietClose.LOGGERS:
            log = logging.getLogger(name)
            if not any(isinstance(f, QuietClose) for f in log.filters):
                log.addFilter(QuietClose())


def _ignore_stop_signals():
    """A LocalCluster's workers ignore SIGINT, SIGTERM and SIGHUP: Ctrl-C, a closed terminal
    or a job scheduler signal the whole process group, and the process that started the
    cluster stops it (its nanny asks a worker to close, then kills it: no signal needed); a
    worker that took the signal printed a KeyboardInterrupt traceback, or died and was
    restarted, under the command's one line. A worker's process still ends with its parent.
    (Setup runs in the worker's main thread, where Python lets a handler be set.)"""
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)       # no SIGHUP on Windows
        if number is not None:
            signal.signal(number, signal.SIG_IGN)


class QuietClose(logging.Filter):
    """Drops two records a worker logs when the command that started the cluster stops in
    the middle (Ctrl-C, SIGTERM, an error) and closes it: the traceback of a client closing
    its connection while the worker sends it a result ("failed during get data with <worker>
    -> None": a client, not a worker, asked), and a task still running when the worker
    closes ("Async instruction for <Task ...> ended with CancelledError", which Dask logs
    only from ``Worker.close``). Under the command's one-line message they added 2 to 18
    lines, most times. The client left on purpose; a worker failing to send to another
    worker is still logged, and a worker killed for its memory has the nanny's warning."""
    LOGGERS = ("distributed.worker", "distributed.worker.state_machine")

    def filter(self, record):
        if record.name == "distributed.worker.state_machine":
            text = str(record.msg)
            return not (text.startswith("Async instruction for ")
                        and text.endswith(" ended with CancelledError"))
        return not (record.msg == "failed during get data with %s -> %s"
                    and isinstance(record.args, tuple) and record.args[-1] is None
                    and record.exc_info is not None
                    and isinstance(record.exc_info[1], CommClosedError))
