"""gensim's ``Word2Vec.estimate_memory`` counted from fastw2v's structures (``memory.py``): the rows
exactly as allocated, the vocabulary's structures against what tracemalloc sees a build
allocate, the training tables against the arrays training builds; and gensim's deprecated
``init_sims``."""
import sys
import tracemalloc

import numpy as np
import pytest

from fastw2v import Word2Vec
from fastw2v.cpu._noise import alias_table
from fastw2v.cpu._staging import plan_stage
from fastw2v.memory import STR_BYTES, TABLE_BYTES, training_bytes, word_bytes

HEADS = {"ns": dict(negative=5, hs=0), "hs": dict(negative=0, hs=1), "softmax": dict(loss="softmax")}


def zipf_freq(V, seed=0):
    """V distinct words of 3-14 letters and a number, with Zipfian counts."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(3, 15, V)
    letters = rng.integers(97, 123, lengths.sum()).astype(np.uint8).tobytes().decode()
    cuts = np.concatenate([[0], np.cumsum(lengths)])
    counts = (10**6 / np.arange(1, V + 1)).astype(np.int64) + 5
    return {letters[cuts[i]:cuts[i + 1]] + str(i): int(counts[i]) for i in range(V)}


@pytest.mark.parametrize("head", sorted(HEADS))
@pytest.mark.parametrize("workers", [1, 2])
def test_rows_are_counted_as_allocated(head, workers):
    V = 300 if head == "softmax" else 3000
    model = Word2Vec(vector_size=16, min_count=1, workers=workers, softmax_batch=8, **HEADS[head])
    model.build_vocab_from_freq(zipf_freq(V))
    report = model.estimate_memory()
    assert report["vectors"] == model.wv.vectors.nbytes
    out = model.W_out.base if model.W_out.base is not None else model.W_out
    expected = out.nbytes
    if head != "softmax":         # the threads' snapshots of their staged rows
        expected += plan_stage(len(model.W_out), head == "ns", workers, 16)[4].nbytes
    else:                         # a (batch, V) score matrix and a (V, D) gradient a thread
        expected += 4 * workers * (8 * V + V * 16)
    key = {"ns": "syn1neg", "hs": "syn1"}.get(head, "softmax")
    assert report[key] == expected
    assert report["total"] == report["vocab"] + report["vectors"] + report[key]
    assert set(report) == {"vocab", "vectors", key, "total"}


def test_vocabulary_bytes_match_what_a_build_allocates():
    """Everything a build_vocab keeps per word (words, lists, dicts, counts) is in the estimate:
    a structure kept per word and not counted fails this."""
    V = 50_000
    model = Word2Vec(vector_size=8, min_count=1, workers=1)
    tracemalloc.start()
    try:
        freq = zipf_freq(V)            # the words are made here: traced, as a corpus's would be
        model.build_vocab_from_freq(freq)
        del freq
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    held -= model.wv.vectors.nbytes + model.W_out.nbytes
    counted = model.estimate_memory()["vocab"] - V * training_bytes("ns")
    assert counted == pytest.approx(V * word_bytes(model.vocab, model.wv), rel=1e-6)
    assert counted == pytest.approx(held, rel=0.05)


def test_per_word_constant_used_before_a_vocabulary_is_honest():
    """STR_BYTES + TABLE_BYTES (no vocabulary yet) within 25 % of a real one's count."""
    model = Word2Vec(vector_size=8, min_count=1, workers=1)
    model.build_vocab_from_freq(zipf_freq(100_000))
    measured = word_bytes(model.vocab, model.wv)
    strings = np.mean([sys.getsizeof(w) for w in model.vocab.words])
    assert abs(TABLE_BYTES - (measured - strings)) / (measured - strings) < 0.25
    assert abs(STR_BYTES + TABLE_BYTES - measured) / measured < 0.25


def test_training_tables_are_the_arrays_training_builds():
    model = Word2Vec(vector_size=8, min_count=1, workers=1)
    model.build_vocab_from_freq(zipf_freq(5000))
    V = len(model.vocab)
    keep = model.vocab.keep_probabilities(1e-3).nbytes
    noise = sum(a.nbytes for a in alias_table(model.vocab.noise_distribution()))
    assert training_bytes("ns") * V == keep + noise
    codes, points, lengths = model.vocab.huffman_tree()
    assert training_bytes("hs", model.vocab) * V == keep + codes.nbytes + points.nbytes + lengths.nbytes
    assert training_bytes("hs") >= training_bytes("hs", model.vocab)   # no tree: the bound


def test_other_sizes_and_the_given_report():
    model = Word2Vec(vector_size=10, min_count=1, workers=1)
    assert model.estimate_memory()["total"] == 0           # no vocabulary yet, as gensim
    before = model.estimate_memory(vocab_size=1000)
    assert before["vectors"] == 1000 * 10 * 4
    assert before["vocab"] == 1000 * (STR_BYTES + TABLE_BYTES + training_bytes("ns"))
    model.build_vocab_from_freq(zipf_freq(2000))
    own = model.estimate_memory()
    assert model.estimate_memory(vocab_size=2000) == own
    double = model.estimate_memory(vocab_size=4000)
    assert double["vectors"] == 2 * own["vectors"]
    assert double["vocab"] == pytest.approx(2 * own["vocab"], rel=1e-3)
    given = {"other": 5}
    assert model.estimate_memory(report=given) is given
    assert given["total"] == own["total"] + 5


def test_init_sims_is_gensims_deprecated_fill_norms():
    model = Word2Vec(vector_size=8, min_count=1, epochs=1, workers=1)
    model.build_vocab([["a", "b", "c", "d"] * 5] * 20).train(verbose=False)
    vectors = model.wv.vectors.copy()
    with pytest.warns(DeprecationWarning, match="fill_norms"):
        model.init_sims()
    np.testing.assert_array_equal(model.wv.vectors, vectors)
    np.testing.assert_allclose(model.wv.norms, np.linalg.norm(vectors, axis=1), rtol=1e-6)
    with pytest.warns(DeprecationWarning):
        model.init_sims(replace=True)
    np.testing.assert_allclose(np.linalg.norm(model.wv.vectors, axis=1), 1.0, rtol=1e-5)


def test_hierarchical_softmax_paths_of_another_size_are_bounded():
    """Another vocabulary size has another tree: its paths are counted at word2vec.c's bound."""
    model = Word2Vec(vector_size=8, min_count=1, workers=1, hs=1, negative=0)
    model.build_vocab_from_freq(zipf_freq(3000))
    per_word = word_bytes(model.vocab, model.wv)
    assert model.estimate_memory()["vocab"] == round(3000 * (per_word + training_bytes("hs", model.vocab)))
    assert model.estimate_memory(vocab_size=6000)["vocab"] == round(6000 * (per_word + training_bytes("hs")))


def test_a_corpus_streamed_from_disk_is_counted(tmp_path):
    """A text corpus is prepared and streamed: the model keeps every distinct word of it (those
    under min_count too: 27,000 of 30,000 here) and the maps it reads with. ``corpus``
    counts them, so vocab + corpus is what tracemalloc sees build_vocab keep."""
    rng = np.random.default_rng(0)
    tokens = np.concatenate([np.repeat(np.arange(3000), 6), np.arange(3000, 30_000)])
    rng.shuffle(tokens)
    path = tmp_path / "c.txt"
    path.write_text("".join(" ".join(f"word{t}x" for t in tokens[i:i + 20]) + "\n"
                            for i in range(0, tokens.size, 20)))
    Word2Vec(min_count=5, vector_size=8, workers=1).build_vocab(corpus_file=str(path))  # warm
    model = Word2Vec(min_count=5, vector_size=8, workers=1)
    tracemalloc.start()
    try:
        model.build_vocab(corpus_file=str(path))
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    held -= model.wv.vectors.nbytes + model.W_out.nbytes
    report = model.estimate_memory()
    assert len(model.vocab) == 3000 and report["corpus"] > 3 * report["vocab"]
    counted = report["vocab"] - len(model.vocab) * training_bytes("ns") + report["corpus"]
    assert counted == pytest.approx(held, rel=0.03)
    assert "corpus" not in model.estimate_memory(vocab_size=6000)    # another size: unknown
