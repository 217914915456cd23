"""Per-thread copies of the hottest output rows, merged into the shared rows now and then.

Why: Hogwild threads share every embedding row, and the output rows that every window writes
(the most frequent noise words, the inner nodes near the root of the Huffman tree) bounce
between the cores' caches: each write by one thread invalidates the other's copy. On shared
rows two threads scaled skip-gram HS worse than one thread; on private copies of W_out every
objective scaled well, on private copies of W_in not (``benchmarks/row_contention.py``,
bench_results/decisions.md#staging). The output rows are where the threads collide.

So the parallel kernels give each thread a private copy of the ``count`` hottest output rows
``[first, first + count)`` and rename those targets to the copy (``staged_row``); the heads
(``_output.py``) index rows as before and never know. Every ``every`` windows, and at the end of
its piece, a thread adds what it changed since the last merge to the shared rows and reloads:

    W[first + h] += scale * (copy[h] - snap[h]);   copy[h] = snap[h] = W[first + h]

The other threads' changes arrive at the next merge (a delay of ``every`` windows on these
rows only; all other rows are Hogwild as before). Thread p's copies live in W_out's spare rows
``[copies + p * count, copies + (p + 1) * count)``, its snapshot in ``snaps[p]``.

This is not Hogwild on these rows: each thread computes its updates from its own copy, blind
to the others' for up to ``every`` windows, so when the threads fit one row to the same target
in a period, adding all their changes overshoots (the threads' changes are correlated); their
mean (``scale = 1 / threads``) undershoots where they are not. Measured on quality at 2 threads
(``benchmarks/merge_rule.py``, bench_results/decisions.md#merge-rule), the sum was better for
SGNS, CBOW and skip-gram HS, so ``config.STAGE_MERGE = "sum"`` (scale 1) is the default.

Two threads may reach their merges at any moment, and two merges adding to one row at once
could lose one addition, so a merge holds a lock (one atomic compare-exchange, ``cmpxchg``):
merges take turns. A merge is short and threads merge rarely, so they seldom wait; an atomic
add per element instead cost far more than the plain merge under the lock
(bench_results/decisions.md#merge-lock).

``count = 0`` turns staging off: every function here is then the identity (the serial kernel).
"""
import numpy as np
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from .. import config


@intrinsic
def _compare_exchange(typingctx, flags, i, expected, desired):
    """Atomically: if flags[i] == expected, set it to desired. Returns the value flags[i] held
    (LLVM ``cmpxchg``, acquire-release: the merge's plain loads and stores stay inside)."""
    if not (isinstance(flags, types.Array) and flags.ndim == 1 and flags.dtype == types.int32):
        return None
    sig = types.int32(flags, types.intp, types.int32, types.int32)

    def codegen(context, builder, signature, args):
        array, index, old, new = args
        view = context.make_array(signature.args[0])(context, builder, array)
        ptr = cgutils.get_item_pointer(context, builder, signature.args[0], view, [index],
                                       wraparound=False)
        pair = builder.cmpxchg(ptr, old, new, "acq_rel", "acquire")
        return builder.extract_value(pair, 0)
    return sig, codegen


@njit(cache=config.CACHE)
def lock(flags):
    """Spin until this thread holds the lock ``flags[0]`` (0 free, 1 held)."""
    while _compare_exchange(flags, 0, np.int32(0), np.int32(1)) != 0:
        pass


@njit(cache=config.CACHE)
def unlock(flags):
    _compare_exchange(flags, 0, np.int32(1), np.int32(0))


@njit(cache=config.CACHE)
def claim_slot(flags):
    """The first ``i`` with ``flags[i]`` free (0), taken (set to 1) atomically; -1 if none is.
    Processes sharing ``flags`` (a shared mapping) each get a different slot."""
    for i in range(flags.size):
        if _compare_exchange(flags, i, np.int32(0), np.int32(1)) == 0:
            return i
    return -1


@njit(cache=config.CACHE)
def free_slot(flags, i):
    _compare_exchange(flags, i, np.int32(1), np.int32(0))


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
    """How many of ``rows`` output rows each of ``threads`` threads stages: none for one
    thread, and none past ``config.STAGE_MAX_THREADS``: adding every thread's change overshoots
    when many threads fit the same rows (at 16 threads staging lost analogy accuracy against
    none, at 2 to 4 threads it lost none: bench_results/decisions.md#staging-threads)."""
    if threads < 2 or threads > config.STAGE_MAX_THREADS:
        return 0
    return min(config.STAGED_ROWS, rows)


def merge_scale(threads, rule=None):
    """What a merge multiplies each thread's change by: 1 ("sum") or 1 / threads ("mean"; of
    all threads, also in a block with fewer sentences than threads, whose extra pieces are
    empty)."""
    rule = rule or config.STAGE_MERGE
    if rule == "sum":
        return np.float32(1.0)
    if rule == "mean":
        return np.float32(1.0 / max(threads, 1))
    raise ValueError(f"config.STAGE_MERGE must be 'sum' or 'mean', got {rule!r}")


def plan_stage(rows, hottest_first, threads, dim, copies=None, sharing=None):
    """The staging of a kernel call: ``(first, count, copies, every, snaps, scale, flags)``,
    ``flags[0]`` the lock that one merge at a time holds.

    ``rows`` shared output rows, their hottest at the start (``hottest_first``: the vocabulary
    sorted by count, negative sampling) or at the end (the Huffman tree's inner nodes, which
    are numbered in the order they are made: the root, above every path, is the last).
    One thread stages nothing.

    Several processes training one copy of the rows (the Dask workers of one host,
    ``distributed/shared.py``): ``sharing`` threads in all stage, as that many threads of one
    process would, and this process's threads keep their copies from row ``copies`` on (each
    process its own rows after W_out). Their locks are their own: a merge of one process may
    overlap another's, and then one of the two loses its change to a hot row since its last
    merge (a merge period's, more than one Hogwild race loses; merges are short and seldom
    meet), but a process killed while it held a shared lock cannot stop the others.
    """
    sharing = threads if sharing is None else sharing
    count = stage_count(rows, sharing)
    first = 0 if hottest_first else rows - count
    snaps = np.zeros((threads, count, dim), dtype=np.float32)
    flags = np.zeros(16, dtype=np.int32)          # 64 bytes, mostly padding: the lock is flags[0]
    return (first, count, rows if copies is None else copies, config.STAGE_MERGE_WINDOWS, snaps,
            merge_scale(sharing), flags)


@njit(cache=config.CACHE)
def thread_stage(stage, p):
    """Thread p's view of ``stage``: (first, count, row of its first copy)."""
    first, count, copies = stage[0], stage[1], stage[2]
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
    """Add thread p's changes to its staged rows, times the stage's scale, into the shared rows
    (unless ``load_only``), then reload its copy and snapshot from the shared rows. One merge
    at a time: two threads adding to one row at once could each keep only its own addition."""
    first, count, base = thread_stage(stage, p)
    if count == 0:
        return
    snap = stage[4][p]
    scale = stage[5]
    lock(stage[6])
    for h in range(count):
        for c in range(W_out.shape[1]):
            v = W_out[first + h, c]
            if not load_only:
                v += scale * (W_out[base + h, c] - snap[h, c])
                W_out[first + h, c] = v
            W_out[base + h, c] = v
            snap[h, c] = v
    unlock(stage[6])


@njit(cache=config.CACHE)
def merge_due(W_out, stage, p, since):
    """Merge thread p's staged rows once ``since`` windows have passed since its last merge.
    Returns the windows since the last merge (0 after one)."""
    if stage[1] > 0 and since >= stage[3]:
        merge_stage(W_out, stage, p, False)
        return 0
    return since
