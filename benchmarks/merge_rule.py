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
import statistics

from _study import DEFAULT_CORPUS, accuracy_cell, run_child, save_runs, scores

OBJECTIVES = {"sgns": dict(sg=1, negative=5), "cbow-ns": dict(sg=0, negative=5, alpha=0.05),
              "sg-hs": dict(sg=1, hs=1, negative=0)}


def child(objective, rule, every, seed, corpus):
    from fastw2v import Word2Vec, config
    config.STAGE_MERGE = rule
    config.STAGE_MERGE_WINDOWS = every or config.STAGE_MERGE_WINDOWS
    every = config.STAGE_MERGE_WINDOWS
    model = Word2Vec(vector_size=100, window=5, min_count=5, sample=1e-3, epochs=5, workers=2,
                     seed=seed, **OBJECTIVES[objective]).fit(corpus, verbose=False)
    print(json.dumps(dict(
        objective=objective, rule=rule, every=every, seed=seed, workers=2, **scores(model),
        loss_per_example=[loss / n for loss, n in zip(model.epoch_losses, model.epoch_pairs)])))


def table(runs):
    """Markdown: medians per (objective, rule)."""
    groups = {}
    for r in runs:
        groups.setdefault((r["objective"], r["rule"], r.get("every", 1024)), []).append(r)
    lines = ["| objective | merge | windows between merges | runs | analogy % median (each seed) | "
             "Spearman median | last epoch's loss per example, median |", "| --- |" + " --- |" * 6]
    for (objective, rule, every), rs in sorted(groups.items()):
        lines.append(f"| {objective} | {rule} | {every} | {len(rs)} | {accuracy_cell(rs)} | "
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
    runs = [run_child(__file__, args.corpus, objective, rule, every, seed)
            for seed in args.seeds.split(",") for objective in args.objectives.split(",")
            for rule in args.rules.split(",") for every in args.every.split(",")]
    print("\n".join(table(save_runs(args.json, runs))))

if __name__ == "__main__":
    main()
