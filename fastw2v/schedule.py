"""How an epoch is cut into parallel work, and the learning rate at each point of training.

The driver calls a kernel once per *block* (about ``threads x BLOCK_WORDS_PER_THREAD`` words);
each block is cut at sentence boundaries into one *piece* per thread with about the same number
of words. Between blocks the driver reports progress. Within a piece the kernel lowers the
learning rate linearly from the block's start value to its end value, so across all threads
the rate follows one line from ``alpha`` to ``min_alpha`` over all the words of all epochs
(word2vec.c decays by the shared ``word_count_actual`` in the same way).
"""
import numpy as np


def plan_pieces(offsets, n_threads, words_per_thread):
    """Sentence indices cutting the corpus into blocks of ``n_threads`` pieces.

    Returns a list with one ``(n_threads + 1,)`` int64 array per block: piece ``p`` of that
    block is sentences ``[starts[p], starts[p + 1])``. Pieces may be empty when a block has
    fewer sentences than threads.
    """
    n_sentences = offsets.size - 1
    total = int(offsets[-1])
    n_blocks = block_count(total, n_threads, words_per_thread)
    cuts = np.searchsorted(offsets, np.linspace(0, total, n_blocks * n_threads + 1), side="left")
    cuts = np.clip(cuts, 0, n_sentences).astype(np.int64)
    cuts[0], cuts[-1] = 0, n_sentences
    return [cuts[b * n_threads:(b + 1) * n_threads + 1] for b in range(n_blocks)]


def block_count(n_words, n_threads, words_per_thread):
    """Blocks of ``n_threads`` pieces of about ``words_per_thread`` words for ``n_words``."""
    return max(1, -(-n_words // max(n_threads * words_per_thread, 1)))


def planned_blocks(ids, offsets, n_threads, words_per_thread):
    """``(ids, offsets, starts)`` of each block of ``plan_pieces``, counted from the block's
    start (the kernels see each block alone), for a corpus held in memory."""
    for starts in plan_pieces(offsets, n_threads, words_per_thread):
        first = int(offsets[starts[0]])
        block_offsets = offsets[starts[0]:starts[-1] + 1] - first
        yield ids[first:first + int(block_offsets[-1])], block_offsets, starts - starts[0]


def segments(offsets, max_tokens):
    """Sentence ranges [s0, s1) of at most ``max_tokens`` words (a longer sentence alone), in
    order: the CUDA driver's segments, each copied to the device whole."""
    s0, n = 0, offsets.size - 1
    while s0 < n:
        s1 = int(np.searchsorted(offsets, offsets[s0] + max_tokens, side="right")) - 1
        s1 = min(max(s1, s0 + 1), n)
        yield s0, s1
        s0 = s1


def planned_segments(ids, offsets, max_tokens):
    """``(ids, offsets)`` of each of ``segments``, offsets counted from its start, for a corpus
    held in memory."""
    for s0, s1 in segments(offsets, max_tokens):
        first = int(offsets[s0])
        seg_offsets = offsets[s0:s1 + 1] - first
        yield ids[first:first + int(seg_offsets[-1])], seg_offsets


def linear_lr(progress, alpha, min_alpha):
    """Learning rate after a fraction ``progress`` in [0, 1] of all training words. Never
    below ``min_alpha``, as gensim's: a ``min_alpha`` above ``alpha`` trains at ``min_alpha``
    throughout."""
    return max(min_alpha, alpha - (alpha - min_alpha) * min(max(progress, 0.0), 1.0))
