"""Side by side: fastw2v and gensim on the same corpus, settings and machine, in one run.

Every training runs in a fresh Python process, fastw2v and gensim alternating, so each run's
peak memory (RSS) is its own. Per objective and implementation it records words/s (raw corpus
words x epochs / training seconds), analogy accuracy (restrict 30000), WordSim-353 Spearman
and peak RSS; then the medians and the ratios fastw2v / gensim. Optional parts:

    --scaling        the same runs with 1 worker, for the 1 -> 2 thread speed-up of both
    --jit            fastw2v's first-call compile time (empty numba cache) and its start-up
                     with the cache warm (a 200-word training run in a fresh process)
    --whole-command  ``fastw2v train ... -output v.bin`` against a gensim script that reads,
                     trains and saves the same way, wall clock from start to exit, cache warm

    python benchmarks/compare_gensim.py --objectives sgns,cbow-ns,sg-hs --repeat 3 \\
        --scaling --jit --whole-command --json bench_results/compare_gensim.json

gensim is timed in its iterable mode (``LineSentence``, 10,000-word pieces): its
``corpus_file`` mode learns almost nothing from a one-line corpus such as text8 (0.01% analogy
on text8-head). Both are scored by fastw2v's evaluator, which is checked here against gensim's
own on gensim's vectors.
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "..", "shared", "data", "text8-head.txt")
SETTINGS = dict(vector_size=100, window=5, min_count=5, sample=1e-3)

OBJECTIVES = {  # name -> (fastw2v params, gensim params); the learning rates
    "sgns": (dict(sg=1, negative=5), dict(sg=1, negative=5, hs=0)),
    "sgns-per-pair": (dict(sg=1, negative=5, batch_window=False), dict(sg=1, negative=5, hs=0)),
    "cbow-ns": (dict(sg=0, negative=5, alpha=0.05), dict(sg=0, negative=5, hs=0, alpha=0.05)),
    "cbow-ns-per-window": (dict(sg=0, negative=5, alpha=0.05, batch_window=False),
                           dict(sg=0, negative=5, hs=0, alpha=0.05)),
    "sg-hs": (dict(sg=1, hs=1, negative=0), dict(sg=1, hs=1, negative=0)),
}
CLI_FLAGS = {  # the same objectives as word2vec.c flags, for --whole-command
    "sgns": ["-cbow", "0", "-negative", "5"],
    "sgns-per-pair": ["-cbow", "0", "-negative", "5", "--batch-window", "0"],
    "cbow-ns": ["-cbow", "1", "-negative", "5", "-alpha", "0.05"],
    "cbow-ns-per-window": ["-cbow", "1", "-negative", "5", "-alpha", "0.05", "--batch-window", "0"],
    "sg-hs": ["-cbow", "0", "-hs", "1", "-negative", "0"],
}


# ---- one training run, in a child process ------------------------------------------------
def score(kv):
    from fastw2v.data import QUESTIONS_WORDS, WORDSIM353
    return (kv.evaluate_word_analogies(QUESTIONS_WORDS, restrict_vocab=30000).accuracy,
            kv.evaluate_word_pairs(WORDSIM353).spearman)


def train_fastw2v(corpus, params, epochs, workers, seed):
    from fastw2v import Word2Vec
    model = Word2Vec(seed=seed, epochs=epochs, workers=workers, **SETTINGS, **params)
    t0 = time.perf_counter()
    model.build_vocab(corpus)
    t1 = time.perf_counter()
    model.train(verbose=False)
    t2 = time.perf_counter()
    per_example = [loss / n for loss, n in zip(model.epoch_losses, model.epoch_pairs)]
    if not all(x < float("inf") for x in per_example) or per_example[-1] > per_example[0]:
        raise AssertionError(f"fastw2v's loss per example did not fall: {per_example}")
    return model.wv, model._corpus.raw_words, t1 - t0, t2 - t1


def train_gensim(corpus, params, epochs, workers, seed):
    from gensim.models import Word2Vec as GensimWord2Vec
    from gensim.models.word2vec import LineSentence
    from fastw2v import KeyedVectors
    from fastw2v.data import QUESTIONS_WORDS
    model = GensimWord2Vec(seed=seed, epochs=epochs, workers=workers, **SETTINGS, **params)
    source = LineSentence(corpus)
    t0 = time.perf_counter()
    model.build_vocab(corpus_iterable=source)
    t1 = time.perf_counter()
    model.train(corpus_iterable=source, total_examples=model.corpus_count,
                total_words=model.corpus_total_words, epochs=epochs)
    t2 = time.perf_counter()
    kv = KeyedVectors(model.wv.index_to_key, model.wv.vectors)
    ours = kv.evaluate_word_analogies(QUESTIONS_WORDS, restrict_vocab=30000).accuracy
    theirs = model.wv.evaluate_word_analogies(str(QUESTIONS_WORDS), restrict_vocab=30000)[0]
    if abs(theirs - ours) > 1e-9:          # the evaluators must agree on the same vectors
        raise AssertionError(f"analogy evaluators disagree: fastw2v {ours} vs gensim {theirs}")
    return kv, model.corpus_total_words, t1 - t0, t2 - t1


def child(impl, objective, corpus, epochs, workers, seed):
    fastw2v_params, gensim_params = OBJECTIVES[objective]
    train = train_fastw2v if impl == "fastw2v" else train_gensim
    params = fastw2v_params if impl == "fastw2v" else gensim_params
    kv, raw_words, vocab_s, train_s = train(corpus, params, epochs, workers, seed)
    analogy, spearman = score(kv)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss     # Linux: KiB
    print(json.dumps(dict(impl=impl, objective=objective, workers=workers, seed=seed,
                          words_per_sec=epochs * raw_words / train_s, train_s=train_s,
                          vocab_s=vocab_s, analogy=analogy, spearman=spearman,
                          peak_rss_mb=peak_kib / 1024)))


def run_child(*args, env=None):
    out = subprocess.run([sys.executable, __file__, "--child", *map(str, args)],
                         capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"child {args} exited {out.returncode}:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- the parts of the report --------------------------------------------------------------
def side_by_side(objectives, corpus, epochs, workers, repeat):
    runs = []
    for name in objectives:
        run_child("fastw2v", name, corpus, 1, workers, 99)    # compile into numba's cache first
        for r in range(repeat):
            for impl in ("fastw2v", "gensim"):
                row = run_child(impl, name, corpus, epochs, workers, 1 + r)
                print(f"{name:18s} {impl:8s} workers={workers} {row['words_per_sec'] / 1e6:6.3f}M words/s  "
                      f"train {row['train_s']:6.2f}s  analogy {100 * row['analogy']:5.2f}%  "
                      f"spearman {row['spearman']:.4f}  peak RSS {row['peak_rss_mb']:.0f} MB", flush=True)
                runs.append(row)
    return runs


def summarise(runs):
    """Medians per (objective, impl, workers) and the ratios fastw2v / gensim."""
    keys = sorted({(r["objective"], r["impl"], r["workers"]) for r in runs})
    med = {}
    for key in keys:
        sel = [r for r in runs if (r["objective"], r["impl"], r["workers"]) == key]
        med[key] = {k: statistics.median(r[k] for r in sel)
                    for k in ("words_per_sec", "analogy", "spearman", "peak_rss_mb")}
        med[key]["n"] = len(sel)
    lines = []
    for (obj, impl, w), m in med.items():
        lines.append(f"median {obj:18s} {impl:8s} workers={w} {m['words_per_sec'] / 1e6:6.3f}M words/s  "
                     f"analogy {100 * m['analogy']:5.2f}%  spearman {m['spearman']:.4f}  "
                     f"peak RSS {m['peak_rss_mb']:.0f} MB  (n={m['n']})")
    ratios = {}
    for (obj, impl, w), m in med.items():
        g = med.get((obj, "gensim", w))
        if impl == "fastw2v" and g:
            ratios[f"{obj} workers={w}"] = dict(
                speed=m["words_per_sec"] / g["words_per_sec"],
                analogy_points=100 * (m["analogy"] - g["analogy"]),
                spearman=m["spearman"] - g["spearman"],
                rss=m["peak_rss_mb"] / g["peak_rss_mb"])
    for obj in sorted({k[0] for k in med}):
        for impl in ("fastw2v", "gensim"):
            one, two = med.get((obj, impl, 1)), med.get((obj, impl, 2))
            if one and two:
                ratios[f"{obj} {impl} 2 vs 1 workers"] = dict(speed=two["words_per_sec"] / one["words_per_sec"])
    for name, r in ratios.items():
        lines.append(f"ratio  {name:34s} " + "  ".join(
            f"{k} {v:+.2f}" if k in ("analogy_points", "spearman") else f"{k} {v:.2f}x"
            for k, v in r.items()))
    print("\n".join(lines), flush=True)
    return [dict(objective=k[0], impl=k[1], workers=k[2], **v) for k, v in med.items()], ratios


def jit_cost(objective, corpus_words=200):
    """Seconds for a tiny training run in a fresh process: with an empty numba cache (the
    compile time of that objective's kernels) and again with the cache it left (start-up)."""
    text = " ".join(f"w{i % 20}" for i in range(corpus_words))
    params = OBJECTIVES[objective][0]
    code = ("import time; t = time.perf_counter(); from fastw2v import Word2Vec; "
            f"Word2Vec(min_count=1, epochs=1, workers=2, **{params!r}).fit({[text.split()]!r}, verbose=False); "
            "print(time.perf_counter() - t)")
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for label in ("cold_s", "warm_s"):
            t = time.perf_counter()
            res = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                 text=True, env=env)
            out[label] = time.perf_counter() - t
            out[label.replace("_s", "_in_process_s")] = float(res.stdout.strip())
    # `import fastw2v` alone loads neither NumPy nor numba since the package's names load on
    # first use (2026-12-05); records before that have "import_s" of `import fastw2v`
    import_t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from fastw2v import Word2Vec"], check=True)
    out["import_word2vec_s"] = time.perf_counter() - import_t
    return out


GENSIM_WHOLE = """
import sys
from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence
corpus, output, workers, params = sys.argv[1], sys.argv[2], int(sys.argv[3]), eval(sys.argv[4])
model = Word2Vec(LineSentence(corpus), vector_size=100, window=5, min_count=5, sample=1e-3,
                 epochs=5, workers=workers, seed=1, **params)
model.wv.save_word2vec_format(output, binary=True)
"""


def whole_command(objective, corpus, workers, repeat):
    """Wall-clock seconds of the whole command, start to exit, numba's cache warm."""
    exe = shutil.which("fastw2v") or os.path.join(os.path.dirname(sys.executable), "fastw2v")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ours = [exe, "train", corpus, "-output", os.path.join(tmp, "f.bin"), "-threads", str(workers),
                "-q", *CLI_FLAGS[objective]]
        theirs = [sys.executable, "-c", GENSIM_WHOLE, corpus, os.path.join(tmp, "g.bin"), str(workers),
                  repr(OBJECTIVES[objective][1])]
        subprocess.run(ours[:2] + [corpus, "-output", os.path.join(tmp, "w.bin"), "-iter", "1",
                                   "-threads", str(workers), "-q", *CLI_FLAGS[objective]], check=True)
        for r in range(repeat):
            for impl, cmd in (("fastw2v", ours), ("gensim", theirs)):
                t = time.perf_counter()
                subprocess.run(cmd, check=True, capture_output=True)
                rows.append(dict(objective=objective, impl=impl, repeat=r, wall_s=time.perf_counter() - t))
                print(f"whole command {objective:18s} {impl:8s} {rows[-1]['wall_s']:6.2f}s", flush=True)
    med = {impl: statistics.median(x["wall_s"] for x in rows if x["impl"] == impl) for impl in ("fastw2v", "gensim")}
    print(f"whole command {objective}: gensim / fastw2v = {med['gensim'] / med['fastw2v']:.2f}x "
          f"(medians {med['fastw2v']:.1f}s vs {med['gensim']:.1f}s)", flush=True)
    return rows, med


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", default=DEFAULT_CORPUS)
    p.add_argument("--objectives", default="sgns", help=f"comma list of {sorted(OBJECTIVES)}")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--scaling", action="store_true", help="also run with 1 worker")
    p.add_argument("--jit", action="store_true", help="measure compile time and warm start-up")
    p.add_argument("--whole-command", action="store_true", help="time the whole train command")
    p.add_argument("--json", help="append this run's record to a JSON list in this file")
    p.add_argument("--child", nargs=6, metavar=("IMPL", "OBJ", "CORPUS", "EPOCHS", "WORKERS", "SEED"),
                   help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        impl, obj, corpus, epochs, workers, seed = args.child
        return child(impl, obj, corpus, int(epochs), int(workers), int(seed))
    objectives = args.objectives.split(",")
    unknown = [o for o in objectives if o not in OBJECTIVES]
    if unknown:
        p.error(f"unknown objective(s) {unknown}; choose from {sorted(OBJECTIVES)}")
    if not os.path.exists(args.corpus):
        p.error(f"corpus {args.corpus} not found (give --corpus)")
    from _study import machine_info
    record = dict(machine=machine_info(args.workers), corpus=os.path.abspath(args.corpus),
                  settings=dict(SETTINGS, epochs=args.epochs), repeat=args.repeat,
                  started=time.strftime("%Y-%m-%d %H:%M:%S"))
    runs = side_by_side(objectives, args.corpus, args.epochs, args.workers, args.repeat)
    if args.scaling:
        runs += side_by_side(objectives, args.corpus, args.epochs, 1, args.repeat)
    record["runs"] = runs
    record["medians"], record["ratios"] = summarise(runs)
    if args.jit:
        record["jit"] = {o: jit_cost(o) for o in objectives}
        for o, j in record["jit"].items():
            print(f"jit {o:18s} first call (empty cache) {j['cold_s']:.1f}s, "
                  f"warm cache {j['warm_s']:.1f}s, import fastw2v {j['import_s']:.2f}s", flush=True)
    if args.whole_command:
        record["whole_command"] = {}
        for o in objectives:
            rows, med = whole_command(o, args.corpus, args.workers, args.repeat)
            record["whole_command"][o] = dict(runs=rows, medians=med)
    if args.json:
        from _study import save_runs
        save_runs(args.json, [record])
    return record


if __name__ == "__main__":
    main()
