"""GPU words/s and quality: fastw2v's CUDA path against its CPU path, Hogwild stores vs atomics.

Run on a machine with an NVIDIA GPU and numba-cuda (``pip install -e .[cuda]``):

    python benchmarks/gpu_bench.py --corpus ../shared/data/text8-head.txt --repeat-corpus 1,8 \\
        --json bench_results/gpu.json

For each objective (SGNS, CBOW-NS), corpus size (text8-head repeated N times) and update
variant it prints words/s (raw words x epochs / training seconds; the kernels are compiled
beforehand on a small slice, so no run's time includes the JIT), analogy accuracy (restrict
30000) and WordSim-353 Spearman, and the same for the CPU path (all cores) on the unrepeated
corpus. The JSON, rewritten after every row so a run cut short keeps what it measured,
records the GPU model and the library versions.
"""
import argparse
import json
import os
import platform
import tempfile
import time

import numba

from fastw2v import Word2Vec, config
from fastw2v.corpus import _open_binary

OBJECTIVES = {"sgns": dict(sg=1, negative=5), "cbow-ns": dict(sg=0, negative=5, alpha=0.05)}


def read_text(path):
    with _open_binary(path) as f:
        return f.read().decode("utf-8").strip()


def repeated(text, times):
    """A temporary file holding ``text`` ``times`` times, one copy a line."""
    fd, out = tempfile.mkstemp(suffix=".txt")
    with os.fdopen(fd, "w") as f:
        for _ in range(times):
            f.write(text + "\n")
    return out


def warm_up(device, params, atomics, words):
    """Compile the kernels for this variant on a small corpus (same argument types)."""
    config.GPU_ATOMICS = atomics
    model = Word2Vec(device=device, **dict(params, epochs=1, min_count=1))
    model.build_vocab([words[i:i + 1000] for i in range(0, len(words), 1000)])
    model.train(verbose=False)


def run(corpus, device, params, atomics=False, epochs=5):
    config.GPU_ATOMICS = atomics
    model = Word2Vec(device=device, epochs=epochs, workers=os.cpu_count(), **params)
    model.build_vocab(corpus)
    t0 = time.perf_counter()
    model.train(verbose=False)
    seconds = time.perf_counter() - t0
    return dict(device=device, atomics=atomics, words_per_sec=model.words_per_second, train_s=seconds,
                analogy=model.wv.evaluate_word_analogies().accuracy,
                spearman=model.wv.evaluate_word_pairs().spearman)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", default="../shared/data/text8-head.txt")
    p.add_argument("--repeat-corpus", default="1,8")
    p.add_argument("--objectives", default=",".join(OBJECTIVES))
    p.add_argument("--json")
    args = p.parse_args()
    from numba import cuda
    gpu = getattr(cuda.get_current_device(), "name", "numba CUDA simulator")
    gpu = gpu.decode() if isinstance(gpu, bytes) else gpu
    import numpy
    meta = dict(gpu=gpu, cpu_cores=os.cpu_count(), python=platform.python_version(),
                numba=numba.__version__, numpy=numpy.__version__, corpus=args.corpus)
    print(meta, flush=True)
    text = read_text(args.corpus)
    words = text.split()[:200_000]
    files = {t: (args.corpus if t == 1 else repeated(text, t))
             for t in map(int, args.repeat_corpus.split(","))}
    rows = []

    def record(row):
        rows.append(row)
        print(f"{row['objective']:8s} {row['device']:5s} x{row['corpus_x']:<3d} "
              f"atomics={row['atomics']!s:5s} {row['words_per_sec'] / 1e6:8.2f}M words/s  "
              f"train {row['train_s']:7.2f} s  analogy {100 * row['analogy']:5.2f}%  "
              f"spearman {row['spearman']:.4f}", flush=True)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(dict(meta, rows=rows), f, indent=1)

    for name in args.objectives.split(","):
        params = OBJECTIVES[name]
        for atomics in (False, True):
            t0 = time.perf_counter()
            warm_up("cuda", params, atomics, words)
            print(f"{name}: CUDA kernels (atomics={atomics}) compiled and run on 200k words "
                  f"in {time.perf_counter() - t0:.1f} s", flush=True)
        for times, corpus in files.items():
            for atomics in (False, True):
                warm_up("cuda", params, atomics, words[:5000])    # cached: selects the variant
                record(dict(objective=name, corpus_x=times, **run(corpus, "cuda", params, atomics)))
        warm_up("cpu", params, False, words)
        record(dict(objective=name, corpus_x=1, **run(args.corpus, "cpu", params)))


if __name__ == "__main__":
    main()
