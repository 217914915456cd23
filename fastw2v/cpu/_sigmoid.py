"""Exact sigmoid and the per-score loss, float32, for the kernels.

fastw2v computes sigma(x) = 1 / (1 + exp(-x)) exactly (no table, no clamp on the gradient):
for |x| > 6 word2vec.c saturates the gradient to (label - 1) or label, which the exact sigmoid
approaches anyway, and gensim skips the sample. Using e = exp(-|x|) keeps both sigma and the
loss finite for every float32 x.

Their divisors (1 + e, 2 + e) are never zero for a number; numba's default error model would
still test each one and raise ZeroDivisionError for a NaN score under fastmath (rows grown past
float32 by a learning rate far too high), from inside a parallel region as a SystemError.
``error_model="numpy"`` drops the test: a NaN score gives NaN rows and loss, which ``train``
reports as divergence after the epoch.
"""
import numpy as np
from numba import njit

from .. import config

_C3, _C5, _C7, _C9, _C11, _C13, _C15, _C17 = (np.float32(1.0 / k) for k in range(3, 18, 2))


@njit(fastmath=config.FASTMATH, cache=config.CACHE, error_model="numpy")
def sigmoid_exp(x):
    """Return (sigma(x), e) with e = exp(-|x|), for ``softplus_neg`` when the loss is wanted:
    the kernels then take the log only when they tally the loss."""
    e = np.exp(-abs(x))
    one = np.float32(1.0)
    if x >= 0:
        return one / (one + e), e
    return e / (one + e), e


@njit(fastmath=config.FASTMATH, cache=config.CACHE, error_model="numpy")
def softplus_neg(x, e):
    """-log sigma(x) = log(1 + e) + max(-x, 0), from e = exp(-|x|) in (0, 1].

    log(1 + e) = 2 atanh(z) with z = e / (2 + e) in (0, 1/3]: the series 2 (z + z^3/3 + ... +
    z^17/17) leaves out less than z^19 / 19 < 5e-11, far below float32's precision, and costs
    a division and nine multiply-adds; libm's log1p made tallying the loss cost far more
    (bench_results/decisions.md#loss-tally). tests/test_cpu_objectives.py checks it against
    NumPy's log1p.
    """
    z = e / (np.float32(2.0) + e)
    z2 = z * z
    series = _C17                       # Horner: 1 + z2 (1/3 + z2 (1/5 + ... + z2 / 17))
    series = _C15 + z2 * series
    series = _C13 + z2 * series
    series = _C11 + z2 * series
    series = _C9 + z2 * series
    series = _C7 + z2 * series
    series = _C5 + z2 * series
    series = _C3 + z2 * series
    series = np.float32(1.0) + z2 * series
    return np.float32(2.0) * z * series + max(-x, np.float32(0.0))
