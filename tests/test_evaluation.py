"""evaluation.py: analogies and word pairs with gensim's conventions and return shapes."""
import math

import numpy as np
import pytest
from scipy import stats

from conftest import require
from fastw2v import KeyedVectors
from fastw2v.evaluation import evaluate_word_analogies, evaluate_word_pairs


def planted_analogy_vectors():
    # male/female offset along axis 0, royalty along axis 1, plus distractors
    words = ["man", "woman", "king", "queen", "boy", "girl", "apple", "car"]
    v = np.array([[1, 0, 0, 1], [-1, 0, 0, 1], [1, 1, 0, 1], [-1, 1, 0, 1],
                  [1, 0, 1, 1], [-1, 0, 1, 1], [0, 0, 0, -1], [0, 3, 3, 0]], dtype=np.float32)
    return KeyedVectors(words, v)


@pytest.fixture
def questions(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text(": family\nman woman king queen\nMAN WOMAN BOY GIRL\nman woman king apple\n"
                    ": unknown\nman woman emperor empress\n")
    return path


def test_analogies_planted(questions):
    result = evaluate_word_analogies(planted_analogy_vectors(), questions)
    assert (result.correct, result.incorrect, result.skipped) == (2, 1, 1)
    assert result.accuracy == pytest.approx(2 / 3) and result.oov_ratio == pytest.approx(25.0)
    assert result.sections == [     # counts per section; nothing asked: no accuracy
        dict(section="family", correct=2, incorrect=1, skipped=0, accuracy=pytest.approx(2 / 3)),
        dict(section="unknown", correct=0, incorrect=0, skipped=1, accuracy=None)]


def test_analogies_unpack_as_gensim(questions):
    result = evaluate_word_analogies(planted_analogy_vectors(), questions)
    score, sections = result
    assert score == result.accuracy == result[0] and isinstance(result, tuple)
    assert sections == [
        {"section": "family", "correct": [("MAN", "WOMAN", "KING", "QUEEN"), ("MAN", "WOMAN", "BOY", "GIRL")],
         "incorrect": [("MAN", "WOMAN", "KING", "APPLE")]},
        {"section": "unknown", "correct": [], "incorrect": []},
        {"section": "Total accuracy",
         "correct": [("MAN", "WOMAN", "KING", "QUEEN"), ("MAN", "WOMAN", "BOY", "GIRL")],
         "incorrect": [("MAN", "WOMAN", "KING", "APPLE")]}]


def test_analogies_dummy4unknown_cosmul_and_nothing_asked(questions, tmp_path):
    kv = planted_analogy_vectors()
    dummy = kv.evaluate_word_analogies(questions, dummy4unknown=True)
    assert (dummy.correct, dummy.incorrect, dummy.skipped, dummy.accuracy) == (2, 2, 0, 0.5)
    assert dummy[1][1]["incorrect"] == [("MAN", "WOMAN", "EMPEROR", "EMPRESS")]
    cosmul = kv.evaluate_word_analogies(questions, similarity_function="most_similar_cosmul")
    assert cosmul.correct == 2
    with pytest.raises(ValueError, match="similarity_function must be one of"):
        kv.evaluate_word_analogies(questions, similarity_function="3cosadd")
    path = tmp_path / "none.txt"
    path.write_text(": unknown\nman woman emperor empress\n")
    nothing = kv.evaluate_word_analogies(path)
    assert math.isnan(nothing.accuracy) and nothing.sections[0]["accuracy"] is None


@pytest.mark.parametrize("dummy4unknown,case_insensitive", [(False, True), (True, False)])
def test_analogies_agree_with_gensim_on_random_vectors(rng, tmp_path, dummy4unknown, case_insensitive):
    gensim_kv = require("gensim.models.keyedvectors").KeyedVectors
    words = [f"w{i}" for i in range(300)] + ["W1", "W2"]
    vectors = rng.normal(size=(302, 8)).astype(np.float32)
    lines = [": s1"] + [" ".join(rng.choice(words, 4, replace=False)) for _ in range(150)]
    lines += [": s2"] + [" ".join(rng.choice(words, 4, replace=False)) for _ in range(150)]
    lines += ["w1 w2 w3 zzz"]
    path = tmp_path / "q.txt"
    path.write_text("\n".join(lines) + "\n")
    g = gensim_kv(8)
    g.add_vectors(words, vectors)
    # a random-vector model still answers about 1% correctly; restrict makes some questions OOV
    kwargs = dict(restrict_vocab=250, dummy4unknown=dummy4unknown, case_insensitive=case_insensitive)
    theirs = g.evaluate_word_analogies(str(path), **kwargs)
    ours = KeyedVectors(words, vectors).evaluate_word_analogies(path, **kwargs)
    assert ours[0] == pytest.approx(theirs[0], abs=1e-12)
    assert ours[1] == theirs[1]                     # every question in the same list
    assert (ours.skipped > 0) != dummy4unknown


def test_word_pairs_unpack_as_gensim(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text("# comment\nman\twoman\t8\nking\tqueen\t9\napple\tcar\t1\nboy\tgirl\t7\n"
                    "man\temperor\t5\n")
    kv = planted_analogy_vectors()
    result = kv.evaluate_word_pairs(path)
    pearson, spearman, oov_ratio = result
    u = kv.vectors / np.linalg.norm(kv.vectors, axis=1, keepdims=True)
    cosines = [u[0] @ u[1], u[2] @ u[3], u[6] @ u[7], u[4] @ u[5]]
    expected_p, expected_s = stats.pearsonr([8, 9, 1, 7], cosines), stats.spearmanr([8, 9, 1, 7], cosines)
    assert pearson[0] == pytest.approx(expected_p[0]) and pearson[1] == pytest.approx(expected_p[1])
    assert result.pearson == pearson.statistic and result.pearson_pvalue == pearson.pvalue
    assert result[1][0] == result.spearman == pytest.approx(expected_s[0])
    assert result[1].correlation == result[1].statistic    # scipy's older name, gensim 3 code
    assert result.spearman_pvalue == pytest.approx(expected_s[1])
    assert oov_ratio == result.oov_ratio == pytest.approx(20.0) and result.pairs == 4
    dummy = kv.evaluate_word_pairs(path, dummy4unknown=True)
    assert dummy.pairs == 5 and dummy.oov_ratio == pytest.approx(20.0)   # 1 of the 5 pairs
    assert dummy.pearson == pytest.approx(stats.pearsonr([8, 9, 1, 7, 5], cosines + [0.0])[0])
    path.write_text("man,woman,8\nking,queen,9\napple,car,1\n")
    assert kv.evaluate_word_pairs(path, delimiter=",").pairs == 3


@pytest.mark.parametrize("dummy4unknown", [False, True])
def test_word_pairs_agree_with_gensim(rng, tmp_path, dummy4unknown):
    gensim_kv = require("gensim.models.keyedvectors").KeyedVectors
    words = [f"w{i}" for i in range(50)]
    vectors = rng.normal(size=(50, 6)).astype(np.float32)
    lines = ["# comment"] + [f"{a}\t{b}\t{s:.2f}" for a, b, s in
                             zip(rng.choice(words, 40), rng.choice(words, 40), rng.uniform(0, 10, 40))]
    lines += ["w1\tunknownword\t5.0", "w2\tw3\t4.0\textra", "w4\tw5\t6.0\t"]   # skipped, as gensim
    path = tmp_path / "p.tsv"
    path.write_text("\n".join(lines) + "\n")
    g = gensim_kv(6)
    g.add_vectors(words, vectors)
    kwargs = dict(restrict_vocab=45, dummy4unknown=dummy4unknown)
    pearson, spearman, oov = g.evaluate_word_pairs(str(path), **kwargs)
    with pytest.warns(UserWarning, match="skipped 2 line"):
        ours = evaluate_word_pairs(KeyedVectors(words, vectors), path, **kwargs)
    np.testing.assert_allclose(ours[0], tuple(pearson), rtol=1e-5)
    np.testing.assert_allclose(ours[1], tuple(spearman), rtol=1e-5)
    assert ours.pearson == pytest.approx(pearson[0], abs=1e-6)
    assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-6)
    assert ours.oov_ratio == pytest.approx(oov)


def test_bad_evaluation_files(tmp_path):
    kv = planted_analogy_vectors()
    path = tmp_path / "q.txt"
    path.write_text(": s\nman woman king\nman woman king queen\n")
    with pytest.warns(UserWarning, match=r"q\.txt: skipped 1 line\(s\) that are not 4 words \(line 2: "):
        assert evaluate_word_analogies(kv, path).correct == 1          # skipped, as gensim
    path.write_text("man woman king queen\n")
    with pytest.raises(ValueError, match=r"q\.txt: line 1: question before the first ': section' line"):
        evaluate_word_analogies(kv, path)
    path = tmp_path / "p.tsv"
    path.write_text("Word 1\tWord 2\tHuman (mean)\nman\twoman\t7\nking\tqueen\t9\n")
    with pytest.warns(UserWarning, match=r"p\.tsv: skipped 1 line\(s\) .*line 1: 'Word 1"):
        assert evaluate_word_pairs(kv, path).pairs == 2
    path.write_text("man woman 7\n")
    with pytest.raises(ValueError, match=r"p\.tsv: no valid word pairs"), pytest.warns(UserWarning):
        evaluate_word_pairs(kv, path)


def test_bundled_data_is_readable():
    from fastw2v.evaluation import _read_analogies
    from fastw2v.data import QUESTIONS_WORDS, TEXT8_SAMPLE, WORDSIM353
    sections = _read_analogies(QUESTIONS_WORDS)
    assert len(sections) == 14 and sum(len(q) for _, q in sections) == 19544
    assert TEXT8_SAMPLE.exists() and WORDSIM353.exists()


def test_word_pairs_all_unknown_give_nan(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_text("sun\tmoon\t5\n")
    result = evaluate_word_pairs(planted_analogy_vectors(), path)
    assert np.isnan(result.spearman) and np.isnan(result[0][1]) and result.oov_ratio == 100.0


def test_default_restrict_vocab_is_gensims(rng, tmp_path):
    # gensim answers questions over its 300,000 most frequent words by default (word2vec.c's
    # compute-accuracy, and the command line here, over 30,000)
    import inspect
    gensim_kv = require("gensim.models.keyedvectors").KeyedVectors
    for name in ("evaluate_word_analogies", "evaluate_word_pairs"):
        ours, theirs = (inspect.signature(getattr(kv, name)).parameters["restrict_vocab"].default
                        for kv in (KeyedVectors, gensim_kv))
        assert ours == theirs == 300000
    words = [f"w{i}" for i in range(30_005)]
    kv = KeyedVectors(words, rng.normal(size=(len(words), 4)).astype(np.float32))
    path = tmp_path / "q.txt"
    path.write_text(": far\nw30001 w30002 w30003 w30004\n")
    assert kv.evaluate_word_analogies(path).skipped == 0
    assert kv.evaluate_word_analogies(path, restrict_vocab=30000).skipped == 1


def test_compressed_questions_and_pairs_files(tmp_path):
    import gzip
    kv = planted_analogy_vectors()
    questions = tmp_path / "q.txt"
    questions.write_text(": s\nman woman king queen\n")
    (tmp_path / "q.txt.gz").write_bytes(gzip.compress(questions.read_bytes()))
    assert kv.evaluate_word_analogies(tmp_path / "q.txt.gz")[1] == \
        kv.evaluate_word_analogies(questions)[1]
    pairs = tmp_path / "p.tsv"
    pairs.write_text("man\twoman\t8\nking\tqueen\t9\napple\tcar\t1\n")
    (tmp_path / "p.tsv.gz").write_bytes(gzip.compress(pairs.read_bytes()))
    assert kv.evaluate_word_pairs(tmp_path / "p.tsv.gz").spearman == \
        kv.evaluate_word_pairs(pairs).spearman
