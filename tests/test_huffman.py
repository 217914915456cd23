"""huffman.py: gensim's Huffman tree, ties included, checked against the standard library's
heapq (gensim's own algorithm) and against gensim itself."""
import heapq

import numpy as np
import pytest

from conftest import require
from fastw2v.huffman import huffman_tree
from fastw2v.vocab import Vocab


class _ByCount(tuple):
    """(count, node) comparing by count alone, as gensim's Heapitem."""
    def __lt__(self, other):
        return self[0] < other[0]


def heapq_paths(counts):
    """gensim's _build_heap and _assign_binary_codes with the standard library's heapq, on the
    words in gensim's order (descending count, ties in reverse order of first appearance)."""
    V = len(counts)
    order = sorted(range(V), key=lambda i: (-counts[i], -i))
    heap = [_ByCount((counts[i], i)) for i in order]
    heapq.heapify(heap)
    children = {}
    for a in range(V - 1):
        first, second = heapq.heappop(heap), heapq.heappop(heap)
        children[V + a] = (first[1], second[1])
        heapq.heappush(heap, _ByCount((first[0] + second[0], V + a)))
    paths = {}
    stack = [(2 * V - 2, [], [])]
    while stack:
        node, code, point = stack.pop()
        if node < V:
            paths[node] = (code, point)
            continue
        left, right = children[node]
        stack.append((left, code + [0], point + [node - V]))
        stack.append((right, code + [1], point + [node - V]))
    return paths


def assert_same_paths(tree, paths):
    codes, points, codelens = tree
    for w, (code, point) in paths.items():
        assert codes[w, :codelens[w]].tolist() == code, w
        assert points[w, :codelens[w]].tolist() == point, w


def test_ties_fall_as_in_gensims_heap():
    # words of equal count next to inner nodes of the same count: word2vec.c merges the inner
    # node first, a word-first rule the word, gensim wherever its heap holds them
    counts = [9, 4, 4, 2, 2, 2, 2, 1, 1]
    codes, points, codelens = tree = huffman_tree(counts)
    assert_same_paths(tree, heapq_paths(counts))
    # by hand: words 7 + 8 make inner node 9 (count 2; row 0). Among the 2s (words 3, 4, 5, 6
    # and node 9) the heap pops words 4 and 3 (node 10, row 1), then word 5 and node 9 (row 2),
    # then word 6 with word 2, a 4 (row 3). A word-first rule pairs words 6 + 5 and 4 + 3
    # instead, word2vec.c's node 9 with word 6: each gives other depths to words 1 and 3-6.
    assert codelens.tolist() == [2, 2, 3, 4, 4, 4, 3, 5, 5]
    parent_row = [points[w, codelens[w] - 1] for w in range(len(counts))]
    assert parent_row == [6, 5, 3, 1, 1, 2, 3, 0, 0]
    assert points[0, 0] == len(counts) - 2                    # the root is the last inner node


@pytest.mark.parametrize("seed", range(5))
def test_equals_heapq_on_vocabularies_full_of_ties(seed):
    rng = np.random.default_rng(seed)
    V = int(rng.integers(2, 400))
    counts = np.sort(rng.integers(1, 12, V))[::-1].tolist()
    tree = huffman_tree(counts)
    assert_same_paths(tree, heapq_paths(counts))
    codes, points, codelens = tree
    # a Huffman tree: its cost is the sum of all merged counts, which heapq's optimum gives
    merged, h = 0, list(counts)
    heapq.heapify(h)
    while len(h) > 1:
        s = heapq.heappop(h) + heapq.heappop(h)
        merged += s
        heapq.heappush(h, s)
    assert int(np.dot(counts, codelens)) == merged


def test_paths_are_a_prefix_code():
    counts = np.sort(np.random.default_rng(9).integers(1, 30, 200))[::-1]
    codes, points, codelens = huffman_tree(counts)
    words = {tuple(codes[w, :codelens[w]]) for w in range(counts.size)}
    assert len(words) == counts.size
    for w in range(counts.size):
        assert points[w, 0] == counts.size - 2                 # every path starts at the root
        for d in range(1, codelens[w]):
            assert tuple(codes[w, :d]) not in words


def test_one_and_two_words():
    assert huffman_tree([5])[2].tolist() == [0]
    codes, points, codelens = huffman_tree([5, 3])
    assert codelens.tolist() == [1, 1] and points[:, 0].tolist() == [0, 0]
    assert sorted(codes[:, 0].tolist()) == [0, 1]


def test_same_tree_as_gensim_on_a_corpus():
    gensim = require("gensim")
    rng = np.random.default_rng(4)
    # a Zipf-like corpus: many words seen exactly min_count, min_count + 1, ... times
    words = [f"w{int(i)}" for i in rng.zipf(1.3, 20_000) if i < 3000]
    corpus = [words[i:i + 50] for i in range(0, len(words), 50)]
    theirs = gensim.models.Word2Vec(vector_size=4, min_count=2, hs=1, negative=0, workers=1)
    theirs.build_vocab(corpus_iterable=corpus)
    from fastw2v.corpus import scan
    scanned = scan(corpus, False, None)
    vocab, _ = Vocab.from_counts(scanned.words, scanned.counts, 2)
    assert len(vocab) == len(theirs.wv) > 300
    codes, points, codelens = vocab.huffman_tree()
    for w, i in vocab.key_to_index.items():
        assert codes[i, :codelens[i]].tolist() == list(theirs.wv.get_vecattr(w, "code")), w
        assert points[i, :codelens[i]].tolist() == list(theirs.wv.get_vecattr(w, "point")), w
