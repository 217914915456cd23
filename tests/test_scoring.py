"""scoring.py: Word2Vec.score, against a plain loop over gensim's scoring order (exact) and
against gensim 4 itself given the same rows and tree (to its log table's resolution)."""
import math

import numpy as np
import pytest

from conftest import planted_corpus, require
from fastw2v import Word2Vec

SMALL = dict(vector_size=6, window=2, min_count=1, epochs=1, workers=1, seed=3, hs=1, negative=0)


@pytest.fixture(scope="module")
def corpus():
    return planted_corpus(np.random.default_rng(1), n_sentences=150)[0]


def log_p(model, word, h, table=False):
    """log P(word | h) along its Huffman path, one decision at a time. ``table``: as gensim's
    LOG_TABLE reads it: decisions beyond +-6 skipped, the others looked up at index
    int((x + 6) * 83), 83 being its EXP_TABLE_SIZE / MAX_EXP / 2 in C's integer division."""
    codes, points, codelens = model.vocab.huffman_tree()
    w = model.vocab.key_to_index[word]
    total = 0.0
    for d in range(codelens[w]):
        s = float(np.dot(h, model.W_out[points[w, d]].astype(np.float64)))
        x = s if codes[w, d] == 0 else -s                    # code 0: P = sigma(s)
        if table:
            if abs(x) >= 6:
                continue
            x = (int((x + 6) * 83) / 1000 * 2 - 1) * 6
        total += -math.log1p(math.exp(-x))
    return total


def loop_score(model, sentence, table=False):
    """gensim's score_sentence_sg / _cbow, statement by statement, with exact log sigma (or
    gensim's table)."""
    words = [w for w in sentence if w in model.vocab.key_to_index]
    rows = [model.wv.vectors[model.vocab.key_to_index[w]].astype(np.float64) for w in words]
    total = 0.0
    for i, word in enumerate(words):
        context = [j for j in range(max(0, i - model.window), min(len(words), i + model.window + 1))
                   if j != i]
        if model.sg:
            total += sum(log_p(model, word, rows[j], table) for j in context)
        else:
            h = sum((rows[j] for j in context), np.zeros(model.vector_size))
            if model.cbow_mean and context:
                h = h / len(context)
            total += log_p(model, word, h, table)
    return total


@pytest.mark.parametrize("sg, cbow_mean", [(1, 1), (0, 1), (0, 0)])
def test_score_is_the_loop(corpus, sg, cbow_mean):
    model = Word2Vec(corpus, **SMALL, sg=sg, cbow_mean=cbow_mean)
    long = [w for s in corpus[:100] for w in s] * 2           # > scoring.PAIRS terms: in batches
    assert len(long) > 2048
    sentences = corpus[:20] + [long, ["t0w1", "unknown-word", "t0w2"], ["t0w1"], [], ["nope"]]
    got = model.score(sentences)
    assert got.dtype == np.float32 and got.shape == (len(sentences),)
    expected = [loop_score(model, s) for s in sentences]
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    assert got[-2] == got[-1] == 0.0                          # no known word
    # one known word: no pair in skip-gram; CBOW scores it from an empty (zero) context
    assert got[-3] == 0.0 if sg else got[-3] == pytest.approx(loop_score(model, ["t0w1"]))


def test_score_is_gensims_but_for_its_table(corpus):
    gensim = require("gensim")
    for sg in (1, 0):
        model = Word2Vec(corpus, **SMALL, sg=sg)
        theirs = gensim.models.Word2Vec(vector_size=6, window=2, min_count=1, sg=sg, hs=1,
                                        negative=0)
        theirs.build_vocab(corpus)
        codes, points, codelens = model.vocab.huffman_tree()
        for gi, word in enumerate(theirs.wv.index_to_key):      # our rows and tree, gensim's order
            fi = model.vocab.key_to_index[word]
            theirs.wv.vectors[gi] = model.wv.vectors[fi]
            theirs.wv.expandos["code"][gi] = codes[fi, :codelens[fi]].astype(np.uint8)
            theirs.wv.expandos["point"][gi] = points[fi, :codelens[fi]].astype(np.uint32)
        theirs.syn1[:len(model.W_out)] = model.W_out
        sentences = corpus[:30] + [["t0w1", "unknown-word", "t0w2", "t0w1"]]
        # gensim's numbers are the same terms read from its table (exactly, to float32)
        expected = [loop_score(model, s, table=True) for s in sentences]
        np.testing.assert_allclose(theirs.score(sentences, total_sentences=31), expected,
                                   rtol=2e-5)
        # ours are exact: the same terms, so within the table's error of gensim's
        ours = model.score(sentences)
        np.testing.assert_allclose(ours, [loop_score(model, s) for s in sentences], rtol=1e-6)
        np.testing.assert_allclose(ours, expected, rtol=0.03)


def test_score_refusals_and_limit(corpus):
    with pytest.raises(RuntimeError, match="hierarchical softmax"):
        Word2Vec(corpus, **{**SMALL, "hs": 0, "negative": 5}).score(corpus[:2])
    with pytest.raises(RuntimeError, match="build the vocabulary"):
        Word2Vec(hs=1, negative=0).score(corpus[:2])
    model = Word2Vec(corpus, **SMALL)
    with pytest.warns(UserWarning, match="stopped after total_sentences=3"):
        assert model.score(corpus[:5], total_sentences=3).shape == (3,)


def test_a_lowercasing_model_scores_as_it_read(corpus):
    model = Word2Vec([[w.upper() for w in s] for s in corpus], **SMALL, lowercase=True)
    upper = [[w.upper() for w in s] for s in corpus[:5]]
    np.testing.assert_array_equal(model.score(upper), model.score(corpus[:5]))
    assert (model.score(upper) < 0).all()
