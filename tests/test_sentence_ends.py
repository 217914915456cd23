"""A prepared corpus's sentence ends: written by the first pass unit by unit
(``prepared.write_sentence_ends``), against the ends of the whole stream computed in memory;
and searched on disk by blocks (corpus/ends.py), against NumPy on the whole array in memory."""
import os

import numpy as np
import pytest

from fastw2v.corpus.ends import SentenceEnds
from fastw2v.corpus.firstpass import Unit, UnitCount, ends_path
from fastw2v.corpus.prepared import write_sentence_ends


def _units(tmp_path, rng, n_units):
    """Random units as the first pass leaves them: ends files of non-decreasing token counts
    (empty lines repeat one; 0 is a line closed before the unit's first token), newlines
    that open a unit, files ending on unit boundaries."""
    counted = []
    for k in range(n_units):
        n_tokens = int(rng.integers(0, 12))
        ends = np.sort(rng.integers(0, n_tokens + 1, int(rng.integers(0, 9))))
        spill = str(tmp_path / f"tokens-{k:05d}.i32")
        ends.astype("<i8").tofile(ends_path(spill))
        unit = Unit("f", 0, 1, bool(rng.random() < 0.3))
        counted.append(UnitCount(unit, 0, n_tokens, ends.size, bool(rng.random() < 0.3), spill,
                                 index=k))
    return counted


def _ends_in_memory(counted):
    """The ends of the concatenated units, as the first pass computed them in memory."""
    pieces, at = [np.empty(0, np.int64)], 0
    for r in counted:
        if r.newline_first:
            pieces.append(np.array([at]))
        pieces.append(at + np.fromfile(ends_path(r.spill), "<i8"))
        at += r.n_tokens
        if r.unit.last_of_file:
            pieces.append(np.array([at]))
    ends = np.unique(np.concatenate(pieces))
    return ends[ends > 0]


@pytest.mark.parametrize("seed", range(30))
def test_the_units_ends_written_in_chunks_are_those_of_the_whole_stream(tmp_path, seed):
    rng = np.random.default_rng(seed)
    counted = _units(tmp_path, rng, int(rng.integers(1, 8)))
    expected = _ends_in_memory(counted)
    path = tmp_path / "sentence_ends.i64"
    n = write_sentence_ends(counted, str(path), chunk=int(rng.integers(1, 4)))
    assert n == expected.size
    assert np.array_equal(np.fromfile(path, "<i8"), expected)
    assert not any(os.path.exists(ends_path(r.spill)) for r in counted)   # read, then removed


def test_ends_files_that_do_not_hold_what_the_pass_counted_are_named(tmp_path):
    for wrong in (-1, 1):                          # one end missing, one too many
        counted = _units(tmp_path, np.random.default_rng(0), 1)
        spill, n = ends_path(counted[0].spill), counted[0].n_ends
        counted[0].n_ends += wrong
        with pytest.raises(OSError, match=f"{spill}.*holds {8 * n} bytes, not the {n + wrong} "):
            write_sentence_ends(counted, str(tmp_path / "out.i64"))


@pytest.mark.parametrize("within", [True, False])
def test_ends_out_of_order_are_a_bug_reported_not_written(tmp_path, within):
    # never from the tokenizer; within one unit's chunk, or from one unit to the next
    spill = [str(tmp_path / f"tokens-{k}.i32") for k in range(2)]
    np.array([5, 3] if within else [5], "<i8").tofile(ends_path(spill[0]))
    np.array([1], "<i8").tofile(ends_path(spill[1]))
    counted = [UnitCount(Unit("f", 0, 1, False), 0, 5 if within else 0, 2 if within else 1,
                         False, spill[0]),
               UnitCount(Unit("f", 1, 2, True), 0, 3, 1, False, spill[1], index=1)]
    with pytest.raises(RuntimeError, match="out of order"):
        write_sentence_ends(counted, str(tmp_path / "out.i64"))


@pytest.mark.parametrize("n, stride", [(0, 4), (1, 4), (5, 5), (6, 5), (97, 1), (1000, 7), (1000, 1024)])
def test_searches_on_disk_find_what_numpy_finds_in_memory(tmp_path, n, stride):
    rng = np.random.default_rng(n + stride)
    ends = np.cumsum(rng.integers(1, 4, n))                  # sorted; steps of 1 to 3
    path = tmp_path / "ends.i64"
    ends.astype("<i8").tofile(path)
    found = SentenceEnds(str(path), n, stride=stride)
    total = int(ends[-1]) + 2 if n else 5
    values = np.concatenate([np.arange(-1, total + 2), rng.uniform(-1, total + 1, 50)])
    for side in ("left", "right"):
        assert np.array_equal(found.searchsorted(values, side), np.searchsorted(ends, values, side))
    i = np.searchsorted(ends, values, "left")
    before, after = found.around(values, total)
    padded = np.concatenate([[0], ends, [total]])
    assert np.array_equal(before, padded[i]) and np.array_equal(after, padded[i + 1])
    for a, b in rng.integers(-1, total + 2, (30, 2)):
        assert np.array_equal(found.between(a, b), ends[(ends > a) & (ends <= b)])
    if n:
        assert np.array_equal(found.take(np.arange(n)[::-1]), ends[::-1])


def test_a_search_reads_one_block_of_the_file_per_value(tmp_path, monkeypatch):
    # the point of the file: the client and each worker never read every end
    from fastw2v.corpus import ends as module
    ends = np.arange(1, 100_001, dtype=np.int64) * 3
    path = tmp_path / "ends.i64"
    ends.astype("<i8").tofile(path)
    found = SentenceEnds(str(path), ends.size)
    read = []
    real = SentenceEnds._read
    monkeypatch.setattr(SentenceEnds, "_read",
                        lambda self, f, lo, hi: read.append(hi - lo) or real(self, f, lo, hi))
    assert found.between(30_000, 30_030).tolist() == list(range(30_003, 30_031, 3))
    before, after = found.around([1, 150_001, 299_999], 300_000)
    assert before.tolist() == [0, 150_000, 299_997] and after.tolist() == [3, 150_003, 300_000]
    assert sum(read) <= 8 * module.STRIDE
    # each block once, however many values fall in it
    read.clear()
    found.around(np.linspace(0, 300_000, 20_001), 300_000)
    assert sum(read) <= ends.size + module.STRIDE


def test_a_truncated_ends_file_is_named(tmp_path):
    path = tmp_path / "ends.i64"
    np.arange(1, 11, dtype="<i8").tofile(path)
    found = SentenceEnds(str(path), 10, stride=4)
    path.write_bytes(path.read_bytes()[:60])
    with pytest.raises(ValueError, match="ends.i64: truncated"):
        found.between(0, 100)
    with pytest.raises(ValueError, match=r"ends.i64: truncated \(10 sentence ends expected\)"):
        SentenceEnds(str(path), 10, stride=4)
