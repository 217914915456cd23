"""Skip-gram with negative sampling (SGNS), forward and backward in NumPy.

Mikolov et al. 2013b, "Distributed Representations of Words and Phrases", eq. 4. As in
word2vec.c, the *context* word's input row predicts the *centre* word: for a pair
(context c, centre w) with K noise words n_1..n_K,

    h   = W_in[c]                                  (D,)   word2vec.c syn0
    s_0 = h . W_out[w],   s_k = h . W_out[n_k]             W_out is syn1neg
    L   = -log sigma(s_0) - sum_k log sigma(-s_k)
        = softplus(-s_0) + sum_k softplus(s_k)

A noise word equal to the centre word is skipped (word2vec.c does ``if (target == word)
continue``), which the mask below reproduces. The negative-sampling *head* (``ns_head_*``)
works on any hidden vector h and is shared with CBOW (``cbow.py``).
"""
import numpy as np

from .activations import sigmoid, softplus


def ns_head_forward(h, W_out, centre, negatives):
    """Negative-sampling loss of hidden vectors ``h`` (B, D) for their centre words."""
    targets = np.concatenate([centre[:, None], negatives], axis=1)      # (B, 1+K) target words
    labels = np.zeros(targets.shape)                                    # (B, 1+K) 1 = real, 0 = noise
    labels[:, 0] = 1.0
    mask = np.ones(targets.shape)                                       # (B, 1+K)
    mask[:, 1:] = negatives != centre[:, None]
    v = W_out[targets]                                                  # (B, 1+K, D)
    s = np.einsum("bd,bkd->bk", h, v)                                   # (B, 1+K) scores
    # -log sigma(s) for the real pair, -log sigma(-s) for noise: softplus(-/+ s)
    loss = float(np.sum(mask * softplus(-(2.0 * labels - 1.0) * s)))
    return loss, dict(h=h, v=v, s=s, targets=targets, labels=labels, mask=mask, W_shape=W_out.shape)


def ns_head_backward(cache):
    """dL/dh (B, D) and dL/dW_out.

    dL/ds = sigma(s) - label     (label 1 for the real pair, 0 for noise)
    dL/dh = sum_k dL/ds_k * W_out[t_k]           dL/dW_out[t_k] = dL/ds_k * h
    """
    ds = cache["mask"] * (sigmoid(cache["s"]) - cache["labels"])       # (B, 1+K)
    dh = np.einsum("bk,bkd->bd", ds, cache["v"])                        # (B, D)
    dv = ds[:, :, None] * cache["h"][:, None, :]                        # (B, 1+K, D)
    dW_out = np.zeros(cache["W_shape"])
    np.add.at(dW_out, cache["targets"], dv)                             # scatter-add: repeats sum
    return dh, dW_out


def forward(W_in, W_out, ctx, centre, negatives):
    """Summed SGNS loss of a batch of (context, centre, negatives) triples.

    Parameters
    ----------
    W_in, W_out : (V, D) float arrays
    ctx, centre : (B,) int arrays of word ids
    negatives : (B, K) int array of noise word ids

    Returns
    -------
    loss : float, the sum over the batch
    cache : dict, what ``backward`` needs
    """
    h = W_in[ctx]                                                       # (B, D)
    loss, cache = ns_head_forward(h, W_out, centre, negatives)
    cache.update(ctx=ctx, W_in_shape=W_in.shape)
    return loss, cache


def backward(cache):
    """Gradients of the summed loss: ``(dW_in, dW_out)``."""
    dh, dW_out = ns_head_backward(cache)
    dW_in = np.zeros(cache["W_in_shape"])
    np.add.at(dW_in, cache["ctx"], dh)                                  # h = W_in[ctx]: scatter dh back
    return dW_in, dW_out
