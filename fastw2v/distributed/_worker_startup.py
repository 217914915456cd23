"""The worker plugin ``cluster.local_cluster`` registers (imports distributed: Dask only)."""
import logging
import os
import threading
import time

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
        _exit_with_parent()
        for name in QuietClose.LOGGERS:
            log = logging.getLogger(name)
            if not any(isinstance(f, QuietClose) for f in log.filters):
                log.addFilter(QuietClose())


_WATCHING = []                   # the parent this process watches (a setup runs once a process)


def _exit_with_parent():
    """A worker ends once the process that started it has: Dask's own watch (each worker
    reads a pipe whose other end only its parent holds, and exits at its end of file) fails
    for forked workers, since each inherits the others' ends of their pipes. After a SIGKILL
    of the command, both workers of a forked ``local_cluster(2)`` lived on, an hour in one
    case, holding their memory and the shared rows. A thread checks the parent's id once a
    second (the upkeep's own pace, ``cluster.QUIET``) and exits as Dask's watch does."""
    if _WATCHING:
        return
    _WATCHING.append(os.getppid())

    def watch():
        while os.getppid() == _WATCHING[0]:
            time.sleep(1.0)
        os._exit(-1)
    threading.Thread(target=watch, name="fastw2v-exit-with-parent", daemon=True).start()


def _ignore_stop_signals():
    """A LocalCluster's workers ignore SIGINT, SIGTERM and SIGHUP: Ctrl-C, a closed terminal
    or a job scheduler signal the whole process group, and the process that started the
    cluster stops it (its nanny asks a worker to close, then kills it: no signal needed); a
    worker that took the signal printed a KeyboardInterrupt traceback, or died and was
    restarted, under the command's one line. A worker's process still ends with its parent.
    (Setup runs in the worker's main thread, where Python lets a handler be set.)"""
    import signal
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
