"""The Dask driver's merge rules, simulated in one process (no Dask): N replicas trained one
after another with 1 thread each, meeting as ``fastw2v/distributed/driver.py`` schedules
(the hottest ``--min-sync`` rows after every step, 2x as many after every second step, ...).
Rules: ``sum``, ``mean``, ``touchmean`` (mean over the workers that changed a row), ``fweight``
(merge.composed_weight with f from expected writes; ``--f`` is merge.SLOPE; the squared norms
are refreshed at every meeting, as in the driver), ``fweight-touched`` (the same with N the
number of replicas that changed the row). CBOW as the driver weighs it: ``--f-out`` = ``--f`` /
window. Deterministic per seed.

    fastw2v prepare ../shared/data/text8-head.txt -o /tmp/t8prep
    python benchmarks/dask_merge_sim.py --prepared /tmp/t8prep --n 4 --words 10000 --rule fweight --f 0.02 --seed 1

Results (2026-12-05; one JSON line per run): bench_results/dask_merge_sim.jsonl, summarised in
bench_results/dask.md.
"""
import argparse
import dataclasses
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))          # _study, beside this script
from fastw2v import Word2Vec, training                  # noqa: E402
from fastw2v.distributed import rounds as R             # noqa: E402
from fastw2v.distributed.merge import composed_weight  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--prepared", required=True)
ap.add_argument("--n", type=int, default=2)
ap.add_argument("--words", type=int, default=20000)     # per worker per sub-round
ap.add_argument("--min-sync", type=int, default=1024)   # rows synced every sub-round
ap.add_argument("--rule", default="sum")
ap.add_argument("--sg", type=int, default=1)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--epochs", type=int, default=5)
ap.add_argument("--f", type=float, default=0.0)
ap.add_argument("--f-in", type=float, default=None, help="--f for the input rows only")
ap.add_argument("--f-out", type=float, default=None, help="--f for the output rows only")
args = ap.parse_args()

def merge(base, ds, touched, rule, n_upd=None):
    N = len(ds)
    s = sum(ds)
    if rule in ("fweight", "fweight-touched"):   # N contractions of strength f in a row
        if rule == "fweight-touched":     # only the replicas that changed the row compose
            N = np.maximum(touched, 1)
        w = composed_weight(-np.expm1(-n_upd), N)
        return base + s * w[:, None].astype(np.float32)
    if rule == "sum":
        return base + s
    if rule == "mean":
        return base + s / N
    if rule == "touchmean":   # mean over the workers that changed the row
        return base + s / np.maximum(touched, 1)[:, None]
    raise ValueError(rule)

def sim_epochs(model, data, keep, schedule, progress, pauses=False):
    cfg = model.config
    corpus = data.prepared
    N = args.n
    spec = dict(key="sim", params=dataclasses.asdict(cfg), words=model.vocab.words,
                counts=model.vocab.counts, prepared=corpus.path, to_id=data.to_id)
    shells = []
    for i in range(N):
        R._SHELLS.clear()
        shells.append(R._Shell(spec, 1))
    V = len(model.vocab)
    for s in shells:
        s.model.wv.vectors[:] = model.wv.vectors
        s.model.W_out[:] = model.W_out
    base_in, base_out = model.wv.vectors, model.W_out   # the synced rows live in the model
    rounds = R.plan_rounds(corpus, N, args.words)
    per_epoch = corpus.n_tokens
    total = schedule.total * per_epoch
    state = dict(k=0)

    counts = model.vocab.counts.astype(np.float64)
    p = counts / counts.sum()
    kept = p * keep
    per_word_in = kept * (cfg.window + 1)                     # updates per raw word trained
    noise = model.vocab.noise_distribution(cfg.ns_exponent)
    pairs_per_word = kept.sum() * (cfg.window + 1) if cfg.sg else kept.sum()
    per_word_out = (per_word_in if cfg.sg else kept) + pairs_per_word * cfg.negative * noise
    state["words"] = 0.0
    last = np.zeros(V)

    def sync(S):
        m = state["words"] - last[:S]
        last[:S] = state["words"]
        lr = state.get("lr", cfg.alpha)
        sq_in = np.einsum("ij,ij->i", base_in, base_in)
        sq_out = np.einsum("ij,ij->i", base_out, base_out)
        a_in = (kept @ sq_in) / kept.sum()
        a_out = (kept @ sq_out) / kept.sum() + cfg.negative * (noise @ sq_out)
        if not cfg.sg:
            a_out /= cfg.window
        for attr in ("in", "out"):
            f = {"in": args.f_in, "out": args.f_out}[attr]
            c = lr * (args.f if f is None else f) * (a_out if attr == "in" else a_in)
            n_upd = c * m * (per_word_in if attr == "in" else per_word_out)[:S]
            base = base_in if attr == "in" else base_out
            reps = [s.model.wv.vectors if attr == "in" else s.model.W_out for s in shells]
            ds = [r[:S] - base[:S] for r in reps]
            touched = sum((d != 0).any(axis=1).astype(np.float32) for d in ds)
            new = merge(base[:S], ds, touched, args.rule, n_upd)
            base[:S] = new
            for r in reps:
                r[:S] = new

    def run_epoch(epoch):
        loss = pairs = 0.0
        done = 0
        for r, pieces in enumerate(rounds):
            at = epoch * per_epoch + done
            size = sum(b - a for a, b in pieces)
            lr0, lr1 = schedule.stretch(at, size, total)
            for w, (s, piece) in enumerate(zip(shells, pieces)):
                ids, offsets = R.read_piece(s.corpus, s.to_id, *piece)
                if ids.size:
                    l, p = R._train(s, ids, offsets, lr0, lr1, (schedule.run + epoch, r * N + w))
                    loss += l; pairs += p
            state["k"] += 1
            state["words"] += size / N
            state["lr"] = (lr0 + lr1) / 2
            k = state["k"]
            tz = (k & -k).bit_length() - 1
            S = min(V, args.min_sync << tz)
            sync(S)
            done += size
        return loss, pairs

    def finish():
        sync(V)
    return run_epoch, finish

training.epoch_runner = sim_epochs
import fastw2v.model as M
if hasattr(M, "epoch_runner"): M.epoch_runner = sim_epochs
from _study import scores
t = time.time()
params = dict(vector_size=100, window=5, min_count=5, sample=1e-3, negative=5, epochs=args.epochs, seed=args.seed, workers=1)
if args.sg: params.update(sg=1)
else: params.update(sg=0, alpha=0.05)
model = Word2Vec(**params)
model.fit(args.prepared, verbose=False)
print(json.dumps(dict(vars(args), scores=scores(model), seconds=round(time.time()-t, 1))), flush=True)
