"""Kernel steps of every objective against the NumPy reference, and training with each.

(SGNS has its own file, test_cpu_sgns.py.) One step equals ``W - lr * reference_gradient`` on
injected samples in float32 tolerance; for CBOW the input rows move by ``-lr * dh`` as in
word2vec.c (the true gradient times the number of contexts for the mean, see reference/cbow.py).
"""
import numpy as np
import pytest

from conftest import compare, planted_corpus
from fastw2v import Word2Vec
from fastw2v.cpu.cbow import cbow_ns_step
from fastw2v.cpu.hs import cbow_hs_step, hs_targets, sg_hs_step
from fastw2v.cpu.softmax_sg import softmax_step
from fastw2v.reference import cbow, hs, softmax_sg
from fastw2v.vocab import Vocab

LR = 0.05


def weights(rng, V, D, out_rows=None):
    W_in = rng.normal(0, 0.3, (V, D)).astype(np.float32)
    W_out = rng.normal(0, 0.3, (out_rows or V, D)).astype(np.float32)
    return W_in, W_out


def tree(rng, V):
    counts = np.sort(rng.integers(1, 1000, V))[::-1]
    return Vocab([f"w{i}" for i in range(V)], counts).huffman_tree()


def f64(*arrays):
    return [a.astype(np.float64) for a in arrays]


@pytest.mark.parametrize("D", [4, 16, 64])
@pytest.mark.parametrize("V", [2, 9, 40])
def test_sg_hs_step_equals_reference(rng, V, D):
    codes, points, codelens = tree(rng, V)
    for _ in range(5):
        W_in, W_out = weights(rng, V, D, max(V - 1, 1))
        ctx, centre = (int(x) for x in rng.integers(0, V, 2))
        k_in, k_out = W_in.copy(), W_out.copy()
        k_loss = sg_hs_step(k_in, k_out, ctx, *path(codes, points, codelens, centre), np.float32(LR),
                            np.empty((1, D), np.float32), np.empty(points.shape[1], np.float32), True)
        loss, cache = hs.forward(*f64(W_in, W_out), np.array([ctx]), np.array([centre]), codes, points, codelens)
        dW_in, dW_out = hs.backward(cache)
        compare("loss", k_loss, loss, rtol=1e-5, atol=1e-6)
        compare("W_in", k_in, W_in - LR * dW_in, rtol=1e-5, atol=1e-6)
        compare("W_out", k_out, W_out - LR * dW_out, rtol=1e-5, atol=1e-6)


def path(codes, points, codelens, w):
    """Word w's Huffman path as the HS kernels take it: (nodes, labels 1 - code, length)."""
    targets = np.empty(points.shape[1], np.int32)
    labels = np.empty(points.shape[1], np.float32)
    return targets, labels, hs_targets(w, codes, points, codelens, targets, labels)


def cbow_window(rng, V, n):
    return rng.choice(V, n, replace=False).astype(np.int32)


def padded(contexts):
    """The kernels take a scratch buffer and a count: pad it with a word that must be ignored."""
    return np.concatenate([contexts, np.full(3, contexts[0], np.int32)]).astype(np.int32)


def expected_cbow_step(W_in, W_out, contexts, centre, head, head_args, mean):
    mask = np.ones((1, contexts.size), bool)
    loss, cache = cbow.forward(*f64(W_in, W_out), contexts[None, :].astype(np.int64), mask,
                               np.array([centre]), head, head_args, mean)
    _, dW_out, dh = cbow.backward(cache)
    new_in = W_in.astype(np.float64)
    new_in[contexts] -= LR * dh[0]                    # word2vec.c: dh to every context row
    return loss, new_in, W_out - LR * dW_out


@pytest.mark.parametrize("mean", [True, False])
@pytest.mark.parametrize("D", [4, 16, 64])
def test_cbow_ns_step_equals_reference(rng, D, mean):
    V = 30
    for n_ctx in (1, 3, 8):
        W_in, W_out = weights(rng, V, D)
        contexts = cbow_window(rng, V, n_ctx)
        centre = int(rng.integers(V))
        negatives = rng.choice(V, 5, replace=False).astype(np.int32)
        k_in, k_out = W_in.copy(), W_out.copy()
        k_loss = cbow_ns_step(k_in, k_out, padded(contexts)[None, :], np.array([n_ctx]), 1,
                              np.array([centre], np.int32), negatives, negatives.size,
                              np.array([LR], np.float32), np.empty((1, D), np.float32),
                              np.empty((1, D), np.float32), mean, True)
        loss, e_in, e_out = expected_cbow_step(W_in, W_out, contexts, centre, "ns", (negatives[None, :],), mean)
        compare("loss", k_loss, loss, rtol=1e-5, atol=1e-6)
        compare("W_in", k_in, e_in, rtol=1e-5, atol=1e-6)
        compare("W_out", k_out, e_out, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mean", [True, False])
@pytest.mark.parametrize("D", [4, 16, 64])
def test_cbow_hs_step_equals_reference(rng, D, mean):
    V = 25
    codes, points, codelens = tree(rng, V)
    for n_ctx in (1, 4, 10):
        W_in, W_out = weights(rng, V, D, V - 1)
        contexts = cbow_window(rng, V, n_ctx)
        centre = int(rng.integers(V))
        k_in, k_out = W_in.copy(), W_out.copy()
        targets, labels, n_targets = path(codes, points, codelens, centre)
        k_loss = cbow_hs_step(k_in, k_out, padded(contexts)[None, :], np.array([n_ctx]), 1,
                              targets[None, :], labels[None, :], np.array([n_targets]),
                              np.array([LR], np.float32), np.empty((1, D), np.float32),
                              np.empty((1, D), np.float32), np.empty(points.shape[1], np.float32),
                              mean, True)
        loss, e_in, e_out = expected_cbow_step(W_in, W_out, contexts, centre, "hs", (codes, points, codelens), mean)
        compare("loss", k_loss, loss, rtol=1e-5, atol=1e-6)
        compare("W_in", k_in, e_in, rtol=1e-5, atol=1e-6)
        compare("W_out", k_out, e_out, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("D", [4, 16, 64])
@pytest.mark.parametrize("V,B", [(7, 20), (50, 8), (300, 33)])
def test_softmax_sg_batch_equals_reference(rng, V, D, B):
    # a batch update is exact minibatch SGD, repeated contexts and centres included
    W_in, W_out = weights(rng, V, D)
    ctx, centre = rng.integers(0, V, B), rng.integers(0, V, B)
    k_in, k_out = W_in.copy(), W_out.copy()
    k_loss = softmax_step(k_in, k_out, ctx.astype(np.int32)[:, None].copy(), np.ones(B, np.int32),
                          centre.astype(np.int32), np.float32(LR), False, np.empty((B, D), np.float32))
    loss, cache = softmax_sg.forward(*f64(W_in, W_out), ctx, centre)
    dW_in, dW_out = softmax_sg.backward(cache)
    compare("loss", k_loss, loss, rtol=1e-5, atol=1e-5)
    compare("W_in", k_in, W_in - LR * dW_in, rtol=1e-5, atol=1e-6)
    compare("W_out", k_out, W_out - LR * dW_out, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mean", [True, False])
def test_softmax_cbow_batch_equals_reference(rng, mean):
    V, D, B, C = 20, 8, 6, 4
    W_in, W_out = weights(rng, V, D)
    rows = rng.integers(0, V, (B, C)).astype(np.int32)
    n_rows = rng.integers(1, C + 1, B).astype(np.int32)
    centre = rng.integers(0, V, B).astype(np.int32)
    k_in, k_out = W_in.copy(), W_out.copy()
    k_loss = softmax_step(k_in, k_out, rows, n_rows, centre, np.float32(LR), mean, np.empty((B, D), np.float32))
    mask = np.arange(C)[None, :] < n_rows[:, None]
    loss, cache = cbow.forward(*f64(W_in, W_out), rows.astype(np.int64), mask, centre, "softmax", (), mean)
    _, dW_out, dh = cbow.backward(cache)
    e_in = W_in.astype(np.float64)
    np.add.at(e_in, rows[mask], -LR * np.repeat(dh, n_rows, axis=0))
    compare("loss", k_loss, loss, rtol=1e-5, atol=1e-5)
    compare("W_in", k_in, e_in, rtol=1e-5, atol=1e-6)
    compare("W_out", k_out, W_out - LR * dW_out, rtol=1e-5, atol=1e-6)


OBJECTIVES = {
    "sg-hs": dict(sg=1, hs=1, negative=0),
    "cbow-ns-mean": dict(sg=0, negative=5, alpha=0.05),
    "cbow-ns-per-window": dict(sg=0, negative=5, alpha=0.05, batch_window=False),
    "cbow-hs-per-window": dict(sg=0, hs=1, negative=0, alpha=0.05, batch_window=False),
    "cbow-ns-sum": dict(sg=0, negative=5, cbow_mean=0, alpha=0.01),
    "cbow-hs": dict(sg=0, hs=1, negative=0, alpha=0.05),
    "sg-softmax": dict(sg=1, loss="softmax", softmax_batch=16, alpha=0.1),
    "cbow-softmax": dict(sg=0, loss="softmax", softmax_batch=16, alpha=0.1),
}


def small_model(**kw):
    params = dict(vector_size=16, window=3, min_count=1, sample=0, epochs=5, workers=1, seed=3)
    params.update(kw)
    return Word2Vec(**params)


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_serial_is_reproducible_and_parallel_learns(rng, name):
    corpus, topics = planted_corpus(rng)
    a = small_model(**OBJECTIVES[name]).fit(corpus, verbose=False)
    b = small_model(**OBJECTIVES[name]).fit(corpus, verbose=False)
    np.testing.assert_array_equal(a.wv.vectors, b.wv.vectors)
    assert a.epoch_losses == b.epoch_losses
    par = small_model(workers=2, **OBJECTIVES[name]).fit(corpus, verbose=False)
    for model in (a, par):
        hits = sum(len({x for x, _ in model.wv.most_similar(w, topn=4)} & set(t))
                   for t in topics for w in t)
        assert hits / 80 >= 0.9, name
        per = np.array(model.epoch_losses) / np.array(model.epoch_pairs)
        assert per[-1] < per[0]


@pytest.mark.parametrize("name", ["sg-hs", "cbow-ns-mean", "cbow-ns-per-window",
                                  "cbow-hs", "sg-softmax", "cbow-softmax"])
def test_examples_counted(name):
    # window=1, no subsampling: skip-gram trains 2(n-1) pairs a sentence, CBOW n windows
    corpus = [["a", "b", "c"], ["d", "e"], ["f"], ["a", "b", "c", "d", "e", "f", "a"]]
    model = small_model(window=1, epochs=1, **OBJECTIVES[name]).fit(corpus, verbose=False)
    expected = 2 * (2 + 1 + 0 + 6) if OBJECTIVES[name]["sg"] else 3 + 2 + 0 + 7
    assert model.epoch_pairs == [expected]


def test_hs_output_matrix_has_one_row_per_inner_node(rng):
    corpus, _ = planted_corpus(rng, n_sentences=50)
    model = small_model(hs=1, negative=0, epochs=1).fit(corpus, verbose=False)
    assert model.W_out.shape == (19, 16)


def test_softmax_refuses_huge_vocabularies(monkeypatch):
    from fastw2v import config
    monkeypatch.setattr(config, "SOFTMAX_MAX_VOCAB", 10)
    corpus = [[f"w{i}" for i in range(20)]]
    with pytest.raises(ValueError, match="loss='softmax' over 20 words .* use negative sampling"):
        Word2Vec(loss="softmax", min_count=1).build_vocab(corpus)


@pytest.mark.parametrize("mean", [True, False])
@pytest.mark.parametrize("D", [4, 32])
def test_cbow_ns_batch_equals_reference_minibatch(rng, D, mean):
    # B windows of different sizes; centres and noise words distinct across the batch, so the
    # batch equals one step on the summed loss (input rows moved by -lr * dh, as word2vec.c)
    V, B, K, C = 60, 4, 3, 6
    W_in, W_out = weights(rng, V, D)
    targets = rng.choice(V, B * (K + 1), replace=False).astype(np.int32)
    centres, negatives = targets[:B], targets[B:]
    n_ctx = np.array([1, 6, 3, 5])
    contexts = rng.integers(0, V, (B, C)).astype(np.int32)       # contexts may repeat
    mask = np.arange(C)[None, :] < n_ctx[:, None]
    lrs = np.full(B, LR, np.float32)
    k_in, k_out = W_in.copy(), W_out.copy()
    k_loss = cbow_ns_step(k_in, k_out, contexts, n_ctx, B, centres, negatives, K, lrs,
                          np.empty((B, D), np.float32), np.empty((B, D), np.float32), mean, True)
    loss, cache = cbow.forward(*f64(W_in, W_out), contexts.astype(np.int64), mask, centres, "ns",
                               (negatives.reshape(B, K),), mean)
    _, dW_out, dh = cbow.backward(cache)
    e_in = W_in.astype(np.float64)
    for b in range(B):
        np.add.at(e_in, contexts[b, :n_ctx[b]], -LR * dh[b])
    compare("loss", k_loss, loss, rtol=1e-5, atol=1e-5)
    compare("W_in", k_in, e_in, rtol=1e-5, atol=1e-5)
    compare("W_out", k_out, W_out - LR * dW_out, rtol=1e-5, atol=1e-6)


def test_softplus_series_matches_numpy():
    from fastw2v.cpu._sigmoid import sigmoid_exp, softplus_neg
    xs = np.concatenate([np.linspace(-40, 40, 4001), [0.0, 1e-6, -1e-6, 88.0, -88.0]]).astype(np.float32)
    for x in xs:
        sig, e = sigmoid_exp(x)
        expected = np.log1p(np.exp(-abs(np.float64(x)))) + max(-np.float64(x), 0.0)
        assert softplus_neg(x, e) == pytest.approx(expected, rel=3e-7, abs=1e-30), x
        assert sig == pytest.approx(1 / (1 + np.exp(-np.float64(x))), rel=3e-7, abs=1e-30), x
