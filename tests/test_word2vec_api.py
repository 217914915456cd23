"""Word2Vec's gensim 4 contract: construction, attributes, train's arguments, callbacks and the
loss, growing the vocabulary, checkpoints, resuming after Ctrl-C, compiling before the clock."""
import dataclasses

import numpy as np
import pytest

from conftest import planted_corpus
from fastw2v import Word2Vec, training
from fastw2v.callbacks import CallbackAny2Vec

SMALL = dict(vector_size=8, window=2, min_count=1, epochs=2, workers=1, seed=3)


@pytest.fixture
def corpus(rng):
    return planted_corpus(rng, n_sentences=120)[0]


def same(a, b):
    return np.array_equal(a.wv.vectors, b.wv.vectors) and np.array_equal(a.W_out, b.W_out)


# ---- construction ---------------------------------------------------------------------------
def test_a_corpus_given_to_the_constructor_trains_at_once(corpus, tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("\n".join(" ".join(s) for s in corpus) + "\n")
    fitted = Word2Vec(**SMALL).fit(corpus, verbose=False)
    for model in (Word2Vec(corpus, **SMALL), Word2Vec(sentences=corpus, **SMALL),
                  Word2Vec(corpus_iterable=corpus, **SMALL), Word2Vec(corpus_file=str(path), **SMALL)):
        assert len(model.epoch_losses) == 2
        assert same(model, fitted)                     # the same run as build_vocab + train
    unbuilt = Word2Vec(**SMALL)
    assert unbuilt.vocab is None and unbuilt.W_out is None   # no corpus: parameters only
    wv = unbuilt.wv                                # empty, as gensim's: len 0, nothing in it
    assert len(wv) == 0 and "a" not in wv and wv.vector_size == SMALL["vector_size"]
    unbuilt.build_vocab(corpus)
    assert unbuilt.wv is wv and len(wv) == len(unbuilt.vocab)   # filled in place, as gensim's


def test_corpus_given_twice_is_refused(corpus):
    with pytest.raises(TypeError, match="once"):
        Word2Vec(corpus, corpus_iterable=corpus)
    with pytest.raises(TypeError, match="not both"):
        Word2Vec(corpus_iterable=corpus, corpus_file="x.txt")


def test_gensim_attributes(corpus):
    model = Word2Vec(corpus, **SMALL)
    assert (model.vector_size, model.window, model.epochs, model.min_count) == (8, 2, 2, 1)
    assert model.corpus_count == len(corpus)
    assert model.corpus_total_words == sum(map(len, corpus))
    assert model.syn1neg is model.W_out and model.syn1 is None
    assert str(model) == f"Word2Vec<vocab={len(model.wv)}, vector_size=8, alpha=0.025>"
    assert repr(model) == str(model)
    assert model.train_count == 1 and model.total_train_time > 0
    model.alpha = 0.01                                 # gensim users lower alpha between calls
    assert model.config.alpha == 0.01
    with pytest.raises(ValueError, match="alpha must be > 0"):
        model.alpha = -1.0                             # each value is validated when set
    with pytest.raises(AttributeError, match="vector_size once the vocabulary is built"):
        model.vector_size = 16
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        model.nonsense


@pytest.mark.parametrize("name, value, message", [
    ("hashfxn", id, "hashfxn must be <built-in function hash>"),
    ("null_word", 1, "null_word must be 0"),
    ("sorted_vocab", 0, "sorted_vocab must be 1"),
    ("shrink_windows", False, "shrink_windows must be True"),
    ("size", 100, r"unknown parameter\(s\) size"),
])
def test_gensim_parameters_fastw2v_does_not_take(name, value, message):
    with pytest.raises(TypeError, match=message):
        Word2Vec(**{name: value})


def test_gensim_parameters_without_effect_are_accepted():
    with pytest.warns(UserWarning, match="batch_words has no effect"):
        Word2Vec(batch_words=5000)
    Word2Vec(sorted_vocab=1, shrink_windows=True, comment="x", trim_rule=None, hashfxn=hash,
             null_word=0)                                     # gensim's own defaults, spelled out


# ---- train -------------------------------------------------------------------------------------
def test_train_takes_gensims_arguments(corpus, tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("\n".join(" ".join(s) for s in corpus) + "\n")
    a = Word2Vec(**SMALL).build_vocab(corpus)
    a.train(corpus_iterable=corpus, total_examples=a.corpus_count, epochs=a.epochs, verbose=False)
    b = Word2Vec(**SMALL).build_vocab(corpus_file=str(path))
    b.train(corpus_file=str(path), total_words=b.corpus_total_words, epochs=2, verbose=False)
    assert same(a, b)
    c = Word2Vec(**SMALL).build_vocab(corpus)
    c.train(corpus, epochs=1, start_alpha=0.05, end_alpha=0.05, verbose=False)
    d = Word2Vec(**{**SMALL, "alpha": 0.05, "min_alpha": 0.05}).build_vocab(corpus)
    d.train(epochs=1, verbose=False)
    assert same(c, d)                                  # start_alpha / end_alpha set the line
    # and the model keeps them, as gensim's train() does (code reads model.epochs after)
    assert (c.epochs, c.alpha, c.min_alpha) == (1, 0.05, 0.05)
    with pytest.warns(UserWarning, match="trains at 0.05 throughout"):
        c.train(corpus, epochs=3, start_alpha=5e-5, verbose=False)     # at min_alpha, as gensim
    assert (c.epochs, c.alpha, c.min_alpha) == (3, 5e-5, 0.05)
    with pytest.raises(ValueError, match="start_alpha > 0 and end_alpha >= 0"):
        c.train(corpus, start_alpha=0.01, end_alpha=-0.02)


class Recorder(CallbackAny2Vec):
    def __init__(self):
        self.events, self.running = [], []

    def on_train_begin(self, model):
        self.events.append("train_begin")

    def on_epoch_begin(self, model):
        self.events.append("epoch_begin")

    def on_epoch_end(self, model):
        self.events.append("epoch_end")
        self.running.append(model.get_latest_training_loss())

    def on_train_end(self, model):
        self.events.append("train_end")


def test_callbacks_and_the_running_loss(corpus):
    in_constructor, in_train = Recorder(), Recorder()
    model = Word2Vec(corpus, callbacks=[in_constructor], **SMALL)
    assert in_constructor.events == ["train_begin"] + ["epoch_begin", "epoch_end"] * 2 + ["train_end"]
    # gensim's running total: summed from the start of the train() call, epoch after epoch
    assert in_constructor.running == pytest.approx(np.cumsum(model.epoch_losses).tolist())
    model.train(corpus, epochs=3, callbacks=[in_train], verbose=False)
    # as gensim 4: a call's callbacks are that call's; the constructor's are not kept
    assert len(in_constructor.events) == 6 and len(in_train.events) == 8
    assert in_train.running == pytest.approx(np.cumsum(model.epoch_losses[2:]).tolist())
    assert model.get_latest_training_loss() == pytest.approx(sum(model.epoch_losses[2:]))


def test_callbacks_without_a_corpus_are_not_kept_and_say_so():
    with pytest.warns(UserWarning, match="not kept: pass them to train"):
        Word2Vec(callbacks=[Recorder()])


def test_a_callback_sees_the_current_rows_and_norms(corpus):
    seen = []

    class Query(CallbackAny2Vec):
        def on_epoch_end(self, model):
            unit = model.wv.vectors / np.linalg.norm(model.wv.vectors, axis=1, keepdims=True)
            a, b = model.wv.key_to_index["t0w1"], model.wv.key_to_index["t1w1"]
            seen.append((model.wv.similarity("t0w1", "t1w1"), float(unit[a] @ unit[b])))

    Word2Vec(corpus, callbacks=[Query()], **{**SMALL, "epochs": 3})
    assert len(seen) == 3 and all(abs(got - true) < 1e-5 for got, true in seen)


def test_gensims_manual_learning_rate_loop(corpus):
    # the old tutorials' idiom: one epoch a call, alpha lowered by hand in between
    model = Word2Vec(**{**SMALL, "alpha": 0.025, "min_alpha": 0.025}).build_vocab(corpus)
    for epoch in range(3):
        model.train(corpus, total_examples=model.corpus_count, epochs=1, verbose=False)
        model.alpha -= 0.002
        model.min_alpha = model.alpha
    assert model.alpha == pytest.approx(0.019) and len(model.epoch_losses) == 3
    before_rows = model.wv.vectors.copy(), model.W_out.copy()
    model.alpha = 0.001                                # below min_alpha when train() starts:
    with pytest.warns(UserWarning, match="0.001 is below .* 0.019: as gensim, this run trains "
                                         "at 0.019 throughout"):
        model.train(corpus, epochs=1, verbose=False)
    flat = Word2Vec(**{**SMALL, "alpha": 0.019, "min_alpha": 0.019}).build_vocab(corpus)
    flat.wv.vectors[:], flat.W_out[:] = before_rows
    flat.epoch_losses, flat.epoch_pairs = [0.0] * 3, [0] * 3      # the same streams (run 3)
    flat.train(corpus, epochs=1, verbose=False)
    assert same(model, flat)                          # gensim's max(end_alpha, next_alpha)


def test_device_is_validated_with_the_objective():
    with pytest.raises(ValueError, match="device must be 'cpu' or 'cuda', got 'cuda:0'"):
        Word2Vec(device="cuda:0")
    model = Word2Vec(hs=1, negative=0)
    with pytest.raises(ValueError, match="skip-gram with loss 'hs' runs on device='cpu' only|sg with loss 'hs'"):
        model.device = "cuda"


def test_more_workers_than_numbas_threads_train_as_many_pieces_as_threads(corpus, monkeypatch):
    # a block's pieces beyond the threads that run would start again from its first rate
    import numba
    monkeypatch.setattr(numba.config, "NUMBA_NUM_THREADS", 1)
    one = Word2Vec(**SMALL).fit(corpus, verbose=False)
    four = Word2Vec(**{**SMALL, "workers": 4}).fit(corpus, verbose=False)
    assert same(one, four)                             # one thread: the serial kernel, one piece


def test_compute_loss_off_tallies_nothing(corpus):
    model = Word2Vec(corpus, compute_loss=False, **SMALL)
    assert model.get_latest_training_loss() == 0.0
    model.train(corpus, epochs=1, compute_loss=True, verbose=False)   # gensim's train flag
    assert model.get_latest_training_loss() > 0 and model.compute_loss


def test_train_on_text_without_known_words_warns_and_trains_nothing(corpus):
    model = Word2Vec(corpus, **SMALL)
    with pytest.warns(UserWarning, match="nothing trained"):
        model.train([["hello", "world"]], total_examples=1, epochs=1)   # gensim's doc example
    assert len(model.epoch_losses) == 2


# ---- build_vocab(update=True) ---------------------------------------------------------------
@pytest.mark.parametrize("head", [dict(negative=5), dict(hs=1, negative=0)])
def test_update_grows_the_vocabulary_and_trains_the_new_words(corpus, head):
    model = Word2Vec(corpus, **SMALL, **head)
    old_words, old_counts = list(model.wv.index_to_key), model.vocab.counts.copy()
    old_in, old_out = model.wv.vectors.copy(), model.W_out.copy()
    more = [["fresh", "t0w1", "novel"], ["fresh", "t0w2", "t0w1"], ["rare"]]
    model.build_vocab(more, update=True)
    V = len(old_words)
    assert model.wv.index_to_key[:V] == old_words                  # rows keep their meaning
    assert model.wv.index_to_key[V:] == ["fresh", "novel", "rare"]  # new words, by count
    assert model.vocab.counts[model.wv.key_to_index["t0w1"]] == old_counts[old_words.index("t0w1")] + 2
    assert np.array_equal(model.wv.vectors[:V], old_in)
    assert np.array_equal(model.W_out[:old_out.shape[0]], old_out)
    assert model.W_out.shape[0] == (V + 3 - 1 if head.get("hs") else V + 3)
    assert model.corpus_count == 3
    fresh = model.wv.vectors[V].copy()
    model.train(more, total_examples=model.corpus_count, epochs=model.epochs, verbose=False)
    assert not np.array_equal(model.wv.vectors[V], fresh)         # the new rows train
    assert model.wv.most_similar("fresh", topn=1)                 # and answer queries


def test_update_keeps_the_wv_object_and_prunes_files_as_lists(corpus, tmp_path):
    model = Word2Vec(corpus, **{**SMALL, "max_vocab_size": 25})
    wv = model.wv
    more = [["t0w1"] + [f"new{i}" for i in range(40)]] * 2
    path = tmp_path / "more.txt"
    path.write_text("\n".join(" ".join(s) for s in more) + "\n")
    from_file = Word2Vec(corpus, **{**SMALL, "max_vocab_size": 25})
    model.build_vocab(more, update=True)
    from_file.build_vocab(str(path), update=True)
    assert model.wv is wv and "new0" in wv                        # the same object, grown
    assert from_file.wv.index_to_key == model.wv.index_to_key
    assert np.array_equal(from_file.vocab.counts, model.vocab.counts)


def test_update_respects_min_count_for_new_words(corpus):
    model = Word2Vec(corpus, **{**SMALL, "min_count": 2})
    V = len(model.wv)
    model.build_vocab([["twice", "once", "twice"]], update=True)
    assert model.wv.index_to_key[V:] == ["twice"]


def test_update_needs_a_vocabulary_first(corpus):
    with pytest.raises(RuntimeError, match="build one first"):
        Word2Vec(**SMALL).build_vocab(corpus, update=True)


# ---- checkpoints, Ctrl-C and resuming ---------------------------------------------------------
class CtrlC(CallbackAny2Vec):
    """Raises KeyboardInterrupt as Ctrl-C would, at the start of epoch ``at`` (1-based)."""
    def __init__(self, at):
        self.at, self.seen = at, 0

    def on_epoch_begin(self, model):
        self.seen += 1
        if self.seen == self.at:
            raise KeyboardInterrupt


@pytest.mark.parametrize("head", [dict(negative=5), dict(hs=1, negative=0), dict(sg=0)])
def test_a_run_stopped_by_ctrl_c_and_resumed_equals_one_uninterrupted_run(corpus, tmp_path, head):
    params = {**SMALL, "epochs": 4, **head}
    whole = Word2Vec(**params).fit(corpus, verbose=False)
    stopped = Word2Vec(**params).build_vocab(corpus)
    checkpoint = tmp_path / "ck.model"
    with pytest.raises(KeyboardInterrupt):
        stopped.train(checkpoint=str(checkpoint), callbacks=[CtrlC(at=3)], verbose=False)
    assert len(stopped.epoch_losses) == 2                     # the finished epochs are kept
    resumed = Word2Vec.load(checkpoint)
    assert resumed._state["done"] == 2
    resumed.train(corpus, resume=True, verbose=False)
    assert same(resumed, whole)                              # bit for bit: same lr line, same streams
    assert resumed.epoch_losses == whole.epoch_losses
    with pytest.raises(ValueError, match="finished all its 4 epochs"):
        resumed.train(corpus, resume=True)


def test_resume_refuses_rows_that_hold_part_of_an_epoch(corpus, tmp_path, monkeypatch):
    from fastw2v import config
    monkeypatch.setattr(config, "BLOCK_WORDS_PER_THREAD", 200)       # several blocks an epoch

    class CtrlCInEpoch3(CallbackAny2Vec):
        def __init__(self):
            self.epochs = 0

        def on_epoch_begin(self, model):
            self.epochs += 1
            if self.epochs == 3:
                model.running_training_loss = float("nan")   # marks: raise at the next block

    model = Word2Vec(**{**SMALL, "epochs": 4}).build_vocab(corpus)
    original = training.block_runner

    def stopping(m, threads):
        run = original(m, threads)

        def wrapped(work, lr0, lr1, stats):
            if np.isnan(m.running_training_loss) and lr0:
                raise KeyboardInterrupt
            return run(work, lr0, lr1, stats)
        wrapped.kernel = run.kernel
        return wrapped
    monkeypatch.setattr(training, "block_runner", stopping)
    with pytest.raises(KeyboardInterrupt):
        model.train(checkpoint=str(tmp_path / "ck"), callbacks=[CtrlCInEpoch3()], verbose=False)
    assert model._state["done"] == 2 and model._state["partial_epoch"] == 3
    with pytest.raises(ValueError, match="rows hold part of epoch 3.*resume from the checkpoint"):
        model.train(corpus, resume=True)
    assert Word2Vec.load(tmp_path / "ck")._state.get("partial_epoch") is None
    # a new run draws from streams none of the stopped one's epochs drew from (run + epoch:
    # 0-2 were started, the part-trained epoch 3 among them)
    model.train(corpus, epochs=2, verbose=False)
    assert model._state["run"] == 3
    model.train(corpus, epochs=1, verbose=False)
    assert model._state["run"] == 5

    class StopAtOnce(CallbackAny2Vec):
        def on_epoch_begin(self, model):
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):             # a later run stopped in its first epoch
        model.train(corpus, epochs=3, callbacks=[StopAtOnce()], verbose=False)
    assert (model._state["run"], model._state["total"], model._state["partial_epoch"]) == (6, 3, 1)
    model.train(corpus, epochs=1, verbose=False)
    assert model._state["run"] == 7


def test_ctrl_c_while_the_checkpoint_is_written_keeps_a_resumable_model(corpus, tmp_path,
                                                                         monkeypatch):
    # the epoch had ended: the rows in memory hold whole epochs and resume from there
    whole = Word2Vec(**{**SMALL, "epochs": 3}).fit(corpus, verbose=False)
    model = Word2Vec(**{**SMALL, "epochs": 3}).build_vocab(corpus)
    saves = []

    def save(path):
        saves.append(path)
        if len(saves) == 2:
            raise KeyboardInterrupt
    monkeypatch.setattr(model, "save", save)
    with pytest.raises(KeyboardInterrupt):
        model.train(checkpoint=str(tmp_path / "ck"), verbose=False)
    assert model._state["done"] == 2 and "partial_epoch" not in model._state
    assert model.checkpointed == 1                       # the second checkpoint never landed
    model.train(corpus, resume=True, verbose=False)
    assert same(model, whole) and model.epoch_losses == whole.epoch_losses


# ---- the corpus train() reads -----------------------------------------------------------------
def test_a_list_changed_since_build_vocab_is_read_again(corpus):
    # gensim reads the corpus given to every train(): the old copy must not train silently
    sentences = [list(s) for s in corpus]
    model = Word2Vec(**SMALL).build_vocab(sentences)
    model.train(sentences, total_examples=model.corpus_count, epochs=1, verbose=False)
    pairs = model.epoch_pairs[-1]
    assert model._training_data(sentences) is model._corpus       # unchanged: the same copy
    sentences += sentences                                        # extended in place
    model.train(sentences, epochs=1, verbose=False)
    assert model.epoch_pairs[-1] > 1.6 * pairs
    sentences[0] = sentences[0][::-1]                             # one sentence reordered
    assert model._training_data(sentences).ids[:5].tolist() == \
        [model.wv.key_to_index[w] for w in sentences[0][:5]]
    sentences[:] = [["zzz-unknown"] * len(s) for s in sentences]   # same length, new tokens
    with pytest.warns(UserWarning, match="no word of the vocabulary"):
        model.train(sentences, epochs=1, verbose=False)


def test_a_file_changed_since_build_vocab_is_read_again(corpus, tmp_path):
    path = tmp_path / "c.txt"
    text = "\n".join(" ".join(s) for s in corpus) + "\n"
    path.write_text(text)
    model = Word2Vec(**SMALL).build_vocab(str(path))
    model.train(str(path), epochs=1, verbose=False)
    pairs = model.epoch_pairs[-1]
    assert model._training_data([str(path)]) is model._corpus     # unchanged, as a list too
    path.write_text(text * 2)
    model.train(str(path), epochs=1, verbose=False)
    assert model.epoch_pairs[-1] > 1.6 * pairs and model.corpus_total_words == len(text.split())
    assert model._training_data([str(path)]) is model._corpus     # the new copy, kept


def test_files_written_beside_a_source_directory_are_not_read_as_corpus(corpus, tmp_path):
    # gensim's "train more" habit with a checkpoint saved into the corpus's own directory
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "c.txt").write_text("\n".join(" ".join(s) for s in corpus) + "\n")
    model = Word2Vec(**SMALL).build_vocab(str(tmp_path / "src"))
    model.train(str(tmp_path / "src"), checkpoint=str(tmp_path / "src" / "ck.model"), verbose=False)
    model.wv.save_word2vec_format(tmp_path / "src" / "vectors.txt")
    with pytest.warns(UserWarning, match=r"holds 2 file\(s\) it did not at build_vocab.*"
                                         r"training the text read then"):
        assert model._training_data(str(tmp_path / "src")) is model._corpus
        model.train(str(tmp_path / "src"), verbose=False)


def test_corpus_count_counts_the_sentences_given(corpus):
    # gensim's corpus_count for token lists: every sentence once, empty and long ones included
    sentences = [corpus[0] * 4000, [], *corpus[1:]]              # 4000 x a sentence: > 10,000 words
    assert len(sentences[0]) > 10_000
    model = Word2Vec(**SMALL).build_vocab(sentences)
    assert model.corpus_count == len(sentences) != model._corpus.n_sentences   # pieces trained

    class Stream:                                      # a re-iterable without a length
        def __iter__(self):
            return iter(sentences)
    assert Word2Vec(**SMALL).build_vocab(Stream()).corpus_count == len(sentences)
    grown = Word2Vec(**SMALL).build_vocab(corpus).build_vocab(Stream(), update=True)
    assert grown.corpus_count == len(sentences)


def test_checkpoint_path_is_checked_before_training(corpus, tmp_path):
    model = Word2Vec(**SMALL).build_vocab(corpus)
    with pytest.raises(ValueError, match="checkpoint .*nodir.* does not exist"):
        model.train(checkpoint=str(tmp_path / "nodir" / "ck"))
    assert model.epoch_losses == []


def test_a_memory_mapped_model_is_refused_for_training_with_a_clear_error(corpus, tmp_path):
    Word2Vec(corpus, **SMALL).save(tmp_path / "m")
    mapped = Word2Vec.load(tmp_path / "m", mmap="r")
    with pytest.raises(ValueError, match="memory-mapped read-only"):
        mapped.train(corpus)


def test_a_model_trained_on_cuda_loads_on_a_machine_without_one(corpus, tmp_path, monkeypatch):
    import fastw2v.model
    model = Word2Vec(corpus, **SMALL)
    object.__setattr__(model, "config", dataclasses.replace(model.config, device="cuda"))
    model.save(tmp_path / "m")

    def no_gpu():
        raise RuntimeError("no usable CUDA GPU found")
    monkeypatch.setattr(fastw2v.model, "_require_cuda", no_gpu)
    with pytest.warns(UserWarning, match="trained on CUDA, loaded for the CPU"):
        back = Word2Vec.load(tmp_path / "m")
    assert back.device == "cpu"
    assert Word2Vec.load(tmp_path / "m", device="cpu").device == "cpu"


def test_missing_files_in_a_list_are_reported_as_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing1.txt"):
        Word2Vec().build_vocab([str(tmp_path / "missing1.txt"), str(tmp_path / "missing2.txt")])


def test_resume_checks_the_corpus_and_the_state(corpus, tmp_path):
    model = Word2Vec(**SMALL).build_vocab(corpus)
    with pytest.raises(ValueError, match="holds no stopped run"):
        model.train(resume=True)
    with pytest.raises(KeyboardInterrupt):
        model.train(checkpoint=str(tmp_path / "ck"), callbacks=[CtrlC(at=2)], verbose=False)
    back = Word2Vec.load(tmp_path / "ck")
    with pytest.raises(ValueError, match="resume on the same corpus"):
        back.train(corpus[:50], resume=True)


def test_checkpoint_is_written_after_every_epoch(corpus, tmp_path):
    seen = []

    class Peek(CallbackAny2Vec):
        def on_epoch_end(self, model):
            seen.append(Word2Vec.load(tmp_path / "ck").epoch_losses)

    model = Word2Vec(**{**SMALL, "epochs": 3}).build_vocab(corpus)
    model.train(checkpoint=str(tmp_path / "ck"), callbacks=[Peek()], verbose=False)
    assert seen == [model.epoch_losses[:1], model.epoch_losses[:2], model.epoch_losses]


# ---- compiling before the clock ---------------------------------------------------------------
class Uncompiled:
    signatures = ()


def test_warm_up_compiles_at_learning_rate_zero_and_changes_no_row(corpus, capsys, monkeypatch):
    for threads in (1, 2):
        model = Word2Vec(**{**SMALL, "workers": threads}).build_vocab(corpus)
        model.W_out[:] = 0.01                       # non-zero rows: an update would show
        run = training.block_runner(model, threads)
        W_in, W_out = model.wv.vectors.copy(), model.W_out.copy()
        calls = []

        def recording(work, lr0, lr1, stats):
            calls.append((lr0, lr1))
            return run(work, lr0, lr1, stats)
        recording.kernel = Uncompiled()
        monkeypatch.setattr(training, "_cached", lambda kernel: False)
        keep = model.vocab.keep_probabilities(model.config.sample)
        training._warm_up(model, recording, model._corpus, keep, threads, True)
        assert calls == [(0.0, 0.0)]
        assert np.array_equal(model.wv.vectors, W_in) and np.array_equal(model.W_out, W_out)
        assert "compiling kernels (first run only" in capsys.readouterr().err


# ---- corpora that are not UTF-8 ------------------------------------------------------------------
def test_a_latin_1_corpus_trains_with_its_encoding(tmp_path):
    words = ["café", "naïve", "über", "façade"]
    lines = [" ".join(words[(i + j) % 4] for j in range(6)) for i in range(40)]
    path = tmp_path / "latin1.txt"
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1\.txt: line 1: invalid UTF-8 byte"):
        Word2Vec(**SMALL).build_vocab(str(path))
    model = Word2Vec(**SMALL, encoding="latin-1").build_vocab(str(path))
    assert sorted(model.wv.index_to_key) == sorted(words)
    replaced = Word2Vec(**SMALL, unicode_errors="replace").build_vocab(str(path))
    assert "caf\ufffd" in replaced.wv
    with pytest.raises(ValueError, match="encoding 'klingon' is not a known text encoding"):
        Word2Vec(encoding="klingon")


def test_a_prepared_directory_of_another_encoding_is_refused(tmp_path):
    from fastw2v.corpus import prepare
    path = tmp_path / "c.txt"
    path.write_bytes("café olé café olé\n".encode("latin-1") * 5)
    prepare([str(path)], str(tmp_path / "p"), encoding="latin-1")
    model = Word2Vec(**SMALL, encoding="latin-1").build_vocab(str(tmp_path / "p"))
    assert "café" in model.wv
    with pytest.raises(ValueError, match="was read as iso8859-1.*this model reads utf-8"):
        Word2Vec(**SMALL).build_vocab(str(tmp_path / "p"))
