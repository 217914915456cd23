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
from ._prefetch import prefetch_next_window, prefetch_rows
from ._staging import merge_due, merge_stage, stage_rows, thread_stage
from ._windows import (compile_block, max_sentence_length, piece_words, position_lr, reduced_window,
                       subsample)


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def cbow_hidden(W_in, contexts, n_ctx, n_windows, H, E, mean):
    """For every window b < n_windows: H[b] = sum (or mean) of W_in[contexts[b, :n_ctx[b]]],
    and E[b] = 0, where its head will accumulate -lr * dL/dh (word2vec.c's neu1, neu1e)."""
    dim = W_in.shape[1]
    for b in range(n_windows):
        for c in range(dim):
            H[b, c] = 0.0
            E[b, c] = 0.0
        for j in range(n_ctx[b]):
            w = contexts[b, j]
            for c in range(dim):
                H[b, c] += W_in[w, c]
        if mean:
            inv = np.float32(1.0) / np.float32(n_ctx[b])
            for c in range(dim):
                H[b, c] *= inv


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def cbow_scatter(W_in, contexts, n_ctx, n_windows, E):
    """W_in[c] += E[b] for every context word c of every window b (word2vec.c's "hidden ->
    in": the same -lr * dL/dh goes to each context row, for the mean too)."""
    for b in range(n_windows):
        for j in range(n_ctx[b]):
            w = contexts[b, j]
            for c in range(W_in.shape[1]):
                W_in[w, c] += E[b, c]


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def cbow_ns_step(W_in, W_out, contexts, n_ctx, n_windows, centres, negatives, K, lrs, H, E, mean,
                 compute_loss):
    """CBOW negative sampling for a batch of ``n_windows`` windows: window b has contexts
    ``contexts[b, :n_ctx[b]]``, centre ``centres[b]``, noise words ``negatives[b*K:(b+1)*K]``
    and learning rate ``lrs[b]``. All hidden vectors are summed first, the heads run window by
    window, the input rows move last. One window is word2vec.c's CBOW step; with distinct
    targets a batch equals ``W_out -= lr * dW_out`` and ``W_in[c] -= lr * dh`` of
    ``reference.cbow`` summed over its windows. Scratch: ``H``, ``E`` (>= n_windows, D).
    Returns the loss."""
    cbow_hidden(W_in, contexts, n_ctx, n_windows, H, E, mean)
    loss = 0.0
    for b in range(n_windows):
        loss += ns_output(H, b, W_out, centres[b], negatives, b * K, K, lrs[b], E, b, compute_loss)
    cbow_scatter(W_in, contexts, n_ctx, n_windows, E)
    return loss


@njit(cache=config.CACHE)
def batch_buffers(batch, window, dim):
    """Thread-local buffers of a batch of windows: contexts, their counts, centres, learning
    rates, hidden vectors H and their errors E."""
    return (np.empty((batch, 2 * window), dtype=np.int32), np.empty(batch, dtype=np.int64),
            np.empty(batch, dtype=np.int32), np.empty(batch, dtype=np.float32),
            np.zeros((batch, dim), dtype=np.float32), np.zeros((batch, dim), dtype=np.float32))


@njit(cache=config.CACHE)
def add_window(sentence, pos, lo, hi, lr, b, contexts, n_ctx, centres, lrs):
    """Record window b of a batch: its contexts, centre and learning rate. Returns whether it
    has any context (a one-word sentence has none)."""
    m = 0
    for cpos in range(lo, hi):
        if cpos != pos:
            contexts[b, m] = sentence[cpos]
            m += 1
    n_ctx[b] = m
    centres[b] = sentence[pos]
    lrs[b] = lr
    return m > 0


def _cbow_ns_block(W_in, W_out, noise, negative, mean, batch, stage, work, window, lr_start,
                   lr_end, compute_loss, stats):
    """Train one block of sentences, one piece per thread (``work = (ids, offsets,
    piece_starts, seeds, keep)``; ``noise = (accept, alias)``, see ``_noise.py``; ``stage``:
    the hottest output rows each thread trains a copy of, ``_staging.py``).

    Windows are trained in batches of ``batch`` consecutive windows of a sentence
    (``cbow_ns_step``): the batch's noise words are drawn and its rows prefetched together,
    and its hidden vectors are summed before any update. ``batch = 1`` is word2vec.c's order
    exactly. ``stats[p] = (loss, windows)`` of piece p.
    """
    ids, offsets, piece_starts, seeds, keep = work
    accept, alias = noise
    n_pieces = seeds.shape[0]
    dim = W_in.shape[1]
    longest = max_sentence_length(offsets, piece_starts[0], piece_starts[n_pieces])
    for p in prange(n_pieces):
        mine = thread_stage(stage, p)
        merge_stage(W_out, stage, p, True)
        state = seeds[p]
        sentence = np.empty(longest, dtype=np.int32)
        contexts, n_ctx, centres, lrs, H, E = batch_buffers(batch, window, dim)
        negatives = np.empty(batch * negative, dtype=np.int32)
        first_word, n_words = piece_words(offsets, piece_starts, p)
        loss = 0.0
        windows = since_merge = 0
        for s in range(piece_starts[p], piece_starts[p + 1]):
            n, state = subsample(ids, offsets[s], offsets[s + 1], keep, sentence, state)
            b = 0
            for pos in range(n):
                lr = position_lr(lr_start, lr_end, offsets, s, first_word, n_words, pos, n)
                lo, hi, state = reduced_window(pos, n, window, state)
                if add_window(sentence, pos, lo, hi, lr, b, contexts, n_ctx, centres, lrs):
                    stage_rows(centres, b, 1, mine)
                    b += 1
                    prefetch_next_window(W_in, W_out, sentence, pos, n, window, mine)
                if b == batch or (pos == n - 1 and b > 0):
                    state = draw_noise(accept, alias, negatives, 0, b * negative, state)
                    stage_rows(negatives, 0, b * negative, mine)
                    prefetch_rows(W_out, negatives, b * negative)
                    loss += cbow_ns_step(W_in, W_out, contexts, n_ctx, b, centres, negatives, negative,
                                         lrs, H, E, mean, compute_loss)
                    windows += b
                    since_merge = merge_due(W_out, stage, p, since_merge + b)
                    b = 0
        merge_stage(W_out, stage, p, False)
        stats[p, 0] = loss
        stats[p, 1] = windows


cbow_ns_block_serial, cbow_ns_block_parallel = compile_block(_cbow_ns_block)
