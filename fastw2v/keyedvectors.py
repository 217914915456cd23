"""Word vectors, similarity queries and the word2vec text/binary files (gensim's names).

File formats, as word2vec.c writes them and gensim reads them:

* header ``"V D\\n"``;
* binary: for each word, the word, one space, D little-endian float32, then ``"\\n"``;
* text: for each word, the word and D numbers separated by spaces, one line per word.
"""
import os

import numpy as np

from ._files import atomic_write


class KeyedVectors:
    """A vocabulary of words and one vector per word.

    Parameters
    ----------
    index_to_key : list of str, words in row order (most frequent first after training)
    vectors : (V, D) float32 array
    counts : optional (V,) int array of corpus counts
    """

    def __init__(self, index_to_key, vectors, counts=None):
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(index_to_key):
            raise ValueError(f"vectors of shape {vectors.shape} do not match "
                             f"{len(index_to_key)} words")
        self.index_to_key = list(index_to_key)
        self.key_to_index = {w: i for i, w in enumerate(self.index_to_key)}
        if len(self.key_to_index) != len(self.index_to_key):
            raise ValueError("duplicate words in index_to_key")
        self.vectors = vectors
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)
        self._unit = None

    # ---- lookups -----------------------------------------------------------------------
    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, word):
        return word in self.key_to_index

    @property
    def vector_size(self):
        return self.vectors.shape[1]

    def get_index(self, word):
        """Row of ``word``; KeyError naming the word when it is not in the vocabulary."""
        try:
            return self.key_to_index[word]
        except KeyError:
            raise KeyError(f"word {word!r} not in vocabulary ({len(self)} words)") from None

    def __getitem__(self, word):
        if isinstance(word, str):
            return self.vectors[self.get_index(word)]
        return np.stack([self[w] for w in word])

    def unit_vectors(self):
        """Rows scaled to unit length (cached until ``vectors`` is replaced or ``fill_norms``)."""
        if self._unit is None or self._unit.shape != self.vectors.shape:
            self.fill_norms()
        return self._unit

    def fill_norms(self):
        """Recompute the cached unit vectors (call after changing ``vectors`` in place)."""
        norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
        self._unit = self.vectors / np.maximum(norms, np.finfo(np.float32).tiny)

    # ---- similarity queries ------------------------------------------------------------
    def similarity(self, w1, w2):
        """Cosine similarity of two words."""
        u = self.unit_vectors()
        return float(u[self.get_index(w1)] @ u[self.get_index(w2)])

    def _query(self, positive, negative):
        positive = [positive] if isinstance(positive, (str, np.ndarray)) else list(positive or [])
        negative = [negative] if isinstance(negative, (str, np.ndarray)) else list(negative or [])
        if not positive and not negative:
            raise ValueError("most_similar needs at least one positive or negative word")
        u = self.unit_vectors()
        query = np.zeros(self.vector_size, dtype=np.float64)
        exclude = set()
        for sign, terms in ((1.0, positive), (-1.0, negative)):
            for term in terms:
                if isinstance(term, str):
                    i = self.get_index(term)
                    exclude.add(i)
                    query += sign * u[i]
                else:
                    term = np.asarray(term, dtype=np.float64)
                    query += sign * term / max(np.linalg.norm(term), 1e-30)
        return query, exclude

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Words closest by cosine to the sum of unit ``positive`` minus unit ``negative``
        vectors (3CosAdd), excluding the query words. Returns ``[(word, cosine), ...]``."""
        query, exclude = self._query(positive, negative)
        u = self.unit_vectors()[:restrict_vocab]
        sims = u @ (query / max(np.linalg.norm(query), 1e-30))
        order = np.argsort(-sims, kind="stable")[:topn + len(exclude)]
        return [(self.index_to_key[i], float(sims[i])) for i in order if i not in exclude][:topn]

    def most_similar_cosmul(self, positive=None, negative=None, topn=10):
        """3CosMul (Levy and Goldberg 2014): prod of shifted positive cosines / negative ones."""
        positive = [positive] if isinstance(positive, str) else list(positive or [])
        negative = [negative] if isinstance(negative, str) else list(negative or [])
        u = self.unit_vectors()
        idx_pos = [self.get_index(w) for w in positive]
        idx_neg = [self.get_index(w) for w in negative]
        pos = [(1.0 + u @ u[i]) / 2.0 for i in idx_pos]
        neg = [(1.0 + u @ u[i]) / 2.0 for i in idx_neg]
        score = np.prod(pos, axis=0) / (np.prod(neg, axis=0) + 1e-6)
        exclude = set(idx_pos + idx_neg)
        order = np.argsort(-score, kind="stable")[:topn + len(exclude)]
        return [(self.index_to_key[i], float(score[i])) for i in order if i not in exclude][:topn]

    def doesnt_match(self, words):
        """The word furthest from the mean of the others' unit vectors."""
        words = [w for w in words if w in self]
        if not words:
            raise ValueError("doesnt_match: none of the words is in the vocabulary")
        u = self.unit_vectors()[[self.key_to_index[w] for w in words]]
        mean = u.mean(axis=0)
        return words[int(np.argmin(u @ (mean / np.linalg.norm(mean))))]

    # ---- evaluation (see evaluation.py) ---------------------------------------------------
    def evaluate_word_analogies(self, path=None, restrict_vocab=30000, case_insensitive=True):
        from .evaluation import evaluate_word_analogies
        return evaluate_word_analogies(self, path, restrict_vocab, case_insensitive)

    def evaluate_word_pairs(self, path=None, restrict_vocab=300000, case_insensitive=True):
        from .evaluation import evaluate_word_pairs
        return evaluate_word_pairs(self, path, restrict_vocab, case_insensitive)

    # ---- word2vec files --------------------------------------------------------------------
    def save_word2vec_format(self, path, binary=True):
        """Write the word2vec.c format atomically (a failed write leaves no file behind)."""
        for w in self.index_to_key:
            if not w or any(ch.isspace() for ch in w):
                raise ValueError(f"cannot save word {w!r}: word2vec files need words "
                                 "without whitespace")
        vectors = np.ascontiguousarray(self.vectors, dtype="<f4")
        with atomic_write(path, "wb") as f:
            f.write(f"{len(self)} {self.vector_size}\n".encode())
            if binary:
                for w, row in zip(self.index_to_key, vectors):
                    f.write(w.encode("utf-8") + b" " + row.tobytes() + b"\n")
            else:
                for w, row in zip(self.index_to_key, vectors):
                    # %.9g round-trips every float32 exactly
                    f.write((w + " " + " ".join(f"{x:.9g}" for x in row.tolist()) + "\n").encode("utf-8"))

    @classmethod
    def load_word2vec_format(cls, path, binary=None, limit=None, unicode_errors="strict"):
        """Read a word2vec.c text or binary file (``binary=None`` detects which).

        ``limit`` reads only the first ``limit`` words. Raises ValueError naming the file and
        the line or word that is wrong when the file is truncated or garbled.
        """
        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"vector file not found: {path!r}")
        with open(path, "rb") as f:
            data = f.read()
        end = data.find(b"\n")
        header = data[:end].split() if end >= 0 else []
        try:
            n_words, dim = (int(x) for x in header)
        except ValueError:
            raise ValueError(f"{path}: line 1: expected a header 'VOCAB_SIZE DIMENSION', got "
                             f"{data[:min(max(end, 0), 60)]!r}") from None
        if n_words < 0 or dim <= 0:
            raise ValueError(f"{path}: line 1: bad header {n_words} {dim}")
        if binary is None:
            binary = _looks_binary(data[end + 1:end + 1 + 4096])
        n = n_words if limit is None else min(limit, n_words)
        reader = _read_binary if binary else _read_text
        words, vectors = reader(path, data, end + 1, n, n_words, dim, unicode_errors)
        return cls(words, vectors)


def _looks_binary(sample):
    """Text files hold words, digits, signs and spaces; binary floats hold control bytes."""
    return any(b < 9 or 13 < b < 32 or b == 127 for b in sample)


def _read_binary(path, data, pos, n, n_words, dim, unicode_errors):
    words, vectors = [], np.empty((n, dim), dtype=np.float32)
    width = 4 * dim
    for i in range(n):
        while pos < len(data) and data[pos] in b"\n\r":
            pos += 1                          # word2vec.c ends each vector with "\n"; gensim does not
        space = data.find(b" ", pos, pos + 1000)
        if space < 0 or space + 1 + width > len(data):
            raise ValueError(f"{path}: truncated at word {i + 1} of {n_words} (byte {pos}); "
                             f"expected a word, a space and {dim} float32 values")
        try:
            words.append(data[pos:space].decode("utf-8", errors=unicode_errors))
        except UnicodeDecodeError:
            raise ValueError(f"{path}: word {i + 1} (byte {pos}) is not valid UTF-8: "
                             f"{data[pos:space]!r}") from None
        vectors[i] = np.frombuffer(data, dtype="<f4", count=dim, offset=space + 1)
        pos = space + 1 + width
    if not np.all(np.isfinite(vectors)):
        bad = int(np.flatnonzero(~np.isfinite(vectors).all(axis=1))[0])
        raise ValueError(f"{path}: word {bad + 1} ({words[bad]!r}) has non-finite values; "
                         "is this really a binary word2vec file?")
    return words, vectors


def _read_text(path, data, pos, n, n_words, dim, unicode_errors):
    lines = data[pos:].split(b"\n")
    words, vectors = [], np.empty((n, dim), dtype=np.float32)
    for i in range(n):
        line_no = i + 2
        if i >= len(lines) or not lines[i].strip():
            raise ValueError(f"{path}: truncated at line {line_no}: header promises "
                             f"{n_words} words, found {i}")
        try:
            fields = lines[i].decode("utf-8", errors=unicode_errors).rstrip().split(" ")
        except UnicodeDecodeError:
            raise ValueError(f"{path}: line {line_no} is not valid UTF-8") from None
        if len(fields) != dim + 1:
            raise ValueError(f"{path}: line {line_no}: expected a word and {dim} numbers, "
                             f"found {len(fields)} fields")
        try:
            vectors[i] = [float(x) for x in fields[1:]]
        except ValueError as e:
            raise ValueError(f"{path}: line {line_no}: {e}") from None
        words.append(fields[0])
    return words, vectors
