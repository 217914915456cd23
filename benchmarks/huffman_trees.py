"""Which Huffman tree? Hierarchical softmax trained on trees that differ only in how ties fall.

Every Huffman tree of a vocabulary has the same expected code length; trees differ where
counts tie (on text8-head with min_count 5, thousands of words are seen exactly 5, 6, ...
times). This trains skip-gram HS (or CBOW HS) with the serial kernel, 5 epochs, on each tree
and records analogy accuracy, WordSim-353 Spearman and the tree's depth profile:

    word-first       two queues (word2vec.c's CreateBinaryTree), a word before an inner node
                     of equal count (fastw2v's rule before gensim's was adopted)
    node-first       word2vec.c's rule: the inner node first
    gensim           gensim's heap (count-only comparisons) on gensim's word order: what
                     fastw2v.huffman builds
    heap-ours        gensim's heap on fastw2v's word order (ties in order of first appearance)
    heap-shuffle-N   gensim's heap on the tied words in a random order (seed N)
    word-first-shuffle / coin
                     two queues on randomly ordered ties; coin: a word or an inner node at random

    python benchmarks/huffman_trees.py --trees word-first,node-first,gensim --seeds 1,2,3 \\
        --json bench_results/huffman_trees.json

Each training runs in a fresh process; runs are appended to the JSON, and a table of medians
per tree is printed.
"""
import argparse
import heapq
import json
import statistics

import numpy as np

from _study import DEFAULT_CORPUS, accuracy_cell, run_child, save_runs, scores


# ---- the candidate trees, as (parent, branch) over node ids (words 0..V-1, inner V + a) ----
def two_queues(counts, take_word):
    """word2vec.c's CreateBinaryTree; ``take_word(word_count, node_count)`` breaks the tie."""
    V = len(counts)
    count = np.full(2 * V - 1, 2**60, np.int64)
    count[:V] = counts
    parent = np.zeros(2 * V - 1, np.int64)
    branch = np.zeros(2 * V - 1, np.uint8)
    leaf, node = V - 1, V
    for a in range(V - 1):
        picked = []
        for _ in range(2):
            if leaf >= 0 and (count[leaf] < count[node] or
                              (count[leaf] == count[node] and take_word())):
                picked.append(leaf)
                leaf -= 1
            else:
                picked.append(node)
                node += 1
        count[V + a] = count[picked[0]] + count[picked[1]]
        parent[picked[0]] = parent[picked[1]] = V + a
        branch[picked[1]] = 1
    return parent, branch


class _ByCount(tuple):
    def __lt__(self, other):                  # gensim's Heapitem compares counts only
        return self[0] < other[0]


def heap(counts, order):
    V = len(counts)
    items = [_ByCount((int(counts[i]), int(i))) for i in order]
    heapq.heapify(items)
    parent = np.zeros(2 * V - 1, np.int64)
    branch = np.zeros(2 * V - 1, np.uint8)
    for a in range(V - 1):
        first, second = heapq.heappop(items), heapq.heappop(items)
        parent[first[1]] = parent[second[1]] = V + a
        branch[second[1]] = 1
        heapq.heappush(items, _ByCount((first[0] + second[0], V + a)))
    return parent, branch


def shuffled_ties(counts, seed):
    """Word ids by descending count, tied words in a random order."""
    return np.lexsort((np.random.default_rng(seed).random(len(counts)), -counts))


def relabel(build, counts, order):
    """Build on the words listed in ``order`` (still by descending count), map back to ids."""
    parent, branch = build(counts[order])
    V = len(counts)
    p, b = parent.copy(), branch.copy()
    p[order], b[order] = parent[:V], branch[:V]
    return p, b


def build(name, counts):
    from fastw2v.huffman import _paths, gensim_order
    V = len(counts)
    if name == "word-first":
        parent, branch = two_queues(counts, lambda: True)
    elif name == "node-first":
        parent, branch = two_queues(counts, lambda: False)
    elif name == "gensim":
        parent, branch = heap(counts, gensim_order(counts))
    elif name == "heap-ours":
        parent, branch = heap(counts, np.arange(V))
    elif name.startswith("heap-shuffle-"):
        parent, branch = heap(counts, shuffled_ties(counts, int(name.rsplit("-", 1)[1])))
    elif name == "word-first-shuffle":
        parent, branch = relabel(lambda c: two_queues(c, lambda: True), counts,
                                 shuffled_ties(counts, 12345))
    elif name == "coin":
        rng = np.random.default_rng(777)
        parent, branch = relabel(lambda c: two_queues(c, lambda: rng.random() < 0.5), counts,
                                 shuffled_ties(counts, 12345))
    else:
        raise ValueError(f"unknown tree {name!r}")
    return _paths(parent, branch, V)


def depth_profile(tree, counts):
    """Depths that a tree could differ in: all Huffman trees share the expected code length."""
    codelens = tree[2]
    p = counts / counts.sum()
    rare = counts == counts.min()
    return dict(mean_depth=float(p @ codelens), max_depth=int(codelens.max()),
                depth_top100=float(codelens[:100].mean()),
                depth_top1000=float(codelens[:1000].mean()),
                depth_rarest=float(codelens[rare].mean()))


# ---- one training run, in a child process --------------------------------------------------
def child(tree, seed, workers, arch, corpus):
    from fastw2v import Word2Vec
    from fastw2v.vocab import Vocab
    Vocab.huffman_tree = lambda self: build(tree, self.counts)
    params = dict(sg=1, hs=1, negative=0) if arch == "sg" else dict(sg=0, hs=1, negative=0, alpha=0.05)
    model = Word2Vec(vector_size=100, window=5, min_count=5, sample=1e-3, epochs=5,
                     workers=workers, seed=seed, **params).fit(corpus, verbose=False)
    print(json.dumps(dict(tree=tree, seed=seed, workers=workers, arch=arch, **scores(model),
                          **depth_profile(build(tree, model.vocab.counts), model.vocab.counts))))


def table(runs):
    """Markdown: medians per (architecture, threads, tree), with every run's accuracy."""
    groups = {}
    for r in runs:
        groups.setdefault((r["arch"], r["workers"], r["tree"]), []).append(r)
    lines = ["| model | threads | tree | runs | analogy % median (each seed) | Spearman median | "
             "mean depth | depth of the top 1000 |", "| --- |" + " --- |" * 7]
    for (arch, workers, tree), rs in sorted(groups.items()):
        lines.append(f"| {'skip-gram' if arch == 'sg' else 'CBOW'} HS | {workers} | {tree} | "
                     f"{len(rs)} | {accuracy_cell(rs)} | "
                     f"{statistics.median(r['spearman'] for r in rs):.3f} | {rs[0]['mean_depth']:.4f} | "
                     f"{rs[0]['depth_top1000']:.3f} |")
    return lines


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", default=DEFAULT_CORPUS)
    p.add_argument("--trees", default="word-first,node-first,gensim")
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--arch", default="sg", choices=["sg", "cbow"])
    p.add_argument("--json", help="append the runs to this file (a JSON list)")
    p.add_argument("--child", nargs=4, metavar=("TREE", "SEED", "WORKERS", "ARCH"),
                   help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        tree, seed, workers, arch = args.child
        return child(tree, int(seed), int(workers), arch, args.corpus)
    runs = [run_child(__file__, args.corpus, tree, seed, args.workers, args.arch)
            for seed in args.seeds.split(",") for tree in args.trees.split(",")]
    print("\n".join(table(save_runs(args.json, runs))))

if __name__ == "__main__":
    main()
