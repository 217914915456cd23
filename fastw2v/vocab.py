"""Vocabulary: counts, min_count, subsampling keep-probabilities, the unigram^0.75 noise table.

Words are sorted by descending count (ties keep their order of first appearance), so id 0 is
the most frequent word, as in word2vec.c and gensim; files written from this order are what
both tools write.
"""
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Vocab:
    """Words sorted by descending count, with their counts."""
    words: list
    counts: np.ndarray  # (V,) int64
    key_to_index: dict = field(init=False, repr=False)

    def __post_init__(self):
        self.counts = np.asarray(self.counts, dtype=np.int64)
        if len(self.words) != self.counts.size:
            raise ValueError(f"{len(self.words)} words but {self.counts.size} counts")
        self.key_to_index = {w: i for i, w in enumerate(self.words)}

    def __len__(self):
        return len(self.words)

    @property
    def total_words(self):
        """Tokens of in-vocabulary words in the corpus (word2vec.c's ``train_words``)."""
        return int(self.counts.sum())

    @classmethod
    def from_counts(cls, words, counts, min_count=1):
        """Keep words with ``count >= min_count``, sorted by descending count.

        Returns the vocabulary and, for each input position, its new id (-1 when dropped).
        ``None`` words (pruned while counting) are always dropped.
        """
        counts = np.asarray(counts, dtype=np.int64)
        alive = counts >= max(min_count, 1)
        order = np.flatnonzero(alive)
        order = order[np.argsort(-counts[order], kind="stable")]
        new_id = np.full(counts.size, -1, dtype=np.int32)
        new_id[order] = np.arange(order.size, dtype=np.int32)
        return cls([words[i] for i in order], counts[order]), new_id

    def keep_probabilities(self, sample):
        """Probability of keeping each occurrence of a word when subsampling frequent words.

        word2vec.c's formula (Mikolov et al. 2013b, sec. 2.3, as implemented):
        ``keep(w) = (sqrt(f / (s*T)) + 1) * (s*T) / f`` with f the word's count, T the total
        count and s the ``sample`` threshold. Values above 1 mean always keep; ``sample=0``
        turns subsampling off.
        """
        if sample <= 0:
            return np.ones(len(self), dtype=np.float32)
        threshold = sample * self.total_words
        f = self.counts.astype(np.float64)
        keep = (np.sqrt(f / threshold) + 1.0) * threshold / f
        return np.minimum(keep, 1.0).astype(np.float32)

    def noise_distribution(self, exponent=0.75):
        """P(w) proportional to count(w)**exponent: the negative-sampling noise (sec. 2.2)."""
        p = self.counts.astype(np.float64) ** exponent
        return p / p.sum()

    def noise_table(self, exponent=0.75, size=10_000_000):
        """A table of ``size`` word ids in which word w fills a share P(w) of the slots.

        Drawing a uniform slot draws a word from the noise distribution in O(1), as
        word2vec.c's InitUnigramTable (which uses 1e8 slots, 400 MB; 1e7 keeps the relative
        error of a word seen 5 times in text8 under a few percent at 40 MB).
        """
        if size < len(self):
            raise ValueError(f"noise table size {size} is smaller than the vocabulary ({len(self)})")
        cumulative = np.cumsum(self.noise_distribution(exponent))
        slots = (np.arange(size, dtype=np.float64) + 0.5) / size
        table = np.searchsorted(cumulative, slots, side="right")
        return np.minimum(table, len(self) - 1).astype(np.int32)

    def huffman_tree(self):
        """Binary Huffman codes and inner-node paths for hierarchical softmax (sec. 2.1).

        Built as word2vec.c's CreateBinaryTree: the two least frequent nodes are merged
        repeatedly (words are sorted by count, so two pointers find them in O(V)). On a tie
        between a word and an inner node the word is merged first, as gensim's heap does;
        word2vec.c takes the inner node. Both trees are optimal (same expected code length),
        but on text8-head skip-gram HS measured WordSim-353 Spearman 0.606 with words first
        and 0.590 with word2vec.c's rule (mean of 2 seeds each). Word w's
        path from the root has ``codelens[w]`` inner nodes ``points[w, :codelens[w]]`` (rows of
        the V-1 row output matrix, word2vec.c's syn1) and branch bits ``codes[w, :codelens[w]]``.
        Frequent words get short codes.
        """
        V = len(self)
        count = np.full(2 * V - 1 if V > 1 else 1, np.iinfo(np.int64).max // 4, dtype=np.int64)
        count[:V] = self.counts
        parent = np.zeros(count.size, dtype=np.int64)
        branch = np.zeros(count.size, dtype=np.uint8)
        leaf, node = V - 1, V              # next unused leaf (walking down) and inner node
        for a in range(V - 1):
            picked = []
            for _ in range(2):
                if leaf >= 0 and count[leaf] <= count[node]:
                    picked.append(leaf)
                    leaf -= 1
                else:
                    picked.append(node)
                    node += 1
            count[V + a] = count[picked[0]] + count[picked[1]]
            parent[picked[0]] = parent[picked[1]] = V + a
            branch[picked[1]] = 1
        root = 2 * V - 2
        paths = []
        for w in range(V):
            code, point, b = [], [], w
            while b != root:
                code.append(branch[b])
                b = parent[b]
                point.append(b - V)        # inner node b is row b - V of syn1
            paths.append((code[::-1], point[::-1]))
        depth = max((len(c) for c, _ in paths), default=0)
        codes = np.zeros((V, max(depth, 1)), dtype=np.uint8)
        points = np.zeros((V, max(depth, 1)), dtype=np.int32)
        codelens = np.zeros(V, dtype=np.int32)
        for w, (code, point) in enumerate(paths):
            codes[w, :len(code)] = code
            points[w, :len(point)] = point
            codelens[w] = len(code)
        return codes, points, codelens
