"""Device helpers: launch shapes, per-thread RNG, exact integer draws, the sigmoid, and the two
ways of updating shared embedding rows (plain Hogwild stores or atomic adds).

Everything a kernel needs from the device lives here, so the objective files hold only maths.
Device code uses conditional expressions, not ``min``/``max``: numba 0.68's bundled CUDA target
fails to compile the builtins' generic implementation (tests/gpu_ptx.py compiles every kernel).
All arithmetic is float32: a bare ``0.0`` or ``i / n`` is float64 in numba and turns a loop
into double precision, which consumer GPUs run at 1/32 to 1/64 of the float32 rate
(tests/test_gpu_float32.py compiles every kernel to PTX and finds no f64 instruction).
"""
import math

import numpy as np
# Importing numba.cuda needs no GPU; the kernels below compile on first launch.
from numba import cuda
from numba.cuda.random import create_xoroshiro128p_states, xoroshiro128p_next

from .. import config

_SHIFT32 = np.uint64(32)


def launch_config(n_items):
    """(blocks, threads per block) covering ``n_items`` with grid-stride loops."""
    threads = config.THREADS_PER_BLOCK
    blocks = max(1, min(-(-n_items // threads), config.GPU_MAX_BLOCKS))
    return blocks, threads


def rng_states(n_threads, seed):
    """One xoroshiro128+ state per thread (numba.cuda.random)."""
    return create_xoroshiro128p_states(n_threads, seed=seed)


@cuda.jit(device=True)
def bits32(states, tid):
    """32 random bits from thread ``tid``'s generator: the top half of a xoroshiro128+ output
    (its low bits are the weak ones). The kernels' one source of randomness."""
    return xoroshiro128p_next(states, tid) >> _SHIFT32


@cuda.jit(device=True)
def index_from_bits(bits, n):
    """An integer in [0, n) from 32 random bits by multiply-shift, exact to n / 2**32 (n < 2**32).
    A float32 uniform scaled by n resolves only 2**-24 and skews large n
    (bench_results/decisions.md#gpu-noise)."""
    return np.int64((bits * np.uint64(n)) >> _SHIFT32)


@cuda.jit(device=True)
def alias_pick(accept, alias, bucket_bits, coin_bits):
    """The alias method (cpu/_noise.py builds the table): bucket b uniform over the V words,
    kept with probability accept[b] / 2**32, else its alias."""
    bucket = index_from_bits(bucket_bits, accept.shape[0])
    return bucket if np.int64(coin_bits) < accept[bucket] else alias[bucket]


@cuda.jit(device=True)
def draw_noise(accept, alias, negatives, states, tid):
    """Fill thread ``tid``'s row of ``negatives`` with exact draws from the noise distribution."""
    for k in range(negatives.shape[1]):
        negatives[tid, k] = alias_pick(accept, alias, bits32(states, tid), bits32(states, tid))


@cuda.jit(device=True)
def reduced_window(i, sent_lo, sent_hi, window, states, tid):
    """word2vec.c's reduced window around token i, clipped to its sentence: (lo, hi)."""
    shrink = index_from_bits(bits32(states, tid), window)
    lo, hi = i - window + shrink, i + window - shrink + 1
    return (lo if lo > sent_lo[i] else sent_lo[i]), (hi if hi < sent_hi[i] else sent_hi[i])


@cuda.jit(device=True)
def thread_span(n, tid, grid, min_span):
    """Thread ``tid``'s contiguous share [first, last) of n tokens, as word2vec.c gives each
    thread its own part of the file. A grid-stride loop would put neighbouring lanes of a warp
    on neighbouring centre words, whose windows overlap: their plain ``+=`` on the same rows in
    the same instruction keeps one lane's update and loses the others', on every window. Lanes
    here are at least ``min_span`` tokens apart (fewer threads work when n is small), so their
    windows never overlap; a word repeated nearby or a frequent noise word can still put two
    lanes on one row, as Hogwild threads on the CPU."""
    active = n // min_span
    active = 1 if active < 1 else (grid if active > grid else active)
    if tid >= active:
        return 0, 0
    return (np.int64(tid) * n) // active, (np.int64(tid + 1) * n) // active


@cuda.jit(device=True)
def span_lr(lr_start, lr_end, i, first, last):
    """The learning rate at token i of [first, last): linear from lr_start to lr_end (float32)."""
    return lr_start + (lr_end - lr_start) * (np.float32(i - first) / np.float32(last - first))


@cuda.jit(device=True)
def sigmoid_softplus(x):
    """(sigma(x), -log sigma(x)), exact, float32, sharing one exp."""
    e = math.exp(-abs(x))
    one = np.float32(1.0)
    if x >= np.float32(0.0):
        return one / (one + e), math.log1p(e)
    return e / (one + e), math.log1p(e) - x


@cuda.jit(device=True)
def add(W, i, c, value, atomic):
    """W[i, c] += value: a plain Hogwild read-modify-write, or ``cuda.atomic.add``."""
    if atomic:
        cuda.atomic.add(W, (i, c), value)
    else:
        W[i, c] += value
