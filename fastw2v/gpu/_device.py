"""Device helpers: the availability check, per-thread RNG, the sigmoid, and the two ways of
updating shared embedding rows (plain Hogwild stores or atomic adds).

Everything a kernel needs from the device lives here, so the objective files hold only maths.
"""
import math

# Importing numba.cuda needs no GPU; the kernels below compile on first launch.
from numba import cuda
from numba.cuda.random import create_xoroshiro128p_states, xoroshiro128p_uniform_float32

from .. import config


def launch_config(n_items):
    """(blocks, threads per block) covering ``n_items`` with grid-stride loops."""
    threads = config.THREADS_PER_BLOCK
    blocks = max(1, min(-(-n_items // threads), config.GPU_MAX_BLOCKS))
    return blocks, threads


def rng_states(n_threads, seed):
    """One xoroshiro128+ state per thread (numba.cuda.random), read only by ``uniform_index``."""
    return create_xoroshiro128p_states(n_threads, seed=seed)


@cuda.jit(device=True)
def uniform_index(states, tid, n):
    """An integer in [0, n) from thread ``tid``'s generator: the kernels' one source of randomness
    (swap the generator here and nowhere else)."""
    i = int(xoroshiro128p_uniform_float32(states, tid) * n)
    return min(i, n - 1)


@cuda.jit(device=True)
def draw_noise(noise, negatives, states, tid):
    """Fill thread ``tid``'s row of ``negatives`` with words drawn from the noise table."""
    for k in range(negatives.shape[1]):
        negatives[tid, k] = noise[uniform_index(states, tid, noise.shape[0])]


@cuda.jit(device=True)
def reduced_window(i, sent_lo, sent_hi, window, states, tid):
    """word2vec.c's reduced window around token i, clipped to its sentence: (lo, hi)."""
    shrink = uniform_index(states, tid, window)
    return max(i - window + shrink, sent_lo[i]), min(i + window - shrink + 1, sent_hi[i])


@cuda.jit(device=True)
def sigmoid_softplus(x):
    """(sigma(x), -log sigma(x)), exact, sharing one exp."""
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
