"""Kernel benchmarks, per objective: the NumPy reference vs the serial and the parallel Numba
kernel, at several dimensions, on the same slice of text8.

Every kernel case trains one block of ``KERNEL_WORDS`` words (subsampling, reduced window,
lr decay included: the work of one kernel call in training). The first call compiles (or
loads numba's cache) and is checked before any timing: finite weights and a per-example loss
below its value at the start. The reference case trains ``REFERENCE_WORDS`` words with
``reference/`` forward/backward on minibatches of pairs (the textbook NumPy way). Every case
records ``extra_info["words"]``: words/s = words / time.
"""
import numpy as np
import pytest

from fastw2v import Word2Vec
from fastw2v.cpu._rng import seed_states
from fastw2v.reference import cbow, hs, sgns
from fastw2v.schedule import plan_pieces
from fastw2v.training import block_runner

KERNEL_WORDS = 200_000
REFERENCE_WORDS = 10_000
OBJECTIVES = {
    "sgns": dict(sg=1, negative=5),
    "cbow-ns": dict(sg=0, negative=5, alpha=0.05),
    "sg-hs": dict(sg=1, hs=1, negative=0),
}
DIMS = [50, 100, 300]


def sentences(words, n):
    return [words[i:i + 10_000] for i in range(0, n, 10_000)]


def model_for(objective, dim, corpus, workers):
    model = Word2Vec(vector_size=dim, window=5, min_count=5, sample=1e-3, epochs=1,
                     workers=workers, seed=1, **OBJECTIVES[objective])
    return model.build_vocab(corpus)


def initial_loss_per_example(model):
    """-log sigma(0) per decision at zero output rows: (1 + K) log 2 for NS; path length x
    log 2 for HS (a bound: the longest path)."""
    cfg = model.config
    if cfg.hs:
        return model.vocab.huffman_tree()[2].max() * np.log(2)
    return (1 + cfg.negative) * np.log(2)


@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("impl", ["serial", "parallel"])
@pytest.mark.parametrize("objective", list(OBJECTIVES))
def test_kernel(benchmark, text8_words, objective, impl, dim):
    threads = 1 if impl == "serial" else 2
    model = model_for(objective, dim, sentences(text8_words, KERNEL_WORDS), threads)
    run = block_runner(model, threads)
    data = model._corpus
    starts = plan_pieces(data.offsets, threads, data.n_words)[0]
    work = (data.ids, data.offsets, starts, seed_states(1, 0, 0, n=threads),
            model.vocab.keep_probabilities(model.config.sample))
    stats = np.zeros((threads, 2))
    lr = model.config.alpha

    run(work, lr, lr, stats)                  # compile / load the cache, then validate
    per_example = stats[:, 0].sum() / stats[:, 1].sum()
    assert np.isfinite(model.wv.vectors).all() and np.isfinite(model.W_out).all()
    assert 0 < per_example < initial_loss_per_example(model), per_example

    benchmark.group = f"kernel {objective} D={dim}"
    benchmark.extra_info.update(objective=objective, impl=impl, dim=dim, threads=threads,
                                words=int(data.raw_words))
    benchmark.pedantic(run, args=(work, lr, lr, stats), rounds=5, iterations=1)


def skipgram_pairs(ids, window, rng):
    """(context, centre) id pairs with word2vec.c's reduced window."""
    n = ids.size
    reach = window - rng.integers(0, window, n)
    ctx, centre = [], []
    for d in range(1, window + 1):
        pos = np.nonzero(reach >= d)[0]
        for other in (pos - d, pos + d):
            ok = (other >= 0) & (other < n)
            ctx.append(ids[other[ok]])
            centre.append(ids[pos[ok]])
    return np.concatenate(ctx), np.concatenate(centre)


def cbow_windows(ids, window, rng):
    """(contexts (n, 2w), mask (n, 2w), centres (n,)) with the reduced window."""
    n = ids.size
    reach = window - rng.integers(0, window, n)
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)])
    pos = np.arange(n)[:, None] + offsets[None, :]
    mask = (np.abs(offsets)[None, :] <= reach[:, None]) & (pos >= 0) & (pos < n)
    contexts = ids[np.clip(pos, 0, n - 1)]
    keep = mask.any(axis=1)
    return contexts[keep], mask[keep], ids[keep]


def reference_epoch(model, ids, rng, batch=1024):
    """Train on ``ids`` with the NumPy reference: minibatches, W -= lr * grad."""
    cfg = model.config
    W_in = model.wv.vectors.astype(np.float64)
    W_out = model.W_out.astype(np.float64)
    keep = model.vocab.keep_probabilities(cfg.sample)
    ids = ids[rng.random(ids.size) < keep[ids]]                    # subsampling
    noise = model.vocab.noise_distribution(cfg.ns_exponent)
    tree = model.vocab.huffman_tree() if cfg.hs else None
    lr = cfg.alpha
    if cfg.sg:
        ctx, centre = skipgram_pairs(ids, cfg.window, rng)
        for i in range(0, ctx.size, batch):
            c, w = ctx[i:i + batch], centre[i:i + batch]
            if cfg.hs:
                _, cache = hs.forward(W_in, W_out, c, w, *tree)
                dW_in, dW_out = hs.backward(cache)
            else:
                negatives = rng.choice(noise.size, (c.size, cfg.negative), p=noise)
                _, cache = sgns.forward(W_in, W_out, c, w, negatives)
                dW_in, dW_out = sgns.backward(cache)
            W_in -= lr * dW_in
            W_out -= lr * dW_out
    else:
        contexts, mask, centre = cbow_windows(ids, cfg.window, rng)
        for i in range(0, centre.size, batch):
            w = centre[i:i + batch]
            negatives = rng.choice(noise.size, (w.size, cfg.negative), p=noise)
            _, cache = cbow.forward(W_in, W_out, contexts[i:i + batch], mask[i:i + batch], w,
                                    "ns", (negatives,), bool(cfg.cbow_mean))
            dW_in, dW_out, _ = cbow.backward(cache)
            W_in -= lr * dW_in
            W_out -= lr * dW_out
    return W_in, W_out


@pytest.mark.parametrize("dim", [50, 100])
@pytest.mark.parametrize("objective", list(OBJECTIVES))
def test_reference(benchmark, text8_words, objective, dim):
    model = model_for(objective, dim, sentences(text8_words, REFERENCE_WORDS), 1)
    ids = model._corpus.ids
    W_in, W_out = reference_epoch(model, ids, np.random.default_rng(0))     # validate first
    assert np.isfinite(W_in).all() and not np.allclose(W_out, 0)

    benchmark.group = f"kernel {objective} D={dim}"
    benchmark.extra_info.update(objective=objective, impl="reference", dim=dim, threads=1,
                                words=int(model._corpus.raw_words))
    benchmark.pedantic(reference_epoch, args=(model, ids, np.random.default_rng(1)),
                       rounds=3, iterations=1)
