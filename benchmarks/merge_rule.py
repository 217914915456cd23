"""How should the threads' copies of the hottest output rows merge? Quality at 2 threads.

The parallel kernels train each thread's own copy of the hottest output rows and merge the
changes every ``config.STAGE_MERGE_WINDOWS`` windows (cpu/_staging.py). "sum" adds every
thread's change to the shared row; "mean" adds their mean (model averaging, as Spark MLlib
averages its partitions). This trains SGNS, CBOW-NS and skip-gram HS on text8-head, 5 epochs,
2 threads, each rule and seed in a fresh process, and records analogy accuracy, WordSim-353
Spearman and the loss per example of every epoch. ``--every`` also varies how many windows
pass between a thread's merges (default: config.STAGE_MERGE_WINDOWS).

    python benchmarks/merge_rule.py --seeds 1,2,3 --json bench_results/merge_rule.json
    python benchmarks/merge_rule.py --objectives sg-hs --rules sum --every 64,128,1024 \
        --json bench_results/merge_rule.json
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "..", "shared", "data", "text8-head.txt")
OBJECTIVES = {"sgns": dict(sg=1, negative=5), "cbow-ns": dict(sg=0, negative=5, alpha=0.05),
              "sg-hs": dict(sg=1, hs=1, negative=0)}


def child(objective, rule, every, seed, corpus):
    from fastw2v import Word2Vec, config
    from fastw2v.data import QUESTIONS_WORDS, WORDSIM353
    config.STAGE_MERGE = rule
    config.STAGE_MERGE_WINDOWS = every or config.STAGE_MERGE_WINDOWS
    every = config.STAGE_MERGE_WINDOWS
    model = Word2Vec(vector_size=100, window=5, min_count=5, sample=1e-3, epochs=5, workers=2,
                     seed=seed, **OBJECTIVES[objective]).fit(corpus, verbose=False)
    print(json.dumps(dict(
        objective=objective, rule=rule, every=every, seed=seed, workers=2,
        analogy=model.wv.evaluate_word_analogies(QUESTIONS_WORDS, restrict_vocab=30000).accuracy,
        spearman=model.wv.evaluate_word_pairs(WORDSIM353).spearman,
        loss_per_example=[loss / n for loss, n in zip(model.epoch_losses, model.epoch_pairs)])))


def table(runs):
    """Markdown: medians per (objective, rule)."""
    groups = {}
    for r in runs:
        groups.setdefault((r["objective"], r["rule"], r.get("every", 1024)), []).append(r)
    lines = ["| objective | merge | windows between merges | runs | analogy % median (each seed) | "
             "Spearman median | last epoch's loss per example, median |", "| --- |" + " --- |" * 6]
    for (objective, rule, every), rs in sorted(groups.items()):
        acc = [100 * r["analogy"] for r in rs]
        lines.append(f"| {objective} | {rule} | {every} | {len(rs)} | {statistics.median(acc):.2f} "
                     f"({', '.join(f'{a:.2f}' for a in acc)}) | "
                     f"{statistics.median(r['spearman'] for r in rs):.3f} | "
                     f"{statistics.median(r['loss_per_example'][-1] for r in rs):.4f} |")
    return lines


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", default=DEFAULT_CORPUS)
    p.add_argument("--objectives", default="sgns,cbow-ns,sg-hs")
    p.add_argument("--rules", default="sum,mean")
    p.add_argument("--every", default="0", help="windows between merges, comma-separated; 0: the library's")
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--json", help="append the runs to this file (a JSON list)")
    p.add_argument("--child", nargs=4, metavar=("OBJECTIVE", "RULE", "EVERY", "SEED"),
                   help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        objective, rule, every, seed = args.child
        return child(objective, rule, int(every), int(seed), args.corpus)
    runs = []
    for seed in args.seeds.split(","):
        for objective in args.objectives.split(","):
            for rule in args.rules.split(","):
                for every in args.every.split(","):
                    out = subprocess.run([sys.executable, __file__, "--corpus", args.corpus,
                                          "--child", objective, rule, every, seed],
                                         check=True, capture_output=True, text=True)
                    runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                    print(json.dumps(runs[-1]), flush=True)
    if args.json:
        from fastw2v._files import atomic_write
        old = json.load(open(args.json)) if os.path.exists(args.json) else []
        runs = old + runs
        with atomic_write(args.json, "w") as f:
            json.dump(runs, f, indent=1)
    print("\n".join(table(runs)))


if __name__ == "__main__":
    main()
