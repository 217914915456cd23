"""Full-softmax skip-gram on the GPU, batched as matrix work (maths: reference/softmax_sg.py;
CPU: cpu/softmax_sg.py).

A batch of B (context, centre) pairs is one minibatch SGD step, in four launches:

    S  = H W_out^T            scores_kernel       one thread per (b, v), H = W_in[ctx]
    dS = softmax(S) - onehot  softmax_kernel      one thread per row b (also the row's loss)
    dH = dS W_out             dh_kernel           one thread per (b, d)
    W_out -= lr dS^T H        update_out_kernel   one thread per (v, d)
    W_in[ctx_b] -= lr dH_b    update_in_kernel    one thread per (b, d), atomic (contexts repeat)

The pairs come from ``skipgram_pairs`` on the host (reduced window, sentence bounds), which
keeps the kernels pure matrix work.
"""
import math

import numpy as np
from numba import cuda


def skipgram_pairs(ids, lo, hi, window, rng):
    """All (context, centre) pairs of kept tokens, word2vec.c's reduced window drawn per centre."""
    n = ids.size
    pos = np.arange(n)
    reach = window - rng.integers(0, window, n)              # window - b, b uniform in [0, window)
    ctx, centre = [], []
    for offset in range(-window, window + 1):
        if offset == 0:
            continue
        j = pos + offset
        ok = (abs(offset) <= reach) & (j >= lo) & (j < hi)
        ctx.append(ids[j[ok]])
        centre.append(ids[ok])
    return np.concatenate(ctx).astype(np.int32), np.concatenate(centre).astype(np.int32)


@cuda.jit
def scores_kernel(W_in, W_out, ctx, S):
    b, v = cuda.grid(2)
    if b < S.shape[0] and v < S.shape[1]:
        f = np.float32(0.0)
        for d in range(W_in.shape[1]):
            f += W_in[ctx[b], d] * W_out[v, d]
        S[b, v] = f


@cuda.jit
def softmax_kernel(S, centre, loss):
    """Row b of S becomes softmax(S_b) - onehot(centre_b); loss[b] = -log softmax(S_b)[centre_b]."""
    b = cuda.grid(1)
    if b < S.shape[0]:
        top = S[b, 0]
        for v in range(S.shape[1]):
            if S[b, v] > top:                    # not max(): see gpu/_device.py
                top = S[b, v]
        total = np.float32(0.0)
        for v in range(S.shape[1]):
            total += math.exp(S[b, v] - top)
        loss[b] = math.log(total) - (S[b, centre[b]] - top)
        for v in range(S.shape[1]):
            S[b, v] = math.exp(S[b, v] - top) / total
        S[b, centre[b]] -= np.float32(1.0)


@cuda.jit
def dh_kernel(S, W_out, dH):
    b, d = cuda.grid(2)
    if b < dH.shape[0] and d < dH.shape[1]:
        g = np.float32(0.0)
        for v in range(S.shape[1]):
            g += S[b, v] * W_out[v, d]
        dH[b, d] = g


@cuda.jit
def update_out_kernel(W_in, ctx, S, W_out, lr):
    v, d = cuda.grid(2)
    if v < W_out.shape[0] and d < W_out.shape[1]:
        g = np.float32(0.0)
        for b in range(S.shape[0]):
            g += S[b, v] * W_in[ctx[b], d]
        W_out[v, d] -= lr * g


@cuda.jit
def update_in_kernel(W_in, ctx, dH, lr):
    b, d = cuda.grid(2)
    if b < dH.shape[0] and d < dH.shape[1]:
        cuda.atomic.add(W_in, (ctx[b], d), -lr * dH[b, d])


def _grid2(rows, cols, tile):
    return (-(-rows // tile), -(-cols // tile)), (tile, tile)


def softmax_step(W_in, W_out, ctx, centre, lr, S, dH, loss, tile):
    """One minibatch on device arrays (B = ctx.size; S is (B, V), dH (B, D), loss (B,)), all
    float32 (``lr`` too)."""
    B, V, D = ctx.shape[0], W_out.shape[0], W_out.shape[1]
    scores_kernel[_grid2(B, V, tile)](W_in, W_out, ctx, S)
    softmax_kernel[-(-B // (tile * tile)), tile * tile](S, centre, loss)
    dh_kernel[_grid2(B, D, tile)](S, W_out, dH)             # with the old W_out
    update_out_kernel[_grid2(V, D, tile)](W_in, ctx, S, W_out, lr)   # with the old W_in
    update_in_kernel[_grid2(B, D, tile)](W_in, ctx, dH, lr)
