"""The pieces of word2vec.c's training loop that every objective shares: subsampling, the
reduced window, the learning rate at a position, the context words of a window.

Each objective's block function (``sgns.py``, ``cbow.py``, ``hs.py``) is the same short loop
over these helpers:

    for each piece p (one per thread; prange in the parallel twin):
        for each sentence s of the piece:
            n, state = subsample(...)                      # drop frequent words
            for pos in range(n):
                lr = position_lr(...)                      # linear decay
                lo, hi, state = reduced_window(...)        # window shrunk by b in [0, window)
                <the objective's update for centre pos and contexts lo..hi-1>

The loop is written out in each objective rather than taking the update as a function
argument: numba cannot cache a function that takes a jitted function as an argument, so that
design recompiled every kernel in every new process (bench_results/decisions.md#jit-cache).
Each block is compiled twice, serial (bit-reproducible under a seed) and ``parallel=True``
(Hogwild threads sharing the embedding rows).
"""
import types

import numpy as np
from numba import njit

from .. import config
from ._rng import lcg_next, uniform_16bit, uniform_index


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def subsample(ids, start, end, keep, sentence, state):
    """Copy ids[start:end] into ``sentence``, dropping word w with probability 1 - keep[w]
    (word2vec.c draws against ``(next_random & 0xFFFF) / 65536``). Returns (length, state)."""
    n = 0
    for j in range(start, end):
        w = ids[j]
        if keep[w] < 1.0:
            state = lcg_next(state)
            if keep[w] < uniform_16bit(state):
                continue
        sentence[n] = w
        n += 1
    return n, state


@njit(cache=config.CACHE)
def reduced_window(pos, n, window, state):
    """word2vec.c's reduced window: b uniform in [0, window), contexts within window - b.
    Returns (lo, hi, state): context positions are lo..hi-1 except pos."""
    state = lcg_next(state)
    shrink = uniform_index(state, window)
    return max(pos - window + shrink, 0), min(pos + window - shrink + 1, n), state


@njit(cache=config.CACHE)
def max_sentence_length(offsets, first, last):
    longest = 0
    for s in range(first, last):
        longest = max(longest, offsets[s + 1] - offsets[s])
    return longest


@njit(cache=config.CACHE)
def piece_words(offsets, piece_starts, p):
    """(first word, number of words) of piece p: the span its learning rate falls across."""
    first = offsets[piece_starts[p]]
    return first, max(offsets[piece_starts[p + 1]] - first, 1)


@njit(cache=config.CACHE)
def position_lr(lr_start, lr_end, offsets, s, first_word, piece_words, pos, n):
    """The learning rate at kept position ``pos`` of ``n`` in sentence s: linear from
    ``lr_start`` to ``lr_end`` over the piece's raw words (dropped words count as done)."""
    done = offsets[s] - first_word + pos * (offsets[s + 1] - offsets[s]) / n
    return np.float32(lr_start + (lr_end - lr_start) * done / piece_words)


@njit(cache=config.CACHE)
def window_contexts(sentence, pos, lo, hi, out):
    """Copy the context words of a window into ``out``; return how many."""
    n = 0
    for cpos in range(lo, hi):
        if cpos != pos:
            out[n] = sentence[cpos]
            n += 1
    return n


def compile_block(block):
    """``(serial, parallel)``: a block function compiled twice, plain and ``parallel=True``.

    The parallel twin is compiled from a renamed copy of the function: numba's on-disk cache
    names an entry after the function and its argument types, not its flags, so both
    compilations of one function shared an entry and whichever was compiled first was loaded
    for both (a "parallel" kernel that ran on one thread). numba names the entry after the
    function's ``__qualname__``, which is set on the twin itself, so this works on Python 3.10
    too, where code objects have no ``co_qualname``.
    """
    code = block.__code__.replace(co_name=block.__name__ + "_parallel")
    if hasattr(code, "co_qualname"):        # Python 3.11+; 3.10's code objects have no qualname
        code = code.replace(co_qualname=block.__qualname__ + "_parallel")
    twin = types.FunctionType(code, block.__globals__, block.__name__ + "_parallel",
                              block.__defaults__)
    twin.__qualname__ = block.__qualname__ + "_parallel"
    twin.__doc__ = block.__doc__
    return (njit(fastmath=config.FASTMATH, cache=config.CACHE)(block),
            njit(fastmath=config.FASTMATH, cache=config.CACHE, parallel=True)(twin))
