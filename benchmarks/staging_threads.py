"""Quality of the parallel CPU kernels at many threads: staging with the "sum" or "mean" merge,
or none (STAGED_ROWS=0). text8-head, 5 epochs, seed 1; prints one JSON line.

    NUMBA_CACHE_DIR=/tmp/nc_RULE_STAGED python benchmarks/staging_threads.py RULE STAGED THREADS SG

(a separate numba cache per setting: kernels read fastw2v.config when compiled, and numba's
cache does not notice a changed setting). Run on the 16-core host of the H200 machine,
2026-12-04; results in bench_results/staging_threads.json and decisions.md#staging-threads.
Since then config.STAGE_MAX_THREADS turns staging off above 4 threads, so STAGED > 0 with
more threads than that stages nothing.
"""
import json, sys, time
from fastw2v import Word2Vec, config
from fastw2v.data import TEXT8_SAMPLE

rule, staged, threads, sg = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
config.STAGE_MERGE = rule
config.STAGED_ROWS = staged
params = dict(sg=sg, negative=5, epochs=5, seed=1, workers=threads, **({} if sg else dict(alpha=0.05)))
m = Word2Vec(**params).build_vocab(str(TEXT8_SAMPLE))
t = time.time()
m.train(verbose=False)
a = m.wv.evaluate_word_analogies().accuracy
s = m.wv.evaluate_word_pairs().spearman
print(json.dumps(dict(rule=rule, staged=staged, threads=threads, sg=sg, analogy=round(a, 4), spearman=round(s, 4), wps=round(m.words_per_second), loss=[round(l / p, 4) for l, p in zip(m.epoch_losses, m.epoch_pairs)])), flush=True)
