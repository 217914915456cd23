"""word2vec.c's training loop, pinned: the reduced window, the subsampling decision, the
learning rate at every position, in the helpers, in every kernel and in the model's schedule.

The kernel tests read what a kernel did from its output rows. When every word of the corpus
occurs once, W_out starts at zero and W_in is all ones (D = 1), the first update of a centre
word's output row sees the score s = 0, so sigma(s) = 1/2 and (negative sampling, no noise
words) the centre's row becomes

    W_out[centre] = lr(pos) * (1 - 1/2) * (sum of its context rows) = lr(pos) / 2 * n_contexts

(for skip-gram, the window's contexts one after another; a tiny lr keeps the later scores at
0 to 1e-7). The centre's row never feeds an input row back (it was zero when read), so W_in
stays at one, and W_out holds, word by word, the learning rate and the number of contexts
that the loop gave that position. A dropped word keeps a zero row.
"""
import numpy as np
import pytest

from fastw2v import Word2Vec
from fastw2v import config, training
from fastw2v.cpu import cbow, hs, sgns, softmax_sg
from fastw2v.cpu._noise import alias_table
from fastw2v.cpu._rng import seed_states
from fastw2v.cpu._staging import plan_stage
from fastw2v.cpu._windows import position_lr, reduced_window, subsample
from fastw2v.vocab import Vocab

# ---- the helpers -------------------------------------------------------------------------


@pytest.mark.parametrize("window", [1, 2, 5, 8])
def test_reduced_window_half_width_is_uniform(window):
    # word2vec.c: b = next_random % window; contexts from pos - (window - b) to pos + (window - b)
    n, pos, draws = 100, 50, 40_000
    state = np.uint64(12345)
    widths = np.empty(draws, dtype=np.int64)
    for i in range(draws):
        lo, hi, state = reduced_window(pos, n, window, np.uint64(state))
        assert pos - lo == hi - 1 - pos                    # symmetric away from the edges
        widths[i] = pos - lo
    share = np.bincount(widths, minlength=window + 1) / draws
    assert share[0] == 0                                   # never an empty window
    np.testing.assert_allclose(share[1:], 1 / window, atol=5 * np.sqrt(1 / window / draws))


def test_reduced_window_is_cut_at_sentence_edges():
    # pos 1 of 4, window 5: the half-width r in 1..5 always reaches the start; the end
    # (2 words on) only for r >= 2
    state = np.uint64(7)
    his = []
    for _ in range(5000):
        lo, hi, state = reduced_window(1, 4, 5, np.uint64(state))
        assert lo == 0 and hi in (3, 4)
        his.append(hi)
    assert np.mean(np.array(his) == 3) == pytest.approx(1 / 5, abs=5 * np.sqrt(0.16 / 5000))


def test_subsample_keeps_each_word_with_its_probability():
    # word w is kept with probability keep[w] (word2vec.c: dropped when keep < u, u uniform)
    keep = np.array([0.05, 0.2, 0.5, 0.8, 0.95, 1.0], dtype=np.float32)
    reps = 20_000
    ids = np.tile(np.arange(keep.size, dtype=np.int32), reps)
    out = np.empty(ids.size, dtype=np.int32)
    n, _ = subsample(ids, 0, ids.size, keep, out, np.uint64(99))
    kept = np.bincount(out[:n], minlength=keep.size) / reps
    sd = np.sqrt(keep * (1 - keep) / reps)
    assert np.all(np.abs(kept - keep) <= 5 * sd), (kept, keep)
    assert kept[-1] == 1.0                                 # keep = 1 is never dropped


def test_position_lr_is_linear_over_the_piece_raw_words():
    # sentences of 10, 30 and 20 raw words; the piece spans all 60
    offsets = np.array([0, 10, 40, 60], dtype=np.int64)
    lr0, lr1 = 0.025, 0.005
    at = lambda done: lr0 + (lr1 - lr0) * done / 60             # noqa: E731
    assert position_lr(lr0, lr1, offsets, 0, 0, 60, 0, 10) == pytest.approx(lr0)
    assert position_lr(lr0, lr1, offsets, 0, 0, 60, 5, 10) == pytest.approx(at(5))
    assert position_lr(lr0, lr1, offsets, 1, 0, 60, 0, 30) == pytest.approx(at(10))
    # 15 of sentence 1's 30 words kept: kept position 5 stands for raw word 10 of it
    assert position_lr(lr0, lr1, offsets, 1, 0, 60, 5, 15) == pytest.approx(at(20))
    assert position_lr(lr0, lr1, offsets, 2, 0, 60, 19, 20) == pytest.approx(at(59))
    # a piece that starts at sentence 1 counts from its own first word
    assert position_lr(lr0, lr1, offsets, 2, 10, 50, 0, 20) == pytest.approx(
        lr0 + (lr1 - lr0) * 30 / 50)


# ---- the kernels, read from their output rows -----------------------------------------

def probe(kernel, sentences, window, lr0, lr1, keep=None, seed=5, mean=False):
    """Train ``sentences`` (lists of ids, every id once in the corpus) with one serial kernel
    on D = 1, W_in = 1, W_out = 0, no noise words. Returns (W_out[:, 0], stats)."""
    ids = np.concatenate([np.asarray(s, dtype=np.int32) for s in sentences])
    V = int(ids.max()) + 1
    assert np.unique(ids).size == ids.size
    offsets = np.zeros(len(sentences) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(s) for s in sentences])
    keep = np.ones(V, dtype=np.float32) if keep is None else keep
    work = (ids, offsets, np.array([0, len(sentences)], dtype=np.int64),
            seed_states(seed, 0, 0, n=1), keep)
    W_in = np.ones((V, 1), dtype=np.float32)
    W_out = np.zeros((V, 1), dtype=np.float32)
    noise = alias_table(np.full(V, 1.0 / V))
    stage = plan_stage(V, True, 1, 1)
    stats = np.zeros((1, 2), dtype=np.float64)
    lr0, lr1 = np.float32(lr0), np.float32(lr1)
    if kernel == "sgns-shared":
        sgns.sgns_block_serial(W_in, W_out, noise, 0, True, stage, work, window, lr0, lr1, False, stats)
    elif kernel == "sgns-per-pair":
        sgns.sgns_block_serial(W_in, W_out, noise, 0, False, stage, work, window, lr0, lr1, False, stats)
    else:
        batch = 8 if kernel == "cbow-batch" else 1
        cbow.cbow_ns_block_serial(W_in, W_out, noise, 0, mean, batch, stage, work, window, lr0, lr1,
                                  False, stats)
    np.testing.assert_array_equal(W_in, 1.0)               # the probe's premise
    return W_out[:, 0].astype(np.float64), stats


KERNELS = ["sgns-shared", "sgns-per-pair", "cbow-batch", "cbow-per-window"]


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("window", [3, 5])
def test_kernel_window_sizes_follow_the_reduced_window(kernel, window):
    lr = 1e-6
    sentences = [list(range(s * 400, (s + 1) * 400)) for s in range(30)]
    W_out, stats = probe(kernel, sentences, window, lr, lr)
    n_ctx = np.rint(W_out / (lr / 2)).astype(np.int64)
    np.testing.assert_allclose(W_out, n_ctx * lr / 2, rtol=1e-4)
    inner = np.concatenate([s[window:-window] for s in sentences])
    width = n_ctx[inner] // 2                              # away from the edges: 2 * half-width
    assert np.all(n_ctx[inner] % 2 == 0)
    share = np.bincount(width, minlength=window + 1)[1:] / inner.size
    np.testing.assert_allclose(share, 1 / window, atol=5 * np.sqrt(1 / window / inner.size))
    # word2vec.c's expectation: window + 1 contexts per position on average (2r, r uniform in
    # 1..window, has variance (window**2 - 1) / 3)
    sd = np.sqrt((window ** 2 - 1) / 3 / inner.size)
    assert n_ctx[inner].mean() == pytest.approx(window + 1, abs=5 * sd)
    if kernel.startswith("sgns"):
        assert stats[0, 1] == n_ctx.sum()                  # pairs counted as trained


@pytest.mark.parametrize("kernel", KERNELS)
def test_kernel_learning_rate_at_every_position(kernel):
    # window 1: every interior word has 2 contexts, edge words 1; lr falls from lr0 to lr1
    # over the block's raw words, linearly within and across sentences
    lens = [7, 1, 12, 30, 2]
    starts = np.cumsum([0] + lens)
    sentences = [list(range(a, b)) for a, b in zip(starts[:-1], starts[1:])]
    lr0, lr1 = 1e-6, 2e-7
    W_out, _ = probe(kernel, sentences, 1, lr0, lr1)
    total = starts[-1]
    for s, (a, b) in enumerate(zip(starts[:-1], starts[1:])):
        for pos in range(b - a):
            n_ctx = int(pos > 0) + int(pos < b - a - 1)
            lr = lr0 + (lr1 - lr0) * (a + pos) / total
            assert W_out[a + pos] == pytest.approx(lr / 2 * n_ctx, rel=1e-4), (s, pos)


@pytest.mark.parametrize("kernel", ["cbow-batch", "cbow-per-window"])
def test_cbow_mean_divides_by_the_number_of_contexts(kernel):
    # cbow_mean=1: h is the mean of the context rows, all ones here, so every centre with a
    # context gets lr / 2 whatever its reduced window held (the sum would give lr / 2 * n_ctx)
    lr = 1e-6
    sentences = [list(range(s * 200, (s + 1) * 200)) for s in range(5)]
    W_out, _ = probe(kernel, sentences, 4, lr, lr, mean=True)
    np.testing.assert_allclose(W_out, lr / 2, rtol=1e-4)


@pytest.mark.parametrize("kernel", KERNELS)
def test_kernel_keeps_words_with_their_keep_probability(kernel):
    rng = np.random.default_rng(3)
    groups = np.array([0.1, 0.4, 0.7, 0.9, 1.0], dtype=np.float32)
    V = 25_000
    keep = groups[rng.integers(0, groups.size, V)]
    sentences = [list(range(s * 1000, (s + 1) * 1000)) for s in range(V // 1000)]
    W_out, _ = probe(kernel, sentences, 2, 1e-6, 1e-6, keep=keep)
    trained = W_out != 0        # kept, and with a kept neighbour: all but ~1e-3 of kept words
    for k in groups:
        mine = keep == k
        share = trained[mine].mean()
        assert abs(share - k) <= 5 * np.sqrt(k * (1 - k) / mine.sum()) + 0.003, (k, share)
    assert trained[keep == 1.0].all()


def hs_probe(arch, ids, lens, lr0, lr1, window=1, mean=True):
    """Hierarchical softmax on the probe's terms (D = 1, W_in = 1, node rows 0, lr ~1e-6, no
    subsampling): every (context, centre) pair (skip-gram) or window (CBOW) moves each node d
    of the centre's path by lr(pos) * (label_d - 1/2) * h, h = 1 for skip-gram and the CBOW
    mean, the number of contexts for the CBOW sum, to 1e-4. The reduced windows are replayed
    from the kernel's generator (without subsampling it draws nothing else). Returns the node
    rows and what word2vec.c's loop predicts for them."""
    V = int(ids.max()) + 1
    counts = np.sort(np.random.default_rng(0).integers(1, 100, V))[::-1]
    codes, points, codelens = tree = Vocab([str(i) for i in range(V)], counts).huffman_tree()
    offsets = np.zeros(len(lens) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(lens)
    work = (ids, offsets, np.array([0, len(lens)], dtype=np.int64), seed_states(1, 0, 0, n=1),
            np.ones(V, dtype=np.float32))
    W_in = np.ones((V, 1), dtype=np.float32)
    W_out = np.zeros((V - 1, 1), dtype=np.float32)
    stage = plan_stage(V - 1, False, 1, 1)
    stats = np.zeros((1, 2), dtype=np.float64)
    if arch == "sg":
        hs.sg_hs_block_serial(W_in, W_out, tree, stage, work, window, np.float32(lr0),
                              np.float32(lr1), False, stats)
    else:
        hs.cbow_hs_block_serial(W_in, W_out, tree, mean, 8, stage, work, window, np.float32(lr0),
                                np.float32(lr1), False, stats)
    expected = np.zeros(V - 1)
    state = work[3][0]
    for s in range(len(lens)):
        n = lens[s]
        for pos in range(n):
            lo, hi, state = reduced_window(pos, n, window, np.uint64(state))
            n_ctx = hi - lo - 1
            if n_ctx == 0:
                continue
            lr = lr0 + (lr1 - lr0) * (offsets[s] + pos) / offsets[-1]
            w = ids[offsets[s] + pos]
            h = n_ctx if arch == "sg" or not mean else 1
            for d in range(codelens[w]):
                expected[points[w, d]] += h * lr * (0.5 - codes[w, d])
    return W_out[:, 0].astype(np.float64), expected


@pytest.mark.parametrize("arch", ["sg", "cbow"])
def test_hs_kernel_learning_rate_at_every_position(arch):
    rng = np.random.default_rng(6)
    lens = [9, 1, 14, 3]
    ids = rng.integers(0, 12, sum(lens)).astype(np.int32)
    ids[:12] = np.arange(12)
    W_out, expected = hs_probe(arch, ids, lens, 1e-6, 1e-7)
    np.testing.assert_allclose(W_out, expected, rtol=1e-3, atol=1e-12)
    # what a learning rate frozen at lr0 within the block would have left
    _, frozen = hs_probe(arch, ids, lens, 1e-6, 1e-6)
    assert np.abs(frozen - expected).max() > 100 * np.abs(W_out - expected).max()


@pytest.mark.parametrize("arch,mean", [("sg", True), ("cbow", True), ("cbow", False)])
def test_hs_kernel_reduced_window_and_cbow_mean(arch, mean):
    rng = np.random.default_rng(7)
    lens = [40, 3, 25, 60]
    ids = rng.integers(0, 30, sum(lens)).astype(np.int32)
    ids[:30] = np.arange(30)
    W_out, expected = hs_probe(arch, ids, lens, 1e-6, 5e-7, window=4, mean=mean)
    np.testing.assert_allclose(W_out, expected, rtol=1e-3, atol=1e-12)


@pytest.mark.parametrize("arch", ["sg", "cbow"])
def test_softmax_kernel_learning_rate_at_every_position(arch):
    # the full softmax on the probe's terms, one example per batch: every example (pair or
    # window) moves W_out[v] by lr(pos) * (1[v = centre] - 1/V), to 1e-4
    rng = np.random.default_rng(2)
    lens = [9, 1, 14, 3]
    V = 12
    ids = rng.integers(0, V, sum(lens)).astype(np.int32)
    offsets = np.zeros(len(lens) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(lens)
    work = (ids, offsets, np.array([0, len(lens)], dtype=np.int64), seed_states(1, 0, 0, n=1),
            np.ones(V, dtype=np.float32))
    W_in = np.ones((V, 1), dtype=np.float32)
    W_out = np.zeros((V, 1), dtype=np.float32)
    lr0, lr1 = 1e-6, 1e-7
    softmax_sg.softmax_block_serial(W_in, W_out, work, 1, arch == "cbow", True, 1, np.float32(lr0),
                                    np.float32(lr1), np.zeros((1, 2)))
    expected = np.zeros(V)
    for s, n in enumerate(lens):
        for pos in range(n):
            n_ctx = int(pos > 0) + int(pos < n - 1)
            lr = lr0 + (lr1 - lr0) * (offsets[s] + pos) / offsets[-1]
            examples = n_ctx if arch == "sg" else int(n_ctx > 0)
            expected -= examples * lr / V
            expected[ids[offsets[s] + pos]] += examples * lr
    np.testing.assert_allclose(W_out[:, 0], expected, rtol=1e-3, atol=1e-12)


# ---- every objective, through the model ------------------------------------------------

OBJECTIVES = {
    "sgns": dict(sg=1, negative=5),
    "sgns-per-pair": dict(sg=1, negative=5, batch_window=False),
    "sg-hs": dict(sg=1, hs=1, negative=0),
    "sg-softmax": dict(sg=1, loss="softmax", softmax_batch=16),
    "cbow-ns": dict(sg=0, negative=5),
    "cbow-ns-per-window": dict(sg=0, negative=5, batch_window=False),
    "cbow-hs": dict(sg=0, hs=1, negative=0),
    "cbow-softmax": dict(sg=0, loss="softmax", softmax_batch=16),
}


def model(workers=1, **params):
    base = dict(vector_size=8, window=4, min_count=1, sample=0, epochs=1, workers=workers, seed=2,
                alpha=0.01)
    base.update(params)
    return Word2Vec(**base)


def expected_pairs(lengths, window):
    """E[(context, centre) pairs] of skip-gram with word2vec.c's reduced window."""
    total = 0.0
    for n in lengths:
        pos = np.arange(n)[:, None]
        r = window - np.arange(window)[None, :]            # half-width for b = 0 .. window-1
        total += (np.minimum(pos, r) + np.minimum(n - 1 - pos, r)).mean(axis=1).sum()
    return total


@pytest.mark.parametrize("name", [k for k in OBJECTIVES if OBJECTIVES[k]["sg"]])
def test_skipgram_pairs_match_the_reduced_window(name):
    rng = np.random.default_rng(8)
    lengths = [500] * 40 + [3, 1, 7]
    corpus = [[f"w{i}" for i in rng.integers(0, 60, n)] for n in lengths]
    m = model(**OBJECTIVES[name]).fit(corpus, verbose=False)
    expected = expected_pairs(lengths, 4)
    # per position the pair count varies by at most 2 * window around its mean
    assert abs(m.epoch_pairs[0] - expected) < 5 * 4 * np.sqrt(sum(lengths))
    assert abs(m.epoch_pairs[0] - expected) < 0.01 * expected


@pytest.mark.parametrize("name", sorted(OBJECTIVES))
def test_examples_follow_the_subsampling_decision(name):
    # "the" is half of every sentence and kept with probability ~0.12; with window 1 skip-gram
    # trains 2 (n - 1) pairs of a sentence of n kept words and CBOW n windows (n >= 2)
    rng = np.random.default_rng(4)
    corpus = []
    for _ in range(60):
        words = [f"w{i}" for i in rng.integers(0, 300, 200)]
        words[::2] = ["the"] * 100
        corpus.append(words)
    m = model(window=1, sample=1e-2, **OBJECTIVES[name])
    m.build_vocab(corpus)
    keep = m.vocab.keep_probabilities(m.config.sample).astype(np.float64)
    assert 0.05 < keep[m.vocab.key_to_index["the"]] < 0.2
    per_token = np.concatenate([keep[[m.vocab.key_to_index[w] for w in s]] for s in corpus])
    kept, sd = per_token.sum(), np.sqrt((per_token * (1 - per_token)).sum())
    m.train(verbose=False)
    examples = m.epoch_pairs[0]
    n_sentences = len(corpus)
    predicted = 2 * (kept - n_sentences) if OBJECTIVES[name]["sg"] else kept
    assert abs(examples - predicted) < 5 * 2 * sd + 4, (examples, predicted)


def test_lr_schedule_across_blocks_and_epochs(monkeypatch):
    # the model hands each block its start and end rate: one line from alpha to min_alpha over
    # all words of all epochs, continuous from block to block and epoch to epoch
    monkeypatch.setattr(config, "BLOCK_WORDS_PER_THREAD", 500)
    calls = []
    original = training.block_runner

    def recording(model, threads):
        run = original(model, threads)

        def wrapped(work, lr0, lr1, stats):
            ids, offsets, starts = work[:3]
            if lr0 or lr1:                # not the warm-up call that compiles the kernel
                calls.append((float(lr0), float(lr1), int(offsets[starts[-1]] - offsets[starts[0]])))
            return run(work, lr0, lr1, stats)
        wrapped.kernel = run.kernel
        return wrapped

    monkeypatch.setattr(training, "block_runner", recording)
    rng = np.random.default_rng(1)
    corpus = [[f"w{i}" for i in rng.integers(0, 50, rng.integers(5, 40))] for _ in range(200)]
    m = model(epochs=3, alpha=0.03, min_alpha=0.001).fit(corpus, verbose=False)
    total = 3 * m._corpus.n_words
    assert len(calls) >= 3 * 8
    assert calls[0][0] == pytest.approx(0.03)
    assert calls[-1][1] == pytest.approx(0.001)
    done = 0
    for lr0, lr1, words in calls:
        assert lr0 == pytest.approx(0.03 - 0.029 * done / total)
        done += words
        assert lr1 == pytest.approx(0.03 - 0.029 * done / total)
    assert done == total
