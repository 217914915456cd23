"""Skip-gram with negative sampling: Numba kernels (the maths is in ``reference/sgns.py``).

Semantics follow word2vec.c's TrainModelThread (skip-gram branch; the shared loop is described
in ``_windows.py``): for every context word in the reduced window of a centre word, the *context*
word's input row ``W_in[ctx]`` (syn0) predicts the *centre* word through ``W_out`` (syn1neg)
against K noise words. The error for ``W_in[ctx]`` accumulates in ``neu1e`` while each
``W_out`` row is updated with the not-yet-updated input row; ``W_in[ctx]`` is updated last.
"""
import numpy as np
from numba import njit, prange

from .. import config
from ._noise import draw_noise
from ._output import batch_output, ns_output
from ._prefetch import prefetch_next_window, prefetch_rows
from ._staging import merge_due, merge_stage, stage_rows, staged_row, thread_stage
from ._windows import (compile_block, max_sentence_length, piece_words, position_lr, reduced_window,
                       subsample, window_contexts)


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def sgns_step(W_in, W_out, ctx, centre, negatives, lr, neu1e, compute_loss):
    """One SGNS update for the pair (context ``ctx`` -> centre ``centre``), in place.

    Equals ``W -= lr * reference.sgns.backward(...)`` for one pair whose noise words are
    distinct (a repeated noise word sees its own first update, as in word2vec.c).
    Scratch: ``neu1e`` (1, D). Returns the pair's loss (0 when ``compute_loss`` is False).
    """
    for c in range(W_in.shape[1]):
        neu1e[0, c] = 0.0
    loss = ns_output(W_in, ctx, W_out, centre, negatives, 0, negatives.shape[0], lr, neu1e, 0,
                     compute_loss)
    for c in range(W_in.shape[1]):                  # the input row moves last
        W_in[ctx, c] += neu1e[0, c]
    return loss


@njit(cache=config.CACHE)
def ns_targets(centre, negatives, n_negatives, targets, labels):
    """The targets of a negative-sampling window: the centre (label 1), then the noise words
    (label 0) except any equal to the centre, which word2vec.c skips. Returns their number."""
    targets[0] = centre
    labels[0] = 1.0
    n = 1
    for k in range(n_negatives):
        if negatives[k] != centre:
            targets[n] = negatives[k]
            labels[n] = 0.0
            n += 1
    return n


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def sgns_shared_step(W_in, W_out, contexts, centre, negatives, lr, neu1e, acc, compute_loss):
    """SGNS for a whole window with shared noise words ("HogBatch", Ji et al. 2016): all the
    context rows predict the centre against the *same* K noise words (``_output.batch_output``).
    With distinct targets this equals ``W -= lr * grad`` of the reference SGNS loss summed over
    the window's pairs.
    Scratch: ``neu1e`` (>= len(contexts), D), ``acc`` (D,). Returns the loss.
    """
    targets = np.empty(negatives.shape[0] + 1, dtype=np.int32)
    labels = np.empty(negatives.shape[0] + 1, dtype=np.float32)
    n_targets = ns_targets(centre, negatives, negatives.shape[0], targets, labels)
    G = np.empty((n_targets, contexts.shape[0]), dtype=np.float32)
    return batch_output(W_in, contexts, contexts.shape[0], W_out, targets, labels, n_targets, lr,
                        neu1e, acc, G, compute_loss)


def _sgns_block(W_in, W_out, noise, negative, shared, stage, work, window, lr_start, lr_end,
                compute_loss, stats):
    """Train one block of sentences, one piece per thread (``work = (ids, offsets,
    piece_starts, seeds, keep)``; ``noise = (accept, alias)``, see ``_noise.py``; ``stage``:
    the hottest output rows each thread trains a copy of, ``_staging.py``).

    ``shared``: the window's contexts share K noise words drawn once per window and train as
    one minibatch (the default: about twice the words/s at equal quality,
    bench_results/decisions.md#window-minibatches); otherwise every (context -> centre) pair
    draws K fresh noise words, exactly as word2vec.c.
    ``stats[p] = (loss, pairs)`` of piece p.
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
        contexts = np.empty(2 * window, dtype=np.int32)
        negatives = np.empty(negative, dtype=np.int32)
        upcoming = np.empty(negative, dtype=np.int32)
        targets = np.empty(negative + 1, dtype=np.int32)
        labels = np.empty(negative + 1, dtype=np.float32)
        neu1e = np.zeros((max(2 * window, 1), dim), dtype=np.float32)
        acc = np.zeros(dim, dtype=np.float32)
        G = np.zeros((negative + 1, max(2 * window, 1)), dtype=np.float32)
        first_word, n_words = piece_words(offsets, piece_starts, p)
        loss = 0.0
        pairs = since_merge = 0
        for s in range(piece_starts[p], piece_starts[p + 1]):
            n, state = subsample(ids, offsets[s], offsets[s + 1], keep, sentence, state)
            if shared:      # noise words are drawn a window ahead so that their rows prefetch
                state = draw_noise(accept, alias, upcoming, 0, negative, state)
                stage_rows(upcoming, 0, negative, mine)
            for pos in range(n):
                lr = position_lr(lr_start, lr_end, offsets, s, first_word, n_words, pos, n)
                lo, hi, state = reduced_window(pos, n, window, state)
                centre = staged_row(sentence[pos], mine)
                prefetch_next_window(W_in, W_out, sentence, pos, n, window, mine)
                since_merge = merge_due(W_out, stage, p, since_merge + 1)
                if shared:
                    negatives, upcoming = upcoming, negatives
                    state = draw_noise(accept, alias, upcoming, 0, negative, state)
                    stage_rows(upcoming, 0, negative, mine)
                    prefetch_rows(W_out, upcoming, negative)
                    n_ctx = window_contexts(sentence, pos, lo, hi, contexts)
                    if n_ctx == 0:
                        continue
                    n_targets = ns_targets(centre, negatives, negative, targets, labels)
                    loss += batch_output(W_in, contexts, n_ctx, W_out, targets, labels, n_targets,
                                         lr, neu1e, acc, G, compute_loss)
                    pairs += n_ctx
                else:
                    for cpos in range(lo, hi):
                        if cpos != pos:
                            state = draw_noise(accept, alias, negatives, 0, negative, state)
                            stage_rows(negatives, 0, negative, mine)
                            loss += sgns_step(W_in, W_out, sentence[cpos], centre, negatives, lr,
                                              neu1e, compute_loss)
                            pairs += 1
        merge_stage(W_out, stage, p, False)
        stats[p, 0] = loss
        stats[p, 1] = pairs


sgns_block_serial, sgns_block_parallel = compile_block(_sgns_block)
