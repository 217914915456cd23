"""The only torch code of fastw2v: every loss written with autograd, to check the references.

Each function takes float64 tensors with ``requires_grad`` and returns the summed loss; the
tests call ``.backward()`` and compare ``.grad`` with the hand-written NumPy gradients.
Losses are built as in the references: an input layer (skip-gram row or CBOW mean/sum) gives
the hidden vectors h, and a head (negative sampling, hierarchical softmax, full softmax)
scores them.
"""
import torch
import torch.nn.functional as F


# ---- heads: loss of hidden vectors h (B, D) for centre words --------------------------------
def ns_head(h, W_out, centre, negatives):
    """-log sigma(h . v_centre) - sum_k log sigma(-h . v_k), noise words equal to the centre masked."""
    pos = (h * W_out[centre]).sum(-1)                              # (B,)
    neg = torch.einsum("bd,bkd->bk", h, W_out[negatives])          # (B, K)
    mask = (negatives != centre[:, None]).to(h.dtype)
    return -F.logsigmoid(pos).sum() - (mask * F.logsigmoid(-neg)).sum()


def hs_head(h, W_out, centre, codes, points, codelens):
    """-sum_d log sigma((1 - 2 code_d) h . W_out[point_d]) over each centre word's Huffman path."""
    s = torch.einsum("bd,bld->bl", h, W_out[points[centre]])       # (B, L)
    sign = 1.0 - 2.0 * codes[centre].to(h.dtype)
    mask = (torch.arange(points.shape[1])[None, :] < codelens[centre][:, None]).to(h.dtype)
    return -(mask * F.logsigmoid(sign * s)).sum()


def softmax_head(h, W_out, centre):
    """Cross-entropy of softmax(W_out h) against the centre word."""
    return F.cross_entropy(h @ W_out.T, centre, reduction="sum")


# ---- input layers ------------------------------------------------------------------------
def skipgram_hidden(W_in, ctx):
    return W_in[ctx]


def cbow_hidden(W_in, contexts, mask, mean):
    m = mask.to(W_in.dtype)
    h = torch.einsum("bc,bcd->bd", m, W_in[contexts])
    return h / m.sum(1, keepdim=True) if mean else h


def sgns_loss(W_in, W_out, ctx, centre, negatives):
    return ns_head(skipgram_hidden(W_in, ctx), W_out, centre, negatives)
