"""Training on a real Dask LocalCluster (worker processes, loopback only): the first pass and the
steps run on the workers, the vocabulary is the single-machine one, quality stays, a worker
killed mid-training costs at most a cycle, and a bad scheduler or an unreadable corpus fails
clearly. The planted corpus has 20 words: ``short_cycles`` gives each worker a replica (as on workers
of several hosts) and shrinks the hot set and the steps so that rows meet in part (4 rows after
every step, all after 8) as they do on a real vocabulary. Workers of one host sharing one copy
of the rows: ``test_dask_shared.py``."""
import glob
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from conftest import planted_corpus, require
from fastw2v import Word2Vec
from fastw2v.callbacks import CallbackAny2Vec

PARAMS = dict(vector_size=16, window=3, min_count=2, epochs=3, seed=1, sample=0)


@pytest.fixture(scope="module")
def client():
    require("distributed")
    from fastw2v.distributed.cluster import local_cluster
    client = local_cluster(2)
    yield client
    client.close()
    client.cluster.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    sentences, topics = planted_corpus(np.random.default_rng(4), n_sentences=1500)
    path = tmp_path_factory.mktemp("dask") / "planted.txt"
    path.write_text("\n".join(" ".join(s) for s in sentences) + "\n")
    return path, topics


@pytest.fixture
def short_cycles(monkeypatch):
    # replicas that meet: the design for workers on several hosts, forced on this one's
    # (which would otherwise share one copy of the rows: test_dask_shared.py)
    from fastw2v import config
    from fastw2v.distributed import driver, merge
    monkeypatch.setattr(config, "DASK_SHARED_ROWS", False)
    monkeypatch.setattr(merge, "SYNC_ROWS", 4)
    monkeypatch.setattr(driver, "STEP_WORDS", 500)
    monkeypatch.setattr(driver, "STEP_WORDS_CBOW", 500)
    monkeypatch.setattr(driver, "STEP_WORDS_COMPOSED", 500)


def separation(model, topics):
    """Mean cosine within a planted topic minus across topics."""
    unit = model.wv.get_normed_vectors()
    ids = [[model.wv.key_to_index[w] for w in t if w in model.wv] for t in topics]
    within = np.mean([(unit[i] @ unit[i].T)[np.triu_indices(len(i), 1)].mean() for i in ids])
    across = np.mean([(unit[a] @ unit[b].T).mean() for k, a in enumerate(ids) for b in ids[k + 1:]])
    return within - across


def test_training_on_the_cluster_matches_one_process(client, corpus, short_cycles):
    path, topics = corpus
    here = Word2Vec(workers=2, **PARAMS).fit(str(path), verbose=False)
    there = Word2Vec(**PARAMS).fit(str(path), client=client, verbose=False)
    assert there.wv.index_to_key == here.wv.index_to_key        # the same first pass
    assert np.array_equal(there.vocab.counts, here.vocab.counts)
    used = {w for r in there.round_log for w in r["workers"]}
    assert used == set(client.nthreads())                        # both workers trained
    assert sum(r["words"] for r in there.round_log) == 3 * there.corpus_total_words
    met = [r["rows"][0] for r in there.round_log]
    assert met[:8] == [4, 8, 4, 16, 4, 8, 4, 20]                   # hot rows often, all at a cycle's end
    assert separation(there, topics) > 0.5
    assert separation(there, topics) > separation(here, topics) - 0.1
    per_pair = np.array(there.epoch_losses) / np.array(there.epoch_pairs)
    assert per_pair[-1] < per_pair[0]
    # 20 words, every row written by both workers every step: their summed changes overshoot
    # a little more than two Hogwild threads' do
    assert there.epoch_losses[-1] / there.epoch_pairs[-1] == pytest.approx(
        here.epoch_losses[-1] / here.epoch_pairs[-1], rel=0.25)


def test_three_workers_compose_their_changes_in_cbow_with_hierarchical_softmax(corpus, short_cycles):
    # past two workers the changes are composed (merge.py), and HS meets Huffman nodes
    require("distributed")
    from fastw2v.distributed.cluster import local_cluster
    path, topics = corpus
    params = {**PARAMS, "sg": 0, "hs": 1, "negative": 0, "alpha": 0.05}
    with local_cluster(3) as client:
        model = Word2Vec(**params).fit(str(path), client=client, verbose=False)
        assert len({w for r in model.round_log for w in r["workers"]}) == 3
        assert sum(r["words"] for r in model.round_log) == 3 * model.corpus_total_words
        assert [r["rows"][1] for r in model.round_log][:2] == [4, 8]    # 19 inner nodes
        here = Word2Vec(workers=3, **params).fit(str(path), verbose=False)
        assert separation(model, topics) > 0.5
        assert separation(model, topics) > separation(here, topics) - 0.1
        client.cluster.close()


def test_replicas_name_the_hosts_that_run_several_workers(client, corpus, short_cycles,
                                                         monkeypatch):
    # several hosts, some with several workers: each worker keeps a replica, where one
    # worker a host with its threads would keep one a host (shared.crowded_hosts)
    from fastw2v.distributed import driver
    monkeypatch.setattr(driver, "crowded_hosts", lambda client: {"10.0.0.2": 2})
    path, _ = corpus
    with pytest.warns(UserWarning, match=r"10\.0\.0\.2 runs 2 workers: one worker a host") as fit:
        Word2Vec(**{**PARAMS, "epochs": 1}).fit(str(path), client=client, verbose=False)
    model = Word2Vec(**{**PARAMS, "epochs": 1}).build_vocab(str(path), client=client)
    with pytest.warns(UserWarning, match="one worker a host") as train:
        model.train(verbose=False)
    ours = lambda record: [w.filename for w in record if "one worker a host" in str(w.message)]  # noqa: E731
    assert ours(fit) == ours(train) == [__file__]       # the caller's line, fit's or train's


def test_workers_of_two_threads_train_the_full_softmax(corpus, short_cycles):
    # the other cluster tests run one thread a worker and NS or HS: here each worker's steps
    # run its block runner's two Hogwild threads, on the softmax head (every output row is
    # written at every pair: they all meet by heat, as the centre words')
    require("distributed")
    from fastw2v.distributed.cluster import local_cluster
    path, topics = corpus
    params = {**PARAMS, "loss": "softmax", "sg": 1}
    with local_cluster(2, threads_per_worker=2) as client:
        assert sorted(client.nthreads().values()) == [2, 2]
        model = Word2Vec(**params).fit(str(path), client=client, verbose=False)
        assert len({w for r in model.round_log for w in r["workers"]}) == 2
        assert {t for r in model.round_log for t in r["threads"]} == {2}   # each step, 2 threads
        assert sum(r["words"] for r in model.round_log) == 3 * model.corpus_total_words
        here = Word2Vec(workers=4, **params).fit(str(path), verbose=False)
        assert separation(model, topics) > 0.5
        assert separation(model, topics) > separation(here, topics) - 0.1
        per_pair = np.array(model.epoch_losses) / np.array(model.epoch_pairs)
        assert per_pair[-1] < per_pair[0]
        client.cluster.close()


@pytest.mark.parametrize("n_workers", [2, 3])
def test_a_cluster_run_stopped_and_resumed_equals_one_uninterrupted_run(client, corpus, tmp_path,
                                                                       short_cycles, n_workers):
    # one thread a worker: the cluster's training is deterministic, so the lr line, the random
    # streams and the rows' last meetings must carry over a checkpoint exactly. With 3 workers
    # the changes are composed with weights that count each row's writes since it last met: a
    # resumed run must start as if every row had just met (the driver's traffic.all_met)
    if n_workers == 3:
        from fastw2v.distributed.cluster import local_cluster
        with local_cluster(3) as three:
            _stop_and_resume(three, corpus, tmp_path)
            three.cluster.close()
    else:
        _stop_and_resume(client, corpus, tmp_path)


class CtrlC(CallbackAny2Vec):
    """A Ctrl-C as the third epoch begins (two finished, checkpointed)."""

    def __init__(self):
        self.seen = 0

    def on_epoch_begin(self, model):
        self.seen += 1
        if self.seen == 3:
            raise KeyboardInterrupt


def _stop_and_resume(client, corpus, tmp_path):
    path, _ = corpus
    params = {**PARAMS, "epochs": 4}
    whole = Word2Vec(**params).fit(str(path), client=client, verbose=False)
    stopped = Word2Vec(**params).build_vocab(str(path), client=client)
    checkpoint = tmp_path / "ck.model"
    with pytest.raises(KeyboardInterrupt):
        stopped.train(checkpoint=str(checkpoint), callbacks=[CtrlC()], verbose=False)
    assert client.amm.running()                          # given back when training stopped
    resumed = Word2Vec.load(checkpoint)
    resumed.train(str(path), resume=True, verbose=False, client=client)
    assert np.array_equal(resumed.wv.vectors, whole.wv.vectors)
    assert np.array_equal(resumed.W_out, whole.W_out)
    assert resumed.epoch_losses == whole.epoch_losses


def test_the_memory_manager_is_given_back_whatever_stops_training(client, corpus, monkeypatch):
    from fastw2v.distributed.driver import hold_copies
    path, _ = corpus
    assert client.amm.running()

    class Raises(CallbackAny2Vec):
        def on_train_begin(self, model):
            raise RuntimeError("a callback failed")
    model = Word2Vec(**PARAMS).build_vocab(str(path), client=client)
    with pytest.raises(RuntimeError, match="a callback failed"):      # before the first epoch
        model.train(callbacks=[Raises()], verbose=False)
    assert client.amm.running()
    run = client.run

    def lost_at_the_end(fn, *args, **kwargs):
        if fn.__name__ in ("forget", "drop"):         # what finish() runs on the workers
            raise OSError("worker lost")
        return run(fn, *args, **kwargs)
    with monkeypatch.context() as m:          # the workers cannot be reached as training ends
        m.setattr(client, "run", lost_at_the_end)
        model.train(epochs=1, verbose=False)
    assert client.amm.running()
    # the rows' file that finish() could not remove (workers of one host share one copy)
    for left in glob.glob("/dev/shm/fastw2v-*.rows"):      # (this client's host is theirs)
        os.remove(left)
    # two trainings on one cluster: the first to end does not start it under the other
    assert hold_copies(client, "A") is False and hold_copies(client, "B") is False
    assert hold_copies(client, "A", hold=False) is False and not client.amm.running()
    assert hold_copies(client, "B", hold=False) is True and client.amm.running()
    client.amm.stop()                         # the user's own choice: training leaves it off
    hold_copies(client, "C")
    assert hold_copies(client, "C", hold=False) is False
    client.amm.start()


def test_the_first_pass_runs_on_the_workers(client, corpus, tmp_path, monkeypatch):
    from fastw2v.corpus import PreparedCorpus, prepare
    path, _ = corpus
    here = prepare([str(path)], tmp_path / "here")
    from fastw2v.corpus import firstpass
    # imported before the patch, which its own import would otherwise take for good, and
    # pass to the workers of a cluster forked from this process later
    from fastw2v.distributed import firstpass as on_workers
    calls = []
    original = firstpass.count_unit
    monkeypatch.setattr(firstpass, "count_unit",                       # never called here
                        lambda *a, **k: calls.append(a) or original(*a, **k))
    monkeypatch.setattr(on_workers, "count_unit", firstpass.count_unit)
    there = prepare([str(path)], tmp_path / "there", client=client)
    assert calls == []
    assert there.words == here.words and np.array_equal(there.counts, here.counts)
    assert np.array_equal(PreparedCorpus(tmp_path / "there").ends, here.ends)


def _arriving_in_order(monkeypatch, order):
    """``prepare``'s units come from the cluster in ``order`` (a unit index -> rank), whatever
    order the workers finish them in; returns the units merged, in the order taken."""
    from fastw2v.corpus import prepared
    real, taken = prepared.count_units, []

    def count_units(*args):
        done = list(real(*args))                         # (UnitCount, TableCount) a unit
        for counted, table in sorted(zip(done[::2], done[1::2]), key=lambda p: order(p[0].index)):
            taken.append(counted.index)
            yield counted
            yield table
    monkeypatch.setattr(prepared, "count_units", count_units)
    return taken


def test_the_first_pass_merges_the_units_in_any_order_they_finish(client, corpus, tmp_path,
                                                                   monkeypatch):
    # the client merges each unit's table as it comes, and orders the units' tokens and
    # sentence ends by their place in the input
    from fastw2v.corpus import PreparedCorpus, firstpass, prepare
    path, _ = corpus
    here = prepare([str(path)], tmp_path / "here")
    monkeypatch.setattr(firstpass, "UNIT_BYTES", path.stat().st_size // 9)
    n = len(firstpass.plan_units([str(path)], 2, guided=False))
    taken = _arriving_in_order(monkeypatch, lambda k: -k)                       # last first
    there = PreparedCorpus(prepare([str(path)], tmp_path / "there", client=client).path)
    assert n >= 9 and taken == list(range(n - 1, -1, -1))
    assert there.words == here.words and np.array_equal(there.counts, here.counts)
    assert np.array_equal(there.ends, here.ends)
    assert np.array_equal(np.concatenate(list(there.blocks())), np.concatenate(list(here.blocks())))


def test_invalid_utf8_on_the_cluster_names_the_first_and_stops_once_the_units_before_came(
        client, tmp_path, monkeypatch):
    # bad bytes in units 2 and 6 (of about 10); unit 6 comes first, then 2, 3, 0, 1: the first
    # bad byte of the input is known once 0 and 1 have come, and the rest are not waited for
    from conftest import python_sentences
    from fastw2v.corpus import firstpass, prepare
    path = tmp_path / "bad.txt"
    text = bytearray(b"a b c d\n" * 500)
    path.write_bytes(text)
    monkeypatch.setattr(firstpass, "UNIT_BYTES", len(text) // 10)
    units = firstpass.plan_units([str(path)], 2, guided=False)
    assert len(units) >= 8
    for k, byte in ((6, 0xfe), (2, 0xff)):
        text[units[k].start + 8] = byte                  # a letter: the cuts stay where they are
    path.write_bytes(text)
    order = [6, 2, 3, 0, 1] + [k for k in range(len(units)) if k not in (6, 2, 3, 0, 1)]
    taken = _arriving_in_order(monkeypatch, order.index)
    with pytest.raises(ValueError) as ours:
        prepare([str(path)], tmp_path / "p", client=client)
    with pytest.raises(ValueError) as reader:
        python_sentences(str(path))
    assert str(ours.value) == str(reader.value) and "\\xff" in str(ours.value)
    assert taken == [6, 2, 3, 0, 1]


def test_the_cluster_hands_back_the_units_as_they_finish(client, tmp_path):
    # a small unit behind a large one comes first (in unit order it waited for the large one)
    from fastw2v.corpus import firstpass
    from fastw2v.distributed.firstpass import count_on_workers
    large, small = tmp_path / "large.txt", tmp_path / "small.txt"
    large.write_bytes(b"the quick brown fox jumps over the lazy dog\n" * 400_000)   # 18 MB
    small.write_bytes(b"a b c\n")
    units = firstpass.plan_units([str(large), str(small)], 1, guided=False)    # a unit a file
    assert [u.path for u in units] == [str(large), str(small)]
    spills = [str(tmp_path / f"s{k}") for k in range(2)]
    came = [r.index for r in count_on_workers(client, units, spills, "utf-8", "strict")]
    assert came == [1, 1, 0, 0]                          # a UnitCount, then its TableCount


def _numba_dispatch_then_scipy_modules():
    """On a worker: the first dispatch of a new kernel (numba's BLAS check runs on the first in a
    process), then the scipy.linalg modules loaded."""
    import sys

    from numba import njit
    njit(lambda a: a.sum())(np.ones(2))
    return sorted(m for m in sys.modules if m.startswith("scipy.linalg"))


def _upkeep(dask_worker):
    """On a worker: how often its upkeep wakes it, in ms (cluster.QUIET)."""
    return {name: dask_worker.periodic_callbacks[name].callback_time
            for name in ("tick", "monitor", "profile")}


def _log_filters():
    """On a worker: the filters of its two loggers, by class name."""
    import logging
    return [type(f).__name__ for name in ("distributed.worker", "distributed.worker.state_machine")
            for f in logging.getLogger(name).filters]


def _stop_signals():
    """On a worker: whether SIGINT, SIGTERM and SIGHUP are ignored."""
    import signal
    return [signal.getsignal(s) == signal.SIG_IGN for s in (signal.SIGINT, signal.SIGTERM,
                                                             signal.SIGHUP)]


def _scheduler_upkeep(dask_scheduler):
    return {name: dask_scheduler.periodic_callbacks[name].callback_time
            for name in ("tick", "monitor")}


QUIET_MS = {"tick": 1000, "monitor": 2000, "profile": 100}


def test_the_workers_of_local_cluster_load_cython_blas_alone():
    # a cluster of its own (the module's has run other work), spawned (a forked worker has
    # whatever this process imported): its worker plugin loads cython_blas alone, so numba's
    # dispatch does not import scipy.linalg; also in a worker the nanny restarts. Its upkeep
    # is quiet there too (Dask's defaults are 20, 500 and 10 ms), its log is spared a client's
    # leaving, it ignores the stop signals (its client stops it), and its client fetches
    # results from the workers directly
    require("distributed")
    from fastw2v.distributed.cluster import local_cluster
    client = local_cluster(1, fork=False)
    try:
        alone = ["scipy.linalg.cython_blas"]
        assert list(client.run(_numba_dispatch_then_scipy_modules).values()) == [alone]
        assert list(client.run(_upkeep).values()) == [QUIET_MS]
        assert client.run_on_scheduler(_scheduler_upkeep) == {"tick": 1000, "monitor": 2000}
        assert client.direct_to_workers is True
        assert list(client.run(_log_filters).values()) == [["QuietClose"] * 2]
        assert list(client.run(_stop_signals).values()) == [[True] * 3]
        client.restart()
        assert list(client.run(_numba_dispatch_then_scipy_modules).values()) == [alone]
        assert list(client.run(_upkeep).values()) == [QUIET_MS]
        assert list(client.run(_log_filters).values()) == [["QuietClose"] * 2]
    finally:
        client.close()
        client.cluster.close()


def test_a_workers_log_drops_only_what_closing_it_under_a_command_prints():
    # the record distributed's worker logs when a client's connection closes while the worker
    # sends it a result (the client asked: "-> None"), and the one of a task still running
    # as the worker closes; the same with a worker asking, another error or another message
    # is kept
    require("distributed")
    import logging
    import sys

    from distributed.comm import CommClosedError

    from fastw2v.distributed._worker_startup import QuietClose

    def record(who, error, msg="failed during get data with %s -> %s"):
        try:
            raise error
        except OSError:
            exc_info = sys.exc_info()
        return logging.LogRecord("distributed.worker", logging.ERROR, "worker.py", 1697, msg,
                                 ("tcp://127.0.0.1:1", who), exc_info)
    keep = QuietClose().filter
    assert not keep(record(None, CommClosedError("in <TCP (closed)>: Stream is closed")))
    assert keep(record("tcp://127.0.0.1:2", CommClosedError("closed")))
    assert keep(record(None, OSError("disk")))
    assert keep(record(None, CommClosedError("closed"), "failed to send %s -> %s"))

    def machine(msg):
        return logging.LogRecord("distributed.worker.state_machine", logging.WARNING,
                                 "worker_state_machine.py", 3632, msg, None, None)
    assert not keep(machine("Async instruction for <Task cancelled name=\"execute('train_piece-"
                            "e68b')\" coro=<Worker.execute() done>> ended with CancelledError"))
    assert keep(machine("Async instruction for <Task> ended with ValueError"))


def _ended(pid):
    """Whether process ``pid`` has ended (a zombie has: PID 1 of a container may not reap)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks and /proc: Linux")
def test_a_worker_ends_once_the_process_that_started_it_is_killed():
    # Dask's own watch fails for forked workers (each holds the others' ends of the pipes it
    # watches); after a SIGKILL of the command, both workers could live on. Here a forked
    # child runs the worker setup's watch, and its parent is SIGKILLed
    require("distributed")
    import subprocess
    code = ("import os, sys, time\n"
            "pid = os.fork()\n"
            "if pid == 0:\n"
            "    from fastw2v.distributed._worker_startup import _exit_with_parent\n"
            "    _exit_with_parent()\n"
            "    print(os.getpid(), flush=True)\n"
            "    time.sleep(60)\n"
            "    os._exit(0)\n"
            "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    assert not _ended(child)
    parent.kill()
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + 10
    while not _ended(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _ended(child), "the child outlived its parent"


def _fork_mark():
    """On a worker: the mark the test process set on ``cluster`` (a forked worker has it)."""
    from fastw2v.distributed import cluster
    return getattr(cluster, "_test_fork_mark", None)


def test_local_cluster_forks_its_workers_where_that_is_safe_and_a_restart_spawns(
        corpus, monkeypatch):
    # forked, a worker starts with what this process imported (bench_results/dask.md: the
    # whole command's start); spawned by Dask's default, or by the nanny after a crash, it
    # imports again; both train
    require("distributed")
    from fastw2v.distributed import cluster
    monkeypatch.setattr(cluster, "_test_fork_mark", os.getpid(), raising=False)
    path, _ = corpus
    with cluster.local_cluster(1, fork=True) as client:
        assert list(client.run(_fork_mark).values()) == [os.getpid()]
        assert list(client.run(_upkeep).values()) == [QUIET_MS]
        client.restart()                  # as the nanny does after a crash: spawned
        assert list(client.run(_fork_mark).values()) == [None]
        assert list(client.run(_upkeep).values()) == [QUIET_MS]
        model = Word2Vec(**PARAMS).fit(str(path), client=client, verbose=False)
        assert len(model.epoch_losses) == 3
        client.cluster.close()
    with cluster.local_cluster(1, fork=False) as client:
        assert list(client.run(_fork_mark).values()) == [None]
        client.cluster.close()
    # a method the user chose in Dask's config stands, and stays chosen after; so does an
    # upkeep interval the user chose
    import dask
    key, tick = "distributed.worker.multiprocessing-method", "distributed.admin.tick.interval"
    before = dask.config.get(key), dask.config.get(tick)
    with dask.config.set({key: "forkserver", tick: "50ms"}), monkeypatch.context() as safe:
        safe.setattr(cluster, "fork_is_safe", lambda worker_memory: True)
        with cluster.local_cluster(1) as client:
            assert list(client.run(_fork_mark).values()) == [None]
            assert list(client.run(_upkeep).values()) == [{**QUIET_MS, "tick": 50}]
            client.cluster.close()
        assert (dask.config.get(key), dask.config.get(tick)) == ("forkserver", "50ms")
    assert (dask.config.get(key), dask.config.get(tick)) == before
    # fork=None: forked unless this process cannot fork safely
    monkeypatch.setattr(cluster, "fork_is_safe", lambda worker_memory: False)
    with cluster.local_cluster(1) as client:
        assert list(client.run(_fork_mark).values()) == [None]
        client.cluster.close()
    monkeypatch.setattr(cluster, "fork_is_safe", lambda worker_memory: True)
    with cluster.local_cluster(1) as client:
        assert list(client.run(_fork_mark).values()) == [os.getpid()]
        client.cluster.close()


def test_fork_is_safe_on_linux_unless_numba_runs_openmp_or_tbb_here(monkeypatch):
    require("distributed")
    import numba
    from numba.np.ufunc import parallel

    from fastw2v.distributed.cluster import fork_is_safe
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setattr(parallel, "_is_initialized", False)
    assert fork_is_safe()                 # numba's threads not started: a child starts its own
    monkeypatch.setattr(parallel, "_is_initialized", True)
    for layer, safe in [("omp", False), ("workqueue", True), ("tbb", False)]:
        monkeypatch.setattr(numba, "threading_layer", lambda layer=layer: layer)
        assert fork_is_safe() is safe
    monkeypatch.setattr(parallel, "_is_initialized", False)
    import psutil
    rss = psutil.Process().memory_info().rss    # a worker's memory starts as this process's
    assert fork_is_safe(worker_memory=8 * rss) and not fork_is_safe(worker_memory=2 * rss)
    monkeypatch.setattr("sys.platform", "darwin")   # its system libraries are not fork-safe
    assert not fork_is_safe()


class KillOneWorker(CallbackAny2Vec):
    """In epoch 2, once ``after`` steps of it are done (mid-cycle: the lost replica is rebuilt
    from the cycle's snapshot and the rows agreed since), and ``wait`` seconds more (Dask's
    active memory manager, when it runs, drops extra copies of scattered data every 2 s),
    SIGKILL one worker process while it is training a step."""

    def __init__(self, client, after=3, wait=2.5, task="train_step"):
        self.client, self.after, self.wait, self.task = client, after, wait, task
        self.epoch, self.killed, self.amm_running = 0, None, None
        self.pids = client.run(os.getpid)

    def on_epoch_begin(self, model):
        self.epoch += 1
        if self.epoch == 2:
            threading.Thread(target=self._kill, args=(model, len(model.round_log)),
                             daemon=True).start()

    def _kill(self, model, first):
        deadline = time.time() + 30
        while (len(getattr(model, "round_log", ())) < first + self.after   # (made by train)
               and time.time() < deadline):
            time.sleep(0.001)
        time.sleep(self.wait)
        self.amm_running = self.client.amm.running()
        while time.time() < deadline and self.killed is None:
            for address, tasks in self.client.processing().items():
                if any(self.task in str(t) for t in tasks):
                    os.kill(self.pids[address], signal.SIGKILL)
                    self.killed = address
                    return
            time.sleep(0.002)


def test_a_worker_killed_mid_cycle_costs_at_most_a_cycle(corpus, short_cycles, monkeypatch):
    require("distributed")
    from fastw2v.distributed import driver, merge
    from fastw2v.distributed.cluster import local_cluster
    monkeypatch.setattr(merge, "SYNC_ROWS", 1)          # 32 steps a cycle on 20 words
    monkeypatch.setattr(driver, "STEP_WORDS", 2000)     # 36 steps an epoch
    path, topics = corpus
    big = path.parent / "big.txt"
    big.write_text(path.read_text() * 8)
    slow = driver.train_step

    def train_step(*args):                # a cycle longer than the memory manager's 2 s
        time.sleep(0.08)
        return slow(*args)

    monkeypatch.setattr(driver, "train_step", train_step)
    with local_cluster(2) as client:
        assert client.amm.running()                          # Dask's default
        killer = KillOneWorker(client)
        model = Word2Vec(**{**PARAMS, "epochs": 3}).build_vocab(str(big), client=client)
        model.train(callbacks=[killer], verbose=False)
        assert killer.killed is not None                          # it did die mid-step
        assert killer.amm_running is False        # held off while replicas need their lineage
        assert client.amm.running()                               # and given back
        steps = len(model.round_log) // 3
        assert len(model.epoch_losses) == 3
        assert sum(r["words"] for r in model.round_log) == 3 * model.corpus_total_words
        # the restarted worker (a new address) takes the dead one's pieces from the next cycle
        last = model.round_log[-1]["workers"]
        assert len(set(last)) == 2 and killer.killed not in last
        assert separation(model, topics) > 0.5
        client.cluster.close()
    assert 32 < steps < 64                # the kill, ~25 steps into epoch 2, is mid-cycle


def _die_in_the_first_unit_counted(marker):
    """On a worker: the first unit any worker counts kills its process once part of the
    unit's shard is written (``marker``, a file, says one has died); the others count as
    usual."""
    from fastw2v.corpus.firstpass import ends_path
    from fastw2v.distributed import firstpass
    real = firstpass.count_unit

    def count_unit(unit, spill, *args, **kwargs):
        try:
            os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            return real(unit, spill, *args, **kwargs)
        with open(spill, "wb") as f:
            f.write(np.arange(1000, dtype="<i4").tobytes())
        with open(ends_path(spill), "wb") as f:          # and its sentence ends, half written
            f.write(np.arange(1, 500, dtype="<i8").tobytes())
        os.kill(os.getpid(), signal.SIGKILL)
    firstpass.count_unit = count_unit


def test_a_worker_killed_in_the_first_pass_costs_its_unit_and_changes_nothing(corpus, tmp_path):
    # a unit is a pure task: Dask counts a dead worker's unit again elsewhere, over the
    # shard its death left half written, and the prepared corpus is the local pass's
    require("distributed")
    from fastw2v.corpus import PreparedCorpus, prepare
    from fastw2v.distributed.cluster import local_cluster
    path, _ = corpus
    here = PreparedCorpus(prepare([str(path)], tmp_path / "here").path)
    with local_cluster(2) as client:
        before = set(client.run(os.getpid).values())
        client.run(_die_in_the_first_unit_counted, str(tmp_path / "died"))
        there = PreparedCorpus(prepare([str(path)], tmp_path / "there", client=client).path)
        after = set(client.run(os.getpid).values())
        client.cluster.close()
    assert (tmp_path / "died").exists() and len(before - after) == 1     # one worker died
    assert there.words == here.words and np.array_equal(there.counts, here.counts)
    assert np.array_equal(there.ends, here.ends)
    assert np.array_equal(np.concatenate(list(there.blocks())), np.concatenate(list(here.blocks())))


def test_an_unreachable_scheduler_fails_at_once():
    require("distributed")
    from fastw2v.distributed.cluster import connect
    t0 = time.perf_counter()
    with pytest.raises(ConnectionError, match=r"cannot reach a Dask scheduler at 'tcp://127.0.0.1:9'"):
        connect("tcp://127.0.0.1:9", timeout=2)
    assert time.perf_counter() - t0 < 10


def _pretend(release):
    """On a worker: fastw2v says its release is ``release`` (version, source digest; a
    version None: it cannot be imported); None: it computes its own again."""
    import fastw2v
    fastw2v._release = release


def test_workers_that_run_another_fastw2v_are_named_before_any_work(client, corpus, tmp_path):
    from fastw2v.corpus import prepare
    path, _ = corpus
    model = Word2Vec(**PARAMS).build_vocab(str(path))            # here, no cluster
    before = model.wv.vectors.copy()
    worker = r"tcp://127\.0\.0\.1:\d+"
    try:
        client.run(_pretend, ("0.1.0", "0123456789ab"))        # same version, other source
        with pytest.raises(RuntimeError, match=rf"must run the fastw2v this client runs \(\S+, "
                                               rf"source \w+\): {worker} runs fastw2v 0\.1\.0, "
                                               rf"source 0123456789ab; {worker} runs"):
            prepare([str(path)], tmp_path / "p", client=client)
        client.run(_pretend, (None, "No module named 'fastw2v'"))
        with pytest.raises(RuntimeError, match=rf"{worker} cannot import fastw2v \(No module "
                                               r"named 'fastw2v'\).*Install the same fastw2v"):
            model.train(verbose=False, client=client)
    finally:
        client.run(_pretend, None)
    assert os.listdir(tmp_path) == [] and np.array_equal(model.wv.vectors, before)
    assert model.client is None                                   # not kept on failure
    prepare([str(path)], tmp_path / "p", client=client)          # the same release: it runs


def test_the_release_check_runs_on_a_worker_that_cannot_import_fastw2v():
    # Dask sends the check's function by value: unpickled and run where fastw2v is missing,
    # it says so instead of failing to load
    require("distributed")
    import cloudpickle
    from fastw2v.distributed.cluster import _release_function
    code = ("import pickle, sys; sys.modules['fastw2v'] = None; "
            "print(pickle.loads(sys.stdin.buffer.read())())")
    out = subprocess.run([sys.executable, "-c", code], input=cloudpickle.dumps(_release_function()),
                         capture_output=True, check=True)
    assert out.stdout.decode().startswith("(None, 'import of fastw2v halted")
    import fastw2v
    assert _release_function()() == fastw2v._release               # the digest, kept once read


@pytest.mark.parametrize("shared_rows", [True, False])
def test_a_worker_that_cannot_read_the_corpus_names_itself_and_the_path(client, corpus, tmp_path,
                                                                       monkeypatch, shared_rows):
    from fastw2v import config
    from fastw2v.corpus import prepare
    monkeypatch.setattr(config, "DASK_SHARED_ROWS", shared_rows)
    path, _ = corpus
    prepare([str(path)], tmp_path / "p")
    model = Word2Vec(**PARAMS).build_vocab(str(tmp_path / "p"), client=client)
    os.remove(tmp_path / "p" / "tokens-00000.i32")
    with pytest.raises(OSError, match=r"worker tcp://127\.0\.0\.1:\d+ cannot read the prepared "
                                      r"corpus .*p'.*tokens-00000\.i32"):
        model.train(verbose=False)
    assert not glob.glob("/dev/shm/fastw2v-*.rows")       # the shared rows' file, removed


def test_token_lists_are_refused_with_a_client(client):
    with pytest.raises(ValueError, match="files every worker can read"):
        Word2Vec(**PARAMS).build_vocab([["a", "b"]], client=client)


def test_a_step_sets_the_agreed_rows_trains_its_piece_and_leaves_its_input_as_it_was(
        client, corpus, tmp_path):
    import dataclasses
    from fastw2v.corpus import PreparedCorpus, prepare
    from fastw2v.distributed.merge import Traffic
    from fastw2v.distributed.rounds import forget, head, train_step
    path, _ = corpus
    prepare([str(path)], tmp_path / "p")
    model = Word2Vec(**PARAMS).build_vocab(str(tmp_path / "p"))
    prepared = PreparedCorpus(str(tmp_path / "p"))
    traffic = Traffic(model, model.vocab.keep_probabilities(model.config.sample))
    spec = dict(key="step-test", params=dataclasses.asdict(model.config), words=model.vocab.words,
                counts=model.vocab.counts, prepared=prepared.path,
                to_id=np.array([model.wv.key_to_index.get(w, -1) for w in prepared.words] + [-1],
                               dtype=np.int32),
                order_in=traffic.order_in, order_out=traffic.order_out)
    rng = np.random.default_rng(0)
    V, D = len(model.wv), PARAMS["vector_size"]
    start = dict(W_in=rng.random((V, D), np.float32), W_out=rng.random((V, D), np.float32))
    agreed_in, agreed_out = np.full((2, D), 7, np.float32), np.full((3, D), -7, np.float32)
    [worker] = sorted(client.nthreads())[:1]

    def step(*args):
        return client.submit(train_step, spec, *args, workers=[worker], pure=False)

    synced = step(start, (2, agreed_in, 3, agreed_out), (0, 0), 0.025, 0.025, (0, 0))  # no words
    got = synced.result()
    hot_in, hot_out = traffic.order_in[:2], traffic.order_out[:3]
    assert np.array_equal(got["W_in"][hot_in], agreed_in)       # the agreed rows are set ...
    assert np.array_equal(got["W_out"][hot_out], agreed_out)
    cold = np.setdiff1d(np.arange(V), hot_in)
    assert np.array_equal(got["W_in"][cold], start["W_in"][cold])   # ... and only those
    assert got["pairs"] == 0
    trained = step(synced, None, (0, 2000), 0.025, 0.025, (0, 1))  # the replica this worker holds
    after = trained.result()
    assert after["pairs"] > 0 and not np.array_equal(after["W_in"], got["W_in"])
    again = synced.result()                                       # its input, as it was
    assert np.array_equal(again["W_in"], got["W_in"]) and np.array_equal(again["W_out"], got["W_out"])
    rows = client.submit(head, spec, trained, 2, 3, workers=[worker], pure=False).result()
    assert np.array_equal(rows["W_in"], after["W_in"][hot_in])      # the hottest rows, in order
    assert np.array_equal(rows["W_out"], after["W_out"][hot_out])
    client.run(forget)                    # the worker's cache of this spec, for the next test


def test_changes_compose_as_if_applied_one_after_another():
    # N workers each pull a row a fraction f of the way to the same target: one after another
    # they leave (1 - f)^N of the distance, and the composed weight gives exactly that
    from fastw2v.distributed.merge import composed_weight, merge_rows
    for n in (1, 2, 4):
        for f in (1e-12, 0.01, 0.3, 0.9, 1.0):
            x0, target = np.float64(2.0), np.float64(-1.0)
            x = x0
            for _ in range(n):
                x = x + f * (target - x)
            summed = n * f * (target - x0)            # the N changes, each from x0
            assert x0 + composed_weight(f, n) * summed == pytest.approx(x, rel=1e-6)
    assert composed_weight(0.0, 4) == 1.0             # rarely written rows: the plain sum
    assert composed_weight(1.0, 4) == 0.25            # saturated rows: the mean
    W = np.array([[1.0, 1.0], [0.0, 0.0], [5.0, 5.0]], np.float32)
    rows = np.array([2, 0])
    values = [np.array([[6, 6], [2, 2]], np.float32), np.array([[7, 7], [1, 1]], np.float32)]
    merge_rows(W, rows, values, np.array([0.5, 1.0], np.float32))
    assert W.tolist() == [[2.0, 2.0], [0.0, 0.0], [6.5, 6.5]]   # row 2: (1 + 2) / 2; row 0: 1 + 0


def test_hot_rows_meet_after_every_step_and_all_rows_at_the_end_of_a_cycle():
    from fastw2v.distributed.merge import SYNC_ROWS, cycle_steps, sync_count
    V = 22_541
    K = cycle_steps(V)
    assert K == 32 and SYNC_ROWS * K >= V > SYNC_ROWS * K // 2
    counts = [sync_count(k, V) for k in range(1, K + 1)]
    assert counts[:8] == [1024, 2048, 1024, 4096, 1024, 2048, 1024, 8192]
    assert counts[-1] == V and max(counts[:-1]) < V
    assert cycle_steps(10) == 1 and sync_count(1, 10) == 10


def test_steps_are_shorter_for_cbow_for_more_workers_and_for_small_corpora():
    # the measured sizes (bench_results/dask.md): CBOW's hot rows drift apart faster, and
    # composed merges past two workers want the replicas closer still
    from fastw2v.distributed.driver import MIN_STEPS, step_words
    big = 10 ** 9
    assert step_words("sg", 2, big) == 60_000 and step_words("cbow", 2, big) == 20_000
    assert step_words("sg", 4, big) == step_words("cbow", 3, big) == 10_000
    assert step_words("sg", 2, 2 * MIN_STEPS * 1000) == 1000     # at least MIN_STEPS an epoch
    assert step_words("sg", 2, 5) == 1


def test_traffic_ranks_rows_by_their_writes_and_weights_the_hot_ones_down():
    from fastw2v.distributed.merge import Traffic
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(200)]
    p = 1.0 / np.arange(1, 201)
    sentences = [list(rng.choice(words, 50, p=p / p.sum())) for _ in range(400)]
    for hs in (0, 1):
        model = Word2Vec(vector_size=8, min_count=1, hs=hs, negative=0 if hs else 5, sample=0)
        model.build_vocab(sentences)
        traffic = Traffic(model, np.ones(len(model.vocab)))
        assert traffic.order_in[0] == 0                          # the most frequent word
        if hs:
            _, points, codelens = model.vocab.huffman_tree()
            assert traffic.order_out[0] == points[0, 0]          # the root: on every path
            counts = model.vocab.counts                          # the path a centre word takes
            assert traffic.path == pytest.approx(counts @ codelens / counts.sum())
            assert traffic.path < codelens.mean()                # frequent words: short paths
        else:
            assert traffic.order_out[0] == 0
        W = np.ones((len(model.vocab), 8), np.float32)
        traffic.measure(W, np.ones_like(model.W_out))
        w = traffic.weights("out", len(traffic.u_out), words=300, lr=0.025, n_workers=4)
        assert (traffic.weights("out", 10, words=600, lr=0.025, n_workers=2) == 1).all()  # 2: the sum
        hot, cold = w[0], w[-1]                                  # in heat order
        assert hot == pytest.approx(0.25, abs=0.01) and cold > 0.9   # the mean; about the sum
        # writes count from the row's last meeting: a cycle's start (or a resumed run's) meets all
        traffic.all_met(900)
        assert (traffic.weights("in", 10, words=900, lr=0.025, n_workers=4) == 1).all()
        assert traffic.weights("in", 10, words=1200, lr=0.025, n_workers=4)[0] < 0.5
    # CBOW: h is the mean of ~window context rows, so a write pulls an input row by its share
    # of that mean and meets an output row with about 1/window of one row's squared norm
    norms = {}
    for sg, mean in ((1, 1), (0, 1), (0, 0)):
        model = Word2Vec(vector_size=8, min_count=1, sg=sg, cbow_mean=mean, window=4, negative=5,
                         sample=0)
        model.build_vocab(sentences)
        traffic = Traffic(model, np.ones(len(model.vocab)))
        traffic.measure(np.full((len(model.vocab), 8), 0.5, np.float32), np.ones_like(model.W_out))
        norms[sg, mean] = traffic._norms()
    h_in, h_out = norms[1, 1]
    assert norms[0, 1] == pytest.approx((h_in / 4, h_out / 4))
    assert norms[0, 0] == pytest.approx((h_in * 4, h_out))   # the sum: whole rows, 4 of them


def test_rounds_cover_the_corpus_in_pieces_cut_at_sentence_ends(tmp_path, monkeypatch):
    from fastw2v.corpus import PreparedCorpus, prepare
    from fastw2v.distributed.rounds import plan_rounds, read_piece
    path = tmp_path / "c.txt"
    rng = np.random.default_rng(0)
    lines = [" ".join(f"w{i}" for i in rng.integers(0, 30, rng.integers(1, 40))) for _ in range(300)]
    lines.append(" ".join(["w1"] * 25_000))                       # one line longer than 10,000 words
    path.write_text("\n".join(lines) + "\n")
    prepare([str(path)], tmp_path / "p")
    corpus = PreparedCorpus(tmp_path / "p")
    to_id = np.arange(len(corpus.words), dtype=np.int32)
    with monkeypatch.context() as m:            # the client and the workers search the file
        m.setattr(PreparedCorpus, "ends", property(lambda c: pytest.fail("every end read")))
        rounds = plan_rounds(corpus, 3, 500)
        pieces = [p for r in rounds for p in r]
        read = [read_piece(corpus, to_id, *p) for p in pieces]
    assert pieces[0][0] == 0 and pieces[-1][1] == corpus.n_tokens
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))  # contiguous, nothing twice
    whole = corpus.encoded(to_id, 10_000)
    (all_ids, all_offsets), = whole.segments(whole.n_words)       # the corpus in one segment
    ids = np.concatenate([ids for ids, _ in read])
    assert np.array_equal(ids, all_ids)
    # and the same sentences: each piece's offsets, shifted by the words before it
    at = np.cumsum([0] + [ids.size for ids, _ in read])
    offsets = np.concatenate([[0]] + [o[1:] + a for (_, o), a in zip(read, at)])
    assert np.array_equal(offsets, all_offsets)
    assert sum(b - a > 5_000 for a, b in pieces) >= 2              # the long line was cut up


def _rounds_from_every_end(ends, total, n_workers, words_per_worker, longest):
    """The rounds as ``plan_rounds`` planned them with every sentence end in memory: the
    bounds (0, the ends, the corpus's end, the long lines cut every ``longest`` tokens) given
    to ``schedule.plan_pieces``."""
    from fastw2v.schedule import plan_pieces
    bounds = np.concatenate([[0], ends]).astype(np.int64)
    if bounds[-1] != total:
        bounds = np.append(bounds, total)
    long = np.flatnonzero(np.diff(bounds) > longest)
    if long.size:
        cuts = [np.arange(bounds[i] + longest, bounds[i + 1], longest) for i in long]
        bounds = np.union1d(bounds, np.concatenate(cuts))
    return [[(int(bounds[s[w]]), int(bounds[s[w + 1]])) for w in range(n_workers)]
            for s in plan_pieces(bounds, n_workers, words_per_worker)]


class _Ends:
    """A corpus's sentence ends, in a file searched by blocks of 7."""

    def __init__(self, ends, total, path):
        from fastw2v.corpus.ends import SentenceEnds
        ends.astype("<i8").tofile(path)
        self.n_tokens, self._ends = total, SentenceEnds(str(path), ends.size, stride=7)

    def sentence_ends(self):
        return self._ends


@pytest.mark.parametrize("seed", range(6))
def test_rounds_planned_by_searching_the_ends_are_those_of_every_end_in_memory(seed, monkeypatch,
                                                                               tmp_path):
    from fastw2v import config
    from fastw2v.distributed.rounds import plan_rounds
    rng = np.random.default_rng(seed)
    longest = int(rng.integers(5, 60))
    lengths = np.where(rng.random(400) < 0.1, rng.integers(1, 300, 400), rng.integers(1, 20, 400))
    ends = np.cumsum(lengths)
    total = int(ends[-1]) + int(rng.integers(0, 2)) * int(rng.integers(1, 200))  # no end at the end
    monkeypatch.setattr(config, "MAX_SENTENCE_LENGTH", longest)
    for workers, words in ((1, 50), (3, 17), (4, 400), (2, 10 * total)):
        assert plan_rounds(_Ends(ends, total, tmp_path / "ends"), workers, words) == \
            _rounds_from_every_end(ends, total, workers, words, longest)


def test_a_worker_reuses_a_replicas_arrays_only_once_nothing_holds_them():
    from fastw2v.distributed import rounds
    spares, W = [], np.zeros((3, 2), np.float32)
    a_in, a_out = rounds._spare(spares, W, W)
    b_in, b_out = rounds._spare(spares, W, W)           # the first pair is still held
    assert b_in is not a_in and b_out is not a_out and b_in.shape == W.shape
    replica = dict(W_in=b_in)                           # as Dask holds a replica
    del a_in, a_out, b_in, b_out
    c_in, _ = rounds._spare(spares, W, W)
    assert c_in is spares[0][0]                         # the first pair, dropped: reused
    d_in, _ = rounds._spare(spares, W, W)               # the second: its W_in still held
    assert d_in is not replica["W_in"] and d_in is not c_in
    assert len(spares) == min(3, rounds.SPARES)
    held = [rounds._spare(spares, W, W) for _ in range(rounds.SPARES)]
    assert len(spares) == rounds.SPARES and len(held) == rounds.SPARES   # kept: at most SPARES


def test_a_worker_keeps_the_models_of_two_trainings_and_forgets_only_the_finished_one(monkeypatch):
    # two trainings on one cluster at once: neither evicts the other's model at every step,
    # and the one that ends drops only its own
    from fastw2v.distributed import rounds
    built = []
    monkeypatch.setattr(rounds, "_Shell", lambda spec, threads: built.append(spec["key"]) or spec["key"])
    monkeypatch.setattr(rounds, "_SHELLS", {})
    for key in ["a", "b", "a", "b", "a"]:
        assert rounds._shell(dict(key=key), 1) == key
    assert built == ["a", "b"]                          # each built once
    rounds._shell(dict(key="c"), 1)                     # a third: the least recently used goes
    assert list(rounds._SHELLS) == ["a", "c"] and rounds.SHELLS == 2
    rounds.forget("a")
    assert list(rounds._SHELLS) == ["c"]
    rounds.forget()
    assert rounds._SHELLS == {}
