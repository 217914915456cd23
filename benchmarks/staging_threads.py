"""Quality of the parallel CPU kernels at many threads: staging with the "sum" or "mean" merge,
or none (STAGED_ROWS=0). text8-head, 5 epochs, seed 1; prints one JSON line.

    NUMBA_CACHE_DIR=/tmp/nc_RULE_STAGED python benchmarks/staging_threads.py RULE STAGED THREADS SG

(a separate numba cache per setting: kernels read fastw2v.config when compiled, and numba's
cache does not notice a changed setting). Run on the 16-core host of the H200 machine,
2026-12-04; results in bench_results/staging_threads.json and decisions.md#staging-threads.
Since then config.STAGE_MAX_THREADS turns staging off above 4 threads, so STAGED > 0 with
more threads than that stages nothing.
"""
import argparse
import json

from fastw2v import Word2Vec, config
from fastw2v.data import TEXT8_SAMPLE


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("rule", choices=["sum", "mean"], help="how staged rows merge")
    p.add_argument("staged", type=int, help="rows each thread stages (0: none)")
    p.add_argument("threads", type=int)
    p.add_argument("sg", type=int, choices=[0, 1], help="1: SGNS, 0: CBOW")
    args = p.parse_args()
    rule, staged, threads, sg = args.rule, args.staged, args.threads, args.sg
    config.STAGE_MERGE = rule
    config.STAGED_ROWS = staged
    params = dict(sg=sg, negative=5, epochs=5, seed=1, workers=threads, **({} if sg else dict(alpha=0.05)))
    m = Word2Vec(**params).build_vocab(str(TEXT8_SAMPLE))
    m.train(verbose=False)
    a = m.wv.evaluate_word_analogies().accuracy
    s = m.wv.evaluate_word_pairs().spearman
    print(json.dumps(dict(rule=rule, staged=staged, threads=threads, sg=sg, analogy=round(a, 4),
                          spearman=round(s, 4), wps=round(m.words_per_second),
                          loss=[round(l / p, 4) for l, p in zip(m.epoch_losses, m.epoch_pairs)])),
          flush=True)


if __name__ == "__main__":
    main()
