"""GPU words/s and quality: fastw2v's CUDA path against its CPU path, Hogwild stores vs atomics.

Run on a machine with an NVIDIA GPU and numba-cuda (``pip install -e .[cuda]``):

    python benchmarks/gpu_bench.py --corpus ../shared/data/text8-head.txt --repeat-corpus 1,8 \\
        --json bench_results/gpu.json

For each objective (SGNS, CBOW-NS), corpus size (text8-head repeated N times) and update
variant it prints words/s (raw words x epochs / training seconds, the first epoch's JIT
excluded by a warm-up run), analogy accuracy (restrict 30000) and WordSim-353 Spearman, and
the same for the CPU path on the unrepeated corpus. The JSON records the GPU model.
"""
import argparse
import json
import os
import tempfile
import time

from fastw2v import Word2Vec, config

OBJECTIVES = {"sgns": dict(sg=1, negative=5), "cbow-ns": dict(sg=0, negative=5, alpha=0.05)}


def repeated(path, times):
    if times == 1:
        return path
    fd, out = tempfile.mkstemp(suffix=".txt")
    with os.fdopen(fd, "w") as f, open(path) as src:
        text = src.read().strip()
        for _ in range(times):
            f.write(text + "\n")
    return out


def run(corpus, device, params, atomics=False, epochs=5):
    config.GPU_ATOMICS = atomics
    warm = Word2Vec(device=device, epochs=1, **params)     # JIT compile outside the timing
    warm.build_vocab(corpus)
    warm.train(verbose=False)
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
    p.add_argument("--json")
    args = p.parse_args()
    from numba import cuda
    gpu = cuda.get_current_device().name
    gpu = gpu.decode() if isinstance(gpu, bytes) else gpu
    rows = []
    for name, params in OBJECTIVES.items():
        rows.append(dict(objective=name, corpus_x=1, **run(args.corpus, "cpu", params)))
        for times in map(int, args.repeat_corpus.split(",")):
            corpus = repeated(args.corpus, times)
            for atomics in (False, True):
                rows.append(dict(objective=name, corpus_x=times, **run(corpus, "cuda", params, atomics)))
        for r in rows[-1 - 2 * len(args.repeat_corpus.split(",")):]:
            print(f"{r['objective']:8s} {r['device']:5s} x{r['corpus_x']:<3d} atomics={r['atomics']!s:5s} "
                  f"{r['words_per_sec'] / 1e6:8.2f}M words/s  analogy {100 * r['analogy']:5.2f}%  "
                  f"spearman {r['spearman']:.4f}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(gpu=gpu, cpu_cores=os.cpu_count(), rows=rows), f, indent=1)


if __name__ == "__main__":
    main()
