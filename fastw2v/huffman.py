"""The Huffman tree of hierarchical softmax (Mikolov et al. 2013b, sec. 2.1), built as gensim
builds it, so that both libraries train the same tree on the same corpus.

Every Huffman tree of a vocabulary has the same expected code length, and on text8-head the
candidate tie rules (word2vec.c's inner node first, word first, gensim's heap) give each count
the same depth too; they differ only in which words share inner nodes where counts tie
(thousands of words are seen exactly 5, 6, ... times). That grouping moved skip-gram HS analogy
accuracy by up to 1.5 points between trees, more than the seeds move one tree, and no rule was
better as a rule: gensim's heap on random orders of the tied words spread as widely as the
rules did (``benchmarks/huffman_trees.py``, results and table in bench_results/README.md).
So we take gensim's tree: the same codes and points as gensim's ``_build_heap`` /
``_assign_binary_codes`` on every corpus (tests/test_huffman.py checks it against gensim),
which leaves the kernels as the only difference in a side-by-side with gensim.

gensim pops the two smallest items of a binary heap (``heapq``) whose items compare by count
alone, so ties fall where the heap's layout puts them; the heap starts from the vocabulary in
gensim's order: by descending count, ties in *reverse* order of first appearance (gensim 4.4's
``sort_by_descending_frequency``; 4.3 and earlier ordered ties by an unstable argsort, so their
trees can differ where counts tie). Below is
CPython's heapq, step for step, on arrays.
"""
import numpy as np
from numba import njit

from . import config


@njit(cache=config.CACHE)
def _sift_down(heap, count, start, pos):
    """heapq._siftdown: move heap[pos] towards the root while it is smaller than its parent."""
    item = heap[pos]
    while pos > start:
        parent = (pos - 1) >> 1
        if count[item] < count[heap[parent]]:
            heap[pos] = heap[parent]
            pos = parent
            continue
        break
    heap[pos] = item


@njit(cache=config.CACHE)
def _sift_up(heap, count, size, pos):
    """heapq._siftup: move the smaller child up until a leaf is reached, then sift down."""
    start = pos
    item = heap[pos]
    child = 2 * pos + 1
    while child < size:
        right = child + 1
        if right < size and not count[heap[child]] < count[heap[right]]:
            child = right
        heap[pos] = heap[child]
        pos = child
        child = 2 * pos + 1
    heap[pos] = item
    _sift_down(heap, count, start, pos)


@njit(cache=config.CACHE)
def _pop(heap, count, size):
    """heapq.heappop on heap[:size]; returns (item, new size)."""
    size -= 1
    last = heap[size]
    if size == 0:
        return last, size
    top = heap[0]
    heap[0] = last
    _sift_up(heap, count, size, 0)
    return top, size


@njit(cache=config.CACHE)
def _merge(counts, order):
    """Merge the two smallest nodes V - 1 times. Node ids: words 0..V-1, inner node a is V + a.
    Returns (parent, branch) of every node: the first popped child gets bit 0, the second 1."""
    V = counts.shape[0]
    count = np.zeros(2 * V - 1, dtype=np.int64)
    count[:V] = counts
    parent = np.zeros(2 * V - 1, dtype=np.int64)
    branch = np.zeros(2 * V - 1, dtype=np.uint8)
    heap = np.empty(V, dtype=np.int64)
    heap[:] = order
    for i in range(V // 2 - 1, -1, -1):               # heapq.heapify
        _sift_up(heap, count, V, i)
    size = V
    for a in range(V - 1):
        first, size = _pop(heap, count, size)
        second, size = _pop(heap, count, size)
        node = V + a
        count[node] = count[first] + count[second]
        parent[first] = parent[second] = node
        branch[second] = 1
        heap[size] = node                             # heapq.heappush
        _sift_down(heap, count, 0, size)
        size += 1
    return parent, branch


@njit(cache=config.CACHE)
def _paths(parent, branch, V):
    """Each word's path from the root: inner nodes (rows of syn1) and branch bits."""
    root = 2 * V - 2
    codelens = np.zeros(V, dtype=np.int32)
    for w in range(V):
        b = w
        while b != root:
            codelens[w] += 1
            b = parent[b]
    depth = max(codelens.max(), 1) if V > 0 else 1
    codes = np.zeros((V, depth), dtype=np.uint8)
    points = np.zeros((V, depth), dtype=np.int32)
    for w in range(V):
        b = w
        d = codelens[w]
        while b != root:                              # walk up, fill from the leaf end
            d -= 1
            codes[w, d] = branch[b]
            b = parent[b]
            points[w, d] = b - V                      # inner node b is row b - V of syn1
    return codes, points, codelens


def gensim_order(counts):
    """gensim's vocabulary order of words listed by descending count, ties in order of first
    appearance: by descending count, ties reversed."""
    return np.lexsort((-np.arange(counts.size), -counts)).astype(np.int64)


def huffman_tree(counts):
    """``(codes, points, codelens)`` for words with ``counts`` (sorted by descending count,
    ties in order of first appearance, as ``Vocab`` keeps them): word w's path from the root
    has ``codelens[w]`` inner nodes ``points[w, :codelens[w]]`` (rows of the V-1 row output
    matrix) and branch bits ``codes[w, :codelens[w]]``. Frequent words get short codes."""
    counts = np.asarray(counts, dtype=np.int64)
    V = counts.size
    if V < 2:
        return np.zeros((V, 1), np.uint8), np.zeros((V, 1), np.int32), np.zeros(V, np.int32)
    parent, branch = _merge(counts, gensim_order(counts))
    return _paths(parent, branch, V)
