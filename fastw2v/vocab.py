"""Vocabulary: counts, min_count, subsampling keep-probabilities, the unigram^0.75 noise
distribution, the Huffman tree.

Words are sorted by descending count (ties keep their order of first appearance), so id 0 is
the most frequent word, as in word2vec.c and gensim; files written from this order are what
both tools write.
"""
from dataclasses import dataclass, field

import numpy as np

from .huffman import huffman_tree


# trim_rule's answers: gensim.utils's values, so that rules written for gensim work unchanged
RULE_DEFAULT, RULE_DISCARD, RULE_KEEP = 0, 1, 2


def rule_answers(words, counts, min_count, trim_rule):
    """``trim_rule(word, count, min_count)`` for every word with a count (RULE_DEFAULT for the
    others and for None answers)."""
    answers = np.full(len(counts), RULE_DEFAULT, dtype=np.int8)
    for i in np.flatnonzero(np.asarray(counts) > 0).tolist():
        answer = trim_rule(words[i], int(counts[i]), min_count)
        if answer in (RULE_KEEP, RULE_DISCARD):
            answers[i] = answer
    return answers


def keep_words(words, counts, min_count, trim_rule=None):
    """Which words stay: gensim's ``keep_vocab_item`` for every word with a count. A word
    stays when ``count >= min_count``, unless ``trim_rule(word, count, min_count)`` answers
    RULE_KEEP (it stays) or RULE_DISCARD (it goes); RULE_DEFAULT (or None) leaves the count's
    answer. Words with count 0 (pruned, or never seen) never stay."""
    counts = np.asarray(counts, dtype=np.int64)
    keep = counts >= min_count
    if trim_rule is not None:
        answers = rule_answers(words, counts, min_count, trim_rule)
        keep = (keep | (answers == RULE_KEEP)) & (answers != RULE_DISCARD)
    return keep & (counts > 0)


def final_min_count(counts, min_count, max_final_vocab=None):
    """gensim's ``effective_min_count``: ``min_count``, raised so that at most
    ``max_final_vocab`` words reach it (one more than the count of the word ranked
    ``max_final_vocab``: words tied at the cut all go, so the vocabulary may be smaller)."""
    if max_final_vocab is None:
        return min_count
    seen = np.asarray(counts, dtype=np.int64)
    seen = seen[seen > 0]
    if max_final_vocab >= seen.size:
        return max(min_count, 1)
    return max(min_count, int(np.partition(seen, seen.size - 1 - max_final_vocab)
                              [seen.size - 1 - max_final_vocab]) + 1)


def prune(counts, max_vocab_size, words=None, trim_rule=None):
    """Which words survive ``max_vocab_size``: word2vec.c's ReduceVocab rule applied to the
    final counts (while more than max_vocab_size words remain, drop those seen at most
    ``min_reduce`` times, then raise min_reduce by one). word2vec.c and gensim prune while
    counting, which also loses the early counts of words that later come back; pruning after
    counting keeps exact counts and gives the same vocabulary whatever order the first pass
    reads the corpus in. ``trim_rule`` (with ``words``) is asked in every round, with
    word2vec.c's threshold as its ``min_count`` (``min_reduce + 1``; gensim's pruning passes
    min_reduce itself, and its first round drops nothing): the words it keeps survive, so the
    vocabulary may stay larger than max_vocab_size, and the words it discards go.

    Rounds in which no word is left to the count under the threshold drop nothing by the
    count, so min_reduce jumps over them, to the smallest such count: the rounds are at most
    the distinct counts, not the largest count (a rule keeping more words than
    max_vocab_size would otherwise be asked about every word at every count up to the
    largest). A rule whose answers depend on ``min_count`` is therefore not asked at the
    thresholds skipped."""
    counts = np.asarray(counts, dtype=np.int64)
    alive = counts > 0
    min_reduce = 1
    while max_vocab_size is not None and alive.sum() > max_vocab_size:
        if trim_rule is None:
            # every word left is seen more than min_reduce - 1 times: no round before the
            # smallest count drops anything
            min_reduce = max(min_reduce, int(counts[alive].min()))
            alive &= counts > min_reduce
        else:
            answers = rule_answers(words, np.where(alive, counts, 0), min_reduce + 1, trim_rule)
            by_count = alive & (answers == RULE_DEFAULT)
            alive &= (answers == RULE_KEEP) | (by_count & (counts > min_reduce))
            left = counts[alive & by_count]
            if left.size == 0:            # the rule keeps every word left: nothing more to drop
                break
            min_reduce = max(min_reduce + 1, int(left.min())) - 1
        min_reduce += 1
    return alive


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
    def from_counts(cls, words, counts, min_count=1, trim_rule=None):
        """Keep words with ``count >= min_count`` (or as ``trim_rule`` says: ``keep_words``),
        sorted by descending count.

        Returns the vocabulary and, for each input position, its new id (-1 when dropped).
        Words with count 0 (pruned by ``prune``) are always dropped.
        """
        counts = np.asarray(counts, dtype=np.int64)
        alive = keep_words(words, counts, min_count, trim_rule)
        order = np.flatnonzero(alive)
        order = order[np.argsort(-counts[order], kind="stable")]
        new_id = np.full(counts.size, -1, dtype=np.int32)
        new_id[order] = np.arange(order.size, dtype=np.int32)
        return cls([words[i] for i in order], counts[order]), new_id

    def grown(self, words, counts, min_count=1, trim_rule=None):
        """This vocabulary grown by a new corpus's ``words`` and ``counts``, as gensim's
        ``build_vocab(update=True)``: known words keep their ids and add their counts; new
        words seen ``min_count`` times (or as ``trim_rule`` says) are appended (by descending
        count), so every trained row keeps its meaning. Returns the vocabulary and each given
        word's id (-1: dropped).
        """
        counts = np.asarray(counts, dtype=np.int64)
        ids = np.array([self.key_to_index.get(w, -1) for w in words], dtype=np.int32)
        known = ids >= 0
        total = self.counts.copy()
        np.add.at(total, ids[known], counts[known])
        fresh = np.flatnonzero(~known & keep_words(words, counts, min_count, trim_rule))
        fresh = fresh[np.argsort(-counts[fresh], kind="stable")]
        ids[fresh] = len(self) + np.arange(fresh.size, dtype=np.int32)
        return Vocab(self.words + [words[i] for i in fresh],
                     np.concatenate([total, counts[fresh]])), ids

    def keep_probabilities(self, sample):
        """Probability of keeping each occurrence of a word when subsampling frequent words.

        word2vec.c's formula (Mikolov et al. 2013b, sec. 2.3, as implemented):
        ``keep(w) = (sqrt(f / (s*T)) + 1) * (s*T) / f`` with f the word's count, T the total
        count and s the ``sample`` threshold. Values above 1 mean always keep; ``sample=0``
        turns subsampling off. ``sample >= 1`` is gensim's shorthand for a threshold in counts:
        s*T = int(sample (3 + sqrt 5) / 2), so that a word seen ``sample`` times is kept with
        probability about 1 and more frequent words are thinned.
        """
        if sample <= 0:
            return np.ones(len(self), dtype=np.float32)
        threshold = sample * self.total_words if sample < 1 else int(sample * (3 + np.sqrt(5)) / 2)
        f = self.counts.astype(np.float64)
        keep = (np.sqrt(f / threshold) + 1.0) * threshold / f
        return np.minimum(keep, 1.0).astype(np.float32)

    def noise_distribution(self, exponent=0.75):
        """P(w) proportional to count(w)**exponent: the negative-sampling noise (sec. 2.2)."""
        p = self.counts.astype(np.float64) ** exponent
        return p / p.sum()

    def huffman_tree(self):
        """``(codes, points, codelens)`` of hierarchical softmax: gensim's Huffman tree
        (``huffman.py`` says why that one). Word w's path from the root has ``codelens[w]``
        inner nodes ``points[w, :codelens[w]]`` (rows of the V-1 row output matrix, word2vec.c's
        syn1) and branch bits ``codes[w, :codelens[w]]``."""
        return huffman_tree(self.counts)
