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

Only where fastw2v owns the process: the module is then in ``sys.modules`` without being an
attribute of ``scipy.linalg``. ``import scipy.linalg.cython_blas`` and ``from scipy.linalg
import cython_blas`` still work after it, but ``scipy.linalg.cython_blas`` right after a bare
``import scipy.linalg`` raises AttributeError. So ``import fastw2v`` never does this; the
console script (``cli.command``) and the workers of ``distributed.cluster.local_cluster``
(a Dask preload: ``dask_setup``) do.
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
        import scipy
    except ImportError:                  # numba's check then finds no BLAS, as it would anyway
        return False
    folder = os.path.join(os.path.dirname(scipy.__file__), "linalg")
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(folder, "cython_blas" + suffix)
        if not os.path.isfile(path):
            continue
        spec = importlib.util.spec_from_file_location(_NAME, path)
        try:
            module = importlib.util.module_from_spec(spec)      # dlopen happens here
            sys.modules[_NAME] = module
            spec.loader.exec_module(module)
        except Exception:
            sys.modules.pop(_NAME, None)
            return False
        return True
    return False


def dask_setup(worker):
    """Dask's preload hook (``LocalCluster(preload=["fastw2v._startup"])``): each worker
    process of the cluster fastw2v starts loads cython_blas alone before its first task."""
    load_cython_blas()
