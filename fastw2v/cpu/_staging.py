"""Per-thread copies of the hottest output rows, merged into the shared rows now and then.

Why: Hogwild threads share every embedding row, and the output rows that every window writes
(the most frequent noise words, the inner nodes near the root of the Huffman tree) bounce
between the cores' caches: each write by one thread invalidates the other's copy. Measured on
text8-head by ``benchmarks/row_contention.py`` (bench_results/row_contention.json, 2 threads
over 1, medians of 3): the serial kernel run from two threads on shared rows scaled CBOW-NS
1.61x, SGNS 1.79x, and skip-gram HS (pair by pair, every pair writes the nodes near the root)
0.57x: two threads were slower than one. On private copies of W_out: 1.95x, 1.92x, 1.91x; on
private copies of W_in: 1.67x, 1.87x, 0.58x. The output rows are where the threads collide.

So the parallel kernels give each thread a private copy of the ``count`` hottest output rows
``[first, first + count)`` and rename those targets to the copy (``staged_row``); the heads
(``_output.py``) index rows as before and never know. Every ``every`` windows, and at the end of
its piece, a thread adds what it changed since the last merge to the shared rows and reloads:

    W[first + h] += copy[h] - snap[h];   copy[h] = snap[h] = W[first + h]

so no update is lost, and the other threads' updates arrive at the next merge (a delay of
``every`` windows on these rows only; all other rows are Hogwild as before). Thread p's copies
live in W_out's spare rows ``[copies + p * count, copies + (p + 1) * count)``, its snapshot in
``snaps[p]``. Two threads merging at once could lose an addition to a row both write at the
same moment, so thread p starts its merge at row ``p * count / threads``: both walk the rows at
the same pace, a fixed distance apart.

With the defaults (``config.STAGED_ROWS = 256`` rows, merged every 1024 windows) the parallel
kernel went from 1.63x to 1.84x (CBOW-NS), 1.79x to 1.86x (SGNS) and 0.60x to 1.91x (skip-gram
HS) in that benchmark, and analogy accuracy and WordSim-353 held against gensim's
(bench_results/compare_gensim.json).
``count = 0`` turns staging off: every function here is then the identity (the serial kernel).
"""
import numpy as np
from numba import njit

from .. import config


def spare_rows(W, spare):
    """A (rows + spare, D) array whose first rows are W: W's own buffer when it already has the
    spare rows after it (the model allocates it so), else a new one holding a copy of W.
    Without spare rows (one thread), W itself."""
    if spare == 0 and W.flags.c_contiguous:
        return W
    base = W.base
    if (isinstance(base, np.ndarray) and base.ndim == 2 and base.dtype == W.dtype
            and base.flags.c_contiguous and base.shape[1] == W.shape[1]
            and base.shape[0] >= W.shape[0] + spare
            and base.__array_interface__["data"][0] == W.__array_interface__["data"][0]):
        return base
    out = np.empty((W.shape[0] + spare, W.shape[1]), dtype=W.dtype)
    out[:W.shape[0]] = W
    return out


def stage_count(rows, threads):
    """How many of ``rows`` output rows each of ``threads`` threads stages (none for one)."""
    return min(config.STAGED_ROWS, rows) if threads > 1 else 0


def plan_stage(rows, hottest_first, threads, dim):
    """The staging of a kernel call: ``(first, count, copies, every, snaps)``.

    ``rows`` shared output rows, their hottest at the start (``hottest_first``: the vocabulary
    sorted by count, negative sampling) or at the end (the Huffman tree's inner nodes, which
    are numbered in the order they are made: the root, above every path, is the last).
    One thread stages nothing.
    """
    count = stage_count(rows, threads)
    first = 0 if hottest_first else rows - count
    snaps = np.zeros((threads, count, dim), dtype=np.float32)
    return first, count, rows, config.STAGE_MERGE_WINDOWS, snaps


@njit(cache=config.CACHE)
def thread_stage(stage, p):
    """Thread p's view of ``stage``: (first, count, row of its first copy)."""
    first, count, copies, _, _ = stage
    return first, count, copies + p * count


@njit(cache=config.CACHE)
def staged_row(row, mine):
    """The row this thread reads and writes for output row ``row``: its copy when staged."""
    first, count, base = mine
    h = row - first
    return base + h if h >= 0 and h < count else row


@njit(cache=config.CACHE)
def stage_rows(rows, start, n, mine):
    """rows[start:start+n] renamed in place by ``staged_row``."""
    for k in range(start, start + n):
        rows[k] = staged_row(rows[k], mine)


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def merge_stage(W_out, stage, p, load_only):
    """Add thread p's changes to its staged rows into the shared rows (unless ``load_only``),
    then reload its copy and snapshot from the shared rows."""
    first, count, base = thread_stage(stage, p)
    snap = stage[4][p]
    n_threads = stage[4].shape[0]
    for i in range(count):
        h = (i + p * count // n_threads) % count     # threads a fixed distance apart
        for c in range(W_out.shape[1]):
            v = W_out[first + h, c]
            if not load_only:
                v += W_out[base + h, c] - snap[h, c]
                W_out[first + h, c] = v
            W_out[base + h, c] = v
            snap[h, c] = v


@njit(cache=config.CACHE)
def merge_due(W_out, stage, p, since):
    """Merge thread p's staged rows once ``since`` windows have passed since its last merge.
    Returns the windows since the last merge (0 after one)."""
    if stage[1] > 0 and since >= stage[3]:
        merge_stage(W_out, stage, p, False)
        return 0
    return since
