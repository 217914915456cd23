"""Start-up of the processes fastw2v owns: the console script, the workers of its LocalCluster.

numba's first compilation or cache load in a process imports ``numba.np.arraymath``, whose
module-level ``_check_blas()`` runs ``import scipy.linalg.cython_blas`` to learn whether
``np.dot`` in a kernel can call BLAS. That statement imports the package ``scipy.linalg``
first, and its ``__init__`` pulls in most of scipy.linalg, array_api_compat and numpy.f2py:
0.11-0.13 s on the project's 2-core machine, paid before the first kernel of every command
runs, with 1 thread as with 2 (bench_results/decisions.md#blas-check). numba only needs the
extension module itself. Loaded from its file under its own name it takes 2 ms, and numba's
import then finds it in ``sys.modules`` (so does numba's C helper, which imports it by name
to take BLAS's function pointers when a kernel calls ``np.dot``).

Only where fastw2v owns the process: the module is then in ``sys.modules`` but never becomes
an attribute of ``scipy.linalg`` (nor enters its ``__all__``). ``from scipy.linalg import
cython_blas`` and ``import scipy.linalg.cython_blas as cb`` still work after it, while the
attribute ``scipy.linalg.cython_blas`` raises AttributeError, even after an explicit import.
So ``import fastw2v`` never does this; the console script (``cli.command``) and the workers
of ``distributed.cluster.local_cluster`` (a worker plugin) do.
"""
import importlib.machinery
import importlib.util
import os
import sys

_NAME = "scipy.linalg.cython_blas"


def load_cython_blas():
    """Load ``scipy.linalg.cython_blas`` without its package, unless something has already
    imported either. Returns whether it did. Any failure leaves ``sys.modules`` as it was, and
    numba then imports scipy.linalg itself, as always."""
    if "scipy.linalg" in sys.modules or _NAME in sys.modules:
        return False
    try:
        found = importlib.util.find_spec("scipy")      # without importing scipy (or NumPy)
        folders = list(found.submodule_search_locations or []) if found else []
    except (ImportError, ValueError):    # numba's check then finds no BLAS, as it would anyway
        return False
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        paths = [os.path.join(f, "linalg", "cython_blas" + suffix) for f in folders]
        path = next((p for p in paths if os.path.isfile(p)), None)
        if path is None:
            continue
        try:
            spec = importlib.util.spec_from_file_location(_NAME, path)
            module = importlib.util.module_from_spec(spec)      # dlopen happens here
            sys.modules[_NAME] = module
            spec.loader.exec_module(module)
        except Exception:
            sys.modules.pop(_NAME, None)
            return False
        return True
    return False


# OpenBLAS's thread count, by the names its builds export (plain; scipy's and NumPy's wheels)
_BLAS_THREADS = [("openblas_set_num_threads", "openblas_get_num_threads"),
                 ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
                 ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
                 ("openblas_set_num_threads64_", "openblas_get_num_threads64_")]


def blas_threads(set_to=None):
    """``{library file: threads}`` of every OpenBLAS loaded in this process (Linux: read from
    /proc/self/maps; elsewhere ``{}``), each set to ``set_to`` threads first when given.

    A Dask worker that ``local_cluster`` forks inherits its parent's OpenBLAS pools, sized to
    the cores, where a spawned one starts with Dask's ``OPENBLAS_NUM_THREADS=1``: the full
    softmax's kernel calls ``np.dot`` (scipy's OpenBLAS) inside numba's threads, which would
    then each start BLAS threads of their own on cores the other workers train on."""
    import ctypes
    try:
        with open("/proc/self/maps") as f:       # address, perms, offset, dev, inode, path
            files = {fields[5].rstrip("\n") for fields in (line.split(None, 5) for line in f)
                     if len(fields) == 6}
    except OSError:
        return {}
    paths = sorted(p for p in files
                   if "openblas" in os.path.basename(p).lower() and ".so" in os.path.basename(p))
    found = {}
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for set_name, get_name in _BLAS_THREADS:
            setter, getter = getattr(lib, set_name, None), getattr(lib, get_name, None)
            if setter is None or getter is None:
                continue
            if set_to is not None:
                setter(ctypes.c_int(set_to))
            found[path] = int(getter())
            break
    return found
