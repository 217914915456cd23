"""corpus/ends.py: a prepared corpus's sentence ends searched on disk by blocks, against NumPy
on the whole array in memory."""
import numpy as np
import pytest

from fastw2v.corpus.ends import SentenceEnds


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
