"""Per-thread random numbers: word2vec.c's 64-bit linear congruential generator.

``next_random = next_random * 25214903917 + 11`` (the C tool's generator). Its low bits are
weak, so ranges are drawn from bits 16..47 with a multiply-shift (``(x * n) >> 32``) rather
than word2vec.c's ``%``: no 64-bit division in the hot loop, and no modulo bias.
"""
import numpy as np
from numba import njit

from .. import config

_MUL = np.uint64(25214903917)
_ADD = np.uint64(11)
_LOW32 = np.uint64(0xFFFFFFFF)
_SHIFT16 = np.uint64(16)
_SHIFT32 = np.uint64(32)
_LOW16 = np.uint64(0xFFFF)


@njit(cache=config.CACHE)
def lcg_next(state):
    """Advance the generator one step."""
    return state * _MUL + _ADD


@njit(cache=config.CACHE)
def uniform_index(state, n):
    """An integer in [0, n) from the state's bits 16..47 (n < 2**32)."""
    return np.int64((((state >> _SHIFT16) & _LOW32) * np.uint64(n)) >> _SHIFT32)


@njit(cache=config.CACHE)
def uniform_16bit(state):
    """A float in [0, 1) with 16 bits, word2vec.c's ``(next_random & 0xFFFF) / 65536``."""
    return np.float32((state >> _SHIFT16) & _LOW16) / np.float32(65536.0)


def seed_states(seed, *stream, n=1):
    """``n`` independent uint64 states for one block of work, derived from the seed and a
    stream id (epoch, block) with SplitMix64, so every thread of every block differs."""
    out = np.empty(n, dtype=np.uint64)
    base = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, *map(int, stream)])
    out[:] = base.generate_state(n, dtype=np.uint64)
    return out
