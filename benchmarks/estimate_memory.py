"""``Word2Vec.estimate_memory`` against the peak RSS of the training it estimates.

Each run is a whole training in a fresh process under ``/usr/bin/time -v``, as a user runs it:
``build_vocab(corpus_file=C)`` then one epoch (2 threads) on a generated corpus in which each of
V distinct words appears at least ``min_count`` times (so that training writes every row, as a
real corpus does: untouched zero rows would not count in RSS), with Zipfian counts on top. A
run with a 1,000-word vocabulary gives the process's own memory (interpreter, NumPy, numba, the
kernels, the corpus read-ahead), which neither library's estimate counts. The table compares
peak RSS less that base with fastw2v's estimate and with gensim's formula (500 bytes a word,
700 with hierarchical softmax, plus the matrices)::

    python benchmarks/estimate_memory.py --json bench_results/estimate_memory.json
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

from _study import machine_info, save_runs

CHILD = """
import json, sys
from fastw2v import Word2Vec

def status():   # the process's resident memory now and at its peak so far, bytes
    fields = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return {k: int(fields[k].split()[0]) * 1024 for k in ("VmRSS", "VmHWM")}

corpus, dim, head = sys.argv[1], int(sys.argv[2]), sys.argv[3]
heads = dict(ns=dict(negative=5, hs=0), hs=dict(negative=0, hs=1))
model = Word2Vec(vector_size=dim, min_count=2, workers=2, epochs=1, sg=1, seed=1, **heads[head])
model.build_vocab(corpus_file=corpus)
estimate, built = model.estimate_memory(), status()
model.train(verbose=False)
print(json.dumps(dict(words=len(model.wv), estimate=estimate, after_build=built, after_train=status())))
"""
CONFIGS = [(1_000, 100, "ns"), (200_000, 100, "ns"), (1_000_000, 100, "ns"),
           (1_000_000, 100, "hs"), (300_000, 300, "ns")]


def write_corpus(path, V, extra=2_000_000, seed=0):
    """Every one of V words twice (min_count 2), then ``extra`` Zipfian draws; words are
    letters (3-10) and their number, 1,000 a line, shuffled."""
    rng = np.random.default_rng(seed)
    stems = ["".join(map(chr, rng.integers(97, 123, n))) for n in rng.integers(3, 11, V)]
    words = np.array([f"{s}{i}" for i, s in enumerate(stems)], dtype=object)
    p = 1.0 / np.arange(1, V + 1)
    ids = np.concatenate([np.arange(V), np.arange(V), rng.choice(V, extra, p=p / p.sum())])
    rng.shuffle(ids)
    with open(path, "w") as f:
        for a in range(0, ids.size, 1000):
            f.write(" ".join(words[ids[a:a + 1000]]) + "\n")


def gensim_estimate(V, dim, head):
    """gensim 4.4's estimate_memory: 500 bytes a word (700 with hs) and two V x D matrices."""
    return V * (700 if head == "hs" else 500) + 2 * V * dim * 4


def run(corpus, dim, head):
    out = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-c", CHILD, corpus, str(dim), head],
                         capture_output=True, text=True, check=True)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1)) * 1024
    return dict(json.loads(out.stdout.strip().splitlines()[-1]), peak_rss=rss)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", help="append the record to this JSON list")
    ap.add_argument("--tmp", default=tempfile.gettempdir(), help="where the corpora are written")
    args = ap.parse_args()
    rows, base, base_rss = [], None, None
    for V, dim, head in CONFIGS:
        path = os.path.join(args.tmp, f"estimate_memory_{V}.txt")
        if not os.path.exists(path):
            write_corpus(path, V)
        r = dict(run(path, dim, head), vocab=V, dim=dim, head=head)
        base = base if base is not None else r["peak_rss"]
        r["above_base"] = r["peak_rss"] - base
        r["gensim_formula"] = gensim_estimate(r["words"], dim, head)
        rows.append(r)
        base_rss = base_rss if base_rss is not None else r["after_train"]["VmRSS"]
        r["training_above_base"] = r["after_train"]["VmRSS"] - base_rss
        mb = lambda b: f"{b / 2**20:6.0f} MB"   # noqa: E731
        print(f"V={r['words']:>9,} D={dim} {head}: peak RSS {mb(r['peak_rss'])} (first pass "
              f"{mb(r['after_build']['VmHWM'])}), RSS after training {mb(r['after_train']['VmRSS'])}, "
              f"above base {mb(r['training_above_base'])}; fastw2v estimate "
              f"{mb(r['estimate']['total'])}, gensim's formula {mb(r['gensim_formula'])}", flush=True)
    save_runs(args.json, [dict(machine=machine_info(2), runs=rows)])


if __name__ == "__main__":
    main()
