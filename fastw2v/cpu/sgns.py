"""Skip-gram with negative sampling: Numba kernels (the maths is in ``reference/sgns.py``).

Semantics follow word2vec.c's TrainModelThread (skip-gram branch), whose loop lives in
``_windows.py``: for every context word in the reduced window of a centre word, the *context*
word's input row ``W_in[ctx]`` (syn0) predicts the *centre* word through ``W_out`` (syn1neg)
against K noise words. The error for ``W_in[ctx]`` accumulates in ``neu1e`` while each
``W_out`` row is updated with the not-yet-updated input row; ``W_in[ctx]`` is updated last.
"""
from numba import njit

from .. import config
from ._output import ns_output
from ._windows import draw_noise


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def sgns_step(W_in, W_out, ctx, centre, negatives, lr, neu1e, compute_loss):
    """One SGNS update for the pair (context ``ctx`` -> centre ``centre``), in place.

    Equals ``W -= lr * reference.sgns.backward(...)`` for one pair whose noise words are
    distinct (a repeated noise word sees its own first update, as in word2vec.c).
    Returns the pair's loss (0 when ``compute_loss`` is False).
    """
    neu1e[:] = 0.0
    loss = ns_output(W_in, ctx, W_out, centre, negatives, lr, neu1e, compute_loss)
    for c in range(W_in.shape[1]):                  # the input row moves last
        W_in[ctx, c] += neu1e[c]
    return loss


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def sgns_centre(W_in, objective, sentence, pos, lo, hi, lr, neu1, neu1e, ints, state, compute_loss):
    """Every (context -> centre) pair of one window, K fresh noise words per pair."""
    W_out, noise, negative = objective
    negatives = ints[:negative]
    loss = 0.0
    for cpos in range(lo, hi):
        if cpos != pos:
            state = draw_noise(noise, ints, 0, negative, state)
            loss += sgns_step(W_in, W_out, sentence[cpos], sentence[pos], negatives, lr, neu1e,
                              compute_loss)
    return loss, hi - lo - 1, state
