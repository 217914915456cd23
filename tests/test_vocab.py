"""vocab.py: ordering, min_count, word2vec.c's subsampling formula, the noise distribution."""
import numpy as np
import pytest

from fastw2v.vocab import Vocab


def test_sorted_by_count_ties_keep_first_appearance():
    vocab, new_id = Vocab.from_counts(["c", "a", "b", "d"], [2, 5, 2, 1], min_count=2)
    assert vocab.words == ["a", "c", "b"]
    assert new_id.tolist() == [1, 0, 2, -1]
    assert vocab.total_words == 9


def test_keep_probability_is_word2vec_c_formula():
    vocab = Vocab(["the", "cat", "rare"], [1_000_000, 1000, 5])
    s = 1e-3
    T = vocab.total_words
    keep = vocab.keep_probabilities(s)
    for f, k in zip(vocab.counts, keep):
        expected = min((np.sqrt(f / (s * T)) + 1) * (s * T) / f, 1.0)
        assert k == pytest.approx(expected, rel=1e-6)
    assert keep[0] < 0.1 and keep[2] == 1.0
    assert np.all(vocab.keep_probabilities(0) == 1.0)


def test_sample_of_one_or_more_is_gensims_threshold_in_counts():
    # gensim: sample >= 1 thins words seen more than about `sample` times, whatever the corpus
    vocab = Vocab(["the", "cat", "rare"], [1_000_000, 1000, 5])
    threshold = int(5 * (3 + np.sqrt(5)) / 2)                     # 13
    keep = vocab.keep_probabilities(5)
    expected = np.minimum((np.sqrt(vocab.counts / threshold) + 1) * threshold / vocab.counts, 1)
    assert keep == pytest.approx(expected, rel=1e-6)
    assert keep[0] < 0.01 and 0.1 < keep[1] < 0.2 and keep[2] == 1.0


@pytest.mark.parametrize("exponent", [0.75, 1.0, 0.0])
def test_noise_distribution_is_unigram_power(exponent):
    vocab = Vocab(list("abcde"), [1000, 300, 100, 10, 1])
    expected = vocab.counts ** exponent / np.sum(vocab.counts ** exponent)
    np.testing.assert_allclose(vocab.noise_distribution(exponent), expected, rtol=1e-12)
