"""Drawing noise words for negative sampling: an alias table over the vocabulary.

word2vec.c draws a noise word by reading a random slot of a 1e8-entry unigram table (400 MB):
every draw is a cache miss. The alias method (Walker 1977; Vose's construction) gives the same
distribution from V buckets: bucket i keeps word i with probability accept[i] / 2**32
and otherwise gives its alias word. For text8's 70k-word vocabulary that is 840 KB, which
stays in the L2 cache. Cache misses on a large table were measured, not guessed, and a small
table rounds the probability of rare words, which the alias table does not
(bench_results/decisions.md#noise-sampler).

A draw takes two LCG steps: the bucket from bits 16..47 of the first by multiply-shift, the
32-bit coin from bits 16..47 of the second (the generator's low bits are weak), then two loads
and a compare.
"""
import numpy as np
from numba import njit

from .. import config
from ._rng import lcg_next, uniform_index

_ONE = 1 << 32                       # accept[i] == _ONE: bucket i always keeps word i
_SHIFT16 = np.uint64(16)
_LOW32 = np.uint64(0xFFFFFFFF)


@njit(cache=config.CACHE)
def alias_table(probabilities):
    """(accept int64, alias int32), arrays of length V, for drawing word w with
    P(w) = probabilities[w].

    Vose's construction: scale P by V so the mean bucket holds 1; pair every underfull bucket
    with an overfull word that tops it up, moving the overflow on. Word w's probability is
    then (accept[w] + sum over buckets b with alias[b] == w of (2**32 - accept[b])) / (V 2**32),
    equal to P(w) within 2**-33 / V per bucket it appears in.
    """
    V = probabilities.shape[0]
    scaled = probabilities / probabilities.sum() * V
    accept = np.full(V, _ONE, dtype=np.int64)
    alias = np.arange(V).astype(np.int32)
    small = np.empty(V, dtype=np.int64)
    large = np.empty(V, dtype=np.int64)
    n_small = n_large = 0
    for i in range(V):
        if scaled[i] < 1.0:
            small[n_small] = i
            n_small += 1
        else:
            large[n_large] = i
            n_large += 1
    while n_small > 0 and n_large > 0:
        n_small -= 1
        s = small[n_small]
        big = large[n_large - 1]
        accept[s] = np.int64(round(scaled[s] * _ONE))
        alias[s] = big
        scaled[big] -= 1.0 - scaled[s]           # big fills the rest of bucket s
        if scaled[big] < 1.0:
            n_large -= 1
            small[n_small] = big
            n_small += 1
    return accept, alias                         # leftovers hold 1 up to rounding: keep them


@njit(cache=config.CACHE)
def draw_noise(accept, alias, out, start, count, state):
    """Fill out[start:start+count] with noise words; returns the advanced RNG state."""
    V = accept.shape[0]
    for k in range(count):
        state = lcg_next(state)
        bucket = uniform_index(state, V)
        state = lcg_next(state)
        coin = np.int64((state >> _SHIFT16) & _LOW32)
        out[start + k] = bucket if coin < accept[bucket] else alias[bucket]
    return state
