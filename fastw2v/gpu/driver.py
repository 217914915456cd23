"""Host side of the CUDA path: copies, per-epoch subsampling, chunks, launches, statistics.

Per epoch the host subsamples the encoded corpus (word2vec.c's keep-probabilities, vectorised),
so the device sees only kept tokens and, for each token, the bounds of its sentence. The kept
tokens go to the device in sentence-aligned chunks of at most ``config.GPU_CHUNK_TOKENS``, so a
corpus larger than device memory streams through. The embedding matrices stay on the device
for all epochs and are copied back once at the end. Noise words are drawn on the device from
the same exact alias table as on the CPU (``cpu/_noise.py``). Within a chunk each GPU thread
trains its own contiguous span of at least ``config.GPU_MIN_SPAN`` tokens (``_device.py``).
"""
import numpy as np

from .. import config
from ..schedule import linear_lr
from . import require_cuda


def subsample(ids, offsets, keep, rng):
    """Kept tokens; the start of every sentence in the kept array; each kept token's sentence;
    and the share of the raw words done before each kept token and after the last
    (``done[i]``, i in [0, n], for the learning rate)."""
    kept = rng.random(ids.size, dtype=np.float32) < keep[ids]
    sentence = np.repeat(np.arange(offsets.size - 1), np.diff(offsets))[kept]
    starts = np.zeros(offsets.size, dtype=np.int64)
    np.cumsum(np.bincount(sentence, minlength=offsets.size - 1), out=starts[1:])
    done = np.append(np.flatnonzero(kept), ids.size) / max(ids.size, 1)
    done[0] = 0.0                     # dropped words count as done, as on the CPU and word2vec.c
    return ids[kept], starts, sentence, done


def chunks(n_tokens, starts, sentence, max_tokens):
    """Sentence-aligned [a, b) token ranges of at most ``max_tokens`` (a longer sentence alone)."""
    a = 0
    while a < n_tokens:
        b = min(a + max_tokens, n_tokens)
        if b < n_tokens:
            aligned = starts[sentence[b]]          # cut at the start of the sentence holding b
            b = aligned if aligned > a else starts[sentence[b] + 1]
        yield a, b
        a = b


class CudaTrainer:
    """Trains one model's matrices on the device; ``train_epoch`` may be called repeatedly,
    each after ``reseed`` (every epoch its own random streams)."""

    def __init__(self, W_in, W_out, noise, cfg, objective, n_tokens):
        """``noise = (accept, alias)``: the alias table of the noise distribution."""
        self.cuda = require_cuda()
        from ._device import launch_config
        self.W_in_host, self.W_out_host = W_in, W_out
        self.W_in = self.cuda.to_device(W_in)
        self.W_out = self.cuda.to_device(W_out)
        self.accept, self.alias = (self.cuda.to_device(x) for x in noise)
        self.cfg = cfg
        self.arch, self.head = objective
        self.blocks, self.threads = launch_config(n_tokens)
        grid = self.blocks * self.threads
        D = W_in.shape[1]
        self.states = None                             # reseed() makes them
        self.e = self.cuda.device_array((grid, D), dtype=np.float32)
        if self.arch == "cbow":                        # CBOW's hidden vectors and context lists
            self.h = self.cuda.device_array((grid, D), dtype=np.float32)
            self.contexts = self.cuda.device_array((grid, 2 * cfg.window), dtype=np.int32)
        self.negatives = self.cuda.device_array((grid, max(cfg.negative, 1)), dtype=np.int32)
        self.grid = grid
        self.stats = self.cuda.device_array((grid, 2), dtype=np.float32)   # per launch, per thread
        self.min_span = max(config.GPU_MIN_SPAN, 2 * cfg.window + 2)
        if self.head == "softmax":
            B = cfg.softmax_batch
            self.S = self.cuda.device_array((B, W_out.shape[0]), dtype=np.float32)
            self.dH = self.cuda.device_array((B, D), dtype=np.float32)
            self.loss = self.cuda.device_array(B, dtype=np.float32)

    def reseed(self, seed):
        """Start the device's generators again from ``seed``."""
        from ._device import rng_states
        self.states = rng_states(self.grid, seed)

    def train_epoch(self, data, keep, rng, progress_start, progress_end, on_chunk=None):
        """One pass over ``data`` (in memory or streamed from disk), read in sentence-aligned
        segments of at most ``config.GPU_CHUNK_TOKENS`` words; lr falls over
        [progress_start, progress_end] of training. Returns (loss, examples)."""
        totals = np.zeros(2)
        n, a0 = max(data.n_words, 1), 0
        span = progress_end - progress_start
        for ids, offsets in data.segments(config.GPU_CHUNK_TOKENS):
            a1 = a0 + ids.size
            report = None if on_chunk is None else \
                (lambda frac, lr, a0=a0, a1=a1: on_chunk((a0 + frac * (a1 - a0)) / n, lr))
            totals += self._train_segment(ids, offsets, keep, rng, progress_start + span * a0 / n,
                                          progress_start + span * a1 / n, report)
            a0 = a1
            del ids, offsets          # gone before the next segment is read, not after
        return float(totals[0]), int(totals[1])

    def _train_segment(self, ids, offsets, keep, rng, progress_start, progress_end, on_chunk):
        from . import cbow, sgns
        cfg = self.cfg
        ids, starts, sentence, done = subsample(ids, offsets, keep, rng)
        totals = np.zeros(2)
        n = ids.size
        for a, b in chunks(n, starts, sentence, config.GPU_CHUNK_TOKENS):
            sid = sentence[a:b]
            lo = (starts[sid] - a).astype(np.int32)
            hi = (starts[sid + 1] - a).astype(np.int32)
            # the chunk's rates at its first and past its last kept token, over the raw words
            # (within a thread's span the rate then falls linearly over its kept tokens)
            span = progress_end - progress_start
            lr0 = np.float32(linear_lr(progress_start + span * done[a], cfg.alpha, cfg.min_alpha))
            lr1 = np.float32(linear_lr(progress_start + span * done[b], cfg.alpha, cfg.min_alpha))
            if self.head == "softmax":
                loss, examples = self._softmax_chunk(ids[a:b], lo, hi, lr0, lr1, rng)
                totals += (loss, examples)
                if on_chunk is not None:
                    on_chunk(done[b], lr1)
                continue
            d_ids, d_lo, d_hi = (self.cuda.to_device(x) for x in (ids[a:b], lo, hi))
            launch = (self.blocks, self.threads)
            if self.arch == "sg":
                sgns.sgns_train_kernel[launch](
                    self.W_in, self.W_out, d_ids, d_lo, d_hi, self.accept, self.alias, cfg.window,
                    lr0, lr1, self.min_span, self.states, self.e, self.negatives, self.stats,
                    config.GPU_ATOMICS)
            else:
                cbow.cbow_train_kernel[launch](
                    self.W_in, self.W_out, d_ids, d_lo, d_hi, self.accept, self.alias, cfg.window,
                    lr0, lr1, self.min_span, self.states, self.h, self.e, self.contexts,
                    self.negatives, self.stats, bool(cfg.cbow_mean), config.GPU_ATOMICS)
            # float32 per thread and launch on the device, summed in float64 here
            totals += self.stats.copy_to_host().sum(axis=0, dtype=np.float64)
            if on_chunk is not None:
                on_chunk(done[b], lr1)
        return totals

    def _softmax_chunk(self, ids, lo, hi, lr0, lr1, rng):
        """Full softmax: the chunk's pairs in minibatches of ``softmax_batch``."""
        from .softmax_sg import skipgram_pairs, softmax_step
        ctx, centre = skipgram_pairs(ids, lo, hi, self.cfg.window, rng)
        order = rng.permutation(ctx.size)                  # mix offsets (pairs come grouped by offset)
        d_ctx, d_centre = self.cuda.to_device(ctx[order]), self.cuda.to_device(centre[order])
        B = self.cfg.softmax_batch
        tile = max(1, int(config.THREADS_PER_BLOCK ** 0.5))
        loss = 0.0
        for s in range(0, ctx.size, B):
            e = min(s + B, ctx.size)
            lr = np.float32(lr0 + (lr1 - lr0) * s / max(ctx.size, 1))
            softmax_step(self.W_in, self.W_out, d_ctx[s:e], d_centre[s:e], lr, self.S[:e - s],
                         self.dH[:e - s], self.loss[:e - s], tile)
            loss += float(self.loss[:e - s].copy_to_host().sum(dtype=np.float64))
        return loss, int(ctx.size)

    def copy_back(self):
        """Write the trained matrices into the host arrays the model holds."""
        self.W_in_host[:] = self.W_in.copy_to_host()
        self.W_out_host[:] = self.W_out.copy_to_host()
