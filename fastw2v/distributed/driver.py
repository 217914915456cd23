"""The client's epoch loop on a Dask cluster: replicas on the workers that meet often.

Workers that all run on one host share one copy of the rows instead (``shared.py``: nothing
to meet, one process's quality and most of its speed); the replicas below are for workers on
several hosts, or that do not see one file (``config.DASK_SHARED_ROWS = False`` forces them).

Every worker keeps a replica of the rows (W_in, W_out) and trains its own pieces of the corpus
with the Numba Hogwild kernels, in steps of ``STEP_WORDS`` tokens (``rounds.train_step``). After
each step the hottest rows meet: every worker sends the client its replica of them
(``rounds.head``), the client composes the workers' changes onto its copy of those rows
(``merge.py``: the sum for rarely written rows, towards the mean for rows every worker drives to
the same place) and broadcasts the agreed rows, which every replica takes before its next step.
The hottest 1,024 rows meet after every step, twice as many after every second step, and so on,
until all of them meet at the end of a cycle (pWord2Vec's schedule, Ji et al. 2016); a cycle
starts from a snapshot of every row broadcast once.

    steps per cycle = smallest 2^J with 1024 x 2^J >= rows (32 for 22.5k words)

Measured against the anchors (bench_results/dask.md): Spark MLlib's average of the copies once
per iteration divides every worker's step by the number of partitions; summing whole-model
changes once per round (this driver's first design) lost 0.8 analogy points with 2 workers and
diverged with 4 (a hot row overshoots by N - 1 times its error); these replicas with frequent
hot-row meetings and the composed merge match one process with 2 and 4 workers (analogy
within 0.4 point, WordSim-353 within 0.012, SGNS and CBOW).

The learning rate falls on one line over the stored tokens of all epochs: a step runs from
``lr(done / total)`` to ``lr((done + step) / total)``, every worker's piece along that stretch,
as the threads of one block do. One process counts the words it trains instead (stored tokens
less the words under min_count): both lines start and end at the same rates, and in between
they part by how unevenly the dropped words spread over the pieces before (they are rare
words, spread through the corpus, so the two lines stay close). Every epoch ends with a whole
cycle's last step, so the client's model is whole at each epoch's end (callbacks, checkpoints).
"""
import dataclasses
import sys
import time
import uuid
import warnings

from .. import config
from .cluster import worker_threads
from .merge import SUMMED_WORKERS, Traffic, cycle_steps, merge_rows, sync_count
from .rounds import forget, head, plan_rounds, train_step, warm_kernels
from .shared import crowded_hosts, host_of, shared_epochs

# Tokens each worker trains per step: after each step the hottest rows meet. Smaller steps keep
# the replicas closer (quality), larger ones pay Dask's per-step latency less often (speed).
# Measured on text8-head (bench_results/dask.md): 2 workers summing keep one process's SGNS
# quality at 60k words a step; CBOW, whose hot input rows take a whole context's error at every
# write, lost 1 analogy point at 60k and keeps it at 20k; 4 workers with the composed weights
# need 10k (30k lost 1.5 points).
STEP_WORDS = 60_000               # skip-gram (NS, HS, softmax), summed
STEP_WORDS_CBOW = 20_000          # CBOW, summed
STEP_WORDS_COMPOSED = 10_000      # with more than merge.SUMMED_WORKERS workers
# at least this many steps an epoch: on a small corpus one step an epoch would let every worker
# take a whole epoch on the same frequent rows before they meet
MIN_STEPS = 8


def step_words(arch, n_workers, n_tokens):
    """Tokens per worker per step for ``arch`` ("sg" or "cbow") on ``n_workers`` workers, over
    a corpus of ``n_tokens`` stored tokens an epoch."""
    step = (STEP_WORDS_COMPOSED if n_workers > SUMMED_WORKERS else
            STEP_WORDS_CBOW if arch == "cbow" else STEP_WORDS)
    return min(step, max(1, n_tokens // (n_workers * MIN_STEPS)))


def _caller_outside():
    """``warnings.warn``'s stacklevel, from its caller here, of the first frame outside
    fastw2v's modules: the user's ``fit`` or ``train`` (which reach the driver at different
    depths). By module name, not file path (``sys.path`` entries with "..", installs without
    sources); the command line's frames are all fastw2v's, down to its script."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] == "fastw2v":
        frame, level = frame.f_back, level + 1
    return level


def warm_workers(client, params):
    """Every worker loads the training kernels of a model with config ``params``
    (``rounds.warm_kernels``), in the background: fire and forget (training's own warm-up
    reports a worker's error)."""
    from distributed import fire_and_forget
    fire_and_forget([client.submit(warm_kernels, params, workers=[address],
                                   allow_other_workers=True, pure=False)
                     for address, _ in worker_threads(client)])


def scatter_everywhere(client, data, tries=3):
    """A future of ``data`` with a copy on every worker (not hashed: equal data scattered
    twice stays two futures). A worker dying during the scatter fails it: try again."""
    for attempt in range(tries):
        try:
            [future] = client.scatter([data], broadcast=True, hash=False)
            return future
        except OSError:                   # distributed's CommClosedError is one
            if attempt == tries - 1:
                raise
            time.sleep(1.0)


def hold_copies(client, key, hold=True):
    """Hold (``hold=True``) or let go of the cluster's active memory manager for the training
    ``key``: the first holder stops it, the last one to let go starts it again if it ran
    before. The spec, each cycle's snapshot and the agreed rows are scattered to every worker
    and have no lineage: the manager (on by default, every 2 s) drops the copies no queued task
    waits for, and when the worker holding the last one dies, a lost replica can no longer be
    recomputed. The holders are counted on the scheduler, so that two trainings on one cluster
    share its one manager (the first to end must not start it under the other). Returns whether
    the manager runs now."""
    def on_scheduler(dask_scheduler, key, hold):
        # pickled by value (a local function): the scheduler need not import fastw2v
        amm = dask_scheduler.extensions.get("amm")
        state = getattr(dask_scheduler, "_fastw2v_amm", None)
        if state is None:
            state = dask_scheduler._fastw2v_amm = {"holders": set(), "restart": False}
        holders = state["holders"]
        if hold:
            if not holders:
                state["restart"] = bool(amm is not None and amm.running)
                if state["restart"]:
                    amm.stop()
            holders.add(key)
        elif key in holders:
            holders.discard(key)
            if not holders and state["restart"]:
                amm.start()
                state["restart"] = False
        return bool(amm is not None and amm.running)
    return client.run_on_scheduler(on_scheduler, key=key, hold=hold)


def dask_epochs(model, data, keep, schedule, progress, client, pauses=False):
    """(run_epoch, finish) training ``data`` (a prepared corpus streamed onto the model's
    vocabulary) on the cluster of ``client``; ``pauses`` as ``training.epoch_runner``'s."""
    from ..corpus.prepared import StreamedCorpus
    if not isinstance(data, StreamedCorpus):
        raise ValueError("training on a Dask cluster reads the corpus from files every worker "
                         "can read: give a text file, a directory or a prepared directory, "
                         "not token lists")
    addresses = [address for address, _ in worker_threads(client)]
    n = len(addresses)            # pieces a step, fixed for the run (the random streams)
    corpus = data.prepared
    cfg = model.config
    traffic = Traffic(model, keep)
    # the rows' heat order travels once: a meeting names its rows by how many of the hottest
    spec = dict(key=uuid.uuid4().hex, params=dataclasses.asdict(cfg), words=model.vocab.words,
                counts=model.vocab.counts, prepared=corpus.path, to_id=data.to_id,
                order_in=traffic.order_in, order_out=traffic.order_out)
    held = [True]                 # finish() lets go; the next epoch holds again (marked
    try:                          # before asking, so that a Ctrl-C meanwhile still lets go)
        hold_copies(client, spec["key"])
        spec_future = scatter_everywhere(client, spec)           # once per train() call
    except BaseException:
        try:
            hold_copies(client, spec["key"], hold=False)
        except Exception:                 # noqa: BLE001  (the error that stopped us matters)
            pass
        raise

    def hold_again():
        if not held[0]:                   # let go after the last epoch's checkpoint
            held[0] = True
            hold_copies(client, spec["key"])
            client.replicate([spec_future])  # copies the manager may have dropped meanwhile

    def finish():
        # the workers drop their model and last replica (rebuilt by the next step if training
        # goes on after a checkpoint), and the memory manager is let go; a cluster already
        # gone has nothing left to drop, and its error must not hide the one that stopped
        # training. Each apart: a worker lost as training ends must not keep the manager off
        try:
            client.run(forget, spec["key"])   # not another training's on the same cluster
        except Exception:                 # noqa: BLE001
            pass
        try:
            if held[0]:
                held[0] = False
                hold_copies(client, spec["key"], hold=False)
        except Exception:                 # noqa: BLE001
            pass

    if config.DASK_SHARED_ROWS and host_of(client) is not None:
        try:
            epochs = shared_epochs(model, data, schedule, progress, client, spec, spec_future,
                                   pauses)
        except BaseException:
            finish()
            raise
        if epochs is not None:        # one host: one copy of the rows (shared.py)
            run_shared, drop_rows = epochs

            def run_epoch(epoch):
                hold_again()
                return run_shared(epoch)

            def finish_shared():
                try:
                    drop_rows()
                finally:
                    finish()
            return run_epoch, finish_shared
    crowded = crowded_hosts(client)
    if crowded:
        warnings.warn(
            f"the workers span several hosts, so each keeps a replica of the rows, and "
            f"{', '.join(f'{h} runs {k}' for h, k in crowded.items())} workers: one worker a "
            "host with all its threads (dask worker --nworkers 1 --nthreads N) keeps one "
            "replica a host, which meets the others with that many times less traffic",
            stacklevel=_caller_outside())
    steps = plan_rounds(corpus, n, step_words(cfg.objective[0], n, corpus.n_tokens))
    per_epoch = corpus.n_tokens
    total = schedule.total * per_epoch
    model.round_log = []          # per step: seconds, words, rows met, lr, bytes, workers, threads

    def submit(fn, w, *args):
        return client.submit(fn, *args, workers=[addresses[w % len(addresses)]],
                             allow_other_workers=True, retries=3, pure=False)

    def run_epoch(epoch):
        hold_again()
        loss = pairs = 0.0
        done = 0
        cycle = cycle_steps(max(len(model.wv.vectors), len(model.W_out)))
        for first in range(0, len(steps), cycle):
            cycle_loss, cycle_pairs, done = run_cycle(epoch, first, steps[first:first + cycle], done)
            loss += cycle_loss
            pairs += cycle_pairs
        return loss, pairs

    def run_cycle(epoch, first, these, done):
        """Steps ``these`` (the first is the epoch's step ``first``) from a snapshot of every
        row; every row meets after the last one. ``done``: the epoch's tokens before them."""
        W_in, W_out = model.wv.vectors, model.W_out
        loss = pairs = 0.0
        traffic.measure(W_in, W_out)
        traffic.all_met((epoch * per_epoch + done) / n)   # a resumed run starts here too
        # a worker restarted after a loss has a new address: its pieces go there again
        addresses[:] = [address for address, _ in worker_threads(client)]
        # copies: the client's rows change at every meeting, the snapshot must not (an
        # in-process cluster would hold the very arrays)
        snapshot = scatter_everywhere(client, dict(W_in=W_in.copy(), W_out=W_out.copy()))
        replicas, sync, syncs = [snapshot] * n, None, []
        try:
            for k, pieces in enumerate(these, 1):
                t0 = time.perf_counter()
                at = epoch * per_epoch + done
                size = sum(b - a for a, b in pieces)
                lr0, lr1 = schedule.stretch(at, size, total)
                count_in = len(W_in) if k == len(these) else sync_count(k, len(W_in))
                count_out = len(W_out) if k == len(these) else sync_count(k, len(W_out))
                rows_in, rows_out = traffic.order_in[:count_in], traffic.order_out[:count_out]
                replicas = [submit(train_step, w, spec_future, replicas[w], sync, pieces[w],
                                   lr0, lr1, (schedule.run + epoch, (first + k - 1) * n + w))
                            for w in range(n)]
                heads = client.gather([submit(head, w, spec_future, replicas[w], count_in,
                                              count_out) for w in range(n)])
                words = (epoch * per_epoch + done + size) / n
                lr = (lr0 + lr1) / 2
                merge_rows(W_in, rows_in, [h["W_in"] for h in heads],
                           traffic.weights("in", count_in, words, lr, n))
                merge_rows(W_out, rows_out, [h["W_out"] for h in heads],
                           traffic.weights("out", count_out, words, lr, n))
                traffic.measure(W_in, W_out, rows_in, rows_out)
                if k < len(these):        # the agreed rows, for every replica's next step
                    sync = scatter_everywhere(client, (count_in, W_in[rows_in], count_out,
                                                       W_out[rows_out]))
                    # kept until the cycle ends: a lost replica replays them. On every worker,
                    # about J / 2 x V rows of each matrix by the end of a cycle of 2^J steps
                    # (2.5 models here; 5 for a vocabulary of a million words)
                    syncs.append(sync)
                step_loss = sum(h["loss"] for h in heads)
                loss += step_loss
                pairs += sum(h["pairs"] for h in heads)
                model.running_training_loss += step_loss
                shipped = sum(h["W_in"].nbytes + h["W_out"].nbytes for h in heads)
                model.round_log.append(dict(
                    seconds=time.perf_counter() - t0, words=size, rows=(count_in, count_out),
                    lr=(lr0, lr1),
                    compute=[h["seconds"] for h in heads], workers=[h["worker"] for h in heads],
                    threads=[h["threads"] for h in heads],
                    bytes_back=shipped, bytes_out=shipped if k < len(these) else 0,
                    snapshot=(W_in.nbytes + W_out.nbytes) * n if k == 1 else 0))
                done += size
                progress.update(epoch, done * data.raw_words / per_epoch, lr1)
        finally:                          # the workers drop them, also when training stops
            del replicas, sync, syncs, snapshot   # here (a traceback keeps this frame)
        return loss, pairs, done

    return run_epoch, finish

