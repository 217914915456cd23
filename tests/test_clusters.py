"""clusters.py: word2vec.c's -classes K-means, against a line-by-line port of its C loop, and
the command line's -classes."""
import math

import numpy as np
import pytest

from conftest import planted_corpus
from fastw2v import Word2Vec
from fastw2v.cli import main
from fastw2v.clusters import word_classes


def c_kmeans(syn0, clcn, iters=10):
    """word2vec.c's K-means, statement by statement, in float32 (``real``) as there."""
    f32 = np.float32
    vocab_size, layer1_size = syn0.shape
    cl = [a % clcn for a in range(vocab_size)]
    for _ in range(iters):
        cent = [f32(0)] * (clcn * layer1_size)
        centcn = [1] * clcn
        for c in range(vocab_size):
            for d in range(layer1_size):
                cent[layer1_size * cl[c] + d] += syn0[c, d]
            centcn[cl[c]] += 1
        for b in range(clcn):
            closev = f32(0)
            for c in range(layer1_size):
                cent[layer1_size * b + c] = f32(cent[layer1_size * b + c] / f32(centcn[b]))
                closev += cent[layer1_size * b + c] * cent[layer1_size * b + c]
            closev = f32(math.sqrt(closev))
            for c in range(layer1_size):
                with np.errstate(invalid="ignore"):
                    cent[layer1_size * b + c] = f32(cent[layer1_size * b + c] / closev)
        for c in range(vocab_size):
            closev, closeid = f32(-10), 0
            for d in range(clcn):
                x = f32(0)
                for b in range(layer1_size):
                    x += cent[layer1_size * d + b] * syn0[c, b]
                if x > closev:
                    closev, closeid = x, d
            cl[c] = closeid
    return np.array(cl)


@pytest.mark.parametrize("seed, V, K, D, scale", [
    (0, 60, 7, 5, 1.0), (1, 80, 4, 3, 1.0), (2, 50, 9, 4, 40.0),   # large norms: the -10 floor
    (3, 5, 8, 3, 1.0)])                                            # more classes than words
def test_word_classes_are_word2vec_cs(seed, V, K, D, scale):
    rng = np.random.default_rng(seed)
    # a few directions with noise, as word vectors cluster, and an offset off the origin
    centres = rng.normal(size=(3, D))
    syn0 = (centres[rng.integers(0, 3, V)] + 0.5 * rng.normal(size=(V, D)) + 0.3) * scale
    syn0 = syn0.astype(np.float32)
    assert np.array_equal(word_classes(syn0, K), c_kmeans(syn0, K))


def test_the_floor_sends_hopeless_words_to_class_0(monkeypatch):
    # scattered vectors of norm ~20: some word scores below -10 with every centroid
    syn0 = (np.random.default_rng(4).normal(size=(12, 2)) * 20).astype(np.float32)
    got = word_classes(syn0, 3)
    assert np.array_equal(got, c_kmeans(syn0, 3))
    monkeypatch.setattr("fastw2v.clusters.FLOOR", -np.inf)
    assert not np.array_equal(word_classes(syn0, 3), got)     # the case needs the floor


def test_bad_k():
    with pytest.raises(ValueError, match="integer >= 1"):
        word_classes(np.zeros((3, 2), np.float32), 0)


def test_command_line_writes_classes_instead_of_vectors(tmp_path, capsys):
    corpus, _ = planted_corpus(np.random.default_rng(0), n_sentences=300)
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in corpus) + "\n")
    out, saved = tmp_path / "classes.txt", tmp_path / "m.model"
    assert main(["-train", str(path), "-output", str(out), "-classes", "4", "-size", "8",
                 "-min-count", "1", "-iter", "1", "-threads", "1", "-q",
                 "--save-model", str(saved)]) == 0
    lines = [line.split(" ") for line in out.read_text().splitlines()]
    model = Word2Vec.load(str(saved))
    assert [w for w, _ in lines] == model.wv.index_to_key
    assert [int(c) for _, c in lines] == word_classes(model.wv.vectors, 4).tolist()
    assert {int(c) for _, c in lines} == {0, 1, 2, 3}
    assert main(["-train", str(path), "-output", str(out), "-classes", "-1"]) == 2
    assert "-classes needs a number of classes >= 1" in capsys.readouterr().err
