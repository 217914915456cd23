#!/usr/bin/env bash
# Regenerate bench_results/: the pytest-benchmark suites, the side-by-side with gensim, the
# README table and chart, the Huffman-tree and merge-rule studies. About 60 minutes on 2 cores. Run from the repository root:
#     bash benchmarks/run_all.sh [corpus]
# The corpus defaults to ../shared/data/text8-head.txt beside the checkout.
set -euo pipefail
corpus="${1:-../shared/data/text8-head.txt}"
export FASTW2V_BENCH_CORPUS="$corpus"
python -m pytest benchmarks --benchmark-only --benchmark-storage=file://./bench_results \
    --benchmark-save=suite --benchmark-columns=median,rounds -q
python benchmarks/compare_gensim.py --corpus "$corpus" --objectives sgns,cbow-ns,sg-hs \
    --repeat 3 --scaling --jit --whole-command --json bench_results/compare_gensim.json
python benchmarks/compare_gensim.py --corpus "$corpus" \
    --objectives sgns-per-pair,cbow-ns-per-window --repeat 3 \
    --json bench_results/compare_gensim.json
python benchmarks/row_contention.py --corpus "$corpus" --objectives cbow-ns,sg-hs,sgns \
    --repeat 3 --json bench_results/row_contention.json
python benchmarks/huffman_trees.py --corpus "$corpus" --seeds 1,2,3 \
    --trees word-first,node-first,gensim,heap-shuffle-11,heap-shuffle-22 --json bench_results/huffman_trees.json
python benchmarks/merge_rule.py --corpus "$corpus" --seeds 1,2,3 --json bench_results/merge_rule.json
python benchmarks/report.py
