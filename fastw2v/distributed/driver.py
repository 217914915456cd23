"""The client's epoch loop on a Dask cluster: data-parallel rounds of the Hogwild kernels.

Each round, the client scatters the current rows (W_in, W_out) to every worker once, as
futures; each worker trains its own piece of the next ``n_workers x ROUND_WORDS`` tokens from
that snapshot (``rounds.train_round``) and sends back only the rows it changed; the client adds
every worker's change to its rows:

    W[rows_w] += change_w          for every worker w

Adding (capped at two workers' worth per row: ``apply_changes``), not averaging: two workers that trained different text both moved the model, and their
changes are what two Hogwild threads would have written into shared rows; the only difference
from one process is that a worker sees the others' changes at the next round instead of at
once. (Spark MLlib averages the partitions' copies once per iteration, which divides every
worker's step by the number of partitions and loses quality as they grow; pWord2Vec
synchronises replicas by an allreduce every ~0.1 s. Measured: bench_results/dask.md.)

The learning rate falls on one line over the stored tokens of all epochs, as in one process:
a round runs from ``lr(done / total)`` to ``lr((done + round) / total)``, every worker's piece
along that stretch, as the threads of one block do.
"""
import dataclasses
import time
import uuid
import warnings

import numpy as np

from ..schedule import linear_lr
from .cluster import worker_threads
from .rounds import plan_rounds, train_round

# Tokens each worker trains per round: between rounds the workers' changes meet. Larger
# rounds ship rows less often per word, smaller ones keep the workers closer to one model.
ROUND_WORDS = 250_000
MIN_ROUNDS = 8
# A row moves at most as far as this many workers' changes (apply_changes); more workers than
# this warn: the cap keeps training stable but below one process's quality (bench_results/dask.md)
SUMMED_WORKERS = 2


def dask_epochs(model, data, keep, schedule, progress, client):
    """(run_epoch, finish) training ``data`` (a prepared corpus streamed onto the model's
    vocabulary) on the cluster of ``client``."""
    from ..corpus.prepared import StreamedCorpus
    if not isinstance(data, StreamedCorpus):
        raise ValueError("training on a Dask cluster reads the corpus from files every worker "
                         "can read: give a text file, a directory or a prepared directory, "
                         "not token lists")
    workers = worker_threads(client)
    if len(workers) > SUMMED_WORKERS:
        warnings.warn(
            f"{len(workers)} workers: with more than {SUMMED_WORKERS} workers the hot rows' "
            "changes are capped and quality falls below one process's (bench_results/dask.md); "
            f"{SUMMED_WORKERS} workers with more threads each train best", stacklevel=4)
    corpus = data.prepared
    cfg = model.config
    spec = dict(key=uuid.uuid4().hex, params=dataclasses.asdict(cfg), words=model.vocab.words,
                counts=model.vocab.counts, prepared=corpus.path, to_id=data.to_id)
    [spec_future] = client.scatter([spec], broadcast=True)       # once per train() call
    # at least MIN_ROUNDS rounds an epoch: on a small corpus one round an epoch would let every
    # worker take a whole epoch's step on the same frequent rows before they meet
    words = min(ROUND_WORDS, max(1, corpus.n_tokens // (len(workers) * MIN_ROUNDS)))
    rounds = plan_rounds(corpus, len(workers), words)
    per_epoch = corpus.n_tokens
    total = schedule.total * per_epoch
    model.round_log = []                  # per round: seconds, bytes shipped, workers used

    def run_epoch(epoch):
        loss = pairs = 0.0
        done = 0
        for r, pieces in enumerate(rounds):
            t0 = time.perf_counter()
            at = epoch * per_epoch + done
            size = sum(b - a for a, b in pieces)
            lr0 = linear_lr(at / total, schedule.alpha, schedule.min_alpha)
            lr1 = linear_lr((at + size) / total, schedule.alpha, schedule.min_alpha)
            W_in, W_out = model.wv.vectors, model.W_out
            snapshot = client.scatter([W_in, W_out], broadcast=True)
            futures = [client.submit(train_round, spec_future, *snapshot, piece, lr0, lr1,
                                     (schedule.run + epoch, r * len(workers) + w),
                                     workers=[address], allow_other_workers=True, retries=3,
                                     pure=False)
                       for w, ((address, _), piece) in enumerate(zip(workers, pieces))]
            results = client.gather(futures)
            del futures, snapshot                 # released: the workers drop the snapshot
            apply_changes(W_in, W_out, results)
            loss += sum(res["loss"] for res in results)
            pairs += sum(res["pairs"] for res in results)
            back = sum(res["change_in"].nbytes + res["change_out"].nbytes for res in results)
            model.running_training_loss += sum(res["loss"] for res in results)
            model.round_log.append(dict(
                seconds=time.perf_counter() - t0, words=size,
                compute=[res["seconds"] for res in results], workers=[res["worker"] for res in results],
                bytes_out=(W_in.nbytes + W_out.nbytes) * len(workers), bytes_back=back))
            done += size
            progress.update(epoch, done * data.raw_words / per_epoch, lr1)
        return loss, pairs

    return run_epoch, lambda: None


def apply_changes(W_in, W_out, results):
    """Add the workers' changes to the rows they changed: the sum, each row scaled down to at
    most ``SUMMED_WORKERS`` workers' worth (with 2 workers, the plain sum).

    Why capped: workers that fit a hot row from the same snapshot each move it most of the way
    to about the same place, so the sum of N changes leaves the row's error (1 - N) times what
    it was: bounded at N = 2, growing from N = 3 (4 workers diverged to chance). The cap keeps
    every row at the 2-worker bound; rows one worker changed keep its whole change."""
    for W, rows, changes in ((W_in, "rows_in", "change_in"), (W_out, "rows_out", "change_out")):
        touched = np.zeros(len(W), dtype=np.float32)
        for res in results:
            touched[res[rows]] += 1
        scale = np.minimum(1.0, SUMMED_WORKERS / np.maximum(touched, 1)).astype(np.float32)
        for res in results:
            W[res[rows]] += res[changes] * scale[res[rows], None]

