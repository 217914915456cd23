"""CBOW kernels: the mean (or sum) of the context rows predicts the centre word.

word2vec.c's CBOW branch: ``neu1`` = sum of the context rows, divided by their number for the
mean; a head (negative sampling here, hierarchical softmax in ``hs.py``) accumulates
-lr * dL/dh in ``neu1e``; then ``neu1e`` is added to *every* context row, for the mean too
(the C tool and gensim do not divide it by the number of contexts; reference/cbow.py returns
this dh beside the true gradient). The maths is in ``reference/cbow.py``.
"""
import numpy as np
from numba import njit, prange

from .. import config
from ._noise import draw_noise
from ._output import ns_output
from ._windows import (compile_block, max_sentence_length, position_lr, reduced_window, subsample,
                       window_contexts)


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def cbow_hidden(W_in, contexts, n_ctx, neu1, mean):
    """neu1[0] = sum (or mean) of W_in[contexts[:n_ctx]], in a (1, D) buffer (see _output.py)."""
    for c in range(neu1.shape[1]):
        neu1[0, c] = 0.0
    for j in range(n_ctx):
        for c in range(neu1.shape[1]):
            neu1[0, c] += W_in[contexts[j], c]
    if mean:
        inv = np.float32(1.0) / np.float32(n_ctx)
        for c in range(neu1.shape[1]):
            neu1[0, c] *= inv


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def cbow_scatter(W_in, contexts, n_ctx, neu1e):
    """W_in[c_j] += neu1e for every context word (word2vec.c's "hidden -> in")."""
    for j in range(n_ctx):
        for c in range(neu1e.shape[0]):
            W_in[contexts[j], c] += neu1e[c]


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def cbow_ns_step(W_in, W_out, contexts, n_ctx, centre, negatives, lr, neu1, neu1e, mean,
                 compute_loss):
    """One CBOW negative-sampling update for a window (contexts[:n_ctx]). Equals ``W_out -= lr * dW_out`` and
    ``W_in[c_j] -= lr * dh`` of ``reference.cbow`` (distinct noise words); h is neu1[0].
    Returns the loss."""
    cbow_hidden(W_in, contexts, n_ctx, neu1, mean)
    for c in range(neu1e.shape[0]):
        neu1e[c] = 0.0
    loss = ns_output(neu1, 0, W_out, centre, negatives, lr, neu1e, compute_loss)
    cbow_scatter(W_in, contexts, n_ctx, neu1e)
    return loss




def _cbow_ns_block(W_in, W_out, noise, negative, mean, work, window, lr_start, lr_end,
                   compute_loss, stats):
    """Train one block of sentences, one piece per thread (``work = (ids, offsets,
    piece_starts, seeds, keep)``; ``noise = (accept, alias)``, see ``_noise.py``): every
    window's contexts predict its centre against K fresh noise words.
    ``stats[p] = (loss, windows)`` of piece p."""
    ids, offsets, piece_starts, seeds, keep = work
    accept, alias = noise
    n_pieces = seeds.shape[0]
    dim = W_in.shape[1]
    longest = max_sentence_length(offsets, piece_starts[0], piece_starts[n_pieces])
    for p in prange(n_pieces):
        state = seeds[p]
        sentence = np.empty(longest, dtype=np.int32)
        contexts = np.empty(2 * window, dtype=np.int32)
        negatives = np.empty(negative, dtype=np.int32)
        neu1 = np.zeros((1, dim), dtype=np.float32)
        neu1e = np.zeros(dim, dtype=np.float32)
        first_word = offsets[piece_starts[p]]
        piece_words = max(offsets[piece_starts[p + 1]] - first_word, 1)
        loss = 0.0
        windows = 0
        for s in range(piece_starts[p], piece_starts[p + 1]):
            n, state = subsample(ids, offsets[s], offsets[s + 1], keep, sentence, state)
            for pos in range(n):
                lr = position_lr(lr_start, lr_end, offsets, s, first_word, piece_words, pos, n)
                lo, hi, state = reduced_window(pos, n, window, state)
                n_ctx = window_contexts(sentence, pos, lo, hi, contexts)
                if n_ctx == 0:
                    continue
                state = draw_noise(accept, alias, negatives, 0, negative, state)
                loss += cbow_ns_step(W_in, W_out, contexts, n_ctx, sentence[pos], negatives, lr,
                                     neu1, neu1e, mean, compute_loss)
                windows += 1
        stats[p, 0] = loss
        stats[p, 1] = windows


cbow_ns_block_serial, cbow_ns_block_parallel = compile_block(_cbow_ns_block)
