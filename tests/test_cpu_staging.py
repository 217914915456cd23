"""cpu/_staging.py: threads' private copies of the hottest output rows lose no update.

A staged kernel on one piece must train exactly what the unstaged serial kernel trains (up to
float rounding in the merges), for every objective that stages; merges add every thread's
changes to the shared rows.
"""
import numba
import numpy as np
import pytest

from conftest import planted_corpus
from fastw2v import Word2Vec, config
from fastw2v.cpu._rng import seed_states
from fastw2v.cpu._staging import (lock, merge_scale, merge_stage, spare_rows, stage_rows, staged_row,
                                  thread_stage, unlock)
from fastw2v.schedule import plan_pieces
from fastw2v.training import block_runner


def make_stage(first, count, copies, threads, dim, every=4, scale=1.0):
    return (first, count, copies, every, np.zeros((threads, count, dim), np.float32),
            np.float32(scale), np.zeros(16, np.int32))


def test_staged_row_renames_only_the_staged_span():
    stage = make_stage(5, 3, 20, 2, 4)
    mine = thread_stage(stage, 1)                     # thread 1's copies are rows 23..25
    assert [staged_row(r, mine) for r in (4, 5, 6, 7, 8)] == [4, 23, 24, 25, 8]
    rows = np.array([7, 0, 5, 19], np.int32)
    stage_rows(rows, 1, 3, mine)
    assert rows.tolist() == [7, 0, 23, 19]
    off = thread_stage(make_stage(0, 0, 20, 1, 4), 0)
    assert [staged_row(r, off) for r in (0, 3)] == [0, 3]


@pytest.mark.parametrize("rule", ["sum", "mean"])
@pytest.mark.parametrize("threads", [2, 3])
def test_merges_add_every_threads_changes(rng, threads, rule):
    rows, count, first, D = 10, 4, 6, 5
    W = rng.normal(size=(rows + threads * count, D)).astype(np.float32)
    before = W[:rows].copy()
    scale = merge_scale(threads, rule)
    assert scale == (1.0 if rule == "sum" else np.float32(1 / threads))
    stage = make_stage(first, count, rows, threads, D, scale=scale)
    for p in range(threads):
        merge_stage(W, stage, p, True)                 # load: copies = snapshots = shared rows
        np.testing.assert_array_equal(W[rows + p * count:rows + (p + 1) * count], before[first:])
    changes = rng.normal(size=(threads, count, D)).astype(np.float32)
    for p in range(threads):
        W[rows + p * count:rows + (p + 1) * count] += changes[p]
    for p in range(threads):
        merge_stage(W, stage, p, False)
    np.testing.assert_allclose(W[first:rows], before[first:] + scale * changes.sum(0), rtol=1e-5,
                               atol=1e-5)
    np.testing.assert_array_equal(W[:first], before[:first])
    # the last thread to merge reloads the sum of all
    last = threads - 1
    np.testing.assert_array_equal(W[rows + last * count:rows + threads * count], W[first:rows])


@numba.njit(parallel=True)
def _hammer(W, adds, locked, flags):
    """Every thread adds 1 to the same three elements ``adds`` times, under the merges' lock
    or not."""
    for p in numba.prange(numba.get_num_threads()):
        for k in range(adds):
            if locked:
                lock(flags)
            W[0, k % 3] += np.float32(1.0)
            if locked:
                unlock(flags)


def test_the_merge_lock_loses_no_concurrent_addition():
    # the race two merges could have: two threads adding to one element at the same moment
    threads = numba.get_num_threads()
    if threads < 2:
        pytest.skip("needs two threads to race")
    W = np.zeros((1, 3), np.float32)
    flags = np.zeros(16, np.int32)
    for _ in range(5):                        # plain += : the threads do race here
        W[:] = 0
        _hammer(W, 300_000, False, flags)
        if W[0].sum() < threads * 300_000:
            break
    else:
        pytest.skip("the threads never ran at the same time (a busy machine)")
    W[:] = 0
    _hammer(W, 300_000, True, flags)
    np.testing.assert_array_equal(W[0], threads * 100_000)
    assert flags[0] == 0                      # released


def test_merge_rule_is_checked():
    with pytest.raises(ValueError, match="STAGE_MERGE must be 'sum' or 'mean'"):
        merge_scale(2, "median")


def test_spare_rows_reuses_a_buffer_with_room_and_copies_otherwise(rng):
    W = rng.normal(size=(6, 3)).astype(np.float32)
    ext = spare_rows(W, 4)
    assert ext.shape == (10, 3) and not np.shares_memory(ext, W)
    np.testing.assert_array_equal(ext[:6], W)
    view = ext[:6]
    assert spare_rows(view, 4) is ext
    assert spare_rows(view, 5).shape == (11, 3)
    assert spare_rows(W, 0) is W                      # one thread: no copy


STAGED = {
    "sgns": dict(sg=1, negative=5),
    "sgns-per-pair": dict(sg=1, negative=5, batch_window=False),
    "cbow-ns": dict(sg=0, negative=5, alpha=0.05),
    "sg-hs": dict(sg=1, hs=1, negative=0),
    "cbow-hs": dict(sg=0, hs=1, negative=0, alpha=0.05),
}


def train_one_piece_blocks(model, threads, shared=None):
    """Train an epoch in blocks of one piece with the kernel chosen for ``threads``."""
    run = block_runner(model, threads, shared)
    data = model._corpus
    keep = model.vocab.keep_probabilities(model.config.sample)
    for b, starts in enumerate(plan_pieces(data.offsets, 1, 400)):
        stats = np.zeros((1, 2))
        run((data.ids, data.offsets, starts, seed_states(1, 0, b, n=1), keep), 0.05, 0.04, stats)


def _serial_and(rng, monkeypatch, name, workers):
    """Two models of ``STAGED[name]`` on one planted corpus, one of 1 worker and one of
    ``workers``, with 7 staged rows merged every 3 windows."""
    monkeypatch.setattr(config, "STAGED_ROWS", 7)
    monkeypatch.setattr(config, "STAGE_MERGE_WINDOWS", 3)
    corpus, _ = planted_corpus(rng, n_sentences=60)
    params = dict(vector_size=16, window=3, min_count=1, sample=0, seed=3, **STAGED[name])
    return (Word2Vec(workers=1, **params).build_vocab(corpus),
            Word2Vec(workers=workers, **params).build_vocab(corpus))


@pytest.mark.parametrize("name", sorted(STAGED))
def test_staged_kernel_trains_what_the_serial_kernel_trains(rng, monkeypatch, name):
    # the parallel kernel with staging on, run on one piece, against the serial kernel: the
    # same windows, the hottest rows trained in the thread's copy and merged every 3 windows
    serial, staged = _serial_and(rng, monkeypatch, name, workers=2)
    rows = serial.W_out.shape[0]
    assert staged.W_out.base.shape[0] == rows + 2 * 7       # spare rows for the copies
    threads = numba.get_num_threads()
    try:
        train_one_piece_blocks(serial, 1)
        train_one_piece_blocks(staged, 2)
    finally:
        numba.set_num_threads(threads)
    assert not np.allclose(serial.W_out, 0)
    np.testing.assert_allclose(staged.wv.vectors, serial.wv.vectors, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(staged.W_out, serial.W_out, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["sgns", "cbow-hs"])
def test_a_process_sharing_its_rows_stages_into_its_own_slot(rng, monkeypatch, name):
    # Dask workers of one host (distributed/shared.py): one thread here, sharing the rows with
    # another process, stages as two threads would, its copies in its slot's rows (slot 1 of 2)
    serial, shared = _serial_and(rng, monkeypatch, name, workers=1)
    rows, D = shared.W_out.shape
    full = np.zeros((rows + 2 * 7, D), np.float32)             # two slots of 7 rows
    full[:rows] = shared.W_out
    shared.W_out = full[:rows]
    train_one_piece_blocks(serial, 1)
    train_one_piece_blocks(shared, 1, shared=(rows + 7, 2))
    assert np.shares_memory(shared.W_out, full)                # trained in place
    first = 0 if name == "sgns" else rows - 7                  # the hottest rows
    assert not np.allclose(full[first:first + 7], 0)
    np.testing.assert_array_equal(full[rows + 7:], full[first:first + 7])   # slot 1: the copies,
    assert not full[rows:rows + 7].any()                       # reloaded at the end; slot 0 untouched
    np.testing.assert_allclose(shared.wv.vectors, serial.wv.vectors, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(shared.W_out, serial.W_out, rtol=1e-4, atol=1e-5)


def test_slots_are_claimed_once_each_and_freed():
    from fastw2v.cpu._staging import claim_slot, free_slot
    flags = np.zeros(3, np.int32)
    assert [claim_slot(flags) for _ in range(4)] == [0, 1, 2, -1]     # none left: -1
    free_slot(flags, 1)
    assert claim_slot(flags) == 1 and flags.tolist() == [1, 1, 1]


@numba.njit(parallel=True)
def _merge_rounds(W, stage, rounds):
    """Every thread adds 1 to each element of its copy and merges, ``rounds`` times."""
    threads = stage[4].shape[0]
    for p in numba.prange(threads):
        first, count, base = thread_stage(stage, p)
        merge_stage(W, stage, p, True)
        for r in range(rounds):
            for h in range(count):
                for c in range(W.shape[1]):
                    W[base + h, c] += np.float32(1.0)
            merge_stage(W, stage, p, False)


def test_concurrent_merges_lose_nothing():
    # the threads merge the same rows all the time: under the lock every merge's +1 counts
    threads = numba.get_num_threads()
    if threads < 2:
        pytest.skip("needs two threads to merge at once")
    rows, count, D, rounds = 4, 4, 16, 100_000
    for _ in range(3):            # without the lock, each of these loses thousands of additions
        W = np.zeros((rows + threads * count, D), np.float32)
        stage = make_stage(0, count, rows, threads, D)
        _merge_rounds(W, stage, rounds)
        np.testing.assert_array_equal(W[:rows], threads * rounds)
        assert stage[6][0] == 0


def test_no_staging_for_one_thread_or_past_the_limit(monkeypatch):
    # adding 16 threads' changes overshot (bench_results/decisions.md#staging-threads)
    from fastw2v.cpu._staging import stage_count
    assert stage_count(10_000, 1) == 0
    assert stage_count(10_000, 2) == stage_count(10_000, config.STAGE_MAX_THREADS) == config.STAGED_ROWS
    assert stage_count(10_000, config.STAGE_MAX_THREADS + 1) == 0
    assert stage_count(100, 2) == 100
    assert config.STAGE_MAX_THREADS == 4
