"""gensim 4 code from its documentation and tutorials (the word2vec module's usage examples,
the Word2Vec tutorial, KeyedVectors' docs), run with only the import changed:

    from gensim.models import Word2Vec, KeyedVectors   ->   from fastw2v import Word2Vec, KeyedVectors

plus ``datapath`` and ``CallbackAny2Vec`` from fastw2v's modules, and gensim's 9-sentence
``common_texts`` written out here. Each test is one snippet, kept as close to the original as
the file paths allow, with assertions on what it should have produced.
"""
import os

import numpy as np
import pytest

from fastw2v import KeyedVectors, Word2Vec
from fastw2v.callbacks import CallbackAny2Vec
from fastw2v.data import TEXT8_SAMPLE, datapath

common_texts = [
    ["human", "interface", "computer"],
    ["survey", "user", "computer", "system", "response", "time"],
    ["eps", "user", "interface", "system"],
    ["system", "human", "system", "eps"],
    ["user", "response", "time"],
    ["trees"],
    ["graph", "trees"],
    ["graph", "minors", "trees"],
    ["graph", "minors", "survey"],
]


@pytest.fixture(scope="module")
def text8_model():
    """One epoch on the bundled text8 head: enough for the tutorial's king/queen queries."""
    return Word2Vec(corpus_file=str(TEXT8_SAMPLE), vector_size=50, min_count=5, epochs=1,
                    workers=2, seed=1)


@pytest.fixture
def in_tmp(tmp_path):
    cwd = os.getcwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(cwd)


def test_module_usage_example(in_tmp):
    # gensim.models.word2vec's docstring: train, save, load, continue, query, save the vectors
    model = Word2Vec(sentences=common_texts, vector_size=100, window=5, min_count=1, workers=4)
    model.save("word2vec.model")
    model = Word2Vec.load("word2vec.model")
    with pytest.warns(UserWarning, match="nothing trained"):   # gensim: trains nothing, (0, 2)
        model.train([["hello", "world"]], total_examples=1, epochs=1)
    vector = model.wv['computer']  # get numpy vector of a word
    sims = model.wv.most_similar('computer', topn=10)  # get other similar words
    assert vector.shape == (100,) and len(sims) == 10 and "computer" not in dict(sims)
    word_vectors = model.wv
    word_vectors.save("word2vec.wordvectors")
    wv = KeyedVectors.load("word2vec.wordvectors", mmap='r')
    vector = wv['computer']  # Get numpy vector of a word
    assert isinstance(wv.vectors, np.memmap)
    assert np.array_equal(vector, model.wv['computer'])


def test_training_a_model_and_continuing(in_tmp):
    model = Word2Vec(sentences=common_texts, vector_size=100, window=5, min_count=1, workers=4)
    model.save("word2vec.model")
    model = Word2Vec.load("word2vec.model")
    model.train(common_texts, total_examples=model.corpus_count, epochs=model.epochs)
    assert model.corpus_count == 9 and model.epochs == 5
    assert len(model.epoch_losses) == 10


def test_build_vocab_and_train_separately():
    # the tutorial: build the vocabulary from one iterable, then train
    model = Word2Vec(min_count=1)
    model.build_vocab(common_texts)  # prepare the model vocabulary
    model.train(common_texts, total_examples=model.corpus_count, epochs=model.epochs)  # train word vectors
    assert len(model.wv) == 12 and model.wv.index_to_key[0] == "system"


def test_online_training_vocabulary_update(text8_model):
    # the tutorial's "online training": new sentences with new words
    model = Word2Vec(common_texts, min_count=1, vector_size=10, workers=1)
    more_sentences = [
        ['Advanced', 'users', 'can', 'load', 'a', 'model',
         'and', 'continue', 'training', 'it', 'with', 'more', 'sentences'],
    ]
    model.build_vocab(more_sentences, update=True)
    model.train(more_sentences, total_examples=model.corpus_count, epochs=model.epochs)
    assert "Advanced" in model.wv and len(model.wv) == 12 + 13
    assert model.wv.get_vecattr("Advanced", "count") == 1


def test_corpus_file(in_tmp):
    with open("corpus.txt", "w") as f:
        f.write("\n".join(" ".join(s) for s in common_texts) + "\n")
    model = Word2Vec(corpus_file="corpus.txt", vector_size=10, min_count=1, workers=1)
    assert model.corpus_count == 9 and model.corpus_total_words == 29


def test_training_loss_with_a_callback():
    # the tutorial's loss callback: gensim's running total, differenced per epoch
    class callback(CallbackAny2Vec):
        '''Callback to print loss after each epoch.'''

        def __init__(self):
            self.epoch = 0
            self.loss_to_be_subed = 0
            self.losses = []

        def on_epoch_end(self, model):
            loss = model.get_latest_training_loss()
            loss_now = loss - self.loss_to_be_subed
            self.loss_to_be_subed = loss
            self.losses.append(loss_now)
            print('Loss after epoch {}: {}'.format(self.epoch, loss_now))
            self.epoch += 1

    cb = callback()
    model = Word2Vec(common_texts * 50, vector_size=10, min_count=1, compute_loss=True,
                     callbacks=[cb], epochs=4, workers=1)
    training_loss = model.get_latest_training_loss()
    assert cb.epoch == 4 and training_loss > 0
    assert cb.losses == pytest.approx(model.epoch_losses)


def test_keyedvectors_queries(text8_model):
    # KeyedVectors' documentation: what the tutorial asks of the trained vectors
    wv = text8_model.wv
    result = wv.most_similar(positive=['woman', 'king'], negative=['man'])
    most_similar_key, similarity = result[0]  # look up the top hit
    assert len(result) == 10 and isinstance(most_similar_key, str) and -1 <= similarity <= 1
    result = wv.most_similar_cosmul(positive=['woman', 'king'], negative=['man'])
    assert len(result) == 10
    with pytest.warns(UserWarning, match=r"ignoring words not in the vocabulary: \['breakfast', 'cereal'\]"):
        odd = wv.doesnt_match("breakfast cereal dinner lunch".split())   # as gensim: logs, ignores
    assert odd in {"dinner", "lunch"}
    similarity = wv.similarity('woman', 'man')
    assert similarity > 0.3                          # related after one epoch
    result = wv.similar_by_word("cat")
    assert len(result) == 10
    distance = wv.distance("media", "media")
    assert distance == pytest.approx(0.0, abs=1e-6)
    sim = wv.n_similarity(['sushi', 'shop'], ['japanese', 'restaurant']) if "sushi" in wv else \
        wv.n_similarity(['food', 'shop'], ['japanese', 'restaurant'])
    assert -1 <= sim <= 1
    vector = wv['computer']  # numpy vector of a word
    assert vector.shape == (50,)
    vector = wv.get_vector('computer', norm=True)
    assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    assert wv.get_vecattr("the", "count") == int(text8_model.vocab.counts[wv.key_to_index["the"]])
    sims = wv.most_similar("king", topn=None)        # every word's similarity, as gensim
    assert sims.shape == (len(wv),)
    assert wv.rank("king", "queen") >= 1


def test_evaluation(text8_model):
    score, sections = text8_model.wv.evaluate_word_analogies(datapath('questions-words.txt'))
    assert 0 < score < 1 and sections[-1]["section"] == "Total accuracy"
    assert len(sections[-1]["correct"]) == round(score * (len(sections[-1]["correct"]) +
                                                           len(sections[-1]["incorrect"])))
    pearson, spearman, oov_ratio = text8_model.wv.evaluate_word_pairs(datapath('wordsim353.tsv'))
    assert 0 < pearson[0] < 1 and 0 <= pearson[1] < 0.05       # (statistic, p-value) pairs
    assert 0 < spearman[0] < 1 and 0 <= oov_ratio < 20            # percent, as gensim


def test_word2vec_format_round_trip(text8_model, in_tmp):
    text8_model.wv.save_word2vec_format("vectors.txt", binary=False)
    text8_model.wv.save_word2vec_format("vectors.bin", binary=True)
    from_text = KeyedVectors.load_word2vec_format("vectors.txt", binary=False)
    from_binary = KeyedVectors.load_word2vec_format("vectors.bin", binary=True)
    assert np.array_equal(from_text.vectors, text8_model.wv.vectors)
    assert np.array_equal(from_binary.vectors, text8_model.wv.vectors)
    limited = KeyedVectors.load_word2vec_format("vectors.bin", binary=True, limit=100)
    assert len(limited) == 100


def test_keyedvectors_built_by_hand():
    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(["a", "b", "c"], np.eye(3, dtype=np.float32))
    kv.add_vector("d", np.array([1, 1, 0], dtype=np.float32))
    assert len(kv) == 4 and kv.most_similar("d", topn=2)[0][0] in {"a", "b"}
    assert kv.similarity("a", "d") == pytest.approx(1 / np.sqrt(2), abs=1e-6)
