"""Dask workers of one host train one copy of the rows in shared memory
(``fastw2v/distributed/shared.py``), on a real LocalCluster (worker processes, loopback only):
both workers train it, quality is one process's, a killed worker costs one piece, the file is
removed whatever stops training, and workers that cannot see the file get replicas instead."""
import dataclasses
import glob
import json
import mmap
import os
import time

import numpy as np
import pytest

from conftest import require
from fastw2v import Word2Vec
from test_dask import PARAMS, CtrlC, KillOneWorker, corpus, separation  # noqa: F401  (a fixture)


@pytest.fixture(scope="module")
def client():
    # forked workers, as a fresh command's local_cluster has (this process may have started
    # numba's OpenMP threads, when fork=None spawns; one-thread workers never enter OpenMP);
    # the other modules' clusters are spawned then, and a worker the nanny restarts always is
    require("distributed")
    from fastw2v.distributed.cluster import local_cluster
    client = local_cluster(2, fork=True)
    yield client
    client.close()
    client.cluster.close()


def _row_files(client):
    """The rows' files on the workers' host (/dev/shm or its temporary directory), any
    training's."""
    def found():
        import tempfile
        return (glob.glob("/dev/shm/fastw2v-*.rows*") +
                glob.glob(os.path.join(tempfile.gettempdir(), "fastw2v-*.rows*")))
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
    lrs = [r["lr"] for r in log]                                     # (in the order they ended)
    assert max(lrs)[0] == there.alpha and min(lrs)[1] == pytest.approx(there.min_alpha)
    starts = sorted({a for a, _ in lrs}, reverse=True)
    ends = sorted({b for _, b in lrs}, reverse=True)
    assert starts[1:] == pytest.approx(ends[:-1]) and len(starts) == len(log) // 2
    # staging on (2 threads in all share the rows), each worker's copies in a slot of its own
    assert all(r["slot"] in range(6) and r["staged"] == 20 for r in log)     # all 20 rows


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
    stages = [rows.runner(slot).stage for slot in (0, 2, -1)]
    assert [(s[1], s[2]) for s in stages] == [(V, V), (V, V + 2 * V), (0, V)]
    assert rows.model.W_out.shape == (V, D)
    assert isinstance(rows.model.W_out.base.base, mmap.mmap)   # the kernels' rows: the file's
    # a worker with more threads than a slot has rows for (it joined later) stages nothing
    wide = shared._Rows(spec, str(rows_file), layout, sharing=2, threads=2)
    if wide.threads == 2:                                      # numba has 2 threads here
        assert wide.runner(0).stage[1] == 0


def test_the_rows_go_to_dev_shm_when_it_has_room_else_to_the_hosts_temporary_directory(
        monkeypatch, tmp_path):
    import dask
    from fastw2v.distributed import shared

    class Stat:
        f_frsize = 4096

        def __init__(self, free):
            self.f_bavail = free // 4096
    with dask.config.set({"temporary-directory": "/scratch"}):
        monkeypatch.setattr(shared.os, "statvfs", lambda path: Stat(10 ** 9))
        assert shared._directories(10 ** 8) == ["/dev/shm", "/scratch"]
        monkeypatch.setattr(shared.os, "statvfs", lambda path: Stat(64 * 2 ** 20))  # docker's
        assert shared._directories(10 ** 8) == ["/scratch"]                         # 64 MiB
    # a directory with no room (or none at all) is an error there, not a crash later: the next
    layout = shared._Layout(5, 4, 3, slots=2, slot_rows=4)
    rows = (np.arange(15, dtype=np.float32).reshape(5, 3), np.ones((4, 3), np.float32))
    missing = tmp_path / "missing"
    monkeypatch.setattr(shared, "_possible_directories", lambda: [str(tmp_path)])
    monkeypatch.setattr(shared, "_directories", lambda size: [str(missing), str(tmp_path)])
    path, removed = shared.create_rows("r.rows", layout, rows)
    assert path == str(tmp_path / "r.rows") and os.path.getsize(path) == layout.size
    assert removed == []
    W_in, W_out = shared.read_rows(path, layout)
    assert np.array_equal(W_in, rows[0]) and np.array_equal(W_out, rows[1])
    assert sorted(os.listdir(tmp_path)) == ["r.rows"]                  # no temporary left
    monkeypatch.setattr(shared, "_directories", lambda size: [str(missing)])
    with pytest.raises(OSError, match=r"no room for the shared rows .*missing"):
        shared.create_rows("s.rows", layout, rows)


def test_one_worker_stopped_and_resumed_equals_one_uninterrupted_run(corpus, tmp_path):
    # one worker of one thread trains its pieces in order: deterministic, so the lr line and
    # the streams must carry over a checkpoint exactly; the checkpoints make finish() remove
    # the file between epochs and the next epoch make it again from the client's rows
    require("distributed")
    from fastw2v.distributed.cluster import local_cluster
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


def _bigger(path):
    big = path.parent / "big-shared.txt"
    if not big.exists():
        big.write_text(path.read_text() * 8)
    return big


def _log_piece(path, what, args):
    """A line of ``path``: a piece's start or end, by which worker process, when. A piece is
    ``train_piece``'s stream (epoch, place) and word range."""
    with open(path, "a") as f:
        f.write(json.dumps([what, os.getpid(), f"{args[7]} {args[4]}", time.time()]) + "\n")


def _run_again(path, model, dead):
    """From ``_log_piece``'s lines: checks that no piece ran more than twice, that the pieces
    run again had all started on the worker process ``dead`` and that at most one of them was
    cut short there (none if it died between two pieces, a few ms of each); returns each run's
    end time, the pieces run again and each piece's first run."""
    log = [json.loads(line) for line in path.read_text().splitlines()]
    starts = [(pid, piece) for what, pid, piece, _ in log if what == "start"]
    ended = {(pid, piece): t for what, pid, piece, t in log if what == "end"}
    pieces = [piece for _, piece in starts]
    again = {p for p in pieces if pieces.count(p) > 1}
    assert len(starts) - len(model.round_log) == len(again)          # each piece at most twice
    first = {piece: (pid, piece) for pid, piece in reversed(starts)}
    assert all(first[p][0] == dead for p in again)                   # all on the lost worker
    assert sum(first[p] not in ended for p in again) <= 1            # one cut short
    return ended, again, first


def test_a_worker_killed_mid_epoch_costs_one_piece(corpus, monkeypatch, tmp_path):
    # no callbacks: the next epoch is queued behind the current one when the worker dies
    require("distributed")
    import threading
    from fastw2v.distributed import shared
    from fastw2v.distributed.cluster import local_cluster
    monkeypatch.setattr(shared, "SHARED_STEP_WORDS", 2000)     # 72 pieces an epoch
    path, topics = corpus
    started = tmp_path / "started.log"
    slow = shared.train_piece

    def train_piece(*args):               # pieces long enough to be killed in
        if args[5] == 0:                  # a warm-up, at learning rate 0
            return slow(*args)
        _log_piece(started, "start", args)
        time.sleep(0.05)
        out = slow(*args)
        _log_piece(started, "end", args)
        return out

    monkeypatch.setattr(shared, "train_piece", train_piece)
    with local_cluster(2) as client:
        model = Word2Vec(**{**PARAMS, "epochs": 3}).build_vocab(str(_bigger(path)), client=client)
        killer = KillOneWorker(client, after=90, wait=0, task="train_piece")   # in epoch 2
        killed_at = []
        threading.Thread(target=lambda: (killer._kill(model, 0), killed_at.append(time.time())),
                         daemon=True).start()
        model.train(verbose=False)
        assert killer.killed is not None                          # it did die mid-piece
        assert len(model.epoch_losses) == 3
        assert sum(r["words"] for r in model.round_log) == 3 * model.corpus_total_words
        # the piece it was training ran again, and nothing else did but pieces that ended on
        # it just before, whose results the client had not yet taken (Dask recomputes a
        # result lost with its worker: a few ms a piece, more on a loaded machine)
        ended, again, first = _run_again(started, model, killer.pids[killer.killed])
        # and the others had ended in the last second: the client lets go of every result
        # as it comes (a result it held would be trained again however old)
        assert all(ended[first[p]] > killed_at[0] - 1.0 for p in again if first[p] in ended)
        assert killer.killed not in {w for r in model.round_log[-8:] for w in r["workers"]}
        assert separation(model, topics) > 0.5
        assert client.amm.running() and _row_files(client) == []
        client.cluster.close()


def test_pieces_of_the_next_epoch_that_ended_on_a_lost_worker_are_not_trained_again(
        corpus, monkeypatch, tmp_path):
    # epoch 2's last piece runs long on one worker while the other goes on into epoch 3 (queued
    # behind it); that other one dies: the epoch-3 pieces it had finished were released as
    # they ended (held until epoch 3's turn, Dask would recompute them with their worker gone)
    require("distributed")
    import signal
    import threading
    from fastw2v.distributed import shared
    from fastw2v.distributed.cluster import local_cluster
    from fastw2v.schedule import linear_lr
    monkeypatch.setattr(shared, "SHARED_STEP_WORDS", 2000)
    path, topics = corpus
    started, slow_pid = tmp_path / "started.log", tmp_path / "slow.pid"
    slow = shared.train_piece
    model = Word2Vec(**{**PARAMS, "epochs": 3})
    end_of_epoch_2 = linear_lr(2 / 3, model.alpha, model.min_alpha)
    tokens = []                               # the corpus's, once known

    def train_piece(*args):
        (a, b), lr0, lr1 = args[4:7]
        if lr0 > 0:
            _log_piece(started, "start", args)
        if lr1 == pytest.approx(end_of_epoch_2, abs=1e-12) and b == tokens[0]:  # epoch 2's last
            slow_pid.write_text(str(os.getpid()))
            time.sleep(2.0)
        else:
            time.sleep(0.02)
        out = slow(*args)
        if lr0 > 0:
            _log_piece(started, "end", args)
        return out

    monkeypatch.setattr(shared, "train_piece", train_piece)
    with local_cluster(2) as client:
        pids = client.run(os.getpid)
        model.build_vocab(str(_bigger(path)), client=client)
        tokens.append(model.corpus_total_words)
        killed = []

        def kill_the_other():
            deadline = time.time() + 60
            while not slow_pid.exists() and time.time() < deadline:
                time.sleep(0.005)
            time.sleep(1.0)                           # the other one finishes epoch-3 pieces
            stuck = int(slow_pid.read_text())
            [(address, pid)] = [(a, p) for a, p in pids.items() if p != stuck]
            os.kill(pid, signal.SIGKILL)
            killed.append((address, pid, time.time()))

        threading.Thread(target=kill_the_other, daemon=True).start()
        model.train(verbose=False)
        assert killed
        assert sum(r["words"] for r in model.round_log) == 3 * model.corpus_total_words
        # trained again: the piece it was training, and maybe pieces that ended as it died,
        # whose results the client had not yet taken; not the epoch-3 pieces it had finished
        # in the second before, which the client took and let go as they ended (held until
        # epoch 3's turn, every one would be). On a loaded machine the client takes results
        # late: how late is not pinned (0.3 s was exceeded), only that it took some
        _, dead, killed_at = killed[0]
        ended, again, first = _run_again(started, model, dead)
        finished_there = {p for (pid, p), t in ended.items()      # epoch 3's: "(2, place) ..."
                          if pid == dead and t > killed_at - 1 and p.startswith("(2,")}
        assert len(finished_there) >= 3                   # it did finish pieces meanwhile
        assert finished_there - again                     # and the client kept some of them
        assert separation(model, topics) > 0.5 and _row_files(client) == []
        client.cluster.close()


def test_ctrl_c_mid_epoch_leaves_the_running_pieces_and_their_workers_whole(corpus, monkeypatch):
    # Dask does not stop a running task: the file is removed under pieces still training,
    # whose mapping must stay until they end (else the worker crashes, and the nanny
    # restarts it)
    require("distributed")
    import _thread
    import signal
    import threading
    import time
    from fastw2v.distributed.cluster import local_cluster
    path, _ = corpus
    with local_cluster(2) as client:
        pids = client.run(os.getpid)
        model = Word2Vec(**{**PARAMS, "epochs": 30}).build_vocab(str(_bigger(path)), client=client)

        stopped = threading.Event()

        def ctrl_c():
            deadline = time.time() + 30
            while len(getattr(model, "round_log", ())) < 3 and time.time() < deadline:
                time.sleep(0.001)
            # pressed again while training goes on: one landing in an object's finalizer
            # (a Dask future's, as the client lets it go) is lost, as Python ignores those
            while not stopped.wait(0.2):
                _thread.interrupt_main()

        # Python's own handler, whatever the test runner inherited (a shell's background job
        # starts with SIGINT ignored, and interrupt_main then does nothing)
        handler = signal.signal(signal.SIGINT, signal.default_int_handler)
        threading.Thread(target=ctrl_c, daemon=True).start()
        try:
            with pytest.raises(KeyboardInterrupt):
                model.train(verbose=False)
        finally:
            stopped.set()
            signal.signal(signal.SIGINT, handler)
        done = len(model.epoch_losses)
        assert done < 30                                    # stopped mid-training ...
        time.sleep(1.0)                                     # ... with pieces running
        assert client.run(os.getpid) == pids                # no worker died
        assert _row_files(client) == []
        model.train(epochs=1, verbose=False)                # and the cluster trains on
        assert np.isfinite(model.wv.vectors).all() and len(model.epoch_losses) == done + 1
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
    from fastw2v.distributed.shared import crowded_hosts, host_of

    class Client:
        def __init__(self, *hosts):
            self.hosts = hosts

        def scheduler_info(self, n_workers):
            return {"workers": {f"tcp://{h}:{i}": {"host": h} for i, h in enumerate(self.hosts)}}

    assert host_of(Client("10.0.0.1", "10.0.0.1")) == "10.0.0.1"
    assert host_of(Client("10.0.0.1", "10.0.0.2")) is None
    # replicas then, one a worker: the hosts that run several are named (driver.py warns)
    assert crowded_hosts(Client("10.0.0.1", "10.0.0.1")) == {}
    assert crowded_hosts(Client("10.0.0.1", "10.0.0.2")) == {}
    assert crowded_hosts(Client("10.0.0.2", "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.2",
                                "10.0.0.3")) == {"10.0.0.2": 3, "10.0.0.3": 2}


def _kernels_loaded():
    """On a worker: how many signatures each serial training kernel has loaded here."""
    from fastw2v.cpu import cbow, hs, sgns
    return {name: len(getattr(module, name).signatures) for module, name in
            [(sgns, "sgns_block_serial"), (cbow, "cbow_ns_block_serial"),
             (hs, "cbow_hs_block_serial"), (hs, "sg_hs_block_serial")]}


def test_the_kernels_a_worker_loads_while_the_vocabulary_is_built_are_those_training_calls(
        corpus):
    # rounds.warm_kernels trains a three-word model, which build_vocab starts on every worker:
    # a real model's pieces must then load nothing more (the same signatures). Spawned
    # workers: forked ones would have this process's kernels already
    require("distributed")
    from fastw2v.distributed.cluster import local_cluster
    from fastw2v.distributed.rounds import warm_kernels
    path, _ = corpus
    with local_cluster(1, fork=False) as client:
        assert set(client.run(_kernels_loaded).popitem()[1].values()) == {0}
        for kernel, params in [("sgns_block_serial", dict(sg=1)),
                               ("cbow_hs_block_serial", dict(sg=0, hs=1, negative=0))]:
            model = Word2Vec(**{**PARAMS, **params})
            client.submit(warm_kernels, dataclasses.asdict(model.config), pure=False).result()
            loaded = client.run(_kernels_loaded).popitem()[1]
            assert loaded[kernel] == 1
            model.fit(str(path), client=client, verbose=False)
            assert client.run(_kernels_loaded).popitem()[1] == loaded
        client.cluster.close()


def test_a_warm_up_and_a_piece_take_turns_on_the_kernels(monkeypatch):
    # numba's workqueue layer aborts the process when two threads enter its parallel kernels
    # at once: a 2-thread worker's warm-up (started by build_vocab) waits for a running piece
    # (serial kernels, on one thread, enter no threading layer and need not wait)
    import threading
    import time

    from fastw2v.distributed import rounds
    params = dataclasses.asdict(Word2Vec(**PARAMS).config)
    rounds.warm_kernels(params, threads=2)        # loaded: the timing below is the lock's
    with rounds._KERNEL_LOCK:                     # a piece training
        warm = threading.Thread(target=rounds.warm_kernels, args=(params, 2))
        warm.start()
        time.sleep(0.3)
        assert warm.is_alive()
    warm.join(30)
    assert not warm.is_alive()


def test_build_vocab_on_a_cluster_starts_the_warm_up_on_the_workers(client, corpus,
                                                                     monkeypatch):
    from fastw2v.distributed import driver
    calls = []
    monkeypatch.setattr(driver, "warm_workers", lambda *args: calls.append(args))
    path, _ = corpus
    model = Word2Vec(**PARAMS).build_vocab(str(path), client=client)
    assert calls == [(client, dataclasses.asdict(model.config))]


def test_two_thread_workers_on_numbas_workqueue_layer_train(corpus, monkeypatch):
    # the warm-up of build_vocab and training's first piece on a worker's two Dask threads,
    # each a parallel kernel: without the kernel lock the workqueue layer aborted the worker
    # in 2 of 4 runs (spawned workers, as they read NUMBA_THREADING_LAYER)
    require("distributed")
    from fastw2v.distributed.cluster import local_cluster
    monkeypatch.setenv("NUMBA_THREADING_LAYER", "workqueue")
    path, _ = corpus
    with local_cluster(1, threads_per_worker=2, fork=False) as client:
        assert client.run(lambda: __import__("numba").config.THREADING_LAYER).popitem()[1] == \
            "workqueue"
        for _ in range(2):
            model = Word2Vec(**{**PARAMS, "sg": 1}).fit(str(path), client=client, verbose=False)
            assert len(model.epoch_losses) == 3
        client.cluster.close()


def test_forked_workers_run_openblas_on_one_thread_as_spawned_ones_do(client):
    # a forked worker inherits this process's OpenBLAS pools (as many threads as cores); the
    # cluster's worker plugin sets them to one thread, as Dask's environment does a spawned
    # worker's (the full softmax's kernel calls BLAS inside numba's threads)
    from fastw2v._startup import blas_threads
    for threads in client.run(blas_threads).values():
        assert threads and set(threads.values()) == {1}

