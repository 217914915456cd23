"""Word2Vec(device="cuda") end to end (tiny, so it also runs on the CUDA simulator), the
device's error messages, and the chunking of a corpus larger than one launch."""
import numpy as np
import pytest

from conftest import planted_corpus
from fastw2v import Word2Vec, config
from fastw2v.gpu.driver import chunks, subsample
from fastw2v.schedule import segments


@pytest.fixture(autouse=True)
def small_launches(monkeypatch):
    monkeypatch.setattr(config, "THREADS_PER_BLOCK", 4)
    monkeypatch.setattr(config, "GPU_MAX_BLOCKS", 4)


@pytest.mark.parametrize("params", [dict(sg=1), dict(sg=0)])
def test_tiny_training_on_cuda(rng, params, monkeypatch):
    # Calibration (simulator and CPU serial kernel alike, this corpus): 6 epochs at alpha 0.05
    # bring the loss per example from ~2.65 to ~2.37 (CBOW) and put 84-85% of each word's 4
    # nearest neighbours in its planted topic; the loss may rise in epoch 2 before it falls.
    # Atomic adds: on a real GPU, 16 threads sharing this 20-word vocabulary with plain stores
    # lose nearly every update (H200: skip-gram loss 2.647 -> 2.640, CBOW 2.666 -> 2.633 with
    # plain stores; 1.516 and 2.327 with atomics; README, CUDA), which the simulator, running
    # one thread at a time, does not show. One thread a block: the simulator's atomics fail
    # when threads of one block run them concurrently.
    monkeypatch.setattr(config, "GPU_ATOMICS", True)
    monkeypatch.setattr(config, "THREADS_PER_BLOCK", 1)
    monkeypatch.setattr(config, "GPU_MAX_BLOCKS", 16)
    monkeypatch.setattr(config, "GPU_CHUNK_TOKENS", 97)       # several chunks per epoch
    monkeypatch.setattr(config, "GPU_MIN_SPAN", 8)            # several threads per chunk
    corpus, topics = planted_corpus(rng, n_sentences=40, length=8)
    model = Word2Vec(vector_size=8, window=2, negative=3, min_count=1, sample=0, epochs=6, seed=2,
                     alpha=0.05, device="cuda", **params)
    model.build_vocab(corpus)
    before = model.wv.vectors.copy()
    model.train(verbose=False)
    assert not np.array_equal(before, model.wv.vectors)
    assert np.all(np.isfinite(model.wv.vectors)) and np.any(model.W_out != 0)
    per = np.array(model.epoch_losses) / np.array(model.epoch_pairs)
    assert per[-1] < 0.97 * per[0]
    hits = sum(len({x for x, _ in model.wv.most_similar(w, topn=4)} & set(t)) for t in topics for w in t)
    assert hits / 80 >= 0.6
    if params["sg"] == 0:
        assert model.epoch_pairs == [40 * 8] * 6                # one window per word (sample=0)


def test_a_resumed_cuda_run_draws_what_the_uninterrupted_one_drew(rng, monkeypatch, tmp_path):
    # one thread a block: the simulator then runs the threads one after another, so a run is
    # deterministic and a resumed one must end bit-identical (sample > 0: host draws too)
    from fastw2v.callbacks import CallbackAny2Vec
    monkeypatch.setattr(config, "THREADS_PER_BLOCK", 1)
    corpus, _ = planted_corpus(rng, n_sentences=20, length=8)
    params = dict(vector_size=6, window=2, negative=2, min_count=1, sample=0.05, epochs=3, seed=4,
                  device="cuda")
    whole = Word2Vec(**params).fit(corpus, verbose=False)

    class CtrlCInEpoch2(CallbackAny2Vec):
        def on_epoch_end(self, model):
            if len(model.epoch_losses) == 1:
                raise KeyboardInterrupt
    stopped = Word2Vec(**params).build_vocab(corpus)
    with pytest.raises(KeyboardInterrupt):
        stopped.train(checkpoint=str(tmp_path / "ck"), callbacks=[CtrlCInEpoch2()], verbose=False)
    resumed = Word2Vec.load(tmp_path / "ck")
    resumed.train(corpus, resume=True, verbose=False)
    assert resumed.epoch_losses == whole.epoch_losses
    assert np.array_equal(resumed.wv.vectors, whole.wv.vectors)


def test_train_start_and_end_alpha_set_the_line_on_cuda(rng, monkeypatch):
    monkeypatch.setattr(config, "THREADS_PER_BLOCK", 1)       # deterministic on the simulator
    corpus, _ = planted_corpus(rng, n_sentences=10, length=8)
    params = dict(vector_size=6, window=2, negative=2, min_count=1, sample=0, epochs=1, seed=4,
                  device="cuda")
    given = Word2Vec(**params).build_vocab(corpus).train(start_alpha=0.2, end_alpha=0.1,
                                                          verbose=False)
    preset = Word2Vec(**params, alpha=0.2, min_alpha=0.1).fit(corpus, verbose=False)
    default = Word2Vec(**params).fit(corpus, verbose=False)
    assert np.array_equal(given.wv.vectors, preset.wv.vectors)
    assert not np.array_equal(given.wv.vectors, default.wv.vectors)


def test_tiny_full_softmax_on_cuda(rng):
    corpus, topics = planted_corpus(rng, n_sentences=30, length=6)
    model = Word2Vec(vector_size=6, window=2, min_count=1, sample=0, epochs=4, seed=2, alpha=0.1,
                     loss="softmax", softmax_batch=16, device="cuda")
    model.fit(corpus, verbose=False)
    per = np.array(model.epoch_losses) / np.array(model.epoch_pairs)
    assert per[-1] < 0.9 * per[0]                            # starts at log(20) = 3.0
    assert per[0] == pytest.approx(np.log(20), rel=0.1)


def test_unsupported_objective_on_cuda():
    with pytest.raises(ValueError, match="device='cuda' trains skip-gram and CBOW with negative"):
        Word2Vec(device="cuda", hs=1, negative=0)


def test_missing_cuda_is_a_clear_error(monkeypatch):
    from numba import cuda
    monkeypatch.setattr(cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="no usable CUDA GPU found .* numba-cuda"):
        Word2Vec(device="cuda")
    Word2Vec(device="cpu")                                  # the CPU path needs none of it


def test_subsample_and_chunks_keep_sentences_whole():
    ids = np.arange(20, dtype=np.int32)
    offsets = np.array([0, 5, 12, 20])
    keep = np.ones(20, np.float32)
    kept, starts, sentence, done = subsample(ids, offsets, keep, np.random.default_rng(0))
    assert kept.tolist() == ids.tolist() and starts.tolist() == [0, 5, 12, 20]
    np.testing.assert_allclose(done, np.arange(21) / 20)
    assert list(chunks(20, starts, sentence, 9)) == [(0, 5), (5, 12), (12, 20)]
    assert list(chunks(20, starts, sentence, 6)) == [(0, 5), (5, 12), (12, 20)]
    assert list(chunks(20, starts, sentence, 100)) == [(0, 20)]
    keep[::2] = 0.0
    kept, starts, sentence, done = subsample(ids, offsets, keep, np.random.default_rng(0))
    assert kept.tolist() == list(range(1, 20, 2)) and starts.tolist() == [0, 2, 6, 10]
    # kept token i is raw word 2i + 1: the rate there counts the dropped words before it as done
    np.testing.assert_allclose(done, [0.0] + [(2 * i + 1) / 20 for i in range(1, 10)] + [1.0])


def test_segments_read_whole_sentences_in_order():
    offsets = np.array([0, 5, 12, 40, 41, 50])
    assert list(segments(offsets, 12)) == [(0, 2), (2, 3), (3, 5)]     # 28 words alone
    assert list(segments(offsets, 100)) == [(0, 5)]
    assert list(segments(offsets, 1)) == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]


def test_a_prepared_corpus_trains_on_cuda_as_the_same_sentences_in_memory(rng, tmp_path,
                                                                          monkeypatch):
    # a prepared directory read in segments of at most 50 words found as the sentences go by
    # (no array of every sentence's end or offset), against the same sentences as a list:
    # the same segments, the learning-rate line continued from each to the next over the
    # epoch, and (one thread a block: deterministic on the simulator) the same vectors
    from fastw2v.corpus import PreparedCorpus, prepare, prepared
    from fastw2v.gpu.driver import CudaTrainer
    monkeypatch.setattr(config, "GPU_CHUNK_TOKENS", 50)
    monkeypatch.setattr(config, "THREADS_PER_BLOCK", 1)
    corpus, _ = planted_corpus(rng, n_sentences=40, length=8)
    path = tmp_path / "c.txt"
    path.write_text("\n".join(" ".join(s) for s in corpus) + "\n")
    prepare(str(path), tmp_path / "p")
    seen, streamed_calls = [], []
    train_segment = CudaTrainer._train_segment

    def spy(self, ids, offsets, keep, rng, progress_start, progress_end, on_chunk):
        seen.append((ids.size, offsets[-1], offsets.size, progress_start, progress_end))
        return train_segment(self, ids, offsets, keep, rng, progress_start, progress_end, on_chunk)
    monkeypatch.setattr(CudaTrainer, "_train_segment", spy)
    streamed_segments = prepared.streamed_segments
    monkeypatch.setattr(prepared, "streamed_segments",
                        lambda *a: streamed_calls.append(1) or streamed_segments(*a))
    monkeypatch.setattr(PreparedCorpus, "ends", property(lambda c: pytest.fail("every end read")))
    params = dict(vector_size=8, window=2, negative=3, min_count=1, sample=0, epochs=2, seed=2,
                  alpha=0.05, device="cuda", sg=0)
    held = Word2Vec(**params).fit(corpus, verbose=False)
    in_memory, seen[:] = seen[:], []
    assert not streamed_calls
    model = Word2Vec(**params).fit(str(tmp_path / "p"), verbose=False)
    assert len(streamed_calls) == 2                           # one an epoch
    assert seen == in_memory and len(seen) == 2 * 7           # 320 words a epoch: 7 segments
    for epoch in range(2):
        line = seen[7 * epoch:7 * (epoch + 1)]
        assert all(n == last and n <= 50 and n % 8 == 0 for n, last, _, _, _ in line)
        assert line[0][3] == epoch / 2 and line[-1][4] == (epoch + 1) / 2
        assert all(a[4] == b[3] for a, b in zip(line, line[1:]))   # each starts where one ended
    assert model.epoch_pairs == [40 * 8] * 2                  # every window of every sentence once
    np.testing.assert_array_equal(model.wv.vectors, held.wv.vectors)


def test_cli_device_flag(tmp_path, rng):
    from fastw2v.cli import main
    corpus, _ = planted_corpus(rng, n_sentences=20, length=6)
    path = tmp_path / "c.txt"
    path.write_text("\n".join(" ".join(s) for s in corpus))
    out = tmp_path / "v.bin"
    assert main(["train", str(path), "-o", str(out), "-size", "6", "-min-count", "1", "-iter", "1",
                 "-window", "2", "-negative", "2", "-sample", "0", "--device", "cuda", "-q"]) == 0
    assert out.exists()
