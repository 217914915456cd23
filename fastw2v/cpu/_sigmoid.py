"""Exact sigmoid and the per-score loss, float32, for the kernels.

fastw2v computes sigma(x) = 1 / (1 + exp(-x)) exactly (no table, no clamp on the gradient):
for |x| > 6 word2vec.c saturates the gradient to (label - 1) or label, which the exact sigmoid
approaches anyway, and gensim skips the sample. Using e = exp(-|x|) keeps both sigma and the
loss finite for every float32 x.
"""
import numpy as np
from numba import njit

from .. import config


@njit(fastmath=config.FASTMATH, cache=config.CACHE)
def sigmoid_and_softplus(x):
    """Return (sigma(x), softplus(-x)) = (sigma(x), -log sigma(x)), sharing one exp."""
    e = np.exp(-abs(x))
    one = np.float32(1.0)
    if x >= 0:
        return one / (one + e), np.log1p(e)
    return e / (one + e), np.log1p(e) - x
