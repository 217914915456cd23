"""Hierarchical-softmax kernels for skip-gram and CBOW (the maths is in ``reference/hs.py``).

The output matrix is word2vec.c's syn1: one row per inner node of the Huffman tree (V-1).
No noise words are drawn: the centre word's path ``points[w, :codelens[w]]`` with branch bits
``codes[w]`` are the targets (label 1 - code, word2vec.c's ``g = (1 - code - f) * alpha``);
``hs_targets`` copies them into a thread's buffers, where the parallel kernels rename the nodes
nearest the root to the thread's own copies (``_staging.py``).

Skip-gram HS trains pair by pair as word2vec.c: each context row walks the centre's path and
updates its nodes. An exact window-at-a-time form (all contexts' scores from the old node rows
and the contexts' Gram matrix, each node row written once per window) was the default while the
threads shared the nodes near the root: it scaled better because it wrote them once per window
instead of once per pair.
Once those nodes were staged per thread, pair by pair was the faster of the two, at one and
two threads (bench_results/decisions.md#hs-pair-by-pair), and the window form was removed.
"""
import numpy as np
from numba import njit, prange

from .. import config
from ._output import hs_output
from ._prefetch import prefetch_path, prefetch_row
from ._staging import merge_due, merge_stage, stage_rows, thread_stage
from ._windows import (compile_block, max_sentence_length, piece_words, position_lr, reduced_window,
                       subsample)
from .cbow import add_window, batch_buffers, cbow_hidden, cbow_scatter


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def sg_hs_step(W_in, W_out, ctx, targets, labels, n_targets, lr, neu1e, G, compute_loss):
    """One skip-gram HS update: context ``ctx`` -> the centre whose Huffman path is
    ``targets[:n_targets]`` with labels ``labels`` (``hs_targets``).
    Scratch: ``neu1e`` (1, D), ``G`` (>= n_targets,)."""
    for c in range(W_in.shape[1]):
        neu1e[0, c] = 0.0
    loss = hs_output(W_in, ctx, W_out, targets, labels, n_targets, lr, neu1e, 0, G, compute_loss)
    for c in range(W_in.shape[1]):
        W_in[ctx, c] += neu1e[0, c]
    return loss


@njit(cache=config.CACHE)
def hs_targets(w, codes, points, codelens, targets, labels):
    """Copy word w's path into thread-local buffers: nodes and labels 1 - code. Returns its length."""
    for d in range(codelens[w]):
        targets[d] = points[w, d]
        labels[d] = np.float32(1.0) - np.float32(codes[w, d])
    return codelens[w]


def _sg_hs_block(W_in, W_out, tree, stage, work, window, lr_start, lr_end, compute_loss, stats):
    """Train one block of sentences, one piece per thread (``work = (ids, offsets,
    piece_starts, seeds, keep)``; ``tree = (codes, points, codelens)``; ``stage``: the nodes
    each thread trains a copy of, ``_staging.py``), pair by pair as word2vec.c: the centre's
    path is copied once per window. ``stats[p] = (loss, pairs)`` of piece p."""
    ids, offsets, piece_starts, seeds, keep = work
    codes, points, codelens = tree
    n_pieces = seeds.shape[0]
    dim = W_in.shape[1]
    depth = points.shape[1]
    longest = max_sentence_length(offsets, piece_starts[0], piece_starts[n_pieces])
    for p in prange(n_pieces):
        mine = thread_stage(stage, p)
        merge_stage(W_out, stage, p, True)
        state = seeds[p]
        sentence = np.empty(longest, dtype=np.int32)
        targets = np.empty(depth, dtype=np.int32)
        labels = np.empty(depth, dtype=np.float32)
        neu1e = np.zeros((1, dim), dtype=np.float32)
        G = np.empty(depth, dtype=np.float32)
        first_word, n_words = piece_words(offsets, piece_starts, p)
        loss = 0.0
        pairs = since_merge = 0
        for s in range(piece_starts[p], piece_starts[p + 1]):
            n, state = subsample(ids, offsets[s], offsets[s + 1], keep, sentence, state)
            for pos in range(n):
                lr = position_lr(lr_start, lr_end, offsets, s, first_word, n_words, pos, n)
                lo, hi, state = reduced_window(pos, n, window, state)
                if pos + 1 < n:
                    prefetch_path(W_out, points, codelens, sentence[pos + 1], mine)
                if pos + window + 1 < n:
                    prefetch_row(W_in, sentence[pos + window + 1])
                since_merge = merge_due(W_out, stage, p, since_merge + 1)
                n_targets = hs_targets(sentence[pos], codes, points, codelens, targets, labels)
                stage_rows(targets, 0, n_targets, mine)
                for cpos in range(lo, hi):
                    if cpos != pos:
                        loss += sg_hs_step(W_in, W_out, sentence[cpos], targets, labels, n_targets,
                                           lr, neu1e, G, compute_loss)
                        pairs += 1
        merge_stage(W_out, stage, p, False)
        stats[p, 0] = loss
        stats[p, 1] = pairs


sg_hs_block_serial, sg_hs_block_parallel = compile_block(_sg_hs_block)


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def cbow_hs_step(W_in, W_out, contexts, n_ctx, n_windows, targets, labels, n_targets, lrs,
                 H, E, G, mean, compute_loss):
    """CBOW hierarchical softmax for a batch of windows (arguments as ``cbow.cbow_ns_step``;
    window b's centre has the path ``targets[b, :n_targets[b]]`` with ``labels[b]``, from
    ``hs_targets``): hidden vectors first, then each window's path, the input rows last.
    Scratch: ``H``, ``E`` (>= n_windows, D), ``G`` (>= the longest path,). Returns the loss."""
    cbow_hidden(W_in, contexts, n_ctx, n_windows, H, E, mean)
    loss = 0.0
    for b in range(n_windows):
        loss += hs_output(H, b, W_out, targets[b], labels[b], n_targets[b], lrs[b], E, b, G,
                          compute_loss)
    cbow_scatter(W_in, contexts, n_ctx, n_windows, E)
    return loss


def _cbow_hs_block(W_in, W_out, tree, mean, batch, stage, work, window, lr_start, lr_end,
                   compute_loss, stats):
    """Train one block of sentences with CBOW and hierarchical softmax, in batches of
    ``batch`` windows as ``cbow._cbow_ns_block`` (``tree = (codes, points, codelens)``,
    ``stage`` as in ``_sg_hs_block``). ``stats[p] = (loss, windows)`` of piece p."""
    ids, offsets, piece_starts, seeds, keep = work
    codes, points, codelens = tree
    n_pieces = seeds.shape[0]
    dim = W_in.shape[1]
    longest = max_sentence_length(offsets, piece_starts[0], piece_starts[n_pieces])
    for p in prange(n_pieces):
        mine = thread_stage(stage, p)
        merge_stage(W_out, stage, p, True)
        state = seeds[p]
        sentence = np.empty(longest, dtype=np.int32)
        contexts, n_ctx, centres, lrs, H, E = batch_buffers(batch, window, dim)
        targets = np.empty((batch, points.shape[1]), dtype=np.int32)
        labels = np.empty((batch, points.shape[1]), dtype=np.float32)
        n_targets = np.empty(batch, dtype=np.int64)
        G = np.empty(points.shape[1], dtype=np.float32)
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
                    n_targets[b] = hs_targets(centres[b], codes, points, codelens, targets[b],
                                              labels[b])
                    stage_rows(targets[b], 0, n_targets[b], mine)
                    b += 1
                    prefetch_path(W_out, points, codelens, sentence[pos], mine)
                    if pos + window + 1 < n:
                        prefetch_row(W_in, sentence[pos + window + 1])
                if b == batch or (pos == n - 1 and b > 0):
                    loss += cbow_hs_step(W_in, W_out, contexts, n_ctx, b, targets, labels, n_targets,
                                         lrs, H, E, G, mean, compute_loss)
                    windows += b
                    since_merge = merge_due(W_out, stage, p, since_merge + b)
                    b = 0
        merge_stage(W_out, stage, p, False)
        stats[p, 0] = loss
        stats[p, 1] = windows


cbow_hs_block_serial, cbow_hs_block_parallel = compile_block(_cbow_hs_block)
