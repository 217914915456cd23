"""The epoch driver: feed the corpus block by block to the kernels, on the lr schedule.

``Word2Vec.train`` asks ``epoch_runner(model, data, ...)`` for a ``run_epoch(epoch)`` that trains
one pass and returns ``(loss, pairs)``; the CPU runner hands each block of ``threads x
config.BLOCK_WORDS_PER_THREAD`` words to one call of a Numba kernel (``cpu/``), the CUDA runner to
the numba.cuda driver (``gpu/driver.py``). Between blocks the driver reports progress, adds the
block's loss to ``model.running_training_loss`` and lets Python see Ctrl-C.

The learning rate falls on one line over ``schedule.total`` epochs: epoch ``e`` runs from
``lr((e * n) / (total * n))`` to ``lr(((e + 1) * n) / (total * n))``; a resumed run starts at the
epoch it stopped at with the same line (and the same random streams), so a run stopped and
resumed trains what one uninterrupted run trains.
"""
import dataclasses
import os
import sys
from dataclasses import dataclass

import numba
import numpy as np

from . import config
from .schedule import linear_lr


@dataclass(frozen=True)
class Schedule:
    """One ``train()`` call's plan: ``total`` epochs, lr from ``alpha`` to ``min_alpha`` over
    them; ``run`` numbers the call (it picks the random streams, so that two calls differ)."""
    total: int
    alpha: float
    min_alpha: float
    run: int

    def stretch(self, at, n, words):
        """The rates at the start and the end of ``n`` words from word ``at`` of the line's
        ``words`` (every epoch's together)."""
        return (linear_lr(at / words, self.alpha, self.min_alpha),
                linear_lr((at + n) / words, self.alpha, self.min_alpha))


def epoch_runner(model, data, keep, schedule, progress, pauses=False):
    """(run_epoch, finish) for the model's device; ``finish()`` runs once training stops.
    ``pauses``: the caller also calls ``finish()`` between epochs and reads the rows there
    (callbacks, checkpoints), so an epoch may not start before ``run_epoch`` is asked for it."""
    if getattr(model, "client", None) is not None:
        from .distributed.driver import dask_epochs
        return dask_epochs(model, data, keep, schedule, progress, model.client, pauses)
    if model.config.device == "cuda":
        return _cuda_epochs(model, data, keep, schedule, progress)
    return _cpu_epochs(model, data, keep, schedule, progress)


def _cpu_epochs(model, data, keep, schedule, progress):
    """Blocks of one piece per thread, each a call of the Numba kernel."""
    cfg = model.config
    # a piece per thread that runs: with more workers than numba's threads, the extra pieces
    # would run after the others, each again from the block's first learning rate
    threads = min(model.workers, numba.config.NUMBA_NUM_THREADS)
    run_block = block_runner(model, threads)
    raw_per_word = data.raw_words / data.n_words
    total = schedule.total * data.n_words
    _warm_up(model, run_block, data, keep, threads, progress.enabled)

    def run_epoch(epoch):
        loss = pairs = 0.0
        done = 0
        # the blocks of plan_pieces: slices of a corpus in memory, or planned as a streamed
        # one is read (no array a sentence long: corpus/blocks.py)
        blocks = data.blocks(threads, config.BLOCK_WORDS_PER_THREAD)
        for b, (ids, offsets, starts) in enumerate(blocks):
            n_block = int(offsets[-1])
            at = epoch * data.n_words + done
            lr0, lr1 = schedule.stretch(at, n_block, total)
            block_loss, block_pairs = train_block(
                run_block, ids, offsets, starts,
                _seed_states(cfg.seed, schedule.run + epoch, b, threads), keep, lr0, lr1)
            loss += block_loss
            pairs += block_pairs
            model.running_training_loss += block_loss
            done += n_block
            progress.update(epoch, done * raw_per_word, lr1)
        return loss, pairs

    return run_epoch, lambda: None


def train_block(run_block, ids, offsets, starts, seeds, keep, lr0, lr1):
    """One kernel call on a block of sentences, ``offsets`` and ``starts`` counted from its
    start (``schedule.planned_blocks``): thread p takes sentences ``[starts[p], starts[p + 1])``.
    The kernel sees the block alone, so a streamed corpus trains exactly as one held in memory.
    Returns the block's (loss, pairs)."""
    stats = np.zeros((starts.size - 1, 2), dtype=np.float64)
    run_block((ids, offsets, starts, seeds, keep), lr0, lr1, stats)
    return float(stats[:, 0].sum()), float(stats[:, 1].sum())


def _warm_up(model, run_block, data, keep, threads, verbose):
    """Compile (or load from numba's cache) the kernel before the clock starts, on the first
    sentence at learning rate 0 (no row changes), so that words/s never includes compiling.
    Says so on stderr when numba has no cached copy: the first run waits ~20-60 s."""
    kernel = run_block.kernel
    if kernel.signatures:                 # compiled in this process already
        return
    if verbose and not _cached(kernel):
        print("compiling kernels (first run only; numba caches them on disk)...",
              file=sys.stderr, flush=True)
    ids, offsets, _ = next(iter(data.blocks(1, config.BLOCK_WORDS_PER_THREAD)))
    starts = np.zeros(threads + 1, dtype=np.int64)
    starts[1:] = 1                        # thread 0 trains the first sentence (never empty),
    train_block(run_block, ids[:offsets[1]], offsets[:2], starts,    # the others nothing
                _seed_states(model.config.seed, 0, 0, threads), keep, 0.0, 0.0)


def _cached(kernel):
    """Whether numba's on-disk cache holds an index for ``kernel`` (then loading takes ~1 s)."""
    try:
        return os.path.exists(kernel._cache._cache_file._index_path)
    except AttributeError:                # no cache (cache=False) or another numba layout
        return False


def _cuda_epochs(model, data, keep, schedule, progress):
    """The numba.cuda kernels; ``finish`` copies the vectors back to the host."""
    from .cpu._noise import alias_table
    from .gpu.driver import CudaTrainer
    # the run's line (a resumed run's own, or train's start_alpha / end_alpha)
    cfg = dataclasses.replace(model.config, alpha=schedule.alpha, min_alpha=schedule.min_alpha)
    noise = alias_table(model.vocab.noise_distribution(cfg.ns_exponent))  # exact draws, as the CPU
    trainer = CudaTrainer(model.wv.vectors, model.W_out, noise, cfg, cfg.objective,
                          n_tokens=data.n_words)

    def run_epoch(epoch):
        # every epoch its own streams, on the host and the device, as on the CPU: a resumed run
        # draws in epoch k what the uninterrupted one drew there
        stream = schedule.run + epoch
        rng = np.random.default_rng([cfg.seed, stream])
        trainer.reseed(cfg.seed + 7919 * stream)
        report = lambda frac, lr: progress.update(epoch, frac * data.raw_words, lr)  # noqa: E731
        loss, pairs = trainer.train_epoch(data, keep, rng, epoch / schedule.total,
                                          (epoch + 1) / schedule.total, report)
        model.running_training_loss += float(loss)
        return loss, pairs

    return run_epoch, trainer.copy_back


def block_runner(model, threads, shared=None):
    """``run(work, lr_start, lr_end, stats)`` training one block with the model's objective;
    ``run.kernel`` is the Numba dispatcher it calls, ``run.stage`` its staging. ``shared =
    (copies, sharing)``: the model's rows are one copy that processes with ``sharing`` threads
    in all train together, and this one's staged copies start at W_out's row ``copies``
    (``distributed/shared.py``)."""
    from .cpu import cbow, hs, sgns, softmax_sg
    from .cpu._noise import alias_table
    from .cpu._staging import plan_stage, spare_rows
    cfg = model.config
    arch, head = cfg.objective
    parallel = threads > 1
    if parallel:
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    W_in, mean, window = model.wv.vectors, bool(cfg.cbow_mean), cfg.window
    cbow_batch = config.CBOW_BATCH if cfg.batch_window else 1
    pick = lambda module, name: getattr(module, f"{name}_block_{'parallel' if parallel else 'serial'}")  # noqa: E731

    def runner(block, run):
        run.kernel, run.stage = block, stage
        return run

    stage = None                  # the full softmax stages nothing

    if head == "softmax":
        block = pick(softmax_sg, "softmax")
        return runner(block, lambda work, lr0, lr1, stats: block(
            W_in, model.W_out, work, window, arch == "cbow", mean, cfg.softmax_batch, lr0, lr1,
            stats))
    # the kernels see W_out with spare rows after it: each thread's copies of its hottest rows
    rows = model.W_out.shape[0]
    copies, sharing = shared or (rows, threads)
    stage = plan_stage(rows, head == "ns", threads, cfg.vector_size, copies, sharing)
    W_out = spare_rows(model.W_out, copies - rows + threads * stage[1])
    model.W_out = W_out[:rows]
    if head == "ns":
        noise = alias_table(model.vocab.noise_distribution(cfg.ns_exponent))
        if arch == "cbow":
            block = pick(cbow, "cbow_ns")
            return runner(block, lambda work, lr0, lr1, stats: block(
                W_in, W_out, noise, cfg.negative, mean, cbow_batch, stage, work, window, lr0,
                lr1, cfg.compute_loss, stats))
        block = pick(sgns, "sgns")
        return runner(block, lambda work, lr0, lr1, stats: block(
            W_in, W_out, noise, cfg.negative, cfg.batch_window, stage, work, window, lr0, lr1,
            cfg.compute_loss, stats))
    tree = model.vocab.huffman_tree()
    if arch == "cbow":
        block = pick(hs, "cbow_hs")
        return runner(block, lambda work, lr0, lr1, stats: block(
            W_in, W_out, tree, mean, cbow_batch, stage, work, window, lr0, lr1,
            cfg.compute_loss, stats))
    block = pick(hs, "sg_hs")
    return runner(block, lambda work, lr0, lr1, stats: block(
        W_in, W_out, tree, stage, work, window, lr0, lr1, cfg.compute_loss, stats))


def _seed_states(seed, run, block, n):
    from .cpu._rng import seed_states
    return seed_states(seed, run, block, n=n)
