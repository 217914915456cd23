"""Word2Vec: validate, build the vocabulary, run the epochs and the lr schedule, pick a kernel.

No maths here: the objectives live in ``reference/`` (NumPy) and ``cpu/`` (Numba).
"""
import dataclasses
import json
import os
import tempfile
import time
from dataclasses import dataclass

import numba
import numpy as np

from . import config
from ._files import atomic_write
from .corpus import (EncodedCorpus, PreparedCorpus, describe, encode, is_prepared, prepare,
                     read_vocab, scan)
from .keyedvectors import KeyedVectors
from .progress import Progress
from .schedule import linear_lr, plan_pieces
from .vocab import Vocab, prune


@dataclass(frozen=True)
class Word2VecConfig:
    """Hyperparameters, with gensim's names and defaults."""
    vector_size: int = 100            # D: dimension of every word vector
    window: int = 5                   # largest distance between centre and context word
    min_count: int = 5                # words seen fewer times are dropped from the vocabulary
    sample: float = 1e-3              # subsampling threshold for frequent words (0 = off)
    negative: int = 5                 # K noise words per positive pair (negative sampling)
    alpha: float = 0.025              # learning rate at the start of training
    min_alpha: float = 0.0001         # learning rate at the end (linear decay)
    epochs: int = 5                   # passes over the corpus
    workers: int = 0                  # threads; 0 = every core. 1 = the bit-reproducible serial kernel
    seed: int = 1                     # seeds initial vectors and every thread's RNG
    max_vocab_size: int = None        # prune rare words while counting when the vocabulary grows past this
    ns_exponent: float = 0.75         # noise distribution P(w) ~ count(w) ** ns_exponent
    sg: int = 1                       # 1 = skip-gram (context predicts centre), 0 = CBOW
    hs: int = 0                       # 1 = hierarchical softmax over a Huffman tree
    cbow_mean: int = 1                # CBOW hidden layer: 1 = mean of the context rows, 0 = sum
    loss: str = None                  # "ns" | "hs" | "softmax" (full); None = from hs/negative as gensim
    softmax_batch: int = 32           # examples per minibatch of the full softmax (the step sums the
                                      # batch's gradients: large batches diverged on text8,
                                      # bench_results/decisions.md#softmax-batch)
    batch_window: bool = True         # minibatches (HogBatch), faster at equal quality on text8-head
                                      # (bench_results/): SGNS trains a window's contexts as one
                                      # minibatch against K noise words drawn once per window; CBOW
                                      # trains runs of config.CBOW_BATCH windows, hidden vectors summed
                                      # before updates. False = pair by pair and window by window as
                                      # word2vec.c. (Skip-gram HS is always pair by pair: faster.)
    lowercase: bool = False           # lowercase the corpus while reading it
    compute_loss: bool = True         # tally the loss of every epoch (costs some words/s:
                                      # bench_results/decisions.md#loss-tally)
    device: str = "cpu"               # "cpu" (Numba threads) or "cuda" (numba.cuda: SG/CBOW-NS, SG softmax)

    def validate(self):
        """Raise ValueError naming every invalid hyperparameter."""
        problems = []
        for name in ("vector_size", "window", "min_count", "epochs"):
            if not isinstance(getattr(self, name), (int, np.integer)) or getattr(self, name) < 1:
                problems.append(f"{name} must be a positive integer, got {getattr(self, name)!r}")
        if not isinstance(self.negative, (int, np.integer)) or self.negative < 0:
            problems.append(f"negative must be an integer >= 0, got {self.negative!r}")
        if not self.sample >= 0:
            problems.append(f"sample must be >= 0, got {self.sample!r}")
        if not self.alpha > 0:
            problems.append(f"alpha must be > 0, got {self.alpha!r}")
        if not 0 <= self.min_alpha <= self.alpha:
            problems.append(f"min_alpha must be in [0, alpha={self.alpha}], got {self.min_alpha!r}")
        if self.workers < 0:
            problems.append(f"workers must be >= 0 (0 = all cores), got {self.workers!r}")
        if self.max_vocab_size is not None and self.max_vocab_size < 1:
            problems.append(f"max_vocab_size must be >= 1 or None, got {self.max_vocab_size!r}")
        if not self.ns_exponent >= 0:
            problems.append(f"ns_exponent must be >= 0, got {self.ns_exponent!r}")
        if self.sg not in (0, 1):
            problems.append(f"sg must be 0 (CBOW) or 1 (skip-gram), got {self.sg!r}")
        if self.cbow_mean not in (0, 1):
            problems.append(f"cbow_mean must be 0 (sum) or 1 (mean), got {self.cbow_mean!r}")
        if self.softmax_batch < 1:
            problems.append(f"softmax_batch must be >= 1, got {self.softmax_batch!r}")
        if self.loss not in (None, "ns", "hs", "softmax"):
            problems.append(f"loss must be 'ns', 'hs', 'softmax' or None, got {self.loss!r}")
        elif self.loss == "ns" and self.negative < 1:
            problems.append("loss='ns' needs negative >= 1 noise words")
        elif self.loss is None and self.hs and self.negative > 0:
            problems.append(f"hs=1 with negative={self.negative}: fastw2v trains one output layer; "
                            "set negative=0 for hierarchical softmax, or hs=0 for negative sampling")
        elif self.loss is None and not self.hs and self.negative == 0:
            problems.append("hs=0 and negative=0 select no loss: set negative >= 1 (negative "
                            "sampling), hs=1 (hierarchical softmax) or loss='softmax' (full softmax)")
        if problems:
            raise ValueError("invalid Word2Vec parameters: " + "; ".join(problems))

    @property
    def objective(self):
        """(architecture, head): ("sg" | "cbow", "ns" | "hs" | "softmax")."""
        head = self.loss or ("hs" if self.hs else "ns")
        return ("sg" if self.sg else "cbow"), head


class Word2Vec:
    """word2vec: skip-gram or CBOW with negative sampling, hierarchical or full softmax,
    trained by Hogwild threads.

    Objective flags as gensim: ``sg=1`` skip-gram / ``sg=0`` CBOW; ``negative=K`` negative
    sampling; ``hs=1, negative=0`` hierarchical softmax; ``loss="softmax"`` the full softmax
    (fastText's name; ``loss="ns"`` / ``"hs"`` select the others explicitly).

    The constructor only stores parameters; ``build_vocab`` reads the corpus once and
    ``train`` trains (``fit`` does both). ``wv`` holds the input vectors (word2vec.c's syn0).
    """

    def __init__(self, **params):
        self.config = Word2VecConfig(**params)
        self.config.validate()
        if self.config.device == "cuda":
            from .gpu import require_cuda
            from .gpu.driver import check_objective
            check_objective(self.config.objective)
            require_cuda()
        self.vocab = None
        self.wv = None
        self.W_out = None
        self.epoch_losses = []        # summed loss of every epoch trained, float64
        self.epoch_pairs = []         # (context, centre) pairs trained in every epoch
        self.train_seconds = 0.0
        self.words_per_second = 0.0
        self._corpus = None
        self._source = None

    @property
    def workers(self):
        return self.config.workers or os.cpu_count() or 1

    # ---- vocabulary ----------------------------------------------------------------------
    def build_vocab(self, corpus, vocab_file=None):
        """Read ``corpus`` once: count words, keep those with ``count >= min_count``, encode it.

        ``corpus``: a list (or re-iterable) of token lists, held in memory; a text file, a
        directory of text files or a list of paths, prepared into a temporary directory
        (``fastw2v.corpus.prepare``) and streamed from disk in every epoch; or a prepared
        directory (``fastw2v prepare``), streamed without reading the text. ``vocab_file``:
        a "word count" file (word2vec.c's -read-vocab) that fixes the vocabulary.
        """
        cfg = self.config
        fixed = read_vocab(vocab_file) if vocab_file is not None else None
        tmp = None
        if _is_paths(corpus):
            prepared, tmp = self._prepared(corpus, fixed, complete=fixed is not None)
            words, counts = fixed if fixed is not None else (prepared.words, prepared.counts)
            # the directory's vocabulary ids -> this model's (-1: not in it)
            index = {w: i for i, w in enumerate(words)}
            to_words = np.array([index.get(w, -1) for w in prepared.words], np.int64)
            if fixed is None and cfg.max_vocab_size != prepared.manifest["max_vocab_size"]:
                counts = np.where(prune(counts, cfg.max_vocab_size), counts, 0)
            vocab, new_id = Vocab.from_counts(words, counts, cfg.min_count)
            to_id = np.where(to_words >= 0, new_id[to_words], -1).astype(np.int32)
            if len(vocab):
                data = prepared.encoded(to_id, config.MAX_SENTENCE_LENGTH)
            raw_words, most = prepared.raw_words, int(counts.max())
        else:
            scanned = scan(corpus, cfg.lowercase, cfg.max_vocab_size)
            raw_words = scanned.raw_words
            most = int(scanned.counts.max()) if raw_words else 0
            if raw_words and fixed is not None:
                vocab, new_id = Vocab.from_counts(*fixed, cfg.min_count)
                data = encode(corpus, vocab.key_to_index, cfg.lowercase)
            elif raw_words:
                vocab, new_id = Vocab.from_counts(scanned.words, scanned.counts, cfg.min_count)
                data = EncodedCorpus.from_scan(scanned, new_id)
        if raw_words == 0:
            raise ValueError(f"corpus {describe(corpus)} is empty: no words to train on")
        if len(vocab) == 0:
            raise ValueError(f"no word of corpus {describe(corpus)} occurs min_count={cfg.min_count} "
                             f"times ({raw_words} words, most frequent seen {most} times); lower min_count")
        if cfg.objective[1] == "softmax":
            _check_softmax_fits(len(vocab), cfg.vector_size, self.workers, cfg.softmax_batch)
        self.vocab = vocab
        self._corpus = data
        self._source = corpus
        self._tmp = tmp                                   # a temporary prepared copy, if any
        self.epoch_losses, self.epoch_pairs = [], []      # new vectors: a new history
        rng = np.random.default_rng(cfg.seed)
        V, D = len(self.vocab), cfg.vector_size
        # Input rows uniform in [-1, 1) / D as gensim 4 (word2vec.c's InitNet uses [-0.5, 0.5) / D;
        # on text8-head gensim's range gave better WordSim-353 Spearman for SGNS and skip-gram HS:
        # bench_results/decisions.md#init-range). Output rows start at zero.
        W_in = ((rng.random((V, D), dtype=np.float32) * 2.0 - 1.0) / D).astype(np.float32)
        self.wv = KeyedVectors(self.vocab.words, W_in, self.vocab.counts)
        # output rows start at zero; hierarchical softmax has one per inner node (V - 1). Spare
        # rows after them hold the threads' copies of the hottest rows (cpu/_staging.py)
        rows = max(V - 1, 1) if cfg.objective[1] == "hs" else V
        from .cpu._staging import stage_count
        staged = cfg.device == "cpu" and cfg.objective[1] != "softmax"
        spare = self.workers * stage_count(rows, self.workers) if staged else 0
        self.W_out = np.zeros((rows + spare, D), dtype=np.float32)[:rows]
        return self

    # ---- training ------------------------------------------------------------------------
    def train(self, corpus=None, epochs=None, verbose=True):
        """Train for ``epochs`` (default: the config's) passes, lr falling from alpha to min_alpha.

        ``corpus`` defaults to the one given to ``build_vocab``; another corpus is encoded on
        the existing vocabulary (unknown words are skipped). Returns ``self``.
        """
        if self.vocab is None:
            raise RuntimeError("call build_vocab(corpus) before train(), or use fit(corpus)")
        cfg = self.config
        epochs = cfg.epochs if epochs is None else epochs
        if epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {epochs}")
        if corpus is None and self._corpus is None:
            raise ValueError("this model was loaded from a file, which holds no corpus: pass the "
                             "corpus to train on, train(corpus)")
        if corpus is None or corpus is self._source:
            data = self._corpus
        elif _is_paths(corpus):
            data = self._stream_onto_vocab(corpus)
        else:
            data = encode(corpus, self.vocab.key_to_index, cfg.lowercase)
        if data.n_words == 0:
            raise ValueError(f"corpus {describe(corpus)} has no word of the vocabulary")
        keep = self.vocab.keep_probabilities(cfg.sample)
        progress = Progress(data.raw_words, epochs, enabled=verbose)
        run = len(self.epoch_losses)           # distinct RNG streams for every train() call
        make_runner = self._cuda_epochs if cfg.device == "cuda" else self._cpu_epochs
        run_epoch, finish = make_runner(data, keep, epochs, run, progress)
        t_start = time.perf_counter()
        try:
            for epoch in range(epochs):
                t_epoch = time.perf_counter()
                loss, pairs = run_epoch(epoch)
                self.epoch_losses.append(float(loss))
                self.epoch_pairs.append(int(pairs))
                progress.epoch_end(epoch, loss, int(pairs), time.perf_counter() - t_epoch)
        finally:
            finish()
        self.train_seconds = time.perf_counter() - t_start
        self.words_per_second = epochs * data.raw_words / self.train_seconds
        self.wv.fill_norms()
        return self

    def _prepared(self, corpus, vocab=None, complete=False):
        """(PreparedCorpus, temporary directory or None) for a path: a prepared directory,
        checked against this model's settings, or text prepared into a temporary directory
        (onto ``vocab = (words, counts)`` when given). ``complete``: every word of the text
        must be in the directory (none left out by keep_min_count or max_vocab_size)."""
        cfg = self.config
        if not (isinstance(corpus, (str, os.PathLike)) and is_prepared(corpus)):
            tmp = tempfile.TemporaryDirectory(prefix="fastw2v-prepared-")
            return prepare(corpus, os.path.join(tmp.name, "corpus"), cfg.lowercase,
                           max_vocab_size=None if vocab else cfg.max_vocab_size,
                           threads=self.workers, vocab=vocab), tmp
        prepared, name = PreparedCorpus(corpus), os.fspath(corpus)
        m = prepared.manifest
        if m["lowercase"] != cfg.lowercase:
            raise ValueError(f"{name!r} was prepared with lowercase={m['lowercase']}, this model "
                             f"has lowercase={cfg.lowercase}")
        partial = m["keep_min_count"] > 1 or m["max_vocab_size"] is not None or m["vocab_from_file"]
        if complete and partial:
            raise ValueError(f"{name!r} leaves words out (keep_min_count={m['keep_min_count']}, "
                             f"max_vocab_size={m['max_vocab_size']}, vocab_from_file="
                             f"{m['vocab_from_file']}): training it on another vocabulary needs "
                             "every word; prepare it again with the defaults")
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

    def _cpu_epochs(self, data, keep, epochs, run, progress):
        """(run_epoch, finish) for the Numba kernels: blocks of one piece per thread."""
        cfg = self.config
        threads = self.workers
        run_block = self._block_runner(threads)
        blocks = plan_pieces(data.offsets, threads, config.BLOCK_WORDS_PER_THREAD)
        raw_per_word = data.raw_words / data.n_words
        total = epochs * data.n_words

        def run_epoch(epoch):
            loss = pairs = 0.0
            done = 0
            reader = data.reader()           # the block's ids: a slice in memory, or read from disk
            for b, starts in enumerate(blocks):
                first = data.offsets[starts[0]]
                n_block = int(data.offsets[starts[-1]] - first)
                at = epoch * data.n_words + done
                lr0 = linear_lr(at / total, cfg.alpha, cfg.min_alpha)
                lr1 = linear_lr((at + n_block) / total, cfg.alpha, cfg.min_alpha)
                stats = np.zeros((threads, 2), dtype=np.float64)
                # the block alone, its sentences counted from 0: the kernels see only positions
                # within it, so a streamed corpus trains exactly as one held in memory
                offsets = data.offsets[starts[0]:starts[-1] + 1] - first
                work = (reader.take(n_block), offsets, starts - starts[0],
                        _seed_states(cfg.seed, run + epoch, b, threads), keep)
                run_block(work, lr0, lr1, stats)
                loss += stats[:, 0].sum()
                pairs += stats[:, 1].sum()
                done += n_block
                progress.update(epoch, done * raw_per_word, lr1)
            return loss, pairs

        return run_epoch, lambda: None

    def _cuda_epochs(self, data, keep, epochs, run, progress):
        """(run_epoch, finish) for the numba.cuda kernels; finish copies the vectors back."""
        from .gpu.driver import CudaTrainer
        cfg = self.config
        from .cpu._noise import alias_table
        noise = alias_table(self.vocab.noise_distribution(cfg.ns_exponent))  # exact draws, as the CPU
        trainer = CudaTrainer(self.wv.vectors, self.W_out, noise, cfg, cfg.objective,
                              seed=cfg.seed + 7919 * run, n_tokens=data.n_words)
        rng = np.random.default_rng([cfg.seed, run])

        def run_epoch(epoch):
            report = lambda frac, lr: progress.update(epoch, frac * data.raw_words, lr)  # noqa: E731
            return trainer.train_epoch(data, keep, rng, epoch / epochs, (epoch + 1) / epochs, report)

        return run_epoch, trainer.copy_back

    def fit(self, corpus, verbose=True):
        """``build_vocab(corpus)`` then ``train()``."""
        return self.build_vocab(corpus).train(verbose=verbose)

    def _block_runner(self, threads):
        """``run(work, lr_start, lr_end, stats)`` training one block with this objective."""
        from .cpu import cbow, hs, sgns, softmax_sg
        from .cpu._noise import alias_table
        from .cpu._staging import plan_stage, spare_rows
        cfg = self.config
        arch, head = cfg.objective
        parallel = threads > 1
        if parallel:
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        W_in, mean, window = self.wv.vectors, bool(cfg.cbow_mean), cfg.window
        cbow_batch = config.CBOW_BATCH if cfg.batch_window else 1
        pick = lambda module, name: getattr(module, f"{name}_block_{'parallel' if parallel else 'serial'}")  # noqa: E731
        if head == "softmax":
            block = pick(softmax_sg, "softmax")
            return lambda work, lr0, lr1, stats: block(
                W_in, self.W_out, work, window, arch == "cbow", mean, cfg.softmax_batch, lr0, lr1,
                stats)
        # the kernels see W_out with spare rows after it: each thread's copies of its hottest rows
        rows = self.W_out.shape[0]
        stage = plan_stage(rows, head == "ns", threads, cfg.vector_size)
        W_out = spare_rows(self.W_out, threads * stage[1])
        self.W_out = W_out[:rows]
        if head == "ns":
            noise = alias_table(self.vocab.noise_distribution(cfg.ns_exponent))
            if arch == "cbow":
                block = pick(cbow, "cbow_ns")
                return lambda work, lr0, lr1, stats: block(
                    W_in, W_out, noise, cfg.negative, mean, cbow_batch, stage, work, window, lr0,
                    lr1, cfg.compute_loss, stats)
            block = pick(sgns, "sgns")
            return lambda work, lr0, lr1, stats: block(
                W_in, W_out, noise, cfg.negative, cfg.batch_window, stage, work, window, lr0, lr1,
                cfg.compute_loss, stats)
        tree = self.vocab.huffman_tree()
        if arch == "cbow":
            block = pick(hs, "cbow_hs")
            return lambda work, lr0, lr1, stats: block(
                W_in, W_out, tree, mean, cbow_batch, stage, work, window, lr0, lr1,
                cfg.compute_loss, stats)
        block = pick(hs, "sg_hs")
        return lambda work, lr0, lr1, stats: block(
            W_in, W_out, tree, stage, work, window, lr0, lr1, cfg.compute_loss, stats)

    # ---- persistence ---------------------------------------------------------------------
    def save(self, path):
        """Save everything needed to resume training (NumPy .npz, no pickle), atomically."""
        if self.vocab is None:
            raise RuntimeError("nothing to save: the model has no vocabulary yet")
        meta = dict(config=dataclasses.asdict(self.config), epoch_losses=self.epoch_losses,
                    epoch_pairs=self.epoch_pairs, format="fastw2v-model-1")
        with atomic_write(path, "wb") as f:
            np.savez(f, W_in=self.wv.vectors, W_out=self.W_out, counts=self.vocab.counts,
                     words=np.array("\n".join(self.vocab.words)), meta=np.array(json.dumps(meta)))

    @classmethod
    def load(cls, path):
        """Load a model written by ``save``; ``train(corpus)`` then continues training it."""
        try:
            with np.load(path, allow_pickle=False) as z:
                meta = json.loads(str(z["meta"]))
                params = meta["config"]
                if "shared_negatives" in params:      # files written before the flag's rename
                    params["batch_window"] = params.pop("shared_negatives")
                params.pop("noise_table_size", None)  # the GPU's old noise table; now an alias table
                model = cls(**params)
                words = str(z["words"]).split("\n")
                model.vocab = Vocab(words, z["counts"])
                model.wv = KeyedVectors(words, z["W_in"], z["counts"])
                model.W_out = z["W_out"]
        except (KeyError, ValueError, OSError) as e:
            if isinstance(e, FileNotFoundError):
                raise
            raise ValueError(f"{path}: not a fastw2v model file ({e})") from None
        model.epoch_losses = list(meta["epoch_losses"])
        model.epoch_pairs = list(meta["epoch_pairs"])
        return model


def _is_paths(corpus):
    """A path, or a list of paths (files, directories, globs), rather than token lists."""
    if isinstance(corpus, (str, os.PathLike)):
        return True
    return isinstance(corpus, (list, tuple)) and len(corpus) > 0 and \
        all(isinstance(c, (str, os.PathLike)) for c in corpus) and \
        any(isinstance(c, os.PathLike) or os.path.exists(c) for c in corpus)


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


def _seed_states(seed, run, block, n):
    from .cpu._rng import seed_states
    return seed_states(seed, run, block, n=n)
