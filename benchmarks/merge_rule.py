"""How should the threads' copies of the hottest output rows merge? Quality at 2 threads.

The parallel kernels train each thread's own copy of the hottest output rows and merge the
changes every ``config.STAGE_MERGE_WINDOWS`` windows (cpu/_staging.py). "sum" adds every
thread's change to the shared row; "mean" adds their mean (model averaging, as Spark MLlib
averages its partitions). This trains SGNS, CBOW-NS and skip-gram HS on text8-head, 5 epochs,
2 threads, each rule and seed in a fresh process, and records analogy accuracy, WordSim-353
Spearman and the loss per example of every epoch.

    python benchmarks/merge_rule.py --seeds 1,2,3 --json bench_results/merge_rule.json
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


def child(objective, rule, seed, corpus):
    from fastw2v import Word2Vec, config
    from fastw2v.data import QUESTIONS_WORDS, WORDSIM353
    config.STAGE_MERGE = rule
    model = Word2Vec(vector_size=100, window=5, min_count=5, sample=1e-3, epochs=5, workers=2,
                     seed=seed, **OBJECTIVES[objective]).fit(corpus, verbose=False)
    print(json.dumps(dict(
        objective=objective, rule=rule, seed=seed, workers=2,
        analogy=model.wv.evaluate_word_analogies(QUESTIONS_WORDS, restrict_vocab=30000).accuracy,
        spearman=model.wv.evaluate_word_pairs(WORDSIM353).spearman,
        loss_per_example=[loss / n for loss, n in zip(model.epoch_losses, model.epoch_pairs)])))


def table(runs):
    groups = {}
    for r in runs:
        groups.setdefault((r["objective"], r["rule"]), []).append(r)
    print(f"{'objective':10} {'rule':5} {'n':>2}  analogy % median  Spearman median  last-epoch loss median")
    for (objective, rule), rs in sorted(groups.items()):
        print(f"{objective:10} {rule:5} {len(rs):2d}  {statistics.median(100 * r['analogy'] for r in rs):16.2f}"
              f"  {statistics.median(r['spearman'] for r in rs):15.3f}"
              f"  {statistics.median(r['loss_per_example'][-1] for r in rs):22.4f}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", default=DEFAULT_CORPUS)
    p.add_argument("--objectives", default="sgns,cbow-ns,sg-hs")
    p.add_argument("--rules", default="sum,mean")
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--json", help="append the runs to this file (a JSON list)")
    p.add_argument("--child", nargs=3, metavar=("OBJECTIVE", "RULE", "SEED"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        objective, rule, seed = args.child
        return child(objective, rule, int(seed), args.corpus)
    runs = []
    for seed in args.seeds.split(","):
        for objective in args.objectives.split(","):
            for rule in args.rules.split(","):
                out = subprocess.run([sys.executable, __file__, "--corpus", args.corpus, "--child",
                                      objective, rule, seed], check=True, capture_output=True,
                                     text=True)
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(json.dumps(runs[-1]), flush=True)
    if args.json:
        from fastw2v._files import atomic_write
        old = json.load(open(args.json)) if os.path.exists(args.json) else []
        runs = old + runs
        with atomic_write(args.json, "w") as f:
            json.dump(runs, f, indent=1)
    table(runs)


if __name__ == "__main__":
    main()
