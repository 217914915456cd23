"""Training on a Dask cluster against one process: speed, quality, and what the rounds cost.

For SGNS (sg=1, negative=5) and CBOW (sg=0, negative=5, alpha=0.05), 5 epochs, vector_size 100,
window 5, min_count 5, sample 1e-3, seeds 1..3, on text8-head (2.1M words), this trains

    one-process        Word2Vec(workers=2).fit(corpus): one process, 2 threads
    one-process-4t     the same with 4 threads (the baseline of 4 workers)
    dask-2x1           a LocalCluster of 2 worker processes x 1 thread, fit(corpus, client=client):
                       on one host, one copy of the rows in shared memory (distributed/shared.py)
    dask-4x1           4 worker processes x 1 thread (on 2 cores: oversubscribed)
    dask-2x1-replicas  2 workers with a replica each, as on several hosts (distributed/driver.py)

each in a fresh process, and records analogy accuracy (restrict 30000), WordSim-353 Spearman,
training words/s (``model.words_per_second``), the whole command's words/s (cluster start, first
pass and training), the wall time of start-cluster + fit (and of the cluster start alone) and,
from ``model.round_log``: rounds (replicas: steps; shared rows: pieces), median round seconds,
median of the slowest worker's task time, median bytes sent out / back per step (the cycle's
snapshot spread over its steps). Before the measured runs, one unrecorded warm-up per
configuration on a 100k-word prefix loads numba's cache.

Then a projection from the replicas' steps (``project``; what crosses hosts): a step of N
workers takes T_c + L + N x B / link, where T_c is one worker's compute for its piece
(measured per word at N=2), B the bytes one worker's rows carry each way (measured; they grow
with the rows that meet, not with N), L the rest of a step (step seconds minus the slowest
compute at N=2, on loopback) and link the client's 10 Gbit/s; the client receives N workers'
hot rows and sends them the agreed ones (all-to-one). It projects words/s for N = 8, 32, 128
workers of 1 thread and of 16 threads (the 1-thread rate x 16 x PARALLEL_EFFICIENCY), the
ceiling N -> infinity (W x link / B), the knee where the link takes as long as the compute,
and the same steps with a ring allreduce among the workers.

    /work/venv/bin/python benchmarks/dask_bench.py --json bench_results/dask.json   # ~10 min
    /work/venv/bin/python benchmarks/dask_bench.py --quick                          # smoke test

``--configs`` may add dask-3x1, dask-3x1-replicas and dask-4x1-replicas; ``--step-words N``
sets every step size of the replicas' driver; ``--corpus`` another corpus.
``--first-pass`` times instead the first pass (``prepare``) here with 2 threads against a
2-worker LocalCluster (cluster start apart), fresh processes alternating, ``--repeat`` each;
``--warm`` runs a tiny first pass on both sides before the clock (numba's cache loaded):

    python benchmarks/make_corpus.py ../shared/data/text8-head.txt 32 /tmp/text8x32.txt
    /work/venv/bin/python benchmarks/dask_bench.py --first-pass --corpus /tmp/text8x32.txt \
        --json bench_results/dask.json

Results (Intel Xeon, 2 cores, shared, 2026-12-07 02:02, record 25 of dask.json; medians of 3
seeds; bench_results/dask.md):
* SGNS: 2 workers x 1 thread 0.92x one process with 2 threads in training (1.838M against
  1.994M words/s), 0.82x for the whole command; analogy +0.69 points, Spearman -0.001; 4
  workers against 4 threads +0.23 and -0.009.
* CBOW: 0.81x (3.721M against 4.585M), whole command 0.67x (0.76x on text8-head x 4); +0.10
  points, -0.003; 4 workers against 4 threads +0.06 and -0.004.
* Replicas (as across hosts): 0.54x SGNS, 0.18x CBOW; a step pays about 0.035 s of Dask round
  trips, and the projection caps SGNS near 11.6M words/s on this vocabulary at the client's
  link.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from _study import DEFAULT_CORPUS, machine_info, save_runs

PARAMS = dict(vector_size=100, window=5, min_count=5, sample=1e-3)
OBJECTIVES = {"sgns": dict(sg=1, negative=5), "cbow-ns": dict(sg=0, negative=5, alpha=0.05)}
# name -> Dask workers (0: none); one process trains with THREADS[name] threads, else 2
CONFIGS = {"one-process": 0, "one-process-4t": 0, "dask-2x1": 2, "dask-3x1": 3, "dask-4x1": 4,
           "dask-2x1-replicas": 2, "dask-3x1-replicas": 3, "dask-4x1-replicas": 4}
THREADS = {"one-process-4t": 4}
# dask-NxM: the library's choice, on this one host one copy of the rows in shared memory
# (distributed/shared.py); dask-NxM-replicas: a replica a worker, as on several hosts
# (distributed/driver.py), whose rounds feed the projection
DEFAULT_CONFIGS = "one-process,one-process-4t,dask-2x1,dask-4x1,dask-2x1-replicas"
LINK = 10e9 / 8                  # the client's network link, bytes/s (10 Gbit/s)
PARALLEL_EFFICIENCY = 0.75       # 16 Hogwild threads against 16 x one thread (assumed; 2 threads
                                 # measure 0.92 here, bench_results/README.md, and memory traffic
                                 # on shared rows grows with the threads)
HOP_LATENCY = 50e-6              # ring allreduce: seconds per message step on a 10 Gbit/s LAN
PROJECT_N = (8, 32, 128)


def child(objective, config, seed, epochs, step_words, corpus):
    """One training in this process; prints its record as a JSON line."""
    import numpy as np
    from _study import scores
    from fastw2v import Word2Vec
    from fastw2v import config as tunables
    from fastw2v.distributed import driver
    tunables.DASK_SHARED_ROWS = not config.endswith("-replicas")
    if step_words:                        # one size for every objective and cluster size
        driver.STEP_WORDS = driver.STEP_WORDS_CBOW = driver.STEP_WORDS_COMPOSED = step_words
    n = CONFIGS[config]
    t0 = time.perf_counter()
    client = None
    if n:
        from fastw2v.distributed.cluster import local_cluster
        client = local_cluster(n, threads_per_worker=1)
    t1 = time.perf_counter()
    params = dict(PARAMS, epochs=epochs, seed=seed, **OBJECTIVES[objective])
    model = (Word2Vec(**params).fit(corpus, client=client, verbose=False) if n else
             Word2Vec(workers=THREADS.get(config, 2), **params).fit(corpus, verbose=False))
    t2 = time.perf_counter()
    run = dict(objective=objective, config=config, workers=n, seed=seed, epochs=epochs,
               **scores(model), words_per_second=model.words_per_second,
               train_seconds=model.train_seconds, cluster_seconds=t1 - t0,
               # the whole command's rate: cluster start, first pass and training
               whole_words_per_second=epochs * model.corpus_total_words / (t2 - t0),
               fit_seconds=t2 - t1, whole_seconds=t2 - t0, vocab=len(model.wv),
               raw_words=model.corpus_total_words,
               loss_per_pair=[loss / max(pairs, 1)
                              for loss, pairs in zip(model.epoch_losses, model.epoch_pairs)],
               mean_norm_in=float(np.linalg.norm(model.wv.vectors, axis=1).mean()))
    if n:
        log = model.round_log
        slowest = [max(r["compute"]) for r in log]
        shared = log[0]["rows"] is None           # a round is one worker's piece there
        run.update(rounds=len(log), round_seconds=[r["seconds"] for r in log], slowest=slowest,
                   mode="shared rows" if shared else "replicas",
                   words_per_worker=[r["words"] / (1 if shared else n) for r in log],
                   # per step, the cycle's snapshot spread over its steps: what a link carries
                   bytes_out=sum(r["bytes_out"] + r["snapshot"] for r in log) / len(log),
                   bytes_back=sum(r["bytes_back"] for r in log) / len(log),
                   workers_used=len({w for r in log for w in r["workers"]}))
        client.close()
        client.cluster.close()
    print(json.dumps(run, default=lambda x: x.item() if isinstance(x, np.generic) else str(x)))


def first_pass_child(corpus, where, out, warm):
    """One first pass of ``corpus`` into ``out``, here (2 threads) or on a new 2-worker
    LocalCluster; prints its seconds (and the cluster's start, with the workers importing
    fastw2v) as a JSON line. Both sides start as ``fastw2v prepare`` does: scipy's cython_blas
    loaded alone (``fastw2v/_startup.py``; local_cluster's workers load it on start)."""
    from fastw2v._startup import load_cython_blas
    load_cython_blas()
    from fastw2v.corpus import prepare
    client, t0 = None, time.perf_counter()
    if where == "dask-2x1":
        from fastw2v.distributed.cluster import local_cluster
        client = local_cluster(2, threads_per_worker=1)
        # as here, where fastw2v is imported before the clock: workers that have imported it
        client.run(__import__, "fastw2v.corpus.firstpass")
    if warm:                      # the tokenizer loaded from numba's cache first, here and there
        small = out + "-warm.txt"
        with open(small, "w") as f:
            f.write("a b c\n" * 1000)
        prepare([small], out + "-warm", threads=2, client=client)
    t1 = time.perf_counter()
    prepared = prepare([corpus], out, threads=2, client=client)
    t2 = time.perf_counter()
    if client is not None:
        client.close()
        client.cluster.close()
    print(json.dumps(dict(where=where, first_pass_seconds=t2 - t1, cluster_seconds=t1 - t0,
                          tokens=prepared.n_tokens)))


def first_pass(corpus, repeat, warm):
    """Local and cluster first passes alternating, each a fresh process; medians."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="dask-first-pass-") as tmp:
        for r in range(repeat):
            for where in ("local", "dask-2x1"):
                out = os.path.join(tmp, f"{where}-{r}")
                res = subprocess.run([sys.executable, __file__, "--corpus", corpus,
                                      "--first-pass-child", where, out, str(int(warm))],
                                     capture_output=True, text=True)
                if res.returncode:
                    sys.exit(f"first pass {where} failed:\n{res.stderr[-4000:]}")
                runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
                print(runs[-1], flush=True)
                # its 270 MB of token ids go before the next pass, so that the disk's writeback
                # of one run's files does not land in the next one's time
                shutil.rmtree(out)
                shutil.rmtree(out + "-warm", ignore_errors=True)
    med = {w: statistics.median(r["first_pass_seconds"] for r in runs if r["where"] == w)
           for w in ("local", "dask-2x1")}
    start = statistics.median(r["cluster_seconds"] for r in runs if r["where"] == "dask-2x1")
    print(f"first pass: local 2 threads {med['local']:.2f} s, 2 workers x 1 thread "
          f"{med['dask-2x1']:.2f} s ({med['local'] / med['dask-2x1']:.2f}x local; cluster start "
          f"{start:.2f} s more)")
    return dict(runs=runs, median_seconds=med, median_cluster_start_seconds=start)


def run_child(corpus, *args):
    """``child(*args)`` in a fresh process; its record, with the process's own wall time."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--corpus", corpus, "--child", *map(str, args)],
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"child {args} failed:\n{out.stderr[-4000:]}")
    run = json.loads(out.stdout.strip().splitlines()[-1])
    run["process_seconds"] = time.perf_counter() - t0
    return run


def med(runs, key):
    """Median over runs of a number, or of each run's median when the field is a per-round list."""
    vals = [statistics.median(r[key]) if isinstance(r[key], list) else r[key] for r in runs]
    return statistics.median(vals)


def summarise(runs):
    """Medians per (objective, config), with ratios and differences to one process."""
    groups = {}
    for r in runs:
        groups.setdefault((r["objective"], r["config"]), []).append(r)
    rows = []
    for (objective, config), rs in groups.items():
        row = dict(objective=objective, config=config, runs=len(rs),
                   **{k: med(rs, k) for k in ("words_per_second", "analogy", "spearman",
                                              "whole_seconds", "cluster_seconds", "train_seconds",
                                              "whole_words_per_second")})
        if rs[0]["workers"]:
            row.update({k: med(rs, k) for k in ("rounds", "round_seconds", "slowest",
                                               "words_per_worker", "bytes_out", "bytes_back")})
            row["overhead"] = statistics.median(statistics.median(
                s - c for s, c in zip(r["round_seconds"], r["slowest"])) for r in rs)
        base = next((b for b in rows if b["objective"] == objective and b["config"] == "one-process"), None)
        if base:
            row.update(speed_ratio=row["words_per_second"] / base["words_per_second"],
                       whole_ratio=row["whole_words_per_second"] / base["whole_words_per_second"],
                       d_analogy=row["analogy"] - base["analogy"],
                       d_spearman=row["spearman"] - base["spearman"])
        rows.append(row)
    return rows


def table(rows):
    lines = ["| objective | config | runs | words/s (x one process) | whole command words/s (x) | "
             "whole s (cluster start) | analogy % (diff, points) | Spearman (diff) | rounds | "
             "round s | slowest compute s | MB out / back per round |", "| --- |" + " --- |" * 11]
    for r in rows:
        ratio = f" ({r['speed_ratio']:.2f}x)" if "speed_ratio" in r else ""
        whole = f" ({r['whole_ratio']:.2f}x)" if "whole_ratio" in r else ""
        d_a = f" ({100 * r['d_analogy']:+.2f})" if "d_analogy" in r else ""
        d_s = f" ({r['d_spearman']:+.3f})" if "d_spearman" in r else ""
        rounds = (f"{r['rounds']:.0f} | {r['round_seconds']:.3f} | {r['slowest']:.3f} | "
                  f"{r['bytes_out'] / 1e6:.1f} / {r['bytes_back'] / 1e6:.1f}") if "rounds" in r \
            else "- | - | - | -"
        lines.append(f"| {r['objective']} | {r['config']} | {r['runs']} | "
                     f"{r['words_per_second'] / 1e6:.3f}M{ratio} | "
                     f"{r['whole_words_per_second'] / 1e6:.3f}M{whole} | {r['whole_seconds']:.1f} "
                     f"({r['cluster_seconds']:.1f}) | {100 * r['analogy']:.2f}{d_a} | "
                     f"{r['spearman']:.3f}{d_s} | {rounds} |")
    return lines


def project(row, base_rate):
    """The round model, fed by the 2-worker cluster's medians ``row``.

    Per worker and round: W words, compute T_c = W x c (c: slowest compute per word of a
    1-thread worker), B = B_out + B_back bytes over the client's link. With N workers the
    client sends N snapshots, then receives N changes (scatter, compute, gather: in turn), so

        T_round(N) = T_c + L + N x B / LINK,      words/s = N x W / T_round(N)

    ceiling (N -> inf) = W x LINK / B; knee (link time = T_c + L, half the ceiling) at
    N* = (T_c + L) x LINK / B. A ring allreduce of the dense change (every worker sends and
    receives 2 (N-1)/N x B_out, in 2 (N-1) steps) instead costs T_c + L + 2 (N-1)/N x B_out /
    LINK + 2 (N-1) x HOP_LATENCY. 16-thread workers: T_c / (16 x PARALLEL_EFFICIENCY).
    """
    n = 2
    W = row["words_per_worker"]
    c = row["slowest"] / W
    B_out, B_back = row["bytes_out"] / n, row["bytes_back"] / n
    B, L = B_out + B_back, row["overhead"]
    inputs = dict(words_per_worker_round=W, compute_seconds_per_word=c, bytes_out_per_worker=B_out,
                  bytes_back_per_worker=B_back, fixed_latency_seconds=L, link_bytes_per_second=LINK,
                  parallel_efficiency_16=PARALLEL_EFFICIENCY, hop_latency_seconds=HOP_LATENCY,
                  one_process_2_threads_words_per_second=base_rate)
    out = []
    for threads in (1, 16):
        T_c = W * c / (threads * (PARALLEL_EFFICIENCY if threads > 1 else 1.0))
        knee = (T_c + L) * LINK / B
        for N in PROJECT_N:
            star = T_c + L + N * B / LINK
            ring = T_c + L + 2 * (N - 1) / N * B_out / LINK + 2 * (N - 1) * HOP_LATENCY
            out.append(dict(workers=N, threads=threads, compute_seconds=T_c,
                            link_seconds=N * B / LINK, round_seconds=star,
                            words_per_second=N * W / star, ideal_words_per_second=N * W / T_c,
                            ceiling_words_per_second=W * LINK / B, knee_workers=knee,
                            allreduce_words_per_second=N * W / ring))
    return dict(inputs=inputs, outputs=out)


def projection_table(objective, proj):
    i = proj["inputs"]
    lines = [f"{objective}: W = {i['words_per_worker_round']:,.0f} words per worker per round, "
             f"c = {1e6 * i['compute_seconds_per_word']:.2f} us/word (1 thread, "
             f"{1 / i['compute_seconds_per_word'] / 1e6:.2f}M words/s), B = "
             f"{i['bytes_out_per_worker'] / 1e6:.1f} MB out + {i['bytes_back_per_worker'] / 1e6:.1f} MB "
             f"back per worker, L = {i['fixed_latency_seconds']:.3f} s, link 10 Gbit/s, "
             f"16-thread efficiency {i['parallel_efficiency_16']}", "",
             "| workers x threads | compute s | link s | round s | words/s (all-to-one) | "
             "x one process | ideal words/s (compute only) | ceiling | knee N | "
             "words/s with ring allreduce |", "| --- |" + " --- |" * 9]
    for o in proj["outputs"]:
        lines.append(f"| {o['workers']} x {o['threads']} | {o['compute_seconds']:.3f} | "
                     f"{o['link_seconds']:.3f} | {o['round_seconds']:.3f} | "
                     f"{o['words_per_second'] / 1e6:.2f}M | "
                     f"{o['words_per_second'] / i['one_process_2_threads_words_per_second']:.1f}x | "
                     f"{o['ideal_words_per_second'] / 1e6:.1f}M | "
                     f"{o['ceiling_words_per_second'] / 1e6:.2f}M | {o['knee_workers']:.1f} | "
                     f"{o['allreduce_words_per_second'] / 1e6:.1f}M |")
    return lines


def warm_up(corpus, objectives, configs):
    """Load (or compile) every kernel once per configuration, on a 100k-word prefix."""
    with open(corpus) as f:
        words = f.read(2_000_000).split()[:100_000]
    with tempfile.TemporaryDirectory(prefix="dask-bench-") as tmp:
        small = os.path.join(tmp, "prefix.txt")
        with open(small, "w") as f:
            f.write(" ".join(words) + "\n")
        for objective in objectives:
            for config in configs:
                run_child(small, objective, config, 1, 1, 0)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", default=DEFAULT_CORPUS)
    p.add_argument("--objectives", default=",".join(OBJECTIVES))
    p.add_argument("--configs", default=DEFAULT_CONFIGS, help=f"of {', '.join(CONFIGS)}")
    p.add_argument("--step-words", type=int, default=0,
                   help="tokens per worker per step, every objective and cluster size "
                        "(0: the library's driver.STEP_WORDS*)")
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--quick", action="store_true", help="smoke test: 1 seed, 1 epoch, SGNS only")
    p.add_argument("--json", help="append the record to this file (a JSON list)")
    p.add_argument("--child", nargs=5, metavar=("OBJECTIVE", "CONFIG", "SEED", "EPOCHS", "STEP_WORDS"),
                   help=argparse.SUPPRESS)
    p.add_argument("--first-pass", action="store_true",
                   help="time the first pass here (2 threads) and on 2 workers instead")
    p.add_argument("--repeat", type=int, default=3, help="first passes of each kind")
    p.add_argument("--warm", action="store_true",
                   help="first passes after a tiny one (numba's cache loaded on both sides)")
    p.add_argument("--first-pass-child", nargs=3, metavar=("WHERE", "OUT", "WARM"),
                   help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.first_pass_child:
        where, out, warm = args.first_pass_child
        return first_pass_child(args.corpus, where, out, warm == "1")
    if args.first_pass:
        record = dict(command=" ".join([os.path.basename(sys.executable)] + sys.argv),
                      started=time.strftime("%Y-%m-%d %H:%M:%S"), machine=machine_info(2),
                      corpus=os.path.abspath(args.corpus), warm=args.warm,
                      first_pass=first_pass(args.corpus, args.repeat, args.warm))
        return save_runs(args.json, [record])
    if args.child:
        objective, config, seed, epochs, step_words = args.child
        return child(objective, config, int(seed), int(epochs), int(step_words), args.corpus)
    if args.quick:
        args.seeds, args.epochs, args.objectives = "1", 1, "sgns"
    objectives, configs = args.objectives.split(","), args.configs.split(",")
    if "one-process" not in configs or "dask-2x1" not in configs:
        p.error("--configs needs one-process and dask-2x1 (the baseline and the target)")
    record = dict(command=" ".join([os.path.basename(sys.executable)] + sys.argv),
                  started=time.strftime("%Y-%m-%d %H:%M:%S"), machine=machine_info(2),
                  corpus=os.path.abspath(args.corpus), params=PARAMS, objectives=OBJECTIVES,
                  epochs=args.epochs)
    record["step_words"] = args.step_words or "the library's"
    warm_up(args.corpus, objectives, configs)
    runs = []
    for seed in args.seeds.split(","):              # configs alternate: drift hits them alike
        for objective in objectives:
            for config in configs:
                runs.append(run_child(args.corpus, objective, config, seed, args.epochs,
                                      args.step_words))
                r = runs[-1]
                print(f"{objective} {config} seed {seed}: {r['words_per_second'] / 1e6:.3f}M words/s, "
                      f"analogy {100 * r['analogy']:.2f}%, Spearman {r['spearman']:.3f}, "
                      f"whole {r['whole_seconds']:.1f} s, loss per pair by epoch "
                      f"{[round(x, 3) for x in r['loss_per_pair']]}", flush=True)
    record["runs"] = runs
    record["medians"] = rows = summarise(runs)
    record["projection"] = {}
    print("\n" + "\n".join(table(rows)))
    for objective in objectives:             # the rounds of replicas: what crosses hosts
        base = next(r for r in rows if r["objective"] == objective and r["config"] == "one-process")
        two = next((r for r in rows if r["objective"] == objective
                    and r["config"] == "dask-2x1-replicas"), None)
        if two is None:
            continue
        record["projection"][objective] = proj = project(two, base["words_per_second"])
        print("\n" + "\n".join(projection_table(objective, proj)))
    save_runs(args.json, [record])


if __name__ == "__main__":
    main()
