"""The only torch code of fastw2v: every loss written with autograd, to check the references.

Each function takes float64 tensors with ``requires_grad`` and returns the summed loss; the
test calls ``.backward()`` and compares ``.grad`` with the hand-written NumPy gradients.
"""
import torch
import torch.nn.functional as F


def sgns_loss(W_in, W_out, ctx, centre, negatives):
    """-log sigma(h . v_centre) - sum_k log sigma(-h . v_k), noise words equal to the centre masked."""
    h = W_in[ctx]                                                  # (B, D)
    pos = (h * W_out[centre]).sum(-1)                              # (B,)
    neg = torch.einsum("bd,bkd->bk", h, W_out[negatives])          # (B, K)
    mask = (negatives != centre[:, None]).to(h.dtype)
    return -F.logsigmoid(pos).sum() - (mask * F.logsigmoid(-neg)).sum()
