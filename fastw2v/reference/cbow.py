"""Continuous bag of words (CBOW), forward and backward in NumPy (Mikolov et al. 2013a).

The context words of a window predict the centre word through one hidden vector:

    h = (1/C) sum_j W_in[c_j]    (mean, word2vec.c's default and gensim's cbow_mean=1)
    h =       sum_j W_in[c_j]    (sum, gensim's cbow_mean=0)

and any output head (negative sampling, hierarchical softmax, full softmax) scores h against
the centre word. Windows differ in size (reduced window, sentence ends), so the contexts come
padded as ``contexts`` (B, C) with a boolean ``mask`` (B, C).

Backward returns the true gradient ``dW_in`` (dL/dh / C on each context row for the mean) and
``dh`` itself: word2vec.c and gensim add ``-lr * dh`` to *every* context row even for the mean
(the gradient of the sum), and the kernels do as they do; see docs/gradients.md.
"""
import numpy as np

from .hs import hs_head_backward, hs_head_forward
from .sgns import ns_head_backward, ns_head_forward
from .softmax_sg import softmax_head_backward, softmax_head_forward

HEADS = {
    "ns": (ns_head_forward, ns_head_backward),            # head_args: (negatives,)
    "hs": (hs_head_forward, hs_head_backward),            # head_args: (codes, points, codelens)
    "softmax": (softmax_head_forward, softmax_head_backward),   # head_args: ()
}


def forward(W_in, W_out, contexts, mask, centre, head="ns", head_args=(), mean=True):
    """Summed CBOW loss of a batch of windows.

    Parameters
    ----------
    contexts : (B, C) int context word ids (padding anywhere ``mask`` is False)
    mask : (B, C) bool, at least one True per row
    centre : (B,) int centre word ids
    head : "ns" | "hs" | "softmax", with ``head_args`` as listed in ``HEADS``
    mean : hidden layer is the mean (True) or the sum (False) of the context rows
    """
    m = mask.astype(np.float64)                                         # (B, C)
    count = m.sum(axis=1, keepdims=True)                                # (B, 1) contexts per window
    h = np.einsum("bc,bcd->bd", m, W_in[contexts])                      # (B, D) sum of context rows
    if mean:
        h = h / count
    head_forward = HEADS[head][0]
    loss, cache = head_forward(h, W_out, centre, *head_args)
    cache.update(head=head, contexts=contexts, m=m, count=count, mean=mean, W_in_shape=W_in.shape)
    return loss, cache


def backward(cache):
    """``(dW_in, dW_out, dh)``: true gradients, plus dL/dh that word2vec.c applies per row."""
    dh, dW_out = HEADS[cache["head"]][1](cache)                         # (B, D), W_out's shape
    per_row = dh / cache["count"] if cache["mean"] else dh              # dh/dW_in[c_j] = 1/C or 1
    dW_in = np.zeros(cache["W_in_shape"])
    np.add.at(dW_in, cache["contexts"], cache["m"][:, :, None] * per_row[:, None, :])
    return dW_in, dW_out, dh
