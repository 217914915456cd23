"""Reaching a Dask cluster: a running scheduler by address, or a LocalCluster to try it out."""
import sys
import warnings


def require_distributed():
    """The ``distributed`` module, or an error saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise RuntimeError("training on a Dask cluster needs dask.distributed: "
                           "pip install \"fastw2v[dask]\"") from None
    return distributed


def connect(scheduler, timeout=10):
    """A Client of the scheduler at ``scheduler`` (``tcp://host:8786``); fails within
    ``timeout`` seconds with a message naming the address when nothing answers there."""
    distributed = require_distributed()
    try:
        return distributed.Client(scheduler, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as e:
        raise ConnectionError(
            f"cannot reach a Dask scheduler at {scheduler!r} within {timeout} s ({e}); start "
            "one with `dask scheduler` and give the address it prints (tcp://HOST:8786)") from None


def local_cluster(n_workers, threads_per_worker=1, fork=None):
    """A Client of a new LocalCluster: ``n_workers`` processes on this machine, loopback only.

    The worker processes are forked from this one where that is safe (``fork=None``: see
    ``fork_is_safe``), not spawned as Dask does by default: a spawned worker starts a Python
    and imports distributed, NumPy, numba and fastw2v again, and loads the first pass's
    kernels, each a fraction of a second of a core that a small machine's training wants
    (bench_results/decisions.md#dask-fork); a forked one has what this process had. Only the
    first start forks: a worker the nanny restarts after a crash is spawned, since by then
    this process is training. ``fork=False``, or a multiprocessing method other than Dask's
    default spawn in the Dask config (``distributed.worker.multiprocessing-method``, e.g.
    ``DASK_DISTRIBUTED__WORKER__MULTIPROCESSING_METHOD=forkserver``), keeps Dask's way.

    A forked worker keeps this process's environment as it was when its libraries loaded:
    Dask's ``distributed.nanny.pre-spawn-environ`` (``PYTHONHASHSEED``, glibc's malloc trim
    threshold, one BLAS thread) only reaches spawned ones. The worker plugin below sets
    OpenBLAS to one thread (``_startup.blas_threads``: the full softmax's kernel calls BLAS);
    fastw2v depends on the rest not at all, but code that hashes strings on the workers
    (``dask.bag`` groupby) would see two hash seeds once a worker is restarted or added
    (spawned): give it ``fork=False``.

    Its workers load scipy's cython_blas alone and run OpenBLAS on one thread (a worker
    plugin, so also a worker the nanny restarts), which spares numba's first dispatch in each
    the import of scipy.linalg (why only in processes fastw2v starts: ``_startup.py``). A plugin rather than
    ``preload=``: passing that would replace the preloads of the user's Dask config. The same
    plugin keeps out of its workers' log what closing the cluster under a running command
    prints there (``_worker_startup.QuietClose``).

    Its processes wake less often when idle (``QUIET``, each where the Dask config holds
    Dask's default), and its client fetches results from the workers directly."""
    distributed = require_distributed()
    import dask
    key = "distributed.worker.multiprocessing-method"
    method = dask.config.get(key)
    if fork is None:
        fork = method == "spawn" and fork_is_safe(distributed.system.MEMORY_LIMIT / n_workers)
    quiet = {k: v for k, (default, v) in QUIET.items() if dask.config.get(k) == default}
    with warnings.catch_warnings(), dask.config.set({key: "fork" if fork else method, **quiet}):
        # Python 3.12+ warns on any fork of a process with threads: distributed forks from its
        # process-watching thread while its event loop runs (the risk Dask's own "fork"
        # method takes; the calling thread waits meanwhile)
        warnings.filterwarnings("ignore", ".*is multi-threaded, use of fork", DeprecationWarning)
        # config= reaches the worker processes, also one the nanny restarts (its copy of this
        # process's config is shallow: the values set here are gone by then)
        cluster = distributed.LocalCluster(n_workers=n_workers,
                                           threads_per_worker=threads_per_worker,
                                           processes=True, host="127.0.0.1", dashboard_address=":0",
                                           config=quiet)
    try:
        # the client reaches every worker on loopback, so results come straight from the worker
        # that holds them, not relayed by the scheduler (the first pass's word tables came
        # later that way: bench_results/decisions.md#dask-direct)
        client = distributed.Client(cluster, direct_to_workers=True)
        from ._worker_startup import WorkerSetup
        client.register_plugin(WorkerSetup(), name="fastw2v-worker-setup")
    except BaseException:         # no worker processes left behind
        cluster.close()
        raise
    return client


# Dask's upkeep that wakes every process of a cluster many times a second: the event loop's
# tick (it only measures how long the loop was blocked, to warn past 3 s), a worker's
# sampling profiler (the dashboard's profile page) and the system monitor (the dashboard's CPU
# and memory plots; the memory limits read the memory themselves). Where a worker has a core
# to itself, each wake preempts a kernel: a first-pass unit's thread was switched out ten
# times as often as a local thread, and the idle cluster used three times the CPU
# (bench_results/decisions.md#dask-quiet). Key: (Dask's default, the value used here).
QUIET = {"distributed.admin.tick.interval": ("20ms", "1s"),
         "distributed.worker.profile.interval": ("10ms", "100ms"),
         "distributed.admin.system-monitor.interval": ("500ms", "2s")}


def fork_is_safe(worker_memory=None):
    """Whether this process can fork its workers: on Linux (macOS's system libraries are not
    fork-safe, and Windows has no fork), when numba has started no threading layer here or
    its workqueue one, which resets itself in a child (numba's OpenMP layer does not survive
    a fork, nor its TBB one a fork from a thread other than the main one, which is where
    distributed forks), and when this process's resident memory is under a quarter of
    ``worker_memory`` (bytes): a child's resident size starts at its parent's (the pages are
    shared until written, but Dask's memory monitor counts them, and would pause or restart
    a worker forked from a process that holds a large model)."""
    if sys.platform != "linux":
        return False
    if worker_memory is not None:
        import psutil
        if psutil.Process().memory_info().rss > worker_memory / 4:
            return False
    from numba.np.ufunc import parallel
    if not getattr(parallel, "_is_initialized", True):
        return True
    import numba
    return numba.threading_layer() == "workqueue"


def check_versions(client):
    """Fail at once, naming them, where the cluster's workers run another fastw2v than this
    process, or none: the first pass's and the training's tasks hand fastw2v's own objects
    between client and workers, and another release's lack fields or functions this one uses
    (the failure would come later, and say less). A release is the version and a digest of
    the package's source (the version alone stays the same from commit to commit). A worker
    that cannot be reached is left to the training's own handling of a lost worker."""
    release = _release_function()
    ours = release()
    problems = []
    for address, theirs in sorted(client.run(release, on_error="return").items()):
        if isinstance(theirs, OSError):             # gone or unreachable: not this check's
            continue
        if isinstance(theirs, BaseException):
            problems.append(f"{address} could not say ({type(theirs).__name__}: {theirs})")
        elif theirs[0] is None:
            problems.append(f"{address} cannot import fastw2v ({theirs[1]})")
        elif tuple(theirs) != ours:
            problems.append(f"{address} runs fastw2v {theirs[0]}, source {theirs[1]}")
    if problems:
        raise RuntimeError(f"the Dask workers must run the fastw2v this client runs ({ours[0]}, "
                           f"source {ours[1]}): {'; '.join(problems)}. Install the same fastw2v "
                           "on every worker")


def _release_function():
    """A function returning this process's fastw2v release, ``(version, source digest)``, or
    ``(None, why)`` where fastw2v cannot be imported."""
    def release():
        # defined in a function, so that Dask sends it by value: it runs on any worker, also
        # one whose fastw2v lacks this module's functions, or has no fastw2v; kept on the
        # module once computed (the source a process loaded: a later edit on disk is not it)
        import hashlib
        import os
        try:
            import fastw2v
        except ImportError as e:
            return None, str(e)
        known = getattr(fastw2v, "_release", None)
        if known is None:
            root, digest = os.path.dirname(os.path.abspath(fastw2v.__file__)), hashlib.sha1()
            for folder, dirs, files in os.walk(root):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for name in sorted(f for f in files if f.endswith(".py")):
                    path = os.path.join(folder, name)
                    with open(path, "rb") as f:
                        digest.update(os.path.relpath(path, root).encode() + b"\0" + f.read())
            known = fastw2v._release = (fastw2v.__version__, digest.hexdigest()[:12])
        return tuple(known)
    return release


def worker_threads(client):
    """``[(address, threads), ...]`` of the cluster's workers, in address order."""
    workers = sorted(client.nthreads().items())
    if not workers:
        raise RuntimeError(f"the Dask cluster at {client.scheduler.address} has no workers")
    return workers


def total_threads(client):
    return sum(threads for _, threads in worker_threads(client))
