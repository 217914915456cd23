"""Skip-gram with negative sampling: Numba kernels (the maths is in ``reference/sgns.py``).

Semantics follow word2vec.c's TrainModelThread (skip-gram branch):

* for each centre word a window shrink ``b`` is drawn uniformly in [0, window) and the
  contexts are the words within ``window - b`` positions (the "reduced window");
* frequent words are dropped on the fly before windowing, so the window spans the kept words;
* the *context* word's input row ``W_in[ctx]`` (syn0) predicts the *centre* word through
  ``W_out`` (syn1neg) against K noise words;
* the error for ``W_in[ctx]`` accumulates in ``neu1e`` while each ``W_out`` row is updated
  with the not-yet-updated input row; ``W_in[ctx]`` is updated last.
"""
import numpy as np
from numba import njit, prange

from .. import config
from ._rng import lcg_next, uniform_16bit, uniform_index
from ._sigmoid import sigmoid_and_softplus


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def sgns_step(W_in, W_out, ctx, centre, negatives, lr, neu1e, compute_loss):
    """One SGNS update for the pair (context ``ctx`` -> centre ``centre``), in place.

    Equals ``W -= lr * reference.sgns.backward(...)`` for one pair whose noise words are
    distinct (a repeated noise word sees its own first update, as in word2vec.c).
    Returns the pair's loss (0 when ``compute_loss`` is False).
    """
    dim = W_in.shape[1]
    for c in range(dim):
        neu1e[c] = 0.0
    loss = 0.0
    for k in range(negatives.shape[0] + 1):
        if k == 0:
            target = centre
            label = np.float32(1.0)
        else:
            target = negatives[k - 1]
            if target == centre:        # word2vec.c: a noise word equal to the centre is skipped
                continue
            label = np.float32(0.0)
        f = np.float32(0.0)
        for c in range(dim):
            f += W_in[ctx, c] * W_out[target, c]
        sig, nll = sigmoid_and_softplus(f)
        if compute_loss:
            # -log sigma(f) for the real pair; -log sigma(-f) = -log sigma(f) + f for noise
            loss += nll if k == 0 else nll + f
        # g = -lr * dL/ds = lr * (label - sigma(f))
        g = (label - sig) * lr
        for c in range(dim):
            neu1e[c] += g * W_out[target, c]          # dL/dh, with the old W_out row
            W_out[target, c] += g * W_in[ctx, c]      # dL/dW_out, with the old W_in row
    for c in range(dim):
        W_in[ctx, c] += neu1e[c]
    return loss


def _sgns_block(W_in, W_out, work, noise, window, negative, lr_start, lr_end, compute_loss, stats):
    """Train on one block of sentences, one piece of it per thread.

    ``work = (ids, offsets, piece_starts, seeds, keep)``: the encoded corpus, the sentence
    index where each piece starts (``n_pieces + 1`` entries), one RNG state per piece, and
    the subsampling keep-probabilities. The learning rate falls linearly from ``lr_start`` to
    ``lr_end`` across each piece. ``stats[p] = (loss, pairs)`` for piece ``p``.
    """
    ids, offsets, piece_starts, seeds, keep = work
    n_pieces = seeds.shape[0]
    dim = W_in.shape[1]
    table_size = noise.shape[0]
    max_len = 0
    for s in range(piece_starts[0], piece_starts[n_pieces]):
        max_len = max(max_len, offsets[s + 1] - offsets[s])
    for p in prange(n_pieces):
        state = seeds[p]
        neu1e = np.zeros(dim, dtype=np.float32)
        sentence = np.empty(max_len, dtype=np.int32)
        negatives = np.empty(negative, dtype=np.int32)
        first_word = offsets[piece_starts[p]]
        piece_words = max(offsets[piece_starts[p + 1]] - first_word, 1)
        loss = 0.0
        pairs = 0
        for s in range(piece_starts[p], piece_starts[p + 1]):
            # Subsample: keep word w with probability keep[w] (word2vec.c's formula, vocab.py).
            n = 0
            for j in range(offsets[s], offsets[s + 1]):
                w = ids[j]
                if keep[w] < 1.0:
                    state = lcg_next(state)
                    if keep[w] < uniform_16bit(state):
                        continue
                sentence[n] = w
                n += 1
            raw_len = offsets[s + 1] - offsets[s]
            for pos in range(n):
                done = offsets[s] - first_word + pos * raw_len / n
                lr = np.float32(lr_start + (lr_end - lr_start) * done / piece_words)
                centre = sentence[pos]
                state = lcg_next(state)
                shrink = uniform_index(state, window)
                lo = max(pos - window + shrink, 0)
                hi = min(pos + window - shrink + 1, n)
                for cpos in range(lo, hi):
                    if cpos == pos:
                        continue
                    for k in range(negative):
                        state = lcg_next(state)
                        negatives[k] = noise[uniform_index(state, table_size)]
                    loss += sgns_step(W_in, W_out, sentence[cpos], centre, negatives, lr,
                                      neu1e, compute_loss)
                    pairs += 1
        stats[p, 0] = loss
        stats[p, 1] = pairs


sgns_block_serial = njit(fastmath=config.FASTMATH, cache=config.CACHE)(_sgns_block)
sgns_block_parallel = njit(fastmath=config.FASTMATH, cache=config.CACHE, parallel=True)(_sgns_block)
