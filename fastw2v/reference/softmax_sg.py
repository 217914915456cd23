"""Skip-gram with the full softmax, forward and backward in NumPy (Mikolov et al. 2013a).

The textbook model that negative sampling and hierarchical softmax approximate: the context
word's input row scores every word of the vocabulary,

    h = W_in[c]                       (D,)
    s = W_out h                       (V,)   one score per word
    p = softmax(s)
    L = -log p[w]                     w the centre word

and dL/ds = p - onehot(w), so every output row moves on every pair: O(V D) work per pair,
which is why it is trained in batches of matrix products. The softmax *head* is shared with
CBOW (``cbow.py``).
"""
import numpy as np


def softmax_head_forward(h, W_out, centre):
    """Cross-entropy of softmax(W_out h) against the centre words; h is (B, D)."""
    s = h @ W_out.T                                                     # (B, V) scores
    s = s - s.max(axis=1, keepdims=True)                                # shift: same softmax, no overflow
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))            # (B, V) log softmax
    B = h.shape[0]
    loss = float(-log_p[np.arange(B), centre].sum())
    return loss, dict(h=h, p=np.exp(log_p), centre=centre, W_out=W_out)


def softmax_head_backward(cache):
    """dL/ds = p - onehot;  dL/dh = ds W_out;  dL/dW_out = ds^T h (dense: every row)."""
    ds = cache["p"].copy()                                              # (B, V)
    ds[np.arange(ds.shape[0]), cache["centre"]] -= 1.0
    dh = ds @ cache["W_out"]                                            # (B, D)
    dW_out = ds.T @ cache["h"]                                          # (V, D)
    return dh, dW_out


def forward(W_in, W_out, ctx, centre):
    """Summed full-softmax loss of (context -> centre) pairs."""
    loss, cache = softmax_head_forward(W_in[ctx], W_out, centre)
    cache.update(ctx=ctx, W_in_shape=W_in.shape)
    return loss, cache


def backward(cache):
    """``(dW_in, dW_out)`` of the summed loss."""
    dh, dW_out = softmax_head_backward(cache)
    dW_in = np.zeros(cache["W_in_shape"])
    np.add.at(dW_in, cache["ctx"], dh)
    return dW_in, dW_out
