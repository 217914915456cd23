"""Hierarchical softmax, forward and backward in NumPy (Mikolov et al. 2013b, sec. 2.1).

The vocabulary is the leaves of a Huffman tree (``Vocab.huffman_tree``); each of the V-1 inner
nodes n has an output row ``W_out[n]`` (word2vec.c's syn1). The probability of the centre word
w is the product of binary decisions along its path from the root: at depth d the path is at
inner node ``points[w, d]`` and takes branch ``codes[w, d]``. word2vec.c trains the decision
with label ``1 - code`` (``g = (1 - code - f) * alpha``), so

    s_d = h . W_out[points[w, d]]
    L   = -sum_d log sigma((1 - 2 code_d) s_d)  =  sum_d softplus((2 code_d - 1) s_d)

Skip-gram uses h = W_in[context]; CBOW the mean or sum of the context rows (``cbow.py``).
"""
import numpy as np

from .activations import sigmoid, softplus


def hs_head_forward(h, W_out, centre, codes, points, codelens):
    """HS loss of hidden vectors ``h`` (B, D) for their centre words (tree arrays per word)."""
    path_nodes = points[centre]                                         # (B, L) inner nodes
    labels = 1.0 - codes[centre]                                        # (B, L) word2vec.c's 1 - code
    mask = np.arange(points.shape[1])[None, :] < codelens[centre][:, None]   # (B, L) real path steps
    v = W_out[path_nodes]                                               # (B, L, D)
    s = np.einsum("bd,bld->bl", h, v)                                   # (B, L) decision scores
    loss = float(np.sum(mask * softplus(-(2.0 * labels - 1.0) * s)))
    return loss, dict(h=h, v=v, s=s, targets=path_nodes, labels=labels, mask=mask, W_shape=W_out.shape)


def hs_head_backward(cache):
    """dL/dh and dL/dW_out: the same logistic gradients as negative sampling, over the path."""
    ds = cache["mask"] * (sigmoid(cache["s"]) - cache["labels"])       # (B, L) dL/ds
    dh = np.einsum("bl,bld->bd", ds, cache["v"])                        # (B, D)
    dW_out = np.zeros(cache["W_shape"])
    np.add.at(dW_out, cache["targets"], ds[:, :, None] * cache["h"][:, None, :])
    return dh, dW_out


def forward(W_in, W_out, ctx, centre, codes, points, codelens):
    """Skip-gram HS: summed loss of (context -> centre) pairs. ``W_out`` is (V-1, D)."""
    loss, cache = hs_head_forward(W_in[ctx], W_out, centre, codes, points, codelens)
    cache.update(ctx=ctx, W_in_shape=W_in.shape)
    return loss, cache


def backward(cache):
    """``(dW_in, dW_out)`` of the summed skip-gram HS loss."""
    dh, dW_out = hs_head_backward(cache)
    dW_in = np.zeros(cache["W_in_shape"])
    np.add.at(dW_in, cache["ctx"], dh)
    return dW_in, dW_out
