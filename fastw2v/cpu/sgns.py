"""Skip-gram with negative sampling: Numba kernels (the maths is in ``reference/sgns.py``).

Semantics follow word2vec.c's TrainModelThread (skip-gram branch), whose loop lives in
``_windows.py``: for every context word in the reduced window of a centre word, the *context*
word's input row ``W_in[ctx]`` (syn0) predicts the *centre* word through ``W_out`` (syn1neg)
against K noise words. The error for ``W_in[ctx]`` accumulates in ``neu1e`` while each
``W_out`` row is updated with the not-yet-updated input row; ``W_in[ctx]`` is updated last.
"""
import numpy as np
from numba import njit

from .. import config
from ._output import ns_output
from ._sigmoid import sigmoid_and_softplus
from ._windows import draw_noise, window_contexts


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


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def sgns_shared_step(W_in, W_out, contexts, centre, negatives, lr, neu1e, acc, compute_loss):
    """SGNS for a whole window with shared noise words ("HogBatch", Ji et al. 2016).

    All m context rows predict the centre against the *same* K noise words. Per target row t,
    for every context i: g_i = lr * (label - sigma(W_in[c_i] . W_out[t])),
    neu1e[i] += g_i * W_out[t] and acc += g_i * W_in[c_i]; then W_out[t] += acc, so every
    context saw the old row. The context rows move last. With distinct targets this equals
    ``W -= lr * grad`` of the reference SGNS loss summed over the window's m pairs (one
    minibatch): each target row is read once per window instead of once per pair, and K noise
    words are drawn per window, not per pair. Scratch: ``neu1e`` (>= m, D), ``acc`` (D,).
    Returns the summed loss.
    """
    m = contexts.shape[0]
    dim = W_in.shape[1]
    for i in range(m):
        for c in range(dim):
            neu1e[i, c] = 0.0
    loss = 0.0
    for k in range(negatives.shape[0] + 1):
        if k == 0:
            target = centre
            label = np.float32(1.0)
        else:
            target = negatives[k - 1]
            if target == centre:
                continue
            label = np.float32(0.0)
        for c in range(dim):
            acc[c] = 0.0
        for i in range(m):
            row = contexts[i]
            f = np.float32(0.0)
            for c in range(dim):
                f += W_in[row, c] * W_out[target, c]
            sig, nll = sigmoid_and_softplus(f)
            g = (label - sig) * lr
            if compute_loss:
                loss += nll if k == 0 else nll + f
            for c in range(dim):
                neu1e[i, c] += g * W_out[target, c]
                acc[c] += g * W_in[row, c]
        for c in range(dim):
            W_out[target, c] += acc[c]
    for i in range(m):
        for c in range(dim):
            W_in[contexts[i], c] += neu1e[i, c]
    return loss


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def sgns_shared_centre(W_in, objective, sentence, pos, lo, hi, lr, neu1, neu1e, ints, state,
                       compute_loss):
    """One window with shared noise words: K draws for all its contexts."""
    W_out, noise, negative = objective
    n = window_contexts(sentence, pos, lo, hi, ints)
    if n == 0:
        return 0.0, 0, state
    state = draw_noise(noise, ints, n, negative, state)
    loss = sgns_shared_step(W_in, W_out, ints[:n], sentence[pos], ints[n:n + negative], lr, neu1,
                            neu1e, compute_loss)
    return loss, n, state
