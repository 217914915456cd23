"""Word vectors and similarity queries with gensim 4's ``KeyedVectors`` API, and their files.

Code written for gensim's ``KeyedVectors`` runs with only the import changed: same method names,
signatures and return shapes (``most_similar(topn=None)`` gives the whole similarity array, keys
may be words or row numbers, per-key attributes such as ``"count"`` live in ``expandos``).
Differences, on purpose: unknown words given to ``doesnt_match`` are named in a
``warnings.warn``, not a log line; duplicate words in a word2vec file are an error, not skipped;
``load_word2vec_format(binary=None)`` detects the format; ``fill_norms`` always recomputes; an
all-zero row has cosine 0, not NaN; ``most_similar_cosmul`` honours ``restrict_vocab``;
``save``/``load`` use fastw2v's own file (see ``_container``), never pickle.

word2vec.c's files, as it writes them and gensim reads them:

* header ``"V D\\n"``;
* binary: for each word, the word, one space, D little-endian float32, then ``"\\n"``;
* text: for each word, the word and D numbers separated by spaces, one line per word.
"""
import contextlib
import numbers
import os
import shutil
import warnings

import numpy as np

from . import _container
from ._files import atomic_write

_KEY_TYPES = (str, int, np.integer)       # gensim's: a word, or a row number
FORMAT = "fastw2v-keyedvectors-1"         # meta["format"] of ``save``'s container files
_TINY = np.finfo(np.float32).tiny         # divides an all-zero row's norm: cosine 0, not gensim's NaN


class KeyedVectors:
    """Keys (words) and one vector per key.

    Two ways to build one:

    * gensim's ``KeyedVectors(vector_size, count=0, dtype=np.float32, mapfile_path=None)``: empty,
      or ``count`` zero rows to fill with ``add_vector``; then ``add_vectors(keys, weights)``;
    * fastw2v's ``KeyedVectors(index_to_key, vectors, counts=None)``: words in row order, a
      (V, D) array (kept as float32, without a copy when it already is) and optional counts.
    """

    def __init__(self, *args, **kwargs):
        if "vector_size" in kwargs or (args and isinstance(args[0], numbers.Integral)):
            self._init_empty(*args, **kwargs)
        else:
            self._init_filled(*args, **kwargs)

    def _init_empty(self, vector_size, count=0, dtype=np.float32, mapfile_path=None):
        self._set([None] * count, np.zeros((count, vector_size), dtype=dtype), {})
        self.mapfile_path = mapfile_path

    def _init_filled(self, index_to_key, vectors, counts=None):
        counts = {} if counts is None else {"count": np.asarray(counts, dtype=np.int64)}
        self._set(list(index_to_key), np.asanyarray(vectors, dtype=np.float32), counts)

    def _set(self, keys, vectors, expandos):
        if vectors.ndim != 2 or vectors.shape[0] != len(keys):
            raise ValueError(f"vectors of shape {vectors.shape} do not match {len(keys)} words")
        key_to_index = {key: i for i, key in enumerate(keys)}
        key_to_index.pop(None, None)                  # empty slots made by ``count``
        if len(key_to_index) != len(keys) - keys.count(None):
            _raise_duplicate(keys)
        self.index_to_key, self.key_to_index, self.vectors = keys, key_to_index, vectors
        self.expandos = {}            # attribute name -> one value per row (gensim's name)
        for attr, values in expandos.items():
            if len(values) != len(keys):
                raise ValueError(f"{len(values)} values of {attr!r} for {len(keys)} words")
            self.expandos[attr] = values
        self.next_index = 0 if keys and keys[0] is None else len(keys)   # add_vector's next slot
        self.mapfile_path = None

    def __str__(self):
        return f"{type(self).__name__}<vector_size={self.vector_size}, {len(self)} keys>"

    __repr__ = __str__

    # ---- rows, keys and per-key attributes -------------------------------------------------
    @property
    def vectors(self):
        """(V, D) array, row ``i`` the vector of ``index_to_key[i]``."""
        return self._vectors

    @vectors.setter
    def vectors(self, value):
        self._vectors, self._norms = value, None

    @property
    def vector_size(self):
        return self.vectors.shape[1]

    @property
    def counts(self):
        """Corpus counts, ``expandos["count"]`` (None when unknown)."""
        return self.expandos.get("count")

    @counts.setter
    def counts(self, value):
        if value is None:
            self.expandos.pop("count", None)
        else:
            self.expandos["count"] = np.asarray(value, dtype=np.int64)

    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, key):
        return self.has_index_for(key)

    def has_index_for(self, key):
        return self.get_index(key, -1) >= 0

    def get_index(self, key, default=None):
        """Row of ``key``: a word, or (as gensim) a row number; KeyError naming it if neither."""
        index = self.key_to_index.get(key, -1)
        if index >= 0:
            return index
        if isinstance(key, (int, np.integer)) and 0 <= key < len(self.index_to_key):
            return int(key)
        if default is not None:
            return default
        raise KeyError(f"Key {key!r} not present: {key!r} not in vocabulary ({len(self)} keys)")

    def get_vector(self, key, norm=False):
        """The (read-only) vector of ``key``; scaled to unit length with ``norm=True``."""
        i = self.get_index(key)
        vector = self.vectors[i] / max(self.norms[i], _TINY) if norm else self.vectors[i]
        vector.setflags(write=False)      # writing into it would leave the cached norms stale
        return vector

    def word_vec(self, *args, **kwargs):
        warnings.warn("word_vec() is deprecated (gensim 4); use get_vector()", DeprecationWarning, 2)
        return self.get_vector(*args, **kwargs)

    def __getitem__(self, key_or_keys):
        if isinstance(key_or_keys, _KEY_TYPES):
            return self.get_vector(key_or_keys)
        return self.vectors[[self.get_index(k) for k in key_or_keys]]

    def get_vecattr(self, key, attr):
        """Per-key attribute, e.g. ``get_vecattr("king", "count")``."""
        if attr not in self.expandos:
            raise KeyError(f"no attribute {attr!r}; these keys have {sorted(self.expandos)}")
        return self.expandos[attr][self.get_index(key)]

    def set_vecattr(self, key, attr, val):
        self.allocate_vecattrs([attr], [type(val)])
        self.expandos[attr][self.get_index(key)] = val

    def allocate_vecattrs(self, attrs=None, types=None):
        """Make ``expandos[attr]`` one value per key (gensim's helper; ``int`` means int64)."""
        if attrs is None:
            attrs, types = list(self.expandos), [a.dtype for a in self.expandos.values()]
        for attr, t in zip(attrs, types):
            t = np.int64 if t is int else (object if t is str else t)
            old = self.expandos.get(attr)
            if old is not None and not np.issubdtype(t, old.dtype):
                raise TypeError(f"cannot store {t} in attribute {attr!r} of type {old.dtype}")
            if old is None or len(old) != len(self):
                new = np.zeros(len(self), dtype=t if old is None else old.dtype)
                if old is not None:
                    new[:min(len(old), len(self))] = old[:len(self)]
                self.expandos[attr] = new

    # ---- adding vectors ------------------------------------------------------------------------
    def add_vector(self, key, vector):
        """Put ``vector`` in the next preallocated row (see ``count``), else append it. Its row."""
        i = self.next_index
        if i >= len(self) or self.index_to_key[i] is not None:
            i = len(self)
            self.add_vectors([key], [vector])
        else:
            self.index_to_key[i], self.key_to_index[key] = key, i
            self.vectors[i] = vector
            self._norms = None
        self.next_index = i + 1
        return i

    def add_vectors(self, keys, weights, extras=None, replace=False):
        """Append new keys with their vectors; keys already present keep their vector unless
        ``replace``. ``extras``: dict attribute -> one value per key."""
        if isinstance(keys, _KEY_TYPES):
            keys, weights = [keys], np.asarray(weights).reshape(1, -1)
        keys, weights = list(keys), np.asarray(weights, dtype=self.vectors.dtype)
        if weights.shape != (len(keys), self.vector_size):
            raise ValueError(f"add_vectors: weights of shape {weights.shape} for {len(keys)} keys "
                             f"of {self.vector_size} dimensions")
        if len(set(keys)) != len(keys):
            raise ValueError(f"add_vectors: duplicate keys {[k for k in set(keys) if keys.count(k) > 1]}")
        extras = {attr: np.asarray(v) for attr, v in (extras or {}).items()}
        self.allocate_vecattrs(list(extras), [v.dtype for v in extras.values()])
        known = np.array([k in self.key_to_index for k in keys], dtype=bool)
        if not known.all():                   # a new (V', D) array: only when there are new keys
            for key in (k for k, seen in zip(keys, known) if not seen):
                self.key_to_index[key] = len(self.index_to_key)
                self.index_to_key.append(key)
            self.vectors = np.vstack((self.vectors, weights[~known]))
            self.allocate_vecattrs()
        rows = np.array([self.key_to_index[k] for k in keys], dtype=np.int64)
        update = ~known | replace
        if replace and known.any():
            self.vectors[rows[known]] = weights[known]
            self._norms = None
        for attr, values in extras.items():
            self.expandos[attr][rows[update]] = values[update]

    def __setitem__(self, keys, weights):
        """``kv[key] = vector`` (or lists of both): add, replacing existing vectors."""
        if not isinstance(keys, list):
            keys, weights = [keys], np.asarray(weights).reshape(1, -1)
        self.add_vectors(keys, weights, replace=True)

    # ---- norms -----------------------------------------------------------------------------
    @property
    def norms(self):
        """L2 norm of every row (computed on first use; ``fill_norms`` refreshes them)."""
        if self._norms is None or len(self._norms) != len(self.vectors):
            self._norms = np.linalg.norm(self.vectors, axis=1)
        return self._norms

    @norms.setter
    def norms(self, value):
        self._norms = value

    def fill_norms(self, force=False):
        """Recompute ``norms``; call after changing ``vectors`` in place. Unlike gensim this
        always recomputes (``force`` is accepted for its signature): training updates rows in
        place, and stale norms would silently skew every query."""
        self._norms = None
        return self.norms

    def _safe_norms(self):
        return np.maximum(self.norms, _TINY)

    def get_normed_vectors(self):
        """Every row scaled to unit length, as a new (V, D) array."""
        return self.vectors / self._safe_norms()[:, None]

    unit_vectors = get_normed_vectors     # fastw2v's older name

    def init_sims(self, replace=False):
        warnings.warn("init_sims() is deprecated (gensim 4); use fill_norms()", DeprecationWarning, 2)
        self.fill_norms()
        if replace:
            self.unit_normalize_all()

    def unit_normalize_all(self):
        """Scale every row to unit length, in place (training cannot sensibly continue after)."""
        self.vectors /= self._safe_norms()[:, None]
        self._norms = np.ones(len(self.vectors), dtype=self.vectors.dtype)

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

    def intersect_word2vec_format(self, *args, **kwargs):
        raise NotImplementedError("intersect_word2vec_format is not in fastw2v: read the file with "
                                  "KeyedVectors.load_word2vec_format and copy the rows you need")

    # ---- evaluation (evaluation.py; imported on use, so that scipy loads only then) --------------
    def evaluate_word_analogies(self, analogies=None, restrict_vocab=30000, case_insensitive=True,
                                dummy4unknown=False, similarity_function="most_similar"):
        from .evaluation import evaluate_word_analogies
        return evaluate_word_analogies(self, analogies, restrict_vocab, case_insensitive,
                                       dummy4unknown, similarity_function)

    def evaluate_word_pairs(self, pairs=None, delimiter="\t", encoding="utf8", restrict_vocab=300000,
                            case_insensitive=True, dummy4unknown=False):
        from .evaluation import evaluate_word_pairs
        return evaluate_word_pairs(self, pairs, delimiter, encoding, restrict_vocab,
                                   case_insensitive, dummy4unknown)

    # ---- fastw2v's own file: memory-mappable, no pickle --------------------------------------
    def save(self, fname):
        """Write keys, vectors and ``expandos`` to one file, atomically: a ``_container`` with
        meta ``{"format": "fastw2v-keyedvectors-1"}`` and the arrays
        ``vectors`` (V, D), ``keys_utf8`` + ``keys_offsets`` (see ``_container.encode_strings``)
        and ``expando.<attr>`` (V,) for each per-key attribute (``expando.count``: int64)."""
        if not all(isinstance(k, str) for k in self.index_to_key):
            bad = next(k for k in self.index_to_key if not isinstance(k, str))
            raise TypeError(f"save: keys must be str to be stored, found {bad!r}")
        blob, offsets = _container.encode_strings(self.index_to_key)
        arrays = dict(vectors=self.vectors, keys_utf8=blob, keys_offsets=offsets)
        arrays.update({f"expando.{attr}": values for attr, values in self.expandos.items()})
        _container.write(fname, dict(format=FORMAT), arrays)

    @classmethod
    def load(cls, fname, mmap=None):
        """Read a file written by ``save``. ``mmap="r"`` maps the vectors read-only from the
        file (an ``np.memmap``; processes share the pages) instead of reading them, as gensim's
        ``KeyedVectors.load(fname, mmap="r")``. gensim's own (pickle) files are refused."""
        meta, arrays = _container.read(fname, mmap=mmap)
        if meta.get("format") != FORMAT:
            model = str(meta.get("format")).startswith("fastw2v-model")
            hint = "; use Word2Vec.load(path).wv" if model else ""
            raise ValueError(f"{os.fspath(fname)}: a {meta.get('format')!r} file, not saved "
                             f"KeyedVectors ({FORMAT!r}){hint}")
        missing = {"vectors", "keys_utf8", "keys_offsets"} - set(arrays)
        if missing:
            raise ValueError(f"{os.fspath(fname)}: damaged KeyedVectors file: no {sorted(missing)}")
        keys = _container.decode_strings(arrays.pop("keys_utf8"), arrays.pop("keys_offsets"))
        kv = cls.__new__(cls)
        # per-key attributes come into memory (small, and set_vecattr writes them); vectors stay mapped
        kv._set(keys, arrays.pop("vectors"), {name[len("expando."):]: np.array(values)
                                              for name, values in arrays.items()})
        return kv

    # ---- word2vec.c files ----------------------------------------------------------------------
    def save_word2vec_format(self, fname, fvocab=None, binary=False, total_vec=None,
                             write_header=True, prefix="", append=False, sort_attr="count"):
        """Write the word2vec.c format (gensim's signature and default ``binary=False``).

        As gensim: rows go in descending ``sort_attr`` (``"count"``) when the keys have it, else
        in row order; ``fvocab`` also writes ``"word count"`` lines. Unlike gensim the write is
        atomic (a failure leaves no half-written file) and binary records end in ``"\\n"``, as
        word2vec.c writes them.
        """
        if sort_attr in self.expandos:
            order = np.argsort(-np.asarray(self.expandos[sort_attr]), kind="stable")
        elif fvocab is not None:
            raise ValueError(f"cannot write fvocab: the keys have no {sort_attr!r} attribute")
        else:
            order = np.arange(len(self))
        words = [f"{prefix}{self.index_to_key[i]}" for i in order]
        for w in words:
            if not w or any(ch.isspace() for ch in w):
                raise ValueError(f"cannot save word {w!r}: word2vec files need words "
                                 "without whitespace")
        if fvocab is not None:
            counts = np.asarray(self.expandos[sort_attr])[order].tolist()
            with _atomic_append(fvocab, append) as f:
                f.write("".join(f"{w} {c}\n" for w, c in zip(words, counts)).encode("utf-8"))
        in_order = bool(np.all(np.diff(order) > 0))            # as trained: no (V, D) copy
        vectors = np.ascontiguousarray(self.vectors if in_order else self.vectors[order], dtype="<f4")
        with _atomic_append(fname, append) as f:
            if write_header:
                f.write(f"{len(self) if total_vec is None else total_vec} {self.vector_size}\n".encode())
            if binary:
                for w, row in zip(words, vectors):
                    f.write(w.encode("utf-8") + b" " + row.tobytes() + b"\n")
            else:
                for w, row in zip(words, vectors):
                    # %.9g round-trips every float32 exactly
                    f.write((w + " " + " ".join(f"{x:.9g}" for x in row.tolist()) + "\n").encode("utf-8"))

    @classmethod
    def load_word2vec_format(cls, fname, fvocab=None, binary=None, encoding="utf8",
                             unicode_errors="strict", limit=None, datatype=np.float32,
                             no_header=False):
        """Read a word2vec.c text or binary file (gensim's signature; ``binary=None`` detects
        which, and a wrong ``binary=`` is reported as such).

        ``limit`` reads the first ``limit`` words. Counts come from ``fvocab`` (``"word count"``
        lines, word2vec.c's -save-vocab) or, as gensim does, are made up: V, V-1, ..., 1.
        ``no_header``: a text file without the ``"V D"`` line (GloVe's). ValueError naming the
        file and the line or word that is wrong when it is truncated, garbled or repeats a word.
        """
        path = os.fspath(fname)
        if not os.path.exists(path):
            raise FileNotFoundError(f"vector file not found: {path!r}")
        with open(path, "rb") as f:
            data = f.read()
        if no_header:
            if binary:
                raise NotImplementedError("no_header only works with text files (binary=False)")
            binary, pos, n_words = False, 0, len(data.rstrip(b"\n").split(b"\n")) if data.strip() else 0
            dim = len(data.split(b"\n", 1)[0].rstrip().split(b" ")) - 1
        else:
            pos, n_words, dim = _read_header(path, data)
        binary = _check_binary(path, data, pos, dim, binary)
        n = min(limit, n_words) if limit else n_words
        reader = _read_binary if binary else _read_text
        words, vectors = reader(path, data, pos, n, n_words, dim, encoding, unicode_errors, datatype)
        counts = _read_counts(fvocab, words, unicode_errors) if fvocab else np.arange(n, 0, -1)
        kv = cls.__new__(cls)
        kv._set(words, vectors, {"count": np.asarray(counts, dtype=np.int64)})
        return kv


def _raise_duplicate(keys):
    seen = {}
    for i, key in enumerate(keys):
        if key is not None and seen.setdefault(key, i) != i:
            raise ValueError(f"duplicate key {key!r} at rows {seen[key]} and {i}")


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


@contextlib.contextmanager
def _atomic_append(path, append):
    """atomic_write that, with ``append``, starts from a copy of the existing file."""
    with atomic_write(path, "wb") as f:
        if append and os.path.exists(path):
            with open(path, "rb") as old:
                shutil.copyfileobj(old, f)
        yield f


def _read_header(path, data):
    end = data.find(b"\n")
    header = data[:end].split() if end >= 0 else []
    try:
        n_words, dim = (int(x) for x in header)
    except ValueError:
        raise ValueError(f"{path}: line 1: expected a header 'VOCAB_SIZE DIMENSION', got "
                         f"{data[:min(max(end, 0), 60)]!r}") from None
    if n_words < 0 or dim <= 0:
        raise ValueError(f"{path}: line 1: bad header {n_words} {dim}")
    return end + 1, n_words, dim


def _check_binary(path, data, pos, dim, binary):
    """``binary``, checked against the file (or detected when None). A text record is a line of
    a word and ``dim`` numbers; binary floats hold bytes that text never has."""
    end = data.find(b"\n", pos)
    is_text = _is_text_record(data[pos:end if end >= 0 else len(data)], dim)
    sample = data[pos:pos + 4096]
    looks_binary = any(b < 9 or 13 < b < 32 or b == 127 for b in sample)
    if binary is None:
        return not is_text and looks_binary
    if binary and is_text:
        raise ValueError(f"{path}: binary=True but the file looks like text (word2vec text "
                         "format); use binary=False")
    if not binary and not is_text and looks_binary:
        raise ValueError(f"{path}: binary=False but the file looks binary (word2vec binary "
                         "format); use binary=True")
    return bool(binary)


def _is_text_record(line, dim):
    """A word and ``dim`` numbers separated by spaces: a line of a word2vec text file."""
    fields = line.rstrip().split(b" ")
    if len(fields) != dim + 1:
        return False
    try:
        for x in fields[1:]:
            float(x)
    except ValueError:
        return False
    return True


def _read_binary(path, data, pos, n, n_words, dim, encoding, unicode_errors, datatype):
    words, seen, vectors = [], {}, np.empty((n, dim), dtype=np.float32)
    width = 4 * dim
    for i in range(n):
        while pos < len(data) and data[pos] in b"\n\r":
            pos += 1                          # word2vec.c ends each vector with "\n"; gensim does not
        space = data.find(b" ", pos, pos + 1000)
        if space < 0 or space + 1 + width > len(data):
            raise ValueError(f"{path}: truncated at word {i + 1} of {n_words} (byte {pos}); "
                             f"expected a word, a space and {dim} float32 values")
        try:
            word = data[pos:space].decode(encoding, errors=unicode_errors)
        except UnicodeDecodeError:
            raise ValueError(f"{path}: word {i + 1} (byte {pos}) is not valid {encoding}: "
                             f"{data[pos:space]!r}") from None
        if seen.setdefault(word, i) != i:
            raise ValueError(f"{path}: word {i + 1} (byte {pos}) repeats {word!r}, "
                             f"word {seen[word] + 1}")
        words.append(word)
        vectors[i] = np.frombuffer(data, dtype="<f4", count=dim, offset=space + 1)
        pos = space + 1 + width
    if not np.all(np.isfinite(vectors)):
        bad = int(np.flatnonzero(~np.isfinite(vectors).all(axis=1))[0])
        raise ValueError(f"{path}: word {bad + 1} ({words[bad]!r}) has non-finite values; "
                         "is this really a binary word2vec file?")
    return words, vectors.astype(datatype, copy=False)


def _read_text(path, data, pos, n, n_words, dim, encoding, unicode_errors, datatype):
    lines = data[pos:].split(b"\n")
    words, seen, vectors = [], {}, np.empty((n, dim), dtype=datatype)
    first = 1 if pos else 0                   # line number of lines[0], minus one
    for i in range(n):
        line_no = i + 1 + first
        if i >= len(lines) or not lines[i].strip():
            raise ValueError(f"{path}: truncated at line {line_no}: header promises "
                             f"{n_words} words, found {i}")
        try:
            fields = lines[i].decode(encoding, errors=unicode_errors).rstrip().split(" ")
        except UnicodeDecodeError:
            raise ValueError(f"{path}: line {line_no} is not valid {encoding}") from None
        if len(fields) != dim + 1:
            raise ValueError(f"{path}: line {line_no}: expected a word and {dim} numbers, "
                             f"found {len(fields)} fields")
        try:
            vectors[i] = [float(x) for x in fields[1:]]
        except ValueError as e:
            raise ValueError(f"{path}: line {line_no}: {e}") from None
        if seen.setdefault(fields[0], line_no) != line_no:
            raise ValueError(f"{path}: line {line_no}: duplicate word {fields[0]!r} "
                             f"(first on line {seen[fields[0]]})")
        words.append(fields[0])
    return words, vectors


def _read_counts(fvocab, words, unicode_errors):
    """Counts of ``words`` from a ``"word count"`` file; missing words get 0, with a warning."""
    counts = {}
    with open(fvocab, "rb") as f:
        for line_no, line in enumerate(f, 1):
            fields = line.decode("utf-8", errors=unicode_errors).split()
            if len(fields) != 2 or not fields[1].isdigit():
                raise ValueError(f"{fvocab}: line {line_no}: expected 'word count', got {line!r}")
            counts[fields[0]] = int(fields[1])
    missing = [w for w in words if w not in counts]
    if missing:
        warnings.warn(f"{fvocab}: no count for {len(missing)} words, e.g. {missing[:3]}; using 0")
    return [counts.get(w, 0) for w in words]
