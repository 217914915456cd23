"""Word classes by K-means on the word vectors: word2vec.c's ``-classes K``.

word2vec.c, given ``-classes K``, writes "word class" lines instead of vectors, from ten rounds
of a spherical K-means over the input vectors (syn0):

    start:      word w in class w mod K (words in vocabulary order, most frequent first)
    each round: centroid c = (sum of its words' vectors) / (1 + its word count), then scaled
                to unit length; every word moves to the class whose centroid has the largest
                dot product with its vector (the first such class; -10 if none beats it)

The ``1 +`` (its counters start at 1) does not change a centroid's direction, so only the sum
is kept here. The -10 floor is word2vec.c's (its best score starts at -10). A class left empty
has a zero centroid, whose unit scaling is 0 / 0 in C: NaN, which never wins a comparison, so
nothing joins it again. This module computes the same rounds with
NumPy, a block of words at a time against every centroid (one matrix product instead of
word2vec.c's V x K x D loop); ``tests/test_clusters.py`` checks it against a line-by-line port
of the C loop. The rows are fastw2v's vocabulary, which has no ``</s>``: word2vec.c clusters that
word too (its word 0, never trained, so its vector stays random) and lists it first.
"""
import numpy as np

ROUNDS = 10                  # word2vec.c's iter for K-means (fixed there, not -iter)
BLOCK = 4096                 # words scored at a time: a (BLOCK, K) float32 score matrix
FLOOR = -10.0                # word2vec.c's starting best score


def word_classes(vectors, k, rounds=ROUNDS):
    """Each row's class (int64, 0..k-1) after ``rounds`` of word2vec.c's K-means."""
    vectors = np.asarray(vectors, dtype=np.float32)
    V, D = vectors.shape
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"the number of classes must be an integer >= 1, got {k!r}")
    labels = np.arange(V, dtype=np.int64) % k
    for _ in range(rounds):
        # the mean's division by 1 + count leaves the direction as it is: only the sum's is used
        centroids = np.zeros((k, D), dtype=np.float32)
        np.add.at(centroids, labels, vectors)
        with np.errstate(invalid="ignore", divide="ignore"):
            centroids /= np.sqrt((centroids * centroids).sum(axis=1, dtype=np.float32))[:, None]
        for a in range(0, V, BLOCK):
            scores = vectors[a:a + BLOCK] @ centroids.T          # NaN for an empty class
            scores[np.isnan(scores)] = -np.inf
            best = scores.argmax(axis=1)                          # the first of equal maxima
            best[scores[np.arange(best.size), best] <= FLOOR] = 0
            labels[a:a + BLOCK] = best
    return labels


def save_classes(path, words, labels):
    """word2vec.c's classes file: "word class" a line, in vocabulary order (atomically)."""
    from ._files import atomic_write
    with atomic_write(path, "w") as f:
        f.writelines(f"{w} {int(c)}\n" for w, c in zip(words, labels))
