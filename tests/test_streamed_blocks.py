"""corpus/blocks.py: the kernels' blocks planned as a streamed corpus is read are exactly
``plan_pieces``'s over the whole corpus, and CPU training from disk keeps no array a sentence
long."""
import numpy as np
import pytest

from fastw2v import Word2Vec
from fastw2v.corpus import blocks, prepare
from fastw2v.corpus.blocks import kept_sentences, streamed_blocks, streamed_segments
from fastw2v.corpus.reading import _drop_empty, split_long_sentences
from fastw2v.schedule import planned_blocks, planned_segments


def chunks(a, size):
    return (a[i:i + size] for i in range(0, a.size, size))


def held_in_memory(tokens, ends, max_len):
    """(ids, offsets) as PreparedCorpus computed them before streaming: every sentence's
    kept-token offset, empty sentences dropped, long ones split."""
    before = np.concatenate([[0], np.cumsum(tokens >= 0)])
    offsets = _drop_empty(np.concatenate([[0], before[ends]]))
    return tokens[tokens >= 0], split_long_sentences(offsets, max_len)


@pytest.mark.parametrize("seed", range(40))
def test_streamed_blocks_are_plan_pieces_blocks(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    monkeypatch.setattr(blocks, "TOKENS_CHUNK", int(rng.choice([5, 1 << 18])))
    n = int(rng.integers(1, 400))
    tokens = rng.integers(-1, 9, n).astype(np.int32)       # -1: a word outside the vocabulary
    if rng.random() < 0.3:
        tokens[rng.integers(0, n):] = -1                     # a tail of dropped words
    n_ends = int(rng.integers(1, max(2, n // int(rng.choice([1, 3, 40])))))
    ends = np.unique(np.concatenate([rng.integers(1, n + 1, n_ends), [n]])).astype(np.int64)
    max_len = int(rng.integers(1, 25))
    ids, offsets = held_in_memory(tokens, ends, max_len)
    if offsets[-1] == 0:
        return                                               # no word: build_vocab refuses it
    threads, per_thread = int(rng.integers(1, 5)), int(rng.integers(1, 60))
    expected = list(planned_blocks(ids, offsets, threads, per_thread))
    batches = kept_sentences(chunks(tokens, int(rng.integers(1, 60))),
                             chunks(ends, int(rng.integers(1, 30))), max_len)
    got = list(streamed_blocks(batches, int(offsets[-1]), threads, per_thread))
    assert len(got) == len(expected)
    for (a, b, c), (x, y, z) in zip(got, expected):
        np.testing.assert_array_equal(a, x)
        np.testing.assert_array_equal(b, y)
        np.testing.assert_array_equal(c, z)


@pytest.mark.parametrize("seed", range(40))
def test_streamed_segments_are_the_segments_of_the_whole_corpus(seed, monkeypatch):
    # the CUDA driver's segments found as the sentences go by, against those cut from every
    # sentence's offset: batches of any size, segments shorter and longer than a batch, and
    # sentences longer than a segment (each alone)
    rng = np.random.default_rng(100 + seed)
    monkeypatch.setattr(blocks, "TOKENS_CHUNK", int(rng.choice([3, 7, 1 << 18])))
    n = int(rng.integers(1, 400))
    tokens = rng.integers(-1, 9, n).astype(np.int32)
    n_ends = int(rng.integers(1, max(2, n // int(rng.choice([1, 3, 40])))))
    ends = np.unique(np.concatenate([rng.integers(1, n + 1, n_ends), [n]])).astype(np.int64)
    max_len = int(rng.integers(1, 60))
    ids, offsets = held_in_memory(tokens, ends, max_len)
    if offsets[-1] == 0:
        return
    max_tokens = int(rng.choice([1, 2, 5, 20, 100, 1000]))
    expected = list(planned_segments(ids, offsets, max_tokens))
    batches = kept_sentences(chunks(tokens, int(rng.integers(1, 60))),
                             chunks(ends, int(rng.integers(1, 30))), max_len)
    got = list(streamed_segments(batches, int(offsets[-1]), max_tokens))
    assert len(got) == len(expected)
    for (a, b), (x, y) in zip(got, expected):
        np.testing.assert_array_equal(a, x)
        np.testing.assert_array_equal(b, y)
    assert all(o[-1] <= max_tokens or o.size == 2 for _, o in got)


@pytest.mark.parametrize("counted", [8, 12])
def test_a_corpus_changed_under_training_is_named(counted):
    # on the CPU's blocks and the CUDA driver's segments, whether words were added or removed
    tokens, ends = np.arange(10, dtype=np.int32), np.array([4, 10])
    with pytest.raises(ValueError, match=f"gave 10 words where {counted} were counted"):
        list(streamed_blocks(kept_sentences([tokens], [ends], 100), counted, 2, 3))
    with pytest.raises(ValueError, match=f"gave 10 words where {counted} were counted"):
        list(streamed_segments(kept_sentences([tokens], [ends], 100), counted, 3))


def test_a_segment_holds_at_least_one_word():
    with pytest.raises(ValueError, match="at least one word, not 0"):
        list(streamed_segments(kept_sentences([np.arange(3, dtype=np.int32)], [np.array([3])], 9),
                               3, 0))


def test_training_from_disk_keeps_nothing_a_sentence_long(tmp_path):
    """The CPU path plans as it reads: neither every sentence's offset nor its end is loaded,
    and the vectors are those of the same corpus held in memory."""
    rng = np.random.default_rng(3)
    sentences = [[f"w{i}" for i in rng.integers(0, 40, rng.integers(1, 30))] for _ in range(400)]
    path = tmp_path / "c.txt"
    path.write_text("".join(" ".join(s) + "\n" for s in sentences))
    prepare(str(path), str(tmp_path / "p"))
    params = dict(vector_size=8, min_count=2, epochs=2, workers=1, seed=5)
    streamed = Word2Vec(**params).build_vocab(str(tmp_path / "p"))
    streamed.train(verbose=False)
    corpus = streamed._corpus
    assert corpus.prepared._ends is None
    held = Word2Vec(**params).build_vocab(sentences)
    held.train(verbose=False)
    assert corpus.n_sentences == held._corpus.n_sentences and corpus.n_words == held._corpus.n_words
    np.testing.assert_array_equal(streamed.wv.vectors, held.wv.vectors)
