"""Full-softmax kernels, batched so the O(V D) work per example is matrix-shaped.

The maths is in ``reference/softmax_sg.py``: every output row moves on every example, so
examples are gathered into batches of ``batch`` and trained with three matrix products
(``S = H W_out^T``, ``dH = dS W_out``, ``dW_out = dS^T H``), numba handing them to BLAS.
One batch step equals ``W -= lr * gradient of the batch's summed loss`` (minibatch SGD,
where the other objectives update after every example).

An *example* is a set of input rows and a centre word: one context row for skip-gram (the
context predicts the centre, as word2vec.c), all the window's context rows for CBOW (their
mean or sum is h; dH goes to every row, as word2vec.c does for CBOW).
"""
import numpy as np
from numba import njit, prange

from .. import config
from ._windows import (compile_block, max_sentence_length, piece_words, position_lr, reduced_window,
                       subsample)


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def softmax_step(W_in, W_out, rows, n_rows, centres, lr, mean, H):
    """One minibatch update. ``rows[b, :n_rows[b]]`` are example b's input rows; ``H`` is
    (B, D) scratch. Returns the summed loss -sum_b log softmax(W_out h_b)[centre_b]."""
    B = centres.shape[0]
    dim = W_in.shape[1]
    for b in range(B):                                   # h_b = sum (or mean) of its input rows
        H[b, :] = 0.0
        for j in range(n_rows[b]):
            H[b, :] += W_in[rows[b, j]]
        if mean:
            H[b, :] /= np.float32(n_rows[b])
    Hb = H[:B]
    S = np.dot(Hb, W_out.T)                              # (B, V) scores
    loss = 0.0
    for b in range(B):                                   # S becomes dL/dS = softmax(S) - onehot
        top = S[b].max()
        centre_score = S[b, centres[b]] - top
        total = np.float32(0.0)
        for v in range(S.shape[1]):
            S[b, v] = np.exp(S[b, v] - top)
            total += S[b, v]
        loss += np.log(total) - centre_score             # -log p = log sum exp(s - top) - (s_c - top)
        S[b] /= total
        S[b, centres[b]] -= 1.0
    dH = np.dot(S, W_out)                                # (B, D), with the old W_out
    dW_out = np.dot(S.T, Hb)                             # (V, D)
    W_out -= lr * dW_out
    for b in range(B):
        for j in range(n_rows[b]):
            for c in range(dim):
                W_in[rows[b, j], c] -= lr * dH[b, c]
    return loss


def _softmax_block(W_in, W_out, work, window, cbow, mean, batch, lr_start, lr_end, stats):
    """Train one block of sentences with the full softmax, one piece per thread.

    Skip-gram makes one example per (context, centre) pair, CBOW one per window; a batch is
    trained when full (and at the end of a piece) at the lr of that moment.
    """
    ids, offsets, piece_starts, seeds, keep = work
    n_pieces = seeds.shape[0]
    dim = W_in.shape[1]
    longest = max_sentence_length(offsets, piece_starts[0], piece_starts[n_pieces])
    width = 2 * window if cbow else 1
    for p in prange(n_pieces):
        state = seeds[p]
        sentence = np.empty(longest, dtype=np.int32)
        rows = np.empty((batch, width), dtype=np.int32)
        n_rows = np.zeros(batch, dtype=np.int32)
        centres = np.empty(batch, dtype=np.int32)
        H = np.empty((batch, dim), dtype=np.float32)
        first_word, n_words = piece_words(offsets, piece_starts, p)
        loss = 0.0
        examples = 0
        filled = 0
        lr = np.float32(lr_start)
        for s in range(piece_starts[p], piece_starts[p + 1]):
            n, state = subsample(ids, offsets[s], offsets[s + 1], keep, sentence, state)
            for pos in range(n):
                lr = position_lr(lr_start, lr_end, offsets, s, first_word, n_words, pos, n)
                lo, hi, state = reduced_window(pos, n, window, state)
                for cpos in range(lo, hi):
                    if cpos == pos:
                        continue
                    if cbow:
                        rows[filled, n_rows[filled]] = sentence[cpos]
                        n_rows[filled] += 1
                        continue
                    rows[filled, 0] = sentence[cpos]
                    n_rows[filled] = 1
                    centres[filled] = sentence[pos]
                    filled += 1
                    if filled == batch:
                        loss += softmax_step(W_in, W_out, rows, n_rows, centres, lr, mean, H)
                        examples += filled
                        filled = 0
                if cbow:
                    if n_rows[filled] > 0:
                        centres[filled] = sentence[pos]
                        filled += 1
                        if filled == batch:
                            loss += softmax_step(W_in, W_out, rows, n_rows, centres, lr, mean, H)
                            examples += filled
                            filled = 0
                    n_rows[filled] = 0
        if filled > 0:
            loss += softmax_step(W_in, W_out, rows[:filled], n_rows[:filled], centres[:filled],
                                 lr, mean, H)
            examples += filled
        stats[p, 0] = loss
        stats[p, 1] = examples


softmax_block_serial, softmax_block_parallel = compile_block(_softmax_block)
