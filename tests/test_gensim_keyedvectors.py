"""KeyedVectors side by side with gensim 4's: the same calls on the same words and vectors give
the same results (to float32 rounding), so gensim code runs with only the import changed."""
import warnings

import numpy as np
import pytest

from conftest import require
from fastw2v import KeyedVectors

# gensim's most_similar_cosmul calls its own deprecated init_sims
pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated `init_sims`:DeprecationWarning")

WORDS = [f"w{i}" for i in range(40)] + ["King", "king", "café"]


@pytest.fixture
def pair(rng):
    """(ours, gensim's) built from the same words and vectors, with counts."""
    gensim_kv = require("gensim.models.keyedvectors").KeyedVectors
    vectors = rng.normal(size=(len(WORDS), 6)).astype(np.float32)
    counts = np.arange(len(WORDS), 0, -1) * 3
    theirs = gensim_kv(6)
    theirs.add_vectors(WORDS, vectors)
    for word, count in zip(WORDS, counts):
        theirs.set_vecattr(word, "count", int(count))
    ours = KeyedVectors(6)                    # gensim's constructor...
    ours.add_vectors(WORDS, vectors)          # ...and its way of filling it
    for word, count in zip(WORDS, counts):
        ours.set_vecattr(word, "count", int(count))
    return ours, theirs


def same(a, b):
    """Equal results: lists of (key, similarity) pairs, arrays or numbers."""
    if isinstance(b, list):
        assert [k for k, _ in a] == [k for k, _ in b]
        np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=1e-5, atol=1e-6)
    else:
        assert np.shape(a) == np.shape(b)
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_lookups_and_attributes(pair):
    ours, theirs = pair
    assert (len(ours), ours.vector_size) == (len(theirs), theirs.vector_size)
    assert ours.index_to_key == theirs.index_to_key and ours.key_to_index == theirs.key_to_index
    for key in ["king", 3, np.int64(5)]:
        same(ours[key], theirs[key])
        same(ours.get_vector(key, norm=True), theirs.get_vector(key, norm=True))
        assert ours.get_index(key) == theirs.get_index(key)
        assert ours.get_vecattr(key, "count") == theirs.get_vecattr(key, "count")
    same(ours[["king", "w3", 7]], theirs[["king", "w3", 7]])
    for key in ["king", "emperor", 2, 10**6, -1]:
        assert (key in ours) == (key in theirs) and ours.has_index_for(key) == theirs.has_index_for(key)
    assert not ours.get_vector("w1").flags.writeable and not theirs.get_vector("w1").flags.writeable
    for kv in pair:
        with pytest.raises(KeyError, match="Key 'emperor' not present"):
            kv["emperor"]
    theirs.fill_norms()
    same(ours.norms, theirs.norms)
    same(ours.get_normed_vectors(), theirs.get_normed_vectors())
    same(ours.get_mean_vector(["w1", "w2", "nope"], weights=[1.0, 2.0, 5.0]),
         theirs.get_mean_vector(["w1", "w2", "nope"], weights=[1.0, 2.0, 5.0]))
    same(ours.get_mean_vector(["w1", ours["w2"]], pre_normalize=False, post_normalize=True),
         theirs.get_mean_vector(["w1", theirs["w2"]], pre_normalize=False, post_normalize=True))
    assert str(ours) == str(theirs)


def test_pairwise_similarities(pair):
    ours, theirs = pair
    for method, args in [("similarity", ("w1", "w2")), ("distance", ("w1", "café")),
                         ("n_similarity", (["w1", "w2"], ["w3", "king", "w9"])),
                         ("distances", ("w1",)), ("distances", ("w1", ["w2", "w3"])),
                         ("distances", (ours["w4"] * 3, ("w5",))),
                         ("rank", ("w1", "w7")), ("closer_than", ("w1", "w7")),
                         ("most_similar_to_given", ("w1", ["w2", "w3", "w4"])),
                         ("relative_cosine_similarity", ("w1", "w2", 5))]:
        mine, gensims = getattr(ours, method)(*args), getattr(theirs, method)(*args)
        if isinstance(gensims, (list, str)):
            assert mine == gensims, method
        else:
            same(mine, gensims)
    with pytest.warns(DeprecationWarning):
        assert ours.words_closer_than("w1", "w7") == theirs.closer_than("w1", "w7")
    same(KeyedVectors.cosine_similarities(ours["w1"], ours.vectors),
         type(theirs).cosine_similarities(theirs["w1"], theirs.vectors))


@pytest.mark.parametrize("query", [
    dict(positive="king"), dict(positive=["king", "w3"], negative=["w5"]),
    dict(positive=[("king", 2.0), "w3"], negative=[("w5", -0.5)]), dict(negative="w2"),
    dict(positive=["king"], restrict_vocab=20), dict(positive=["w30"], clip_start=5, clip_end=30),
    dict(positive=[5, "w6"]), dict(positive=["king"], topn=None),
    dict(positive=["king", "w1"], topn=None, restrict_vocab=15), dict(positive="w1", topn=0),
    dict(positive="w1", topn=100)])
def test_most_similar(pair, query):
    ours, theirs = pair
    same(ours.most_similar(**query), theirs.most_similar(**query))


def test_most_similar_by_vector_and_cosmul(pair):
    ours, theirs = pair
    vector = ours["w3"] * 2 + ours["w8"]
    for method, args, kwargs in [
            ("similar_by_vector", (vector,), dict(topn=4)), ("similar_by_word", ("w3",), {}),
            ("similar_by_key", ("w3",), dict(topn=None)),
            ("most_similar", ([vector, "w1"],), {}), ("most_similar", (np.stack([vector, ours["w2"]]),), {}),
            ("most_similar_cosmul", (["king", "w3"], ["w5"]), {}),
            ("most_similar_cosmul", ("king", "w4"), dict(topn=3)),
            ("most_similar_cosmul", (["king", vector],), dict(topn=None)),
            ("most_similar_cosmul", ("king",), dict(topn=0))]:
        same(getattr(ours, method)(*args, **kwargs), getattr(theirs, method)(*args, **kwargs))


def test_doesnt_match_and_centrality(pair):
    ours, theirs = pair
    words = ["w1", "w2", "king", "w9", "café"]
    assert ours.doesnt_match(words) == theirs.doesnt_match(words)
    with pytest.warns(UserWarning, match=r"ignoring words not in the vocabulary: \['nope'\]"):
        assert ours.doesnt_match(words + ["nope"]) == theirs.doesnt_match(words + ["nope"])
    mine, gensims = ours.rank_by_centrality(words), theirs.rank_by_centrality(words)
    assert [w for _, w in mine] == [w for _, w in gensims]
    same(np.array([s for s, _ in mine]), np.array([s for s, _ in gensims]))


def test_building_and_adding(rng):
    gensim_kv = require("gensim.models.keyedvectors").KeyedVectors
    v = rng.normal(size=(5, 3)).astype(np.float32)
    ours, theirs = KeyedVectors(3, count=3), gensim_kv(3, count=3)
    assert len(ours) == len(theirs) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # gensim warns when add_vector outgrows the slots
        for i, word in enumerate(["a", "b", "c", "d"]):
            assert ours.add_vector(word, v[i]) == theirs.add_vector(word, v[i]) == i
    ours.add_vectors(["d", "e"], v[[0, 4]])            # "d" kept: replace=False
    theirs.add_vectors(["d", "e"], v[[0, 4]])
    ours["a"], theirs["a"] = v[4], v[4]                # __setitem__ replaces
    ours[["b", "f"]] = v[[1, 2]] * 2
    theirs[["b", "f"]] = v[[1, 2]] * 2
    assert ours.index_to_key == theirs.index_to_key
    same(ours.vectors, theirs.vectors)
    same(ours.most_similar("a"), theirs.most_similar("a"))   # norms follow the replaced rows
    half = KeyedVectors(3, dtype=np.float16)
    half.add_vectors(["x"], v[:1])
    assert half.vectors.dtype == gensim_kv(3, dtype=np.float16).vectors.dtype == np.float16


def test_init_sims_is_fill_norms(pair):
    ours, theirs = pair
    with pytest.warns(DeprecationWarning):
        ours.init_sims()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs.init_sims(replace=True)
    with pytest.warns(DeprecationWarning):
        ours.init_sims(replace=True)
    same(ours.vectors, theirs.vectors)
    same(ours.norms, theirs.norms)


@pytest.mark.parametrize("binary", [True, False])
def test_word2vec_files_both_ways(pair, tmp_path, binary):
    ours, theirs = pair
    gensim_kv = type(theirs)
    theirs.save_word2vec_format(str(tmp_path / "g"), fvocab=str(tmp_path / "g.vocab"), binary=binary)
    ours.save_word2vec_format(tmp_path / "o", fvocab=tmp_path / "o.vocab", binary=binary)
    assert (tmp_path / "g.vocab").read_text() == (tmp_path / "o.vocab").read_text()
    for name in ["g", "o"]:
        a = KeyedVectors.load_word2vec_format(tmp_path / name, fvocab=tmp_path / f"{name}.vocab",
                                              binary=binary, limit=30)
        b = gensim_kv.load_word2vec_format(str(tmp_path / name), fvocab=str(tmp_path / f"{name}.vocab"),
                                           binary=binary, limit=30)
        assert a.index_to_key == b.index_to_key
        same(a.vectors, b.vectors)
        assert [a.get_vecattr(w, "count") for w in a.index_to_key] == \
            [b.get_vecattr(w, "count") for w in b.index_to_key]
    plain = KeyedVectors.load_word2vec_format(tmp_path / "o", binary=binary)   # counts made up
    gensims = gensim_kv.load_word2vec_format(str(tmp_path / "o"), binary=binary)
    assert [plain.get_vecattr(w, "count") for w in WORDS] == [gensims.get_vecattr(w, "count") for w in WORDS]


def test_text_without_header_and_datatype(pair, tmp_path):
    ours, theirs = pair
    theirs.save_word2vec_format(str(tmp_path / "glove.txt"), write_header=False)
    a = KeyedVectors.load_word2vec_format(tmp_path / "glove.txt", no_header=True, datatype=np.float64)
    b = type(theirs).load_word2vec_format(str(tmp_path / "glove.txt"), no_header=True, datatype=np.float64)
    assert a.index_to_key == b.index_to_key and a.vectors.dtype == b.vectors.dtype == np.float64
    np.testing.assert_array_equal(a.vectors, b.vectors)


def test_gensim_pickle_is_refused_with_advice(pair, tmp_path):
    theirs = pair[1]
    theirs.save(str(tmp_path / "g.kv"))
    with pytest.raises(ValueError, match="Python pickle.*never unpickles.*save_word2vec_format"):
        KeyedVectors.load(tmp_path / "g.kv")


def test_wmdistance_says_what_to_use(pair):
    with pytest.raises(NotImplementedError, match="optimal-transport"):
        pair[0].wmdistance(["w1"], ["w2"])
