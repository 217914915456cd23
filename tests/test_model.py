"""model.py: validation, clear errors, the train loop, save/load and resumed training."""
import numpy as np
import pytest

from conftest import planted_corpus
from fastw2v import Word2Vec


@pytest.mark.parametrize("params,message", [
    (dict(vector_size=0), "vector_size must be a positive integer"),
    (dict(window=0), "window must be a positive integer"),
    (dict(negative=-1), "negative must be an integer >= 0"),
    (dict(sample=-1e-3), "sample must be >= 0"),
    (dict(alpha=0), "alpha must be > 0"),
    (dict(alpha=-0.1), "alpha must be > 0"),
    (dict(min_count=0), "min_count must be a positive integer"),
    (dict(epochs=0), "epochs must be a positive integer"),
    (dict(min_alpha=0.5), "min_alpha must be in"),
    (dict(workers=-2), "workers must be >= 0"),
    (dict(negative=0), "hs=0 and negative=0 select no loss"),
    (dict(hs=1), "hs=1 with negative=5: fastw2v trains one output layer"),
    (dict(loss="ns", negative=0), "loss='ns' needs negative >= 1"),
    (dict(loss="nce"), "loss must be 'ns', 'hs', 'softmax' or None"),
    (dict(sg=2), "sg must be 0"),
    (dict(cbow_mean=3), "cbow_mean must be 0"),
])
def test_invalid_hyperparameters(params, message):
    with pytest.raises(ValueError, match=message):
        Word2Vec(**params)


def test_several_problems_are_reported_together():
    with pytest.raises(ValueError, match="vector_size.*window"):
        Word2Vec(vector_size=0, window=0)


def test_unknown_parameter():
    with pytest.raises(TypeError, match="size"):
        Word2Vec(size=100)


def test_empty_and_missing_corpus(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n")
    with pytest.raises(ValueError, match=r"empty\.txt' is empty"):
        Word2Vec().build_vocab(str(empty))
    with pytest.raises(FileNotFoundError, match="corpus file not found"):
        Word2Vec().build_vocab(str(tmp_path / "missing.txt"))
    with pytest.raises(ValueError, match="is empty"):
        Word2Vec().build_vocab([])


def test_no_word_reaches_min_count():
    with pytest.raises(ValueError, match=r"no word .* occurs min_count=5 times .* most frequent seen 2 times"):
        Word2Vec(min_count=5).build_vocab([["a", "b", "a"]])


def test_train_before_build_vocab():
    with pytest.raises(RuntimeError, match="build_vocab"):
        Word2Vec().train()


def test_constructor_does_not_train():
    model = Word2Vec()
    assert len(model.wv) == 0 and model.vocab is None and model.epoch_losses == []


@pytest.mark.parametrize("params", [dict(), dict(compute_loss=False), dict(workers=2),
                                    dict(hs=1, negative=0), dict(sg=0, cbow_mean=0)])
def test_divergence_is_named_and_the_checkpoint_keeps_the_epochs_before(tmp_path, params):
    """A learning rate far too high grows the rows past float32: the run stops in the epoch
    that diverged, saying so (not numba's ZeroDivisionError, not NaN vectors in silence), and
    the checkpoint keeps the finished epochs."""
    rng = np.random.default_rng(0)
    sentences = [[f"w{i}" for i in rng.integers(0, 50, 12)] for _ in range(300)]
    model = Word2Vec(**{"vector_size": 10, "min_count": 1, "epochs": 1, "workers": 1, **params})
    checkpoint = tmp_path / "run.model"
    model.build_vocab(sentences).train(verbose=False, checkpoint=checkpoint)
    model.alpha = 50.0
    with pytest.raises(FloatingPointError, match=r"diverged in epoch 1: .* lower alpha \(this "
                                                 r"run's is 50.0\); .*run.model' holds the epochs"):
        model.train(epochs=3, verbose=False, checkpoint=checkpoint)
    kept = Word2Vec.load(checkpoint)
    assert len(kept.epoch_losses) == 1 and np.isfinite(kept.wv.vectors).all()


def test_progress_and_quiet(rng, capsys):
    corpus, _ = planted_corpus(rng, n_sentences=50)
    Word2Vec(min_count=1, epochs=2, workers=1).fit(corpus)
    err = capsys.readouterr().err
    assert "epoch 1/2: loss" in err and "epoch 2/2" in err and "words/s" in err
    Word2Vec(min_count=1, epochs=2, workers=1).fit(corpus, verbose=False)
    assert capsys.readouterr().err == ""


def test_save_load_resume(rng, tmp_path):
    corpus, _ = planted_corpus(rng, n_sentences=100)
    model = Word2Vec(min_count=1, vector_size=8, epochs=2, workers=1).fit(corpus, verbose=False)
    path = tmp_path / "m.npz"
    model.save(path)
    back = Word2Vec.load(path)
    assert back.config == model.config
    assert back.vocab.words == model.vocab.words
    np.testing.assert_array_equal(back.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(back.W_out, model.W_out)
    # resuming: the same corpus continues from the saved weights, in both copies identically
    model.train(corpus, epochs=1, verbose=False)
    back.train(corpus, epochs=1, verbose=False)
    np.testing.assert_array_equal(back.wv.vectors, model.wv.vectors)
    assert len(back.epoch_losses) == 3
    with pytest.raises(ValueError, match=r"loaded from a file.*train\(corpus\)"):
        Word2Vec.load(path).train(verbose=False)


@pytest.mark.parametrize("params", [dict(negative=5), dict(hs=1, negative=0)])
def test_two_threads_save_load_resume(rng, tmp_path, params):
    # the parallel kernels train W_out inside a buffer with spare rows (cpu/_staging.py); saved
    # and loaded models hold just the real rows, and a loaded one trains on with two threads
    corpus, _ = planted_corpus(rng, n_sentences=100)
    model = Word2Vec(min_count=1, vector_size=8, epochs=1, workers=2, **params).fit(corpus, verbose=False)
    rows = len(model.vocab) - (1 if params.get("hs") else 0)
    assert model.W_out.shape == (rows, 8)
    model.save(tmp_path / "m.npz")
    back = Word2Vec.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(back.W_out, model.W_out)
    back.train(corpus, epochs=1, verbose=False)
    assert back.W_out.shape == (rows, 8) and np.all(np.isfinite(back.W_out))
    assert not np.array_equal(back.W_out, model.W_out)


def test_load_reads_model_files_of_format_1(rng, tmp_path):
    # format 1 was a NumPy .npz (before the container), and said shared_negatives for batch_window
    import dataclasses
    import json
    corpus, _ = planted_corpus(rng, n_sentences=20)
    model = Word2Vec(min_count=1, vector_size=8, epochs=1, workers=1, batch_window=False).fit(corpus, verbose=False)
    config = dataclasses.asdict(model.config)
    del config["encoding"], config["unicode_errors"]
    config["shared_negatives"] = config.pop("batch_window")
    meta = dict(config=config, epoch_losses=model.epoch_losses, epoch_pairs=model.epoch_pairs,
                format="fastw2v-model-1")
    path = tmp_path / "m.npz"
    np.savez(path, W_in=model.wv.vectors, W_out=model.W_out, counts=model.vocab.counts,
             words=np.array("\n".join(model.vocab.words)), meta=np.array(json.dumps(meta)))
    back = Word2Vec.load(path)
    assert back.config.batch_window is False and back.wv.index_to_key == model.wv.index_to_key
    assert np.array_equal(back.wv.vectors, model.wv.vectors) and back.epoch_losses == model.epoch_losses


def test_model_file_is_a_container_that_maps(rng, tmp_path):
    corpus, _ = planted_corpus(rng, n_sentences=20)
    model = Word2Vec(min_count=1, vector_size=8, epochs=1, workers=1).fit(corpus, verbose=False)
    model.save(tmp_path / "m")
    mapped = Word2Vec.load(tmp_path / "m", mmap="r")
    assert isinstance(mapped.W_out, np.memmap) and np.array_equal(mapped.W_out, model.W_out)
    assert mapped.wv.most_similar("t0w1", topn=3) == model.wv.most_similar("t0w1", topn=3)
    model.wv.save(tmp_path / "kv")
    with pytest.raises(ValueError, match="not a fastw2v model file.*KeyedVectors.load"):
        Word2Vec.load(tmp_path / "kv")


def test_load_rejects_other_files(tmp_path):
    path = tmp_path / "x.npz"
    np.savez(path, a=np.zeros(3))
    with pytest.raises(ValueError, match="not a fastw2v model file"):
        Word2Vec.load(path)


def test_train_on_new_text_skips_unknown_words(rng):
    corpus, _ = planted_corpus(rng, n_sentences=100)
    model = Word2Vec(min_count=1, vector_size=8, epochs=1, workers=1, sample=0).fit(corpus, verbose=False)
    model.train([["t0w1", "never", "seen", "t0w2"]], epochs=1, verbose=False)
    assert model.epoch_pairs[-1] > 0
    before = model.wv.vectors.copy()
    with pytest.warns(UserWarning, match="no word of the vocabulary: nothing trained"):
        model.train([["never", "seen"]], verbose=False)       # as gensim: a warning, no error
    assert np.array_equal(model.wv.vectors, before) and len(model.epoch_pairs) == 2


def test_a_models_prepared_copy_of_a_text_corpus_goes_with_it_without_a_warning(tmp_path,
                                                                                monkeypatch):
    # kept while the model may train on it again; removed when the model goes, quietly (the
    # standard library's TemporaryDirectory warns when the garbage collector removes it), and
    # at once when the first pass fails
    import gc
    import os
    import tempfile
    import warnings
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    os.mkdir(tmp_path / "tmp")
    path = tmp_path / "c.txt"
    path.write_text("a b c a b a\n" * 20)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        model = Word2Vec(min_count=1, vector_size=8, epochs=1).build_vocab(str(path))
        assert os.listdir(tmp_path / "tmp") == [os.path.basename(model._tmp.name)]
        del model
        gc.collect()
        assert os.listdir(tmp_path / "tmp") == []
    assert [w for w in seen if issubclass(w.category, ResourceWarning)] == []
    (tmp_path / "bad.txt").write_bytes(b"a b \xff\n")
    with pytest.raises(ValueError, match="invalid"):
        Word2Vec(min_count=1, vector_size=8).build_vocab(str(tmp_path / "bad.txt"))
    assert os.listdir(tmp_path / "tmp") == []
