"""The similarity queries of ``KeyedVectors``, as the mixin ``SimilarityQueries``.

Cosines between given keys (``similarity``, ``n_similarity``, ``distances``, ``closer_than``,
``rank`` ...), nearest neighbours (``most_similar`` = 3CosAdd, ``most_similar_cosmul`` = 3CosMul,
``similar_by_*``) and the odd one out (``doesnt_match``). The mixin holds no data: it reads the
class's ``vectors``, ``index_to_key``, ``get_index``, ``get_vector`` and ``_safe_norms``.
"""
import numbers
import warnings

import numpy as np

_KEY_TYPES = (str, int, np.integer)       # gensim's: a word, or a row number


class SimilarityQueries:
    """Similarity queries of ``KeyedVectors`` (gensim 4's names, signatures and results)."""

    # ---- similarity between given keys -----------------------------------------------------
    def get_mean_vector(self, keys, weights=None, pre_normalize=True, post_normalize=False,
                        ignore_missing=True):
        """Weighted mean of the keys' vectors (unit vectors with ``pre_normalize``), divided by
        the sum of |weights|; a key may also be a vector, used as given. As gensim."""
        if len(keys) == 0:
            raise ValueError("cannot compute mean with no input")
        weights = np.ones(len(keys)) if weights is None else np.asarray(weights)
        if len(keys) != weights.shape[0]:
            raise ValueError("keys and weights array must have same number of elements")
        mean, total = np.zeros(self.vector_size, self.vectors.dtype), 0.0
        for key, weight in zip(keys, weights):
            if isinstance(key, np.ndarray):
                vector = key
            elif key in self:
                vector = self.get_vector(key, norm=pre_normalize)
            elif ignore_missing:
                continue
            else:
                self.get_index(key)                          # raises the KeyError naming it
            mean += weight * vector
            total += abs(weight)
        if total > 0:
            mean /= total
        return _unit(mean).astype(np.float32) if post_normalize else mean

    def similarity(self, w1, w2):
        """Cosine similarity of two keys."""
        return float(self.get_vector(w1, norm=True) @ self.get_vector(w2, norm=True))

    def distance(self, w1, w2):
        """Cosine distance, 1 - similarity."""
        return 1.0 - self.similarity(w1, w2)

    def n_similarity(self, ws1, ws2):
        """Cosine similarity of the mean vectors of two lists of keys (unknown keys ignored)."""
        if not (len(ws1) and len(ws2)):
            raise ZeroDivisionError("At least one of the passed list is empty.")   # gensim's error
        mean1 = self.get_mean_vector(ws1, pre_normalize=False)
        mean2 = self.get_mean_vector(ws2, pre_normalize=False)
        return float(_unit(mean1) @ _unit(mean2))

    @staticmethod
    def cosine_similarities(vector_1, vectors_all):
        """Cosine of ``vector_1`` with every row of ``vectors_all``."""
        norms = np.linalg.norm(vectors_all, axis=1) * np.linalg.norm(vector_1)
        return vectors_all @ vector_1 / norms

    def distances(self, word_or_vector, other_words=()):
        """Cosine distances from a key or vector to ``other_words``; to every key when empty."""
        v = self.get_vector(word_or_vector) if isinstance(word_or_vector, _KEY_TYPES) else word_or_vector
        if other_words:
            others = self[list(other_words)]
            norms = np.linalg.norm(others, axis=1)
        else:
            others, norms = self.vectors, self.norms          # the cached norms of every row
        return 1 - others @ v / (norms * np.linalg.norm(v))

    def closer_than(self, key1, key2):
        """Keys closer to ``key1`` than ``key2`` is, in row order."""
        d = self.distances(key1)
        i = self.get_index(key1)
        return [self.index_to_key[j] for j in np.flatnonzero(d < d[self.get_index(key2)]) if j != i]

    def words_closer_than(self, word1, word2):
        warnings.warn("words_closer_than() is deprecated (gensim 4); use closer_than()",
                      DeprecationWarning, 2)
        return self.closer_than(word1, word2)

    def rank(self, key1, key2):
        """1 + the number of keys closer to ``key1`` than ``key2``."""
        return len(self.closer_than(key1, key2)) + 1

    def most_similar_to_given(self, key1, keys_list):
        """The key of ``keys_list`` most similar to ``key1``."""
        return keys_list[int(np.argmax([self.similarity(key1, k) for k in keys_list]))]

    def relative_cosine_similarity(self, wa, wb, topn=10):
        """similarity(wa, wb) over the summed similarities of wa's ``topn`` neighbours
        (Leeuwenberg et al. 2016, eq. 1)."""
        sims = self.similar_by_word(wa, topn)
        if not sims:
            raise ValueError("Cannot calculate relative cosine similarity without any similar words.")
        return self.similarity(wa, wb) / sum(sim for _, sim in sims)

    # ---- nearest neighbours --------------------------------------------------------------------
    def most_similar(self, positive=None, negative=None, topn=10, clip_start=0, clip_end=None,
                     restrict_vocab=None, indexer=None):
        """Keys closest by cosine to the weighted mean of the unit ``positive`` vectors (weight
        1) and ``negative`` ones (weight -1): 3CosAdd for an analogy. Items may be keys, vectors,
        or ``(item, weight)`` pairs. Returns ``[(key, cosine), ...]`` without the query keys, or
        with ``topn=None`` the array of cosines to every row of ``[clip_start:clip_end]``
        (``restrict_vocab`` means ``[0:restrict_vocab]``)."""
        if isinstance(topn, numbers.Integral) and topn < 1:
            return []
        keys, weights = [], []
        for default, items in ((1.0, _ensure_list(positive)), (-1.0, _ensure_list(negative))):
            for item in items:
                # gensim's rule: a pair's weight replaces the default, sign included
                key, weight = (item, default) if isinstance(item, _KEY_TYPES + (np.ndarray,)) else item
                keys.append(key)
                weights.append(weight)
        mean = self.get_mean_vector(keys, weights, pre_normalize=True, post_normalize=True,
                                    ignore_missing=False)
        if indexer is not None and isinstance(topn, int):
            return indexer.most_similar(mean, topn)
        if restrict_vocab:
            clip_start, clip_end = 0, restrict_vocab
        rows = slice(clip_start, clip_end or len(self.vectors))
        sims = self.vectors[rows] @ mean / self._safe_norms()[rows]
        if not topn:
            return sims
        exclude = {self.get_index(k) for k in keys if isinstance(k, _KEY_TYPES)}
        return self._best(sims, topn, exclude, clip_start)

    def similar_by_key(self, key, topn=10, restrict_vocab=None):
        return self.most_similar(positive=[key], topn=topn, restrict_vocab=restrict_vocab)

    similar_by_word = similar_by_key

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        return self.most_similar(positive=[vector], topn=topn, restrict_vocab=restrict_vocab)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """3CosMul (Levy and Goldberg 2014, eq. 4): the product of the positive cosines over the
        product of the negative ones, each shifted to [0, 1] as (1 + cos) / 2. Vectors given
        instead of keys are used as given, as gensim does. ``topn=None``: the whole array.
        ``restrict_vocab`` limits the answers to the first rows (gensim 4 ignores it)."""
        if isinstance(topn, numbers.Integral) and topn < 1:
            return []
        positive, negative = _ensure_list(positive), _ensure_list(negative)
        if not positive:
            raise ValueError("cannot compute similarity with no input")
        vectors, norms = self.vectors[:restrict_vocab], self._safe_norms()[:restrict_vocab]

        def shifted(term):                          # (1 + cos(row, term)) / 2 for every row
            if isinstance(term, _KEY_TYPES):
                term = self.get_vector(term, norm=True)
            return (1 + vectors @ term / norms) / 2
        sims = np.prod([shifted(t) for t in positive], axis=0) / (
            np.prod([shifted(t) for t in negative], axis=0) + 1e-6)
        if not topn:
            return sims
        exclude = {self.get_index(k) for k in positive + negative if isinstance(k, _KEY_TYPES)}
        return self._best(sims, topn, exclude)

    def _best(self, sims, topn, exclude, offset=0):
        """``[(key, sim), ...]`` of the ``topn`` largest ``sims`` whose row is not excluded."""
        k = min(topn + len(exclude), len(sims))
        best = np.argpartition(-sims, k - 1)[:k] if 0 < k < len(sims) else np.arange(len(sims))
        best = best[np.argsort(-sims[best], kind="stable")]
        return [(self.index_to_key[i + offset], float(sims[i]))
                for i in best if i + offset not in exclude][:topn]

    def rank_by_centrality(self, words, use_norm=True):
        """``[(cosine to the mean, word), ...]``, most central first; unknown words are left out
        with a warning naming them (gensim logs them)."""
        used = [w for w in words if w in self]
        if len(used) != len(words):
            missing = [w for w in dict.fromkeys(words) if w not in self]
            warnings.warn(f"ignoring words not in the vocabulary: {missing}", stacklevel=3)
        if not used:
            raise ValueError(f"none of the words {list(words)!r} is in the vocabulary" if words
                             else "cannot select a word from an empty list")
        vectors = np.vstack([self.get_vector(w, norm=use_norm) for w in used]).astype(np.float32)
        sims = vectors @ self.get_mean_vector(vectors, post_normalize=True)
        return sorted(zip(sims.tolist(), used), reverse=True)

    def doesnt_match(self, words):
        """The word furthest from the mean of the words' unit vectors."""
        return self.rank_by_centrality(words)[-1][1]

    def wmdistance(self, document1, document2, norm=True):
        raise NotImplementedError("wmdistance (Word Mover's Distance) needs an optimal-transport "
                                  "solver (gensim uses POT); fastw2v does not have one: save these "
                                  "vectors with save_word2vec_format and use gensim for it")


def _ensure_list(value):
    """gensim's: a key or a 1-D vector becomes a one-item list, a 2-D array a list of rows."""
    if value is None:
        return []
    if isinstance(value, _KEY_TYPES) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    return list(value)


def _unit(v):
    norm = np.linalg.norm(v)
    return v / norm if norm > 0 else v
