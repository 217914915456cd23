"""The word2vec.c training loop, written once: subsampling, reduced window, lr decay, RNG.

``window_block`` trains one block of sentences, one piece per thread, and calls an objective's
*centre step* for every kept centre word with the bounds of its (reduced) window. The centre
step is a jitted function passed as an argument, so numba compiles one specialised loop per
objective. ``window_block_serial`` is bit-reproducible under a seed;
``window_block_parallel`` runs the pieces on Hogwild threads sharing the embedding rows.
"""
import numpy as np
from numba import njit, prange

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


def _window_block(centre_step, W_in, objective, work, window, n_noise, lr_start, lr_end,
                  compute_loss, stats):
    """Train one block. ``work = (ids, offsets, piece_starts, seeds, keep)``; ``objective`` is
    the tuple the centre step unpacks (output matrix, noise table or tree...); ``n_noise`` is
    the number of noise words a step draws (0 without negative sampling). The lr falls
    linearly from ``lr_start`` to ``lr_end`` across each piece. ``stats[p] = (loss, examples)``.
    """
    ids, offsets, piece_starts, seeds, keep = work
    n_pieces = seeds.shape[0]
    dim = W_in.shape[1]
    longest = max_sentence_length(offsets, piece_starts[0], piece_starts[n_pieces])
    for p in prange(n_pieces):
        state = seeds[p]
        # CBOW's hidden vector (row 0); one error row per context for shared negatives
        neu1 = np.zeros((2 * window + 1, dim), dtype=np.float32)
        neu1e = np.zeros(dim, dtype=np.float32)
        ints = np.empty(2 * window + n_noise + 1, dtype=np.int32)
        sentence = np.empty(longest, dtype=np.int32)
        first_word = offsets[piece_starts[p]]
        piece_words = max(offsets[piece_starts[p + 1]] - first_word, 1)
        loss = 0.0
        examples = 0
        for s in range(piece_starts[p], piece_starts[p + 1]):
            n, state = subsample(ids, offsets[s], offsets[s + 1], keep, sentence, state)
            raw_len = offsets[s + 1] - offsets[s]
            for pos in range(n):
                done = offsets[s] - first_word + pos * raw_len / n
                lr = np.float32(lr_start + (lr_end - lr_start) * done / piece_words)
                lo, hi, state = reduced_window(pos, n, window, state)
                step_loss, step_examples, state = centre_step(
                    W_in, objective, sentence, pos, lo, hi, lr, neu1, neu1e, ints, state, compute_loss)
                loss += step_loss
                examples += step_examples
        stats[p, 0] = loss
        stats[p, 1] = examples


window_block_serial = njit(fastmath=config.FASTMATH, cache=config.CACHE)(_window_block)
window_block_parallel = njit(fastmath=config.FASTMATH, cache=config.CACHE, parallel=True)(_window_block)


@njit(cache=config.CACHE)
def draw_noise(noise, out, start, count, state):
    """Fill out[start:start+count] with words drawn from the noise table (uniform slots)."""
    size = noise.shape[0]
    for k in range(count):
        state = lcg_next(state)
        out[start + k] = noise[uniform_index(state, size)]
    return state


@njit(cache=config.CACHE)
def window_contexts(sentence, pos, lo, hi, out):
    """Copy the context words of a window into ``out``; return how many."""
    n = 0
    for cpos in range(lo, hi):
        if cpos != pos:
            out[n] = sentence[cpos]
            n += 1
    return n
