"""Dask workers of one host train one copy of the rows in shared memory
(``fastw2v/distributed/shared.py``), on a real LocalCluster (worker processes, loopback only):
both workers train it, quality is one process's, a killed worker costs one piece, the file is
removed whatever stops training, and workers that cannot see the file get replicas instead."""
import glob
import os

import numpy as np
import pytest

from conftest import require
from fastw2v import Word2Vec
from fastw2v.callbacks import CallbackAny2Vec
from test_dask import PARAMS, KillOneWorker, corpus, separation  # noqa: F401  (a fixture)


@pytest.fixture(scope="module")
def client():
    require("distributed")
    from fastw2v.distributed.cluster import local_cluster
    client = local_cluster(2)
    yield client
    client.close()
    client.cluster.close()


def _row_files(client):
    """The rows' files on the workers' host, any training's."""
    def found(dask_worker):
        return (glob.glob("/dev/shm/fastw2v-*.rows*") +
                glob.glob(os.path.join(dask_worker.local_directory, "fastw2v-*.rows*")))
    return sorted({f for files in client.run(found).values() for f in files})


def test_workers_of_one_host_train_one_copy_of_the_rows(client, corpus):
    path, topics = corpus
    here = Word2Vec(workers=2, **PARAMS).fit(str(path), verbose=False)
    there = Word2Vec(**PARAMS).fit(str(path), client=client, verbose=False)
    assert there.wv.index_to_key == here.wv.index_to_key
    log = there.round_log
    assert all(r["rows"] is None and r["bytes_back"] == 0 for r in log)   # nothing met: shared
    assert {w for r in log for w in r["workers"]} == set(client.nthreads())  # both trained it
    assert sum(r["words"] for r in log) == 3 * there.corpus_total_words      # every piece once
    assert separation(there, topics) > 0.5
    assert separation(there, topics) > separation(here, topics) - 0.1
    per_pair = np.array(there.epoch_losses) / np.array(there.epoch_pairs)
    assert per_pair[-1] < per_pair[0]
    assert there.epoch_losses[-1] / there.epoch_pairs[-1] == pytest.approx(
        here.epoch_losses[-1] / here.epoch_pairs[-1], rel=0.1)     # as two threads' Hogwild
    assert _row_files(client) == []                                  # removed at the end
    # each piece trains its own stretch of the one lr line over all epochs' tokens: the
    # pieces of a round from its start, the next round from the last one's end
    lrs = [r["lr"] for r in log]
    assert lrs[0][0] == there.alpha and lrs[-1][1] == pytest.approx(there.min_alpha)
    starts = sorted({a for a, _ in lrs}, reverse=True)
    ends = sorted({b for _, b in lrs}, reverse=True)
    assert starts[1:] == pytest.approx(ends[:-1]) and len(starts) == len(log) // 2
    # staging on (2 threads in all share the rows), each worker's copies in a slot of its own
    assert all(r["slot"] in range(6) for r in log)


def test_each_slot_stages_into_its_own_rows_of_the_file(corpus, tmp_path):
    # what a worker maps: W_in, then W_out and a slot of spare rows per claim after it
    import dataclasses
    from fastw2v.corpus import PreparedCorpus, prepare
    from fastw2v.distributed import shared
    path, _ = corpus
    prepare([str(path)], tmp_path / "p")
    model = Word2Vec(**PARAMS).build_vocab(str(tmp_path / "p"))
    V, D = model.wv.vectors.shape
    layout = shared._Layout(V, len(model.W_out), D, slots=3, slot_rows=V)
    rows_file = tmp_path / "rows"
    rows_file.write_bytes(bytes(layout.size))
    spec = dict(params=dataclasses.asdict(model.config), words=model.vocab.words,
                counts=model.vocab.counts, prepared=str(tmp_path / "p"),
                to_id=np.arange(V + 1, dtype=np.int32))
    rows = shared._Rows(spec, str(rows_file), layout, sharing=2, threads=1)
    try:
        stages = [rows.runner(slot).stage for slot in (0, 2, -1)]
        assert [(s[1], s[2]) for s in stages] == [(V, V), (V, V + 2 * V), (0, V)]
        assert np.shares_memory(rows.model.W_out, rows.buf)     # the kernels' rows: the file's
        assert rows.model.W_out.shape == (V, D)
    finally:
        rows.close()


def test_the_rows_go_to_dev_shm_when_it_has_room_else_to_the_workers_directory(monkeypatch):
    from fastw2v.distributed import shared

    class Worker:
        local_directory = "/scratch/worker-1"

    class Stat:
        f_frsize = 4096

        def __init__(self, free):
            self.f_bavail = free // 4096
    monkeypatch.setattr(shared.os, "statvfs", lambda path: Stat(10 ** 9))
    assert shared._directory(10 ** 8, Worker()) == "/dev/shm"
    monkeypatch.setattr(shared.os, "statvfs", lambda path: Stat(64 * 2 ** 20))   # docker's 64 MB
    assert shared._directory(10 ** 8, Worker()) == "/scratch/worker-1"


def test_one_worker_stopped_and_resumed_equals_one_uninterrupted_run(corpus, tmp_path):
    # one worker of one thread trains its pieces in order: deterministic, so the lr line and
    # the streams must carry over a checkpoint exactly; the checkpoints make finish() remove
    # the file between epochs and the next epoch make it again from the client's rows
    require("distributed")
    from fastw2v.distributed.cluster import local_cluster

    class CtrlC(CallbackAny2Vec):
        def __init__(self):
            self.seen = 0

        def on_epoch_begin(self, model):
            self.seen += 1
            if self.seen == 3:
                raise KeyboardInterrupt

    path, _ = corpus
    params = {**PARAMS, "epochs": 4}
    with local_cluster(1) as one:
        whole = Word2Vec(**params).fit(str(path), client=one, verbose=False)
        assert whole.round_log[0]["rows"] is None
        stopped = Word2Vec(**params).build_vocab(str(path), client=one)
        checkpoint = tmp_path / "ck.model"
        with pytest.raises(KeyboardInterrupt):
            stopped.train(checkpoint=str(checkpoint), callbacks=[CtrlC()], verbose=False)
        assert one.amm.running() and _row_files(one) == []
        resumed = Word2Vec.load(checkpoint)
        resumed.train(str(path), resume=True, verbose=False, client=one)
        one.cluster.close()
    assert np.array_equal(resumed.wv.vectors, whole.wv.vectors)
    assert np.array_equal(resumed.W_out, whole.W_out)
    assert resumed.epoch_losses == whole.epoch_losses


def test_a_worker_killed_mid_epoch_costs_one_piece(corpus, monkeypatch):
    require("distributed")
    import time
    from fastw2v.distributed import shared
    from fastw2v.distributed.cluster import local_cluster
    monkeypatch.setattr(shared, "SHARED_STEP_WORDS", 2000)     # 36 pieces an epoch
    path, topics = corpus
    big = path.parent / "big-shared.txt"
    big.write_text(path.read_text() * 8)
    slow = shared.train_piece

    def train_piece(*args):               # pieces long enough to be killed in
        time.sleep(0.05)
        return slow(*args)

    monkeypatch.setattr(shared, "train_piece", train_piece)
    with local_cluster(2) as client:
        killer = KillOneWorker(client, after=3, wait=0, task="train_piece")
        model = Word2Vec(**{**PARAMS, "epochs": 3}).build_vocab(str(big), client=client)
        model.train(callbacks=[killer], verbose=False)
        assert killer.killed is not None                          # it did die mid-piece
        assert len(model.epoch_losses) == 3
        assert sum(r["words"] for r in model.round_log) == 3 * model.corpus_total_words
        last = model.round_log[-1]["workers"]                     # the next epoch's pieces go
        assert killer.killed not in {w for r in model.round_log[-8:] for w in r["workers"]}
        assert len(set(last)) == 1                                # to the live workers
        assert separation(model, topics) > 0.5
        assert client.amm.running() and _row_files(client) == []
        client.cluster.close()


def test_workers_that_do_not_see_one_file_get_replicas(client, corpus, monkeypatch):
    # workers reporting one host may still not share its memory (containers): then replicas
    from fastw2v.distributed import shared
    path, topics = corpus
    monkeypatch.setattr(shared, "sees", lambda path, size: False)
    model = Word2Vec(**PARAMS).fit(str(path), client=client, verbose=False)
    assert model.round_log[0]["rows"] is not None                   # replicas that met
    assert separation(model, topics) > 0.5
    assert _row_files(client) == []


def test_only_workers_of_one_host_share_their_rows():
    from fastw2v.distributed.shared import host_of

    class Client:
        def __init__(self, *hosts):
            self.hosts = hosts

        def scheduler_info(self, n_workers):
            return {"workers": {f"tcp://{h}:{i}": {"host": h} for i, h in enumerate(self.hosts)}}

    assert host_of(Client("10.0.0.1", "10.0.0.1")) == "10.0.0.1"
    assert host_of(Client("10.0.0.1", "10.0.0.2")) is None
