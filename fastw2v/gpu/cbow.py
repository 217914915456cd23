"""CBOW with negative sampling on the GPU (maths: reference/cbow.py; CPU: cpu/cbow.py).

Each thread trains its own contiguous span of tokens (``_device.thread_span``); per centre
word: h = mean (or sum) of the window's context rows, in the thread's scratch row; the NS
head updates the output rows; then -lr * dh goes to every context row, as word2vec.c does.
"""
import numpy as np
from numba import cuda

from ._device import add, draw_noise, reduced_window, span_lr, thread_span
from ._output import ns_output


@cuda.jit(device=True)
def cbow_step(W_in, W_out, contexts, n_ctx, centre, negatives, lr, h, e, r, mean, atomic):
    """One CBOW window on injected noise words. ``h`` and ``e`` are (threads, D) scratch, row r."""
    dim = W_in.shape[1]
    for c in range(dim):
        h[r, c] = np.float32(0.0)
        e[r, c] = np.float32(0.0)
    for j in range(n_ctx):
        for c in range(dim):
            h[r, c] += W_in[contexts[j], c]
    if mean:
        inv = np.float32(1.0) / np.float32(n_ctx)
        for c in range(dim):
            h[r, c] *= inv
    loss = ns_output(h, r, W_out, centre, negatives, lr, e[r], atomic)
    for j in range(n_ctx):
        for c in range(dim):
            add(W_in, contexts[j], c, e[r, c], atomic)
    return loss


@cuda.jit
def cbow_step_kernel(W_in, W_out, contexts, n_ctx, centre, negatives, lr, h, e, loss_out, mean, atomic):
    """Test kernel: window b = (contexts[b, :n_ctx[b]], centre[b], negatives[b]) on thread b."""
    tid = cuda.grid(1)
    for b in range(tid, centre.shape[0], cuda.gridsize(1)):
        loss_out[b] = cbow_step(W_in, W_out, contexts[b], n_ctx[b], centre[b], negatives[b], lr,
                                h, e, tid, mean, atomic)


@cuda.jit
def cbow_train_kernel(W_in, W_out, ids, sent_lo, sent_hi, accept, alias, window, lr_start, lr_end,
                      min_span, states, h, e, contexts, negatives, stats, mean, atomic):
    """Train on a chunk of subsampled tokens; ``stats[tid] = (loss, windows)`` of this launch."""
    tid = cuda.grid(1)
    first, last = thread_span(ids.shape[0], tid, cuda.gridsize(1), min_span)
    loss = np.float32(0.0)
    windows = 0
    for i in range(first, last):
        lr = span_lr(lr_start, lr_end, i, first, last)
        lo, hi = reduced_window(i, sent_lo, sent_hi, window, states, tid)
        n_ctx = 0
        for j in range(lo, hi):
            if j != i:
                contexts[tid, n_ctx] = ids[j]
                n_ctx += 1
        if n_ctx == 0:
            continue
        draw_noise(accept, alias, negatives, states, tid)
        loss += cbow_step(W_in, W_out, contexts[tid], n_ctx, ids[i], negatives[tid], lr, h, e, tid,
                          mean, atomic)
        windows += 1
    stats[tid, 0] = loss
    stats[tid, 1] = windows
