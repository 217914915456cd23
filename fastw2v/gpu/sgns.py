"""Skip-gram with negative sampling on the GPU (maths: reference/sgns.py; CPU: cpu/sgns.py).

One thread per centre word (grid-stride over the chunk's positions): it draws the reduced
window, and for each context word draws K noise words and updates as word2vec.c does (the
context row predicts the centre). Threads share the embedding rows without locks; ``atomic``
picks ``cuda.atomic.add`` instead of plain stores.
"""
from numba import cuda

from ._device import add, draw_noise, reduced_window
from ._output import ns_output


@cuda.jit(device=True)
def sgns_step(W_in, W_out, ctx, centre, negatives, lr, e, atomic):
    """One SGNS pair on injected noise words; ``e`` is the thread's D-float scratch row."""
    for c in range(W_in.shape[1]):
        e[c] = 0.0
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
def sgns_train_kernel(W_in, W_out, ids, sent_lo, sent_hi, noise, window, lr_start, lr_end,
                      states, scratch, negatives, stats, atomic):
    """Train on a chunk of subsampled tokens. Token i's sentence spans [sent_lo[i], sent_hi[i]);
    the lr falls linearly from ``lr_start`` to ``lr_end`` across the chunk.
    ``stats[tid] = (loss, pairs)`` per thread."""
    tid = cuda.grid(1)
    n = ids.shape[0]
    loss = 0.0
    pairs = 0
    for i in range(tid, n, cuda.gridsize(1)):
        lr = lr_start + (lr_end - lr_start) * (i / n)
        lo, hi = reduced_window(i, sent_lo, sent_hi, window, states, tid)
        for j in range(lo, hi):
            if j == i:
                continue
            draw_noise(noise, negatives, states, tid)
            loss += sgns_step(W_in, W_out, ids[j], ids[i], negatives[tid], lr, scratch[tid], atomic)
            pairs += 1
    stats[tid, 0] += loss
    stats[tid, 1] += pairs
