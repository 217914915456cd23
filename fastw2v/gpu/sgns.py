"""Skip-gram with negative sampling on the GPU (maths: reference/sgns.py; CPU: cpu/sgns.py).

Each thread trains its own contiguous span of the chunk's tokens (``_device.thread_span``),
as word2vec.c's threads each train their own part of the file: for every centre word it draws
the reduced window, and for each context word draws K noise words (exactly, from the alias
table) and updates as word2vec.c does (the context row predicts the centre). Threads share the
embedding rows without locks; ``atomic`` picks ``cuda.atomic.add`` instead of plain stores.
"""
import numpy as np
from numba import cuda

from ._device import add, draw_noise, reduced_window, span_lr, thread_span
from ._output import ns_output


@cuda.jit(device=True)
def sgns_step(W_in, W_out, ctx, centre, negatives, lr, e, atomic):
    """One SGNS pair on injected noise words; ``e`` is the thread's D-float scratch row."""
    for c in range(W_in.shape[1]):
        e[c] = np.float32(0.0)
    loss = ns_output(W_in, ctx, W_out, centre, negatives, lr, e, atomic)
    for c in range(W_in.shape[1]):
        add(W_in, ctx, c, e[c], atomic)          # the input row moves last
    return loss


@cuda.jit
def sgns_step_kernel(W_in, W_out, ctx, centre, negatives, lr, scratch, loss_out, atomic):
    """Test kernel: example b = (ctx[b], centre[b], negatives[b]) on thread b (grid-stride)."""
    tid = cuda.grid(1)
    for b in range(tid, ctx.shape[0], cuda.gridsize(1)):
        loss_out[b] = sgns_step(W_in, W_out, ctx[b], centre[b], negatives[b], lr, scratch[tid], atomic)


@cuda.jit
def sgns_train_kernel(W_in, W_out, ids, sent_lo, sent_hi, accept, alias, window, lr_start, lr_end,
                      min_span, states, scratch, negatives, stats, atomic):
    """Train on a chunk of subsampled tokens. Token i's sentence spans [sent_lo[i], sent_hi[i]);
    the lr falls linearly from ``lr_start`` to ``lr_end`` across each thread's span.
    ``stats[tid] = (loss, pairs)`` of this launch, per thread."""
    tid = cuda.grid(1)
    first, last = thread_span(ids.shape[0], tid, cuda.gridsize(1), min_span)
    loss = np.float32(0.0)
    pairs = 0
    for i in range(first, last):
        lr = span_lr(lr_start, lr_end, i, first, last)
        lo, hi = reduced_window(i, sent_lo, sent_hi, window, states, tid)
        for j in range(lo, hi):
            if j == i:
                continue
            draw_noise(accept, alias, negatives, states, tid)
            loss += sgns_step(W_in, W_out, ids[j], ids[i], negatives[tid], lr, scratch[tid], atomic)
            pairs += 1
    stats[tid, 0] = loss
    stats[tid, 1] = pairs
