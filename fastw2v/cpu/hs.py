"""Hierarchical-softmax kernels for skip-gram and CBOW (the maths is in ``reference/hs.py``).

The output matrix is word2vec.c's syn1: one row per inner node of the Huffman tree (V-1).
No noise words are drawn: the centre word's path ``points[w, :codelens[w]]`` with branch bits
``codes[w]`` are the targets.
"""
from numba import njit

from .. import config
from ._output import hs_output
from ._windows import window_contexts
from .cbow import cbow_hidden, cbow_scatter


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def sg_hs_step(W_in, W_out, ctx, centre, codes, points, codelens, lr, neu1e, compute_loss):
    """One skip-gram HS update (context ``ctx`` -> ``centre`` along its Huffman path)."""
    neu1e[:] = 0.0
    loss = hs_output(W_in, ctx, W_out, codes, points, codelens, centre, lr, neu1e, compute_loss)
    for c in range(W_in.shape[1]):
        W_in[ctx, c] += neu1e[c]
    return loss


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def sg_hs_centre(W_in, objective, sentence, pos, lo, hi, lr, neu1, neu1e, ints, state, compute_loss):
    W_out, codes, points, codelens = objective
    w = sentence[pos]
    loss = 0.0
    for cpos in range(lo, hi):
        if cpos != pos:
            loss += sg_hs_step(W_in, W_out, sentence[cpos], w, codes, points, codelens, lr,
                               neu1e, compute_loss)
    return loss, hi - lo - 1, state


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def cbow_hs_step(W_in, W_out, contexts, centre, codes, points, codelens, lr, neu1, neu1e, mean,
                 compute_loss):
    """One CBOW HS update for a window (``W_in[c_j] -= lr * dh`` as word2vec.c); h is neu1[0]."""
    cbow_hidden(W_in, contexts, neu1, mean)
    neu1e[:] = 0.0
    loss = hs_output(neu1, 0, W_out, codes, points, codelens, centre, lr, neu1e, compute_loss)
    cbow_scatter(W_in, contexts, neu1e)
    return loss


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def cbow_hs_centre(W_in, objective, sentence, pos, lo, hi, lr, neu1, neu1e, ints, state, compute_loss):
    W_out, codes, points, codelens, mean = objective
    w = sentence[pos]
    n = window_contexts(sentence, pos, lo, hi, ints)
    if n == 0:
        return 0.0, 0, state
    loss = cbow_hs_step(W_in, W_out, ints[:n], w, codes, points, codelens, lr, neu1, neu1e,
                        mean, compute_loss)
    return loss, 1, state
