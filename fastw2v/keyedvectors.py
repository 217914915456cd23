"""Word vectors with gensim 4's ``KeyedVectors`` API: keys, rows, per-key attributes, adding
vectors, norms, and ``save``/``load`` in fastw2v's own file (see ``_container``). The similarity
queries are in ``similarity.py`` (a mixin of this class), word2vec.c's files in
``word2vec_format.py``.

Code written for gensim's ``KeyedVectors`` runs with only the import changed: same method names,
signatures and return shapes (``most_similar(topn=None)`` gives the whole similarity array, keys
may be words or row numbers, per-key attributes such as ``"count"`` live in ``expandos``).
Differences, on purpose: unknown words given to ``doesnt_match`` are named in a
``warnings.warn``, not a log line; duplicate words in a word2vec file are an error, not skipped;
``load_word2vec_format(binary=None)`` detects the format; ``fill_norms`` always recomputes; an
all-zero row has cosine 0, not NaN; ``most_similar_cosmul`` honours ``restrict_vocab``;
``save``/``load`` use fastw2v's own file (see ``_container``), never pickle.
"""
import numbers
import os
import warnings

import numpy as np

from . import _container, word2vec_format
from .similarity import _KEY_TYPES, SimilarityQueries

FORMAT = "fastw2v-keyedvectors-1"         # meta["format"] of ``save``'s container files
_TINY = np.finfo(np.float32).tiny         # divides an all-zero row's norm: cosine 0, not gensim's NaN
_NORM_ROWS = 1 << 16                      # rows squared at a time by _row_norms


def _row_norms(vectors):
    """``np.linalg.norm(vectors, axis=1)``, the same values, without its temporary of the
    whole matrix squared (a second copy of the vectors at the end of every training:
    bench_results/decisions.md#estimate-memory)."""
    if len(vectors) <= _NORM_ROWS:
        return np.linalg.norm(vectors, axis=1)
    return np.concatenate([np.linalg.norm(vectors[i:i + _NORM_ROWS], axis=1)
                           for i in range(0, len(vectors), _NORM_ROWS)])


class KeyedVectors(SimilarityQueries):
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
            self._norms = _row_norms(self.vectors)
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

    # ---- evaluation (evaluation.py; imported on use, so that scipy loads only then) --------------
    def evaluate_word_analogies(self, analogies=None, restrict_vocab=300000, case_insensitive=True,
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
        word2vec_format.write(self, fname, fvocab, binary, total_vec, write_header, prefix, append,
                              sort_attr)

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
        words, vectors, counts = word2vec_format.read(fname, fvocab, binary, encoding, unicode_errors,
                                                      limit, datatype, no_header)
        kv = cls.__new__(cls)
        kv._set(words, vectors, {"count": np.asarray(counts, dtype=np.int64)})
        return kv

    def intersect_word2vec_format(self, *args, **kwargs):
        raise NotImplementedError("intersect_word2vec_format is not in fastw2v: read the file with "
                                  "KeyedVectors.load_word2vec_format and copy the rows you need")


def _raise_duplicate(keys):
    seen = {}
    for i, key in enumerate(keys):
        if key is not None and seen.setdefault(key, i) != i:
            raise ValueError(f"duplicate key {key!r} at rows {seen[key]} and {i}")

