"""numba.cuda kernels, a sibling of ``cpu/`` with the same file names.

Importing ``fastw2v`` never imports this package; ``Word2Vec(device="cuda")`` does, and
``require_cuda()`` below then says clearly what is missing (numba-cuda, a GPU, a driver).
"""


def require_cuda():
    """Return ``numba.cuda`` if a CUDA device (or the simulator) is usable; else raise a
    RuntimeError that names what is missing."""
    try:
        from numba import cuda
    except ImportError as e:                                   # pragma: no cover - numba is a dependency
        raise RuntimeError(f"device='cuda' needs numba with CUDA support: {e}") from None
    try:
        available = cuda.is_available()
    except Exception as e:                                     # driver libraries half-installed
        raise RuntimeError(f"device='cuda': CUDA is not usable here ({e}); install numba-cuda "
                           "(pip install 'fastw2v[cuda]') and an NVIDIA driver") from None
    if not available:
        raise RuntimeError(
            "device='cuda': no usable CUDA GPU found (numba.cuda.is_available() is False). "
            "Install an NVIDIA driver and numba-cuda (pip install 'fastw2v[cuda]'), or set "
            "NUMBA_ENABLE_CUDASIM=1 before importing numba to run the (slow) CUDA simulator")
    return cuda
