"""Side by side: fastw2v and gensim on the same corpus, settings and machine, in one run.

Prints, per implementation: words/s (raw corpus words x epochs / training seconds), analogy
accuracy (restrict 30000) and WordSim-353 Spearman, and the ratios fastw2v / gensim; with
``--json`` appends every run to a JSON file (bench_results/ keeps them).

    python benchmarks/compare_gensim.py --corpus ../shared/data/text8-head.txt --repeat 3

gensim is timed in its iterable mode (``LineSentence``, 10,000-word pieces). Its ``corpus_file``
mode can be added with ``--gensim-modes iterable,corpus_file``, but on a one-line corpus such as
text8 it learns almost nothing (0.01% analogy on text8-head), so its speed is no baseline there.
The ratio is taken against the fastest gensim mode run.
Both are scored by fastw2v's evaluator, which is checked here against gensim's own.
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

from fastw2v import KeyedVectors, Word2Vec
from fastw2v.data import QUESTIONS_WORDS, WORDSIM353

OBJECTIVES = {  # name -> (fastw2v params, gensim params); the learning rates
    "sgns": (dict(sg=1, negative=5), dict(sg=1, negative=5, hs=0)),          # shared noise words (default)
    "sgns-per-pair": (dict(sg=1, negative=5, batch_window=False), dict(sg=1, negative=5, hs=0)),
    "cbow-ns": (dict(sg=0, negative=5, alpha=0.05), dict(sg=0, negative=5, hs=0, cbow_mean=1)),
    "sg-hs": (dict(sg=1, hs=1, negative=0, alpha=0.025), dict(sg=1, hs=1, negative=0)),
}


def score(kv):
    analogy = kv.evaluate_word_analogies(QUESTIONS_WORDS, restrict_vocab=30000)
    pairs = kv.evaluate_word_pairs(WORDSIM353)
    return analogy.accuracy, pairs.spearman


def run_fastw2v(corpus, params, settings, seed):
    model = Word2Vec(seed=seed, **settings, **params)
    t0 = time.perf_counter()
    model.build_vocab(corpus)
    t1 = time.perf_counter()
    model.train(verbose=False)
    t2 = time.perf_counter()
    acc, rho = score(model.wv)
    return dict(impl="fastw2v", words_per_sec=model.words_per_second, train_s=t2 - t1,
                vocab_s=t1 - t0, analogy=acc, spearman=rho)


def run_gensim(corpus, params, settings, seed, mode):
    from gensim.models import Word2Vec as GensimWord2Vec
    from gensim.models.word2vec import LineSentence
    kw = dict(vector_size=settings["vector_size"], window=settings["window"],
              min_count=settings["min_count"], sample=settings["sample"],
              epochs=settings["epochs"], workers=settings["workers"], seed=seed, **params)
    if "alpha" in settings:
        kw["alpha"] = settings["alpha"]
    model = GensimWord2Vec(**kw)
    source = dict(corpus_file=corpus) if mode == "corpus_file" else dict(corpus_iterable=LineSentence(corpus))
    t0 = time.perf_counter()
    model.build_vocab(**source)
    t1 = time.perf_counter()
    model.train(**source, total_examples=model.corpus_count, total_words=model.corpus_total_words,
                epochs=model.epochs)
    t2 = time.perf_counter()
    raw_words = model.corpus_total_words
    kv = KeyedVectors(model.wv.index_to_key, model.wv.vectors)
    acc, rho = score(kv)
    # our evaluator must agree with gensim's on the same vectors
    theirs = model.wv.evaluate_word_analogies(str(QUESTIONS_WORDS), restrict_vocab=30000)[0]
    if abs(theirs - acc) > 1e-9:
        raise AssertionError(f"analogy evaluators disagree: fastw2v {acc} vs gensim {theirs}")
    return dict(impl=f"gensim-{mode}", words_per_sec=settings["epochs"] * raw_words / (t2 - t1),
                train_s=t2 - t1, vocab_s=t1 - t0, analogy=acc, spearman=rho)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared",
                                                    "data", "text8-head.txt"))
    p.add_argument("--objectives", default="sgns", help=f"comma list of {sorted(OBJECTIVES)}")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--gensim-modes", default="iterable",
                   help="iterable (LineSentence) and/or corpus_file; corpus_file mode learns almost "
                        "nothing from a one-line corpus such as text8 (0.01%% analogy here), so it is "
                        "off by default")
    p.add_argument("--json", help="append the runs to this JSON file")
    args = p.parse_args(argv)
    settings = dict(vector_size=100, window=5, min_count=5, sample=1e-3, epochs=args.epochs,
                    workers=args.workers)
    runs = []
    for name in args.objectives.split(","):
        params, gparams = OBJECTIVES[name]
        extra = {k: v for k, v in params.items() if k == "alpha"}
        for r in range(args.repeat):
            seed = 1 + r
            out = [run_fastw2v(args.corpus, params, settings, seed)]
            for mode in args.gensim_modes.split(","):
                out.append(run_gensim(args.corpus, gparams, {**settings, **extra}, seed, mode))
            for row in out:
                row.update(objective=name, repeat=r)
                print(f"{name:6s} {row['impl']:20s} {row['words_per_sec'] / 1e6:6.3f}M words/s  "
                      f"train {row['train_s']:6.2f}s  analogy {100 * row['analogy']:5.2f}%  "
                      f"spearman {row['spearman']:.4f}", flush=True)
            runs.extend(out)
        summarise(runs, name)
    if args.json:
        record = dict(machine=machine_info(args.workers), settings=settings, corpus=args.corpus, runs=runs)
        existing = json.load(open(args.json)) if os.path.exists(args.json) else []
        existing.append(record)
        with open(args.json, "w") as f:
            json.dump(existing, f, indent=1)
    return runs


def summarise(runs, name):
    rows = [r for r in runs if r["objective"] == name]
    med = {}
    for impl in sorted({r["impl"] for r in rows}):
        sel = [r for r in rows if r["impl"] == impl]
        med[impl] = {k: statistics.median(r[k] for r in sel) for k in ("words_per_sec", "analogy", "spearman")}
        print(f"median {name:6s} {impl:20s} {med[impl]['words_per_sec'] / 1e6:6.3f}M words/s  "
              f"analogy {100 * med[impl]['analogy']:5.2f}%  spearman {med[impl]['spearman']:.4f}")
    gensims = [k for k in med if k.startswith("gensim")]
    if gensims:
        best = max(gensims, key=lambda k: med[k]["words_per_sec"])
        f, g = med["fastw2v"], med[best]
        print(f"ratio  {name:6s} fastw2v / {best}: {f['words_per_sec'] / g['words_per_sec']:.2f}x words/s, "
              f"analogy {100 * (f['analogy'] - g['analogy']):+.2f} points, "
              f"spearman {f['spearman'] - g['spearman']:+.4f}")


def machine_info(workers):
    import numba
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return dict(cpu=cpu, cores=os.cpu_count(), workers=workers, python=sys.version.split()[0],
                numpy=np.__version__, numba=numba.__version__, platform=platform.platform())


if __name__ == "__main__":
    main()
