"""keyedvectors.py: gensim's API pinned by hand (NumPy), word2vec files that the C tool and gensim
read and write, and fastw2v's own memory-mappable file (_container.py)."""
import contextlib
import json
import pickle
import struct
import warnings

import numpy as np
import pytest

from conftest import require
from fastw2v import KeyedVectors, _container


@pytest.fixture
def kv(rng):
    words = ["the", "king", "queen", "man", "woman", "café"]
    return KeyedVectors(words, rng.normal(size=(6, 5)).astype(np.float32), counts=[9, 5, 4, 3, 2, 1])


def unit(kv):
    return kv.vectors / np.linalg.norm(kv.vectors, axis=1, keepdims=True)


# ---- building, lookups, attributes --------------------------------------------------------------
def test_lookups(kv):
    assert len(kv) == 6 and "king" in kv and "emperor" not in kv
    np.testing.assert_array_equal(kv["queen"], kv.vectors[2])
    np.testing.assert_array_equal(kv[2], kv.vectors[2])                  # a row number, as gensim
    assert kv[["king", "man"]].shape == (2, 5)
    assert not kv.get_vector("king").flags.writeable
    np.testing.assert_allclose(kv.get_vector("king", norm=True), unit(kv)[1], rtol=1e-6)
    with pytest.raises(KeyError, match="Key 'emperor' not present: 'emperor' not in vocabulary"):
        kv["emperor"]
    with pytest.raises(KeyError, match="'emperor'"):
        kv.most_similar("emperor")
    assert kv.get_index("emperor", default=-1) == -1 and 6 not in kv and 5 in kv
    assert str(kv) == "KeyedVectors<vector_size=5, 6 keys>"


def test_both_constructors(rng):
    v = rng.normal(size=(2, 3)).astype(np.float32)
    legacy = KeyedVectors(["a", "b"], v)
    assert legacy.vectors is v                               # no copy: training updates it in place
    empty = KeyedVectors(3)
    assert (len(empty), empty.vector_size, empty.vectors.shape) == (0, 3, (0, 3))
    slots = KeyedVectors(vector_size=3, count=2, dtype=np.float64)
    assert len(slots) == 2 and slots.vectors.dtype == np.float64
    assert slots.add_vector("a", v[0]) == 0 and slots.add_vector("b", v[1]) == 1
    assert slots.index_to_key == ["a", "b"] and slots.add_vector("c", v[0]) == 2
    with pytest.raises(ValueError, match="duplicate key 'a' at rows 0 and 2"):
        KeyedVectors(["a", "b", "a"], np.zeros((3, 2)))
    with pytest.raises(ValueError, match="duplicate keys \\['x'\\]"):
        empty.add_vectors(["x", "x"], np.zeros((2, 3)))
    with pytest.raises(ValueError, match="weights of shape \\(1, 2\\) for 1 keys of 3 dimensions"):
        empty.add_vectors(["x"], np.zeros((1, 2)))


def test_counts_live_in_expandos(kv):
    assert kv.get_vecattr("king", "count") == 5 and kv.counts is kv.expandos["count"]
    kv.set_vecattr("king", "count", 50)
    assert kv.counts[1] == 50
    kv.set_vecattr("queen", "rank", 7)
    assert kv.expandos["rank"].dtype == np.int64 and kv.get_vecattr("the", "rank") == 0
    with pytest.raises(KeyError, match="no attribute 'colour'"):
        kv.get_vecattr("king", "colour")
    kv.add_vectors(["emperor"], np.ones((1, 5)), extras={"count": np.array([77])})
    assert kv.get_vecattr("emperor", "count") == 77 and kv.get_vecattr("emperor", "rank") == 0


def test_norms_follow_every_change(kv):
    np.testing.assert_allclose(kv.norms, np.linalg.norm(kv.vectors, axis=1), rtol=1e-6)
    kv["king"] = np.full(5, 2.0, dtype=np.float32)          # replaced row: norms recomputed
    assert kv.norms[1] == pytest.approx(np.sqrt(20))
    kv.vectors[1] *= 2                                       # in place (training): fill_norms
    kv.fill_norms()
    assert kv.norms[1] == pytest.approx(2 * np.sqrt(20))
    kv.vectors = kv.vectors[:, :3].copy()                    # a new array: norms recomputed
    assert kv.norms[1] == pytest.approx(np.sqrt(48))


# ---- queries, expected values by hand -------------------------------------------------------------
def test_most_similar_is_cosine_and_excludes_query(kv):
    u = unit(kv)
    result = kv.most_similar(positive=["king", "woman"], negative=["man"], topn=3)
    target = u[1] + u[4] - u[3]
    sims = u @ (target / np.linalg.norm(target))
    np.testing.assert_allclose(kv.most_similar(["king", "woman"], ["man"], topn=None), sims, rtol=1e-5)
    sims[[1, 3, 4]] = -np.inf
    expected = [kv.index_to_key[i] for i in np.argsort(-sims)[:3]]
    assert [w for w, _ in result] == expected
    assert result[0][1] == pytest.approx(sims.max(), rel=1e-5)
    assert kv.most_similar("king", topn=0) == []
    assert len(kv.most_similar("king", topn=None, restrict_vocab=4)) == 4
    assert [w for w, _ in kv.similar_by_vector(kv["queen"], topn=1)] == ["queen"]


def test_pairwise_queries_by_hand(kv):
    u = unit(kv)
    assert kv.similarity("king", "queen") == pytest.approx(u[1] @ u[2], rel=1e-5)
    assert kv.distance("king", "queen") == pytest.approx(1 - u[1] @ u[2], rel=1e-5)
    np.testing.assert_allclose(kv.distances("king"), 1 - u @ u[1], atol=1e-6)
    np.testing.assert_allclose(kv.distances("king", ["man", "the"]), 1 - u[[3, 0]] @ u[1], atol=1e-6)
    mean1, mean2 = kv.vectors[[1, 2]].mean(0), kv.vectors[[3, 4]].mean(0)
    assert kv.n_similarity(["king", "queen"], ["man", "woman"]) == pytest.approx(
        mean1 @ mean2 / np.linalg.norm(mean1) / np.linalg.norm(mean2), rel=1e-5)
    d = 1 - u @ u[1]
    closer = [kv.index_to_key[i] for i in np.flatnonzero(d < d[2]) if i != 1]
    assert kv.closer_than("king", "queen") == closer and kv.rank("king", "queen") == len(closer) + 1


def test_cosmul_by_hand(kv):
    u = unit(kv)
    shifted = (1 + u @ u.T) / 2                                # (1 + cos) / 2 of every pair of rows
    score = shifted[1] * shifted[4] / (shifted[3] + 1e-6)
    np.testing.assert_allclose(kv.most_similar_cosmul(["king", "woman"], ["man"], topn=None), score, rtol=1e-5)
    score[[1, 3, 4]] = -np.inf
    assert kv.most_similar_cosmul(["king", "woman"], ["man"], topn=1)[0][0] == kv.index_to_key[np.argmax(score)]


def test_doesnt_match_warns_about_unknown_words(kv):
    u = unit(kv)[[0, 1, 2, 3]]
    mean = u.mean(0)
    odd = ["the", "king", "queen", "man"][int(np.argmin(u @ mean))]
    assert kv.doesnt_match(["the", "king", "queen", "man"]) == odd
    with pytest.warns(UserWarning, match=r"ignoring words not in the vocabulary: \['emperor', 'tsar'\]"):
        assert kv.doesnt_match(["the", "emperor", "king", "queen", "man", "tsar"]) == odd
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="none of the words"):
        kv.doesnt_match(["emperor"])


def test_unsupported_and_deprecated(kv):
    with pytest.raises(NotImplementedError, match="optimal-transport"):
        kv.wmdistance(["king"], ["queen"])
    with pytest.warns(DeprecationWarning, match="fill_norms"):
        kv.init_sims()
    with pytest.warns(DeprecationWarning):
        kv.init_sims(replace=True)
    np.testing.assert_allclose(np.linalg.norm(kv.vectors, axis=1), 1, rtol=1e-6)


# ---- word2vec.c files ----------------------------------------------------------------------------
def test_binary_file_is_byte_exact_word2vec_c(kv, tmp_path):
    path = tmp_path / "v.bin"
    kv.save_word2vec_format(path, binary=True)
    data = path.read_bytes()
    expected = b"6 5\n" + b"".join(w.encode() + b" " + struct.pack("<5f", *row) + b"\n"
                                   for w, row in zip(kv.index_to_key, kv.vectors))
    assert data == expected


@pytest.mark.parametrize("binary", [True, False])
def test_round_trip_is_exact(kv, tmp_path, binary):
    path = tmp_path / "v.out"
    kv.save_word2vec_format(path, binary=binary)
    back = KeyedVectors.load_word2vec_format(path)            # format detected
    assert back.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(back.vectors, kv.vectors)
    assert back.counts.tolist() == [6, 5, 4, 3, 2, 1]         # made up, as gensim does
    limited = KeyedVectors.load_word2vec_format(path, binary=binary, limit=2)
    assert limited.index_to_key == ["the", "king"]


def test_norms_are_numpys_without_a_squared_copy_of_the_vectors(monkeypatch):
    """Every training ends by computing the norms: np.linalg.norm(vectors, axis=1) squares the
    whole matrix first, a second copy of the vectors at the peak of a large model's run."""
    import tracemalloc

    from fastw2v import keyedvectors
    monkeypatch.setattr(keyedvectors, "_NORM_ROWS", 1000)
    vectors = np.random.default_rng(1).standard_normal((50_500, 20)).astype(np.float32)
    kv = KeyedVectors([f"w{i}" for i in range(len(vectors))], vectors)
    tracemalloc.start()
    try:
        norms = kv.fill_norms()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(norms, np.linalg.norm(vectors, axis=1))
    assert peak < vectors.nbytes / 4


@pytest.mark.parametrize("binary", [True, False])
def test_non_finite_vectors_round_trip_with_a_warning_for_binary(kv, tmp_path, binary):
    """gensim writes and reads NaN and infinity in both formats; so does fastw2v, naming them
    when a binary file holds them (a file misread as binary would too)."""
    kv.vectors[1, 0], kv.vectors[3, 2] = np.nan, -np.inf
    path = tmp_path / "v.out"
    kv.save_word2vec_format(path, binary=binary)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        back = KeyedVectors.load_word2vec_format(path, binary=binary)
    np.testing.assert_array_equal(back.vectors, kv.vectors)           # NaN == NaN here
    said = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert said == ([f"{path}: 2 vector(s) hold NaN or infinity, the first of word 2 ('king')"]
                    if binary else [])


def test_save_follows_gensim(kv, tmp_path):
    kv.save_word2vec_format(tmp_path / "v.txt")                # gensim's default: text
    assert (tmp_path / "v.txt").read_text().startswith("6 5\nthe ")
    kv.set_vecattr("café", "count", 100)                       # rows go by descending count
    kv.save_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt", prefix="x_")
    assert (tmp_path / "vocab.txt").read_text().split("\n")[:2] == ["x_café 100", "x_the 9"]
    back = KeyedVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt")
    assert back.index_to_key[:2] == ["x_café", "x_the"] and back.get_vecattr("x_king", "count") == 5
    kv.save_word2vec_format(tmp_path / "v.txt", write_header=False, append=True)
    assert (tmp_path / "v.txt").read_text().count("\n") == 1 + 6 + 6
    no_header = tmp_path / "glove.txt"
    kv.save_word2vec_format(no_header, write_header=False)
    glove = KeyedVectors.load_word2vec_format(no_header, no_header=True)
    assert len(glove) == 6 and glove.vector_size == 5


@pytest.mark.parametrize("binary", [True, False])
def test_gensim_reads_ours_and_we_read_gensims(kv, tmp_path, binary):
    gensim_kv = require("gensim.models.keyedvectors").KeyedVectors
    ours = tmp_path / "ours"
    kv.save_word2vec_format(ours, binary=binary)
    g = gensim_kv.load_word2vec_format(str(ours), binary=binary)
    assert list(g.index_to_key) == kv.index_to_key
    np.testing.assert_allclose(g.vectors, kv.vectors, rtol=1e-6)
    theirs = tmp_path / "theirs"
    g.save_word2vec_format(str(theirs), binary=binary)
    back = KeyedVectors.load_word2vec_format(theirs, binary=binary)
    assert back.index_to_key == kv.index_to_key
    np.testing.assert_allclose(back.vectors, kv.vectors, rtol=1e-6)


@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz"])
def test_compressed_files_by_their_suffix_as_gensim(kv, tmp_path, binary, suffix):
    gensim_kv = require("gensim.models.keyedvectors").KeyedVectors
    path = tmp_path / f"v{suffix}"
    kv.save_word2vec_format(path, binary=binary)
    import bz2, gzip, lzma                                          # noqa: E401
    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}[suffix]
    with opener(path, "rb") as f:                                   # really compressed
        assert f.read().startswith(b"6 5\n")
    for back in (KeyedVectors.load_word2vec_format(path, binary=binary),
                 gensim_kv.load_word2vec_format(str(path), binary=binary)):
        assert list(back.index_to_key) == kv.index_to_key
        np.testing.assert_allclose(back.vectors, kv.vectors, rtol=1e-6)
    kv.save_word2vec_format(path, binary=binary, fvocab=tmp_path / f"vocab{suffix}")
    g = gensim_kv.load_word2vec_format(str(path), binary=binary, fvocab=str(tmp_path / f"vocab{suffix}"))
    assert [g.get_vecattr(w, "count") for w in kv.index_to_key] == [9, 5, 4, 3, 2, 1]
    g.save_word2vec_format(str(tmp_path / f"g{suffix}"), binary=binary,
                           fvocab=str(tmp_path / f"gvocab{suffix}"))
    back = KeyedVectors.load_word2vec_format(tmp_path / f"g{suffix}", binary=binary,
                                             fvocab=tmp_path / f"gvocab{suffix}")
    assert [back.get_vecattr(w, "count") for w in kv.index_to_key] == [9, 5, 4, 3, 2, 1]
    assert KeyedVectors.load_word2vec_format(tmp_path / f"g{suffix}", binary=binary).index_to_key \
        == kv.index_to_key


@pytest.mark.parametrize("binary", [True, False])
def test_a_limit_reads_only_the_bytes_its_words_need(rng, tmp_path, binary, monkeypatch):
    from fastw2v import word2vec_format
    monkeypatch.setattr(word2vec_format, "_CHUNK", 200)             # several reads
    words = [f"w{i}" * (1 + i % 7) for i in range(3000)]
    big = KeyedVectors(words, rng.normal(size=(3000, 10)).astype(np.float32))
    path = tmp_path / "v.gz"
    big.save_word2vec_format(path, binary=binary)
    reads = []
    import gzip
    original = gzip.GzipFile.read

    def read(self, size=-1):
        data = original(self, size)
        reads.append(len(data))
        return data
    monkeypatch.setattr(gzip.GzipFile, "read", read)
    size = len(gzip.decompress(path.read_bytes()))
    for limit, given in ((1, binary), (37, None), (500, binary), (200, None)):
        reads.clear()
        got = KeyedVectors.load_word2vec_format(path, binary=given, limit=limit)
        assert got.index_to_key == words[:limit]
        np.testing.assert_array_equal(got.vectors, big.vectors[:limit]) if binary else \
            np.testing.assert_allclose(got.vectors, big.vectors[:limit], rtol=1e-6)
        assert 0 < sum(reads) < size / 2                          # not the whole file
    monkeypatch.setattr(word2vec_format, "_CHUNK", 3)            # a header cut by the first read
    assert KeyedVectors.load_word2vec_format(path, limit=2).index_to_key == words[:2]
    assert len(KeyedVectors.load_word2vec_format(path, binary=binary, limit=5000)) == 3000
    path.write_bytes(gzip.compress(gzip.decompress(path.read_bytes())[:-300]))
    with pytest.raises(ValueError, match=r"truncated|line 2999: expected a word and 10 numbers"):
        KeyedVectors.load_word2vec_format(path, binary=binary, limit=3000)


@pytest.mark.parametrize("binary", [True, False])
def test_a_vector_file_is_read_a_chunk_at_a_time(tmp_path, binary, monkeypatch):
    """Reading holds the vectors, the words and a chunk: never the whole file (read whole and
    then split into lines, a text file had taken three times its size at the peak)."""
    import tracemalloc

    from fastw2v import word2vec_format
    monkeypatch.setattr(word2vec_format, "_CHUNK", 1 << 16)
    vectors = np.random.default_rng(0).standard_normal((20_000, 50)).astype(np.float32)
    path = tmp_path / "v.out"
    KeyedVectors([f"word{i}" for i in range(len(vectors))], vectors).save_word2vec_format(
        path, binary=binary)
    tracemalloc.start()
    try:
        back = KeyedVectors.load_word2vec_format(path, binary=binary)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_allclose(back.vectors, vectors, rtol=1e-6)
    assert peak - held < path.stat().st_size / 3


def test_wrong_binary_flag_is_named(kv, tmp_path):
    kv.save_word2vec_format(tmp_path / "v.txt", binary=False)
    with pytest.raises(ValueError, match=r"v\.txt: binary=True but the file looks like text .*binary=False"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.txt", binary=True)
    kv.save_word2vec_format(tmp_path / "v.bin", binary=True)
    with pytest.raises(ValueError, match=r"v\.bin: binary=False but the file looks binary .*binary=True"):
        KeyedVectors.load_word2vec_format(tmp_path / "v.bin", binary=False)


def test_duplicate_words_are_named(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("3 2\na 1 2\nb 3 4\na 5 6\n")
    with pytest.raises(ValueError, match=r"d\.txt: line 4: duplicate word 'a' \(first on line 2\)"):
        KeyedVectors.load_word2vec_format(path, binary=False)
    path.write_bytes(b"2 1\na " + struct.pack("<f", 1) + b"\na " + struct.pack("<f", 2) + b"\n")
    with pytest.raises(ValueError, match=r"word 2 \(byte 11\) repeats 'a', word 1"):
        KeyedVectors.load_word2vec_format(path, binary=True)


def test_truncated_binary_file(kv, tmp_path):
    path = tmp_path / "v.bin"
    kv.save_word2vec_format(path, binary=True)
    path.write_bytes(path.read_bytes()[:-15])
    with pytest.raises(ValueError, match=r"v\.bin: truncated at word 6 of 6"):
        KeyedVectors.load_word2vec_format(path, binary=True)


def test_truncated_text_file(kv, tmp_path):
    path = tmp_path / "v.txt"
    kv.save_word2vec_format(path, binary=False)
    path.write_text("\n".join(path.read_text().split("\n")[:4]) + "\n")
    with pytest.raises(ValueError, match=r"truncated at line 5: header promises 6 words, found 3"):
        KeyedVectors.load_word2vec_format(path, binary=False)


def test_garbled_files(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("this is not a header\n")
    with pytest.raises(ValueError, match=r"g\.txt: line 1: expected a header"):
        KeyedVectors.load_word2vec_format(path)
    path.write_text("2 3\nfoo 1 2 3\nbar 1 x 3\n")
    with pytest.raises(ValueError, match=r"line 3: could not convert string to float: 'x'"):
        KeyedVectors.load_word2vec_format(path, binary=False)
    path.write_text("2 3\nfoo 1 2 3\nbar 1 2\n")
    with pytest.raises(ValueError, match=r"line 3: expected a word and 3 numbers, found 3 fields"):
        KeyedVectors.load_word2vec_format(path, binary=False)
    with pytest.raises(FileNotFoundError):
        KeyedVectors.load_word2vec_format(tmp_path / "missing.bin")


def test_failed_save_leaves_no_file(kv, tmp_path):
    bad = KeyedVectors(["ok", "two words"], np.zeros((2, 3), np.float32))
    path = tmp_path / "v.bin"
    with pytest.raises(ValueError, match="without whitespace"):
        bad.save_word2vec_format(path)
    assert list(tmp_path.iterdir()) == []
    kv.save_word2vec_format(path)
    before = path.read_bytes()
    with pytest.raises(ValueError):
        bad.save_word2vec_format(path)
    assert path.read_bytes() == before                       # the old file survives
    assert [p.name for p in tmp_path.iterdir()] == ["v.bin"]


# ---- fastw2v's own file: save / load, mmap -------------------------------------------------------
def test_save_load_round_trip_and_mmap(kv, tmp_path):
    kv.set_vecattr("king", "rank", 3)
    kv.save(tmp_path / "v.kv")
    for mmap in [None, "r"]:
        back = KeyedVectors.load(tmp_path / "v.kv", mmap=mmap)
        assert back.index_to_key == kv.index_to_key and back.key_to_index == kv.key_to_index
        np.testing.assert_array_equal(back.vectors, kv.vectors)
        assert back.counts.tolist() == kv.counts.tolist() and back.get_vecattr("king", "rank") == 3
        assert isinstance(back.vectors, np.memmap) == (mmap == "r")
        assert back.most_similar("king") == kv.most_similar("king")
    assert not back.vectors.flags.writeable                  # mmap="r" is read-only
    back.set_vecattr("queen", "count", 1)                    # attributes are in memory


def test_container_format_is_as_documented(tmp_path):
    """Read a file by hand, as another tool would, from the layout in _container's docstring."""
    arrays = dict(vectors=np.arange(6, dtype=np.float32).reshape(2, 3), ids=np.array([7, -1]))
    _container.write(tmp_path / "c", dict(note="é"), arrays)
    data = (tmp_path / "c").read_bytes()
    assert data[:8] == b"\x93FASTW2V"
    (n,) = struct.unpack("<Q", data[8:16])
    header = json.loads(data[16:16 + n].decode("utf-8"))
    assert (header["format"], header["version"], header["meta"]) == ("fastw2v-container", 1, {"note": "é"})
    assert header["file_size"] == len(data)
    for name, spec in header["arrays"].items():
        assert spec["offset"] % 64 == 0
        raw = data[spec["offset"]:spec["offset"] + spec["nbytes"]]
        np.testing.assert_array_equal(np.frombuffer(raw, spec["dtype"]).reshape(spec["shape"]), arrays[name])
    meta, back = _container.read(tmp_path / "c", mmap="r")
    assert meta == {"note": "é"} and back["ids"].dtype == np.int64
    assert _container.decode_strings(*_container.encode_strings(["a", "", "café"])) == ["a", "", "café"]


def test_failed_save_leaves_nothing(kv, tmp_path, monkeypatch):
    real = _container.atomic_write

    @contextlib.contextmanager
    def disk_full_after_header(path, mode):
        with real(path, mode) as f:
            class Full:
                def __getattr__(self, name):
                    return getattr(f, name)

                def write(self, data):
                    if f.tell() > 100:
                        raise OSError("No space left on device")
                    return f.write(data)
            yield Full()
    kv.save(tmp_path / "old.kv")
    monkeypatch.setattr(_container, "atomic_write", disk_full_after_header)
    for name in ["new.kv", "old.kv"]:
        with pytest.raises(OSError, match="No space"):
            kv.save(tmp_path / name)
    assert [p.name for p in tmp_path.iterdir()] == ["old.kv"]
    monkeypatch.undo()
    assert KeyedVectors.load(tmp_path / "old.kv").index_to_key == kv.index_to_key


def test_load_errors_say_what_is_wrong(kv, tmp_path):
    path = tmp_path / "v.kv"
    kv.save(path)
    data = path.read_bytes()
    path.write_bytes(data[:-10])
    with pytest.raises(ValueError, match=r"v\.kv: truncated or damaged fastw2v file"):
        KeyedVectors.load(path)
    path.write_bytes(data[:30])
    with pytest.raises(ValueError, match=r"v\.kv: truncated fastw2v file: the header needs"):
        KeyedVectors.load(path)
    path.write_bytes(data.replace(b'"version": 1', b'"version": 2', 1))
    with pytest.raises(ValueError, match="'fastw2v-container' version 2; this fastw2v reads"):
        KeyedVectors.load(path)
    kv.save_word2vec_format(path)
    with pytest.raises(ValueError, match=r"v\.kv: not a fastw2v file \(it starts like a word2vec "
                                         r"file; use KeyedVectors.load_word2vec_format\)"):
        KeyedVectors.load(path)
    path.write_bytes(pickle.dumps({"a": 1}, protocol=4))
    with pytest.raises(ValueError, match="Python pickle, e.g. gensim's KeyedVectors.save"):
        KeyedVectors.load(path)
    np.savez(tmp_path / "m.npz", a=np.ones(2))
    with pytest.raises(ValueError, match="zip archive"):
        KeyedVectors.load(tmp_path / "m.npz")
    _container.write(path, dict(format="fastw2v-model-2"), {})
    with pytest.raises(ValueError, match=r"a 'fastw2v-model-2' file, not saved KeyedVectors "
                                         r"\('fastw2v-keyedvectors-1'\); use Word2Vec.load\(path\).wv"):
        KeyedVectors.load(path)
    with pytest.raises(ValueError, match="strict JSON"):
        _container.write(path, dict(loss=float("nan")), {})
    with pytest.raises(TypeError, match="booleans and numbers only"):
        _container.write(path, {}, dict(words=np.array(["a"], dtype=object)))
