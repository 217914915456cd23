"""cpu/sgns.py: one kernel step against the reference; epochs: reproducibility, structure, quality."""
import numpy as np
import pytest

from conftest import compare, planted_corpus
from fastw2v import Word2Vec
from fastw2v.cpu.sgns import sgns_step
from fastw2v.reference import sgns


def step_case(rng, V, D, K, distinct=True):
    W_in = rng.normal(0, 0.3, (V, D)).astype(np.float32)
    W_out = rng.normal(0, 0.3, (V, D)).astype(np.float32)
    ctx, centre = rng.integers(0, V, 2)
    negatives = (rng.choice(V, K, replace=False) if distinct else rng.integers(0, V, K)).astype(np.int32)
    return W_in, W_out, int(ctx), int(centre), negatives


def run_step(W_in, W_out, ctx, centre, negatives, lr):
    W_in, W_out = W_in.copy(), W_out.copy()
    neu1e = np.empty((1, W_in.shape[1]), dtype=np.float32)
    loss = sgns_step(W_in, W_out, ctx, centre, negatives, np.float32(lr), neu1e, True)
    return W_in, W_out, loss


def reference_step(W_in, W_out, ctx, centre, negatives, lr):
    loss, cache = sgns.forward(W_in.astype(np.float64), W_out.astype(np.float64), np.array([ctx]),
                               np.array([centre]), negatives[None, :].astype(np.int64))
    dW_in, dW_out = sgns.backward(cache)
    return W_in - lr * dW_in, W_out - lr * dW_out, loss


def test_step_hand_made():
    # V=3, D=2: context 0 predicts centre 1 against noise word 2
    W_in = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], dtype=np.float32)
    W_out = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, -1.0]], dtype=np.float32)
    new_in, new_out, loss = run_step(W_in, W_out, 0, 1, np.array([2], np.int32), 0.1)
    s_pos, s_neg = 2.0, 0.0                                   # h . v_1, h . v_2
    sig = lambda x: 1 / (1 + np.exp(-x))
    assert loss == pytest.approx(-np.log(sig(s_pos)) - np.log(sig(-s_neg)), rel=1e-6)
    g_pos, g_neg = 0.1 * (1 - sig(s_pos)), 0.1 * (0 - sig(s_neg))
    np.testing.assert_allclose(new_out[1], W_out[1] + g_pos * W_in[0], rtol=1e-6)
    np.testing.assert_allclose(new_out[2], W_out[2] + g_neg * W_in[0], rtol=1e-6)
    np.testing.assert_allclose(new_in[0], W_in[0] + g_pos * W_out[1] + g_neg * W_out[2], rtol=1e-6)
    np.testing.assert_array_equal(new_in[1:], W_in[1:])       # only the context row moves


@pytest.mark.parametrize("D", [4, 16, 64])
@pytest.mark.parametrize("V,K", [(30, 5), (8, 7)])
def test_step_equals_reference(rng, V, D, K):
    for _ in range(5):
        W_in, W_out, ctx, centre, negatives = step_case(rng, V, D, K)
        lr = 0.05
        k_in, k_out, k_loss = run_step(W_in, W_out, ctx, centre, negatives, lr)
        r_in, r_out, r_loss = reference_step(W_in, W_out, ctx, centre, negatives, lr)
        compare("loss", k_loss, r_loss, rtol=1e-5, atol=1e-6)
        compare("W_in", k_in, r_in, rtol=1e-5, atol=1e-6)
        compare("W_out", k_out, r_out, rtol=1e-5, atol=1e-6)


def test_step_noise_word_equal_to_centre_is_skipped(rng):
    W_in, W_out, ctx, centre, _ = step_case(rng, 10, 8, 1)
    with_centre = np.array([centre, centre], np.int32)
    k_in, k_out, _ = run_step(W_in, W_out, ctx, centre, with_centre, 0.1)
    only_positive = np.empty(0, np.int32)
    p_in, p_out, _ = run_step(W_in, W_out, ctx, centre, only_positive, 0.1)
    np.testing.assert_array_equal(k_in, p_in)
    np.testing.assert_array_equal(k_out, p_out)


def test_step_repeated_noise_words(rng):
    # A repeated noise word sees its own first update (sequential, as word2vec.c), so the
    # step equals W - lr * grad up to O(lr^2): the difference shrinks ~100x when lr does ~10x.
    W_in, W_out, ctx, centre, _ = step_case(rng, 6, 16, 1)
    negatives = np.array([(centre + 1) % 6] * 3 + [(centre + 2) % 6] * 2, np.int32)
    errors = []
    for lr in (0.1, 0.01):
        k_in, k_out, _ = run_step(W_in, W_out, ctx, centre, negatives, lr)
        r_in, r_out, _ = reference_step(W_in, W_out, ctx, centre, negatives, lr)
        errors.append(max(np.abs(k_in - r_in).max(), np.abs(k_out - r_out).max()))
    assert errors[0] > 0
    assert errors[1] < errors[0] / 30


def small_model(**kw):
    params = dict(vector_size=16, window=3, min_count=1, sample=0, epochs=5, negative=5,
                  workers=1, seed=3)
    params.update(kw)
    return Word2Vec(**params)


def test_serial_runs_are_bit_reproducible(rng):
    corpus, _ = planted_corpus(rng, n_sentences=200)
    a = small_model().fit(corpus, verbose=False)
    b = small_model().fit(corpus, verbose=False)
    c = small_model(seed=4).fit(corpus, verbose=False)
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)
    np.testing.assert_array_equal(a.W_out, b.W_out)
    assert a.epoch_losses == b.epoch_losses
    assert not np.array_equal(a.wv.vectors, c.wv.vectors)


@pytest.mark.parametrize("shared", [True, False])
@pytest.mark.parametrize("workers", [1, 2])
def test_planted_topics_become_neighbours(rng, workers, shared):
    corpus, topics = planted_corpus(rng)
    model = small_model(workers=workers, batch_window=shared).fit(corpus, verbose=False)
    hits = 0
    for topic in topics:
        for w in topic:
            neighbours = {x for x, _ in model.wv.most_similar(w, topn=4)}
            hits += len(neighbours & set(topic))
    assert hits / (20 * 4) >= 0.95
    assert model.epoch_losses[-1] < model.epoch_losses[0]


def test_windows_stop_at_sentence_ends():
    # window=1 never shrinks, sample=0 keeps every word: a sentence of n words gives 2(n-1) pairs
    corpus = [["a", "b", "c"], ["d", "e"], ["f"], ["a", "b", "c", "d", "e", "f", "a"]]
    model = small_model(window=1, epochs=1).fit(corpus, verbose=False)
    assert model.epoch_pairs == [2 * 2 + 2 * 1 + 0 + 2 * 6]


def test_long_sentences_are_split_not_truncated():
    corpus = [["w%d" % (i % 50) for i in range(25_000)]]
    model = small_model(window=1, epochs=1).fit(corpus, verbose=False)
    assert model._corpus.n_words == 25_000
    # pieces of 10,000 + 10,000 + 5,000 words: 2 * (9,999 + 9,999 + 4,999) pairs
    assert model.epoch_pairs == [2 * (9_999 + 9_999 + 4_999)]


@pytest.mark.parametrize("shared", [True, False])
def test_hogwild_quality_on_text8(text8_path, shared):
    # Calibration (2 threads, all 2.1M words of text8-head, D=50, 1 epoch, seeds 5-7):
    # WordSim-353 Spearman 0.255-0.273 with shared noise words, 0.269-0.285 per pair
    # (gensim 4.4 with 5 epochs, D=100: ~0.47). The threshold leaves room for thread races.
    model = Word2Vec(vector_size=50, epochs=1, workers=2, seed=5, batch_window=shared)
    model.fit(text8_path, verbose=False)
    assert model.wv.evaluate_word_pairs().spearman > 0.22


def test_loss_per_pair_falls_after_the_first_epoch(rng):
    corpus, _ = planted_corpus(rng)
    model = small_model(epochs=3, workers=2).fit(corpus, verbose=False)
    per_pair = np.array(model.epoch_losses) / np.array(model.epoch_pairs)
    assert per_pair[1] < 0.95 * per_pair[0]
    # (C-style loss: the sum over pairs of -log sigma(s+) - sum_k log sigma(-s_k), in float64)
    assert np.all(np.isfinite(per_pair)) and np.all(per_pair > 0)


@pytest.mark.parametrize("D", [4, 16, 64])
@pytest.mark.parametrize("m", [1, 3, 10])
def test_shared_negatives_step_equals_reference_minibatch(rng, D, m):
    # all m pairs of a window share the noise words; contexts may repeat (they scatter-add)
    from fastw2v.cpu.sgns import sgns_shared_step
    V, K, lr = 40, 5, 0.05
    for _ in range(3):
        W_in, W_out, _, centre, negatives = step_case(rng, V, D, K)
        contexts = rng.integers(0, V, m).astype(np.int32)
        k_in, k_out = W_in.copy(), W_out.copy()
        k_loss = sgns_shared_step(k_in, k_out, contexts, centre, negatives, np.float32(lr),
                                  np.empty((m, D), np.float32), np.empty(D, np.float32), True)
        loss, cache = sgns.forward(W_in.astype(np.float64), W_out.astype(np.float64), contexts,
                                   np.full(m, centre), np.tile(negatives, (m, 1)).astype(np.int64))
        dW_in, dW_out = sgns.backward(cache)
        compare("loss", k_loss, loss, rtol=1e-5, atol=1e-5)
        compare("W_in", k_in, W_in - lr * dW_in, rtol=1e-5, atol=1e-6)
        compare("W_out", k_out, W_out - lr * dW_out, rtol=1e-5, atol=1e-6)


def test_shared_negatives_training(rng):
    corpus, topics = planted_corpus(rng)
    a = small_model(batch_window=True).fit(corpus, verbose=False)
    b = small_model(batch_window=True).fit(corpus, verbose=False)
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)
    hits = sum(len({x for x, _ in a.wv.most_similar(w, topn=4)} & set(t)) for t in topics for w in t)
    assert hits / 80 >= 0.95
