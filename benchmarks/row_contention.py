"""Where 1 -> 2 thread scaling goes: the shared rows, and what staging the hottest ones buys.

One epoch of text8-head is cut into blocks of two pieces. The serial block kernel of an
objective (compiled here with ``nogil``) trains piece 0 of every block alone, then both pieces
from two Python threads: sharing W_in and W_out (Hogwild), each on a private copy of W_out, of
W_in, of both. Private copies train nothing useful together; they show what the sharing costs.
Then the library's parallel kernel (numba threads, a barrier per block) with staging off
(``config.STAGED_ROWS = 0``) and on (the default, ``cpu/_staging.py``). Medians of ``--repeat``.

    python benchmarks/row_contention.py --objectives cbow-ns,sg-hs,sgns --repeat 3 \\
        --json bench_results/row_contention.json
"""
import argparse
import json
import os
import platform
import statistics
import threading
import time

import numba
import numpy as np
from numba import njit

from fastw2v import Word2Vec, config
from fastw2v.cpu import cbow, hs, sgns
from fastw2v.cpu._noise import alias_table
from fastw2v.cpu._rng import seed_states
from fastw2v.cpu._staging import plan_stage
from fastw2v.schedule import plan_pieces
from fastw2v.training import block_runner

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "..", "shared", "data", "text8-head.txt")
PARAMS = {"cbow-ns": dict(sg=0, negative=5, alpha=0.05), "sg-hs": dict(sg=1, hs=1, negative=0),
          "sgns": dict(sg=1, negative=5)}


def block_call(model, name):
    """(python block function, args(W_in, W_out, stage, work, stats)) for an objective."""
    cfg = model.config
    if name == "sg-hs":
        tree = model.vocab.huffman_tree()
        return hs._sg_hs_block, lambda Wi, Wo, st, work, stats: (
            Wi, Wo, tree, st, work, cfg.window, cfg.alpha, cfg.alpha, True, stats)
    noise = alias_table(model.vocab.noise_distribution(cfg.ns_exponent))
    if name == "cbow-ns":
        return cbow._cbow_ns_block, lambda Wi, Wo, st, work, stats: (
            Wi, Wo, noise, cfg.negative, True, config.CBOW_BATCH, st, work, cfg.window, cfg.alpha,
            cfg.alpha, True, stats)
    return sgns._sgns_block, lambda Wi, Wo, st, work, stats: (
        Wi, Wo, noise, cfg.negative, True, st, work, cfg.window, cfg.alpha, cfg.alpha, True, stats)


def measure(corpus, name, repeat):
    model = Word2Vec(workers=2, seed=1, **PARAMS[name]).build_vocab(corpus)
    data, D = model._corpus, model.config.vector_size
    # the whole corpus in memory, as one segment: this study needs it
    (ids, offsets), = data.segments(data.n_words)
    keep = model.vocab.keep_probabilities(model.config.sample)
    raw_per_word = data.raw_words / data.n_words
    blocks = plan_pieces(offsets, 2, config.BLOCK_WORDS_PER_THREAD)
    function, args = block_call(model, name)
    serial = njit(fastmath=config.FASTMATH, nogil=True)(function)
    off = plan_stage(model.W_out.shape[0], name != "sg-hs", 1, D)      # no staging
    pieces = [[(ids, offsets, s[t:t + 2].copy(), seed_states(1, 0, b, n=2)[t:t + 1].copy(), keep)
               for b, s in enumerate(blocks)] for t in range(2)]
    words = [sum(int(offsets[w[2][1]] - offsets[w[2][0]]) for w in pieces[t]) * raw_per_word
             for t in range(2)]
    W_in0, W_out0 = model.wv.vectors.copy(), model.W_out.copy()

    def train_pieces(t, W_in, W_out):
        stats = np.zeros((1, 2))
        for work in pieces[t]:
            serial(*args(W_in, W_out, off, work, stats))

    def threads_run(private):
        shared = (W_in0.copy(), W_out0.copy())
        mats = [(W_in0.copy() if "in" in private else shared[0],
                 W_out0.copy() if "out" in private else shared[1]) for _ in range(2)]
        ts = [threading.Thread(target=train_pieces, args=(t, *mats[t])) for t in range(2)]
        start = time.perf_counter()
        for x in ts:
            x.start()
        for x in ts:
            x.join()
        return sum(words) / (time.perf_counter() - start)

    def library_run(staged_rows):
        config.STAGED_ROWS = staged_rows
        try:
            model.wv.vectors[:] = W_in0
            model.W_out[:] = W_out0
            run = block_runner(model, 2)
        finally:
            config.reset()
        start = time.perf_counter()
        for b, s in enumerate(blocks):
            run((ids, offsets, s, seed_states(1, 0, b, n=2), keep), model.config.alpha,
                model.config.alpha, np.zeros((2, 2)))
        return data.raw_words / (time.perf_counter() - start)

    def alone():
        start = time.perf_counter()
        train_pieces(0, W_in0.copy(), W_out0.copy())
        return words[0] / (time.perf_counter() - start)

    cases = {"1 thread (piece 0 of every block)": alone,
             "2 threads, shared rows": lambda: threads_run(()),
             "2 threads, private W_out": lambda: threads_run(("out",)),
             "2 threads, private W_in": lambda: threads_run(("in",)),
             "2 threads, private W_in and W_out": lambda: threads_run(("in", "out")),
             "parallel kernel, staging off": lambda: library_run(0),
             f"parallel kernel, staging {config.STAGED_ROWS} rows": lambda: library_run(config.STAGED_ROWS)}
    serial(*args(W_in0.copy(), W_out0.copy(), off, pieces[0][0], np.zeros((1, 2))))    # compile
    library_run(0)
    runs = {case: [] for case in cases}
    for _ in range(repeat):
        for case, fn in cases.items():
            runs[case].append(fn())
    one = statistics.median(runs["1 thread (piece 0 of every block)"])
    return {case: dict(words_per_s=statistics.median(v), runs=v, vs_one_thread=statistics.median(v) / one)
            for case, v in runs.items()}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", default=DEFAULT_CORPUS)
    p.add_argument("--objectives", default="cbow-ns,sg-hs,sgns")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json", help="write the results here")
    a = p.parse_args()
    numba.set_num_threads(2)
    from conftest import cpu_model
    record = dict(started=time.strftime("%Y-%m-%d %H:%M:%S"), machine=cpu_model() or platform.machine(),
                  cpus=os.cpu_count(), numba=numba.__version__, staged_rows=config.STAGED_ROWS,
                  merge_windows=config.STAGE_MERGE_WINDOWS, repeat=a.repeat, objectives={})
    for name in a.objectives.split(","):
        record["objectives"][name] = result = measure(a.corpus, name, a.repeat)
        print(f"\n{name} (words/s, median of {a.repeat}; x = over 1 thread)")
        for case, r in result.items():
            print(f"  {case:40s} {r['words_per_s'] / 1e6:6.3f}M  {r['vs_one_thread']:.2f}x")
    if a.json:
        from fastw2v._files import atomic_write
        with atomic_write(a.json, "w") as f:
            json.dump(record, f, indent=1)


if __name__ == "__main__":
    main()
