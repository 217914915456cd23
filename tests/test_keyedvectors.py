"""keyedvectors.py: queries, and word2vec files that the C tool and gensim read and write."""
import struct

import numpy as np
import pytest

from conftest import require
from fastw2v import KeyedVectors


@pytest.fixture
def kv(rng):
    words = ["the", "king", "queen", "man", "woman", "café"]
    return KeyedVectors(words, rng.normal(size=(6, 5)).astype(np.float32), counts=[9, 5, 4, 3, 2, 1])


def test_lookups(kv):
    assert len(kv) == 6 and "king" in kv and "emperor" not in kv
    np.testing.assert_array_equal(kv["queen"], kv.vectors[2])
    assert kv[["king", "man"]].shape == (2, 5)
    with pytest.raises(KeyError, match="'emperor' not in vocabulary"):
        kv["emperor"]
    with pytest.raises(KeyError, match="'emperor'"):
        kv.most_similar("emperor")


def test_most_similar_is_cosine_and_excludes_query(kv):
    u = kv.vectors / np.linalg.norm(kv.vectors, axis=1, keepdims=True)
    result = kv.most_similar(positive=["king", "woman"], negative=["man"], topn=3)
    target = u[1] + u[4] - u[3]
    sims = u @ (target / np.linalg.norm(target))
    sims[[1, 3, 4]] = -np.inf
    expected = [kv.index_to_key[i] for i in np.argsort(-sims)[:3]]
    assert [w for w, _ in result] == expected
    assert result[0][1] == pytest.approx(sims.max(), rel=1e-5)
    assert kv.similarity("king", "queen") == pytest.approx(u[1] @ u[2], rel=1e-5)
    assert kv.doesnt_match(["king", "queen", "man"]) in {"king", "queen", "man"}
    assert len(kv.most_similar_cosmul(["king"], ["man"], topn=2)) == 2


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
    limited = KeyedVectors.load_word2vec_format(path, binary=binary, limit=2)
    assert limited.index_to_key == ["the", "king"]


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
