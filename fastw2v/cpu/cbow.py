"""CBOW kernels: the mean (or sum) of the context rows predicts the centre word.

word2vec.c's CBOW branch: ``neu1`` = sum of the context rows, divided by their number for the
mean; a head (negative sampling here, hierarchical softmax in ``hs.py``) accumulates
-lr * dL/dh in ``neu1e``; then ``neu1e`` is added to *every* context row, for the mean too
(the C tool and gensim do not divide it by the number of contexts; reference/cbow.py returns
this dh beside the true gradient). The maths is in ``reference/cbow.py``.
"""
import numpy as np
from numba import njit

from .. import config
from ._output import ns_output
from ._windows import draw_noise, window_contexts


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def cbow_hidden(W_in, contexts, neu1, mean):
    """neu1[0] = sum (or mean) of W_in[contexts]; row 0 of the scratch buffer (see _output.py)."""
    for c in range(neu1.shape[1]):
        neu1[0, c] = 0.0
    for j in range(contexts.shape[0]):
        for c in range(neu1.shape[1]):
            neu1[0, c] += W_in[contexts[j], c]
    if mean:
        inv = np.float32(1.0) / np.float32(contexts.shape[0])
        for c in range(neu1.shape[1]):
            neu1[0, c] *= inv


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def cbow_scatter(W_in, contexts, neu1e):
    """W_in[c_j] += neu1e for every context word (word2vec.c's "hidden -> in")."""
    for j in range(contexts.shape[0]):
        for c in range(neu1e.shape[0]):
            W_in[contexts[j], c] += neu1e[c]


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def cbow_ns_step(W_in, W_out, contexts, centre, negatives, lr, neu1, neu1e, mean, compute_loss):
    """One CBOW negative-sampling update for a window. Equals ``W_out -= lr * dW_out`` and
    ``W_in[c_j] -= lr * dh`` of ``reference.cbow`` (distinct noise words); h is neu1[0].
    Returns the loss."""
    cbow_hidden(W_in, contexts, neu1, mean)
    neu1e[:] = 0.0
    loss = ns_output(neu1, 0, W_out, centre, negatives, lr, neu1e, compute_loss)
    cbow_scatter(W_in, contexts, neu1e)
    return loss


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def cbow_ns_centre(W_in, objective, sentence, pos, lo, hi, lr, neu1, neu1e, ints, state, compute_loss):
    """One window: its contexts predict the centre against K fresh noise words."""
    W_out, noise, negative, mean = objective
    n = window_contexts(sentence, pos, lo, hi, ints)
    if n == 0:
        return 0.0, 0, state
    state = draw_noise(noise, ints, n, negative, state)
    loss = cbow_ns_step(W_in, W_out, ints[:n], sentence[pos], ints[n:n + negative], lr, neu1,
                        neu1e, mean, compute_loss)
    return loss, 1, state
