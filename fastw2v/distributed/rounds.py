"""One step of one worker, as a pure task: (spec, replica, sync, piece, lr line, seed) -> replica.

A worker's replica of the rows (W_in, W_out) lives in Dask's memory on that worker, as the
future each step returns and the next step takes. A step copies the replica it is given into
the worker's model, sets the rows that just met (``sync``: the rows every worker agreed on after
the previous step), trains its piece of the prepared corpus with the same Numba kernels and
block loop as one process (``training.py``) and returns the new replica, leaving its input as it
was. ``head`` then sends the client only the hottest rows, those that meet after this step.

A worker keeps between steps only a cache of what the spec builds (vocabulary, Huffman tree,
noise table, the opened corpus, the model's arrays) and a weak reference to the replica it
last returned (to skip copying it back in), so a step run again, on this worker or another one
after a worker died, returns the same replica with one thread (an equally valid one with
several: Hogwild). A cycle
starts from a snapshot the client broadcast to every worker, so Dask recomputes a lost worker's
replica from there (its own retry): a lost worker costs at most one cycle of its steps,
recomputed in order elsewhere. ``forget`` drops the cache when training ends.
"""
import contextlib
import sys
import threading
import time
import types
import weakref

import numpy as np

from .. import config
from ..corpus import PreparedCorpus, split_long_sentences
from ..corpus.reading import _drop_empty
from ..schedule import block_count, planned_blocks

_SHELLS = {}                      # spec key -> _Shell, per worker process, oldest first
SHELLS = 2                        # trainings whose models a worker keeps at once
_SHELLS_LOCK = threading.Lock()
# one parallel kernel call at a time in a worker process, whichever training or warm-up makes
# it: numba's workqueue threading layer aborts the process when two threads enter its parallel
# kernels at once (with TBB or OpenMP they would only oversubscribe the cores, each call using
# all of the worker's threads); one training's pieces on a worker take turns anyway (its lock)
_KERNEL_LOCK = threading.Lock()


def model_of(params, words, counts, W_in=None, W_out=None):
    """A ``Word2Vec`` with config ``params`` and vocabulary ``words`` / ``counts``, on rows
    ``W_in`` / ``W_out`` (new zero ones when None): what a worker's kernels train."""
    from ..keyedvectors import KeyedVectors
    from ..model import Word2Vec
    from ..vocab import Vocab
    model = Word2Vec(**params)
    model.vocab = Vocab(words, counts)
    V, D = len(model.vocab), model.config.vector_size
    model.wv = KeyedVectors(model.vocab.words,
                            np.zeros((V, D), np.float32) if W_in is None else W_in,
                            model.vocab.counts)
    model.W_out = model._output_rows() if W_out is None else W_out
    return model


class WorkerModel:
    """What a worker trains a spec with: the spec's model on rows ``W_in`` / ``W_out`` (new
    ones when None), its threads (as training.py's loop: a piece per thread that runs), the
    subsampling, the prepared corpus and its map to the vocabulary, and a lock its tasks take
    turns on. ``run`` is the block runner ``rounds._train`` calls."""

    def __init__(self, spec, threads, W_in=None, W_out=None):
        self.model = model = model_of(spec["params"], spec["words"], spec["counts"], W_in, W_out)
        self.threads = _threads(threads)
        self.keep = model.vocab.keep_probabilities(model.config.sample)
        try:
            # its token streams only: the spec holds the model's vocabulary and map
            self.corpus = PreparedCorpus(spec["prepared"], check_sources=False, read_words=False)
        except ValueError as e:                   # not a prepared corpus (any more)
            raise OSError(str(e)) from None
        self.to_id = np.asarray(spec["to_id"], dtype=np.int32)
        self.lock = threading.Lock()
        self.run = None


def _threads(threads):
    import numba
    return min(threads, numba.config.NUMBA_NUM_THREADS)


def warm_kernels(params, threads=None):
    """On a worker: the training kernels of a model with config ``params`` loaded (from
    numba's cache, or compiled) by one sentence of a three-word model at learning rate 0,
    through the path a piece takes (``threads``: the worker's). Their types do not depend on
    the vocabulary, so the real model's pieces find them loaded. ``Word2Vec.build_vocab``
    starts this on every worker once the first pass is done, while the client builds the
    vocabulary and sets training up (bench_results/decisions.md#dask-warm-kernels)."""
    from ..training import block_runner
    if threads is None:                           # the worker's
        from distributed import get_worker
        threads = get_worker().state.nthreads
    model = model_of(params, ["a", "b", "c"], np.array([3, 2, 1], np.int64))
    threads = _threads(threads)
    toy = types.SimpleNamespace(      # what _train reads of a WorkerModel (no corpus: one
        model=model, threads=threads,  # sentence is given here)
        keep=model.vocab.keep_probabilities(model.config.sample),
        run=block_runner(model, threads))
    _train(toy, np.array([0, 1, 2], np.int32), np.array([0, 3], np.int64), 0.0, 0.0, (0, 0))


class _Shell(WorkerModel):
    """A worker's replica: the spec's vocabulary with its own rows, and the block runner."""

    def __init__(self, spec, threads):
        from ..training import block_runner
        super().__init__(spec, threads)
        self.run = block_runner(self.model, self.threads)
        self.spares = []                          # (W_in, W_out) pairs this worker returned
        # the replica the last step returned (the model holds its rows), weakly: once Dask
        # drops it, it costs no memory here
        self.last = lambda: None


def forget(key=None):
    """Drop this worker's cache of the training whose spec has ``key`` (every training's if
    None): run on every worker when a training ends."""
    with _SHELLS_LOCK:
        if key is None:
            _SHELLS.clear()
        else:
            _SHELLS.pop(key, None)


def _shell(spec, threads):
    """The worker's model for ``spec``, built on its first step. Up to ``SHELLS`` trainings
    keep theirs (two trainings on one cluster at once would otherwise rebuild and copy their
    replicas in at every step); past that the least recently used goes."""
    with _SHELLS_LOCK:
        shell = _SHELLS.pop(spec["key"], None)
        if shell is None:
            while len(_SHELLS) >= SHELLS:
                del _SHELLS[next(iter(_SHELLS))]
            shell = _Shell(spec, threads)
        _SHELLS[spec["key"]] = shell              # the most recently used last
        return shell


def train_step(spec, replica, sync, piece, lr0, lr1, stream):
    """Train stored tokens ``piece = (a, b)`` from ``replica`` (``dict(W_in, W_out)``) with
    the rows of ``sync`` (``(count_in, W_in rows, count_out, W_out rows)``: the agreed values of
    the hottest rows in the spec's heat order, or None) set first, the
    rate falling from ``lr0`` to ``lr1``; ``stream`` picks the random streams. Returns the new
    replica with ``loss, pairs, worker, threads, seconds``."""
    from distributed import get_worker
    worker = get_worker()
    t0 = time.perf_counter()
    try:
        shell = _shell(spec, worker.state.nthreads)
        with shell.lock:
            ids, offsets = read_piece(shell.corpus, shell.to_id, *piece)
    except (OSError, IndexError) as e:    # missing, truncated, not shared with us, changed
        raise OSError(f"worker {worker.address} cannot read the prepared corpus "   # under us
                      f"{spec['prepared']!r}: {e}") from None
    with shell.lock:
        W_in, W_out = shell.model.wv.vectors, shell.model.W_out   # the kernels' own arrays
        held = replica["W_in"] is shell.last()    # this worker's previous step returned it
        shell.last = lambda: None                 # (a step that fails leaves no claim behind)
        if not held:                              # copied in, never changed: a pure task
            W_in[:] = replica["W_in"]
            W_out[:] = replica["W_out"]
        if sync is not None:
            count_in, agreed_in, count_out, agreed_out = sync
            W_in[spec["order_in"][:count_in]] = agreed_in
            W_out[spec["order_out"][:count_out]] = agreed_out
        loss = pairs = 0.0
        if ids.size:
            loss, pairs = _train(shell, ids, offsets, lr0, lr1, stream)
        out_in, out_out = _spare(shell.spares, W_in, W_out)
        np.copyto(out_in, W_in)
        np.copyto(out_out, W_out)
        new = dict(W_in=out_in, W_out=out_out, loss=loss, pairs=pairs, worker=worker.address,
                   threads=shell.threads, seconds=time.perf_counter() - t0)
        shell.last = weakref.ref(new["W_in"])
        return new


# replicas' arrays a worker keeps for reuse: memory Dask does not see (spilling a replica to
# disk leaves its arrays here), so few; a worker needs 2 (the replica it trains from and the one
# it returns), and falls back to new arrays when both are held
SPARES = 2


def _spare(spares, W_in, W_out):
    """Arrays for a new replica: a pair this worker returned before that nothing holds any
    more (Dask dropped that replica), else new ones (kept for reuse, up to ``SPARES`` pairs).
    A fresh pair a step made every step write the whole model into new memory; reusing a pair
    shortened the step (measured in bench_results/dask.md, "After the BLAS fix")."""
    for pair in spares:
        if _refs(pair, 0) == _UNHELD and _refs(pair, 1) == _UNHELD:
            return pair
    pair = (np.empty_like(W_in), np.empty_like(W_out))
    if len(spares) < SPARES:
        spares.append(pair)
    return pair


def _refs(pair, i):
    return sys.getrefcount(pair[i])


# what _refs counts for an array that only its pair holds (the count differs between Python
# versions: measured, not assumed)
_UNHELD = _refs((np.empty(0),), 0)


def head(spec, replica, count_in, count_out):
    """What the client needs of a step: the rows that meet now (the ``count_in`` and
    ``count_out`` hottest, in the spec's heat order), the step's loss and timing."""
    return dict(W_in=replica["W_in"][spec["order_in"][:count_in]],
                W_out=replica["W_out"][spec["order_out"][:count_out]],
                loss=replica["loss"], pairs=replica["pairs"], worker=replica["worker"],
                threads=replica["threads"], seconds=replica["seconds"])


def _train(shell, ids, offsets, lr0, lr1, stream):
    """The piece in blocks, as ``training._cpu_epochs`` trains an epoch."""
    import numba

    from ..cpu._rng import seed_states
    from ..training import train_block
    threads, n = shell.threads, max(int(offsets[-1]), 1)
    if threads > 1:               # numba's thread count is per calling thread: Dask's task
        numba.set_num_threads(threads)    # threads are not the one that built the shell
    loss = pairs = 0.0
    done = 0
    with _KERNEL_LOCK if threads > 1 else contextlib.nullcontext():   # serial: no layer
        for b, (block_ids, block_offsets, starts) in enumerate(
                planned_blocks(ids, offsets, threads, config.BLOCK_WORDS_PER_THREAD)):
            n_block = int(block_offsets[-1])
            block_loss, block_pairs = train_block(
                shell.run, block_ids, block_offsets, starts,
                seed_states(shell.model.config.seed, *stream, b, n=threads), shell.keep,
                lr0 + (lr1 - lr0) * done / n, lr0 + (lr1 - lr0) * (done + n_block) / n)
            loss += block_loss
            pairs += block_pairs
            done += n_block
    return loss, pairs


def read_piece(corpus, to_id, a, b):
    """Stored tokens ``[a, b)`` of a prepared corpus (cut at sentence ends) as this model's
    ids and sentence offsets: words outside the vocabulary dropped, empty sentences dropped,
    long ones split, as ``PreparedCorpus.encoded`` does for the whole corpus."""
    parts, start = [], 0
    for (tokens, shard_map), shard in zip(corpus.shards, corpus.manifest["shards"]):
        lo, hi = max(a, start), min(b, start + shard["tokens"])
        if lo < hi:
            m = corpus.shard_map(shard_map, to_id)
            stored = np.fromfile(tokens, dtype="<i4", count=hi - lo, offset=4 * (lo - start))
            parts.append(m[stored])
        start += shard["tokens"]
    stored = np.concatenate(parts) if parts else np.empty(0, np.int32)
    kept = np.zeros(stored.size + 1, dtype=np.int64)
    np.cumsum(stored >= 0, out=kept[1:])
    ends = corpus.sentence_ends().between(a, b) - a     # the piece's own, not all
    offsets = _drop_empty(np.concatenate([[0], kept[ends], [kept[-1]]]))
    return stored[stored >= 0], split_long_sentences(offsets, config.MAX_SENTENCE_LENGTH)


def plan_rounds(corpus, n_workers, words_per_worker):
    """The rounds of an epoch: each a list of one piece ``(a, b)`` of stored tokens per worker,
    cut at sentence ends, about ``words_per_worker`` tokens each: ``schedule.plan_pieces``'s
    blocks, each cut found by a search of the sentence ends on disk (``corpus/ends.py``), so
    the client never holds them all."""
    total = corpus.n_tokens
    n_rounds = block_count(total, n_workers, words_per_worker)
    targets = np.linspace(0, total, n_rounds * n_workers + 1)
    cuts = next_bounds(targets, *corpus.sentence_ends().around(targets, total),
                       config.MAX_SENTENCE_LENGTH).tolist()
    return [[(cuts[r * n_workers + w], cuts[r * n_workers + w + 1]) for w in range(n_workers)]
            for r in range(n_rounds)]


def next_bounds(targets, before, after, longest):
    """For each position t of ``targets``, the first place at or after it where a piece may
    start, given the last sentence end ``before`` it (0 if none) and the first end ``after``
    (at or past it; the corpus's end if none): t itself when it is 0, the end after, or a cut
    inside a line longer than ``longest``, every ``longest`` tokens from its start (training
    cuts such a line into sentences of that length anyway; one line, as text8 is, would
    otherwise be one piece for one worker). In the line ``(before, after]`` the cuts are
    ``before + k longest < after``: the first at or after t is
    ``before + ceil((t - before) / longest) longest``."""
    steps = np.maximum(1, np.ceil((targets - before) / longest)).astype(np.int64)
    cut = before + steps * longest
    return np.where(targets <= before, before, np.minimum(cut, after)).astype(np.int64)
