"""Word2Vec: gensim 4's class, trained by fastw2v's kernels.

This file holds the user's side: the constructor, the vocabulary (``build_vocab``, growing it
with ``update=True``), ``train`` with its callbacks, checkpoints and resuming, and saving. The
epoch loop is in ``training.py``, the hyperparameters in ``params.py``, the maths in
``reference/`` (NumPy) and ``cpu/`` / ``gpu/`` (Numba).
"""
import dataclasses
import json
import math
import os
import time
import warnings

import numpy as np

from . import config
from ._files import TemporaryDirectory, check_writable
from .callbacks import call
from .corpus import (EncodedCorpus, PreparedCorpus, check_encoding, describe, encode, is_prepared,
                     prepare, read_vocab, scan)
from .corpus.prepared import added_sources, changed_sources
from .corpus.sentences import as_files
from .corpus.transcode import is_plain_utf8
from .keyedvectors import KeyedVectors
from .params import FIELDS, Word2VecConfig, from_gensim
from .progress import Progress
from .training import Schedule, epoch_runner
from .vocab import Vocab, final_min_count, prune

__all__ = ["Word2Vec", "Word2VecConfig"]

# hyperparameters that may change once the vocabulary and the rows exist (gensim users lower
# ``model.alpha`` between train() calls, or raise ``model.epochs``; ``min_count`` applies to the
# next build_vocab(update=True))
_SETTABLE = {"alpha", "min_alpha", "epochs", "compute_loss", "workers", "window", "sample",
             "min_count", "negative", "ns_exponent", "seed", "cbow_mean", "batch_window",
             "encoding", "unicode_errors"}


class Word2Vec:
    """word2vec: skip-gram or CBOW with negative sampling, hierarchical or full softmax,
    trained by Hogwild threads, with gensim 4's names.

    ``Word2Vec(corpus, **params)`` (``sentences=``, ``corpus_iterable=`` or ``corpus_file=``)
    builds the vocabulary and trains at once, as gensim; ``Word2Vec(**params)`` only stores the
    parameters: then ``build_vocab(corpus)`` and ``train()`` (or ``fit(corpus)``). A corpus is a
    re-iterable of token lists, or a text file / directory / list of files (one sentence a
    line; streamed from disk), or a directory written by ``fastw2v prepare``.

    Objective flags as gensim: ``sg=1`` skip-gram / ``sg=0`` CBOW; ``negative=K`` negative
    sampling; ``hs=1, negative=0`` hierarchical softmax; ``loss="softmax"`` the full softmax.
    Differences from gensim: the default is skip-gram (``sg=1``; gensim's is CBOW),
    ``workers=0`` means every core, ``compute_loss`` is on, and ``train`` returns the model.
    ``wv`` holds the input vectors (word2vec.c's syn0), ``syn1neg`` / ``syn1`` the output rows.
    """

    def __init__(self, sentences=None, corpus_file=None, *, corpus_iterable=None, callbacks=(),
                 trim_rule=None, **params):
        object.__setattr__(self, "config", Word2VecConfig(**from_gensim(params)))
        self.config.validate()
        if self.config.device == "cuda":
            _require_cuda()
        self.vocab = None
        # empty until build_vocab fills this very object (as gensim's: a reference taken now
        # sees the vocabulary then)
        self.wv = KeyedVectors(vector_size=self.config.vector_size)
        self.W_out = None
        self.epoch_losses = []        # summed loss of every epoch trained, float64
        self.epoch_pairs = []         # (context, centre) pairs trained in every epoch
        self.running_training_loss = 0.0   # summed since the latest train() began (gensim's)
        self.corpus_count = 0         # sentences of the latest build_vocab corpus
        self.corpus_total_words = 0   # its words, before min_count
        self.corpus_line_ends = None  # its newlines (word2vec.c's "</s>" count), when known
        self.effective_min_count = self.config.min_count   # min_count, raised by max_final_vocab
        self._chosen_min_count = self.effective_min_count
        self.train_count = 0
        self.train_seconds = self.total_train_time = 0.0
        self.words_per_second = 0.0
        self._state = None            # where the latest train() stands: see _record
        self.checkpointed = 0         # epochs of the latest train() saved in its checkpoint
        self._corpus = self._source = self._tmp = self._fingerprint = None
        self.client = None            # a dask.distributed Client: train on its workers
        if sentences is not None and corpus_iterable is not None:
            raise TypeError("Word2Vec: give the corpus once, as sentences or corpus_iterable")
        corpus = self._one_corpus(sentences if sentences is not None else corpus_iterable,
                                  corpus_file)
        if corpus is not None:
            self.build_vocab(corpus, trim_rule=trim_rule)
            self.train(corpus, callbacks=callbacks)
        else:                             # gensim 4 keeps neither, and says so for callbacks
            if callbacks:
                warnings.warn("callbacks given to Word2Vec() without a corpus are not kept: pass "
                              "them to train(..., callbacks=...)", stacklevel=2)
            if trim_rule is not None:
                warnings.warn("trim_rule given to Word2Vec() without a corpus is not kept: pass "
                              "it to build_vocab(..., trim_rule=...)", stacklevel=2)

    # ---- gensim's attributes ---------------------------------------------------------------
    def __getattr__(self, name):
        """``model.window``, ``model.epochs``, ...: the hyperparameters, as gensim's attributes."""
        if name in FIELDS and "config" in self.__dict__:
            return getattr(self.__dict__["config"], name)
        raise AttributeError(f"'Word2Vec' object has no attribute {name!r}")

    def __setattr__(self, name, value):
        if name in FIELDS:
            if self.__dict__.get("vocab") is not None and name not in _SETTABLE:
                raise AttributeError(f"cannot change {name} once the vocabulary is built; "
                                     f"make a new Word2Vec({name}={value!r})")
            cfg = dataclasses.replace(self.config, **{name: value})
            cfg.validate(learning_rate_line=False)    # train() warns when min_alpha > alpha
            if name == "device" and value == "cuda":
                _require_cuda()
            object.__setattr__(self, "config", cfg)
        else:
            object.__setattr__(self, name, value)

    def __str__(self):
        vocab = len(self.vocab) if self.vocab is not None else 0
        return f"Word2Vec<vocab={vocab}, vector_size={self.vector_size}, alpha={self.alpha}>"

    __repr__ = __str__

    @property
    def workers(self):
        return self.config.workers or os.cpu_count() or 1

    @property
    def layer1_size(self):
        """gensim's name for the output rows' width: ``vector_size``."""
        return self.config.vector_size

    @property
    def syn1neg(self):
        """Output rows of negative sampling (gensim's name; word2vec.c's syn1neg)."""
        return self.W_out if self.config.objective[1] == "ns" else None

    @property
    def syn1(self):
        """Output rows of hierarchical softmax, one per inner node of the Huffman tree."""
        return self.W_out if self.config.objective[1] == "hs" else None

    def estimate_memory(self, vocab_size=None, report=None):
        """Bytes this model takes for ``vocab_size`` words (default: its vocabulary), as gensim's
        dict: ``vocab``, ``vectors``, ``syn1neg`` or ``syn1`` (``softmax`` for the full
        softmax), ``corpus`` (what the corpus to train holds, with the model's own vocabulary)
        and ``total``; counted from fastw2v's own structures (``memory.py``), not gensim's flat
        500 bytes a word. ``report`` is updated and returned."""
        from .memory import estimate
        return estimate(self, vocab_size, report)

    def init_sims(self, replace=False):
        """gensim 3's name for ``wv.fill_norms()`` (``replace=True`` also scales every vector to
        unit length, after which training cannot sensibly go on). Deprecated in gensim 4."""
        warnings.warn("init_sims() is deprecated (gensim 4); use wv.fill_norms()",
                      DeprecationWarning, 2)
        self.wv.fill_norms()
        if replace:
            self.wv.unit_normalize_all()

    def get_latest_training_loss(self):
        """Loss summed over the latest ``train()`` call so far (gensim's running total; the
        loss of each epoch alone is in ``epoch_losses``, per pair: ``/ epoch_pairs``)."""
        return self.running_training_loss

    def score(self, sentences, total_sentences=int(1e6), chunksize=100, queue_factor=2,
              report_delay=1):
        """gensim's: the log-probability of each sentence (token lists) under this
        hierarchical-softmax model, as a float32 array (``scoring.py`` says how, and where it
        differs from gensim's table). At most ``total_sentences`` are scored, with a warning
        when more are given. ``chunksize``, ``queue_factor``, ``report_delay`` tune gensim's
        threads: no effect."""
        from .scoring import score
        return score(self, sentences, total_sentences)

    def predict_output_word(self, context_words_list, topn=10):
        """gensim's: the ``topn`` words most probable at the centre of ``context_words_list``,
        as ``[(word, probability)]``, most probable first: the softmax over every output row of
        the context rows' mean (their sum with ``cbow_mean=0``), for skip-gram models too, as
        gensim computes it. Unknown context words are skipped; with none known, warns and
        returns None. Needs one output row per word (negative sampling or the full softmax)."""
        if self.vocab is None:
            raise RuntimeError("predict_output_word: the model has no vocabulary yet")
        if self.config.objective[1] == "hs":
            raise RuntimeError("predict_output_word needs one output row per word: train with "
                               "negative sampling (negative > 0) or loss='softmax', not hs=1")
        if isinstance(context_words_list, str):
            raise TypeError("predict_output_word takes a list of context words, not one string")
        words = _as_read(context_words_list, self.config.lowercase)
        ids = [self.wv.key_to_index[w] for w in words if w in self.wv.key_to_index]
        if not ids:
            warnings.warn("predict_output_word: every context word is out of the vocabulary",
                          stacklevel=2)
            return None
        hidden = self.wv.vectors[ids].astype(np.float64).sum(axis=0)
        if self.config.cbow_mean:
            hidden /= len(ids)
        scores = self.W_out @ hidden                  # (V,) output rows . hidden
        p = np.exp(scores - scores.max())             # softmax, without overflow
        p /= p.sum()
        top = np.argsort(-p, kind="stable")[:topn]
        return [(self.vocab.words[i], float(p[i])) for i in top]

    # ---- vocabulary ----------------------------------------------------------------------
    def build_vocab(self, corpus_iterable=None, corpus_file=None, update=False, progress_per=None,
                    keep_raw_vocab=False, trim_rule=None, vocab_file=None, client=None,
                    min_count=None, sample=None, dry_run=False):
        """Read the corpus once: count words, keep those with ``count >= min_count``, encode it.

        The corpus: a list (or re-iterable) of token lists, held in memory; a text file, a
        directory of text files or a list of paths, prepared into a temporary directory
        (``fastw2v.corpus.prepare``) and streamed from disk in every epoch; or a prepared
        directory (``fastw2v prepare``), streamed without reading the text. ``vocab_file``:
        a "word count" file (word2vec.c's -read-vocab) that fixes the vocabulary.

        ``update=True`` (gensim's): grow the trained model's vocabulary with the corpus's new
        words seen ``min_count`` times (appended, with fresh rows; known words add their
        counts), rebuild the noise distribution and the Huffman tree, and make the corpus the
        one ``train()`` trains. Returns ``self``.

        As gensim's: ``max_final_vocab`` raises min_count until at most that many words stay
        (``model.effective_min_count``), and ``trim_rule(word, count, min_count)`` may answer
        ``RULE_KEEP`` or ``RULE_DISCARD`` (``fastw2v.vocab``, gensim.utils's values) for any
        word, or ``RULE_DEFAULT`` to leave it to the count; it is also asked when
        ``max_vocab_size`` prunes a new vocabulary (at word2vec.c's thresholds: ``vocab.prune``;
        ``update=True`` does not prune), and is not kept with the model. ``keep_raw_vocab`` has no
        effect (fastw2v keeps no raw vocabulary).

        ``client`` (a ``dask.distributed.Client``): the first pass runs on its workers, and so
        does training from then on (``fastw2v/distributed/``). The corpus must then be files
        every worker can read; a text corpus is prepared into a directory beside it.

        ``min_count`` and ``sample`` (gensim's ``prepare_vocab`` keywords) override the model's
        for this build, as gensim's: a new vocabulary keeps them as ``model.min_count`` and
        ``model.sample``; ``update=True`` applies ``min_count`` to the new words
        (``effective_min_count``) and leaves ``model.min_count`` as it was, while ``sample``
        stays (gensim stores its thresholds per word). ``dry_run`` (gensim's report of what a
        build would keep) is refused.
        """
        if dry_run:
            raise ValueError("build_vocab(dry_run=True) is not supported: build the vocabulary "
                             "of a new Word2Vec with the same settings to see what it keeps")
        if min_count is not None or sample is not None:
            saved = self.config
            given = {k: v for k, v in (("min_count", min_count), ("sample", sample)) if v is not None}
            cfg = dataclasses.replace(saved, **given)
            cfg.validate(learning_rate_line=False)
            object.__setattr__(self, "config", cfg)
            built = False
            try:
                self.build_vocab(corpus_iterable, corpus_file, update, progress_per,
                                 keep_raw_vocab, trim_rule, vocab_file, client)
                built = True
            finally:                      # a failed build leaves the model as it was
                kept = ({} if built and not update else dict(min_count=saved.min_count)) | \
                    ({} if built else dict(sample=saved.sample))
                object.__setattr__(self, "config", dataclasses.replace(self.config, **kept))
            return self
        corpus = self._one_corpus(corpus_iterable, corpus_file, required="build_vocab")
        if client is not None:
            if not _is_paths(corpus):
                raise ValueError("with a Dask client the corpus must be files every worker can "
                                 "read (a text file, a directory, a prepared directory), not "
                                 "token lists")
            self.client = client
        if update:
            if self.vocab is None:
                raise RuntimeError("build_vocab(update=True) grows a trained model's vocabulary: "
                                   "build one first with build_vocab(corpus)")
            if vocab_file is not None:
                raise ValueError("build_vocab: vocab_file fixes the vocabulary, update=True grows it")
            return self._grow_vocab(corpus, trim_rule)
        cfg = self.config
        fixed = read_vocab(vocab_file, cfg.encoding) if vocab_file is not None else None
        if fixed is not None and cfg.lowercase:   # as the corpus is read: one word per case
            fixed = _lowercased(*fixed)
        # with a trim_rule, max_vocab_size prunes here, asking the rule (not in the first pass)
        ruled_pruning = trim_rule is not None and cfg.max_vocab_size is not None and fixed is None
        tmp = given = None
        if _is_paths(corpus):
            prepared, tmp = self._prepared(corpus, fixed, complete=fixed is not None,
                                           prune=not ruled_pruning, trim_rule=trim_rule)
            if self.client is not None:   # the workers load the kernels as the client works on
                from .distributed.driver import warm_workers
                warm_workers(self.client, dataclasses.asdict(cfg))
            words, counts = fixed if fixed is not None else (prepared.words, prepared.counts)
            # the directory's vocabulary ids -> this model's (-1: not in it)
            index = {w: i for i, w in enumerate(words)}
            to_words = np.array([index.get(w, -1) for w in prepared.words], np.int64)
            if ruled_pruning and prepared.manifest["max_vocab_size"] is not None:
                raise ValueError(f"{os.fspath(corpus)!r} was pruned by max_vocab_size when it was "
                                 "prepared, without the trim_rule: prepare it without "
                                 "--max-vocab-size to prune with a trim_rule")
            if fixed is None and (ruled_pruning or
                                  cfg.max_vocab_size != prepared.manifest["max_vocab_size"]):
                counts = np.where(prune(counts, cfg.max_vocab_size, words, trim_rule), counts, 0)
            vocab, new_id = self._choose_vocab(words, counts, trim_rule)
            to_id = np.where(to_words >= 0, new_id[to_words], -1).astype(np.int32)
            if len(vocab):
                data = prepared.encoded(to_id, config.MAX_SENTENCE_LENGTH)
            raw_words, most = prepared.raw_words, int(counts.max())
        else:
            scanned = scan(corpus, cfg.lowercase, None if ruled_pruning else cfg.max_vocab_size)
            raw_words, given = scanned.raw_words, scanned.given
            most = int(scanned.counts.max()) if raw_words else 0
            if raw_words and fixed is not None:
                vocab, new_id = self._choose_vocab(*fixed, trim_rule)
                data = encode(corpus, vocab.key_to_index, cfg.lowercase)
            elif raw_words:
                counts = scanned.counts
                if ruled_pruning:
                    counts = np.where(prune(counts, cfg.max_vocab_size, scanned.words, trim_rule),
                                      counts, 0)
                vocab, new_id = self._choose_vocab(scanned.words, counts, trim_rule)
                data = EncodedCorpus.from_scan(scanned, new_id)
        if raw_words == 0:
            raise ValueError(f"corpus {describe(corpus)} is empty: no words to train on")
        if len(vocab) == 0:
            raise ValueError(f"no word of corpus {describe(corpus)} occurs "
                             f"{self._threshold()} ({raw_words} words, most frequent "
                             f"seen {most} times){_ruled(trim_rule)}; lower min_count")
        self._new_rows(vocab)
        self._use_corpus(corpus, data, tmp, given)
        return self

    def build_vocab_from_freq(self, word_freq, keep_raw_vocab=False, corpus_count=None,
                              trim_rule=None, update=False):
        """gensim's: the vocabulary from a mapping ``{word: count}`` instead of a corpus.
        ``min_count``, ``max_final_vocab`` and ``trim_rule`` choose the words as in
        ``build_vocab`` (``max_vocab_size`` does not prune: gensim's does not either);
        ``update=True`` grows a trained model's vocabulary. No corpus is read, so ``train``
        needs one: ``train(corpus)``. ``corpus_count`` sets ``model.corpus_count`` (gensim's
        sentences of the corpus to come); ``keep_raw_vocab`` has no effect. Returns ``self``."""
        for w, c in word_freq.items():
            if not isinstance(w, str):
                raise TypeError(f"build_vocab_from_freq: words must be str, got {w!r}")
            if not isinstance(c, (int, np.integer)) or isinstance(c, bool) or c < 0:
                raise ValueError(f"build_vocab_from_freq: the count of {w!r} must be an integer "
                                 f">= 0, got {c!r}")
        words = list(word_freq)
        counts = np.array([word_freq[w] for w in words], dtype=np.int64)
        if self.config.lowercase:         # as the corpora this model reads: one word per case
            words, counts = _lowercased(words, counts)
        if update and self.vocab is None:
            raise RuntimeError("build_vocab_from_freq(update=True) grows a trained model's "
                               "vocabulary: build one first")
        if update:
            vocab, _ = self._choose_vocab(words, counts, trim_rule, grow=True)
            self._grown_rows(vocab)
        else:
            vocab, _ = self._choose_vocab(words, counts, trim_rule)
            if len(vocab) == 0:
                raise ValueError(f"build_vocab_from_freq: no word of the {len(words)} given is "
                                 f"seen {self._threshold()}{_ruled(trim_rule)}")
            self._new_rows(vocab)
        self._corpus = self._source = self._tmp = self._fingerprint = None
        self.corpus_count = int(corpus_count or 0)
        self.corpus_line_ends = None
        return self

    def reset_from(self, other_model):
        """gensim's ``reset_from``: take ``other_model``'s vocabulary (its words, counts and
        the min_count that chose them) and corpus statistics (``corpus_count``,
        ``corpus_total_words``), with fresh rows from this model's own settings and seed, as
        ``build_vocab`` would give them: several settings tried on one corpus, counted once.
        The corpus itself is not taken: ``train(corpus, ...)`` reads it onto the vocabulary.
        Unlike gensim's, the vocabulary is copied, not shared, so either model may grow its
        own afterwards (``build_vocab(update=True)``)."""
        other = other_model.vocab
        if other is None:
            raise RuntimeError("reset_from: the other model has no vocabulary yet: call its "
                               "build_vocab(corpus) first")
        if self.config.lowercase and any(w != w.lower() for w in other.words):
            raise ValueError("reset_from: this model lowercases its words and the other "
                             "model's vocabulary holds upper-case ones")
        self._chosen_min_count = other_model.effective_min_count
        self._new_rows(Vocab(list(other.words), other.counts.copy()))
        self.corpus_count, self.corpus_total_words = (other_model.corpus_count,
                                                      other_model.corpus_total_words)
        self.corpus_line_ends = other_model.corpus_line_ends
        self._corpus = self._source = self._tmp = self._fingerprint = None

    def _choose_vocab(self, words, counts, trim_rule=None, grow=False):
        """gensim's prepare_vocab: the words of ``counts`` that stay (``max_final_vocab``
        raises min_count to ``effective_min_count``; ``trim_rule`` has the last word), as a new
        vocabulary or this one grown. Returns (vocabulary, each given word's id or -1)."""
        cfg = self.config
        # kept by _new_rows / _grown_rows: a build that fails leaves the model as it was
        self._chosen_min_count = final_min_count(counts, cfg.min_count, cfg.max_final_vocab)
        if grow:
            return self.vocab.grown(words, counts, self._chosen_min_count, trim_rule)
        return Vocab.from_counts(words, counts, self._chosen_min_count, trim_rule)

    def _threshold(self):
        """The count the last _choose_vocab asked for, and why, for an error message."""
        cfg, chosen = self.config, self._chosen_min_count
        if chosen > cfg.min_count:
            return (f"{chosen} times (min_count={cfg.min_count} raised by max_final_vocab="
                    f"{cfg.max_final_vocab}: the words tied at its cut all go)")
        return f"min_count={chosen} times"

    def _new_rows(self, vocab):
        """Take ``vocab`` with fresh rows: a new model's start."""
        cfg = self.config
        if cfg.objective[1] == "softmax":
            _check_softmax_fits(len(vocab), cfg.vector_size, self.workers, cfg.softmax_batch)
        self.vocab = vocab
        self.effective_min_count = self._chosen_min_count
        self.epoch_losses, self.epoch_pairs = [], []      # new vectors: a new history
        self._state = None
        rng = np.random.default_rng(cfg.seed)
        # Input rows uniform in [-1, 1) / D as gensim 4 (word2vec.c's InitNet uses [-0.5, 0.5) / D;
        # on text8-head gensim's range gave better WordSim-353 Spearman for SGNS and skip-gram HS:
        # bench_results/decisions.md#init-range). Output rows start at zero.
        self.wv.__init__(self.vocab.words, _init_rows(rng, len(vocab), cfg.vector_size),
                         self.vocab.counts)         # the same object, as gensim's wv
        self.W_out = self._output_rows()

    def _grow_vocab(self, corpus, trim_rule=None):
        """build_vocab(update=True): the vocabulary grown by the corpus's new words."""
        cfg = self.config
        if _is_paths(corpus):
            prepared, tmp = self._prepared(corpus, prune=False,  # min_count alone picks new words
                                           trim_rule=trim_rule)
            vocab, ids = self._choose_vocab(prepared.words, prepared.counts, trim_rule, grow=True)
            data, given = prepared.encoded(ids, config.MAX_SENTENCE_LENGTH), None
        else:
            scanned, tmp = scan(corpus, cfg.lowercase), None
            vocab, ids = self._choose_vocab(scanned.words, scanned.counts, trim_rule, grow=True)
            data, given = EncodedCorpus.from_scan(scanned, ids), scanned.given
        if data.n_words == 0:
            raise ValueError(f"corpus {describe(corpus)} has no word of the vocabulary and none "
                             f"seen {self._threshold()}{_ruled(trim_rule)}")
        self._grown_rows(vocab)
        before = self.corpus_line_ends
        self._use_corpus(corpus, data, tmp, given)
        if before is not None:            # the counts add up, so do the newlines behind them
            self.corpus_line_ends += before
        return self

    def _grown_rows(self, vocab):
        """Take ``vocab``, this one grown: new words get fresh rows, trained ones keep theirs."""
        cfg = self.config
        old = len(self.vocab)
        self.effective_min_count = self._chosen_min_count
        # new words get fresh random rows (seeded by the seed and the old size), the output
        # layer zero rows for them (or, with hierarchical softmax, for the new inner nodes)
        fresh = _init_rows(np.random.default_rng([cfg.seed, old]), len(vocab) - old, cfg.vector_size)
        W_in = np.concatenate([self.wv.vectors, fresh])
        W_out = self.W_out
        self.vocab = vocab
        self.wv.__init__(vocab.words, W_in, vocab.counts)   # the same object, as gensim's wv
        self.W_out = self._output_rows()
        self.W_out[:W_out.shape[0]] = W_out

    def _one_corpus(self, corpus_iterable, corpus_file, required=None):
        return _one_corpus(corpus_iterable, corpus_file, required,
                           is_plain_utf8(self.config.encoding, self.config.unicode_errors))

    def _use_corpus(self, corpus, data, tmp, given=None):
        """``given``: the sentences a token-list corpus yielded (its scan counted them)."""
        self._corpus, self._source, self._tmp = data, corpus, tmp   # tmp: a temporary prepared copy
        self._fingerprint = _fingerprint(corpus)
        # gensim's corpus_count: the sentences of a token-list corpus as given (empty and
        # long ones count once); for text, its lines with words (cut at 10,000 words)
        self.corpus_count = int(data.n_sentences if given is None else given)
        self.corpus_total_words = int(data.raw_words)
        # word2vec.c's "</s>" count (-save-vocab): the text's newlines, which a prepared copy
        # counted (one made before it did: its sentences); token lists: a line a sentence
        manifest = getattr(getattr(data, "prepared", None), "manifest", None)
        self.corpus_line_ends = int(manifest.get("line_ends", manifest["sentences"])) \
            if manifest is not None else int(given if given is not None else data.n_sentences)

    def _output_rows(self):
        """Zero output rows: one per word, or per inner node of the Huffman tree (V - 1). Spare
        rows after them hold the threads' copies of the hottest rows (cpu/_staging.py)."""
        cfg = self.config
        V, D = len(self.vocab), cfg.vector_size
        rows = max(V - 1, 1) if cfg.objective[1] == "hs" else V
        from .cpu._staging import stage_count
        staged = cfg.device == "cpu" and cfg.objective[1] != "softmax"
        spare = self.workers * stage_count(rows, self.workers) if staged else 0
        return np.zeros((rows + spare, D), dtype=np.float32)[:rows]

    # ---- training ------------------------------------------------------------------------
    def train(self, corpus_iterable=None, corpus_file=None, total_examples=None, total_words=None,
              epochs=None, start_alpha=None, end_alpha=None, word_count=0, queue_factor=2,
              report_delay=1.0, compute_loss=None, callbacks=(), checkpoint=None, resume=False,
              verbose=True, client=None):
        """Train ``epochs`` (default: the model's) passes, the learning rate falling from
        ``start_alpha`` (default ``alpha``) to ``end_alpha`` (``min_alpha``). Returns ``self``.

        The corpus defaults to the one given to ``build_vocab``; another is encoded on the
        vocabulary (unknown words are skipped). Given again, the corpus of ``build_vocab`` is
        read again if it changed since (a list: its sentences; files: their sizes and times),
        and a re-iterable that is not a list or tuple always is, as gensim reads it.
        ``total_examples`` / ``total_words`` are accepted for gensim's code and not needed:
        fastw2v counts the corpus itself.
        ``word_count``, ``queue_factor``, ``report_delay`` tune gensim's threads: no effect.

        ``checkpoint``: a path where the model is saved (atomically) after every epoch.
        ``resume=True`` continues a run that stopped early (Ctrl-C, a crash) from a model
        loaded from its checkpoint: the remaining epochs, on the same lr line and the same
        random streams, so that it ends where the uninterrupted run would. On Ctrl-C, training
        stops after the current block with the epochs finished so far kept (KeyboardInterrupt
        is raised again; ``model.epoch_losses`` lists the finished epochs).

        ``client``: train on the workers of this ``dask.distributed.Client`` (default: the one
        given to ``build_vocab``, if any).
        """
        if self.vocab is None:
            raise RuntimeError("call build_vocab(corpus) before train(), or use fit(corpus)")
        cfg = self.config
        corpus = self._one_corpus(corpus_iterable, corpus_file)
        if corpus is None and self._corpus is None:
            raise ValueError("this model holds no corpus (loaded from a file, or its vocabulary "
                             "built by build_vocab_from_freq or reset_from): pass the corpus to "
                             "train on, "
                             "train(corpus)")
        if compute_loss is not None:
            self.compute_loss = bool(compute_loss)
        cluster = client if client is not None else self.client
        if cluster is not None:                   # before any work, and before it is kept
            from .distributed.cluster import check_versions
            check_versions(cluster)
            self.client = cluster
        schedule, first = self._schedule(epochs, start_alpha, end_alpha, resume)
        data = self._training_data(corpus)
        if data is None:
            return self
        if resume and data.raw_words != self._state["raw_words"]:
            raise ValueError(f"corpus {describe(corpus)} has {data.raw_words} words; the run to "
                             f"resume trained on {self._state['raw_words']}: resume on the same corpus")
        keep = self.vocab.keep_probabilities(cfg.sample)
        callbacks = tuple(callbacks)
        if checkpoint is not None:
            check_writable(checkpoint, "checkpoint")
        for rows in (self.wv.vectors, self.W_out):
            if not rows.flags.writeable:
                raise ValueError("this model's rows are memory-mapped read-only (load(path, "
                                 "mmap='r')): load it without mmap to train it")
        self.running_training_loss = 0.0
        progress = Progress(data.raw_words, schedule.total, enabled=verbose)
        run_epoch, finish = epoch_runner(self, data, keep, schedule, progress,  # compiles first
                                         pauses=bool(callbacks) or checkpoint is not None)
        try:                              # finish() undoes what the runner set up (a Dask
            progress.restart(first)       # cluster's memory manager held), whatever stops here
            self.checkpointed = first
            call(callbacks, "on_train_begin", self)
        except BaseException:
            finish()
            raise
        t_start = time.perf_counter()
        trained = 0
        epoch = None
        try:
            for epoch in range(first, schedule.total):
                call(callbacks, "on_epoch_begin", self)
                t_epoch = time.perf_counter()
                loss, pairs = run_epoch(epoch)
                # rows grown past float32 give NaN scores, then NaN rows and loss (the kernels'
                # divisions do not raise: cpu/_sigmoid.py)
                if not (math.isfinite(loss) and self._finite_rows()):
                    raise FloatingPointError(
                        f"training diverged in epoch {epoch + 1}: the vectors hold NaN or "
                        f"infinity; lower alpha (this run's is {schedule.alpha})" +
                        (f"; {os.fspath(checkpoint)!r} holds the epochs before it"
                         if checkpoint else ""))
                seconds = time.perf_counter() - t_epoch
                self.epoch_losses.append(float(loss))
                self.epoch_pairs.append(int(pairs))
                trained += 1
                self._record(schedule, epoch + 1, data.raw_words)
                finished, epoch = epoch, None     # the rows hold whole epochs from here on
                if checkpoint is not None:
                    finish()                      # CUDA: the rows back on the host first
                    self.save(checkpoint)
                    self.checkpointed = finished + 1   # the epoch line below: it is on disk
                progress.epoch_end(finished, loss, int(pairs), seconds)
                if callbacks:                     # they query and save the rows: current ones
                    finish()
                    self.wv.fill_norms(force=True)
                call(callbacks, "on_epoch_end", self)
        except BaseException:
            if epoch is not None:             # stopped inside an epoch: the rows hold part of it
                mine = self._state is not None and self._state["run"] == schedule.run
                self._state = dict(self._state if mine else
                                   self._record(schedule, epoch, data.raw_words),
                                   partial_epoch=epoch + 1)
            raise
        finally:
            finish()
            self.train_seconds = time.perf_counter() - t_start
            self.total_train_time += self.train_seconds
            self.words_per_second = trained * data.raw_words / max(self.train_seconds, 1e-9)
            self.train_count += 1
            self.wv.fill_norms()
            call(callbacks, "on_train_end", self)
        return self

    def _finite_rows(self):
        """Whether every row is finite (one float64 sum a matrix: NaN and infinity carry
        through it, and finite float32 rows cannot overflow it). On CUDA the rows are on the
        device: the loss alone tells."""
        if self.config.device != "cpu":
            return True
        return all(math.isfinite(np.sum(rows, dtype=np.float64))
                   for rows in (self.wv.vectors, self.W_out))

    def _schedule(self, epochs, start_alpha, end_alpha, resume):
        """(Schedule, first epoch): a new run, or the rest of the stopped one (``resume``)."""
        if resume:
            state = self._state
            if state is None:
                raise ValueError("nothing to resume: this model holds no stopped run (load it "
                                 "from a checkpoint written by train(checkpoint=...))")
            if state.get("partial_epoch"):
                raise ValueError(f"this model's rows hold part of epoch {state['partial_epoch']} "
                                 "(training stopped inside it): resume from the checkpoint "
                                 "written after the last finished epoch, "
                                 "Word2Vec.load(checkpoint).train(corpus, resume=True)")
            if state["done"] >= state["total"]:
                raise ValueError(f"nothing to resume: the run finished all its {state['total']} "
                                 "epochs; call train() without resume to train more")
            return Schedule(state["total"], state["alpha"], state["min_alpha"], state["run"]), \
                state["done"]
        epochs = self.config.epochs if epochs is None else epochs
        if not isinstance(epochs, (int, np.integer)) or epochs < 1:
            raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
        alpha = self.config.alpha if start_alpha is None else start_alpha
        min_alpha = self.config.min_alpha if end_alpha is None else end_alpha
        if not (alpha > 0 and min_alpha >= 0):
            raise ValueError(f"need start_alpha > 0 and end_alpha >= 0, got {alpha!r} -> "
                             f"{min_alpha!r}")
        if min_alpha > alpha:         # rarely what was meant
            warnings.warn(f"start_alpha / alpha {alpha:.6g} is below end_alpha / min_alpha "
                          f"{min_alpha:.6g}: as gensim, this run trains at {min_alpha:.6g} "
                          "throughout", stacklevel=3)
        # as gensim's train(): the model keeps what this call was given
        self.epochs, self.alpha, self.min_alpha = epochs, alpha, min_alpha
        # distinct random streams for every train() call: epoch e of a run draws from stream
        # run + e, so a run starts past every stream the last one started (a run stopped inside
        # an epoch drew from that epoch's stream too)
        run = len(self.epoch_losses)
        if self._state is not None:
            state = self._state
            run = max(run, state["run"] + (state.get("partial_epoch") or state["done"]))
        return Schedule(epochs, alpha, min_alpha, run=run), 0

    def _record(self, schedule, done, raw_words):
        """Where this run stands, saved with the model: what ``resume`` continues from."""
        self._state = dict(run=schedule.run, done=done, total=schedule.total,
                           alpha=schedule.alpha, min_alpha=schedule.min_alpha, raw_words=raw_words)
        return self._state

    def _training_data(self, corpus):
        if corpus is None or self._unchanged_source(corpus):
            data = self._corpus
        elif _is_paths(corpus):
            data = self._stream_onto_vocab(corpus)
            if self._same_paths(corpus):  # the text changed since: its new copy from now on
                self._corpus, self._tmp = data, self._tmp_train
        else:
            data = encode(corpus, self.vocab.key_to_index, self.config.lowercase)
        if data.n_words == 0:         # gensim trains nothing and says so; so do we
            warnings.warn(f"corpus {describe(corpus)} has no word of the vocabulary: nothing "
                          "trained", stacklevel=3)
            return None
        return data

    def _unchanged_source(self, corpus):
        """Whether ``corpus`` is the one build_vocab read, unchanged, so that its encoding can
        be trained again. gensim reads the corpus given to every train(): a list extended since
        (``sentences += more; train(sentences, ...)``) or a file rewritten since must train
        its new content, not the copy taken at build_vocab. Another re-iterable (a streaming
        class) is read again, as gensim does: one more pass over it."""
        if self._same_paths(corpus):
            if self._tmp is None:         # a prepared directory the user made: as it is
                return True
            prepared = self._corpus.prepared          # text, prepared at build_vocab
            if changed_sources(prepared.manifest):
                return False
            added = added_sources(prepared.manifest, prepared.path)
            if added:                     # maybe text, maybe outputs saved beside it
                warnings.warn(f"{describe(corpus)} holds {len(added)} file(s) it did not at "
                              f"build_vocab, e.g. {added[0]!r}: training the text read then "
                              "(build_vocab again to read them)", stacklevel=4)
            return True
        if corpus is not self._source:
            return False
        return self._fingerprint is not None and _fingerprint(corpus) == self._fingerprint

    def _same_paths(self, corpus):
        return _is_paths(corpus) and _is_paths(self._source) and \
            _absolute_paths(corpus) == _absolute_paths(self._source)

    def _prepared(self, corpus, vocab=None, complete=False, prune=True, trim_rule=None):
        """(PreparedCorpus, temporary directory or None) for a path: a prepared directory,
        checked against this model's settings, or text prepared into a temporary directory
        (onto ``vocab = (words, counts)`` when given). ``complete``: every word of the text
        must be in the directory (none left out by keep_min_count or max_vocab_size)."""
        cfg = self.config
        if not (isinstance(corpus, (str, os.PathLike)) and is_prepared(corpus)):
            # on a cluster, beside the corpus: a place every worker can read, as the corpus is
            where = None if self.client is None else os.path.dirname(os.path.abspath(
                corpus if isinstance(corpus, (str, os.PathLike)) else corpus[0]))
            try:                              # (named by this process: leftovers.py)
                tmp = TemporaryDirectory(prefix=".fastw2v-prepared-", dir=where)
            except OSError:                   # a read-only corpus directory: TMPDIR (one machine)
                tmp = TemporaryDirectory(prefix=".fastw2v-prepared-")
            try:
                return prepare(corpus, os.path.join(tmp.name, "corpus"), cfg.lowercase,
                               max_vocab_size=None if vocab or not prune else cfg.max_vocab_size,
                               threads=0 if self.client else self.workers, vocab=vocab,
                               client=self.client, **_reading(cfg)), tmp
            except BaseException:             # nothing left beside the corpus
                tmp.cleanup()
                raise
        prepared, name = PreparedCorpus(corpus), os.fspath(corpus)
        m = prepared.manifest
        if (prepared.encoding, prepared.unicode_errors) != \
                (check_encoding(cfg.encoding, cfg.unicode_errors), cfg.unicode_errors):
            raise ValueError(f"{name!r} was read as {prepared.encoding} (unicode_errors="
                             f"{prepared.unicode_errors}); this model reads {cfg.encoding} "
                             f"(unicode_errors={cfg.unicode_errors})")
        if m["lowercase"] != cfg.lowercase:
            raise ValueError(f"{name!r} was prepared with lowercase={m['lowercase']}, this model "
                             f"has lowercase={cfg.lowercase}")
        partial = m["keep_min_count"] > 1 or m["max_vocab_size"] is not None or m["vocab_from_file"]
        if complete and partial:
            raise ValueError(f"{name!r} leaves words out (keep_min_count={m['keep_min_count']}, "
                             f"max_vocab_size={m['max_vocab_size']}, vocab_from_file="
                             f"{m['vocab_from_file']}): training it on another vocabulary needs "
                             "every word; prepare it again with the defaults")
        if not complete and trim_rule is not None and m["keep_min_count"] > 1:
            raise ValueError(f"{name!r} leaves out the words seen under {m['keep_min_count']} "
                             "times (keep_min_count), which a trim_rule may keep: prepare it "
                             "with --keep-min-count 1 to use a trim_rule")
        if not complete and cfg.min_count < m["keep_min_count"]:
            raise ValueError(f"{name!r} keeps words seen at least {m['keep_min_count']} times; "
                             f"min_count={cfg.min_count} needs it prepared with a lower --keep-min-count")
        if not complete and cfg.max_vocab_size != m["max_vocab_size"] and partial:
            raise ValueError(f"{name!r} was prepared with max_vocab_size={m['max_vocab_size']} "
                             f"and keep_min_count={m['keep_min_count']}; this model's "
                             f"max_vocab_size={cfg.max_vocab_size} needs it prepared again")
        return prepared, None

    def _stream_onto_vocab(self, corpus):
        """New text (or a prepared directory) as ids of this model's vocabulary, streamed."""
        prepared, self._tmp_train = self._prepared(
            corpus, (self.vocab.words, self.vocab.counts), complete=True)
        get = self.vocab.key_to_index.get
        to_id = np.array([get(w, -1) for w in prepared.words], dtype=np.int32)
        return prepared.encoded(to_id, config.MAX_SENTENCE_LENGTH)

    def fit(self, corpus, verbose=True, client=None):
        """``build_vocab(corpus)`` then ``train()``, on the cluster of ``client`` if given;
        returns ``self``."""
        return self.build_vocab(corpus, client=client).train(verbose=verbose)

    # ---- persistence ---------------------------------------------------------------------
    def save(self, path):
        """Save everything needed to continue or resume training, atomically, in fastw2v's
        single-file container (``_container.py``: JSON header + aligned raw arrays, no pickle;
        ``load(path, mmap="r")`` maps the rows instead of reading them)."""
        from . import _container
        if self.vocab is None:
            raise RuntimeError("nothing to save: the model has no vocabulary yet")
        blob, offsets = _container.encode_strings(self.vocab.words)
        meta = dict(format=MODEL_FORMAT, config=dataclasses.asdict(self.config),
                    epoch_losses=self.epoch_losses, epoch_pairs=self.epoch_pairs,
                    state=self._state, corpus_count=self.corpus_count,
                    corpus_total_words=self.corpus_total_words,
                    corpus_line_ends=self.corpus_line_ends,
                    effective_min_count=int(self.effective_min_count))
        _container.write(path, meta, dict(W_in=self.wv.vectors, W_out=self.W_out,
                                          counts=self.vocab.counts, words=blob,
                                          word_offsets=offsets))

    @classmethod
    def load(cls, path, mmap=None, device=None):
        """Load a model written by ``save``; ``train(corpus)`` then continues training it,
        ``train(corpus, resume=True)`` finishes a run that stopped early. ``mmap="r"`` maps
        the rows read-only (for queries; training needs them in memory). ``device``: train it
        on "cpu" or "cuda" from now on (default: where it was trained; a model trained on a
        GPU loads on a machine without one with device "cpu" and a warning)."""
        from . import _container
        with open(path, "rb") as f:
            zipped = f.read(2) == b"PK"
        if zipped:
            meta, arrays = _load_npz(path)
        else:
            try:
                meta, arrays = _container.read(path, mmap)
            except ValueError as e:
                raise ValueError(f"not a fastw2v model file: {e}") from None
            if meta.get("format") != MODEL_FORMAT:
                raise ValueError(f"{path}: not a fastw2v model file (a {meta.get('format')!r} "
                                 "file; KeyedVectors.load reads saved vectors)")
            arrays["words"] = _container.decode_strings(arrays["words"], arrays["word_offsets"])
        params = meta["config"]
        if "shared_negatives" in params:          # files written before the flag's rename
            params["batch_window"] = params.pop("shared_negatives")
        params.pop("noise_table_size", None)      # the GPU's old noise table; now an alias table
        if device is not None:
            params["device"] = device
        elif params.get("device") == "cuda":
            try:
                _require_cuda()
            except RuntimeError as e:
                warnings.warn(f"{path}: trained on CUDA, loaded for the CPU ({e})", stacklevel=2)
                params["device"] = "cpu"
        model = cls(**params)
        words, counts = arrays["words"], np.asarray(arrays["counts"])
        model.vocab = Vocab(words, counts)
        model.wv = KeyedVectors(words, arrays["W_in"], counts)
        model.W_out = arrays["W_out"]
        model.epoch_losses = list(meta["epoch_losses"])
        model.epoch_pairs = list(meta["epoch_pairs"])
        model._state = meta.get("state")
        model.corpus_count = meta.get("corpus_count", 0)
        model.corpus_total_words = meta.get("corpus_total_words", 0)
        model.corpus_line_ends = meta.get("corpus_line_ends")
        model.effective_min_count = meta.get("effective_min_count", model.config.min_count)
        return model


MODEL_FORMAT = "fastw2v-model-2"


def _lowercased(words, counts):
    """Words lowercased, the counts of words that become one added (first sight's order)."""
    merged = {}
    for w, c in zip(words, np.asarray(counts).tolist()):
        merged[w.lower()] = merged.get(w.lower(), 0) + c
    return list(merged), np.array(list(merged.values()), dtype=np.int64)


def _as_read(words, lowercase):
    """Query words as this model read its corpora (lowercased with ``lowercase=True``)."""
    return [w.lower() for w in words] if lowercase else list(words)


def _ruled(trim_rule):
    return "" if trim_rule is None else " or was kept by the trim_rule"


def _load_npz(path):
    """(meta, arrays) of a model saved before the container (NumPy .npz, format 1)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            arrays = dict(W_in=z["W_in"], W_out=z["W_out"], counts=z["counts"],
                          words=str(z["words"]).split("\n"))
    except (KeyError, ValueError, OSError) as e:
        raise ValueError(f"{path}: not a fastw2v model file ({e})") from None
    return meta, arrays


def _require_cuda():
    from .gpu import require_cuda
    require_cuda()


def _fingerprint(corpus):
    """What tells whether a list (or tuple) of token lists changed: its length and a hash of
    every sentence's tokens (a fraction of what encoding it again costs). None for other
    corpora: a path is checked by its files' sizes and times, another iterable is read again."""
    if not isinstance(corpus, (list, tuple)) or _is_paths(corpus):
        return None
    try:
        return len(corpus), hash(tuple(hash(tuple(s)) for s in corpus))
    except TypeError:                 # a sentence that cannot be hashed: read it again
        return None


def _absolute_paths(corpus):
    return [os.path.abspath(p) for p in ([corpus] if isinstance(corpus, (str, os.PathLike))
                                         else corpus)]


def _one_corpus(corpus_iterable, corpus_file, required=None, plain=True):
    """The corpus of gensim's two arguments (token lists, or a file as LineSentence reads).
    gensim's readers (``corpus/sentences.py``) that name files with gensim's defaults become
    those files, when the model reads files as they do (``plain``: UTF-8, strictly)."""
    if corpus_iterable is not None and corpus_file is not None:
        raise TypeError("give the corpus once: corpus_iterable (token lists or paths) or "
                        "corpus_file (a text file, one sentence a line), not both")
    corpus = corpus_file if corpus_file is not None else corpus_iterable
    if corpus is None and required:
        raise TypeError(f"{required}() needs a corpus: corpus_iterable or corpus_file")
    return as_files(corpus) if plain else corpus


def _reading(cfg):
    """The model's settings for reading text files (non-defaults only)."""
    if (cfg.encoding, cfg.unicode_errors) == ("utf-8", "strict"):
        return {}
    return dict(encoding=cfg.encoding, unicode_errors=cfg.unicode_errors)


def _init_rows(rng, n, dim):
    return ((rng.random((n, dim), dtype=np.float32) * 2.0 - 1.0) / dim).astype(np.float32)


def _is_paths(corpus):
    """A path, or a list of paths (files, directories, globs), rather than token lists."""
    if isinstance(corpus, (str, os.PathLike)):
        return True
    # a flat list of strings is never a corpus of token lists (that is a list of lists)
    return isinstance(corpus, (list, tuple)) and len(corpus) > 0 and \
        all(isinstance(c, (str, os.PathLike)) for c in corpus)


def _check_softmax_fits(V, D, threads, batch):
    """The full softmax keeps a (batch, V) score matrix and a (V, D) gradient per thread."""
    need = 4 * (threads * (batch * V + V * D) + 2 * V * D)
    try:
        available = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        available = None
    if V > config.SOFTMAX_MAX_VOCAB or (available is not None and need > 0.8 * available):
        raise ValueError(
            f"loss='softmax' over {V} words needs about {need / 2**30:.1f} GiB and O(V*D) work per "
            f"example (limit: {config.SOFTMAX_MAX_VOCAB} words and 80% of free memory); raise "
            "min_count or max_vocab_size, or use negative sampling or hierarchical softmax (hs=1)")
