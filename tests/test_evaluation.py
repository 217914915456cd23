"""evaluation.py: analogies and word pairs with gensim's conventions."""
import numpy as np
import pytest

from conftest import require
from fastw2v import KeyedVectors
from fastw2v.evaluation import evaluate_word_analogies, evaluate_word_pairs


def planted_analogy_vectors():
    # male/female offset along axis 0, royalty along axis 1, plus distractors
    words = ["man", "woman", "king", "queen", "boy", "girl", "apple", "car"]
    v = np.array([[1, 0, 0, 1], [-1, 0, 0, 1], [1, 1, 0, 1], [-1, 1, 0, 1],
                  [1, 0, 1, 1], [-1, 0, 1, 1], [0, 0, 0, -1], [0, 3, 3, 0]], dtype=np.float32)
    return KeyedVectors(words, v)


def test_analogies_planted(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text(": family\nman woman king queen\nMAN WOMAN BOY GIRL\nman woman king apple\n"
                    ": unknown\nman woman emperor empress\n")
    result = evaluate_word_analogies(planted_analogy_vectors(), path)
    assert (result.correct, result.incorrect, result.skipped) == (2, 1, 1)
    assert result.accuracy == pytest.approx(2 / 3)
    assert [s["section"] for s in result.sections] == ["family", "unknown"]
    score, sections = result                                 # unpacks like gensim's tuple
    assert score == result.accuracy


def test_analogies_agree_with_gensim_on_random_vectors(rng, tmp_path):
    gensim_kv = require("gensim.models.keyedvectors").KeyedVectors
    words = [f"w{i}" for i in range(300)]
    vectors = rng.normal(size=(300, 8)).astype(np.float32)
    lines = [": s1"] + [" ".join(rng.choice(words, 4, replace=False)) for _ in range(150)]
    lines += [": s2"] + [" ".join(rng.choice(words, 4, replace=False)) for _ in range(150)]
    lines += ["w1 w2 w3 zzz"]
    path = tmp_path / "q.txt"
    path.write_text("\n".join(lines) + "\n")
    g = gensim_kv(8)
    g.add_vectors(words, vectors)
    # a random-vector model still answers about 1% correctly; restrict makes some questions OOV
    theirs = g.evaluate_word_analogies(str(path), restrict_vocab=250)[0]
    ours = evaluate_word_analogies(KeyedVectors(words, vectors), path, restrict_vocab=250)
    assert ours.accuracy == pytest.approx(theirs, abs=1e-12)
    assert ours.skipped > 0


def test_word_pairs_agree_with_gensim(rng, tmp_path):
    gensim_kv = require("gensim.models.keyedvectors").KeyedVectors
    words = [f"w{i}" for i in range(50)]
    vectors = rng.normal(size=(50, 6)).astype(np.float32)
    lines = ["# comment"] + [f"{a}\t{b}\t{s:.2f}" for a, b, s in
                             zip(rng.choice(words, 40), rng.choice(words, 40), rng.uniform(0, 10, 40))]
    lines += ["w1\tunknownword\t5.0"]
    path = tmp_path / "p.tsv"
    path.write_text("\n".join(lines) + "\n")
    g = gensim_kv(6)
    g.add_vectors(words, vectors)
    (pearson, _), spearman, oov = g.evaluate_word_pairs(str(path))
    ours = evaluate_word_pairs(KeyedVectors(words, vectors), path)
    assert ours.pearson == pytest.approx(pearson, abs=1e-6)
    assert ours.spearman == pytest.approx(spearman.statistic, abs=1e-6)
    assert ours.oov_ratio == pytest.approx(oov)


def test_bad_evaluation_files(tmp_path):
    kv = planted_analogy_vectors()
    path = tmp_path / "q.txt"
    path.write_text(": s\nman woman king\n")
    with pytest.raises(ValueError, match=r"q\.txt: line 2: expected 4 words, got 3"):
        evaluate_word_analogies(kv, path)
    path = tmp_path / "p.tsv"
    path.write_text("man\twoman\tlots\n")
    with pytest.raises(ValueError, match=r"p\.tsv: line 1: score 'lots' is not a number"):
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
    assert np.isnan(result.spearman) and result.oov_ratio == 100.0
