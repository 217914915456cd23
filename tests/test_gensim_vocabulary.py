"""gensim's vocabulary controls and queries, checked against gensim 4 itself: ``trim_rule``,
``max_final_vocab`` (``effective_min_count``), ``build_vocab_from_freq`` and
``predict_output_word``; and that a list, a text file and a prepared directory choose the same
words under them."""
import numpy as np
import pytest

from conftest import require
from fastw2v import Word2Vec
from fastw2v.corpus import prepare
from fastw2v.vocab import RULE_DEFAULT, RULE_DISCARD, RULE_KEEP, final_min_count, prune

SMALL = dict(vector_size=8, window=2, epochs=1, workers=1, seed=3)


@pytest.fixture(scope="module")
def zipf():
    """Sentences of words w0..w199 drawn by a Zipf law: counts from hundreds down to one."""
    rng = np.random.default_rng(7)
    p = 1.0 / np.arange(1, 201)
    ids = rng.choice(200, size=6000, p=p / p.sum())
    return [[f"w{i}" for i in ids[k:k + 15]] for k in range(0, ids.size, 15)]


def rule(word, count, min_count):
    """Keeps two rare words, drops the w1x words (w1, w10..w19, w100..), else the count."""
    if word in ("w150", "w151"):
        return RULE_KEEP
    if word.startswith("w1"):
        return RULE_DISCARD
    return RULE_DEFAULT


def gensim_vocab(model):
    return {w: model.wv.get_vecattr(w, "count") for w in model.wv.index_to_key}


def ours(model):
    return dict(zip(model.vocab.words, model.vocab.counts.tolist()))


def write(tmp_path, corpus, name="c.txt"):
    path = tmp_path / name
    path.write_text("\n".join(" ".join(s) for s in corpus) + "\n")
    return str(path)


@pytest.mark.parametrize("min_count, max_final_vocab, use_rule", [
    (1, None, True), (5, None, True), (1, 40, False), (3, 40, False), (1, 40, True),
    (1, 500, False), (20, 40, False), (1, 1, False)])
def test_vocabulary_is_gensims(zipf, min_count, max_final_vocab, use_rule):
    gensim = require("gensim")
    kw = dict(min_count=min_count, max_final_vocab=max_final_vocab)
    theirs = gensim.models.Word2Vec(vector_size=8, **kw)
    theirs.build_vocab(zipf, trim_rule=rule if use_rule else None)
    model = Word2Vec(**SMALL, **kw).build_vocab(zipf, trim_rule=rule if use_rule else None)
    assert ours(model) == gensim_vocab(theirs)
    assert model.effective_min_count == theirs.effective_min_count
    assert list(model.vocab.counts) == sorted(model.vocab.counts, reverse=True)


def test_the_rule_is_asked_with_the_effective_min_count(zipf):
    asked = []
    Word2Vec(**SMALL, min_count=2, max_final_vocab=30).build_vocab(
        zipf, trim_rule=lambda w, c, m: asked.append((w, c, m)) or RULE_DEFAULT)
    model = Word2Vec(**SMALL, min_count=2, max_final_vocab=30).build_vocab(zipf)
    assert {m for _, _, m in asked} == {model.effective_min_count} and model.effective_min_count > 2
    counts = {}
    for s in zipf:
        for w in s:
            counts[w] = counts.get(w, 0) + 1
    assert sorted((w, c) for w, c, _ in asked) == sorted(counts.items())   # every word, its count


def test_final_min_count_cuts_below_the_ranked_word():
    counts = np.array([9, 7, 7, 5, 0, 3])
    assert final_min_count(counts, 1, None) == 1
    assert final_min_count(counts, 1, 1) == 8            # rank 1 (0-based) counts 7: 7 + 1
    assert final_min_count(counts, 1, 2) == 8            # ties at the cut all go
    assert final_min_count(counts, 1, 3) == 6
    assert final_min_count(counts, 6, 4) == 6            # min_count is never lowered
    assert final_min_count(counts, 1, 5) == 1            # as many words as asked: min_count


@pytest.mark.parametrize("kw", [dict(min_count=1), dict(min_count=1, max_final_vocab=25),
                                dict(min_count=2, max_vocab_size=60)])
def test_list_text_and_prepared_choose_the_same_words(zipf, tmp_path, kw):
    path = write(tmp_path, zipf)
    prepared = tmp_path / "p"
    prepare(path, prepared)
    models = [Word2Vec(**SMALL, **kw).build_vocab(c, trim_rule=rule)
              for c in (zipf, path, str(prepared))]
    assert ours(models[0]) == ours(models[1]) == ours(models[2])
    assert models[0].vocab.words == models[1].vocab.words == models[2].vocab.words
    assert "w150" in models[0].vocab.words and "w12" not in models[0].vocab.words
    for m in models[1:]:                                   # and they train the same
        m.train(verbose=False)
    assert np.array_equal(models[1].wv.vectors, models[2].wv.vectors)


def test_pruning_asks_the_rule(zipf):
    plain = Word2Vec(**SMALL, min_count=1, max_vocab_size=60).build_vocab(zipf)
    ruled = Word2Vec(**SMALL, min_count=1, max_vocab_size=60).build_vocab(zipf, trim_rule=rule)
    assert "w150" not in plain.vocab.words and "w150" in ruled.vocab.words   # kept through it
    assert "w3" in plain.vocab.words
    # a word the rule discards is gone, and pruning stops once the rest fits
    assert not any(w.startswith("w1") and w not in ("w150", "w151") for w in ruled.vocab.words)
    words = [f"w{i}" for i in range(6)]
    counts = np.array([5, 4, 3, 2, 1, 1])
    alive = prune(counts, 2, words, lambda w, c, m: RULE_KEEP if w == "w5" else RULE_DEFAULT)
    # the kept word counts towards the limit: 1, 2 and 3 go, then 4, until two words are left
    assert alive.tolist() == [True, False, False, False, False, True]
    # a rule keeping every word still ends: the vocabulary then stays above max_vocab_size
    assert prune(counts, 2, words, lambda w, c, m: RULE_KEEP).all()


def test_a_prepared_corpus_pruned_without_the_rule_is_refused(zipf, tmp_path):
    prepared = tmp_path / "p"
    prepare(write(tmp_path, zipf), prepared, max_vocab_size=60)
    model = Word2Vec(**SMALL, min_count=1, max_vocab_size=60)
    model.build_vocab(str(prepared))                       # without a rule: as it was pruned
    with pytest.raises(ValueError, match="pruned by max_vocab_size.*without --max-vocab-size"):
        model.build_vocab(str(prepared), trim_rule=rule)


def test_the_constructor_takes_the_rule(zipf):
    a = Word2Vec(zipf, **SMALL, min_count=1, trim_rule=rule)
    b = Word2Vec(**SMALL, min_count=1).build_vocab(zipf, trim_rule=rule).train(verbose=False)
    assert a.vocab.words == b.vocab.words and np.array_equal(a.wv.vectors, b.wv.vectors)
    with pytest.warns(UserWarning, match="trim_rule given to Word2Vec.. without a corpus"):
        Word2Vec(**SMALL, trim_rule=rule)


def test_update_asks_the_rule_for_new_words_as_gensim(zipf):
    gensim = require("gensim")
    first, more = zipf[:200], zipf[200:]
    theirs = gensim.models.Word2Vec(vector_size=8, min_count=3)
    theirs.build_vocab(first)
    theirs.build_vocab(more, update=True, trim_rule=rule)
    model = Word2Vec(**SMALL, min_count=3).build_vocab(first)
    model.build_vocab(more, update=True, trim_rule=rule)
    assert ours(model) == gensim_vocab(theirs)


@pytest.mark.parametrize("update", [False, True])
def test_build_vocab_takes_min_count_and_sample_for_this_build_as_gensim(zipf, update):
    """gensim's build_vocab passes min_count= and sample= to prepare_vocab: this build's
    threshold (effective_min_count; model.min_count stays) and the subsampling from now on."""
    gensim = require("gensim")
    first, more = zipf[:200], zipf[200:]
    theirs = gensim.models.Word2Vec(vector_size=8, min_count=3)
    model = Word2Vec(**SMALL, min_count=3)
    if update:
        theirs.build_vocab(first)
        model.build_vocab(first)
    theirs.build_vocab(more, update=update, min_count=1, sample=1e-2)
    model.build_vocab(more, update=update, min_count=1, sample=1e-2)
    assert ours(model) == gensim_vocab(theirs)
    # a new vocabulary keeps the build's min_count, an update leaves the model's
    expected = (3 if update else 1, 1)
    assert (model.min_count, model.effective_min_count) == (theirs.min_count, theirs.effective_min_count) == expected
    assert model.sample == 1e-2 and model.layer1_size == theirs.layer1_size == 8
    assert len(model.wv) == len(model.vocab) == len(theirs.wv)
    with pytest.raises(ValueError, match="dry_run"):
        model.build_vocab(more, update=True, dry_run=True)
    with pytest.raises(ValueError):                    # failed: the model keeps its settings
        model.build_vocab([["x"]], min_count=50, sample=1e-4)
    assert (model.min_count, model.sample, len(model.wv)) == (expected[0], 1e-2, len(theirs.wv))


def test_min_count_may_change_before_an_update_as_gensim(zipf):
    gensim = require("gensim")
    first, more = zipf[:200], zipf[200:]
    theirs = gensim.models.Word2Vec(vector_size=8, min_count=3)
    theirs.build_vocab(first)
    theirs.min_count = 1
    theirs.build_vocab(more, update=True)
    model = Word2Vec(**SMALL, min_count=3).build_vocab(first)
    model.min_count = 1
    model.build_vocab(more, update=True)
    assert ours(model) == gensim_vocab(theirs) and model.effective_min_count == 1


def test_build_vocab_from_freq_is_gensims(zipf):
    gensim = require("gensim")
    freq = {"the": 50, "cat": 7, "sat": 3, "on": 2, "mat": 1, "w150": 1}
    for kw, trim in ((dict(min_count=2), None), (dict(min_count=1, max_final_vocab=3), None),
                     (dict(min_count=2), rule)):
        theirs = gensim.models.Word2Vec(vector_size=8, **kw)
        theirs.build_vocab_from_freq(freq, corpus_count=9, trim_rule=trim)
        model = Word2Vec(**SMALL, **kw).build_vocab_from_freq(freq, corpus_count=9, trim_rule=trim)
        assert ours(model) == gensim_vocab(theirs)
        assert model.corpus_count == theirs.corpus_count == 9
    more = {"cat": 4, "dog": 5, "emu": 1}
    theirs.build_vocab_from_freq(more, update=True)
    model.build_vocab_from_freq(more, update=True)
    assert ours(model) == gensim_vocab(theirs)


def test_build_vocab_from_freq_then_train_needs_a_corpus(zipf):
    counts = {}
    for s in zipf:
        for w in s:
            counts[w] = counts.get(w, 0) + 1
    model = Word2Vec(**SMALL, min_count=2).build_vocab_from_freq(counts)
    with pytest.raises(ValueError, match=r"build_vocab_from_freq or reset_from\): pass the corpus"):
        model.train()
    model.train(zipf, verbose=False)
    # the same vocabulary and the same run as reading the corpus
    read = Word2Vec(**SMALL, min_count=2).build_vocab(zipf).train(verbose=False)
    assert model.vocab.words == read.vocab.words
    assert np.array_equal(model.wv.vectors, read.wv.vectors)
    with pytest.raises(ValueError, match="count of 'x' must be an integer >= 0, got -1"):
        Word2Vec(**SMALL).build_vocab_from_freq({"a": 3, "x": -1})
    with pytest.raises(ValueError, match="no word of the 2 given is seen min_count=5 times"):
        Word2Vec(**SMALL, min_count=5).build_vocab_from_freq({"a": 3, "b": 4})
    with pytest.raises(RuntimeError, match="grows a trained model"):
        Word2Vec(**SMALL).build_vocab_from_freq({"a": 3}, update=True)


def test_max_final_vocab_is_validated_and_saved(zipf, tmp_path):
    for bad in (0, -3, 2.5):
        with pytest.raises(ValueError, match="max_final_vocab must be an integer >= 1"):
            Word2Vec(max_final_vocab=bad)
    model = Word2Vec(**SMALL, min_count=1, max_final_vocab=20).build_vocab(zipf)
    assert len(model.vocab) <= 20 and model.effective_min_count > 1
    model.save(str(tmp_path / "m.model"))
    loaded = Word2Vec.load(str(tmp_path / "m.model"))
    assert (loaded.max_final_vocab, loaded.effective_min_count) == (20, model.effective_min_count)


@pytest.mark.parametrize("sg, cbow_mean", [(0, 1), (1, 1), (0, 0)])
def test_predict_output_word_is_gensims(zipf, sg, cbow_mean):
    gensim = require("gensim")
    model = Word2Vec(zipf, **SMALL, min_count=2, sg=sg, cbow_mean=cbow_mean, negative=5)
    theirs = gensim.models.Word2Vec(vector_size=8, min_count=2, sg=sg, cbow_mean=cbow_mean)
    theirs.build_vocab(zipf)
    order = [model.vocab.key_to_index[w] for w in theirs.wv.index_to_key]
    theirs.wv.vectors[:] = model.wv.vectors[order]            # our rows, in gensim's order
    theirs.syn1neg[:] = model.W_out[order]
    context = ["w0", "w3", "unknown", "w7"]
    got = model.predict_output_word(context, topn=8)
    expected = theirs.predict_output_word(context, topn=8)
    assert [w for w, _ in got] == [w for w, _ in expected]
    np.testing.assert_allclose([p for _, p in got], [p for _, p in expected], rtol=1e-4)
    everything = model.predict_output_word(context, topn=len(model.vocab))
    assert abs(sum(p for _, p in everything) - 1.0) < 1e-9


def test_predict_output_word_refusals(zipf):
    model = Word2Vec(zipf, **SMALL, min_count=2)
    with pytest.warns(UserWarning, match="every context word is out of the vocabulary"):
        assert model.predict_output_word(["nope", "nada"]) is None
    with pytest.raises(TypeError, match="a list of context words"):
        model.predict_output_word("w0")
    hs = Word2Vec(zipf, **SMALL, min_count=2, hs=1, negative=0)
    with pytest.raises(RuntimeError, match="one output row per word"):
        hs.predict_output_word(["w0"])


def test_a_vocabulary_file_is_chosen_from_as_a_corpus_is(zipf, tmp_path):
    words = tmp_path / "vocab.txt"
    words.write_text("w0 500\nw1 300\nw150 2\nw7 40\nw9 30\n")
    for corpus in (zipf, write(tmp_path, zipf)):
        model = Word2Vec(**SMALL, min_count=5, max_final_vocab=3)
        model.build_vocab(corpus, vocab_file=str(words), trim_rule=rule)
        assert model.vocab.words == ["w0", "w7", "w150"]     # w1 discarded, w150 kept, w9 cut
        assert model.effective_min_count == 31


def test_pruning_with_a_rule_takes_rounds_per_distinct_count_not_per_count():
    words = [f"w{i}" for i in range(2000)]
    counts = np.repeat([10**6, 5, 1], [50, 950, 1000])        # 50 frequent words the rule keeps
    calls = []

    def keep_frequent(word, count, min_count):
        calls.append(min_count)
        return RULE_KEEP if count == 10**6 else RULE_DEFAULT

    alive = prune(counts, 10, words, keep_frequent)
    assert alive.sum() == 50 and alive[:50].all()
    assert len(calls) < 10_000                                  # not 50 words x 10**6 rounds
    # a rule that discards a word is asked in the first round, before any jump
    gensim = require("gensim")
    sentences = [["e", "f", "g", "x"]] * 5 + [["a", "b", "c", "d"]] * 2
    no_x = lambda w, c, m: RULE_DISCARD if w == "x" else RULE_DEFAULT   # noqa: E731
    theirs = gensim.models.Word2Vec(vector_size=8, min_count=1, max_vocab_size=7)
    theirs.build_vocab(sentences, trim_rule=no_x)
    model = Word2Vec(**SMALL, min_count=1, max_vocab_size=7).build_vocab(sentences, trim_rule=no_x)
    assert ours(model) == gensim_vocab(theirs) == dict(e=5, f=5, g=5, a=2, b=2, c=2, d=2)
    # and for rules that do not read min_count, the rounds one count at a time
    rng = np.random.default_rng(5)
    for _ in range(200):
        counts = rng.integers(0, 12, size=15)
        words = [f"w{i}" for i in range(15)]
        fate = dict(zip(words, rng.choice([RULE_DEFAULT, RULE_KEEP, RULE_DISCARD], 15, p=[.7, .15, .15])))
        rule_ = lambda w, c, m: fate[w]                                   # noqa: E731
        limit = int(rng.integers(1, 10))
        slow, r = counts > 0, 1
        while slow.sum() > limit and r <= counts.max():
            slow &= np.array([fate[w] == RULE_KEEP or (fate[w] == RULE_DEFAULT and c > r)
                              for w, c in zip(words, counts)]) & (counts > 0)
            r += 1
        assert prune(counts, limit, words, rule_).tolist() == slow.tolist()
    # without a rule the jump changes nothing: word2vec.c's rounds, one count at a time
    counts = np.array([9, 9, 7, 4, 4, 4, 2, 1, 1])
    for limit in range(1, 10):
        slow, r = counts > 0, 1
        while slow.sum() > limit:
            slow &= counts > r
            r += 1
        assert prune(counts, limit).tolist() == slow.tolist()


def test_a_rule_on_a_prepared_directory_that_left_rare_words_out_is_refused(zipf, tmp_path):
    prepared = tmp_path / "p"
    prepare(write(tmp_path, zipf), prepared, keep_min_count=2)
    Word2Vec(**SMALL, min_count=2).build_vocab(str(prepared))           # without a rule: fine
    for update in (False, True):
        model = Word2Vec(**SMALL, min_count=2)
        if update:
            model.build_vocab(zipf[:50])
        with pytest.raises(ValueError, match="--keep-min-count 1 to use a trim_rule"):
            model.build_vocab(str(prepared), trim_rule=rule, update=update)


def test_a_failed_build_keeps_the_model_as_it_was(zipf):
    model = Word2Vec(**SMALL, min_count=1, max_final_vocab=2).build_vocab(zipf)
    before = (model.effective_min_count, list(model.vocab.words))
    # three words tied at the cut of 2: all go, and the error says max_final_vocab did it
    with pytest.raises(ValueError, match=r"4 times \(min_count=1 raised by max_final_vocab=2: "
                                         r"the words tied at its cut all go\)"):
        model.build_vocab([["a", "b", "c"]] * 3)
    assert (model.effective_min_count, list(model.vocab.words)) == before


def test_max_vocab_size_may_be_a_float_as_in_gensim(zipf):
    model = Word2Vec(**SMALL, min_count=1, max_vocab_size=1e6).build_vocab(zipf)
    assert len(model.vocab) == len({w for s in zipf for w in s})
    for bad in (0.5, "10", True):
        with pytest.raises(ValueError, match="max_vocab_size must be a number >= 1"):
            Word2Vec(max_vocab_size=bad)


def test_lowercase_models_lowercase_frequencies_and_queries(zipf):
    model = Word2Vec(**SMALL, min_count=1, lowercase=True)
    model.build_vocab_from_freq({"The": 3, "the": 4, "CAT": 2})
    assert ours(model) == {"the": 7, "cat": 2}
    trained = Word2Vec([[w.upper() for w in s] for s in zipf], **SMALL, min_count=2, lowercase=True)
    assert trained.predict_output_word(["W0", "W3"]) == trained.predict_output_word(["w0", "w3"])


def test_a_lowercasing_model_lowercases_its_vocabulary_file(zipf, tmp_path):
    words = tmp_path / "v.txt"
    words.write_text("</s> 3\nW0 400\nw0 100\nW1 50\n")
    model = Word2Vec(**SMALL, min_count=1, lowercase=True)
    model.build_vocab([[w.upper() for w in s] for s in zipf], vocab_file=str(words))
    assert ours(model) == {"w0": 500, "w1": 50}


def test_the_newlines_behind_the_counts_add_up_with_them():
    model = Word2Vec(**SMALL, min_count=1).build_vocab([["a", "b"]] * 3)
    assert model.corpus_line_ends == 3
    model.build_vocab([["a", "c"]] * 2, update=True)
    assert model.corpus_line_ends == 5 and ours(model) == {"a": 5, "b": 3, "c": 2}
    assert model.build_vocab_from_freq({"a": 2}).corpus_line_ends is None


def test_reset_from_takes_the_vocabulary_with_this_model_s_fresh_rows(zipf):
    gensim = require("gensim")
    other = Word2Vec(**SMALL, min_count=1, max_final_vocab=60).build_vocab(zipf)
    settings = dict(SMALL, sg=0, hs=1, negative=0, seed=11)
    model = Word2Vec(**settings, min_count=9).build_vocab([["its", "own", "corpus"]] * 9)
    model.reset_from(other)                   # its own vocabulary and corpus are let go
    assert ours(model) == ours(other) and model.effective_min_count == other.effective_min_count
    assert model.vocab.words is not other.vocab.words and model.vocab.counts is not other.vocab.counts
    assert (model.corpus_count, model.corpus_total_words) == (other.corpus_count, other.corpus_total_words)
    # the rows a build_vocab of this model on the same vocabulary would give
    same = Word2Vec(**settings, min_count=1, max_final_vocab=60).build_vocab(zipf)
    assert np.array_equal(model.wv.vectors, same.wv.vectors) and model.W_out.shape == same.W_out.shape
    with pytest.raises(ValueError, match="reset_from\\): pass the corpus"):
        model.train()
    before = other.wv.vectors.copy()
    model.train(zipf, verbose=False)
    same.train(verbose=False)
    assert np.array_equal(model.wv.vectors, same.wv.vectors)     # as if it had read the corpus
    assert np.array_equal(other.wv.vectors, before)               # the other model untouched
    model.build_vocab([["brand", "new", "words"]] * 10, update=True)  # copied: grows alone
    assert "brand" in model.wv.key_to_index and "brand" not in other.wv.key_to_index
    # gensim's takes the same words and counts
    theirs = gensim.models.Word2Vec(vector_size=8, min_count=1, max_final_vocab=60)
    theirs.build_vocab(zipf)
    fresh = gensim.models.Word2Vec(vector_size=8, min_count=9)
    fresh.reset_from(theirs)
    assert gensim_vocab(fresh) == ours(other)
    with pytest.raises(RuntimeError, match="no vocabulary yet"):
        Word2Vec(**SMALL).reset_from(Word2Vec(**SMALL))
    with pytest.raises(ValueError, match="lowercases"):
        Word2Vec(**SMALL, lowercase=True).reset_from(
            Word2Vec(**SMALL, min_count=1).build_vocab([["Upper", "case"]]))
