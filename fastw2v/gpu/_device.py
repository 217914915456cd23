"""Device helpers: the availability check, per-thread RNG, the sigmoid, and the two ways of
updating shared embedding rows (plain Hogwild stores or atomic adds).

Everything a kernel needs from the device lives here, so the objective files hold only maths.
"""
import math

from .. import config
from . import require_cuda  # noqa: F401  (re-exported for the driver)


# Importing numba.cuda needs no GPU; the kernels below compile on first launch.
from numba import cuda  # noqa: E402
from numba.cuda.random import (create_xoroshiro128p_states,  # noqa: E402
                               xoroshiro128p_uniform_float32)


def launch_config(n_items):
    """(blocks, threads per block) covering ``n_items`` with grid-stride loops."""
    threads = config.THREADS_PER_BLOCK
    blocks = max(1, min(-(-n_items // threads), config.GPU_MAX_BLOCKS))
    return blocks, threads


def rng_states(n_threads, seed):
    """One xoroshiro128+ state per thread (numba.cuda.random), kept behind ``uniform``."""
    return create_xoroshiro128p_states(n_threads, seed=seed)


@cuda.jit(device=True)
def uniform(states, tid):
    """A float in [0, 1) from thread ``tid``'s generator."""
    return xoroshiro128p_uniform_float32(states, tid)


@cuda.jit(device=True)
def uniform_index(states, tid, n):
    """An integer in [0, n)."""
    i = int(xoroshiro128p_uniform_float32(states, tid) * n)
    return min(i, n - 1)


@cuda.jit(device=True)
def sigmoid_softplus(x):
    """(sigma(x), -log sigma(x)), exact, sharing one exp (as cpu/_sigmoid.py)."""
    e = math.exp(-abs(x))
    if x >= 0:
        return 1.0 / (1.0 + e), math.log1p(e)
    return e / (1.0 + e), math.log1p(e) - x


@cuda.jit(device=True)
def add(W, i, c, value, atomic):
    """W[i, c] += value: a plain Hogwild read-modify-write, or ``cuda.atomic.add``."""
    if atomic:
        cuda.atomic.add(W, (i, c), value)
    else:
        W[i, c] += value
