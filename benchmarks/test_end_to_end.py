"""End-to-end training benchmarks: fastw2v against gensim (skipped when gensim is absent) and
against a batched PyTorch SGNS written the way teaching notebooks write it (skipped without
torch), one epoch over the same corpus, 2 threads each.

Timed: ``train()`` only, from fresh vectors every round (the vocabulary is built in the
round's setup, untimed; numba's cache is warmed before the first round). After the rounds each
implementation's vectors are checked for learning something (WordSim-353 Spearman above a
floor), so a fast run that learned nothing fails. ``extra_info["words"]``: raw corpus words,
so words/s = words / time. The 5-epoch side-by-side with quality, memory and whole-command
timing is ``compare_gensim.py``.
"""
import numpy as np
import pytest

from fastw2v import KeyedVectors, Word2Vec
from fastw2v.data import WORDSIM353

SETTINGS = dict(vector_size=100, window=5, min_count=5, sample=1e-3, epochs=1, workers=2, seed=1)
OBJECTIVES = {   # fastw2v params, gensim params, Spearman floor after one epoch on text8-head
    "sgns": (dict(sg=1, negative=5), dict(sg=1, negative=5, hs=0), 0.25),
    "cbow-ns": (dict(sg=0, negative=5, alpha=0.05), dict(sg=0, negative=5, hs=0, alpha=0.05), 0.15),
    "sg-hs": (dict(sg=1, hs=1, negative=0), dict(sg=1, hs=1, negative=0), 0.25),
}
TORCH_WORDS = 300_000        # the notebook-style PyTorch SGNS is timed on the corpus's head


def spearman(words, vectors):
    return KeyedVectors(list(words), np.asarray(vectors, dtype=np.float32)).evaluate_word_pairs(WORDSIM353).spearman


@pytest.mark.parametrize("objective", list(OBJECTIVES))
def test_fastw2v(benchmark, text8, objective):
    params, _, floor = OBJECTIVES[objective]
    Word2Vec(**{**SETTINGS, "min_count": 1}, **params).fit([["warm", "the", "cache"]] * 3, verbose=False)
    models = []

    def setup():
        models.append(Word2Vec(**SETTINGS, **params).build_vocab(text8))
        return (models[-1],), {}

    benchmark.group = f"end-to-end {objective}"
    benchmark.extra_info.update(objective=objective, impl="fastw2v", threads=2)
    benchmark.pedantic(lambda m: m.train(verbose=False), setup=setup, rounds=3, iterations=1)
    benchmark.extra_info["words"] = int(models[-1]._corpus.raw_words)
    assert spearman(models[-1].wv.index_to_key, models[-1].wv.vectors) > floor


@pytest.mark.parametrize("objective", list(OBJECTIVES))
def test_gensim(benchmark, text8, objective):
    gensim = pytest.importorskip("gensim")
    from gensim.models.word2vec import LineSentence
    _, params, floor = OBJECTIVES[objective]
    models = []

    def setup():
        model = gensim.models.Word2Vec(**SETTINGS, **params)
        model.build_vocab(corpus_iterable=LineSentence(str(text8)))
        models.append(model)
        return (model,), {}

    def train(model):
        model.train(corpus_iterable=LineSentence(str(text8)), total_examples=model.corpus_count,
                    total_words=model.corpus_total_words, epochs=1)

    benchmark.group = f"end-to-end {objective}"
    benchmark.extra_info.update(objective=objective, impl=f"gensim {gensim.__version__}", threads=2)
    benchmark.pedantic(train, setup=setup, rounds=3, iterations=1)
    benchmark.extra_info["words"] = int(models[-1].corpus_total_words)
    assert spearman(models[-1].wv.index_to_key, models[-1].wv.vectors) > floor


def notebook_pairs(text8_words, rng):
    """What a notebook does before training: count, keep min_count 5, subsample, then every
    (centre, context) pair of a window of 5 (reduced at random), and unigram^0.75 noise."""
    from collections import Counter
    counts = Counter(text8_words)
    vocab = [w for w, c in counts.most_common() if c >= 5]
    index = {w: i for i, w in enumerate(vocab)}
    freq = np.array([counts[w] for w in vocab], dtype=np.float64)
    ids = np.array([index[w] for w in text8_words if w in index])
    keep = np.minimum((np.sqrt(freq / (1e-3 * freq.sum())) + 1) * (1e-3 * freq.sum()) / freq, 1)
    ids = ids[rng.random(ids.size) < keep[ids]]
    from test_kernels import skipgram_pairs
    ctx, centre = skipgram_pairs(ids, 5, rng)
    noise = freq ** 0.75
    return vocab, ctx, centre, noise / noise.sum()


def test_torch_notebook_sgns(benchmark, text8_words):
    torch = pytest.importorskip("torch")
    torch.set_num_threads(2)
    words = text8_words[:TORCH_WORDS]
    rng = np.random.default_rng(0)
    vocab, ctx, centre, noise = notebook_pairs(words, rng)
    V, D, B, K = len(vocab), 100, 512, 5
    noise_t = torch.tensor(noise, dtype=torch.float32)
    ctx_t, centre_t = torch.from_numpy(ctx), torch.from_numpy(centre)
    state = {}

    def setup():
        torch.manual_seed(0)
        W_in = torch.nn.Embedding(V, D)
        W_out = torch.nn.Embedding(V, D)
        torch.nn.init.uniform_(W_in.weight, -0.5 / D, 0.5 / D)
        torch.nn.init.zeros_(W_out.weight)
        state.update(W_in=W_in, W_out=W_out, losses=[],
                     opt=torch.optim.SGD([W_in.weight, W_out.weight], lr=0.025 * B))
        return (), {}

    def epoch():
        W_in, W_out, opt = state["W_in"], state["W_out"], state["opt"]
        order = torch.randperm(ctx_t.numel())
        for i in range(0, order.numel(), B):
            sel = order[i:i + B]
            h = W_in(ctx_t[sel])                                         # (B, D)
            pos = (h * W_out(centre_t[sel])).sum(-1)                     # (B,)
            negs = torch.multinomial(noise_t, sel.numel() * K, replacement=True).view(-1, K)
            neg = torch.bmm(W_out(negs), h.unsqueeze(-1)).squeeze(-1)    # (B, K)
            loss = -(torch.nn.functional.logsigmoid(pos) + torch.nn.functional.logsigmoid(-neg).sum(-1)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            state["losses"].append(loss.item())

    benchmark.group = "end-to-end sgns"
    benchmark.extra_info.update(objective="sgns", impl=f"torch {torch.__version__} notebook SGNS",
                                threads=2, words=len(words))
    benchmark.pedantic(epoch, setup=setup, rounds=3, iterations=1)
    losses = state["losses"]
    assert np.mean(losses[-20:]) < np.mean(losses[:20])          # it learned
